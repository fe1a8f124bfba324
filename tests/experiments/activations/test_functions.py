"""nnkit.experiments.activations.functions: values, autodiff slopes and the formulas shown, checked independently.

References are (1) `keras.activations` called directly, (2) the NumPy version
of the formula the page shows, evaluated in float64, and (3) finite
differences. Keras computes in float32 (eps 1.2e-7) through up to a dozen ops,
hence the 1e-6-ish tolerances.
"""

import math

import numpy as np
import pytest

from nnkit.experiments.activations import functions as fn

# Offset so no grid point sits exactly on a kink (0 for ReLU, ±3 for hard sigmoid).
GRID = np.linspace(-6, 6, 241).astype("float32") + np.float32(0.013)


SLOPE = 0.1  # a non-default leaky slope, so the slider value is what is tested


KERAS_DIRECT = {
    "sigmoid": lambda k, z: k.activations.sigmoid(z), "tanh": lambda k, z: k.activations.tanh(z),
    "arctan": lambda k, z: k.ops.arctan(z), "relu": lambda k, z: k.activations.relu(z),
    "leaky_relu": lambda k, z: k.activations.leaky_relu(z, negative_slope=SLOPE),
    "elu": lambda k, z: k.activations.elu(z), "selu": lambda k, z: k.activations.selu(z),
    "gelu": lambda k, z: k.activations.gelu(z), "silu": lambda k, z: k.activations.swish(z),
    "mish": lambda k, z: k.activations.mish(z), "softplus": lambda k, z: k.activations.softplus(z),
    "softsign": lambda k, z: k.activations.softsign(z),
    "hard_sigmoid": lambda k, z: k.activations.hard_sigmoid(z),
    "linear": lambda k, z: k.activations.linear(z)}


def test_every_issue_activation_is_registered():
    assert set(fn.ACTIVATIONS) == set(KERAS_DIRECT)


