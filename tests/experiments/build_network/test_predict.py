"""The build-network question answered by real runs: better, the same or worse than the linear model."""

import pytest

import nnkit
from nnkit.core.predict import Verdict
from nnkit.core.runs import RunRecord
from nnkit.core.training import FINISHED, STOPPED
from nnkit.experiments.build_network import evaluation as ev
from nnkit.experiments.build_network import predict, tables
from tests.experiments.build_network.test_model import DEFAULTS, _recipe


def _run(name, **changes) -> RunRecord:
    table = tables.builtin(name)
    data = tables.prepared(table, True, 0)
    recipe = _recipe(table, **changes)
    model = recipe.build()
    result = nnkit.train(model, (data["x_fit"], data["y_fit"]), recipe.train_config())
    return RunRecord.from_result("run", {**DEFAULTS, **changes}, result, artifacts=ev.evaluate(model, data, table))


@pytest.mark.parametrize("name, changes, side", [
    ("wine", {"epochs": 40}, predict.BETTER),                    # 36 test wines, all right; LogisticRegression misses one
    ("breast cancer", {"epochs": 1, "lr": 0.0003}, predict.WORSE),  # one tiny epoch: barely trained
])
def test_the_right_option_is_where_the_networks_test_score_falls(name, changes, side):
    record = _run(name, **changes)
    answer = predict.answer([record])
    mine, theirs = record.artifacts["scores"]["accuracy"], record.artifacts["baselines"]["LogisticRegression"]["accuracy"]
    assert answer.correct == predict.QUESTION.options[side], (mine, theirs)
    assert f"{mine:.3f}" in answer.because and f"{theirs:.3f}" in answer.because
    assert Verdict(predict.QUESTION.options[side], answer).right is True
    assert Verdict(predict.QUESTION.options[(side + 1) % 3], answer).right is False


def test_equal_scores_are_the_same_and_regression_reads_r2():
    scores = {"accuracy": 0.5}
    same = RunRecord("tie", {}, {"loss": [0.3]}, FINISHED, artifacts={
        "scores": scores, "baselines": {"always the majority class": {"accuracy": 0.4},
                                        "LogisticRegression": {"accuracy": 0.5}}})
    assert predict.answer([same]).correct == predict.QUESTION.options[predict.SAME]
    fit = RunRecord("fit", {}, {"loss": [0.3]}, FINISHED, artifacts={
        "scores": {"R²": 0.61, "MAE": 40.0}, "baselines": {"always the mean": {"R²": 0.0},
                                                           "LinearRegression": {"R²": 0.51}}})
    answer = predict.answer([fit])
    assert answer.correct == predict.QUESTION.options[predict.BETTER] and "R² is 0.610" in answer.because


def test_a_stopped_run_settles_nothing():
    record = RunRecord("cut", {}, {"loss": [0.6]}, STOPPED, epochs_run=1)
    assert predict.answer([record]).correct is None
