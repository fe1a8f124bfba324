"""First neuron: the lesson and the outcome follow from the run's own numbers and diagnosis.

The real runs below are seeded and small (200 points, a few epochs) and
reproduce what learners met (issue #27): each failure kind the page can
produce, named as such, and advice that never points the wrong way.
"""

import pytest

import nnkit
from nnkit.core import data
from nnkit.core import diagnosis as dx
from nnkit.core.boundary import BoundaryWatch
from nnkit.core.runs import RunRecord
from nnkit.core.training import FINISHED, INTERRUPTED
from nnkit.experiments.first_neuron import lesson
from nnkit.experiments.first_neuron import model as first

BASE = {"dataset": "moons", "noise": 0.2, "points": 200, "kind": "Small network", "layers": 2,
        "units": 8, "activation": "tanh", "lr": 0.03, "epochs": 3, "batch": 32, "seed": 0}


def _run(**changes):
    """What the page does on Train: the same builder, data, fit and kept surface."""
    s = {**BASE, **changes}
    dataset = data.TOY_2D[s["dataset"]](n_samples=s["points"], noise=s["noise"], seed=s["seed"])
    model = first.build(s)
    result = nnkit.train(model, dataset, first.train_config(s))
    record = RunRecord.from_result(first.run_label(s), s, result,
                                   {"surface": BoundaryWatch(dataset.x, dataset.y).surface(model)})
    d = lesson.diagnosis_of(record, dataset.y)
    return record, d, lesson.boundary_lesson(record, d)


def _never_raises_the_learning_rate(*texts):
    text = " ".join(texts).lower().replace("do not raise it", "")  # the diagnosis's own warning
    assert "larger learning rate" not in text and "raise" not in text


def test_lr_10_relu_4x32_is_named_too_large_a_learning_rate_not_a_success():
    record, d, text = _run(activation="relu", layers=4, units=32, lr=10.0)
    assert record.reason == FINISHED and record.final("loss") > 5  # flat far above ln 2 = 0.69
    assert d.kind == dx.LR_TOO_HIGH and d.severity == dx.WARNING
    assert "lower the learning rate" in text.lower()
    _never_raises_the_learning_rate(d.text, text)


def test_spiral_batch_1_near_30_percent_is_not_blamed_on_overfitting():
    record, d, text = _run(dataset="spiral", batch=1, lr=3.0, epochs=5)
    assert record.final("val_accuracy") < 0.4 and record.final("accuracy") < 0.5  # training no better
    assert d.kind == dx.CHANCE and d.kind != dx.OVERFIT
    assert "overfitting" not in text and "memorise" not in text
    assert "against 50.0% for always guessing the majority class" in text
    _never_raises_the_learning_rate(d.text, text)


def test_a_single_neuron_on_circles_is_stuck_and_told_to_bend_the_boundary():
    record, d, text = _run(dataset="circles", kind=first.SINGLE, epochs=10)
    assert d.kind == dx.CHANCE
    assert "straight line" in text and "add a hidden layer" in text and "more units or layers" in text
    assert "saturated" not in text
    _never_raises_the_learning_rate(d.text, text)


def test_a_big_network_on_few_noisy_points_over_fits():
    record, d, text = _run(noise=0.5, activation="relu", layers=4, units=32, epochs=30, batch=8)
    assert d.kind == dx.OVERFIT
    assert "memorise noise (overfitting)" in text and f"epoch {d.numbers['best epoch']:.0f}" in text
    _never_raises_the_learning_rate(d.text, text)


def test_a_small_learning_rate_stopped_early_is_cut_short_and_told_to_train_longer():
    record, d, text = _run(lr=0.01, epochs=5)
    assert d.kind == dx.CUT_SHORT and "more epochs" in text
    _never_raises_the_learning_rate(d.text, text)


def test_a_good_run_is_green_and_the_lesson_adds_no_warning():
    record, d, text = _run(lr=0.1, epochs=10)
    assert d.kind == dx.LEARNED and d.severity == dx.SUCCESS
    assert text.startswith("With 2 hidden layers the boundary can bend") and "Lower" not in text


def _record(history, settings=None, reason=FINISHED):
    return RunRecord("r", {**BASE, **(settings or {})}, history, reason, "Finished 5 epochs.", 5)


def test_a_validation_accuracy_of_exactly_zero_is_reported_not_replaced_by_training_accuracy():
    history = {"loss": [0.7, 0.6, 0.5, 0.45, 0.4], "accuracy": [0.9] * 5, "val_accuracy": [0.0] * 5,
               "val_loss": [0.7, 0.9, 1.2, 1.5, 2.0]}
    record = _record(history)
    assert record.final_held_out("accuracy") == 0.0
    text = lesson.boundary_lesson(record, lesson.diagnosis_of(record, [0, 1]))
    assert "0% of the held-out points" in text and "90%" not in text.split("correctly")[0]


def test_without_validation_the_lesson_says_it_counts_training_points():
    record = _record({"loss": [0.7, 0.6], "accuracy": [0.5, 0.62]}, reason=INTERRUPTED)
    text = lesson.boundary_lesson(record, lesson.diagnosis_of(record, [0, 1]))
    assert "62% of the training points" in text and "cut off after 2 epochs" in text


@pytest.mark.parametrize("kind, expected", [(first.SINGLE, "straight line"), ("Small network", "can bend")])
def test_divergence_and_no_history(kind, expected):
    boom = _record({"loss": [0.7, float("nan")]}, {"kind": kind}, reason="diverged")
    assert "smaller learning rate" in lesson.boundary_lesson(boom, lesson.diagnosis_of(boom, [0, 1]))
    empty = _record({"loss": [0.7]}, {"kind": kind})
    assert "Train a model" in lesson.boundary_lesson(empty, lesson.diagnosis_of(empty, [0, 1]))
    trained = _record({"loss": [0.7, 0.3], "accuracy": [0.6, 0.9], "val_accuracy": [0.6, 0.9]}, {"kind": kind})
    assert expected in lesson.boundary_lesson(trained, lesson.diagnosis_of(trained, [0, 1]))
