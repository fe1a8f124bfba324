"""The RNN question answered by real runs: the band is the run's held-out loss over ln k."""

import math

import pytest

import nnkit
from nnkit.core.predict import Verdict
from nnkit.core.runs import RunRecord
from nnkit.core.training import STOPPED, TrainConfig
from nnkit.experiments.rnn_text import corpus, predict
from nnkit.experiments.rnn_text import model as rnn

REPEATED = "the cat sat on the mat. " * 800  # nothing to learn but one sentence


def _run(choice: str, chars: int, units: int, epochs: int, lr: float, pasted: str = "") -> RunRecord:
    text = corpus.prepare(choice, chars, 20, pasted)
    model = rnn.build_text_model(rnn.TextModelConfig("LSTM", 1, units, learning_rate=lr, seed=0), text.vocab)
    result = nnkit.train(model, (text.x, text.y), TrainConfig(epochs, 64, 0.2, 0))
    return RunRecord.from_result("run", {"epochs": epochs}, result, {"vocab": text.vocab.size})


@pytest.mark.parametrize("run, band", [
    (("Shakespeare: the Sonnets", 5000, 16, 1, 10.0), 0),       # a ruinous learning rate: worse than guessing
    (("Shakespeare: the Sonnets", 5000, 16, 1, 0.01), 1),       # one short epoch: letter frequencies
    ((corpus.PASTE, 20000, 32, 2, 0.03, REPEATED), 2),          # one repeated sentence: learned by heart
])
def test_the_right_option_is_the_band_of_the_held_out_loss(run, band):
    record = _run(*run)
    answer = predict.answer([record])
    loss, chance = record.history["val_loss"][-1], math.log(record.artifacts["vocab"])
    assert answer.correct == predict.QUESTION.options[band], (loss, chance)
    assert f"{loss:.2f} nats" in answer.because and f"{chance:.2f}" in answer.because
    assert Verdict(predict.QUESTION.options[band], answer).right is True
    assert Verdict(predict.QUESTION.options[(band + 1) % 3], answer).right is False


def test_a_stopped_run_settles_nothing():
    record = RunRecord("cut", {}, {"loss": [3.0], "val_loss": [2.9]}, STOPPED, epochs_run=1, artifacts={"vocab": 56})
    assert predict.answer([record]).correct is None
