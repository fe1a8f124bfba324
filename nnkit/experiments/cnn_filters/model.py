"""Convolution, pooling and small CNNs, all computed by real Keras layers.

The convolution lab sets a hand-picked kernel as the weights of a Keras
`Conv2D` (grey image) or `DepthwiseConv2D` (colour: the same kernel on each
channel), so what the learner sees is exactly what a CNN layer computes:
a cross-correlation, y[i, j] = Σₘ Σₙ x[i·s + m, j·s + n] · K[m, n].

Keras is imported inside functions only (see the brief); the module itself is
NumPy-only so the page opens quickly.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Sequence

import numpy as np

from nnkit.core import backend
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


def arithmetic_text(h: int, w: int, k: int, stride: int, padding: str,
                    pool: str = "none", pool_size: int = 2) -> str:
    """The output-shape calculation written out with this lab's numbers (markdown)."""
    lines = []
    for axis, n in (("height", h), ("width", w)):
        out = conv_output_size(n, k, stride, padding)
        if padding == "valid":
            lines.append(f"- **{axis}**: ⌊({n} − {k}) / {stride}⌋ + 1 = **{out}**")
        else:
            before, after = same_padding(n, k, stride)
            lines.append(f"- **{axis}**: ⌈{n} / {stride}⌉ = **{out}** "
                         f"(Keras pads {before} zero{'s' if before != 1 else ''} before and {after} after)")
    oh, ow = conv_output_size(h, k, stride, padding), conv_output_size(w, k, stride, padding)
    if pool != "none" and oh and ow:
        ph, pw = pool_output_size(oh, pool_size), pool_output_size(ow, pool_size)
        lines.append(f"- **{pool} pooling {pool_size}×{pool_size}** (stride {pool_size}): "
                     f"⌊({oh} − {pool_size}) / {pool_size}⌋ + 1 = **{ph}** by "
                     f"⌊({ow} − {pool_size}) / {pool_size}⌋ + 1 = **{pw}**")
    return "\n".join(lines)


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


def conv_story(result: ConvResult, kernel_name: str = "custom") -> str:
    """'What just happened', told with this result's own numbers."""
    h, w, c = result.image.shape
    k = result.kernel.shape[0]
    oh, ow = result.feature.shape[:2]
    positions = oh * ow
    text = (f"Keras `{result.layer}` slid the {k}×{k} **{kernel_name}** kernel over the "
            f"{w}×{h} {'colour' if c == 3 else 'grey'} image with stride {result.stride} and "
            f"'{result.padding}' padding. It stopped at {ow}×{oh} = {positions:,} positions; at each "
            f"it multiplied {k * k} pixels by the kernel and summed them: "
            f"{positions * k * k * c:,} multiply-adds. ")
    total = float(result.kernel.sum())
    if abs(total) < 1e-6:
        text += ("The kernel's weights sum to 0, so flat regions give 0 and only changes "
                 "(edges, texture) light up. ")
    elif abs(total - 1) < 1e-6:
        text += "The weights sum to 1, so overall brightness is kept. "
    else:
        text += f"The weights sum to {total:g}, so flat regions are scaled by {total:g}. "
    text += f"Output values run from {result.feature.min():.2f} to {result.feature.max():.2f}."
    if result.pooled is not None:
        ph, pw = result.pooled.shape[:2]
        how = "kept the largest" if result.pool == "max" else "averaged"
        text += (f" Then {result.pool} pooling {how} of every {result.pool_size}×{result.pool_size} "
                 f"block: {ow}×{oh} → {pw}×{ph}, {positions / max(1, ph * pw):.0f}× fewer values.")
    return text + (f" {KERNEL_NOTES[kernel_name].capitalize()}" if kernel_name in KERNEL_NOTES else "")


# ---- a small CNN and its dense rival ---------------------------------------------

LayerSpec = tuple[str, tuple, dict]  # (keras.layers class, positional args, keyword args)

