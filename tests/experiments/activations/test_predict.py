"""The activations question answered by real runs: how many networks start with a vanishing gradient."""

from dataclasses import replace

import pytest

from nnkit.core.predict import Verdict
from nnkit.core.runs import RunRecord
from nnkit.core.settings import defaults
from nnkit.core.training import STOPPED, train
from nnkit.experiments.activations import model as act
from nnkit.experiments.activations import predict
from nnkit.experiments.activations.probes import ProbedNetwork, gradient_ratio


def _runs(keys, **changes) -> list[RunRecord]:
    """One click's comparison, as the page trains it (one epoch: the question reads the untrained net)."""
    s = {**defaults(act.SETTINGS), "epochs": 1, **changes}
    data = act.load_dataset(s["dataset"], s["seed"])
    records = []
    for key in keys:
        network = ProbedNetwork(key, s, data)
        model = network.build()
        result = train(model, data, network.config)
        records.append(RunRecord.from_result(network.label, network.settings, result, network.keep(model)))
    return records


@pytest.mark.parametrize("keys, changes, side", [
    (["sigmoid", "relu"], {"depth": 6}, predict.SOME),    # sigmoid's slope ≤ 0.25 six times over; ReLU's is 1
    (["sigmoid"], {"depth": 6}, predict.ALL),
    (["tanh", "relu"], {"depth": 2, "width": 4}, predict.NONE),  # two layers: too few to lose much
])
def test_the_right_option_counts_the_networks_whose_first_layer_got_10x_less(keys, changes, side):
    records = _runs(keys, **changes)
    answer = predict.answer(records)
    ratios = [gradient_ratio(r.artifacts["probe"]["first_grad_norms"]) for r in records]
    assert answer.correct == predict.QUESTION.options[side], ratios
    assert all(r.label in answer.because for r in records)
    if side != predict.NONE:
        assert f"{max(ratios):,.0f}× smaller" in answer.because and "at most 0.25" in answer.because
    assert Verdict(predict.QUESTION.options[side], answer).right is True
    assert Verdict(predict.QUESTION.options[(side + 1) % 3], answer).right is False


def test_one_hidden_layer_or_a_comparison_cut_short_settles_nothing():
    assert predict.answer(_runs(["relu"], depth=1, width=4)).correct is None
    assert predict.answer([]).correct is None
    sigmoid = _runs(["sigmoid"], depth=6)[0]
    assert predict.answer([replace(sigmoid, reason=STOPPED)]).correct is None  # the others may never have run
