"""Vanishing gradients in one picture: the same chain rule down a 6-layer, one-unit-wide net.

Each layer multiplies the gradient by its local derivative w·f'(z). A sigmoid's
slope is at most 0.25, so with w = 1 the gradient shrinks at least 4× per
layer; ReLU's slope is 1 wherever the unit is on, so the product is just w
per layer. The hand product is checked against Keras's autodiff of a real
6-layer model (the bias gradient of layer l is ∂ŷ/∂z_l).
"""

from __future__ import annotations

import numpy as np

from nnkit.core import backend, models
from nnkit.experiments.backprop.chain import activate

DEPTH, INPUT = 6, 1.0  # a positive input and positive weights: every ReLU stays on
COMPARED = ("sigmoid", "relu")


def chain_by_hand(activation: str, weight: float, depth: int = DEPTH, x: float = INPUT) -> dict[str, list[float]]:
    """Per layer l: z_l, f'(z_l), the local factor w·f'(z_l), and ∂a_depth/∂z_l (the product from the top)."""
    a, zs, slopes = x, [], []
    for _ in range(depth):
        z = weight * a
        a, slope = (float(v) for v in activate(activation, np.array(z)))
        zs.append(z)
        slopes.append(slope)
    reaching = [slopes[-1]]
    for slope in reversed(slopes[:-1]):
        reaching.append(reaching[-1] * weight * slope)
    return {"z": zs, "slope": slopes, "local": [weight * s for s in slopes], "gradient": reaching[::-1]}


def layer_specs(activation: str, depth: int = DEPTH) -> list[models.LayerSpec]:
    return [("Input", ((1,),), {"dtype": "float64"}),
            *(("Dense", (1,), {"activation": activation, "dtype": "float64", "name": f"layer_{i + 1}"})
              for i in range(depth))]


def keras_chain(activation: str, weight: float, depth: int = DEPTH, x: float = INPUT) -> list[float]:
    """∂ŷ/∂z_l for each layer of a real Keras model, by autodiff (its bias gradients); call in `precision()`."""
    model = models.build_sequential(layer_specs(activation, depth), None, 0, f"deep_{activation}")
    model.set_weights([np.array(v) for _ in range(depth) for v in ([[weight]], [0.0])])
    grads = backend.loss_gradients(model, np.array([[x]]), np.zeros((1, 1)), lambda y, p: p[:, 0])
    return [float(g[0]) for g in grads[1::2]]


def compare(weight: float) -> dict[str, dict[str, list[float]]]:
    """Both activations' chains by hand, with Keras's autodiff beside them."""
    return {name: {**chain_by_hand(name, weight), "keras": keras_chain(name, weight)} for name in COMPARED}