# Each augmentation as a layer spec, so the app and an exported notebook build the same layers.
AUGMENTATION_SPECS: dict[str, LayerSpec] = {
    "flip": ("RandomFlip", ("horizontal",), {}),
    "rotation": ("RandomRotation", (0.08,), {}),
    "zoom": ("RandomZoom", (0.15,), {}),
    "translation": ("RandomTranslation", (0.1, 0.1), {}),
    "contrast": ("RandomContrast", (0.4,), {"value_range": (0, 1)}),
}
AUGMENTATIONS = tuple(AUGMENTATION_SPECS)


def _augmentation_specs(names: Sequence[str], seed: int) -> list[LayerSpec]:
    unknown = set(names) - set(AUGMENTATION_SPECS)
    if unknown:
        raise ValueError(f"unknown augmentation(s) {sorted(unknown)}; choose from {AUGMENTATIONS}")
    return [(cls, args, {**kwargs, "seed": seed}) for cls, args, kwargs in map(AUGMENTATION_SPECS.get, names)]


def _layers(specs: Sequence[LayerSpec]) -> list:
    import keras

    return [getattr(keras.layers, cls)(*args, **kwargs) for cls, args, kwargs in specs]


def layer_code(spec: LayerSpec) -> str:
    """A spec as the Keras call that builds it, e.g. "keras.layers.Conv2D(8, 3, padding='same')"."""
    cls, args, kwargs = spec
    return f"keras.layers.{cls}({', '.join([*map(repr, args), *(f'{k}={v!r}' for k, v in kwargs.items())])})"


@dataclass(frozen=True)
class CNNConfig:
    """A small CNN; the defaults train on 3k Fashion-MNIST images in seconds on a CPU."""

    filters: tuple[int, ...] = (8, 16)   # filters per conv layer; depth = len(filters)
    kernel_size: int = 3
    dropout: float = 0.2                 # before the classifier
    augment: tuple[str, ...] = ()        # names from AUGMENTATIONS, active only in training
    learning_rate: float = 0.003
    seed: int = 0


def cnn_layer_specs(config: CNNConfig, input_shape: tuple[int, int, int], n_classes: int) -> list[LayerSpec]:
    """The layers of `build_cnn`, Input first (see there for the shapes)."""
    specs = [("Input", (tuple(input_shape),), {}), *_augmentation_specs(config.augment, config.seed)]
    size = min(input_shape[:2])
    for i, n in enumerate(config.filters, start=1):
        specs.append(("Conv2D", (n, config.kernel_size), {"padding": "same", "activation": "relu",
                                                         "name": f"conv_{i}"}))
        if size >= 2:
            specs.append(("MaxPooling2D", (2,), {"name": f"pool_{i}"}))
            size //= 2
    return specs + [("Flatten", (), {"name": "flatten"}), ("Dropout", (config.dropout,), {"name": "dropout"}),
                    ("Dense", (n_classes,), {"activation": "softmax", "name": "output"})]


def build_cnn(config: CNNConfig, input_shape: tuple[int, int, int], n_classes: int):
    """Conv→ReLU→max-pool blocks, then dropout and a softmax classifier.

    Example: filters (8, 16), kernel 3 on 28×28×1 gives
    28×28×8 → 14×14×8 → 14×14×16 → 7×7×16 → 784 → 10.
    Pooling is skipped once a map is 1 pixel wide, so deep nets on 8×8
    digits still build. Layers are named conv_1, conv_2… for feature maps.
    """
    import keras

    backend.set_seed(config.seed)
    layers = _layers(cnn_layer_specs(config, input_shape, n_classes))
    return _compiled(keras.Sequential(layers, name="cnn"), config.learning_rate)


