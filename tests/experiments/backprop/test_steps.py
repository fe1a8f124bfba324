"""SGD steps as the page takes them: what is kept, the walk of consecutive steps, and its diagnosis."""

import numpy as np
import pytest

from nnkit.core import diagnosis as dx
from nnkit.core import training
from nnkit.core.runs import RunRecord
from nnkit.core.training import TrainConfig
from nnkit.experiments.backprop import chain
from nnkit.experiments.backprop import model as bp
from nnkit.experiments.backprop import steps as sgd

SET_UP = {"act": "sigmoid", "loss": "log loss", "batch": bp.ONE, "x1": 1.0, "x2": 0.5, "y": 1.0, "seed": 0,
          "lr": 1.0, "steps": 1, "deep_w": 1.0, **bp.DEFAULT_PARAMS}


def _click(settings):
    """What one press of the page's button does, without Streamlit: train, keep, make a record."""
    x, y = bp.rows(settings)
    with bp.precision():
        model = bp.build(bp.params_from(settings), settings["act"], settings["loss"], settings["lr"])
        result = training.train(model, (x, y.reshape(-1, 1)), TrainConfig(settings["steps"], len(y), 0.0, 0))
        kept = sgd.keep(model, settings)
    return RunRecord.from_result("step", settings, result, kept)


def _diagnose(records):
    walk = sgd.walk(records)
    return walk, dx.diagnose({"loss": walk}, records[-1].reason, metric=None)


def test_a_step_keeps_old_and_new_weights_equal_by_hand_and_by_keras():
    record = _click({**SET_UP, "steps": 3})
    a = record.artifacts
    for k in chain.PARAMS:
        assert a["after"][k] == pytest.approx(a["by_hand"][k], abs=1e-6)
    assert a["loss_after"] == pytest.approx(a["hand_loss_after"], abs=1e-6) and a["loss_after"] < a["loss_before"]
    assert record.history["loss"] == pytest.approx(a["hand_losses"], abs=1e-6)  # Keras logs float32 losses
    rows = sgd.step_rows(a, 3)
    assert len(rows) == 9 and "after 3 steps, by hand" in rows[0] and max(r["difference"] for r in rows) < 1e-6
    one = sgd.step_rows(_click(SET_UP).artifacts, 1)[0]
    assert one["new = old − η·gradient"] == pytest.approx(one["old"] - 1.0 * one["gradient ∂L/∂w"])


def test_new_weights_are_clamped_to_the_sliders():
    assert sgd.clamp({"w11": 9.0, "c": -5.0, "v1": 0.3}) == {"w11": bp.WEIGHT_RANGE, "c": -bp.WEIGHT_RANGE, "v1": 0.3}


def test_consecutive_clicks_make_one_falling_walk_and_a_changed_set_up_starts_a_new_one():
    first = _click(SET_UP)
    second = _click({**SET_UP, **first.artifacts["next"]})
    walk, diagnosis = _diagnose([first, second])
    assert len(walk) == 3 and walk[0] > walk[1] > walk[2]
    assert walk[-1] == second.artifacts["loss_after"]
    moved = _click({**SET_UP, **second.artifacts["next"], "x1": -1.0})
    assert len(sgd.walk([first, second, moved])) == 2
    nudged = _click({**SET_UP, **second.artifacts["next"], "w11": 0.0})
    assert len(sgd.walk([first, second, nudged])) == 2
    cut = RunRecord("cut", SET_UP, {"loss": [0.6]}, training.INTERRUPTED)
    assert sgd.walk([first, cut]) == []


def test_diagnosis_of_a_first_step_says_keep_stepping():
    walk, d = _diagnose([_click(SET_UP)])
    assert d.kind == dx.CUT_SHORT and walk[1] < walk[0]
    assert "raise the learning rate" not in d.text.lower()


def test_diagnosis_of_a_large_rate_that_overshoots_says_lower_it():
    walk, d = _diagnose([_click({**SET_UP, "y": 0.8, "lr": 30.0})])
    assert walk[1] > walk[0] and d.kind == dx.LR_TOO_HIGH
    assert "lower the learning rate" in d.advice.lower() and "do not raise" in d.advice.lower()


def test_diagnosis_of_a_walk_that_settled_is_green():
    walk, d = _diagnose([_click({**SET_UP, "lr": 3.0, "steps": 40})])
    assert d.kind == dx.LEARNED and d.severity == dx.SUCCESS and walk[-1] < 0.05


def test_an_interrupted_step_is_not_judged():
    cut = RunRecord("cut", SET_UP, {"loss": []}, training.INTERRUPTED)
    assert dx.diagnose({"loss": sgd.walk([cut])}, cut.reason, metric=None).kind == dx.STOPPED


def test_a_walk_that_cannot_move_because_the_output_saturated_is_not_green():
    # ReLU units at full tilt and a confident wrong answer: Keras clips ŷ, every gradient is exactly 0
    stuck = {**SET_UP, **dict.fromkeys(chain.PARAMS, 0.0), "act": "relu", "x1": 2.0, "x2": 2.0, "y": 0.0,
             "w11": 4.0, "w12": 4.0, "v1": 4.0, "c": 4.0, "steps": 3}
    walk, d = _diagnose([_click(stuck)])
    assert walk[0] == walk[-1] > 15
    assert d.severity != dx.SUCCESS