@pytest.mark.parametrize("key", list(KERAS_DIRECT))
def test_values_match_keras_and_the_formula_shown(key):
    import keras

    ours = fn.values(key, GRID, SLOPE)
    direct = keras.ops.convert_to_numpy(KERAS_DIRECT[key](keras, keras.ops.convert_to_tensor(GRID)))
    np.testing.assert_allclose(ours, direct, rtol=1e-6, atol=1e-6)
    formula = fn.ACTIVATIONS[key].reference(GRID.astype("float64"), SLOPE)
    np.testing.assert_allclose(ours, formula, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("key", list(KERAS_DIRECT))
def test_autodiff_slope_matches_finite_differences(key):
    z, h = GRID.astype("float64"), 1e-5
    ref = fn.ACTIVATIONS[key].reference
    central = (ref(z + h, SLOPE) - ref(z - h, SLOPE)) / (2 * h)
    slope = fn.derivative(key, GRID, SLOPE)
    np.testing.assert_allclose(slope, central, rtol=5e-6, atol=1e-6)
    # And against the Keras function itself (float32, so a coarser step).
    hk = np.float32(1e-2)
    coarse = (fn.values(key, GRID + hk, SLOPE) - fn.values(key, GRID - hk, SLOPE)) / (2 * hk)
    np.testing.assert_allclose(slope, coarse, atol=2e-3)


def test_formulas_shown_carry_keras_constants_and_the_slope_placeholder():
    import keras

    # SELU(1) = λ and SELU(-inf) → -λα: read the constants back from Keras.
    assert float(keras.activations.selu(np.float32(1.0))) == pytest.approx(fn.SELU_SCALE, abs=1e-6)
    assert float(keras.activations.selu(np.float32(-50.0))) == pytest.approx(
        -fn.SELU_SCALE * fn.SELU_ALPHA, abs=1e-5)
    assert f"{fn.SELU_SCALE}" in fn.ACTIVATIONS["selu"].latex and f"{fn.SELU_ALPHA}" in fn.formula("selu")
    assert r"a\,z" in fn.ACTIVATIONS["leaky_relu"].pieces  # the formula substitutes the slider value
    assert r"0.37\,z" in fn.formula("leaky_relu", 0.37) and r"a\,z" not in fn.formula("leaky_relu", 0.37)
    assert all("{branches}" not in fn.formula(key) for key in fn.ACTIVATIONS)


def test_leaky_relu_slope_slider_is_the_left_gradient():
    assert fn.derivative("leaky_relu", np.array([-2.0, 3.0]), 0.37) == pytest.approx([0.37, 1.0])


def test_saturated_region_of_sigmoid_starts_where_the_slope_hits_0_01():
    # σ'(z) = σ(1 − σ) = 0.01  ⇔  σ = (1 + √0.96) / 2  ⇔  z = logit(σ) ≈ 4.595.
    s = (1 + math.sqrt(0.96)) / 2
    edge = math.log(s / (1 - s))
    z = fn.z_grid(-10, 10, 2001)
    (lo_a, hi_a), (lo_b, hi_b) = fn.saturated_intervals(z, fn.derivative("sigmoid", z))
    assert lo_a == -10 and hi_b == 10
    assert hi_a == pytest.approx(-edge, abs=0.011) and lo_b == pytest.approx(edge, abs=0.011)


def test_saturated_region_of_relu_is_the_negative_half_and_linear_has_none():
    z = fn.z_grid(-3, 3, 61)
    [(lo, hi)] = fn.saturated_intervals(z, fn.derivative("relu", z))
    assert lo == -3 and hi <= 0 and hi > -0.11
    assert fn.saturated_intervals(z, fn.derivative("linear", z)) == []


@pytest.mark.parametrize("lo, hi", [(1, 1), (2, -2), (float("nan"), 1), (-1e6, 1e6)])
def test_bad_ranges_raise_readable_errors(lo, hi):
    with pytest.raises(ValueError):
        fn.z_grid(lo, hi)


# ---- kinks: z = 0 (and ±3 for hard sigmoid) sit on the default grid ---------------------

KINKED = {"relu": [0.0], "leaky_relu": [0.0], "selu": [0.0], "hard_sigmoid": [-3.0, 3.0]}


def _branch_slope(key, z, side):
    """The slope of the formula's branch on one side of z, from the NumPy formula (float64)."""
    h, ref = 1e-6, fn.ACTIVATIONS[key].reference
    a, b = (z - 2 * h, z - h) if side == "left" else (z + h, z + 2 * h)
    return (ref(np.float64(b), SLOPE) - ref(np.float64(a), SLOPE)) / h


@pytest.mark.parametrize("key", list(KINKED))
def test_the_formula_puts_each_kink_on_the_branch_whose_slope_autodiff_returns(key):
    latex = fn.formula(key, SLOPE)
    for z in KINKED[key]:
        at = float(fn.derivative(key, np.array([z]), SLOPE)[0])
        left, right = _branch_slope(key, z, "left"), _branch_slope(key, z, "right")
        assert at == pytest.approx(left, abs=1e-4) or at == pytest.approx(right, abs=1e-4)
        takes_right = at == pytest.approx(right, abs=1e-4) and at != pytest.approx(left, abs=1e-4)
        # The branch holding z in the LaTeX is the one whose slope autodiff returned.
        if z == 0:
            assert (r"z \ge 0" in latex) == takes_right and (r"z \le 0" in latex) == (not takes_right)
        else:
            bound = r"z \ge 3" if z > 0 else r"z \le -3"
            assert bound in latex  # hard sigmoid: the flat outer branches, slope 0
        [note] = [n for n in fn.kink_notes(key, SLOPE) if f"At z = {z:g} " in n]
        assert "convention (a subgradient)" in note and f"returns {at:.4g}" in note


def test_the_slopes_at_kinks_are_what_the_issue_lists():
    assert fn.derivative("relu", np.array([0.0]))[0] == 0.0
    np.testing.assert_allclose(fn.derivative("hard_sigmoid", np.array([-3.0, 3.0])), [0.0, 0.0])
    leaky = float(fn.derivative("leaky_relu", np.array([0.0]), SLOPE)[0])
    selu = float(fn.derivative("selu", np.array([0.0]))[0])
    # Which one-sided slope autodiff takes is the backend's convention (JAX: 1 and λα).
    assert leaky in (pytest.approx(1.0), pytest.approx(SLOPE))
    assert selu in (pytest.approx(fn.SELU_SCALE * fn.SELU_ALPHA, rel=1e-5), pytest.approx(fn.SELU_SCALE, rel=1e-5))
    assert ("z \\ge 0" in fn.formula("leaky_relu", SLOPE)) == (leaky == pytest.approx(1.0))
    assert ("z \\le 0" in fn.formula("selu")) == (selu == pytest.approx(fn.SELU_SCALE * fn.SELU_ALPHA, rel=1e-5))


def test_smooth_functions_and_kinks_outside_the_range_get_no_note():
    assert fn.kink_notes("elu") == []  # ELU's slope is 1 on both sides of 0 (α = 1): no kink
    assert fn.kink_notes("tanh") == [] and fn.kinks("tanh") == []
    assert fn.kink_notes("relu", z_min=1.0, z_max=5.0) == []
    assert len(fn.kink_notes("hard_sigmoid", z_min=0.0, z_max=6.0)) == 1
