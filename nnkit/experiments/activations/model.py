"""Activation functions: what they compute, how steep they are, and what that does to training.

Every value comes from the real Keras activation (`keras.activations`, or
`keras.ops.arctan`, which Keras has as an op only) and every derivative from
autodiff of that same function (`backend.gradient_fn`), never from a
hand-written derivative. Each entry also carries the formula the page shows
(LaTeX) and the same formula in NumPy, so tests can check that what the page
*says* is what Keras *computes*.
"""

from __future__ import annotations

import inspect
import math
from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np

from nnkit.core import backend

SATURATION_THRESHOLD = 0.01  # |f'(z)| below this: the gradient has all but vanished
SELU_ALPHA, SELU_SCALE = 1.67326324, 1.05070098  # Keras's constants (Klambauer et al. 2017)


@dataclass(frozen=True)
class Activation:
    """One activation: its Keras call, the formula shown, and that formula in NumPy."""

    key: str
    label: str
    latex: str
    reference: Callable[[np.ndarray, float], np.ndarray]  # (z, slope) -> f(z), float64
    family: str  # "saturating", "relu", "smooth" or "linear"


def _sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def _softplus(z):
    return np.log1p(np.exp(-np.abs(z))) + np.maximum(z, 0.0)  # log(1 + e^z), overflow-safe


def _gelu(z):
    from scipy.special import erf

    return 0.5 * z * (1.0 + erf(z / math.sqrt(2.0)))


ACTIVATIONS: dict[str, Activation] = {a.key: a for a in (
    Activation("sigmoid", "sigmoid", r"\sigma(z) = \frac{1}{1 + e^{-z}}",
               lambda z, s: _sigmoid(z), "saturating"),
    Activation("tanh", "tanh", r"\tanh(z) = \frac{e^{z} - e^{-z}}{e^{z} + e^{-z}}",
               lambda z, s: np.tanh(z), "saturating"),
    Activation("arctan", "arctan", r"f(z) = \arctan(z)", lambda z, s: np.arctan(z), "saturating"),
    Activation("relu", "ReLU", r"\mathrm{ReLU}(z) = \max(0, z)",
               lambda z, s: np.maximum(0.0, z), "relu"),
    Activation("leaky_relu", "leaky ReLU",
               r"f(z) = \begin{cases} z & z > 0 \\ a\,z & z \le 0 \end{cases}",
               lambda z, s: np.where(z > 0, z, s * z), "relu"),
    Activation("elu", "ELU", r"f(z) = \begin{cases} z & z > 0 \\ e^{z} - 1 & z \le 0 \end{cases}",
               lambda z, s: np.where(z > 0, z, np.expm1(np.minimum(z, 0.0))), "smooth"),
    Activation("selu", "SELU",
               r"f(z) = \lambda \begin{cases} z & z > 0 \\ \alpha (e^{z} - 1) & z \le 0 \end{cases},"
               rf"\ \lambda = {SELU_SCALE},\ \alpha = {SELU_ALPHA}",
               lambda z, s: SELU_SCALE * np.where(z > 0, z, SELU_ALPHA * np.expm1(np.minimum(z, 0.0))),
               "smooth"),
    Activation("gelu", "GELU",
               r"\mathrm{GELU}(z) = z\,\Phi(z) = \frac{z}{2}\left(1 + \mathrm{erf}\frac{z}{\sqrt{2}}\right)",
               lambda z, s: _gelu(z), "smooth"),
    Activation("silu", "swish / SiLU", r"f(z) = z\,\sigma(z) = \frac{z}{1 + e^{-z}}",
               lambda z, s: z * _sigmoid(z), "smooth"),
    Activation("mish", "mish", r"f(z) = z \tanh\big(\ln(1 + e^{z})\big)",
               lambda z, s: z * np.tanh(_softplus(z)), "smooth"),
    Activation("softplus", "softplus", r"f(z) = \ln(1 + e^{z})", lambda z, s: _softplus(z), "smooth"),
    Activation("softsign", "softsign", r"f(z) = \frac{z}{1 + |z|}",
               lambda z, s: z / (1.0 + np.abs(z)), "saturating"),
    Activation("hard_sigmoid", "hard sigmoid",
               r"f(z) = \max\!\left(0, \min\!\left(1, \frac{z}{6} + \frac{1}{2}\right)\right)",
               lambda z, s: np.clip(z / 6.0 + 0.5, 0.0, 1.0), "saturating"),
    Activation("linear", "linear", r"f(z) = z", lambda z, s: np.asarray(z, dtype="float64"), "linear"),
)}


