"""The convolution lab against a SciPy reference, shape arithmetic, and the CNN tools."""

import itertools

import numpy as np
import pytest
from scipy.signal import correlate2d

from nnkit.experiments.cnn_filters import model as cnn
from tests.helpers import run_notebook


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
    kernel = cnn.KERNELS[name]
    out = cnn.convolve(photo, kernel, stride, padding)
    np.testing.assert_allclose(out[:, :, 0], reference(photo[:, :, 0], kernel, stride, padding),
                               atol=1e-5)


def test_depthwise_applies_the_kernel_to_each_colour_channel():
    rgb = np.random.default_rng(1).random((12, 14, 3)).astype("float32")
    kernel = cnn.KERNELS["sharpen"]
    out = cnn.convolve(rgb, kernel, 1, "valid")
    for c in range(3):
        np.testing.assert_allclose(out[:, :, c], correlate2d(rgb[:, :, c], kernel, mode="valid"), atol=1e-5)


def test_identity_kernel_returns_the_image_with_same_padding(photo):
    np.testing.assert_allclose(cnn.convolve(photo, cnn.KERNELS["identity"], 1, "same"), photo, atol=1e-6)


@pytest.mark.parametrize("padding", ["valid", "same"])
def test_shape_arithmetic_matches_the_real_layer(padding):
    import keras

    for n, k, stride in itertools.product([5, 8, 23, 30], [1, 3, 5], [1, 2, 3, 4, 7, 40]):
        expected = (cnn.conv_output_size(n, k, stride, padding),
                    cnn.conv_output_size(n + 1, k, stride, padding))
        if min(expected) < 1:
            continue  # no output: checked in test_lab_handles_zero_kernels_and_huge_strides_safely
        layer = keras.layers.Conv2D(1, k, strides=stride, padding=padding)
        assert layer.compute_output_shape((None, n, n + 1, 1))[1:3] == expected, (n, k, stride)
    for n, k, stride in [(23, 3, 2), (30, 5, 4), (8, 5, 40)]:  # and the lab's real output
        out = cnn.convolve(np.zeros((n, n + 1, 1), "float32"), np.ones((k, k), "float32"), stride, padding)
        assert out.shape[:2] == (cnn.conv_output_size(n, k, stride, padding),
                                 cnn.conv_output_size(n + 1, k, stride, padding))


@pytest.mark.parametrize("kind", ["max", "average"])
@pytest.mark.parametrize("size", [2, 3])
def test_pooling_matches_numpy_blocks(kind, size):
    fmap = np.random.default_rng(2).random((11, 9, 1)).astype("float32")
    out = cnn.pool_map(fmap, kind, size)
    h, w = cnn.pool_output_size(11, size), cnn.pool_output_size(9, size)
    blocks = fmap[:h * size, :w * size, 0].reshape(h, size, w, size)
    expected = blocks.max(axis=(1, 3)) if kind == "max" else blocks.mean(axis=(1, 3))
    np.testing.assert_allclose(out[:, :, 0], expected, atol=1e-6)


def test_arithmetic_text_writes_out_this_labs_numbers():
    text = cnn.arithmetic_text(300, 451, 3, 2, "valid", "max", 2)
    assert "⌊(300 − 3) / 2⌋ + 1 = **149**" in text and "**225**" in text
    assert "**74**" in text and "**112**" in text  # pooling 149 → 74, 225 → 112
    assert "pads 0 zeros before and 1 after" in cnn.arithmetic_text(6, 6, 3, 2, "same")


def test_lab_handles_zero_kernels_and_huge_strides_safely(photo):
    lab = cnn.conv_lab(photo, np.zeros((3, 3), "float32"), stride=50, padding="same", pool="max")
    assert lab.feature.shape[:2] == (1, 1) and not np.any(lab.feature)
    assert lab.pooled is None and len(lab.warnings) == 3  # zeros, stride, pooling skipped
    with pytest.raises(cnn.ConvError, match="does not fit"):
        cnn.conv_lab(np.zeros((2, 2, 1), "float32"), cnn.KERNELS["Gaussian 5×5"], 1, "valid")


