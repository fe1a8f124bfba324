"""Diagnoses from seeded real runs of this page, and lesson sentences from their own numbers."""

import pytest

import nnkit
from nnkit.core import diagnosis as dx
from nnkit.core.runs import RunRecord
from nnkit.experiments.build_network import evaluation, lesson, tables
from tests.experiments.build_network.test_model import DEFAULTS, _recipe


def _run(**changes):
    s = {**DEFAULTS, **changes}
    table = tables.builtin(s["dataset"])
    data = tables.prepared(table, s["standardise"], s["seed"])
    recipe = _recipe(table, **changes)
    model = recipe.build()
    result = nnkit.train(model, (data["x_fit"], data["y_fit"]), recipe.train_config(), callbacks=recipe.callbacks())
    record = RunRecord.from_result("run", s, result, evaluation.evaluate(model, data, table))
    return record, lesson.diagnosis_of(record, data, table.task, table.n_classes), table


def _never_wrong_way(d):
    text = d.text.lower()
    assert "raise the learning rate" not in text and "larger learning rate" not in text


OVERFIT = {"lr": 0.01, "epochs": 30, "layers": "dense:32:relu,dropout:0.2,dense:16:relu"}


@pytest.mark.parametrize("changes, kind", [
    ({}, dx.LEARNED),
    (OVERFIT, dx.OVERFIT),
    ({"dataset": "diabetes", "epochs": 5}, dx.CUT_SHORT),
    ({"dataset": "diabetes", "optimizer": "sgd", "lr": 0.3, "epochs": 10}, dx.LR_TOO_HIGH),
    ({"standardise": False, "optimizer": "sgd", "lr": 0.3, "epochs": 5}, dx.CHANCE),
])
def test_each_kind_this_page_produces(changes, kind):
    _, d, _ = _run(**changes)
    assert d.kind == kind, d.text
    _never_wrong_way(d)
    if kind in (dx.LR_TOO_HIGH, dx.CHANCE):
        assert "lower" in d.text.lower()


def test_early_stopping_rescues_the_over_fitted_run_and_the_lesson_says_so():
    record, d, _ = _run(**OVERFIT, early_stop=True)
    assert record.epochs_run < 30 and d.kind == dx.LEARNED
    text = lesson.meaning(record, d, record.artifacts["scores"], record.artifacts["baselines"], False)
    best = min(range(len(record.history["val_loss"])), key=record.history["val_loss"].__getitem__) + 1
    assert f"Training ran {record.epochs_run} of 30 epochs" in text and f"best at epoch {best}" in text


def test_meaning_compares_the_test_score_with_the_baselines():
    scores = {"accuracy": 0.9}
    base = {"always the majority class": {"accuracy": 0.6}, "LogisticRegression": {"accuracy": 0.97}}
    record = RunRecord("r", {**DEFAULTS}, {"loss": [0.7, 0.3]}, "finished", epochs_run=2)
    d = dx.Diagnosis(dx.LEARNED, "The loss fell.")
    text = lesson.meaning(record, d, scores, base, False)
    assert "accuracy is 0.900" in text and "below LogisticRegression (0.970)" in text
    assert "no better than the constant guess" in lesson.meaning(record, d, {"accuracy": 0.6}, base, False)
    best = lesson.meaning(record, d, {"accuracy": 0.975}, base, False)
    assert "at least as good as every baseline" in best and "linear model is often as good" in best
    assert lesson.meaning(record, d, None, None, False) == "Training ran 2 of 20 epochs. The loss fell."
