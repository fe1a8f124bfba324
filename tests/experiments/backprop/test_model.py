"""The Keras side: weights where the hand calculation says, and SGD steps equal to keras.optimizers.SGD."""

import numpy as np
import pytest

from nnkit.core import training
from nnkit.core.training import TrainConfig
from nnkit.experiments.backprop import chain
from nnkit.experiments.backprop import model as bp

ONE = {"x1": 1.0, "x2": 0.5, "y": 1.0, "batch": bp.ONE, "seed": 0}


def test_the_nine_numbers_land_in_keras_kernels_as_named():
    params = dict(zip(chain.PARAMS, np.arange(1.0, 10.0)))
    assert bp.params_of(bp.keras_weights(params)) == params
    with bp.precision():
        model = bp.build(params, "relu", "MSE", 0.1)
        assert all(str(w.dtype) == "float64" for w in model.weights)
        z_h = np.asarray(model.layers[0](np.array([[1.0, 0.0], [0.0, 1.0]])))
    # input 1 reaches unit 1 through w11 and unit 2 through w21 (z = w·x + b, all positive so ReLU passes it)
    np.testing.assert_allclose(z_h, [[1 + 5, 3 + 6], [2 + 5, 4 + 6]])


def test_random_weights_come_from_the_seed_and_fit_the_sliders():
    first, again, other = bp.random_params(7), bp.random_params(7), bp.random_params(8)
    assert first == again != other
    assert set(first) == set(chain.PARAMS) and all(abs(v) <= bp.WEIGHT_RANGE for v in first.values())


def test_the_mini_batch_is_the_example_plus_three_seeded_rows():
    x, y = bp.rows({**ONE, "batch": bp.BATCH, "seed": 2})
    assert x.shape == (4, 2) and y.shape == (4,)
    assert x[0].tolist() == [1.0, 0.5] and y[0] == 1.0 and set(y[1:]) <= {0.0, 1.0}
    assert np.array_equal(bp.rows({**ONE, "batch": bp.BATCH, "seed": 2})[0], x)
    assert bp.rows(ONE)[0].shape == (1, 2)


def test_work_compares_every_number_and_the_differences_are_tiny():
    worked = bp.work({**ONE, **bp.DEFAULT_PARAMS, "act": "tanh", "loss": "log loss", "lr": 1.0})
    assert worked.forward_difference < 1e-6 and worked.gradient_difference < 1e-6
    assert set(worked.keras["grads"]) == {s[0] for s in worked.steps}


@pytest.mark.parametrize("activation, loss", [("sigmoid", "log loss"), ("tanh", "MSE"), ("relu", "log loss")])
def test_one_sgd_step_equals_keras_optimizers_sgd_and_the_training_step(activation, loss):
    params, lr = bp.random_params(4), 0.5
    x, y = bp.rows({**ONE, "batch": bp.BATCH, "seed": 4})
    by_hand, _ = chain.sgd(params, x, y, activation, loss, lr)
    with bp.precision():
        optimizer_step = bp.keras_sgd(bp.build(params, activation, loss, lr), x, y, lr)
        fitted = bp.build(params, activation, loss, lr)
        result = training.train(fitted, (x, y.reshape(-1, 1)), TrainConfig(1, len(y), 0.0, 0))
    fit_step = bp.params_of(fitted.get_weights())
    for k in chain.PARAMS:
        assert optimizer_step[k] == pytest.approx(by_hand[k], abs=1e-6)
        assert fit_step[k] == pytest.approx(by_hand[k], abs=1e-6)
    # Keras logs the loss of the weights the step started from
    assert result.history["loss"][0] == pytest.approx(chain.forward(params, x, y, activation, loss)["L"], abs=1e-6)


def test_repeated_steps_lower_the_loss_and_a_large_rate_overshoots():
    x, y = bp.rows(ONE)
    _, losses = chain.sgd(bp.DEFAULT_PARAMS, x, y, "sigmoid", "log loss", 1.0, 5)
    assert all(b < a for a, b in zip(losses, losses[1:]))
    soft = np.array([0.8])  # a target inside (0, 1): the loss has a valley floor to jump over
    after, losses = chain.sgd(bp.DEFAULT_PARAMS, x, soft, "sigmoid", "log loss", 30.0, 1)
    assert chain.forward(after, x, soft, "sigmoid", "log loss")["L"] > 2 * losses[0]


def test_max_difference_reads_arrays_and_numbers():
    assert bp.max_difference({"a": np.array([1.0, 2.0]), "b": 3.0}, {"a": [1.0, 2.5], "b": 3.0}) == 0.5
