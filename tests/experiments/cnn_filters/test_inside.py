"""Looking inside: filter snapshots while training, feature maps, mistakes, augmentations, uploads."""

import numpy as np

from nnkit.core import metrics
from nnkit.experiments.cnn_filters import inside
from nnkit.experiments.cnn_filters import model as cnn


def test_training_changes_filters_and_snapshots_record_them():
    import nnkit
    from nnkit.core.training import TrainConfig

    rng = np.random.default_rng(0)
    x = rng.random((64, 8, 8, 1)).astype("float32")
    y = (x[:, :4].mean(axis=(1, 2, 3)) > x[:, 4:].mean(axis=(1, 2, 3))).astype("int32")
    model = cnn.build_cnn(cnn.CNNConfig((4,), dropout=0.0, learning_rate=0.05), (8, 8, 1), 2)
    snaps = inside.make_filter_snapshots()
    mid = []

    class Probe(snaps.__class__.__mro__[1]):  # a plain keras Callback reading weights mid-epoch
        def on_train_batch_end(self, batch, logs=None):
            mid.append(inside.first_layer_filters(model))

    result = nnkit.train(model, (x, y), TrainConfig(2, 16, 0.25, 0), callbacks=[snaps, Probe()])
    assert result.epochs_run == 2 and len(snaps.snapshots) == 3
    assert snaps.snapshots[0].shape == (4, 3, 3)
    assert not np.allclose(snaps.snapshots[0], snaps.snapshots[-1])
    assert len(mid) == 6 and not np.allclose(mid[0], mid[1])  # weights visible within an epoch


def test_feature_maps_confusion_and_mistakes():
    model = cnn.build_cnn(cnn.CNNConfig((4, 6)), (28, 28, 1), 10)
    maps = inside.feature_maps(model, np.zeros((28, 28, 1), "float32"))
    assert [(n, m.shape) for n, m in maps] == [("conv_1", (28, 28, 4)), ("conv_2", (14, 14, 6))]
    y, pred = np.array([0, 1, 1, 2, 2]), np.array([0, 2, 1, 2, 0])
    counts = metrics.confusion(y, pred, 3)
    assert counts[1, 2] == 1 and counts[2, 0] == 1 and counts.trace() == 3 and counts.sum() == 5
    np.testing.assert_array_equal(inside.mistakes(y, pred), [1, 4])
    np.testing.assert_array_equal(inside.mistakes(y, pred, 2, 2), [3])
    assert inside.predict(model, np.zeros((3, 28, 28, 1), "float32")).shape == (3,)


def test_augment_examples_keep_shape_and_range():
    image = np.random.default_rng(0).random((28, 28, 1)).astype("float32")
    out = inside.augment_examples(image, ["flip", "contrast", "translation"], n=3)
    for versions in out.values():
        assert len(versions) == 3 and versions[0].shape == (28, 28, 1)
        assert 0.0 <= float(np.min(versions)) and float(np.max(versions)) <= 1.0 + 1e-6


def test_fit_to_input_inverts_bright_photos():
    small, note = inside.fit_to_input(np.ones((100, 80, 3), "float32"), (28, 28, 1))
    assert small.shape == (28, 28, 1) and small.max() < 0.01 and "Inverted" in note


def test_a_finished_run_keeps_what_the_page_redraws_and_no_model():
    model = cnn.build_cnn(cnn.CNNConfig((4,)), (28, 28, 1), 10)
    snaps = inside.make_filter_snapshots()
    snaps.set_model(model)
    snaps.on_train_begin()
    kept = inside.kept(model, snaps, np.zeros((5, 28, 28, 1), "float32"))
    assert kept["start"].shape == kept["filters"].shape == (4, 3, 3) and kept["pred"].shape == (5,)
    assert kept["params"] == model.count_params() and "conv_1" in kept["arch"]
    assert [w.shape for w in kept["weights"]] == [w.shape for w in model.get_weights()]
    assert not any(hasattr(v, "fit") for v in kept.values())
