"""Loss functions: what each one rewards and punishes, from the real `keras.losses`.

A registry (`LOSSES`) names every loss the page shows, with its LaTeX formula
and a NumPy version of that same formula (`formula`), so tests can check the
formula on screen against Keras. Curves and gradients (`curve`) always come
from the Keras function itself, differentiated by `backend.gradient_fn`.
`Experiment` describes the two training experiments' models as `LayerSpec`s
and a `Compile`, which both the app and the exported notebook read. The
by-hand table lives in `by_hand.py`, the experiments' data in `outliers.py`
and `imbalance.py`.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np

from nnkit.core import backend, models

# Keras clips probabilities to [EPSILON, 1 - EPSILON] before taking a log. In
# float32 (Keras's default) 1 - 1e-7 rounds to 0.99999988, so log(1 - p) is
# floored at log(1.19e-7), not log(1e-7); we use the float32 bounds exactly.
EPSILON = 1e-7
CLIP_LOW = float(np.float32(EPSILON))
CLIP_HIGH = float(np.float32(1.0) - np.float32(EPSILON))

REGRESSION, CLASSIFICATION = "regression", "classification"
# Keras's rule for hinge labels: 0/1 become −1/1, −1/1 stay. Soft labels are refused (see by_hand).
HINGE_T = r"t_i = \begin{cases} 2y_i - 1 & y \in \{0, 1\} \\ y_i & y \in \{-1, 1\} \end{cases}"


@dataclass(frozen=True)
class LossSpec:
    """One loss as the page presents it."""

    name: str
    kind: str                    # REGRESSION or CLASSIFICATION
    keras_name: str              # the keras.losses function behind it
    latex: str                   # the formula shown with st.latex
    punishes: str                # one line: what it rewards and punishes
    param: str | None = None     # "delta" (Huber) or "gamma" (focal)
    x_range: tuple[float, float] = (-3.0, 3.0)
    probability: bool = False    # y_pred must be a probability in [0, 1]


LOSSES: dict[str, LossSpec] = {s.name: s for s in (
    LossSpec("MSE", REGRESSION, "mean_squared_error",
             r"\mathrm{MSE} = \frac{1}{n}\sum_i (\hat y_i - y_i)^2",
             "Squares the error: an error twice as big costs four times as much, so big misses dominate."),
    LossSpec("MAE", REGRESSION, "mean_absolute_error",
             r"\mathrm{MAE} = \frac{1}{n}\sum_i |\hat y_i - y_i|",
             "Every unit of error costs the same; the gradient is always ±1, so outliers pull no harder."),
    LossSpec("Huber", REGRESSION, "huber",
             r"L_\delta = \frac{1}{n}\sum_i \begin{cases}\tfrac12 e_i^2 & |e_i|\le\delta\\"
             r" \delta|e_i| - \tfrac12\delta^2 & |e_i|>\delta\end{cases},\quad e_i = \hat y_i - y_i",
             "Like MSE for small errors, like MAE beyond δ: smooth near zero, robust to outliers.",
             param="delta"),
    LossSpec("log-cosh", REGRESSION, "log_cosh",
             r"L = \frac{1}{n}\sum_i \log\cosh(\hat y_i - y_i)",
             "About e²/2 for small errors and |e| − log 2 for large ones: a smooth Huber."),
    LossSpec("binary cross-entropy", CLASSIFICATION, "binary_crossentropy",
             r"\mathrm{BCE} = -\frac{1}{n}\sum_i \big[y_i\log\hat p_i + (1-y_i)\log(1-\hat p_i)\big],"
             r"\quad \hat p_i = \mathrm{clip}(\hat y_i, 10^{-7}, 1-10^{-7})",
             "Confident mistakes cost without bound (−log of a tiny probability); Keras clips to keep it finite.",
             x_range=(0.0, 1.0), probability=True),
    LossSpec("hinge", CLASSIFICATION, "hinge",
             r"L = \frac{1}{n}\sum_i \max(0,\ 1 - t_i\hat y_i),\quad " + HINGE_T,
             "Zero once the score is on the right side with margin 1; linear penalty otherwise. Expects scores, not probabilities.",
             x_range=(-2.0, 2.0)),
    LossSpec("squared hinge", CLASSIFICATION, "squared_hinge",
             r"L = \frac{1}{n}\sum_i \max(0,\ 1 - t_i\hat y_i)^2,\quad " + HINGE_T,
             "Hinge squared: gentle near the margin, harsh on big violations.",
             x_range=(-2.0, 2.0)),
    LossSpec("focal", CLASSIFICATION, "binary_focal_crossentropy",
             r"\mathrm{FL}_\gamma = \frac{1}{n}\sum_i (1-p_{t,i})^\gamma\,\mathrm{BCE}_i,"
             r"\quad p_{t,i} = y_i\hat y_i + (1-y_i)(1-\hat y_i)",
             "Cross-entropy scaled down by (1 − p_t)^γ: easy, confident examples barely count, hard ones dominate.",
             param="gamma", x_range=(0.0, 1.0), probability=True),
    LossSpec("categorical cross-entropy", CLASSIFICATION, "categorical_crossentropy",
             r"\mathrm{CCE} = -\frac{1}{n}\sum_i \sum_k y_{ik}\log\hat p_{ik},\quad"
             r" \hat p_{ik} = \mathrm{clip}\Big(\frac{\hat y_{ik}}{\sum_j \hat y_{ij}}\Big)",
             "Cross-entropy over K classes; with two classes [1 − p, p] it equals binary cross-entropy.",
             x_range=(0.0, 1.0), probability=True),
)}
BY_HAND = [name for name in LOSSES if name != "categorical cross-entropy"]


def names(kind: str) -> list[str]:
    """Loss names of one kind, in page order."""
    return [n for n, s in LOSSES.items() if s.kind == kind]


def keras_loss(name: str, param: float | None = None) -> Callable:
    """The `keras.losses` function for `name`, with δ or γ bound in.

    Returns f(y_true, y_pred) that averages over the last axis, as Keras does.
    """
    import keras

    spec = LOSSES[name]
    fn = getattr(keras.losses, spec.keras_name)
    if spec.param == "delta":
        return lambda t, p: fn(t, p, delta=1.0 if param is None else param)
    if spec.param == "gamma":
        return lambda t, p: fn(t, p, gamma=2.0 if param is None else param)
    return fn


def formula(name: str, y_true: Sequence[float], y_pred: Sequence[float],
            param: float | None = None) -> np.ndarray:
    """Per-element loss from the page's LaTeX formula, in NumPy float64.

    This is the formula as written, not Keras: tests compare the two. For
    categorical cross-entropy, y_true/y_pred are P(class 1) of a 2-class
    problem, i.e. rows [1 − y, y] and [1 − ŷ, ŷ].
    """
    y, p = np.asarray(y_true, "float64"), np.asarray(y_pred, "float64")
    e = p - y
    if name == "MSE":
        return e ** 2
    if name == "MAE":
        return np.abs(e)
    if name == "Huber":
        d = 1.0 if param is None else param
        return np.where(np.abs(e) <= d, 0.5 * e ** 2, d * np.abs(e) - 0.5 * d ** 2)
    if name == "log-cosh":
        return log_cosh(e)
    if name in ("binary cross-entropy", "categorical cross-entropy"):
        return bce(y, p)
    if name in ("hinge", "squared hinge"):
        t = hinge_labels(y)
        margin = np.maximum(0.0, 1.0 - t * p)
        return margin if name == "hinge" else margin ** 2
    if name == "focal":
        gamma = 2.0 if param is None else param
        p_t = y * p + (1 - y) * (1 - p)
        return (1 - p_t) ** gamma * bce(y, p)
    raise KeyError(name)


def log_cosh(e: np.ndarray) -> np.ndarray:
    """log cosh e without overflow: cosh(800) is inf in float64, log cosh(800) is 799.3.

    log cosh e = log((eᵉ + e⁻ᵉ)/2) = logaddexp(e, −e) − log 2, finite for any finite e.
    """
    e = np.asarray(e, "float64")
    return np.logaddexp(e, -e) - np.log(2.0)


def bce(y: np.ndarray, p: np.ndarray) -> np.ndarray:
    """Binary cross-entropy per element, with Keras's float32 clipping."""
    q = np.clip(p, CLIP_LOW, CLIP_HIGH)
    return -(y * np.log(q) + (1 - y) * np.log(1 - q))


