"""Training strategies lesson: every sentence carries the run's own numbers and never contradicts its diagnosis."""

from nnkit.core import diagnosis as dx
from nnkit.core.runs import RunRecord
from nnkit.experiments.training_strategies import lesson, remedies

KEY = "binary_crossentropy"


def _record(label, train, val, **artifacts):
    history = {KEY: train, f"val_{KEY}": val, "loss": train, "val_loss": val,
               "accuracy": [0.9] * len(train), "val_accuracy": [0.8] * len(train)}
    return RunRecord(label, {"epochs": len(train)}, history, "finished", "Finished.", len(train),
                     artifacts=artifacts)


OVER = _record("too big", [0.6, 0.3, 0.1, 0.02, 0.01], [0.5, 0.3, 0.35, 0.45, 0.5])
BASELINE = dx.Baseline("always guessing the majority class", 0.69, 0.6)


def test_overfit_text_names_the_best_epoch_and_the_gap():
    found = lesson.diagnosis_of(OVER, BASELINE, 5)
    assert found.kind == dx.OVERFIT
    text = lesson.overfit_text(OVER, found, KEY)
    assert "lowest at epoch 2 (0.300)" in text and "by epoch 5 it was 0.500" in text
    assert "generalisation gap of 0.49" in text and "memorising" in text


def test_remedy_text_reports_the_cut_or_says_it_did_not_help():
    better = _record("Dropout 0.3", [0.6, 0.4, 0.3, 0.3, 0.3], [0.5, 0.35, 0.34, 0.35, 0.36],
                     weights=[0.1, -0.1], model_val_loss=0.36)
    text = lesson.remedy_text(_record("too big", OVER.history[KEY], OVER.history[f"val_{KEY}"], weights=[1, -1]),
                              better, remedies.DROPOUT, KEY)
    assert "Dropout 0.3 cut the generalisation gap: 0.49 → 0.06" in text and "1.000 → 0.100" in text
    worse = _record("BatchNormalization", [0.5, 0.1, 0.01, 0.001, 0.0001], [0.5, 0.4, 0.5, 0.6, 0.7])
    text = lesson.remedy_text(OVER, worse, remedies.BATCH_NORM, KEY)
    assert "did not cut" in text and "did not help" in text


def test_early_stopping_is_judged_on_the_restored_epoch():
    stopped = _record("early stopping", [0.6, 0.3, 0.1, 0.02], [0.5, 0.3, 0.35, 0.45],
                      stopped_epoch=4, best_epoch=2, stop_training=True, model_val_loss=0.3, model_val_accuracy=0.8)
    assert lesson.judged_history(stopped)["val_loss"] == [0.5, 0.3]
    assert lesson.diagnosis_of(stopped, BASELINE, 5).kind != dx.OVERFIT  # the kept model is epoch 2's
    text = lesson.remedy_text(OVER, stopped, remedies.EARLY_STOP, KEY)
    assert "stopped the run at epoch 4" in text and "weights of epoch 2" in text and "0.300" in text


def test_callbacks_text_counts_what_fired():
    record = _record("callbacks", [0.6, 0.3, 0.1, 0.05], [0.5, 0.3, 0.4, 0.5],
                     stopped_epoch=4, best_epoch=2, stop_training=True, saved_epochs=[1, 2],
                     learning_rates=[0.01, 0.01, 0.01, 0.005], model_val_loss=0.3, model_val_accuracy=0.9,
                     checkpoint_val_loss=0.3, patience=2, lr_patience=1, lr_factor=0.5)
    from nnkit.experiments.training_strategies.callbacks import events
    found = events(record.artifacts, record.history["val_loss"])
    text = lesson.callbacks_text(record, found, 10)
    assert "wrote best.keras twice (last at epoch 2)" in text
    assert "cut the learning rate once, to 0.005" in text and "stopped at epoch 4 of 10" in text
    assert "scores 0.3000" in text