def test_parse_kernel_rejects_empty_and_non_square_grids():
    np.testing.assert_array_equal(cnn.parse_kernel([[1, 0, -1]] * 3), np.array([[1, 0, -1]] * 3))
    for bad in ([[1, None, 0]] * 3, [[1, float("nan"), 0]] * 3, [[1, 2]] * 3, [["a", 0, 0]] * 3):
        with pytest.raises(cnn.ConvError):
            cnn.parse_kernel(bad)


def test_conv_story_reports_this_results_numbers(photo):
    lab = cnn.conv_lab(photo, cnn.KERNELS["Laplacian"], 1, "valid", "max", 2)
    story = cnn.conv_story(lab, "Laplacian")
    assert "28×21 = 588 positions" in story and "sum to 0" in story and "28×21 → 14×10" in story


def test_gaussian_kernels_are_normalised():
    for name in ("Gaussian 3×3", "Gaussian 5×5", "box blur 3×3"):
        assert cnn.KERNELS[name].sum() == pytest.approx(1.0, abs=1e-6)


@pytest.mark.parametrize("filters,k,shape", [((8, 16), 3, (28, 28, 1)), ((4, 8, 16), 5, (8, 8, 1))])
def test_cnn_builder_param_count_matches_the_formula(filters, k, shape):
    config = cnn.CNNConfig(filters, k)
    model = cnn.build_cnn(config, shape, 10)
    assert model.count_params() == cnn.count_cnn_params(config, shape, 10)
    assert model.output_shape == (None, 10)


def test_dense_baseline_has_about_the_cnns_parameter_count():
    shape, target = (28, 28, 1), 9098
    hidden = cnn.dense_units_for(target, shape, 10)
    dense = cnn.build_dense(hidden, shape, 10)
    assert abs(dense.count_params() - target) < 28 * 28 + 11  # within one hidden unit


def test_training_changes_filters_and_snapshots_record_them():
    import nnkit
    from nnkit.core.training import TrainConfig

    rng = np.random.default_rng(0)
    x = rng.random((64, 8, 8, 1)).astype("float32")
    y = (x[:, :4].mean(axis=(1, 2, 3)) > x[:, 4:].mean(axis=(1, 2, 3))).astype("int32")
    model = cnn.build_cnn(cnn.CNNConfig((4,), dropout=0.0, learning_rate=0.05), (8, 8, 1), 2)
    snaps = cnn.make_filter_snapshots()
    mid = []

    class Probe(snaps.__class__.__mro__[1]):  # a plain keras Callback reading weights mid-epoch
        def on_train_batch_end(self, batch, logs=None):
            mid.append(cnn.first_layer_filters(model))

    result = nnkit.train(model, (x, y), TrainConfig(2, 16, 0.25, 0), callbacks=[snaps, Probe()])
    assert result.epochs_run == 2 and len(snaps.snapshots) == 3
    assert snaps.snapshots[0].shape == (4, 3, 3)
    assert not np.allclose(snaps.snapshots[0], snaps.snapshots[-1])
    assert len(mid) == 6 and not np.allclose(mid[0], mid[1])  # weights visible within an epoch


def test_feature_maps_confusion_and_mistakes():
    model = cnn.build_cnn(cnn.CNNConfig((4, 6)), (28, 28, 1), 10)
    maps = cnn.feature_maps(model, np.zeros((28, 28, 1), "float32"))
    assert [(n, m.shape) for n, m in maps] == [("conv_1", (28, 28, 4)), ("conv_2", (14, 14, 6))]
    y, pred = np.array([0, 1, 1, 2, 2]), np.array([0, 2, 1, 2, 0])
    counts = cnn.confusion(y, pred, 3)
    assert counts[1, 2] == 1 and counts[2, 0] == 1 and counts.trace() == 3 and counts.sum() == 5
    np.testing.assert_array_equal(cnn.mistakes(y, pred), [1, 4])
    np.testing.assert_array_equal(cnn.mistakes(y, pred, 2, 2), [3])


