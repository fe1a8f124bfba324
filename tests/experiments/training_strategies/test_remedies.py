"""Training strategies: real seeded runs. The too-big net over-fits (and is diagnosed so),
Dropout and L2 shrink its gap, and EarlyStopping reports what Keras did."""

from functools import lru_cache

import numpy as np
import pytest

import nnkit
from nnkit.core import diagnosis as dx
from nnkit.core.runs import RunRecord
from nnkit.experiments.training_strategies import lesson, remedies
from nnkit.experiments.training_strategies import model as ts

SETTINGS = {"dataset": "digits", "rows": 150, "units": 256, "layers": 2, "lr": 0.003, "epochs": 40,
            "batch": 32, "seed": 0, "dropout": 0.5, "l2": 0.001, "small_units": 16, "more_rows": 600,
            "stop_patience": 3}
KEY = ts.fit_key(10)


def _train(variant, extra=()):
    model = variant["build"]()
    result = nnkit.train(model, variant["data"], variant["config"],
                         callbacks=[*variant["callbacks"](model), *extra])
    return model, result, RunRecord.from_result(variant["label"], SETTINGS, result, variant["keep"](model))


@lru_cache(maxsize=None)
def _pair(remedy):
    return tuple(_train(v)[2] for v in remedies.variants(remedy, SETTINGS))


def test_the_too_big_net_over_fits_and_the_diagnosis_says_so():
    base, _ = _pair(remedies.DROPOUT)
    gap = ts.gap_of(base.history, KEY)
    assert gap.best_epoch < gap.final_epoch and gap.final_val_loss > 1.1 * gap.best_val_loss
    assert gap.final_train_loss < 0.05 and gap.gap > 0.2
    found = lesson.diagnosis_of(base, lesson.baseline(SETTINGS), SETTINGS["epochs"])
    assert found.kind == dx.OVERFIT and found.severity == dx.WARNING
    assert "raise" not in found.advice.lower() and "more epochs" not in found.advice.lower()
    text = lesson.overfit_text(base, found, KEY)
    assert f"lowest at epoch {gap.best_epoch}" in text and f"{gap.gap:.2f}" in text


@pytest.mark.parametrize("remedy", [remedies.DROPOUT, remedies.L2])
def test_dropout_and_l2_shrink_the_generalisation_gap_on_a_fixed_seed(remedy):
    base, fixed = _pair(remedy)
    assert ts.gap_of(fixed.history, KEY).gap < ts.gap_of(base.history, KEY).gap
    text = lesson.remedy_text(base, fixed, remedy, KEY)
    assert " cut the generalisation gap" in text
    # The histogram's numbers: L2 pulls the first layer's weights in, Dropout at least changes them.
    if remedy == remedies.L2:
        assert np.std(fixed.artifacts["weights"]) < np.std(base.artifacts["weights"])


def test_early_stopping_reports_the_epochs_and_weights_keras_used():
    import keras

    class Snapshots(keras.callbacks.Callback):
        def on_train_begin(self, logs=None):
            self.weights = []

        def on_epoch_end(self, epoch, logs=None):
            self.weights.append([w.copy() for w in self.model.get_weights()])

    snapshots = Snapshots()
    variant = remedies.variants(remedies.EARLY_STOP, SETTINGS)[1]
    model, result, record = _train(variant, (snapshots,))
    kept = record.artifacts
    assert kept["stop_training"] is True and model.stop_training
    assert kept["stopped_epoch"] == result.epochs_run == len(result.history["loss"]) < SETTINGS["epochs"]
    best = int(np.argmin(result.history["val_loss"])) + 1
    assert kept["best_epoch"] == best and kept["stopped_epoch"] - best == SETTINGS["stop_patience"]
    for restored, snapshot in zip(model.get_weights(), snapshots.weights[best - 1], strict=True):
        np.testing.assert_array_equal(restored, snapshot)
    assert kept["model_val_loss"] == pytest.approx(result.history["val_loss"][best - 1], rel=1e-4)


@pytest.mark.parametrize("changes, kind", [
    ({"epochs": 3, "lr": 0.0003}, dx.CUT_SHORT),
    ({"dataset": "noisy moons", "units": 32, "lr": 0.0003, "epochs": 5}, dx.CHANCE),
])
def test_other_outcomes_the_page_can_produce_are_named_and_advised_the_right_way(changes, kind):
    s = {**SETTINGS, **changes}
    variant = remedies.overfit_variant(s)
    model = variant["build"]()
    result = nnkit.train(model, variant["data"], variant["config"])
    record = RunRecord.from_result("x", s, result, variant["keep"](model))
    found = lesson.diagnosis_of(record, lesson.baseline(s), s["epochs"])
    assert found.kind == kind and found.severity == dx.WARNING
    assert "more epochs" in found.advice and "lower" not in found.advice.lower()
    assert found.text in lesson.overfit_text(record, found, ts.fit_key_of(record.history))
