"""Training strategies: the three Keras callbacks in one real run, and what the page says they did."""

import os

import numpy as np
import pytest

import nnkit
from nnkit.experiments.training_strategies import callbacks as cb

SETTINGS = {"dataset": "digits", "rows": 150, "units": 256, "layers": 2, "lr": 0.003, "epochs": 30,
            "batch": 32, "seed": 0, "patience": 4, "lr_patience": 2, "lr_factor": 0.5}


@pytest.fixture(scope="module")
def run():
    variant = cb.variant(SETTINGS)
    model = variant["build"]()
    callbacks = variant["callbacks"](model)
    folder = os.path.dirname(callbacks[2].filepath)
    result = nnkit.train(model, variant["data"], variant["config"], callbacks=list(callbacks))
    return model, callbacks, folder, result, variant["keep"](model)


def test_early_stopping_numbers_are_the_callbacks_own(run):
    model, (early, *_), _, result, kept = run
    assert kept["stopped_epoch"] == early.stopped_epoch + 1 == len(result.history["loss"]) < SETTINGS["epochs"]
    assert kept["best_epoch"] == early.best_epoch + 1 == int(np.argmin(result.history["val_loss"])) + 1
    assert kept["stop_training"] and model.stop_training
    assert kept["model_val_loss"] == pytest.approx(result.history["val_loss"][kept["best_epoch"] - 1], rel=1e-4)


def test_checkpoint_saved_exactly_at_each_new_best_and_the_file_scores_the_best_epoch(run):
    _, _, folder, result, kept = run
    val = result.history["val_loss"]
    new_best = [i + 1 for i, v in enumerate(val) if v < min(val[:i], default=np.inf)]
    assert kept["saved_epochs"] == new_best
    assert kept["checkpoint_bytes"] > 0
    assert kept["checkpoint_val_loss"] == pytest.approx(val[kept["best_epoch"] - 1], rel=1e-4)
    assert not os.path.exists(folder)  # the run's temporary folder is cleaned up


def test_plateau_cuts_are_where_the_learning_rate_fell_and_events_say_why(run):
    _, _, _, result, kept = run
    rates = kept["learning_rates"]
    assert rates[0] == pytest.approx(SETTINGS["lr"])
    events = cb.events(kept, result.history["val_loss"])
    cuts = [e for e in events if e.callback == "ReduceLROnPlateau"]
    assert [e.epoch for e in cuts] == [i + 1 for i in range(1, len(rates)) if rates[i] < rates[i - 1]]
    for cut in cuts:
        assert "× 0.5" in cut.why
    stop = [e for e in events if e.callback == "EarlyStopping"]
    assert [e.epoch for e in stop] == [kept["stopped_epoch"]]
    assert f"weights restored from epoch {kept['best_epoch']}" in stop[0].why


def test_the_callbacks_are_printed_as_the_keras_code_that_builds_them():
    early, plateau, checkpoint = cb.CallbackSettings(3, 2, 0.2).objects("")
    assert repr(early) == "keras.callbacks.EarlyStopping(monitor='val_loss', patience=3, restore_best_weights=True)"
    assert repr(plateau) == "keras.callbacks.ReduceLROnPlateau(monitor='val_loss', factor=0.2, patience=2)"
    assert repr(checkpoint) == ("keras.callbacks.ModelCheckpoint(filepath='best.keras', monitor='val_loss', "
                                "save_best_only=True)")
