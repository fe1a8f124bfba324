"""The backprop question answered by real SGD steps: does the loss go down or up?"""

import pytest

from nnkit.core.predict import Verdict
from nnkit.core.runs import RunRecord
from nnkit.core.training import STOPPED
from nnkit.experiments.backprop import predict
from tests.experiments.backprop.test_steps import SET_UP, _click


@pytest.mark.parametrize("changes, side", [
    ({}, predict.DOWN),                         # η = 1: a small step downhill
    ({"y": 0.8, "lr": 30.0}, predict.UP),       # η = 30 flies past the valley
])
def test_the_right_option_is_where_the_loss_went(changes, side):
    record = _click({**SET_UP, **changes})
    answer = predict.answer([record])
    a = record.artifacts
    assert answer.correct == predict.QUESTION.options[side], (a["loss_before"], a["loss_after"])
    assert f"{a['loss_before']:.6g}" in answer.because and f"{a['loss_after']:.6g}" in answer.because
    assert Verdict(predict.QUESTION.options[side], answer).right is True
    assert Verdict(predict.QUESTION.options[1 - side], answer).right is False


def test_a_stopped_step_or_one_that_moved_nothing_settles_nothing():
    assert predict.answer([RunRecord("cut", {"lr": 1.0}, {"loss": []}, STOPPED)]).correct is None
    flat = _click({**SET_UP, "lr": 1.0, "y": 0.5, "v1": 0.0, "v2": 0.0, "c": 0.0})  # ŷ = 0.5 = y: no gradient
    assert flat.artifacts["loss_after"] == pytest.approx(flat.artifacts["loss_before"], abs=1e-7)  # rounding only
    assert predict.answer([flat]).correct is None
