"""A loss worked out term by term for a few typed-in values, next to Keras's number.

The table is the formula on the page evaluated in float64 (`model.formula`);
its mean must equal what `keras.losses` returns, and every sentence about a
row is computed from that row.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Sequence

import numpy as np

from nnkit.experiments.losses.model import (CLASSIFICATION, CLIP_HIGH, CLIP_LOW, LOSSES, bce, formula,
                                            hinge_labels, keras_loss)

MAX_VALUES = 50
HINGE_LOSSES = ("hinge", "squared hinge")


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


def check_inputs(name: str, y_true: Sequence[float], y_pred: Sequence[float]) -> None:
    """Raise InputError for values the loss cannot take, with what to type instead."""
    spec = LOSSES[name]
    if len(y_true) != len(y_pred):
        raise InputError(f"y_true has {len(y_true)} values but y_pred has {len(y_pred)}: "
                         "give one prediction per true value.")
    if len(y_true) > MAX_VALUES:
        raise InputError(f"Use at most {MAX_VALUES} values; this table is for working by hand.")
    labels = set(y_true)
    if name in HINGE_LOSSES:
        # Keras maps 0/1 to −1/1 only when *every* label is 0 or 1, and otherwise uses y
        # itself as t: soft labels would silently follow a rule the formula does not show.
        if not (labels <= {0.0, 1.0} or labels <= {-1.0, 1.0}):
            raise InputError(f"{name} needs class labels: all 0/1 or all −1/1; got {sorted(labels)}. "
                             "It has no meaning for soft labels such as 0.5 (Keras would then use "
                             "t = y as typed, not t = 2y − 1).")
    elif spec.kind == CLASSIFICATION and not all(0 <= v <= 1 for v in labels):
        raise InputError(f"{name} needs labels y_true in [0, 1] (0 or 1 for a class); got {sorted(labels)}.")
    if spec.probability:
        bad = [(i, v) for i, v in enumerate(y_pred, start=1) if not 0 <= v <= 1]
        if bad:
            i, v = bad[0]
            raise InputError(f"{name} needs probabilities: y_pred entry {i} is {v:g}, "
                             "outside [0, 1]. (A sigmoid output is always inside.)")


@dataclass
class HandCalc:
    """A loss worked out term by term, next to what Keras returns."""

    name: str
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
    check_inputs(name, y_true, y_pred)
    y, p = np.asarray(y_true, "float64"), np.asarray(y_pred, "float64")
    with np.errstate(over="ignore"):  # huge typed values become inf; hand_lesson says so
        return _calc(name, y, p, param)


def _calc(name: str, y: np.ndarray, p: np.ndarray, param: float | None) -> HandCalc:
    e = p - y
    term = formula(name, y, p, param)
    if name in ("MSE", "MAE", "Huber", "log-cosh"):
        step = {"MSE": ("e²", e ** 2), "MAE": ("|e|", np.abs(e)), "Huber": ("|e|", np.abs(e)),
                "log-cosh": ("tanh e (its slope)", np.tanh(e))}[name]
        columns, steps = ["y", "ŷ", "e = ŷ − y", step[0]], [y, p, e, step[1]]
    elif name in HINGE_LOSSES:
        t = hinge_labels(y)
        columns, steps = ["y", "ŷ", "t = ±1", "1 − t·ŷ"], [y, p, t, 1 - t * p]
    else:
        q = np.clip(p, CLIP_LOW, CLIP_HIGH)
        columns = ["y", "ŷ", "p̂ = clip(ŷ)", "log p̂", "log(1 − p̂)"]
        steps = [y, p, q, np.log(q), np.log(1 - q)]
        if name == "focal":
            p_t = y * p + (1 - y) * (1 - p)
            columns += ["BCE", "p_t", "(1 − p_t)^γ"]
            steps += [bce(y, p), p_t, (1 - p_t) ** (2.0 if param is None else param)]
    rows = np.stack([*steps, term], axis=1).tolist()
    warnings = _clipping_notes(name, y, p, term)
    return HandCalc(name, [*columns, "term"], rows, float(np.mean(term)), _keras_mean(name, y, p, param),
                    warnings)


def _clipping_notes(name: str, y: np.ndarray, p: np.ndarray, term: np.ndarray) -> list[str]:
    """Where ŷ is exactly 0 or 1, say what Keras's clipping makes that row cost, from the row."""
    if not LOSSES[name].probability:
        return []
    edges = [i for i, v in enumerate(p) if v in (0.0, 1.0)]
    if not edges:
        return []
    which = (f"entry {edges[0] + 1} is" if len(edges) == 1
             else f"entries {', '.join(str(i + 1) for i in edges)} are")
    mistakes = [i for i in edges if y[i] == 1 - p[i]]  # ŷ = 1 for class 0, or ŷ = 0 for class 1
    row = (mistakes or edges)[0]
    cost = (f"a confident mistake) costs {term[row]:.4g}, not infinity" if mistakes
            else f"not a mistake) costs {term[row]:.4g}")
    return [f"y_pred {which} exactly 0 or 1, where log(0) = −∞. "
            f"Keras clips predictions to [ε, 1 − ε] with ε = 10⁻⁷ first (1 − ε is "
            f"{CLIP_HIGH:.8f} in float32), so entry {row + 1} (ŷ = {p[row]:g} with y = {y[row]:g}, "
            f"{cost}. "
            "The table shows the clipped values."]


def _keras_mean(name: str, y: np.ndarray, p: np.ndarray, param: float | None) -> float:
    from keras import ops

    # One sample with n outputs: Keras averages over the last axis, like the table.
    value = keras_loss(name, param)(y[None, :].astype("float32"), p[None, :].astype("float32"))
    return float(ops.convert_to_numpy(value)[0])