def keras_fn(key: str, slope: float = 0.2) -> Callable:
    """The real Keras activation as a tensor -> tensor function (slope: leaky ReLU only)."""
    import keras

    if key not in ACTIVATIONS:
        raise ValueError(f"unknown activation {key!r}; choose one of {', '.join(ACTIVATIONS)}")
    if key == "leaky_relu":
        return lambda z: keras.activations.leaky_relu(z, negative_slope=slope)
    if key == "arctan":
        return keras.ops.arctan  # Keras has no arctan activation, but has the op
    return keras.activations.get(key)


def values(key: str, z: np.ndarray, slope: float = 0.2) -> np.ndarray:
    """f(z) computed by Keras, as float32 NumPy."""
    from keras import ops

    out = keras_fn(key, slope)(ops.convert_to_tensor(np.asarray(z, dtype="float32")))
    return np.asarray(ops.convert_to_numpy(out))


def derivative(key: str, z: np.ndarray, slope: float = 0.2) -> np.ndarray:
    """f'(z) by autodiff of the Keras activation (no hand-written derivative)."""
    z = np.asarray(z, dtype="float32")
    return np.asarray(backend.gradient_fn(keras_fn(key, slope))(z.ravel())).reshape(z.shape)


def z_grid(z_min: float, z_max: float, n: int = 401) -> np.ndarray:
    """Evenly spaced inputs; raises ValueError on an empty or absurd range."""
    if not (math.isfinite(z_min) and math.isfinite(z_max)):
        raise ValueError("the range must be finite numbers")
    if z_min >= z_max:
        raise ValueError(f"the range minimum ({z_min:g}) must be below its maximum ({z_max:g})")
    if z_max - z_min > 1e4:
        raise ValueError("the range is wider than 10,000; choose a narrower one")
    return np.linspace(z_min, z_max, n, dtype="float32")


def saturated_intervals(z: np.ndarray, slope: np.ndarray,
                        threshold: float = SATURATION_THRESHOLD) -> list[tuple[float, float]]:
    """Contiguous stretches of z where |f'(z)| < threshold, as (start, end) pairs.

    Example: sigmoid on [-10, 10] gives about [(-10, -4.6), (4.6, 10)].
    """
    flat = np.abs(np.asarray(slope)) < threshold
    intervals, start = [], None
    for i, is_flat in enumerate(flat):
        if is_flat and start is None:
            start = i
        if start is not None and (not is_flat or i == len(flat) - 1):
            end = i if is_flat else i - 1
            intervals.append((float(z[start]), float(z[end])))
            start = None
    return intervals


def saturation_summary(intervals: dict[str, list[tuple[float, float]]]) -> str:
    """Where each function saturates, in words (the chart's text alternative).

    Example: {"sigmoid": [(-6, -4.6), (4.6, 6)]} ->
    "sigmoid saturates (|f'(z)| < 0.01) on z ∈ [-6, -4.6] and [4.6, 6]."
    """
    parts = []
    for label, spans in intervals.items():
        if spans:
            where = " and ".join(f"[{lo:.3g}, {hi:.3g}]" for lo, hi in spans)
            parts.append(f"{label} saturates (|f'(z)| < {SATURATION_THRESHOLD:g}) on z ∈ {where}")
        else:
            parts.append(f"{label} never saturates in this range")
    return "; ".join(parts) + "."


# ---- softmax -----------------------------------------------------------------

SOFTMAX_LATEX = r"p_i = \frac{e^{z_i / T}}{\sum_j e^{z_j / T}}"


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

TOY_POINTS, TOY_NOISE = 600, 0.2
PROBE_BATCH = 256  # examples the gradient/dead-unit probe looks at (fixed, seeded)
MAX_DEPTH, MAX_WIDTH = 12, 256


def load_dataset(name: str, seed: int = 0):
    """A toy 2-D set (600 noisy points) or a real scikit-learn table, by name."""
    from nnkit.core import data

    if name in data.TOY_2D:
        return data.TOY_2D[name](n_samples=TOY_POINTS, noise=TOY_NOISE, seed=seed)
    if name in data.REAL:
        return data.REAL[name](seed=seed)
    raise ValueError(f"unknown dataset {name!r}")


