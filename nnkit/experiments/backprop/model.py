"""The real Keras model behind the hand calculation, and its own numbers.

The 2 → 2 → 1 network is described once as `LayerSpec`s (the app builds it,
the notebook prints it), set to the learner's weights, and asked for every
forward value and, by the backend's autodiff, every gradient the hand
calculation in `chain.py` claims. Keras computes in float64 here, so the two
agree to ~1e-15 and any real disagreement would stand out.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from typing import Any, Iterator

import numpy as np

from nnkit.core import backend, models
from nnkit.experiments.backprop import chain
from nnkit.experiments.backprop.chain import PARAMS

ACTIVATIONS = ("sigmoid", "tanh", "relu")
LOSSES = {"log loss": "binary_crossentropy", "MSE": "mean_squared_error"}
ONE, BATCH = "one example", "4-row mini-batch"
WEIGHT_RANGE = 4.0   # sliders run from −4 to 4
INTERMEDIATES = ("ŷ", "z", "a1", "a2", "z1", "z2")  # gradients with respect to layer values, per row
# The page's starting weights: one SGD step at η = 1 visibly lowers the loss (0.595 → 0.304).
DEFAULT_PARAMS = {"w11": 0.5, "w12": -0.4, "w21": 0.3, "w22": 0.8, "b1": 0.1, "b2": -0.2, "v1": 0.7, "v2": -0.5,
                  "c": 0.1}
LEARNING_RATES = (0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0, 30.0)


def layer_specs(activation: str) -> list[models.LayerSpec]:
    """2 inputs → 2 hidden units (`activation`) → 1 sigmoid output, all float64."""
    return [("Input", ((2,),), {"dtype": "float64"}),
            ("Dense", (2,), {"activation": activation, "dtype": "float64", "name": "hidden"}),
            ("Dense", (1,), {"activation": "sigmoid", "dtype": "float64", "name": "output"})]


def compile_for(loss: str, learning_rate: float) -> models.Compile:
    """Plain SGD (no momentum) on the chosen loss: one step is w ← w − η·∂L/∂w."""
    return models.Compile("SGD", learning_rate, LOSSES[loss], ())


@contextlib.contextmanager
def precision() -> Iterator[None]:
    """Let JAX compute in float64 inside the block (thread-local: other sessions stay float32)."""
    if backend.name() == "jax":
        import jax

        with jax.enable_x64(True):
            yield
    else:
        yield


def keras_weights(params: dict[str, float]) -> list[np.ndarray]:
    """The nine numbers as Keras's four arrays: kernel[k, j] is the weight from input k to unit j."""
    p = params
    return [np.array([[p["w11"], p["w21"]], [p["w12"], p["w22"]]]), np.array([p["b1"], p["b2"]]),
            np.array([[p["v1"]], [p["v2"]]]), np.array([p["c"]])]


def params_of(weights: list[np.ndarray]) -> dict[str, float]:
    """Keras's four arrays (weights or gradients) back as the nine named numbers."""
    kernel, bias, out, c = (np.asarray(w, float) for w in weights)
    values = (kernel[0, 0], kernel[1, 0], kernel[0, 1], kernel[1, 1], bias[0], bias[1], out[0, 0], out[1, 0], c[0])
    return dict(zip(PARAMS, map(float, values)))


def build(params: dict[str, float], activation: str, loss: str, learning_rate: float, seed: int = 0):
    """The compiled Keras model holding exactly `params` (call inside `precision()`)."""
    model = models.build_sequential(layer_specs(activation), compile_for(loss, learning_rate), seed, "backprop")
    model.set_weights(keras_weights(params))
    return model


def random_params(seed: int) -> dict[str, float]:
    """Nine weights drawn from the seed, rounded to what a slider shows."""
    values = np.random.default_rng([seed, 0]).uniform(-2.0, 2.0, len(PARAMS))
    return {k: round(float(v), 2) for k, v in zip(PARAMS, values)}


def rows(settings: dict[str, Any]) -> tuple[np.ndarray, np.ndarray]:
    """The training rows: the learner's example, plus three drawn from the seed for a mini-batch."""
    x = np.array([[settings["x1"], settings["x2"]]], float)
    y = np.array([settings["y"]], float)
    if settings["batch"] == BATCH:
        rng = np.random.default_rng([settings["seed"], 1])
        x = np.vstack([x, np.round(rng.uniform(-2.0, 2.0, (3, 2)), 1)])
        y = np.concatenate([y, rng.integers(0, 2, 3).astype(float)])
    return x, y