def build_dense(hidden: int, input_shape: tuple[int, int, int], n_classes: int,
                learning_rate: float = 0.003, seed: int = 0, dropout: float = 0.2):
    """Flatten the image and use one hidden Dense layer: no notion of neighbouring pixels."""
    import keras

    backend.set_seed(seed)
    model = keras.Sequential([
        keras.Input(input_shape), keras.layers.Flatten(name="flatten"),
        keras.layers.Dense(hidden, activation="relu", name="hidden"),
        keras.layers.Dropout(dropout, name="dropout"),
        keras.layers.Dense(n_classes, activation="softmax", name="output")], name="dense")
    return _compiled(model, learning_rate)


def dense_units_for(n_params: int, input_shape: tuple[int, int, int], n_classes: int) -> int:
    """Hidden units that give a Flatten→Dense→Dense net about `n_params` weights.

    (n_in + 1)·h + (h + 1)·c = P  ⇒  h = (P − c) / (n_in + 1 + c).
    """
    n_in = int(np.prod(input_shape))
    return max(1, round((n_params - n_classes) / (n_in + 1 + n_classes)))


def count_cnn_params(config: CNNConfig, input_shape: tuple[int, int, int], n_classes: int) -> int:
    """Weights and biases of `build_cnn(config, ...)` without building it.

    A conv layer has (k·k·c_in + 1)·filters; with 'same' padding and 2×2
    pooling the map halves per block; the classifier has (h·w·c + 1)·classes.
    """
    size_h, size_w, channels = input_shape
    total = 0
    for n in config.filters:
        total += (config.kernel_size ** 2 * channels + 1) * n
        channels = n
        if min(size_h, size_w) >= 2:
            size_h, size_w = size_h // 2, size_w // 2
    return total + (size_h * size_w * channels + 1) * n_classes


