"""Activation functions: what they compute, how steep they are, and the formula the page shows.

Every value comes from the real Keras activation (`keras.activations`, or
`keras.ops.arctan`, which Keras has as an op only) and every derivative from
autodiff of that same function (`backend.gradient_fn`), never from a
hand-written derivative. Each entry also carries the formula the page shows
(LaTeX) and the same formula in NumPy, so tests can check that what the page
*says* is what Keras *computes*.

At a kink (ReLU at 0, hard sigmoid at ±3) f has no derivative, and autodiff
returns one of the one-sided slopes by convention (a subgradient); which one
depends on the backend (JAX gives leaky ReLU′(0) = 1, TensorFlow gives a).
So the formula's branches are not fixed text: `formula` puts each kink on the
branch whose slope autodiff returns there, and `kink_notes` says so.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

import numpy as np

from nnkit.core import backend

SATURATION_THRESHOLD = 0.01  # |f'(z)| below this: the gradient has all but vanished
SELU_ALPHA, SELU_SCALE = 1.67326324, 1.05070098  # Keras's constants (Klambauer et al. 2017)
_SIDE = 1e-4  # how far from a kink the one-sided slopes are read


@dataclass(frozen=True)
class Activation:
    """One activation: its Keras call, the formula shown, and that formula in NumPy.

    A piecewise function lists its `pieces` left to right (LaTeX expressions)
    and the `kinks` between them; its `latex` holds `{branches}` where the
    branches go, so `formula` can write each boundary on the side autodiff takes.
    """

    key: str
    label: str
    latex: str
    reference: Callable[[np.ndarray, float], np.ndarray]  # (z, slope) -> f(z), float64
    family: str  # "saturating", "relu", "smooth" or "linear"
    pieces: tuple[str, ...] = ()
    kinks: tuple[float, ...] = ()


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
    Activation("relu", "ReLU", r"\mathrm{ReLU}(z) = \max(0, z) = {branches}",
               lambda z, s: np.maximum(0.0, z), "relu", ("0", "z"), (0.0,)),
    Activation("leaky_relu", "leaky ReLU", r"f(z) = {branches}",
               lambda z, s: np.where(z > 0, z, s * z), "relu", (r"a\,z", "z"), (0.0,)),
    Activation("elu", "ELU", r"f(z) = {branches}",
               lambda z, s: np.where(z > 0, z, np.expm1(np.minimum(z, 0.0))), "smooth",
               (r"e^{z} - 1", "z"), (0.0,)),
    Activation("selu", "SELU",
               r"f(z) = \lambda {branches},"
               rf"\ \lambda = {SELU_SCALE},\ \alpha = {SELU_ALPHA}",
               lambda z, s: SELU_SCALE * np.where(z > 0, z, SELU_ALPHA * np.expm1(np.minimum(z, 0.0))),
               "smooth", (r"\alpha (e^{z} - 1)", "z"), (0.0,)),
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
               r"f(z) = \max\!\left(0, \min\!\left(1, \frac{z}{6} + \frac{1}{2}\right)\right) = {branches}",
               lambda z, s: np.clip(z / 6.0 + 0.5, 0.0, 1.0), "saturating",
               ("0", r"\frac{z}{6} + \frac{1}{2}", "1"), (-3.0, 3.0)),
    Activation("linear", "linear", r"f(z) = z", lambda z, s: np.asarray(z, dtype="float64"), "linear"),
)}


def arctan(z):
    """arctan as a Keras activation: Keras has the op but no activation of that name."""
    import keras

    return keras.ops.arctan(z)


def keras_fn(key: str, slope: float = 0.2) -> Callable:
    """The real Keras activation as a tensor -> tensor function (slope: leaky ReLU only).

    `arctan` is registered with Keras's saving as "nnkit>arctan" here, so a
    model using it saves; to load that `.keras` file elsewhere, define
    `arctan` and pass `custom_objects={"nnkit>arctan": arctan}`.
    """
    import keras

    if key not in ACTIVATIONS:
        raise ValueError(f"unknown activation {key!r}; choose one of {', '.join(ACTIVATIONS)}")
    if key == "leaky_relu":
        return lambda z: keras.activations.leaky_relu(z, negative_slope=slope)
    if key == "arctan":
        return keras.saving.register_keras_serializable("nnkit", "arctan")(arctan)
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


# ---- kinks: where the slope jumps, autodiff picks a side ----------------------

@dataclass(frozen=True)
class Kink:
    """The slopes just left and right of a kink, and the one autodiff returns at it."""

    z: float
    left: float
    right: float
    autodiff: float

    @property
    def takes_right(self) -> bool:
        """Autodiff's value is the right-hand slope (ties, where f' is continuous, go right)."""
        return abs(self.autodiff - self.right) <= abs(self.autodiff - self.left)

    @property
    def jumps(self) -> bool:
        """A real kink: the two one-sided slopes differ (ELU's do not, with α = 1)."""
        return abs(self.left - self.right) > 10 * _SIDE


def kinks(key: str, slope: float = 0.2) -> list[Kink]:
    """Each kink of `key` with its one-sided slopes and autodiff's value there."""
    points = np.asarray(ACTIVATIONS[key].kinks, dtype="float32")
    if not points.size:
        return []
    at, left, right = (derivative(key, points + offset, slope) for offset in (0.0, -_SIDE, _SIDE))
    return [Kink(float(p), float(lo), float(hi), float(a)) for p, a, lo, hi in zip(points, at, left, right)]


def formula(key: str, slope: float = 0.2) -> str:
    """The LaTeX shown for `key`: the leaky slope filled in, each kink on autodiff's branch.

    Example (JAX): leaky ReLU gives z for z ≥ 0 and a·z for z < 0, since
    autodiff returns 1 at z = 0.
    """
    activation = ACTIVATIONS[key]
    if not activation.pieces:
        return activation.latex
    found = kinks(key, slope)
    rows = []
    for i, piece in enumerate(activation.pieces):
        low = found[i - 1] if i > 0 else None        # the kink on this piece's left, if any
        high = found[i] if i < len(found) else None  # and on its right
        rows.append(f"{piece} & {_condition(low, high)}")
    cases = r"\begin{cases} " + r" \\ ".join(reversed(rows)) + r" \end{cases}"
    return activation.latex.replace("{branches}", cases).replace(r"a\,z", rf"{slope:g}\,z")


def _condition(low: Kink | None, high: Kink | None) -> str:
    """Where a piece holds, e.g. "z \\ge 0" or "-3 < z < 3"; a kink belongs to the piece autodiff takes."""
    le, lt, ge, gt = r"\le", "<", r"\ge", ">"
    if low is not None and high is None:
        return f"z {ge if low.takes_right else gt} {low.z:g}"
    if high is not None and low is None:
        return f"z {lt if high.takes_right else le} {high.z:g}"
    return f"{low.z:g} {le if low.takes_right else lt} z {lt if high.takes_right else le} {high.z:g}"


def kink_notes(key: str, slope: float = 0.2, z_min: float = -math.inf, z_max: float = math.inf) -> list[str]:
    """One sentence per real kink in [z_min, z_max]: the slope there is a convention.

    Example: "At z = 0 the slope jumps from 0 to 1, so f′(0) is a convention (a
    subgradient): Keras's autodiff returns 0, the slope of the z ≤ 0 branch."
    """
    notes = []
    for kink in kinks(key, slope):
        if not (kink.jumps and z_min <= kink.z <= z_max):
            continue
        side = f"z ≥ {kink.z:g}" if kink.takes_right else f"z ≤ {kink.z:g}"
        notes.append(f"At z = {kink.z:g} the slope jumps from {kink.left:.4g} to {kink.right:.4g}, so "
                     f"f′({kink.z:g}) is a convention (a subgradient): Keras's autodiff returns "
                     f"{kink.autodiff:.4g}, the slope of the {side} branch.")
    return notes


# ---- saturation ----------------------------------------------------------------

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


def curves(keys: dict[str, str], z: np.ndarray, slope: float = 0.2) -> dict[str, dict]:
    """label -> {"z", "f", "df", "saturated"} for the function chart, all from Keras."""
    out = {}
    for label, key in keys.items():
        df = derivative(key, z, slope)
        out[label] = {"z": z, "f": values(key, z, slope), "df": df, "saturated": saturated_intervals(z, df)}
    return out
