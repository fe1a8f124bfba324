"""The optimisers page's sentences come from the runs; seeded real runs for each failure kind."""

import pytest

import nnkit
from nnkit.core import diagnosis as dx
from nnkit.core.data import REAL
from nnkit.core.runs import RunRecord
from nnkit.experiments.optimisers import lesson
from nnkit.experiments.optimisers import model as opt

DIGITS = REAL["digits"](0)


def _no_wrong_way(d: dx.Diagnosis) -> None:
    text = d.text.lower()
    assert "raise the learning rate" not in text and "larger learning rate" not in text


def _record(name, lr, val_accuracy, loss=(2.3, 2.2, 2.1), reason="finished"):
    settings = {"optimizer": name, f"netlr.{name}": lr, "epochs": len(loss), "batch": 32, "schedule": "constant",
                "seed": 0}
    history = {"loss": list(loss), "val_loss": list(loss), "accuracy": [val_accuracy] * len(loss),
               "val_accuracy": [val_accuracy] * len(loss)}
    return RunRecord(f"{name} (η {lr:g})", settings, history, reason, "Finished.", len(loss))


def _real(name, lr, epochs=3, batch=128):
    v = opt.network_variants([name], {name: lr}, "constant", batch, epochs, 0, DIGITS)[0]
    model = v["build"]()
    record = RunRecord.from_result(v["label"], v["settings"], nnkit.train(model, v["data"], v["config"]))
    return record, lesson.diagnosis(record, DIGITS.n_classes)


def test_a_best_run_at_chance_is_not_called_a_success_and_names_chance():
    """#27: "Adam reached the best held-out accuracy, 12.8%" on 10 classes, with no word that chance is 10%."""
    runs = [_record("Adam", 10.0, 0.128, (13.0, 14.0, 14.5)), _record("SGD", 100.0, 0.09, (13.0, 14.0, 14.5))]
    found = {r.label: lesson.diagnosis(r, 10) for r in runs}
    text = lesson.network_lesson(runs, found, 10, 32, "constant")
    assert "reached the best" not in text
    assert "No optimiser learned the digits: the best held-out accuracy, 12.8% (**Adam (η 10)**)" in text
    assert "guessing uniformly among 10 classes scores (10%)" in text and "Lower the learning rate" in text


def test_a_best_run_that_learned_says_so_with_chance_for_scale():
    runs = [_record("Adam", 0.003, 0.95, (2.0, 0.5, 0.2)), _record("SGD", 0.1, 0.9, (2.0, 0.8, 0.4))]
    found = {r.label: dx.Diagnosis(dx.LEARNED, "fell") for r in runs}
    text = lesson.network_lesson(runs, found, 10, 32, "cosine")
    assert "**Adam (η 0.003)** reached the best held-out accuracy, 95.0%" in text and "is 10%" in text
    assert "SGD (η 0.1): 90.0% held-out accuracy, final training loss 0.400 (learned)" in text
    assert "cosine schedule" in text


def test_a_diverged_run_is_named():
    runs = [_record("SGD", 1e6, 0.1, (2.3, float("nan")), reason="diverged")]
    found = {r.label: lesson.diagnosis(r, 10) for r in runs}
    assert found[runs[0].label].kind == dx.DIVERGED
    assert "**SGD (η 1e+06)** diverged" in lesson.network_lesson(runs, found, 10, 32, "constant")


def test_real_run_adam_at_learning_rate_10_is_too_large_not_success():
    record, found = _real("Adam", 10.0)
    assert found.kind in (dx.LR_TOO_HIGH, dx.CHANCE) and found.severity == dx.WARNING
    assert "lower" in found.advice.lower()
    _no_wrong_way(found)
    text = lesson.network_lesson([record], {record.label: found}, 10, 128, "constant")
    assert "No optimiser learned" in text and "10%" in text


def test_real_run_with_zero_learning_rate_says_raise_it_not_lower_it():
    record, found = _real("SGD", 0.0, epochs=2, batch=256)
    assert found.kind == dx.CHANCE and found.severity == dx.WARNING
    assert "η = 0" in found.advice and "Raise the learning rate" in found.advice
    assert "lower" not in found.advice.lower()


def test_real_run_at_a_tiny_learning_rate_asks_for_a_larger_one():
    record, found = _real("SGD", 1e-4, epochs=2, batch=256)
    assert found.kind == dx.CHANCE and "Raise the learning rate (×10)" in found.advice
    assert "lower" not in found.advice.lower()


def test_real_run_that_learns_is_not_a_failure():
    record, found = _real("Adam", 0.003, epochs=6, batch=64)
    assert found.kind in (dx.LEARNED, dx.CUT_SHORT, dx.UNDERFIT)
    assert record.final("val_accuracy") > 0.5
    text = lesson.network_lesson([record], {record.label: found}, 10, 64, "constant")
    assert "reached the best held-out accuracy" in text and "chance" in text


@pytest.mark.parametrize("accuracy,expected", [(0.1, True), (0.19, True), (0.2, False), (0.9, False)])
def test_at_chance_uses_the_diagnosis_margin(accuracy, expected):
    assert lesson.at_chance(accuracy, dx.uniform_baseline(10)) is expected
