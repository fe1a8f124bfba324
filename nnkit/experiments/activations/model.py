"""The activation explorer's maths and networks: softmax with temperature, one
neuron, and the deep network the experiment trains once per activation.

The network is described once, as `LayerSpec`s and a `Compile`
(`nnkit.core.models`): the app builds from them and the notebook prints them,
so the code a learner takes home is the network the app trained.
"""

from __future__ import annotations

import math
from typing import Callable

import numpy as np

from nnkit.core import models
from nnkit.core.models import Compile, LayerSpec
from nnkit.core.settings import Setting, SettingList
from nnkit.experiments.activations.functions import ACTIVATIONS, keras_fn, values

SOFTMAX_LATEX = r"p_i = \frac{e^{z_i / T}}{\sum_j e^{z_j / T}}"
TOY_POINTS, TOY_NOISE = 600, 0.2
VALIDATION = 0.2  # share of the examples held out, at random (seeded)
MAX_DEPTH, MAX_WIDTH = 12, 256


# ---- the page's settings (each is a query parameter of a shared link) ----------

MOST_COMPARED = 4  # activations trained per comparison, at most
KEYS_BY_LABEL = {a.label: k for k, a in ACTIVATIONS.items()}  # the page shows labels, Keras takes keys
LABELS = tuple(KEYS_BY_LABEL)
SETTINGS = (
    SettingList("fns", ["sigmoid", "tanh", "ReLU"], choices=LABELS),
    Setting("zmin", -6.0, low=-1000.0, high=1000.0),
    Setting("zmax", 6.0, low=-1000.0, high=1000.0),
    Setting("slope", 0.2, low=0.01, high=0.5),
    Setting("logits", "2, 1, 0.1, -1"),
    Setting("temp", 1.0, low=0.05, high=10.0),
    Setting("neuron", "sigmoid", choices=LABELS),
    Setting("w1", 1.5, low=-5.0, high=5.0),
    Setting("w2", -1.0, low=-5.0, high=5.0),
    Setting("b", 0.5, low=-5.0, high=5.0),
    Setting("x1", 1.0, low=-3.0, high=3.0),
    Setting("x2", 0.5, low=-3.0, high=3.0),
    SettingList("compare", ["sigmoid", "tanh", "ReLU"], choices=LABELS, most=MOST_COMPARED),
    Setting("dataset", "moons", choices=("moons", "circles", "xor", "spiral", "digits", "breast cancer")),
    Setting("optimizer", "sgd", choices=("sgd", "adam")),
    Setting("depth", 6, low=1, high=10, workshop_high=6),
    Setting("width", 16, low=2, high=64, workshop_high=32),
    Setting("lr", 0.1, choices=(0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0)),
    Setting("epochs", 15, low=1, high=100, workshop_high=30),
    Setting("batch", 32, choices=(8, 16, 32, 64, 128)),
    Setting("seed", 0, low=0, high=9999),
)


# ---- softmax -----------------------------------------------------------------

def parse_logits(text: str) -> list[float]:
    """"2, 1, 0.1" -> [2.0, 1.0, 0.1]; ValueError with a readable reason otherwise."""
    parts = [p for p in text.replace(";", ",").replace(" ", ",").split(",") if p.strip()]
    if not 2 <= len(parts) <= 20:
        raise ValueError("enter between 2 and 20 numbers, separated by commas")
    try:
        numbers = [float(p) for p in parts]
    except ValueError:
        raise ValueError("every entry must be a number, e.g. 2, 1, 0.1") from None
    if not all(math.isfinite(v) for v in numbers):
        raise ValueError("entries must be finite numbers (no inf, nan or values beyond 1e308)")
    return numbers


def softmax_with_temperature(logits: list[float] | np.ndarray, temperature: float) -> np.ndarray:
    """Keras's softmax of z / T; safe for huge logits.

    Softmax is unchanged by subtracting a constant, so we subtract the largest
    logit in float64 before Keras sees float32 numbers: 1e30 and 1e30 - 1
    then give the right answer instead of inf/inf = NaN.
    """
    import keras
    from keras import ops

    if not temperature > 0:
        raise ValueError("temperature must be positive")
    z = np.asarray(logits, dtype="float64")
    with np.errstate(over="ignore"):  # 1e308 - (-1e308) is -inf: fine, it becomes p = 0
        shifted = np.clip((z - z.max()) / temperature, -1e30, 0.0).astype("float32")
    probabilities = keras.activations.softmax(ops.convert_to_tensor(shifted[None]))
    return np.asarray(ops.convert_to_numpy(probabilities))[0]


# ---- one neuron --------------------------------------------------------------