def check_architecture(depth: int, width: int) -> None:
    """ValueError with a readable reason for a network this page should not build."""
    if not 1 <= depth <= MAX_DEPTH:
        raise ValueError(f"depth must be between 1 and {MAX_DEPTH} hidden layers, got {depth}")
    if not 1 <= width <= MAX_WIDTH:
        raise ValueError(f"width must be between 1 and {MAX_WIDTH} units, got {width}")


def build_network(key: str, n_inputs: int, n_classes: int, depth: int, width: int,
                  optimizer: str = "sgd", learning_rate: float = 0.1, seed: int = 0,
                  slope: float = 0.2):
    """A compiled MLP whose hidden layers all use activation `key`.

    Seeding right before the layers are created gives every activation the
    *same* initial weights (activations have no weights of their own), so a
    comparison differs in the activation only.

    Example: depth 3, width 16 on moons gives 2 → 16 → 16 → 16 → 1 (sigmoid).
    """
    import keras

    from nnkit.core.models import output_spec

    check_architecture(depth, width)
    backend.set_seed(seed)
    units, out_activation, loss, metric = output_spec(n_classes)
    fn = keras_fn(key, slope)
    layers = [keras.Input((n_inputs,))]
    layers += [keras.layers.Dense(width, activation=fn, name=f"hidden_{i + 1}") for i in range(depth)]
    layers.append(keras.layers.Dense(units, activation=out_activation, name="output"))
    model = keras.Sequential(layers, name=f"mlp_{key}")
    opt = keras.optimizers.get({"class_name": optimizer, "config": {"learning_rate": learning_rate}})
    model.compile(optimizer=opt, loss=loss, metrics=[metric])
    return model


class LayerProbe:
    """Per-layer gradient norms and stuck-unit fractions on a fixed batch.

    `measure(epoch)` can be called while the model trains (from a live
    update, or a Keras callback's `on_epoch_end`): it reads the current
    weights and never changes them.

    - gradient norm: ‖∂L/∂W‖ of each Dense layer's kernel, from real autodiff
      of the loss (`backend.loss_gradients`).
    - stuck fraction: share of a hidden layer's units with |f'(z)| < 0.01 on
      *every* probe example. For ReLU these are dead units (z ≤ 0 for all
      inputs, so they never learn again); for sigmoid/tanh, saturated ones.
    """

    def __init__(self, model, x: np.ndarray, y: np.ndarray, key: str, slope: float = 0.2,
                 seed: int = 0):
        import keras

        pick = np.random.default_rng(seed).permutation(len(x))[:PROBE_BATCH]
        self.x, self.y = np.asarray(x[pick], "float32"), np.asarray(y[pick])
        if model.output_shape[-1] == 1:
            self.y = self.y.reshape(-1, 1).astype("float32")
        self.model, self.key, self.slope = model, key, slope
        self.loss_fn = keras.losses.get(model.loss)
        self.dense = [layer for layer in model.layers if hasattr(layer, "kernel")]
        self.layer_names = [layer.name for layer in self.dense]
        self.epochs: list[int] = []
        self.grad_norms: list[list[float]] = []   # [epoch][layer]
        self.stuck: list[list[float]] = []        # [epoch][hidden layer]

    def measure(self, epoch: int) -> None:
        """Record this epoch's numbers (a repeated epoch replaces the old entry)."""
        if self.epochs and self.epochs[-1] == epoch:
            self.epochs.pop(), self.grad_norms.pop(), self.stuck.pop()
        self.epochs.append(epoch)
        self.grad_norms.append(self._gradient_norms())
        self.stuck.append(self._stuck_fractions())

    def _gradient_norms(self) -> list[float]:
        grads = backend.loss_gradients(self.model, self.x, self.y, self.loss_fn)
        by_id = {id(v): g for v, g in zip(self.model.trainable_variables, grads)}
        return [float(np.linalg.norm(by_id[id(layer.kernel)])) for layer in self.dense]

    def _stuck_fractions(self) -> list[float]:
        h, pre = self.x, []
        for layer in self.dense[:-1]:
            z = h @ np.asarray(layer.kernel.numpy()) + np.asarray(layer.bias.numpy())
            pre.append(z)
            h = values(self.key, z, self.slope)
        if not pre:
            return []
        slopes = derivative(self.key, np.concatenate([z.ravel() for z in pre]), self.slope)
        fractions, start = [], 0
        for z in pre:
            d = slopes[start:start + z.size].reshape(z.shape)
            start += z.size
            fractions.append(float(np.mean(np.all(np.abs(d) < SATURATION_THRESHOLD, axis=0))))
        return fractions

    def latest(self) -> dict:
        """The last measurement as plain data (kept in a run record, no model inside)."""
        if not self.epochs:
            return {"epoch": 0, "grad_norms": [], "stuck": [], "layers": self.layer_names}
        return {"epoch": self.epochs[-1], "grad_norms": self.grad_norms[-1],
                "stuck": self.stuck[-1], "layers": self.layer_names,
                "first_epoch": self.epochs[0], "first_grad_norms": self.grad_norms[0]}


