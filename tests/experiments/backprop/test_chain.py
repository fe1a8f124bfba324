"""The hand calculation equals the real Keras model: forward values and autodiff gradients, to 1e-6."""

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nnkit.experiments.backprop import chain
from nnkit.experiments.backprop import model as bp

TOL = 1e-6  # |hand − Keras| ≤ 1e-6 · max(1, |value|): Keras's tanh runs in float32 even in a float64 model


def _close(hand, keras):
    hand, keras = np.asarray(hand, float), np.asarray(keras, float)
    assert np.all(np.abs(hand - keras) <= TOL * np.maximum(1.0, np.abs(keras))), (hand, keras)


def _check(params, x, y, activation, loss):
    fwd = chain.forward(params, x, y, activation, loss)
    steps, grads = chain.backward(params, fwd)
    with bp.precision():
        keras = bp.keras_numbers(bp.build(params, activation, loss, 0.1), x, y)
    for name, value in keras["forward"].items():
        _close(fwd[name], value)
    assert set(keras["grads"]) == set(grads) == {s[0] for s in steps}  # every step is checked
    for name, value in keras["grads"].items():
        _close(grads[name], value)
    return fwd, steps, grads, keras


weights = st.floats(-bp.WEIGHT_RANGE, bp.WEIGHT_RANGE, allow_nan=False)
inputs = st.floats(-2.0, 2.0, allow_nan=False)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(weights, min_size=9, max_size=9), st.lists(inputs, min_size=2, max_size=8),
       st.sampled_from(bp.ACTIVATIONS), st.sampled_from(tuple(bp.LOSSES)), st.floats(0.0, 1.0), st.booleans())
def test_every_intermediate_and_gradient_equals_keras_autodiff(values, xs, activation, loss, target, batch):
    params = dict(zip(chain.PARAMS, values))
    n = len(xs) // 2 if batch else 1
    x = np.array(xs[:2 * n]).reshape(n, 2)
    y = np.array([target] + [float(i % 2) for i in range(1, n)])
    _check(params, x, y, activation, loss)


@pytest.mark.parametrize("activation", bp.ACTIVATIONS)
@pytest.mark.parametrize("loss", tuple(bp.LOSSES))
def test_each_activation_and_loss_on_seeded_random_weights_and_a_mini_batch(activation, loss):
    settings_ = {"x1": 0.7, "x2": -1.3, "y": 1.0, "batch": bp.BATCH, "seed": 5}
    x, y = bp.rows(settings_)
    fwd, *_ = _check(bp.random_params(5), x, y, activation, loss)
    assert fwd["n"] == 4


def test_textbook_identities_sigmoid_output_with_log_loss_gives_y_hat_minus_y():
    params = bp.DEFAULT_PARAMS
    fwd = chain.forward(params, np.array([[1.0, 0.5]]), np.array([1.0]), "sigmoid", "log loss")
    steps, grads = chain.backward(params, fwd)
    assert grads["z"][0] == pytest.approx(fwd["ŷ"][0] - 1.0, abs=1e-12)
    assert grads["c"] == pytest.approx(grads["z"][0])
    assert grads["v1"] == pytest.approx(grads["z"][0] * fwd["a1"][0])
    # the hidden unit's chain: ∂L/∂w₁₂ = (ŷ − y) · v₁ · a₁(1 − a₁) · x₂
    a1 = fwd["a1"][0]
    assert grads["w12"] == pytest.approx((fwd["ŷ"][0] - 1.0) * params["v1"] * a1 * (1 - a1) * 0.5)
    mse = chain.forward(params, np.array([[1.0, 0.5]]), np.array([1.0]), "sigmoid", "MSE")
    assert chain.backward(params, mse)[1]["z"][0] == pytest.approx(2 * (mse["ŷ"][0] - 1) * mse["ŷ(1−ŷ)"][0])


def test_relu_at_exactly_zero_and_a_clipped_log_loss_agree_with_keras():
    zero = dict.fromkeys(chain.PARAMS, 0.0)
    fwd, _, grads, _ = _check(zero, np.zeros((1, 2)), np.array([1.0]), "relu", "log loss")
    assert fwd["f'(z1)"][0] == 0.0 and grads["w11"] == 0.0
    # a confident wrong answer: ŷ ≈ 1 for y = 0 is clipped by Keras, so ŷ no longer moves the loss
    saturated = {**zero, "w11": 4.0, "w12": 4.0, "v1": 4.0, "c": 4.0}
    fwd, _, grads, _ = _check(saturated, np.array([[2.0, 2.0]]), np.array([0.0]), "relu", "log loss")
    assert fwd["ŷ"][0] > 1 - chain.EPSILON and grads["ŷ"][0] == 0.0 and grads["v1"] == 0.0
    assert fwd["L"] == pytest.approx(-np.log(chain.EPSILON), rel=1e-6)


def test_each_step_reuses_its_upstream_gradient_and_the_expanded_chain_multiplies_out():
    x, y = np.array([[1.0, 0.5], [-0.5, 1.5]]), np.array([1.0, 0.0])
    params = bp.random_params(3)
    fwd = chain.forward(params, x, y, "tanh", "MSE")
    steps, grads = chain.backward(params, fwd)
    assert [s[0] for s in steps][:5] == ["ŷ", "z", "v1", "v2", "c"] and len(steps) == 15
    values = {s[0]: s[4] for s in steps}
    for name, upstream, _, local, rows in steps[1:]:
        np.testing.assert_allclose(rows, values[upstream] * local)
    for row in (0, 1):
        factors, product = chain.expanded(steps, "w21", row)
        assert [f.split(" = ")[0] for f, _ in factors][1:] == ["∂ŷ/∂z", "∂z/∂a2", "∂a2/∂z2", "∂z2/∂w21"]
        assert product == pytest.approx(values["w21"][row])
    assert grads["w21"] == pytest.approx(values["w21"].sum())


def test_chain_lines_print_each_formula_with_keras_beside_it():
    params, x, y = bp.DEFAULT_PARAMS, np.array([[1.0, 0.5]]), np.array([1.0])
    fwd = chain.forward(params, x, y, "sigmoid", "log loss")
    steps, grads = chain.backward(params, fwd)
    lines = chain.chain_lines(steps, grads)
    assert len(lines) == 15
    assert lines[0].startswith("∂L/∂ŷ = (−y/ŷ + (1−y)/(1−ŷ))")
    assert lines[7].startswith("∂L/∂w₁₁ = ∂L/∂z₁ × ∂z₁/∂w₁₁ = x₁ = ")
    assert all("difference 0.0e+00" in line for line in lines)


def test_hand_sgd_is_w_minus_eta_times_gradient():
    params, x, y = bp.DEFAULT_PARAMS, np.array([[1.0, 0.5]]), np.array([1.0])
    grads = chain.backward(params, chain.forward(params, x, y, "relu", "MSE"))[1]
    after, losses = chain.sgd(params, x, y, "relu", "MSE", 0.3)
    assert after == {k: pytest.approx(params[k] - 0.3 * grads[k]) for k in chain.PARAMS}
    assert len(losses) == 1 and chain.sgd(params, x, y, "relu", "MSE", 0.3, 3)[1][0] == losses[0]