def neuron_output(x1, x2, w1: float, w2: float, b: float, key: str, slope: float = 0.2):
    """(z, f(z)) for z = w1·x1 + w2·x2 + b; x1, x2 may be arrays of any shape."""
    z = w1 * np.asarray(x1, dtype="float32") + w2 * np.asarray(x2, dtype="float32") + b
    return z, values(key, z, slope)


def neuron_surface(w1: float, w2: float, b: float, key: str, slope: float = 0.2,
                   extent: float = 3.0, resolution: int = 61):
    """The neuron's output over the square [-extent, extent]²: (grid_x, grid_y, f)."""
    grid = np.linspace(-extent, extent, resolution, dtype="float32")
    xx, yy = np.meshgrid(grid, grid)
    return grid, grid, neuron_output(xx, yy, w1, w2, b, key, slope)[1]


# ---- the experiment: one network, several activations --------------------------

def load_dataset(name: str, seed: int = 0):
    """A toy 2-D set (600 noisy points) or a real scikit-learn table, by name."""
    from nnkit.core import data

    if name in data.TOY_2D:
        return data.TOY_2D[name](n_samples=TOY_POINTS, noise=TOY_NOISE, seed=seed)
    if name in data.REAL:
        return data.REAL[name](seed=seed)
    raise ValueError(f"unknown dataset {name!r}")


def n_classes(dataset) -> int:
    """Classes the output layer needs (a binary set gets one sigmoid unit)."""
    return max(2, len(dataset.class_names))


def check_architecture(depth: int, width: int) -> None:
    """ValueError with a readable reason for a network this page should not build."""
    if not 1 <= depth <= MAX_DEPTH:
        raise ValueError(f"depth must be between 1 and {MAX_DEPTH} hidden layers, got {depth}")
    if not 1 <= width <= MAX_WIDTH:
        raise ValueError(f"width must be between 1 and {MAX_WIDTH} units, got {width}")


class Named:
    """A function inside a LayerSpec: the app builds with the function, the
    notebook prints its name (and defines it by its source)."""

    def __init__(self, fn: Callable):
        self.fn = fn

    def __repr__(self) -> str:
        return self.fn.__name__


def hidden_specs(key: str, depth: int, width: int, slope: float = 0.2) -> list[LayerSpec]:
    """`depth` Dense layers of `width` units, all with activation `key`.

    Leaky ReLU with the slider's slope is Keras's `LeakyReLU` layer after a
    linear Dense (the activation string would fix the slope at 0.2); arctan is
    nnkit's registered function. Every model saves and reloads as `.keras`.
    """
    specs: list[LayerSpec] = []
    for i in range(1, depth + 1):
        if key == "leaky_relu":
            specs += [("Dense", (width,), {"name": f"hidden_{i}"}),
                      ("LeakyReLU", (), {"negative_slope": slope, "name": f"leaky_relu_{i}"})]
        else:
            activation = Named(keras_fn(key)) if key == "arctan" else key
            specs.append(("Dense", (width,), {"activation": activation, "name": f"hidden_{i}"}))
    return specs


def network_specs(key: str, n_inputs: int, classes: int, depth: int, width: int,
                  slope: float = 0.2) -> list[LayerSpec]:
    """Input, the hidden stack, and a sigmoid (2 classes) or softmax output."""
    units, out_activation, _, _ = models.output_spec(classes)
    return [("Input", ((n_inputs,),), {}), *hidden_specs(key, depth, width, slope),
            ("Dense", (units,), {"activation": out_activation, "name": "output"})]


def network_compile(classes: int, optimizer: str = "sgd", learning_rate: float = 0.1) -> Compile:
    _, _, loss, metric = models.output_spec(classes)
    return Compile(optimizer, learning_rate, loss, (metric,))


def _built(spec: LayerSpec) -> LayerSpec:
    cls, args, kwargs = spec
    return cls, args, {k: v.fn if isinstance(v, Named) else v for k, v in kwargs.items()}


def build_network(key: str, n_inputs: int, classes: int, depth: int, width: int,
                  optimizer: str = "sgd", learning_rate: float = 0.1, seed: int = 0,
                  slope: float = 0.2):
    """A compiled MLP whose hidden layers all use activation `key`.

    Seeding right before the layers are created gives every activation the
    *same* initial weights (activations have no weights of their own), so a
    comparison differs in the activation only.

    Example: depth 3, width 16 on moons gives 2 → 16 → 16 → 16 → 1 (sigmoid).
    """
    check_architecture(depth, width)
    specs = [_built(s) for s in network_specs(key, n_inputs, classes, depth, width, slope)]
    return models.build_sequential(specs, network_compile(classes, optimizer, learning_rate), seed,
                                   name=f"mlp_{key}")
