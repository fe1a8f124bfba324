"""The loss registry against Keras: formulas, autodiff gradients, curves, the experiments' models."""

import math

import numpy as np
import pytest

from nnkit.experiments.losses import model as losses
from nnkit.experiments.losses import outliers

PARAMS = {"delta": [0.5, 1.0, 2.0], "gamma": [0.0, 2.0, 3.5], None: [None]}


def _cases():
    for name, spec in losses.LOSSES.items():
        labels = [0.0] if spec.kind == losses.REGRESSION else [0.0, 1.0]
        for y in labels:
            for param in PARAMS[spec.param]:
                yield name, y, param


def _kinks(name, param):
    # Points where the loss is not differentiable: finite differences are meaningless there.
    return {"MAE": [0.0], "Huber": [-(param or 1.0), param or 1.0], "hinge": [-1.0, 1.0],
            "squared hinge": [-1.0, 1.0]}.get(name, [])


@pytest.mark.parametrize("name,y,param", list(_cases()))
def test_keras_loss_matches_the_formula_on_the_page(name, y, param):
    xs = losses.grid(name, 101).astype("float32").astype("float64")
    loss, _ = losses.curve(name, xs, y, param)
    np.testing.assert_allclose(loss, losses.formula(name, np.full_like(xs, y), xs, param),
                               rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("name,y,param", list(_cases()))
def test_autodiff_gradient_matches_finite_differences(name, y, param):
    xs = losses.grid(name, 101).astype("float32").astype("float64")
    xs = xs[[all(abs(x - k) > 1e-3 for k in _kinks(name, param)) for x in xs]]
    _, grad = losses.curve(name, xs, y, param)
    h = 1e-6
    ys = np.full_like(xs, y)
    numeric = (losses.formula(name, ys, xs + h, param) - losses.formula(name, ys, xs - h, param)) / (2 * h)
    np.testing.assert_allclose(grad, numeric, rtol=1e-5, atol=1e-6)


def test_gradients_tell_the_story_of_each_loss():
    errors = np.array([-4.0, -0.5, 0.5, 4.0])
    _, mse = losses.curve("MSE", errors)
    _, mae = losses.curve("MAE", errors)
    _, huber = losses.curve("Huber", errors, param=1.0)
    np.testing.assert_allclose(mse, 2 * errors, rtol=1e-6)     # grows with the error
    np.testing.assert_allclose(mae, np.sign(errors))             # always ±1
    np.testing.assert_allclose(huber, np.clip(errors, -1, 1))    # capped at δ


def test_categorical_equals_binary_cross_entropy_for_two_classes():
    xs = losses.grid("binary cross-entropy", 31)
    for y in (0.0, 1.0):
        bce, gb = losses.curve("binary cross-entropy", xs, y)
        cce, gc = losses.curve("categorical cross-entropy", xs, y)
        np.testing.assert_allclose(cce, bce, rtol=1e-5)
        np.testing.assert_allclose(gc, gb, rtol=1e-4)


def test_keras_clips_log_zero_with_epsilon_1e7():
    loss, _ = losses.curve("binary cross-entropy", np.array([0.0, 1.0]), y=1.0)
    assert math.isfinite(loss[0])
    assert loss[0] == pytest.approx(-math.log(1e-7), rel=1e-6)   # −log(ε)
    assert loss[1] == pytest.approx(0.0, abs=1e-6)
    wrong, _ = losses.curve("binary cross-entropy", np.array([1.0]), y=0.0)
    # 1 − ε rounds to 0.99999988 in float32, so this mistake costs −log(1.19e-7).
    assert wrong[0] == pytest.approx(-math.log(float(np.float32(1) - np.float32(0.99999988))), rel=1e-5)
    assert losses.CLIP_LOW == pytest.approx(1e-7) and losses.CLIP_HIGH < 1.0


def test_regression_curves_are_against_the_error_whatever_the_label():
    xs = np.linspace(-2, 2, 41)
    for y in (0.0, 1.0):
        loss, grad = losses.curve("MSE", xs, y=y)
        assert xs[np.argmin(loss)] == pytest.approx(0.0) and grad[20] == pytest.approx(0.0)


def test_family_curves_cover_every_loss_of_a_kind_and_are_cached():
    cls = losses.family_curves(losses.CLASSIFICATION, 0, 1.0, 2.0)
    assert list(cls) == [f"{n} · y=0" for n in losses.names(losses.CLASSIFICATION)]
    assert losses.family_curves(losses.CLASSIFICATION, 0, 1.0, 2.0)["focal · y=0"][1] is cls["focal · y=0"][1]
    reg = losses.family_curves(losses.REGRESSION, 1, 0.5, 2.0)
    x, huber, _ = reg["Huber"]
    np.testing.assert_allclose(huber, losses.formula("Huber", np.zeros_like(x), x.astype("float32"), 0.5),
                               rtol=1e-6, atol=1e-6)


def test_same_seed_gives_same_initial_weights_for_every_loss():
    exp = losses.Experiment(1, (4,), None, ("mae",), 0.0)
    a = exp.model(outliers.regression_loss("MSE"), 0.1, seed=7)
    b = exp.model(outliers.regression_loss("Huber", 2.0), 0.1, seed=7)
    for wa, wb in zip(a.get_weights(), b.get_weights()):
        np.testing.assert_array_equal(wa, wb)
    c = exp.model("mse", 0.1, seed=8)
    assert not np.array_equal(a.get_weights()[0], c.get_weights()[0])


def test_experiment_models_are_their_layer_specs_compiled_with_adam():
    model = outliers.OUTLIERS.model("mse", 0.3, seed=0)
    assert [type(layer).__name__ for layer in model.layers] == ["Dense"]
    assert model.layers[0].units == 1 and model.optimizer.learning_rate.numpy() == pytest.approx(0.3)
    from nnkit.experiments.losses.imbalance import IMBALANCE

    net = IMBALANCE.model("binary_crossentropy", 0.03, seed=0)
    assert [(l.units, l.activation.__name__) for l in net.layers] == [(8, "tanh"), (1, "sigmoid")]
    assert [spec[0] for spec in IMBALANCE.layer_specs()] == ["Input", "Dense", "Dense"]
    assert type(net.optimizer).__name__ == "Adam"


def test_log_cosh_formula_is_finite_for_huge_errors_and_matches_keras():
    e = np.array([-800.0, -30.0, 0.0, 1e-3, 2.0, 800.0])
    np.testing.assert_allclose(losses.log_cosh(e)[1:-1], np.log(np.cosh(e[1:-1])), rtol=1e-12, atol=1e-15)
    assert losses.log_cosh(np.array([800.0]))[0] == pytest.approx(800 - math.log(2))
    loss, grad = losses.curve("log-cosh", np.array([-800.0, 800.0]))
    np.testing.assert_allclose(loss, [800 - math.log(2)] * 2, rtol=1e-6)
    np.testing.assert_allclose(grad, [-1.0, 1.0], rtol=1e-6)   # tanh(±800)


def test_hinge_formula_on_the_page_states_keras_label_rule():
    for name in ("hinge", "squared hinge"):
        assert r"2y_i - 1 & y \in \{0, 1\}" in losses.LOSSES[name].latex
        assert r"y_i & y \in \{-1, 1\}" in losses.LOSSES[name].latex
    np.testing.assert_array_equal(losses.hinge_labels(np.array([0.0, 1.0])), [-1.0, 1.0])
    np.testing.assert_array_equal(losses.hinge_labels(np.array([-1.0, 1.0])), [-1.0, 1.0])


def test_constant_loss_is_the_best_constant_under_each_loss():
    y = np.array([0.0, 0.0, 1.0, 10.0])
    grid = np.linspace(0, 10, 1001)
    assert losses.constant_loss(outliers.regression_loss("MSE"), y, grid) == pytest.approx(np.var(y), rel=1e-4)
    # MAE's best constant is any median, here between 0 and 1: mean |y − c| = 11 / 4
    assert losses.constant_loss(outliers.regression_loss("MAE"), y, grid) == pytest.approx(11 / 4, rel=1e-5)
    import keras

    labels = np.array([0.0] * 9 + [1.0])
    prior = -(0.9 * math.log(0.9) + 0.1 * math.log(0.1))
    assert losses.constant_loss(keras.losses.BinaryCrossentropy(), labels,
                                np.linspace(0.001, 0.999, 999)) == pytest.approx(prior, rel=1e-5)