# ---- reading the results -------------------------------------------------------

def majority_share(y: np.ndarray) -> float:
    """Accuracy of always guessing the most common class: the 'chance' bar to beat."""
    counts = np.bincount(np.asarray(y, dtype="int64").ravel())
    return float(counts.max() / counts.sum()) if counts.size else 0.0


def gradient_ratio(norms: Sequence[float]) -> float | None:
    """Last hidden layer's gradient norm over the first's (None below 2 hidden layers).

    With `norms` listing every Dense layer input side first, the output layer
    is last, so hidden layers are norms[:-1]. 1000 means the first layer gets a
    thousand times less gradient than the last hidden one.
    """
    hidden = list(norms)[:-1]
    if len(hidden) < 2 or not all(math.isfinite(v) for v in hidden):
        return None
    if hidden[0] > 0:
        return hidden[-1] / hidden[0]
    return math.inf if hidden[-1] > 0 else None  # 0 / 0: no gradient anywhere, nothing to compare


def what_happened(runs: Sequence, dataset: str, depth: int, chance: float) -> str:
    """Markdown that reads *this* comparison's numbers back to the learner.

    Args:
        runs: `RunRecord`s, one per activation, whose `artifacts["probe"]` is
            a `LayerProbe.latest()` dict and `settings["activation"]` the key.
        dataset: dataset name, for the first sentence.
        depth: hidden layers of the compared networks.
        chance: accuracy of guessing the majority class.
    """
    from nnkit.core.training import DIVERGED, FINISHED

    if not runs:
        return "Run the comparison to see what the activations did."
    scored = [(r, r.final("val_accuracy") or r.final("accuracy")) for r in runs]
    ranked = sorted((s for s in scored if s[1] is not None), key=lambda s: -s[1])
    lines = []
    if ranked:
        accs = ", ".join(f"**{r.label}** {a:.0%}" for r, a in ranked)
        lines.append(f"On {dataset} with {depth} hidden layer{'s' if depth > 1 else ''}, validation "
                     f"accuracy was {accs} (always guessing the commonest class scores {chance:.0%}).")
    for record, acc in scored:
        lines.append(_one_activation(record, acc, chance, DIVERGED, FINISHED))
    return "\n".join(f"- {line}" for line in lines if line)


def _fold(ratio: float) -> str:
    """1234.5 -> "1,234×"; an infinite ratio (nothing reached the first layer) -> "infinitely"."""
    return f"{ratio:,.0f}×" if math.isfinite(ratio) else "infinitely"


def _later(norms: Sequence[float], ratio: float | None, epoch: int) -> str:
    """How the first-vs-last hidden layer gradient compares at the last measurement."""
    hidden = list(norms)[:-1]
    if len(hidden) < 2:
        return ""
    if not all(math.isfinite(v) for v in hidden):
        return f"; by epoch {epoch} the gradients were no longer finite numbers"
    if ratio is None or not math.isfinite(ratio):
        return f"; by epoch {epoch} no gradient reached the first hidden layer at all"
    size = f"{_fold(ratio)} smaller" if ratio >= 1 else f"{_fold(1 / ratio)} larger"
    return f"; after epoch {epoch} the first layer's gradient was {size} than the last hidden layer's"


def _max_slope(record) -> float:
    key = record.settings.get("activation", "linear")
    z = z_grid(-10.0, 10.0, 2001)
    return float(np.max(np.abs(derivative(key, z, record.settings.get("slope", 0.2)))))


