"""The loss page's sentences come from the run they describe; seeded real runs for each failure kind."""

import pytest

import nnkit
from nnkit.core import diagnosis as dx
from nnkit.core.runs import RunRecord
from nnkit.experiments.losses import by_hand as hand
from nnkit.experiments.losses import imbalance, lesson, outliers

OK = dx.Diagnosis(dx.LEARNED, "The loss fell.")
TRUE_LINE = outliers.SLOPE * outliers.LINE_X + outliers.INTERCEPT


def _no_wrong_way(d: dx.Diagnosis) -> None:
    text = d.text.lower()
    assert "raise the learning rate" not in text and "larger learning rate" not in text


def test_hand_lesson_names_the_largest_term():
    calc = hand.by_hand("MSE", [0, 0, 0], [0.1, 3.0, 0.2])
    text = lesson.hand_lesson(calc)
    assert "Entry 2" in text and f"{calc.keras_total:.6g}" in text


def test_hand_lesson_never_says_nan_percent():
    text = lesson.hand_lesson(hand.by_hand("log-cosh", [0, 0], [800, 1]))
    assert "nan" not in text.lower() and "100%" in text and "399.87" in text
    huge = lesson.hand_lesson(hand.by_hand("MSE", [0, 0], [1e200, 1]))
    assert "nan" not in huge.lower() and "∞" in huge


def test_lessons_are_built_from_the_numbers():
    fits = {"MSE": TRUE_LINE + 1.2, "MAE": TRUE_LINE + 0.1, "Huber": TRUE_LINE + 0.15}
    text = lesson.outlier_lesson(fits, {"MSE": 1.2, "MAE": 0.1, "Huber": 0.15}, 0.15,
                                 {"MSE": OK, "MAE": OK, "Huber": OK})
    assert "MSE 1.200" in text and "**MSE** fitted worst" in text and "**MAE** stayed closest" in text
    assert "its line sits 1.20 above the true one" in text and "gradient is ±1" in text
    diverged = dx.Diagnosis(dx.DIVERGED, "NaN")
    assert "diverged" in lesson.outlier_lesson({}, {}, 0.1, {"MSE": diverged})
    metrics = {"BCE": {"precision": 1.0, "recall": 0.5, "f1": 0.67, "positives": 10, "n": 100},
               "weighted": {"precision": 0.5, "recall": 0.9, "f1": 0.64, "positives": 10, "n": 100}}
    text = lesson.imbalance_lesson(metrics, 0.1, {"BCE": OK, "weighted": OK})
    assert "only 50%" in text and "**weighted** found the most (90%)" in text and "F1) came from **BCE**" in text


def test_the_reason_given_is_the_one_that_applies_to_the_closest_loss():
    """#27: "MSE stayed closest, because beyond a point its gradient stops growing" is false for MSE."""
    fits = {"MSE": TRUE_LINE + 0.1, "MAE": TRUE_LINE + 2.0, "Huber": TRUE_LINE + 0.9}
    text = lesson.outlier_lesson(fits, {"MSE": 0.1, "MAE": 2.0, "Huber": 0.9}, 0.4,
                                 {"MSE": OK, "MAE": OK, "Huber": OK})
    assert "**MSE** stayed closest even though its pull grows with the error" in text
    assert "stops growing" not in text and "±1" not in text
    huber_best = lesson.outlier_lesson({"MSE": TRUE_LINE + 2, "MAE": TRUE_LINE + 1, "Huber": TRUE_LINE},
                                       {"MSE": 2.0, "MAE": 1.0, "Huber": 0.1}, 0.3,
                                       {"MSE": OK, "MAE": OK, "Huber": OK})
    assert "**Huber** stayed closest, because beyond δ its gradient stops growing" in huber_best


def _outlier_runs(**settings):
    s = {"a_outliers": 0.15, "a_points": 200, "a_epochs": 40, "a_lr": 0.1, "delta": 1.0, "seed": 0, **settings}
    runs = []
    for v in outliers.variants(s):
        model = v["build"]()
        result = nnkit.train(model, v["data"], v["config"])
        runs.append(RunRecord.from_result(v["label"], s, result, v["keep"](model)))
    return s, runs, {r.label: lesson.diagnosis(r, "a_epochs") for r in runs}


def _outlier_lesson(s, runs, found):
    return lesson.outlier_lesson({r.label: r.artifacts["fit"] for r in runs},
                                 {r.label: r.artifacts["rmse"] for r in runs}, s["a_outliers"], found)