def _compiled(model, learning_rate: float):
    import keras

    model.compile(optimizer=keras.optimizers.Adam(learning_rate),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def architecture_text(model) -> str:
    """E.g. "28×28×1 → conv_1 28×28×8 → pool_1 14×14×8 → … → output 10"."""
    parts = ["×".join(str(d) for d in model.inputs[0].shape[1:])]
    for layer in model.layers:
        if layer.name.startswith(("conv", "pool", "flatten", "hidden", "output")):
            parts.append(f"{layer.name} " + "×".join(str(d) for d in layer.output.shape[1:]))
    return " → ".join(parts) + f" ({model.count_params():,} weights and biases)"


# ---- a run's settings, and the run as a notebook -------------------------------------

N_TEST = 1000             # test images kept for the confusion matrix
VALIDATION_FRACTION = 0.2  # of the training images, held out at random (seeded)
RUN_SETTINGS = ("n_train", "filters", "depth", "ksize", "dropout", "augment",
                *(f"aug_{name}" for name in AUGMENTATIONS), "epochs", "batch", "seed")


def augment_kinds(settings: dict) -> tuple[str, ...]:
    """The augmentations ticked in a page's settings (`aug_flip`, `aug_zoom`…)."""
    return tuple(name for name in AUGMENTATIONS if settings.get(f"aug_{name}"))


def config_from(settings: dict) -> CNNConfig:
    """The CNN a page's settings describe: each deeper layer doubles the filters."""
    s = settings
    return CNNConfig(tuple(s["filters"] * 2 ** i for i in range(s["depth"])), s["ksize"], float(s["dropout"]),
                     augment_kinds(s) if s["augment"] else (), seed=s["seed"])


def cnn_notebook(settings: dict, result_line: str, image_shape: tuple[int, int, int] = (28, 28, 1),
                 n_classes: int = 10) -> bytes:
    """Reproduce a CNN page run in plain Keras: same Fashion-MNIST subset, split, seed, model and fit.

    The data is read from Debian's idx files with gzip and NumPy (the format
    is 16 bytes of header and raw pixels), so the notebook needs no nnkit.
    """
    import inspect
    import os

    from nnkit import notebook as export
    from nnkit.core import data, images

    s, config = settings, config_from(settings)
    layers = "".join(f"    {layer_code(spec)},\n" for spec in cnn_layer_specs(config, image_shape, n_classes))
    cells: list = [
        ("markdown", f"# CNN on Fashion-MNIST, exported from nnkit\n\nSettings: `{settings}`\n\n"
                     f"In the app this run ended: {result_line}"),
        ("code", f'import os\nos.environ.setdefault("KERAS_BACKEND", "{os.environ.get("KERAS_BACKEND", "jax")}")\n'
                 "import gzip\nimport struct\nfrom pathlib import Path\n\n"
                 "import keras\nimport numpy as np\nimport plotly.express as px\nimport plotly.graph_objects as go"),
        ("markdown", "## The data\nFashion-MNIST from Debian's `dataset-fashion-mnist` package (Keras downloads "
                     "the same files elsewhere). A generator seeded like the app's picks the same "
                     f"{s['n_train']:,} training and {N_TEST:,} test images; pixels become floats in [0, 1] "
                     "with a channel axis, the layout `Conv2D` expects."),
        ("code", f"{inspect.getsource(images.read_idx)}\n\n"
                 f'DATA_DIR = Path("{images.DEBIAN_DIR}")\n'
                 "if DATA_DIR.is_dir():\n"
                 "    x_all, y_all, xt_all, yt_all = (read_idx(DATA_DIR / f\"{part}-ubyte.gz\") for part in (\n"
                 '        "train-images-idx3", "train-labels-idx1", "t10k-images-idx3", "t10k-labels-idx1"))\n'
                 "else:\n"
                 "    (x_all, y_all), (xt_all, yt_all) = keras.datasets.fashion_mnist.load_data()\n\n"
                 f"rng = np.random.default_rng({s['seed']})\n"
                 f"train = rng.permutation(len(x_all))[:{s['n_train']}]\n"
                 f"test = rng.permutation(len(xt_all))[:{N_TEST}]\n"
                 'x, y = (x_all[train].astype("float32") / 255.0)[..., None], y_all[train].astype("int32")\n'
                 'x_test, y_test = (xt_all[test].astype("float32") / 255.0)[..., None], yt_all[test].astype("int32")\n'
                 "x.shape, x_test.shape"),
        ("code", inspect.getsource(data.split)
                 + f"\n(x_train, y_train), (x_val, y_val) = split(x, y, {VALIDATION_FRACTION}, seed={s['seed']})"),
        ("markdown", "## The model\nConvolution blocks (ReLU, then 2×2 max pooling halve the map), dropout and a "
                     "softmax over the 10 classes. Random augmentation layers, if any, are active only in "
                     "training. The seed fixes the initial weights, so this starts where the app's run started."),
        ("code", f"keras.utils.set_random_seed({s['seed']})\nmodel = keras.Sequential([\n{layers}], name=\"cnn\")\n"
                 f"model.compile(optimizer=keras.optimizers.Adam(learning_rate={config.learning_rate}),\n"
                 '              loss="sparse_categorical_crossentropy", metrics=["accuracy"])\nmodel.summary()'),
        ("markdown", "## Train and evaluate"),
        ("code", f"keras.utils.set_random_seed({s['seed']})\n"
                 f"history = model.fit(x_train, y_train, epochs={s['epochs']}, batch_size={s['batch']},\n"
                 "                    validation_data=(x_val, y_val), shuffle=True, verbose=2)\n"
                 "test_loss, test_accuracy = model.evaluate(x_test, y_test, verbose=0)\n"
                 'print("final loss", history.history["loss"][-1], "test accuracy", test_accuracy)'),
        ("code", "fig = go.Figure()\nfor name, values in history.history.items():\n"
                 "    fig.add_scatter(y=values, name=name)\nfig.update_layout(xaxis_title=\"epoch\")\nfig"),
        ("markdown", "## What the first layer learned\nEach kernel averaged over input channels: red weights "
                     "add a pixel, blue ones subtract it, so the pattern is what the filter responds to."),
        ("code", 'kernels = model.get_layer("conv_1").get_weights()[0].mean(axis=2)  # (k, k, filters)\n'
                 "limit = np.abs(kernels).max()\n"
                 "px.imshow(np.transpose(kernels, (2, 0, 1)), facet_col=0, facet_col_wrap=8, zmin=-limit, zmax=limit,\n"
                 '          color_continuous_scale="RdBu_r")'),
    ]
    return export.notebook_bytes(cells)


# ---- looking inside ------------------------------------------------------------------

def first_layer_filters(model) -> np.ndarray:
    """The first conv layer's kernels as (n_filters, k, k), averaged over input channels.

    Safe to call mid-fit: under JAX, Keras keeps the weights inside the
    training loop and empties the layer variables until an epoch ends, so
    we ask it to write them back first (what `Callback.model` does).
    """
    sync = getattr(model, "jax_state_sync", None)
    if sync is not None:
        sync()
    kernel = model.get_layer("conv_1").get_weights()[0]  # (k, k, in, out)
    return np.transpose(kernel.mean(axis=2), (2, 0, 1))


def make_filter_snapshots():
    """A Keras callback keeping the first-layer filters at the start and each epoch end.

    `callback.snapshots[0]` is the random initialisation; later entries
    show how training reshaped the kernels into edge and blob detectors.
    """
    import keras

    class FilterSnapshots(keras.callbacks.Callback):
        def on_train_begin(self, logs=None):
            self.snapshots = [first_layer_filters(self.model)]

        def on_epoch_end(self, epoch, logs=None):
            self.snapshots.append(first_layer_filters(self.model))

    return FilterSnapshots()


def feature_maps(model, image: np.ndarray) -> list[tuple[str, np.ndarray]]:
    """Each conv layer's output (H, W, filters) for one (H, W, C) image."""
    import keras

    convs = [layer for layer in model.layers if layer.name.startswith("conv_")]
    probe = keras.Model(model.inputs[0], [layer.output for layer in convs])
    outs = probe(image[None].astype("float32"))
    outs = outs if isinstance(outs, (list, tuple)) else [outs]
    return [(layer.name, np.asarray(keras.ops.convert_to_numpy(o))[0]) for layer, o in zip(convs, outs)]


def predict(model, x: np.ndarray, batch_size: int = 256) -> np.ndarray:
    """Predicted class per image."""
    return np.argmax(model.predict(x, batch_size=batch_size, verbose=0), axis=1)


def confusion(y_true: np.ndarray, y_pred: np.ndarray, n_classes: int) -> np.ndarray:
    """counts[true, predicted]."""
    counts = np.zeros((n_classes, n_classes), dtype=int)
    np.add.at(counts, (np.asarray(y_true), np.asarray(y_pred)), 1)
    return counts


def confusion_summary(counts: np.ndarray, class_names: Sequence[str]) -> str:
    """The confusion matrix in one sentence: accuracy and the most common mistake."""
    total, right = int(counts.sum()), int(np.trace(counts))
    text = f"{right:,} of {total:,} test images correct ({right / max(total, 1):.1%})."
    wrong = counts * (1 - np.eye(len(counts), dtype=int))
    if wrong.any():
        t, p = np.unravel_index(np.argmax(wrong), wrong.shape)
        text += (f" Most common mistake: {class_names[t]} taken for {class_names[p]} "
                 f"({wrong[t, p]} time{'s' if wrong[t, p] != 1 else ''}).")
    return text


def mistakes(y_true: np.ndarray, y_pred: np.ndarray, true_class: int | None = None,
             predicted: int | None = None, limit: int = 24) -> np.ndarray:
    """Indices of misclassified images, or of one confusion cell (true, predicted)."""
    mask = y_true != y_pred if true_class is None and predicted is None else np.ones(len(y_true), bool)
    if true_class is not None:
        mask &= y_true == true_class
    if predicted is not None:
        mask &= y_pred == predicted
    return np.flatnonzero(mask)[:limit]


def fit_to_input(image: np.ndarray, shape: tuple[int, int, int]) -> tuple[np.ndarray, str]:
    """An uploaded photo as the network sees its data: grey, resized, light-on-dark.

    Fashion-MNIST shows light garments on black; most photos are the
    opposite, so a bright image is inverted (and we say so).
    """
    from skimage.transform import resize

    grey = to_grey(image)
    small = resize(grey, shape, anti_aliasing=True).astype("float32")
    if small.mean() > 0.5:
        return 1.0 - small, "Inverted (light background → dark) to match the training images."
    return small, ""


def augment_examples(image: np.ndarray, names: Sequence[str] = AUGMENTATIONS, n: int = 4,
                     seed: int = 0) -> dict[str, list[np.ndarray]]:
    """`n` random versions of one (H, W, C) image per augmentation, as training sees them."""
    import keras

    out = {}
    for name in names:
        layer = _layers(_augmentation_specs([name], seed))[0]
        batch = np.repeat(image[None].astype("float32"), n, axis=0)
        out[name] = list(np.asarray(keras.ops.convert_to_numpy(layer(batch, training=True))))
    return out


# ---- what it means -----------------------------------------------------------------

def speed_text(record) -> str:
    """Time per epoch and images per second of a run."""
    if not record.seconds_per_epoch:
        return ""
    return (f"{record.seconds_per_epoch:.1f} s per epoch, {record.samples_per_second:,.0f} images/s "
            f"on {record.device}")


def cnn_lesson(record, n_params: int, n_train: int, dataset: str) -> str:
    """What the trained CNN shows, from this run's numbers."""
    val = record.final("val_accuracy")
    train = record.final("accuracy")
    if val is None or train is None:
        return "The run ended before a full epoch; train again to see what the filters learned."
    text = (f"A CNN with {n_params:,} weights and biases reached {val:.0%} validation accuracy on "
            f"{dataset} after {record.epochs_run} epoch{'s' if record.epochs_run != 1 else ''} "
            f"on {n_train:,} images ({speed_text(record)}). Its first-layer filters started as "
            "random noise; training turned them into small edge, stripe and blob detectors, "
            "because those are what tell a sneaker from a bag. ")
    if train - val > 0.05:
        text += (f"Training accuracy ({train:.0%}) is well above validation ({val:.0%}): it is starting "
                 "to memorise. More images, dropout or augmentation help.")
    elif val < 0.75:
        text += "It is still learning: more epochs or more images will raise accuracy."
    return text


def twin_lesson(first_label: str, first, second_label: str, second,
                first_params: int | None = None, second_params: int | None = None) -> str:
    """Compare two runs on the same data: held-out accuracy and over-fitting gap."""
    parts = []
    for label, rec, params in ((first_label, first, first_params), (second_label, second, second_params)):
        val, train = rec.final("val_accuracy"), rec.final("accuracy")
        if val is None or train is None:
            return "One of the twin runs ended before a full epoch; train the pair again."
        size = f" ({params:,} parameters)" if params else ""
        parts.append(f"**{label}**{size}: {val:.1%} validation accuracy, {train:.1%} on its "
                     "training images")
    diff = second.final("val_accuracy") - first.final("val_accuracy")
    text = "; ".join(parts) + ". "
    text += (f"On held-out images {second_label} is {abs(diff):.1%} {'better' if diff > 0 else 'worse'}. "
             if abs(diff) >= 0.005 else "Both reach the same held-out accuracy. ")
    gaps = {label: rec.final("accuracy") - rec.final("val_accuracy")
            for label, rec in ((first_label, first), (second_label, second))}
    overfit = [label for label, gap in gaps.items() if gap > 0.02]
    if overfit:
        text += " ".join(f"{label} scores {gaps[label]:.1%} higher on its training images than on "
                         "held-out ones: it is memorising." for label in overfit)
    else:
        text += ("Neither run over-fits yet (training accuracy is not above validation accuracy; "
                 "dropout and augmentation make training batches harder than the clean validation "
                 "images). Fewer images or more epochs make over-fitting visible.")
    return text
