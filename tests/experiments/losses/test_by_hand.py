"""The by-hand table: each row's term, their mean equal to Keras's, and clear messages for bad input."""

import math

import numpy as np
import pytest

from nnkit.experiments.losses import by_hand as hand
from nnkit.experiments.losses import model as losses


@pytest.mark.parametrize("name", losses.BY_HAND)
def test_by_hand_terms_sum_to_the_keras_value(name):
    rng = np.random.default_rng(3)
    spec = losses.LOSSES[name]
    if spec.kind == losses.REGRESSION:
        y_true, y_pred = rng.normal(0, 2, 7), rng.normal(0, 2, 7)
    else:
        y_true = rng.integers(0, 2, 7).astype(float)
        y_pred = rng.uniform(0.01, 0.99, 7) if spec.probability else rng.normal(0, 1.5, 7)
    param = {"delta": 0.7, "gamma": 1.5, None: None}[spec.param]
    calc = hand.by_hand(name, list(y_true), list(y_pred), param)
    assert len(calc.rows) == 7 and len(calc.columns) == len(calc.rows[0])
    assert calc.total == pytest.approx(np.mean(calc.terms))
    assert calc.total == pytest.approx(calc.keras_total, rel=1e-6, abs=1e-6)
    assert calc.warnings == []


def test_by_hand_at_exactly_0_and_1_clips_like_keras_and_says_so():
    calc = hand.by_hand("binary cross-entropy", [1, 0, 1], [0.0, 1.0, 0.5])
    assert calc.total == pytest.approx(calc.keras_total, rel=1e-6)
    assert math.isfinite(calc.total)
    assert "clip" in calc.warnings[0] and "10⁻⁷" in calc.warnings[0]
    clipped = calc.rows[0][calc.columns.index("p̂ = clip(ŷ)")]
    assert clipped == pytest.approx(1e-7)


@pytest.mark.parametrize("loss,y_true,y_pred,message", [
    ("MSE", "1, 2, 3", "1, 2", "3 values but y_pred has 2"),
    ("MSE", "", "1", "empty"),
    ("MSE", "1, two", "1, 2", "'two', is not a number"),
    ("MSE", "1, nan", "1, 2", "finite"),
    ("binary cross-entropy", "1, 0", "1.3, 0.2", "outside [0, 1]"),
    ("binary cross-entropy", "1, 0", "-0.1, 0.2", "outside [0, 1]"),
    ("focal", "2, 0", "0.5, 0.2", "labels"),
])
def test_bad_by_hand_input_raises_a_clear_input_error(loss, y_true, y_pred, message):
    with pytest.raises(hand.InputError, match=message.replace("[", r"\[").replace("]", r"\]")):
        hand.by_hand(loss, hand.parse_numbers(y_true, "y_true"),
                       hand.parse_numbers(y_pred, "y_pred"))


def test_hinge_accepts_plus_minus_one_labels_like_keras():
    calc = hand.by_hand("hinge", [-1, 1, 1], [0.3, 2.0, -0.5])
    assert calc.terms == pytest.approx([1.3, 0.0, 1.5])
    assert calc.keras_total == pytest.approx(np.mean([1.3, 0.0, 1.5]), rel=1e-6)


def test_log_cosh_table_stays_finite_where_cosh_overflows():
    """#16: cosh(800) is inf, but log cosh(800) is 799.31 and Keras says 399.87 for the mean."""
    calc = hand.by_hand("log-cosh", [0, 0], [800, 1])
    assert all(math.isfinite(v) for row in calc.rows for v in row)
    assert calc.total == pytest.approx(399.87, abs=0.01)
    assert calc.total == pytest.approx(calc.keras_total, rel=1e-6)
    assert calc.columns[3] == "tanh e (its slope)" and calc.rows[0][3] == pytest.approx(1.0)


def test_the_confident_mistake_cost_comes_from_the_row_it_names():
    """#16: on the page's default table the mistake is ŷ = 1 for y = 0: −log(1.19e-7) = 15.94, not 16.1."""
    calc = hand.by_hand("binary cross-entropy", [1, 0, 1, 0], [0.9, 0.2, 0.4, 1])
    note = calc.warnings[0]
    assert "entry 4 (ŷ = 1 with y = 0, a confident mistake) costs 15.94, not infinity" in note
    assert f"{calc.terms[3]:.4g}" == "15.94" and "16.1" not in note
    other = hand.by_hand("binary cross-entropy", [1, 0], [0, 0.3])
    assert "entry 1 (ŷ = 0 with y = 1, a confident mistake) costs 16.12" in other.warnings[0]
    right = hand.by_hand("focal", [1, 0], [1, 0.3])
    assert "entry 1 (ŷ = 1 with y = 1, not a mistake) costs" in right.warnings[0]
    assert f"costs {right.terms[0]:.4g}." in right.warnings[0]


@pytest.mark.parametrize("labels", [[1, 0.5], [-1, 0, 1], [0.2, 0.8]])
def test_hinge_refuses_soft_or_mixed_labels_with_the_rule_keras_would_apply(labels):
    """#16: Keras uses t = y (not 2y − 1) as soon as one label is not 0/1, so the formula would lie."""
    with pytest.raises(hand.InputError, match="all 0/1 or all −1/1") as error:
        hand.by_hand("hinge", labels, [0.3] * len(labels))
    assert "t = y" in str(error.value)
    with pytest.raises(hand.InputError, match="class labels"):
        hand.by_hand("squared hinge", [1, 0.5], [0.3, 0.5])


def test_hinge_with_binary_labels_uses_t_equals_2y_minus_1_as_the_formula_says():
    calc = hand.by_hand("hinge", [1, 0], [0.3, 0.5])
    assert calc.terms == pytest.approx([0.7, 1.5])
    assert calc.keras_total == pytest.approx(1.1, rel=1e-6)
