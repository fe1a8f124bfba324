"""Loss functions: what each one rewards and punishes, from the real `keras.losses`.

A registry (`LOSSES`) names every loss the page shows, with its LaTeX formula
and a NumPy version of that same formula (`formula`), so tests can check the
formula on screen against Keras. Curves and gradients (`curve`) always come
from the Keras function itself, differentiated by `backend.gradient_fn`.
`by_hand` spells a loss out term by term for a few typed-in values, and the
experiment helpers (data, models, metrics, lessons) serve the page's two
training experiments: outliers (regression) and class imbalance.
"""

from __future__ import annotations

import functools
import inspect
import math
from dataclasses import dataclass, field
from typing import Callable, Sequence

import numpy as np

from nnkit.core import backend, data

# Keras clips probabilities to [EPSILON, 1 - EPSILON] before taking a log. In
# float32 (Keras's default) 1 - 1e-7 rounds to 0.99999988, so log(1 - p) is
# floored at log(1.19e-7), not log(1e-7); we use the float32 bounds exactly.
EPSILON = 1e-7
CLIP_LOW = float(np.float32(EPSILON))
CLIP_HIGH = float(np.float32(1.0) - np.float32(EPSILON))

REGRESSION, CLASSIFICATION = "regression", "classification"


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
             r"L = \frac{1}{n}\sum_i \max(0,\ 1 - t_i\hat y_i),\quad t_i = 2y_i - 1 \in \{-1, 1\}",
             "Zero once the score is on the right side with margin 1; linear penalty otherwise. Expects scores, not probabilities.",
             x_range=(-2.0, 2.0)),
    LossSpec("squared hinge", CLASSIFICATION, "squared_hinge",
             r"L = \frac{1}{n}\sum_i \max(0,\ 1 - t_i\hat y_i)^2,\quad t_i = 2y_i - 1",
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
        return np.log(np.cosh(e))
    if name in ("binary cross-entropy", "categorical cross-entropy"):
        return _bce(y, p)
    if name in ("hinge", "squared hinge"):
        t = _hinge_labels(y)
        margin = np.maximum(0.0, 1.0 - t * p)
        return margin if name == "hinge" else margin ** 2
    if name == "focal":
        gamma = 2.0 if param is None else param
        p_t = y * p + (1 - y) * (1 - p)
        return (1 - p_t) ** gamma * _bce(y, p)
    raise KeyError(name)


def _bce(y: np.ndarray, p: np.ndarray) -> np.ndarray:
    q = np.clip(p, CLIP_LOW, CLIP_HIGH)
    return -(y * np.log(q) + (1 - y) * np.log(1 - q))


def _hinge_labels(y: np.ndarray) -> np.ndarray:
    # Keras turns 0/1 labels into -1/1 (and leaves -1/1 alone).
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


# ---- by hand ----------------------------------------------------------------------

class InputError(ValueError):
    """Input a learner typed that we cannot compute with; the message says why."""


def parse_numbers(text: str, what: str) -> list[float]:
    """Comma/space-separated numbers, or an InputError naming the bad entry."""
    parts = [p for p in text.replace(";", ",").replace(",", " ").split() if p]
    if not parts:
        raise InputError(f"{what} is empty: type a few numbers separated by commas.")
    values = []
    for i, part in enumerate(parts, start=1):
        try:
            value = float(part)
        except ValueError:
            raise InputError(f"{what}: entry {i}, {part!r}, is not a number.") from None
        if not math.isfinite(value):
            raise InputError(f"{what}: entry {i} is {part}; use finite numbers.")
        values.append(value)
    return values


def check_inputs(name: str, y_true: Sequence[float], y_pred: Sequence[float]) -> list[str]:
    """Raise InputError for values the loss cannot take; return warnings to show."""
    spec = LOSSES[name]
    if len(y_true) != len(y_pred):
        raise InputError(f"y_true has {len(y_true)} values but y_pred has {len(y_pred)}: "
                         "give one prediction per true value.")
    if len(y_true) > 50:
        raise InputError("Use at most 50 values; this table is for working by hand.")
    warnings = []
    if spec.kind == CLASSIFICATION:
        labels = set(y_true)
        allowed = {-1.0, 1.0} if spec.name in ("hinge", "squared hinge") else set()
        if not (all(0 <= v <= 1 for v in labels) or labels <= allowed):
            raise InputError(f"{name} needs labels y_true in [0, 1] (0 or 1 for a class)"
                             f"{' or −1/1' if allowed else ''}; got {sorted(labels)}.")
    if spec.probability:
        bad = [(i, v) for i, v in enumerate(y_pred, start=1) if not 0 <= v <= 1]
        if bad:
            i, v = bad[0]
            raise InputError(f"{name} needs probabilities: y_pred entry {i} is {v:g}, "
                             "outside [0, 1]. (A sigmoid output is always inside.)")
        edges = [i for i, v in enumerate(y_pred, start=1) if v in (0.0, 1.0)]
        if edges:
            which = (f"entry {edges[0]} is" if len(edges) == 1
                     else f"entries {', '.join(map(str, edges))} are")
            warnings.append(
                f"y_pred {which} exactly 0 or 1, where log(0) = −∞. "
                f"Keras clips predictions to [ε, 1 − ε] with ε = 10⁻⁷ first (1 − ε is "
                f"{CLIP_HIGH:.8f} in float32), so a confident mistake costs about "
                f"{-math.log(CLIP_LOW):.1f}, not infinity. The table shows the clipped values.")
    return warnings


@dataclass
class HandCalc:
    """A loss worked out term by term, next to what Keras returns."""

    columns: list[str]
    rows: list[list[float]]          # one row per element, last column is the term
    total: float                     # mean of the terms
    keras_total: float               # keras.losses on the same numbers
    warnings: list[str] = field(default_factory=list)

    @property
    def terms(self) -> list[float]:
        return [row[-1] for row in self.rows]


def by_hand(name: str, y_true: Sequence[float], y_pred: Sequence[float],
            param: float | None = None) -> HandCalc:
    """Each element's steps and term; their mean is the Keras loss.

    Raises InputError (with a message for the learner) on unusable input.
    """
    warnings = check_inputs(name, y_true, y_pred)
    y, p = np.asarray(y_true, "float64"), np.asarray(y_pred, "float64")
    e = p - y
    term = formula(name, y, p, param)
    if name in ("MSE", "MAE", "Huber", "log-cosh"):
        step = {"MSE": ("e²", e ** 2), "MAE": ("|e|", np.abs(e)), "Huber": ("|e|", np.abs(e)),
                "log-cosh": ("cosh e", np.cosh(e))}[name]
        columns, steps = ["y", "ŷ", "e = ŷ − y", step[0]], [y, p, e, step[1]]
    elif name in ("hinge", "squared hinge"):
        t = _hinge_labels(y)
        columns, steps = ["y", "ŷ", "t = ±1", "1 − t·ŷ"], [y, p, t, 1 - t * p]
    else:
        q = np.clip(p, CLIP_LOW, CLIP_HIGH)
        columns = ["y", "ŷ", "p̂ = clip(ŷ)", "log p̂", "log(1 − p̂)"]
        steps = [y, p, q, np.log(q), np.log(1 - q)]
        if name == "focal":
            p_t = y * p + (1 - y) * (1 - p)
            columns += ["BCE", "p_t", "(1 − p_t)^γ"]
            steps += [_bce(y, p), p_t, (1 - p_t) ** (2.0 if param is None else param)]
    rows = np.stack([*steps, term], axis=1).tolist()
    keras_value = _keras_mean(name, y, p, param)
    return HandCalc([*columns, "term"], rows, float(np.mean(term)), keras_value, warnings)


def _keras_mean(name: str, y: np.ndarray, p: np.ndarray, param: float | None) -> float:
    from keras import ops

    # One sample with n outputs: Keras averages over the last axis, like the table.
    value = keras_loss(name, param)(y[None, :].astype("float32"), p[None, :].astype("float32"))
    return float(ops.convert_to_numpy(value)[0])


def hand_lesson(calc: HandCalc) -> str:
    """Which entry the loss cares most about, in this table's numbers."""
    terms = np.asarray(calc.terms)
    if terms.sum() <= 0:
        return f"Every term is 0, so the loss is 0: nothing to correct. Keras agrees ({calc.keras_total:.6g})."
    worst = int(np.argmax(terms))
    share = terms[worst] / terms.sum()
    return (f"The mean of the terms is **{calc.total:.6g}**; `keras.losses` returns "
            f"**{calc.keras_total:.6g}**. Entry {worst + 1} alone contributes {share:.0%} of the total, "
            "so that is the prediction training will push hardest to fix.")


# ---- experiment A: outliers (regression) -----------------------------------------

SLOPE, INTERCEPT = 1.5, 0.5  # the clean line y = 1.5x + 0.5 the model should find


@dataclass(frozen=True)
class OutlierData:
    """Points on a noisy line, some pushed far upward (the outliers)."""

    x: np.ndarray           # shape (n, 1), float32
    y: np.ndarray           # shape (n, 1), float32
    outlier: np.ndarray     # shape (n,), bool

    def true_line(self, x: np.ndarray) -> np.ndarray:
        return SLOPE * np.asarray(x) + INTERCEPT


def outlier_data(n_points: int = 200, outlier_fraction: float = 0.1, noise: float = 0.3,
                 seed: int = 0) -> OutlierData:
    """y = 1.5x + 0.5 + noise on x ∈ [−2, 2]; a fraction of points get y += 6–10.

    The outliers all sit on one side so they *bias* a fit, as a faulty sensor
    would; symmetric outliers would mostly cancel out even for MSE.
    """
    if not 0 <= outlier_fraction < 1:
        raise ValueError(f"outlier fraction must be in [0, 1), got {outlier_fraction}")
    rng = np.random.default_rng(seed)
    x = rng.uniform(-2, 2, n_points)
    y = SLOPE * x + INTERCEPT + rng.normal(0, noise, n_points)
    outlier = np.zeros(n_points, bool)
    outlier[rng.permutation(n_points)[:int(round(outlier_fraction * n_points))]] = True
    y[outlier] += rng.uniform(6, 10, outlier.sum())
    return OutlierData(x[:, None].astype("float32"), y[:, None].astype("float32"), outlier)


def regression_loss(name: str, delta: float = 1.0):
    """The Keras loss object to compile with for MSE, MAE or Huber(δ)."""
    import keras

    return {"MSE": keras.losses.MeanSquaredError, "MAE": keras.losses.MeanAbsoluteError,
            "Huber": lambda: keras.losses.Huber(delta=delta),
            "log-cosh": keras.losses.LogCosh}[name]()


def build_model(n_inputs: int, hidden: tuple[int, ...], output_activation: str | None,
                loss, learning_rate: float, seed: int, metrics: Sequence = ()):
    """A small dense model; the same seed gives the same initial weights for any loss.

    That is what makes a loss comparison fair: only the loss differs between runs.
    Example: `build_model(1, (), None, "mse", 0.1, 0)` is linear regression.
    """
    import keras

    backend.set_seed(seed)
    layers = [keras.Input((n_inputs,))]
    layers += [keras.layers.Dense(n, activation="tanh", name=f"hidden_{i + 1}")
               for i, n in enumerate(hidden)]
    layers.append(keras.layers.Dense(1, activation=output_activation, name="output"))
    model = keras.Sequential(layers, name="loss_model")
    model.compile(optimizer=keras.optimizers.Adam(learning_rate), loss=loss, metrics=list(metrics))
    return model


@dataclass(frozen=True)
class Experiment:
    """One training experiment's model and fit; the page and its notebook both read it."""

    n_inputs: int
    hidden: tuple[int, ...]              # tanh layers between input and output
    output_activation: str | None
    metrics: tuple[str, ...]
    validation: float                    # fraction held out (seeded split)
    batch_size: int = 32

    def model(self, loss, learning_rate: float, seed: int):
        """This experiment's model compiled with `loss`, from the seed's initial weights."""
        return build_model(self.n_inputs, self.hidden, self.output_activation, loss,
                           learning_rate, seed, self.metrics)

    def train_config(self, epochs: int, seed: int):
        """How `nnkit.train` fits this experiment (the notebook's `fit` mirrors it)."""
        from nnkit.core.training import TrainConfig

        return TrainConfig(epochs, self.batch_size, self.validation, seed)


OUTLIERS = Experiment(1, (), None, ("mae",), 0.0)                  # linear regression
IMBALANCE = Experiment(2, (8,), "sigmoid", ("accuracy",), 0.2)     # 2 → 8 → 1 classifier
OUTLIER_LOSSES = ("MSE", "MAE", "Huber")


def predict(model, x: np.ndarray) -> np.ndarray:
    """Model output as a flat NumPy array (a direct call: cheap enough for live redraws)."""
    from keras import ops

    return np.asarray(ops.convert_to_numpy(model(np.asarray(x, "float32"), training=False))).ravel()


def clean_rmse(data: OutlierData, predictions: np.ndarray) -> float:
    """Root-mean-square distance from the true line, on the clean points only."""
    clean = ~data.outlier
    truth = data.true_line(data.x[clean, 0])
    return float(np.sqrt(np.mean((np.asarray(predictions)[clean] - truth) ** 2)))


def outlier_lesson(rmse: dict[str, float], outlier_fraction: float, reasons: dict[str, str]) -> str:
    """What the outlier experiment showed, from this run's clean-point errors."""
    from nnkit.core.training import DIVERGED, FINISHED

    diverged = [k for k, r in reasons.items() if r == DIVERGED]
    if diverged:
        return (f"{', '.join(diverged)} diverged (the loss became NaN): lower the learning rate "
                "and train again before comparing.")
    if not rmse:
        return "Train the three losses to compare them."
    best, worst = min(rmse, key=rmse.get), max(rmse, key=rmse.get)
    parts = ", ".join(f"{k} {v:.3f}" for k, v in rmse.items())
    text = f"Distance from the true line on clean points (RMSE): {parts}. "
    if outlier_fraction == 0:
        text += "With no outliers all losses aim at the same line, so the differences are small."
    elif rmse[worst] > 1.5 * rmse[best]:
        text += (f"With {outlier_fraction:.0%} outliers, **{worst}** fitted worst: "
                 f"{'squaring makes each far-off point pull hard, so the line is dragged toward them' if worst == 'MSE' else 'it was pulled toward the outliers'}. "
                 f"**{best}** stayed closest, because beyond a point its gradient stops growing with the error.")
    else:
        text += (f"With {outlier_fraction:.0%} outliers the fits are close; more outliers or more "
                 "epochs make the difference clearer.")
    if any(r != FINISHED for r in reasons.values()):
        text += " Some runs did not finish, so compare with care."
    return text


# ---- experiment B: class imbalance -----------------------------------------------

def imbalanced_data(n_points: int = 1000, minority: float = 0.1, seed: int = 0,
                    separation: float = 0.8) -> tuple[np.ndarray, np.ndarray]:
    """Two overlapping 2-D clusters where class 1 is only `minority` of the points.

    The overlap matters: on separable data every loss wins and there is nothing
    to see. Features are standardised; y has shape (n, 1), float32.
    """
    from sklearn.datasets import make_classification

    if not 0 < minority < 1:
        raise ValueError(f"minority share must be in (0, 1), got {minority}")
    x, y = make_classification(n_samples=n_points, n_features=2, n_informative=2, n_redundant=0,
                               n_clusters_per_class=1, weights=[1 - minority], flip_y=0.0,
                               class_sep=separation, random_state=seed)
    x = (x - x.mean(0)) / x.std(0)
    return x.astype("float32"), y.astype("float32")[:, None]


def balanced_weights(y: np.ndarray) -> tuple[float, float]:
    """scikit-learn's "balanced" class weights n / (2·n_c) for classes 0 and 1."""
    from sklearn.utils.class_weight import compute_class_weight

    labels = np.asarray(y).ravel().astype(int)
    if len(np.unique(labels)) < 2:
        return 1.0, 1.0
    w = compute_class_weight("balanced", classes=np.array([0, 1]), y=labels)
    return float(w[0]), float(w[1])


WEIGHTED_BCE_LATEX = (r"\mathrm{wBCE} = -\frac{1}{n}\sum_i w_{y_i}\big[y_i\log\hat p_i + (1-y_i)"
                      r"\log(1-\hat p_i)\big],\quad w_c = \frac{n}{2\,n_c}")


def weighted_bce(weight_0: float, weight_1: float) -> Callable:
    """Binary cross-entropy with each example scaled by its class weight.

    Equivalent to `fit(class_weight=...)`, but as a loss, because nnkit's
    `train()` does not pass class weights: mistakes on the rare class cost more.
    """
    def weighted_binary_crossentropy(y_true, y_pred):
        from keras import ops

        y_true = ops.cast(y_true, y_pred.dtype)
        w = y_true * weight_1 + (1.0 - y_true) * weight_0
        return ops.mean(w * ops.binary_crossentropy(y_true, y_pred), axis=-1)

    return weighted_binary_crossentropy


def imbalance_losses(y_train: np.ndarray, gamma: float) -> dict[str, object]:
    """The three losses of experiment B, keyed by the label the page shows."""
    import keras

    w0, w1 = balanced_weights(y_train)
    return {"BCE": keras.losses.BinaryCrossentropy(),
            f"weighted BCE (w₁ = {w1:.1f})": weighted_bce(w0, w1),
            f"focal (γ = {gamma:g})": keras.losses.BinaryFocalCrossentropy(gamma=gamma)}


def classification_metrics(y_true: np.ndarray, probability: np.ndarray,
                           threshold: float = 0.5) -> dict:
    """Precision, recall and F1 of class 1 plus the confusion matrix, via scikit-learn."""
    from sklearn.metrics import confusion_matrix, precision_recall_fscore_support

    y = np.asarray(y_true).ravel().astype(int)
    pred = (np.asarray(probability).ravel() >= threshold).astype(int)
    precision, recall, f1, _ = precision_recall_fscore_support(
        y, pred, average="binary", pos_label=1, zero_division=0)
    return {"precision": float(precision), "recall": float(recall), "f1": float(f1),
            "confusion": confusion_matrix(y, pred, labels=[0, 1]).tolist(),
            "positives": int(y.sum()), "n": int(len(y))}


def imbalance_lesson(metrics: dict[str, dict], minority: float, reasons: dict[str, str]) -> str:
    """What the imbalance experiment showed, from this run's precision/recall/F1."""
    from nnkit.core.training import DIVERGED

    diverged = [k for k, r in reasons.items() if r == DIVERGED]
    if diverged:
        return f"{', '.join(diverged)} diverged: lower the learning rate and train again."
    if not metrics:
        return "Train the three losses to compare them."
    first = next(iter(metrics.values()))
    text = (f"Class 1 is {minority:.0%} of the data ({first['positives']} of {first['n']} "
            "held-out points). ")
    text += " ".join(f"**{k}**: recall {m['recall']:.0%}, precision {m['precision']:.0%}, "
                     f"F1 {m['f1']:.2f}." for k, m in metrics.items())
    best_recall = max(metrics, key=lambda k: metrics[k]["recall"])
    best_f1 = max(metrics, key=lambda k: metrics[k]["f1"])
    plain = metrics.get("BCE")
    if plain and plain["recall"] < metrics[best_recall]["recall"]:
        text += (f" Plain BCE found only {plain['recall']:.0%} of the rare class: predicting "
                 "the majority is cheap when it is most of the data. "
                 f"**{best_recall}** found the most ({metrics[best_recall]['recall']:.0%}), "
                 "usually at the price of more false alarms (lower precision).")
    else:
        text += " Here plain BCE already finds the rare class as well as the others; lower the class ratio to see the difference."
    text += f" The best balance of the two (F1) came from **{best_f1}**."
    return text


# ---- export: each experiment as a plain-Keras notebook ---------------------------

def outlier_notebook(settings: dict) -> bytes:
    """Reproduce experiment A: same points, seed, model and fit for MSE, MAE and Huber(δ).

    `settings` is the run's record (a_outliers, a_points, a_epochs, a_lr, delta, seed).
    """
    s, seed = settings, settings["seed"]
    data_code = (f"SLOPE, INTERCEPT = {SLOPE}, {INTERCEPT}\n\n\n{_source(OutlierData, outlier_data, clean_rmse, data.split)}\n"
                 f"points = outlier_data({s['a_points']}, {s['a_outliers']}, seed={seed})\n"
                 f"(x_train, y_train), _ = split(points.x, points.y, {OUTLIERS.validation}, seed={seed})")
    loss_code = (f"{_source(regression_loss)}\n"
                 f"loss_functions = {{name: regression_loss(name, delta={s['delta']}) for name in {OUTLIER_LOSSES}}}")
    plot_code = ("grid = np.linspace(-2, 2, 50, dtype=\"float32\")[:, None]\n"
                 "clean = ~points.outlier\nfig = go.Figure()\n"
                 'fig.add_scatter(x=points.x[clean, 0], y=points.y[clean, 0], mode="markers", name="clean points")\n'
                 'fig.add_scatter(x=points.x[~clean, 0], y=points.y[~clean, 0], mode="markers", name="outliers")\n'
                 'fig.add_scatter(x=grid[:, 0], y=points.true_line(grid[:, 0]), name="true line", line={"dash": "dot"})\n'
                 "for name, model in models.items():\n"
                 '    fig.add_scatter(x=grid[:, 0], y=model.predict(grid, verbose=0).ravel(), name=f"fit · {name}")\n'
                 "    print(name, \"RMSE to the true line on clean points:\",\n"
                 "          clean_rmse(points, model.predict(points.x, verbose=0).ravel()))\nfig")
    return _notebook(
        f"Loss functions, experiment A (outliers): MSE vs MAE vs Huber (δ = {s['delta']})", s,
        "A noisy line y = 1.5x + 0.5 with a share of points pushed far upward, as in the app.",
        data_code, "Each loss gets the same linear model with the same initial weights.",
        loss_code, OUTLIERS, s["a_lr"], s["a_epochs"], plot_code)


def imbalance_notebook(settings: dict) -> bytes:
    """Reproduce experiment B: BCE, class-weighted BCE and focal(γ) on the same rare-class data.

    `settings` is the run's record (b_minority, b_points, b_epochs, b_lr, gamma, seed).
    """
    s, seed = settings, settings["seed"]
    data_code = (f"{_source(imbalanced_data, data.split)}\n"
                 f"x, y = imbalanced_data({s['b_points']}, {s['b_minority']}, seed={seed})\n"
                 f"(x_train, y_train), (x_val, y_val) = split(x, y, {IMBALANCE.validation}, seed={seed})")
    loss_code = (f"{_source(balanced_weights, weighted_bce, imbalance_losses)}\n"
                 f"loss_functions = imbalance_losses(y_train, gamma={s['gamma']})")
    plot_code = (f"{_source(classification_metrics)}\n"
                 "for name, model in models.items():\n"
                 "    m = classification_metrics(y_val, model.predict(x_val, verbose=0).ravel())\n"
                 "    print(f\"{name}: precision {m['precision']:.2f}, recall {m['recall']:.2f}, \"\n"
                 "          f\"F1 {m['f1']:.2f}, confusion {m['confusion']}\")")
    return _notebook(
        f"Loss functions, experiment B (class imbalance): BCE vs weighted BCE vs focal (γ = {s['gamma']})", s,
        "Two overlapping clusters where class 1 is rare, then a seeded random split, as in the app.",
        data_code, "Each loss gets the same small network with the same initial weights; "
                   "the class weights come from the training split.",
        loss_code, IMBALANCE, s["b_lr"], s["b_epochs"], plot_code)


def _notebook(title: str, settings: dict, data_text: str, data_code: str, model_text: str,
              loss_code: str, exp: Experiment, learning_rate: float, epochs: int, result_code: str) -> bytes:
    from nnkit import notebook as export

    seed = settings["seed"]
    validation = "validation_data=(x_val, y_val), " if exp.validation else ""
    train_code = ("histories, models = {}, {}\nfor name, loss in loss_functions.items():\n"
                  "    model = build_model(loss)\n"
                  f"    keras.utils.set_random_seed({seed})  # the same shuffling for every loss\n"
                  f"    history = model.fit(x_train, y_train, epochs={epochs}, batch_size={exp.batch_size}, "
                  f"{validation}shuffle=True, verbose=0)\n"
                  "    histories[name], models[name] = history.history, model\n"
                  '    print(name, "final loss", history.history["loss"][-1])')
    curves_code = ("fig = go.Figure()\nfor name, history in histories.items():\n"
                   "    for metric, values in history.items():\n"
                   '        fig.add_scatter(y=values, name=f"{name} · {metric}")\n'
                   'fig.update_layout(xaxis_title="epoch")\nfig')
    return export.notebook_bytes([
        ("markdown", f"# {title}\n\nExported from nnkit. Settings: `{settings}`"),
        ("code", f'import os\nos.environ.setdefault("KERAS_BACKEND", "{backend.name()}")\n'
                 "from dataclasses import dataclass\nfrom typing import Callable\n\n"
                 "import keras\nimport numpy as np\nimport plotly.graph_objects as go"),
        ("markdown", f"## The data\n{data_text}"),
        ("code", data_code),
        ("markdown", f"## The model and the losses\n{model_text}"),
        ("code", _model_code(exp, learning_rate, seed)),
        ("code", loss_code),
        ("markdown", "## Train\nOne fit per loss, from the same seed, so only the loss differs."),
        ("code", train_code),
        ("code", curves_code),
        ("markdown", "## Results"),
        ("code", result_code),
    ])


def _model_code(exp: Experiment, learning_rate: float, seed: int) -> str:
    """`build_model(loss)` in plain Keras, layer for layer what `Experiment.model` builds."""
    hidden = "".join(f'        keras.layers.Dense({n}, activation="tanh", name="hidden_{i + 1}"),\n'
                     for i, n in enumerate(exp.hidden))
    return ("def build_model(loss):\n"
            f"    keras.utils.set_random_seed({seed})  # same initial weights for every loss\n"
            "    model = keras.Sequential([\n"
            f"        keras.Input(({exp.n_inputs},)),\n{hidden}"
            f'        keras.layers.Dense(1, activation={exp.output_activation!r}, name="output"),\n'
            '    ], name="loss_model")\n'
            f"    model.compile(optimizer=keras.optimizers.Adam({learning_rate}), loss=loss, "
            f"metrics={list(exp.metrics)})\n"
            "    return model")


def _source(*objects) -> str:
    """The source of small pure helpers, pasted into a notebook so it needs no nnkit."""
    return "\n\n".join(inspect.getsource(o) for o in objects)
