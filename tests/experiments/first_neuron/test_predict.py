"""The first-neuron question answered by real runs: the band is the run's own accuracy."""

import pytest

from nnkit.core import data
from nnkit.core.predict import Verdict
from nnkit.core.runs import RunRecord
from nnkit.core.settings import defaults
from nnkit.core.training import STOPPED, train
from nnkit.experiments.first_neuron import model as first
from nnkit.experiments.first_neuron import predict


def _run(**changes) -> RunRecord:
    s = {**defaults(first.SETTINGS), "points": 300, **changes}
    dataset = data.TOY_2D[s["dataset"]](n_samples=s["points"], noise=s["noise"], seed=s["seed"])
    result = train(first.build(s), dataset, first.train_config(s))
    return RunRecord.from_result("run", s, result)


@pytest.mark.parametrize("changes, band", [
    ({"kind": first.SINGLE, "dataset": "circles", "epochs": 10}, 0),  # one line cannot split circles
    ({"lr": 0.1, "epochs": 30, "noise": 0.1}, 2),                        # a small net learns the moons
])
def test_the_right_option_is_the_band_of_the_runs_accuracy(changes, band):
    record = _run(**changes)
    answer = predict.answer([record])
    accuracy = record.final_held_out("accuracy")
    assert answer.correct == predict.QUESTION.options[band], accuracy
    assert f"{accuracy:.1%}" in answer.because
    assert Verdict(predict.QUESTION.options[band], answer).right is True
    assert Verdict(predict.QUESTION.options[(band + 1) % 3], answer).right is False


def test_a_stopped_run_settles_nothing():
    record = RunRecord("cut", {}, {"accuracy": [0.9], "val_accuracy": [0.95]}, STOPPED, epochs_run=1)
    assert predict.answer([record]).correct is None
