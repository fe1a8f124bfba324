"""The losses question answered by real runs of experiment A: whose line ends closest to the truth."""

import pytest

from nnkit.core import diagnosis as dx
from nnkit.core.predict import Verdict
from nnkit.experiments.losses import predict
from tests.experiments.losses.test_lesson import _outlier_runs


@pytest.mark.parametrize("changes, best", [
    ({}, "MAE"),                                           # 15% outliers: MAE follows the median
    ({"a_outliers": 0.05, "delta": 0.1}, "Huber"),         # a tiny δ caps every outlier's pull early
])
def test_the_right_option_is_the_loss_with_the_smallest_distance_to_the_true_line(changes, best):
    _, runs, found = _outlier_runs(**changes)
    answer = predict.answer(runs)
    rmse = {r.label: r.artifacts["rmse"] for r in runs}
    assert answer.correct == best == min(rmse, key=rmse.get), rmse
    assert all(f"{k} {v:.3f}" in answer.because for k, v in rmse.items())
    assert ("still improving" in answer.because) == any(d.kind == dx.CUT_SHORT for d in found.values())
    assert Verdict(best, answer).right is True
    assert Verdict("MSE", answer).right is False  # the outliers drag MSE's line away


def test_runs_that_never_settled_on_a_line_settle_nothing():
    _, runs, found = _outlier_runs(a_lr=0.001, a_epochs=2)  # the lines barely left their start
    assert any(d.kind in predict.UNSETTLED for d in found.values())
    answer = predict.answer(runs)
    assert answer.correct is None and "settled" in answer.because
    assert predict.answer(runs[:2]).correct is None  # Huber missing: no three-way comparison
