"""The optimisers question answered by real runs on digits: which kind of optimiser reaches the best accuracy."""

import pytest

from nnkit.core.predict import Verdict
from nnkit.core.training import STOPPED
from nnkit.experiments.optimisers import predict
from tests.experiments.optimisers.test_lesson import DIGITS, _real, _record


@pytest.mark.parametrize("racers, side", [
    ((("SGD", 0.1), ("SGD + momentum", 0.1)), predict.MOMENTUM),  # same η: momentum's steps add up
    ((("SGD", 0.1), ("Adam", 0.003)), predict.SCALED),
    ((("SGD", 0.1), ("Adam", 1e-4)), predict.PLAIN),              # an η too small for Adam to move in 2 epochs
])
def test_the_right_option_is_the_kind_of_the_best_run(racers, side):
    runs = [_real(name, lr, epochs=2)[0] for name, lr in racers]
    answer = predict.answer(runs, DIGITS.n_classes)
    accuracy = {r.label: r.final("val_accuracy") for r in runs}
    assert answer.correct == predict.QUESTION.options[side], accuracy
    assert all(f"{label} {acc:.1%}" in answer.because for label, acc in accuracy.items())
    assert Verdict(predict.QUESTION.options[side], answer).right is True
    assert Verdict(predict.QUESTION.options[(side + 1) % 3], answer).right is False


def test_a_stopped_run_a_lone_run_a_tie_or_no_learning_settles_nothing():
    sgd, adam = _record("SGD", 0.1, 0.9), _record("Adam", 0.003, 0.8)
    assert predict.answer([sgd, adam], 10).correct == predict.QUESTION.options[predict.PLAIN]
    stopped = _record("Adam", 0.003, 0.5, reason=STOPPED)
    assert predict.answer([sgd, stopped], 10).correct is None  # Adam might still have won
    assert predict.answer([sgd], 10).correct is None
    assert predict.answer([sgd, _record("Adam", 0.003, 0.9)], 10).correct is None  # a tie across kinds
    assert predict.answer([_record("SGD", 0.1, 0.12), _record("Adam", 0.003, 0.11)], 10).correct is None