def hinge_labels(y: np.ndarray) -> np.ndarray:
    """t = 2y − 1 for 0/1 labels; −1/1 labels pass through (Keras's own rule)."""
    y = np.asarray(y, "float64")
    return 2 * y - 1 if np.all((y == 0) | (y == 1)) else y


# ---- curves: loss and gradient from Keras itself -------------------------------

def _pointwise(name: str, y: float, param: float | None) -> Callable:
    """f(z) = loss of one prediction z against label y, elementwise over z."""
    from keras import ops

    fn = keras_loss(name, param)

    def f(z):
        if name == "categorical cross-entropy":
            pred = ops.stack([1.0 - z, z], axis=-1)
            true = ops.stack([ops.full_like(z, 1.0 - y), ops.full_like(z, y)], axis=-1)
        else:
            pred = ops.expand_dims(z, -1)
            true = ops.full_like(pred, y)
        return fn(true, pred)

    return f


def curve(name: str, xs: np.ndarray, y: float = 0.0,
          param: float | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Loss and its derivative along `xs`, both from the Keras function.

    Regression losses take xs as the error ŷ − y (y = 0, so ŷ = error);
    classification losses take xs as the prediction ŷ for true label `y`.
    The derivative is d loss / d ŷ by autodiff on the active backend.
    """
    from keras import ops

    xs = np.asarray(xs, "float32")
    if LOSSES[name].kind == REGRESSION:
        y = 0.0  # x is the error itself, so ŷ = x against y = 0 for any label
    f = _pointwise(name, float(y), param)
    loss = ops.convert_to_numpy(f(ops.convert_to_tensor(xs)))
    grad = backend.gradient_fn(f)(xs)
    return np.asarray(loss, "float64"), np.asarray(grad, "float64")


def family_curves(kind: str, y: float, delta: float, gamma: float) -> dict[str, tuple]:
    """label -> (x, loss, gradient) for every loss of one kind, as the page plots them.

    Cached: autodiff re-traces the Keras function on each call, and Streamlit
    reruns the page on every click, while the curves only change with δ, γ and y.
    """
    return dict(_family_curves(kind, float(y), float(delta), float(gamma), backend.name()))


@functools.lru_cache(maxsize=64)
def _family_curves(kind: str, y: float, delta: float, gamma: float, _backend: str):
    params = {"delta": delta, "gamma": gamma, None: None}
    out = {}
    for name in names(kind):
        label = f"{name} · y={y:g}" if kind == CLASSIFICATION else name
        xs = grid(name)
        out[label] = (xs, *curve(name, xs, y, params[LOSSES[name].param]))
    return tuple(out.items())


def grid(name: str, n: int = 201) -> np.ndarray:
    """The x values to plot a loss over (probabilities stay strictly inside (0, 1))."""
    lo, hi = LOSSES[name].x_range
    if LOSSES[name].probability:
        lo, hi = 0.005, 0.995
    return np.linspace(lo, hi, n)


# ---- the two experiments' models: one description, read by app and notebook ---------

@dataclass(frozen=True)
class Experiment:
    """One training experiment's model and fit; the page and its notebook both read it.

    The model is `layer_specs()` compiled by `compile(loss, lr)`: the app
    builds from them (`models.build_sequential`), the notebook prints them, so
    the code a learner takes home is the model the app trained.
    """

    n_inputs: int
    hidden: tuple[int, ...]              # tanh layers between input and output
    output_activation: str | None
    metrics: tuple[str, ...]
    validation: float                    # fraction held out (seeded split)
    batch_size: int = 32

    def layer_specs(self) -> list[models.LayerSpec]:
        return [("Input", ((self.n_inputs,),), {}),
                *(("Dense", (n,), {"activation": "tanh", "name": f"hidden_{i + 1}"})
                  for i, n in enumerate(self.hidden)),
                ("Dense", (1,), {"activation": self.output_activation, "name": "output"})]

    def compile(self, loss, learning_rate: float) -> models.Compile:
        """Adam at `learning_rate` on `loss` (a Keras loss object or function)."""
        return models.Compile("adam", learning_rate, loss, self.metrics)

    def model(self, loss, learning_rate: float, seed: int):
        """This experiment's model compiled with `loss`, from the seed's initial weights.

        The same seed gives the same initial weights for any loss: that is what
        makes a loss comparison fair, only the loss differs between runs.
        """
        return models.build_sequential(self.layer_specs(), self.compile(loss, learning_rate), seed,
                                       name="loss_model")

    def train_config(self, epochs: int, seed: int):
        """How `nnkit.train` fits this experiment (the notebook's `fit` mirrors it)."""
        from nnkit.core.training import TrainConfig

        return TrainConfig(epochs, self.batch_size, self.validation, seed)


def predict(model, x: np.ndarray) -> np.ndarray:
    """Model output as a flat NumPy array (a direct call: cheap enough for live redraws)."""
    from keras import ops

    return np.asarray(ops.convert_to_numpy(model(np.asarray(x, "float32"), training=False))).ravel()


def constant_loss(loss, y: np.ndarray, candidates: np.ndarray) -> float:
    """The lowest loss any constant prediction reaches on targets `y`: the no-skill bar.

    A model whose loss is not below this has learned nothing a constant could
    not. `loss` is the Keras loss the run trained with (object or function),
    evaluated per example for every candidate constant in one call.
    """
    from keras import ops

    y = np.asarray(y, "float32").reshape(-1, 1)
    c = np.asarray(candidates, "float32")
    true = np.tile(y, (len(c), 1))
    pred = np.repeat(c, len(y)).reshape(-1, 1)
    per_example = loss.call(true, pred) if hasattr(loss, "call") else loss(true, pred)
    values = np.asarray(ops.convert_to_numpy(per_example), "float64").reshape(len(c), len(y))
    return float(values.mean(axis=1).min())
