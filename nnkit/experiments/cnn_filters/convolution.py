"""The convolution lab: a hand-picked kernel run by a real Keras layer, and its shape arithmetic.

The kernel is set as the weights of a Keras `Conv2D` (grey image) or
`DepthwiseConv2D` (colour: the same kernel on each channel), so what the
learner sees is exactly what a CNN layer computes: a cross-correlation,
y[i, j] = Σₘ Σₙ x[i·s + m, j·s + n] · K[m, n].

Keras is imported inside functions only, so the page opens quickly.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Sequence

import numpy as np

from nnkit.core.images import to_grey


class ConvError(ValueError):
    """Settings the convolution lab cannot run, with a message for the learner."""


# ---- the kernel registry ---------------------------------------------------------

def _gaussian(size: int) -> np.ndarray:
    row = np.array([math.comb(size - 1, i) for i in range(size)], dtype="float32")
    kernel = np.outer(row, row)
    return kernel / kernel.sum()


KERNELS: dict[str, np.ndarray] = {
    "identity": np.array([[0, 0, 0], [0, 1, 0], [0, 0, 0]], "float32"),
    "box blur 3×3": np.full((3, 3), 1 / 9, "float32"),
    "Gaussian 3×3": _gaussian(3),
    "Gaussian 5×5": _gaussian(5),
    "sharpen": np.array([[0, -1, 0], [-1, 5, -1], [0, -1, 0]], "float32"),
    "Sobel x (vertical edges)": np.array([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]], "float32"),
    "Sobel y (horizontal edges)": np.array([[-1, -2, -1], [0, 0, 0], [1, 2, 1]], "float32"),
    "Laplacian": np.array([[0, 1, 0], [1, -4, 1], [0, 1, 0]], "float32"),
    "emboss": np.array([[-2, -1, 0], [-1, 1, 1], [0, 1, 2]], "float32"),
}

KERNEL_NOTES = {
    "identity": "copies the centre pixel: the output equals the input (minus the border for 'valid').",
    "box blur 3×3": "averages the 9 neighbours: noise and fine detail are smoothed away.",
    "Gaussian 3×3": "a weighted average that favours the centre: a gentler blur than the box.",
    "Gaussian 5×5": "a wider Gaussian: a stronger blur from a 5×5 window.",
    "sharpen": "adds the difference between a pixel and its neighbours back: edges get crisper.",
    "Sobel x (vertical edges)": "right minus left: bright where intensity rises to the right, dark where it falls.",
    "Sobel y (horizontal edges)": "below minus above: responds to horizontal edges.",
    "Laplacian": "centre vs the 4 neighbours: zero on flat areas and smooth ramps, large at edges and spots.",
    "emboss": "a diagonal gradient plus the pixel itself: looks like the image is lit from one corner.",
}


def parse_kernel(values: Sequence[Sequence[object]]) -> np.ndarray:
    """A learner-edited grid as a float32 kernel; ConvError if unusable.

    Why: the grid comes from a table editor, so cells may be empty, text or
    infinite; the page must say which, not crash.
    """
    try:
        kernel = np.array([[float(v) for v in row] for row in values], dtype="float64")
    except (TypeError, ValueError) as exc:
        raise ConvError("Every kernel cell must be a number.") from exc
    if kernel.ndim != 2 or kernel.shape[0] != kernel.shape[1] or kernel.shape[0] not in (1, 3, 5, 7):
        raise ConvError(f"The kernel must be square and 1, 3, 5 or 7 wide, not {kernel.shape}.")
    if not np.all(np.isfinite(kernel)):
        raise ConvError("A kernel cell is empty or not finite; fill every cell with a number.")
    if np.abs(kernel).max() > 1e4:
        raise ConvError("Kernel values above 10,000 only saturate the picture; use smaller numbers.")
    return kernel.astype("float32")


# ---- shape arithmetic ---------------------------------------------------------------

def conv_output_size(n: int, k: int, stride: int, padding: str) -> int:
    """Output length of a convolution along one axis (as Keras computes it).

    valid: ⌊(n − k) / s⌋ + 1 (the kernel must fit inside the image);
    same:  ⌈n / s⌉ (zeros are added round the border so that, at stride 1,
    the output keeps the input's size).
    """
    if stride < 1 or k < 1:
        raise ConvError("stride and kernel size must be at least 1")
    if padding == "same":
        return math.ceil(n / stride)
    if padding == "valid":
        return (n - k) // stride + 1 if n >= k else 0
    raise ConvError(f"padding must be 'valid' or 'same', not {padding!r}")


def same_padding(n: int, k: int, stride: int) -> tuple[int, int]:
    """Zeros Keras adds (before, after) one axis for padding='same'."""
    total = max((conv_output_size(n, k, stride, "same") - 1) * stride + k - n, 0)
    return total // 2, total - total // 2


def pool_output_size(n: int, size: int) -> int:
    """Pooling with window = stride = `size`, 'valid': ⌊(n − size) / size⌋ + 1."""
    return (n - size) // size + 1 if n >= size else 0


# ---- the convolution lab ---------------------------------------------------------------

@dataclass
class ConvResult:
    """Everything the lab shows for one kernel on one image."""

    image: np.ndarray             # (H, W, C) input as convolved
    kernel: np.ndarray            # (k, k)
    feature: np.ndarray           # (H', W', C) the layer's output
    pooled: np.ndarray | None     # (H'', W'', C) or None without pooling
    layer: str                    # "Conv2D" or "DepthwiseConv2D"
    stride: int
    padding: str
    pool: str
    pool_size: int
    warnings: list[str] = field(default_factory=list)


def convolve(image: np.ndarray, kernel: np.ndarray, stride: int = 1,
             padding: str = "valid") -> np.ndarray:
    """Apply `kernel` with a real Keras layer; (H, W, C) in, (H', W', C) out.

    One channel uses `Conv2D(1, k)`; several use `DepthwiseConv2D(k)`, which
    applies the same kernel to each channel separately (a plain Conv2D would
    sum the channels into one map). Bias is off so the output is the pure
    cross-correlation.
    """
    import keras

    h, w, c = image.shape
    k = kernel.shape[0]
    if conv_output_size(h, k, stride, padding) < 1 or conv_output_size(w, k, stride, padding) < 1:
        raise ConvError(f"A {k}×{k} kernel does not fit in a {w}×{h} image with 'valid' padding; "
                        "use 'same' padding or a larger image.")
    if c == 1:
        layer = keras.layers.Conv2D(1, k, strides=stride, padding=padding, use_bias=False)
        weights = kernel.reshape(k, k, 1, 1)
    else:
        layer = keras.layers.DepthwiseConv2D(k, strides=stride, padding=padding, use_bias=False)
        weights = np.repeat(kernel.reshape(k, k, 1, 1), c, axis=2)
    layer.build((None, h, w, c))
    layer.set_weights([weights.astype("float32")])
    out = layer(image[None].astype("float32"))
    return np.asarray(keras.ops.convert_to_numpy(out))[0]


def pool_map(feature: np.ndarray, kind: str, size: int) -> np.ndarray:
    """Max or average pooling (window = stride = size) with the real Keras layer."""
    import keras

    cls = {"max": keras.layers.MaxPooling2D, "average": keras.layers.AveragePooling2D}[kind]
    h, w = feature.shape[:2]
    if pool_output_size(h, size) < 1 or pool_output_size(w, size) < 1:
        raise ConvError(f"A {size}×{size} pooling window is larger than the {w}×{h} feature map.")
    out = cls(pool_size=size, strides=size, padding="valid")(feature[None].astype("float32"))
    return np.asarray(keras.ops.convert_to_numpy(out))[0]


def conv_lab(image: np.ndarray, kernel: np.ndarray, stride: int = 1, padding: str = "valid",
             pool: str = "none", pool_size: int = 2, colour: bool = False) -> ConvResult:
    """Run one lab step; ConvError for impossible settings, warnings for odd ones."""
    image = image if colour and image.shape[2] == 3 else to_grey(image)
    warnings = []
    if not np.any(kernel):
        warnings.append("The kernel is all zeros, so every output pixel is 0: the feature map is blank.")
    h, w = image.shape[:2]
    if stride > max(h, w):
        warnings.append(f"The stride ({stride}) is larger than the image ({w}×{h}): "
                        "the kernel lands only once per axis.")
    feature = convolve(image, kernel, stride, padding)
    pooled = None
    if pool != "none":
        if min(feature.shape[:2]) < pool_size:
            warnings.append(f"The feature map ({feature.shape[1]}×{feature.shape[0]}) is smaller than "
                            f"the {pool_size}×{pool_size} pooling window, so pooling was skipped.")
            pool = "none"
        else:
            pooled = pool_map(feature, pool, pool_size)
    layer = "Conv2D" if image.shape[2] == 1 else "DepthwiseConv2D"
    return ConvResult(image, kernel, feature, pooled, layer, stride, padding, pool, pool_size, warnings)


def kernel_text(kernel: np.ndarray) -> str:
    """The kernel's weights row by row, e.g. "3×3 kernel, rows: −1 0 1 / −2 0 2 / −1 0 1"."""
    rows = " / ".join(" ".join(f"{v:.3g}" for v in row) for row in np.asarray(kernel, dtype=float))
    return f"{kernel.shape[0]}×{kernel.shape[1]} kernel, weights row by row: {rows}."
