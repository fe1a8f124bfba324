"""Learning-rate schedules: one definition for the formula shown, the plot and the training.

Each schedule's integer constants (the step-decay length d = ⌊T/3⌋, the
warm-up W = ⌊T/10⌋) come from one place; the Keras schedule the network
trains with is built from them (`schedule_arguments`), the plot evaluates
that same Keras object at integer steps as the optimizer does, and the LaTeX
(`latex`) prints the same constants. Step decay uses `PiecewiseConstantDecay`
with integer boundaries: `ExponentialDecay(staircase=True)` floors a float32
t/d, which XLA computes as t·(1/d) and so drops a level one step late.
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np

SCHEDULES = ("constant", "step decay", "cosine", "warm-up + cosine")
STEP_FACTOR = 0.1   # each step-decay level is a tenth of the one before
LEVELS = 3          # η, η/10, η/100


def total_steps(steps: int) -> int:
    """T as every schedule uses it (at least 2, so the formulas never divide by zero)."""
    return max(2, int(steps))


def decay_length(steps: int) -> int:
    """d = ⌊T/3⌋ (at least 1): updates per step-decay level."""
    return max(1, total_steps(steps) // LEVELS)


def warmup_steps(steps: int) -> int:
    """W = ⌊T/10⌋ (at least 1): updates of linear warm-up."""
    return max(1, total_steps(steps) // 10)


def latex(kind: str, steps: int) -> str:
    """The formula of `kind` with this run's T (and d or W) filled in."""
    T = total_steps(steps)
    if kind == "constant":
        return r"\eta_t = \eta"
    if kind == "step decay":
        return (rf"\eta_t = \eta \cdot 0.1^{{\min(2,\ \lfloor t / d \rfloor)}},\quad "
                rf"d = \lfloor T/3 \rfloor = {decay_length(T)},\ T = {T}")
    if kind == "cosine":
        return rf"\eta_t = \eta \cdot \tfrac12\left(1 + \cos\frac{{\pi \min(t, T)}}{{T}}\right),\quad T = {T}"
    if kind == "warm-up + cosine":
        return (r"\eta_t = \begin{cases} \eta\, t / W & t < W \\ "
                r"\eta \cdot \tfrac12\left(1 + \cos\frac{\pi (\min(t, T) - W)}{T - W}\right) & t \ge W"
                rf"\end{{cases}},\quad W = \lfloor T/10 \rfloor = {warmup_steps(T)},\ T = {T}")
    raise KeyError(f"unknown schedule {kind!r}; choose one of {list(SCHEDULES)}")


def schedule_arguments(kind: str, learning_rate: float, steps: int) -> tuple[str, dict[str, Any]] | None:
    """(class in keras.optimizers.schedules, its arguments) for `kind`; None for constant."""
    T, learning_rate = total_steps(steps), float(learning_rate)
    if kind == "constant":
        return None
    if kind == "step decay":
        d = decay_length(T)
        # PiecewiseConstantDecay gives values[i] while t <= boundaries[i]: t < d is level 0.
        return "PiecewiseConstantDecay", {"boundaries": [level * d - 1 for level in range(1, LEVELS)],
                                          "values": [learning_rate * STEP_FACTOR ** level for level in range(LEVELS)]}
    if kind == "cosine":
        return "CosineDecay", {"initial_learning_rate": learning_rate, "decay_steps": T}
    if kind == "warm-up + cosine":
        W = warmup_steps(T)
        return "CosineDecay", {"initial_learning_rate": 0.0, "decay_steps": T - W,
                               "warmup_target": learning_rate, "warmup_steps": W}
    raise KeyError(f"unknown schedule {kind!r}; choose one of {list(SCHEDULES)}")


def make_schedule(kind: str, learning_rate: float, steps: int):
    """The Keras learning-rate schedule for `kind` over `steps` updates (a float for constant)."""
    import keras

    spec = schedule_arguments(kind, learning_rate, steps)
    if spec is None:
        return float(learning_rate)
    class_name, kwargs = spec
    return getattr(keras.optimizers.schedules, class_name)(**kwargs)


def formula(kind: str, learning_rate: float, steps: int, t: np.ndarray) -> np.ndarray:
    """The LaTeX of `latex`, evaluated in NumPy float64 (tested against Keras at every step)."""
    t = np.asarray(t, "float64")
    T = total_steps(steps)
    if kind == "constant":
        return np.full_like(t, learning_rate)
    if kind == "step decay":
        return learning_rate * STEP_FACTOR ** np.minimum(LEVELS - 1, np.floor(t / decay_length(T)))
    if kind == "cosine":
        return learning_rate * 0.5 * (1 + np.cos(np.pi * np.minimum(t, T) / T))
    if kind == "warm-up + cosine":
        W = warmup_steps(T)
        decay = learning_rate * 0.5 * (1 + np.cos(np.pi * (np.minimum(t, T) - W) / (T - W)))
        return np.where(t < W, learning_rate * t / W, decay)
    raise KeyError(f"unknown schedule {kind!r}")


def keras_values(schedule, t: np.ndarray) -> np.ndarray:
    """The Keras schedule at integer steps `t`, as the optimizer calls it (int iterations)."""
    import keras

    steps = np.asarray(t, "int64")
    if isinstance(schedule, float):
        return np.full(len(steps), schedule)
    tensor = keras.ops.convert_to_tensor(steps.astype("int32"))
    # Warm-up branches with ops.cond, which needs a scalar step: map it over the steps.
    warm = getattr(schedule, "warmup_steps", 0)
    values = keras.ops.vectorized_map(schedule, tensor) if warm else schedule(tensor)
    return np.asarray(keras.ops.convert_to_numpy(values), "float64")


def plot_steps(kind: str, steps: int, points: int = 120) -> np.ndarray:
    """Where to draw the schedule: evenly spaced, plus both sides of every step-decay drop."""
    T = total_steps(steps)
    t = np.linspace(0, T, points).astype(int)
    if kind == "step decay":
        d = decay_length(T)
        t = np.concatenate([t, *([level * d - 1, level * d] for level in range(1, LEVELS))])
    return np.unique(np.clip(t, 0, T))


def schedule_values(kind: str, learning_rate: float, steps: int,
                    points: int = 120) -> tuple[np.ndarray, np.ndarray]:
    """(steps, learning rates) from the very Keras schedule the network trains with, for plotting."""
    t, values = _schedule_values(kind, float(learning_rate), int(steps), int(points))
    return np.array(t), np.array(values)


@functools.lru_cache(maxsize=64)
def _schedule_values(kind: str, learning_rate: float, steps: int, points: int):
    # Memoised: evaluating a Keras schedule costs ~1 s under JAX (it traces),
    # and the page redraws the plot on every rerun.
    t = plot_steps(kind, steps, points)
    return tuple(t.tolist()), tuple(keras_values(make_schedule(kind, learning_rate, steps), t).tolist())