def test_augment_examples_keep_shape_and_range():
    image = np.random.default_rng(0).random((28, 28, 1)).astype("float32")
    out = cnn.augment_examples(image, ["flip", "contrast", "translation"], n=3)
    for versions in out.values():
        assert len(versions) == 3 and versions[0].shape == (28, 28, 1)
        assert 0.0 <= float(np.min(versions)) and float(np.max(versions)) <= 1.0 + 1e-6
    with pytest.raises(ValueError, match="unknown augmentation"):
        cnn.build_cnn(cnn.CNNConfig(augment=("blur",)), (28, 28, 1), 10)


def test_fit_to_input_inverts_bright_photos():
    small, note = cnn.fit_to_input(np.ones((100, 80, 3), "float32"), (28, 28, 1))
    assert small.shape == (28, 28, 1) and small.max() < 0.01 and "Inverted" in note


def test_lessons_use_the_runs_numbers():
    from nnkit.core.runs import RunRecord

    a = RunRecord("dense", {}, {"accuracy": [0.9], "val_accuracy": [0.7]}, "finished", epochs_run=1,
                  seconds_per_epoch=2.0, samples_per_second=1200, device="CPU")
    b = RunRecord("CNN", {}, {"accuracy": [0.82], "val_accuracy": [0.8]}, "finished", epochs_run=1)
    text = cnn.twin_lesson("dense", a, "CNN", b, 9000, 9100)
    assert "CNN is 10.0% better" in text and "dense scores 20.0% higher" in text
    lesson = cnn.cnn_lesson(a, 9098, 2400, "Fashion-MNIST")
    assert "70%" in lesson and "2.0 s per epoch, 1,200 images/s" in lesson and "memorise" in lesson


NOTEBOOK_RUNS = {
    "one conv layer": {"n_train": 200, "filters": 4, "depth": 1, "ksize": 3, "dropout": 0.2, "augment": False,
                       "epochs": 1, "batch": 64, "seed": 3},
    "two layers, augmented": {"n_train": 200, "filters": 4, "depth": 2, "ksize": 5, "dropout": 0.3,
                              "augment": True, "aug_flip": True, "aug_translation": True, "epochs": 1,
                              "batch": 32, "seed": 1},
}


@pytest.mark.parametrize("name", list(NOTEBOOK_RUNS))
def test_exported_notebook_runs_and_reproduces_the_run(name):

    import nnkit
    from nnkit.core import images
    from nnkit.core.training import TrainConfig

    s = NOTEBOOK_RUNS[name]
    data = images.fashion_mnist(s["n_train"], cnn.N_TEST, s["seed"], allow_download=False)
    assert data.origin == images.DEBIAN  # the notebook reads the same idx files
    model = cnn.build_cnn(cnn.config_from(s), data.image_shape, data.n_classes)
    result = nnkit.train(model, data, TrainConfig(s["epochs"], s["batch"], cnn.VALIDATION_FRACTION, s["seed"]))
    losses = run_notebook(cnn.cnn_notebook(s, result.message))
    assert len(losses) == s["epochs"]
    assert losses[-1] == pytest.approx(result.history["loss"][-1], rel=0.05)


def test_notebook_is_valid_nbformat_and_builds_the_apps_layers():
    import nbformat

    from nnkit import notebook as export

    s = {**NOTEBOOK_RUNS["two layers, augmented"], "aug_zoom": True}
    nb = nbformat.reads(cnn.cnn_notebook(s, "ok").decode(), as_version=4)
    nbformat.validate(nb)
    code = export.code_cells(cnn.cnn_notebook(s, "ok"))
    assert "nnkit" not in code and "gzip.open" in code
    config = cnn.config_from(s)
    assert config.filters == (4, 8) and config.augment == ("flip", "zoom", "translation")
    for spec in cnn.cnn_layer_specs(config, (28, 28, 1), 10):
        assert cnn.layer_code(spec) in code