def params_from(settings: dict[str, Any]) -> dict[str, float]:
    return {k: float(settings[k]) for k in PARAMS}


def keras_numbers(model, x: np.ndarray, y: np.ndarray) -> dict[str, Any]:
    """Keras's forward values and autodiff gradients, named like `chain.forward`/`chain.backward`.

    Weights' gradients come from `backend.loss_gradients` (as on the
    activation page); gradients with respect to layer values (ŷ, z, a, zⱼ) from
    `backend.gradient` of the same Keras loss through the real layers.
    """
    import keras
    from keras import ops

    hidden, output = model.layers
    loss_fn = keras.losses.get(model.loss)
    x, target = np.asarray(x, "float64"), np.asarray(y, "float64").reshape(-1, 1)
    z_h = np.asarray(ops.add(ops.matmul(x, hidden.kernel), hidden.bias))
    a = np.asarray(hidden(x))
    z = np.asarray(ops.add(ops.matmul(a, output.kernel), output.bias))
    y_hat = np.asarray(model(x))

    def mean_loss(prediction):
        return ops.mean(loss_fn(target, prediction))

    grad_y = backend.gradient(mean_loss, y_hat)
    grad_z = backend.gradient(lambda v: mean_loss(output.activation(v)), z)
    grad_a = backend.gradient(lambda v: mean_loss(output(v)), a)
    grad_zh = backend.gradient(lambda v: mean_loss(output(hidden.activation(v))), z_h)
    grads = params_of(backend.loss_gradients(model, x, target, loss_fn))
    grads.update({"ŷ": grad_y[:, 0], "z": grad_z[:, 0], "a1": grad_a[:, 0], "a2": grad_a[:, 1],
                  "z1": grad_zh[:, 0], "z2": grad_zh[:, 1]})
    forward = {"z1": z_h[:, 0], "a1": a[:, 0], "z2": z_h[:, 1], "a2": a[:, 1], "z": z[:, 0], "ŷ": y_hat[:, 0],
               "L_i": np.asarray(loss_fn(target, y_hat)), "L": float(mean_loss(y_hat))}
    return {"forward": forward, "grads": grads}


def keras_sgd(model, x: np.ndarray, y: np.ndarray, learning_rate: float) -> dict[str, float]:
    """One update by `keras.optimizers.SGD` itself, on Keras's autodiff gradients; the new weights."""
    import keras

    grads = backend.loss_gradients(model, np.asarray(x, "float64"), np.asarray(y, "float64").reshape(-1, 1),
                                   keras.losses.get(model.loss))
    keras.optimizers.SGD(learning_rate).apply(grads, model.trainable_variables)
    return params_of(model.get_weights())


def max_difference(hand: dict[str, Any], keras_side: dict[str, Any]) -> float:
    """The largest |hand − Keras| over every name both share (forward values or gradients)."""
    shared = [k for k in keras_side if k in hand]
    return max(float(np.max(np.abs(np.asarray(hand[k], float) - np.asarray(keras_side[k], float))))
               for k in shared)


@dataclass(frozen=True)
class Worked:
    """Everything the page shows for one set-up: the hand calculation and Keras's numbers beside it."""

    x: np.ndarray
    y: np.ndarray
    params: dict[str, float]
    forward: dict[str, Any]
    steps: list
    grads: dict[str, Any]
    keras: dict[str, Any]

    @property
    def forward_difference(self) -> float:
        return max_difference(self.forward, self.keras["forward"])

    @property
    def gradient_difference(self) -> float:
        return max_difference(self.grads, self.keras["grads"])


def work(settings: dict[str, Any]) -> Worked:
    """Do the forward and backward pass by hand, and ask the real Keras model for the same numbers."""
    x, y = rows(settings)
    params = params_from(settings)
    fwd = chain.forward(params, x, y, settings["act"], settings["loss"])
    steps, grads = chain.backward(params, fwd)
    with precision():
        keras_side = keras_numbers(build(params, settings["act"], settings["loss"], settings["lr"]), x, y)
    return Worked(x, y, params, fwd, steps, grads, keras_side)
