"""The build-network question answered by real runs: better, the same or worse than the linear model."""

import pytest

import nnkit
from nnkit.core import diagnosis as dx
from nnkit.core.predict import Verdict
from nnkit.core.runs import RunRecord
from nnkit.core.training import FINISHED, STOPPED
from nnkit.experiments.build_network import evaluation as ev
from nnkit.experiments.build_network import lesson, predict, tables
from tests.experiments.build_network.test_model import DEFAULTS, _recipe

LEARNED = dx.Diagnosis(dx.LEARNED, "It learned.")


def _run(name, **changes) -> tuple[RunRecord, dx.Diagnosis]:
    table = tables.builtin(name)
    data = tables.prepared(table, True, 0)
    recipe = _recipe(table, **changes)
    model = recipe.build()
    result = nnkit.train(model, (data["x_fit"], data["y_fit"]), recipe.train_config())
    record = RunRecord.from_result("run", {**DEFAULTS, **changes}, result, artifacts=ev.evaluate(model, data, table))
    return record, lesson.diagnosis_of(record, data, table.task, table.n_classes)


@pytest.mark.parametrize("name, changes, side, says", [
    ("wine", {"epochs": 40}, predict.BETTER, "found something"),   # all 36 test wines right; LogisticRegression misses one
    ("breast cancer", {}, predict.WORSE, "earn its layers"),       # the page's default: learned, yet 0.956 < 0.982
    ("breast cancer", {"epochs": 1, "lr": 0.0003}, predict.WORSE, "its own curves read as"),  # barely trained
])
def test_the_right_option_is_where_the_networks_test_score_falls(name, changes, side, says):
    record, diagnosis = _run(name, **changes)
    answer = predict.answer([record], diagnosis)
    mine, theirs = record.artifacts["scores"]["accuracy"], record.artifacts["baselines"]["LogisticRegression"]["accuracy"]
    assert answer.correct == predict.QUESTION.options[side], (mine, theirs)
    assert f"{mine:.3f}" in answer.because and f"{theirs:.3f}" in answer.because and says in answer.because
    assert (diagnosis.kind in answer.because) == (says == "its own curves read as")
    assert Verdict(predict.QUESTION.options[side], answer).right is True
    assert Verdict(predict.QUESTION.options[(side + 1) % 3], answer).right is False


def test_equal_scores_are_the_same_and_regression_reads_r2():
    same = RunRecord("tie", {}, {"loss": [0.3]}, FINISHED, artifacts={
        "scores": {"accuracy": 0.5}, "baselines": {"always the majority class": {"accuracy": 0.4},
                                                   "LogisticRegression": {"accuracy": 0.5}}})
    assert predict.answer([same], LEARNED).correct == predict.QUESTION.options[predict.SAME]
    fit = RunRecord("fit", {}, {"loss": [0.3]}, FINISHED, artifacts={
        "scores": {"R²": 0.61, "MAE": 40.0}, "baselines": {"always the mean": {"R²": 0.0},
                                                           "LinearRegression": {"R²": 0.51}}})
    answer = predict.answer([fit], LEARNED)
    assert answer.correct == predict.QUESTION.options[predict.BETTER] and "R² is 0.610" in answer.because


def test_a_stopped_run_settles_nothing():
    record = RunRecord("cut", {}, {"loss": [0.6]}, STOPPED, epochs_run=1)
    assert predict.answer([record], dx.Diagnosis(dx.STOPPED, "Stopped.")).correct is None
