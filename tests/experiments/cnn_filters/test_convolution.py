"""The convolution lab against a SciPy reference, and its shape arithmetic against the real layer."""

import itertools

import numpy as np
import pytest
from scipy.signal import correlate2d

from nnkit.experiments.cnn_filters import convolution as conv


def reference(image2d: np.ndarray, kernel: np.ndarray, stride: int, padding: str) -> np.ndarray:
    """Cross-correlation by SciPy, with TF/Keras 'same' zero padding (extra zero after)."""
    if padding == "same":
        pads = []
        for n in image2d.shape:
            out = -(-n // stride)
            total = max((out - 1) * stride + kernel.shape[0] - n, 0)
            pads.append((total // 2, total - total // 2))
        image2d = np.pad(image2d, pads)
    full = correlate2d(image2d, kernel, mode="valid")
    return full[::stride, ::stride]


@pytest.fixture(scope="module")
def photo():
    rng = np.random.default_rng(0)
    return rng.random((23, 30, 1)).astype("float32")  # odd/even sizes exercise asymmetric padding


@pytest.mark.parametrize("name", ["Sobel x (vertical edges)", "Laplacian", "emboss", "Gaussian 5×5"])
@pytest.mark.parametrize("stride,padding", [(1, "valid"), (2, "valid"), (3, "same"), (1, "same"), (2, "same")])
def test_keras_conv2d_equals_scipy_cross_correlation(photo, name, stride, padding):
    kernel = conv.KERNELS[name]
    out = conv.convolve(photo, kernel, stride, padding)
    np.testing.assert_allclose(out[:, :, 0], reference(photo[:, :, 0], kernel, stride, padding),
                               atol=1e-5)


def test_depthwise_applies_the_kernel_to_each_colour_channel():
    rgb = np.random.default_rng(1).random((12, 14, 3)).astype("float32")
    kernel = conv.KERNELS["sharpen"]
    out = conv.convolve(rgb, kernel, 1, "valid")
    for c in range(3):
        np.testing.assert_allclose(out[:, :, c], correlate2d(rgb[:, :, c], kernel, mode="valid"), atol=1e-5)


def test_identity_kernel_returns_the_image_with_same_padding(photo):
    np.testing.assert_allclose(conv.convolve(photo, conv.KERNELS["identity"], 1, "same"), photo, atol=1e-6)


@pytest.mark.parametrize("padding", ["valid", "same"])
def test_shape_arithmetic_matches_the_real_layer(padding):
    import keras

    for n, k, stride in itertools.product([5, 8, 23, 30], [1, 3, 5], [1, 2, 3, 4, 7, 40]):
        expected = (conv.conv_output_size(n, k, stride, padding),
                    conv.conv_output_size(n + 1, k, stride, padding))
        if min(expected) < 1:
            continue  # no output: checked in test_lab_handles_zero_kernels_and_huge_strides_safely
        layer = keras.layers.Conv2D(1, k, strides=stride, padding=padding)
        assert layer.compute_output_shape((None, n, n + 1, 1))[1:3] == expected, (n, k, stride)
    for n, k, stride in [(23, 3, 2), (30, 5, 4), (8, 5, 40)]:  # and the lab's real output
        out = conv.convolve(np.zeros((n, n + 1, 1), "float32"), np.ones((k, k), "float32"), stride, padding)
        assert out.shape[:2] == (conv.conv_output_size(n, k, stride, padding),
                                 conv.conv_output_size(n + 1, k, stride, padding))


@pytest.mark.parametrize("kind", ["max", "average"])
@pytest.mark.parametrize("size", [2, 3])
def test_pooling_matches_numpy_blocks(kind, size):
    fmap = np.random.default_rng(2).random((11, 9, 1)).astype("float32")
    out = conv.pool_map(fmap, kind, size)
    h, w = conv.pool_output_size(11, size), conv.pool_output_size(9, size)
    blocks = fmap[:h * size, :w * size, 0].reshape(h, size, w, size)
    expected = blocks.max(axis=(1, 3)) if kind == "max" else blocks.mean(axis=(1, 3))
    np.testing.assert_allclose(out[:, :, 0], expected, atol=1e-6)


def test_lab_handles_zero_kernels_and_huge_strides_safely(photo):
    lab = conv.conv_lab(photo, np.zeros((3, 3), "float32"), stride=50, padding="same", pool="max")
    assert lab.feature.shape[:2] == (1, 1) and not np.any(lab.feature)
    assert lab.pooled is None and len(lab.warnings) == 3  # zeros, stride, pooling skipped
    with pytest.raises(conv.ConvError, match="does not fit"):
        conv.conv_lab(np.zeros((2, 2, 1), "float32"), conv.KERNELS["Gaussian 5×5"], 1, "valid")


def test_parse_kernel_rejects_empty_and_non_square_grids():
    np.testing.assert_array_equal(conv.parse_kernel([[1, 0, -1]] * 3), np.array([[1, 0, -1]] * 3))
    for bad in ([[1, None, 0]] * 3, [[1, float("nan"), 0]] * 3, [[1, 2]] * 3, [["a", 0, 0]] * 3):
        with pytest.raises(conv.ConvError):
            conv.parse_kernel(bad)


def test_gaussian_kernels_are_normalised():
    for name in ("Gaussian 3×3", "Gaussian 5×5", "box blur 3×3"):
        assert conv.KERNELS[name].sum() == pytest.approx(1.0, abs=1e-6)


def test_kernel_text_lists_the_weights_row_by_row():
    text = conv.kernel_text(conv.KERNELS["Sobel x (vertical edges)"])
    assert text.startswith("3×3 kernel") and "-1 0 1 / -2 0 2 / -1 0 1" in text