def _one_activation(record, accuracy: float | None, chance: float, diverged: str, finished: str) -> str:
    name = f"**{record.label}**"
    if record.reason == diverged:
        return f"{name}: {record.message}"
    probe = record.artifacts.get("probe") or {}
    parts = []
    # The mechanism shows best before training reshapes the weights (epoch 0),
    # so read the first measurement, and say where it ended up.
    norms = probe.get("first_grad_norms") or probe.get("grad_norms", [])
    when = probe.get("first_epoch", probe.get("epoch", 0))
    ratio, end = gradient_ratio(norms), gradient_ratio(probe.get("grad_norms", []))
    at = "at initialisation" if when == 0 else f"at epoch {when}"
    last_epoch = probe.get("epoch", 0)
    later = _later(probe.get("grad_norms", []), end, last_epoch) if last_epoch != when else ""
    if ratio is not None and ratio >= 10:
        parts.append(f"{at} its first hidden layer got gradients {_fold(ratio)} smaller than its last "
                     f"hidden layer ({norms[0]:.1e} vs {norms[-2]:.1e}){later}: on its way back the "
                     f"gradient is multiplied, layer after layer, by f'(z) (at most {_max_slope(record):.2f} "
                     "here) and by the weights")
        if accuracy is not None and accuracy < chance + 0.05:
            parts.append("so the early layers barely moved and it stayed near chance")
    elif ratio is not None and ratio <= 0.1:
        parts.append(f"{at} its first hidden layer got {_fold(1 / ratio) if ratio else 'infinitely'} "
                     "*larger* gradients than its last "
                     f"(growing towards the input: the start of exploding gradients){later}")
    elif ratio is not None:
        parts.append(f"{at} gradients stayed within a factor {max(ratio, 1 / ratio):.1f} from the last "
                     f"hidden layer to the first, so every layer could learn{later}")
    stuck = probe.get("stuck", [])
    if stuck:
        share = float(np.mean(stuck))
        kind = ACTIVATIONS.get(record.settings.get("activation", ""), None)
        word = "dead" if kind is not None and kind.family == "relu" else "saturated"
        if share > 0:
            worst = int(np.argmax(stuck))
            parts.append(f"{share:.0%} of its hidden units were {word} (|f'(z)| < 0.01 on every "
                         f"probe example), most in hidden_{worst + 1} ({stuck[worst]:.0%}); "
                         "they pass no gradient back, so they stop learning")
        elif record.settings.get("activation") == "leaky_relu":
            parts.append("no unit died: below zero a leaky ReLU still has slope "
                         f"{record.settings.get('slope', 0.2):g}, so gradient always gets through")
        elif word == "dead":
            parts.append("no unit died: every ReLU was active for some examples")
    if record.reason != finished:
        parts.append(f"(run {record.reason} after {record.epochs_run} epochs)")
    return f"{name}: " + "; ".join(parts) + "." if parts else ""


def neuron_readout(x1: float, x2: float, w1: float, w2: float, b: float, key: str,
                   slope: float = 0.2) -> str:
    """The forward pass for one input, with every number, as markdown."""
    def num(v: float) -> str:
        return f"({v:g})" if v < 0 else f"{v:g}"

    z, f = neuron_output(x1, x2, w1, w2, b, key, slope)
    df = derivative(key, z, slope)
    name = ACTIVATIONS[key].label
    return (f"**Forward pass at x = ({x1:g}, {x2:g})**\n\n"
            f"z = w₁x₁ + w₂x₂ + b = {num(w1)}·{num(x1)} + {num(w2)}·{num(x2)} + {num(b)} "
            f"= **{float(z):.3f}**\n\n"
            f"f(z) = {name}({float(z):.3f}) = **{float(f):.4f}**\n\n"
            f"f'(z) = {float(df):.4f}: the factor by which this neuron scales the gradient it passes back"
            + (" (saturated: almost nothing gets through)" if abs(float(df)) < SATURATION_THRESHOLD else ""))


# ---- settings: several activations in a shareable link --------------------------

# ---- export: the comparison as a plain-Keras notebook ----------------------------

def _data_code(name: str, seed: int) -> str:
    """NumPy/scikit-learn code leaving the same `x`, `y` as `load_dataset(name, seed)`."""
    from nnkit import notebook as export
    from nnkit.core import data

    if name in data.TOY_2D:
        return data.toy_code(name, TOY_POINTS, TOY_NOISE, seed)
    shuffle = inspect.getsource(data._shuffled)
    if name == "digits":
        return (f"from sklearn.datasets import load_digits\n{shuffle}\n"
                f"bunch = load_digits()\nx, y = _shuffled(bunch.data / 16.0, bunch.target, {seed})")
    if name == "breast cancer":
        return (f"from sklearn.datasets import load_breast_cancer\n{shuffle}\n"
                "bunch = load_breast_cancer()\n"
                "x = (bunch.data - bunch.data.mean(0)) / bunch.data.std(0)  # standardised\n"
                f"x, y = _shuffled(x, bunch.target, {seed})")
    raise ValueError(f"unknown dataset {name!r}")


