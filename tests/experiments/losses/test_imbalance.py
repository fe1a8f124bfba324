"""Experiment B's data, class weights, weighted BCE and rare-class metrics."""

import numpy as np
import pytest

from nnkit.experiments.losses import imbalance
from nnkit.experiments.losses import model as losses


def test_imbalanced_data_has_the_requested_class_share():
    x, y = imbalance.imbalanced_data(2000, 0.1, seed=0)
    assert x.shape == (2000, 2) and y.shape == (2000, 1)
    assert y.mean() == pytest.approx(0.1, abs=0.01)
    w0, w1 = imbalance.balanced_weights(y)
    n1 = y.sum()
    assert w1 == pytest.approx(2000 / (2 * n1)) and w0 == pytest.approx(2000 / (2 * (2000 - n1)))


def test_weighted_bce_is_bce_scaled_by_class_weight():
    import keras
    from keras import ops

    y = np.array([[1.0], [0.0], [1.0]], "float32")
    p = np.array([[0.8], [0.3], [0.1]], "float32")
    plain = ops.convert_to_numpy(keras.losses.binary_crossentropy(y, p))
    same = ops.convert_to_numpy(imbalance.weighted_bce(1.0, 1.0)(y, p))
    np.testing.assert_allclose(same, plain, rtol=1e-6)
    weighted = ops.convert_to_numpy(imbalance.weighted_bce(0.5, 4.0)(y, p))
    np.testing.assert_allclose(weighted, plain * np.array([4.0, 0.5, 4.0]), rtol=1e-6)
    # The formula shown: w_y · BCE with the float32 clipping.
    np.testing.assert_allclose(weighted, np.array([4.0, 0.5, 4.0]) *
                               losses.formula("binary cross-entropy", y[:, 0], p[:, 0]), rtol=1e-6)


def test_classification_metrics_on_a_worked_example():
    m = imbalance.classification_metrics([1, 1, 0, 0, 1], [0.9, 0.2, 0.6, 0.1, 0.7])
    # predictions 1,0,1,0,1 -> TP 2, FN 1, FP 1, TN 1
    assert m["confusion"] == [[1, 1], [1, 2]]
    assert m["precision"] == pytest.approx(2 / 3) and m["recall"] == pytest.approx(2 / 3)
    assert m["f1"] == pytest.approx(2 / 3) and m["positives"] == 3
    none = imbalance.classification_metrics([1, 0], [0.1, 0.2])
    assert none["precision"] == 0 and none["recall"] == 0


def test_variants_use_training_split_weights_and_keep_held_out_metrics():
    s = {"b_minority": 0.1, "b_points": 200, "b_epochs": 1, "b_lr": 0.03, "gamma": 3.0, "seed": 3}
    runs = imbalance.variants(s)
    assert [r["label"] for r in runs][0] == "BCE" and runs[2]["label"] == "focal (γ = 3)"
    assert runs[1]["label"].startswith("weighted BCE (w₁ = ")
    model = runs[0]["build"]()
    kept = runs[0]["keep"](model)
    assert sum(map(sum, kept["metrics"]["confusion"])) == kept["metrics"]["n"] == 40
    assert 0 < kept["baseline"] < np.log(2)   # the prior's log loss, below a coin flip