def test_real_run_with_learning_rate_10_is_named_and_the_lesson_does_not_rank_it():
    """#27's case: a_lr = 10 and 40% outliers. Every loss overshoots; no fixed "stayed closest" story."""
    s, runs, found = _outlier_runs(a_lr=10.0, a_outliers=0.4)
    for d in found.values():
        assert d.kind == dx.LR_TOO_HIGH and d.severity == dx.WARNING and "Lower the learning rate" in d.advice
        _no_wrong_way(d)
    text = _outlier_lesson(s, runs, found)
    assert "Not every run settled" in text and "lower the learning rate" in text
    assert "stayed closest" not in text and "stops growing" not in text


def test_real_run_at_a_tiny_learning_rate_is_not_a_success():
    s, runs, found = _outlier_runs(a_lr=0.001, a_epochs=10)
    assert found["MSE"].kind == dx.CHANCE and found["MSE"].severity == dx.WARNING
    assert all(d.kind in (dx.CHANCE, dx.CUT_SHORT) for d in found.values())
    for d in found.values():
        _no_wrong_way(d)
    assert "stayed closest" not in _outlier_lesson(s, runs, found)


def test_real_default_run_names_mae_closest_for_its_own_reason():
    s, runs, found = _outlier_runs(a_points=150)
    assert all(d.kind in (dx.LEARNED, dx.CUT_SHORT) for d in found.values()), found
    text = _outlier_lesson(s, runs, found)
    rmse = {r.label: r.artifacts["rmse"] for r in runs}
    best = min(rmse, key=rmse.get)
    assert f"**{best}** stayed closest, because {lesson.WHY_ROBUST[best]}" in text
    assert "**MSE** fitted worst" in text and "dragged toward the outliers" in text


def _imbalance_runs(first=3, **settings):
    s = {"b_minority": 0.1, "b_points": 600, "b_epochs": 12, "b_lr": 0.03, "gamma": 2.0, "seed": 0, **settings}
    runs = []
    for v in imbalance.variants(s)[:first]:  # fewer losses where the test needs fewer: fast on CI
        model = v["build"]()
        result = nnkit.train(model, v["data"], v["config"])
        runs.append(RunRecord.from_result(v["label"], s, result, v["keep"](model)))
    return runs, {r.label: lesson.diagnosis(r, "b_epochs") for r in runs}


def test_real_imbalance_runs_at_learning_rate_1_overshoot():
    runs, found = _imbalance_runs(first=2, b_lr=1.0, b_epochs=10)
    assert all(d.kind == dx.LR_TOO_HIGH for d in found.values()), found
    for d in found.values():
        assert d.severity != dx.SUCCESS or d.kind == dx.LEARNED
        _no_wrong_way(d)


def test_real_imbalance_runs_barely_trained_are_stuck_at_the_constant_bar():
    runs, found = _imbalance_runs(b_lr=0.001, b_epochs=2, b_points=300)
    assert all(d.kind == dx.CHANCE and d.severity == dx.WARNING for d in found.values()), found
    text = lesson.imbalance_lesson({r.label: r.artifacts["metrics"] for r in runs}, 0.1, found)
    assert "did no better than a constant probability" in text


def test_real_imbalance_default_learns_and_weighted_bce_over_fits():
    runs, found = _imbalance_runs(first=2, b_points=1000, b_epochs=20)
    assert found["BCE"].kind == dx.LEARNED and found["BCE"].severity == dx.SUCCESS
    weighted = next(k for k in found if k.startswith("weighted"))
    assert found[weighted].kind == dx.OVERFIT and "Stop earlier" in found[weighted].advice


def test_a_stopped_run_gets_no_verdict():
    record = RunRecord("MSE", {"a_epochs": 40}, {"loss": [3.0, 2.0]}, "stopped by user")
    d = lesson.diagnosis(record, "a_epochs")
    assert d.kind == dx.STOPPED and d.severity == dx.INFO
    _no_wrong_way(d)


@pytest.mark.parametrize("fraction", [0.0, 0.1])
def test_close_fits_say_so_instead_of_naming_a_winner(fraction):
    fits = {"MSE": TRUE_LINE + 0.11, "MAE": TRUE_LINE + 0.1, "Huber": TRUE_LINE + 0.1}
    text = lesson.outlier_lesson(fits, {"MSE": 0.11, "MAE": 0.1, "Huber": 0.1}, fraction,
                                 {k: OK for k in fits})
    assert "stayed closest" not in text
    assert ("same line" in text) if fraction == 0 else ("fits are close" in text)