def _keras_fn_code(key: str, slope: float) -> str:
    """The expression `keras_fn(key, slope)` evaluates, as notebook source."""
    if key == "leaky_relu":
        return f"lambda z: keras.activations.leaky_relu(z, negative_slope={slope})"
    if key == "arctan":
        return "keras.ops.arctan"
    return f'keras.activations.get("{key}")'


def activations_notebook(settings: dict, activations: Sequence[str], outcome: str = "") -> bytes:
    """The page's comparison as a notebook: the same network trained once per activation.

    Args:
        settings: the runs' settings (dataset, depth, width, optimizer, lr,
            epochs, batch, seed, slope), as `RunRecord.settings` holds them.
        activations: activation keys in the order trained, e.g. ["sigmoid", "relu"].
        outcome: what the app reported, quoted in the first cell.
    """
    import os

    from nnkit import notebook as export
    from nnkit.core import data
    from nnkit.core.models import output_spec

    s = settings
    dataset = load_dataset(s["dataset"], s["seed"])
    units, out_activation, loss, metric = output_spec(max(2, len(dataset.class_names)))
    labels = ", ".join(ACTIVATIONS[a].label for a in activations)
    registry = "".join(f'    "{a}": {_keras_fn_code(a, s["slope"])},\n' for a in activations)
    optimizer = {"sgd": "SGD", "adam": "Adam"}[s["optimizer"]]
    cells: list[tuple[str, str]] = [
        ("markdown", f"# Activation explorer: {labels} on {s['dataset']}, exported from nnkit\n\n"
                     f"Settings: `{settings}`\n\n" + (f"In the app: {outcome}" if outcome else "")),
        ("code", f'import os\nos.environ.setdefault("KERAS_BACKEND", "{os.environ.get("KERAS_BACKEND", "jax")}")\n'
                 "import keras\nimport numpy as np\nimport plotly.graph_objects as go"),
        ("markdown", "## The data\nThe same examples as in the app, then a seeded random 80/20 split."),
        ("code", _data_code(s["dataset"], s["seed"]) + '\nx, y = x.astype("float32"), y.astype("int32")'),
        ("code", inspect.getsource(data.split)
                 + f"\n(x_train, y_train), (x_val, y_val) = split(x, y, 0.2, seed={s['seed']})"),
        ("markdown", "## The model\nOne builder, the activation its only argument. Seeding right before the "
                     "layers are made gives every activation the *same* initial weights, so the runs "
                     "differ in the activation alone."),
        ("code", f"ACTIVATIONS = {{\n{registry}}}\n\n\n"
                 "def build(activation):\n"
                 f"    keras.utils.set_random_seed({s['seed']})\n"
                 f"    hidden = [keras.layers.Dense({s['width']}, activation=activation, name=f\"hidden_{{i + 1}}\")\n"
                 f"              for i in range({s['depth']})]\n"
                 f'    output = keras.layers.Dense({units}, activation="{out_activation}", name="output")\n'
                 f"    model = keras.Sequential([keras.Input(({dataset.n_features},)), *hidden, output])\n"
                 f"    model.compile(optimizer=keras.optimizers.{optimizer}(learning_rate={s['lr']}),\n"
                 f'                  loss="{loss}", metrics=["{metric}"])\n'
                 "    return model"),
        ("markdown", "## Train, once per activation"),
        ("code", "histories = {}\nfor name, activation in ACTIVATIONS.items():\n    model = build(activation)\n"
                 f"    keras.utils.set_random_seed({s['seed']})\n"
                 f"    fit = model.fit(x_train, y_train, epochs={s['epochs']}, batch_size={s['batch']},\n"
                 "                    validation_data=(x_val, y_val), shuffle=True, verbose=0)\n"
                 "    histories[name] = fit.history\n"
                 '    print(f"{name:>12}: final loss {fit.history[\'loss\'][-1]:.4f}, "\n'
                 '          f"validation accuracy {fit.history[\'val_accuracy\'][-1]:.1%}")'),
        ("code", "fig = go.Figure()\nfor name, h in histories.items():\n"
                 '    fig.add_scatter(y=h["val_accuracy"], name=name)\n'
                 'fig.update_layout(xaxis_title="epoch", yaxis_title="validation accuracy")\nfig'),
    ]
    return export.notebook_bytes(cells)
