"""The race: each real Keras optimizer stepping a point (x, y) on a 2-D surface.

Every racer steps its own `keras.Variable` with the real optimizer, fed the
surface's exact gradient, and a run that blows up is stopped and named with
its step.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import Any, Sequence

import numpy as np

from nnkit.core import backend
from nnkit.experiments.optimisers.model import OPTIMISERS, hyperparameters, make_optimizer
from nnkit.experiments.optimisers.surfaces import Surface

ESCAPE_FACTOR = 1e3  # a point this many plot-widths from its start has run off to infinity

# ---- stepping a keras.Variable fast ------------------------------------------------

class _Stepper:
    """Applies one optimizer's real update to a 2-vector, compiled once per optimizer.

    Eager `apply_gradients` costs ~2 ms per step on JAX (and ~7 on TensorFlow)
    in op dispatch alone; compiling the update once makes a 300-step race of
    nine optimisers take about a second.
    """

    def __init__(self, optimizer, variable):
        self.optimizer, self.variable = optimizer, variable
        self.kind = backend.name()
        if self.kind == "jax":
            import jax

            optimizer.build([variable])
            self._opt_values = [v.value for v in optimizer.variables]
            self._x = variable.value

            def step(opt_values, x, g):
                new_x, new_opt = optimizer.stateless_apply(opt_values, [g], [x])
                return new_x[0], new_opt

            self._step = jax.jit(step)
        elif self.kind == "tensorflow":
            import tensorflow as tf

            self._step = tf.function(lambda g: optimizer.apply_gradients([(g, variable)]))
        else:  # any other backend: the plain eager update
            self._step = lambda g: optimizer.apply_gradients([(g, variable)])

    def __call__(self, gradient: np.ndarray) -> np.ndarray:
        g = np.asarray(gradient, "float32")
        if self.kind == "jax":
            self._x, self._opt_values = self._step(self._opt_values, self._x, g)
            return np.asarray(self._x, "float64")
        self._step(g)
        return np.asarray(self.variable.numpy(), "float64")

    def finish(self) -> None:
        """Write the compiled run's values back into the Keras variables (JAX only)."""
        if self.kind == "jax":
            self.variable.assign(self._x)
            for var, value in zip(self.optimizer.variables, self._opt_values):
                var.assign(value)


# ---- the race ------------------------------------------------------------------

@dataclass(frozen=True)
class Racer:
    """One optimiser with its settings in a race."""

    name: str
    learning_rate: float
    knob: float | None = None

    @property
    def label(self) -> str:
        spec = OPTIMISERS[self.name]
        extra = f", {spec.knob_label.split()[0]} {self.knob:g}" if spec.knob and self.knob is not None else ""
        return f"{self.name} (η {self.learning_rate:g}{extra})"


@dataclass
class Trajectory:
    """Where one optimiser went: points, losses, and whether and when it diverged."""

    racer: Racer
    path: np.ndarray                 # (steps_run + 1, 2), the Keras variable after each step
    losses: np.ndarray               # f at each point of `path`
    diverged_at: int | None = None   # the step whose update blew up
    why: str = ""
    seconds: float = 0.0
    hyper: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def steps_run(self) -> int:
        return len(self.path) - 1


def race(surface: Surface, racers: Sequence[Racer], start: Sequence[float], steps: int) -> list[Trajectory]:
    """Run each optimiser from `start` for `steps` steps on `surface`.

    Every racer steps its own `keras.Variable([x, y])` with the real Keras
    optimizer, fed the surface's exact gradient (float32, as a model's would be).
    A run stops early when the point or loss becomes NaN/inf or the point
    flies more than ESCAPE_FACTOR plot-widths away: that step is `diverged_at`.
    """
    if steps < 0:
        raise ValueError("steps must be ≥ 0")
    return [_run(surface, r, np.asarray(start, "float64"), steps) for r in racers]


def _run(surface: Surface, racer: Racer, start: np.ndarray, steps: int) -> Trajectory:
    import keras

    began = time.perf_counter()
    hyper = hyperparameters(racer.name, racer.learning_rate, racer.knob)
    x = np.asarray(np.asarray(start, "float32"), "float64")
    path, losses = [x], [surface.value(x)]
    variable = keras.Variable(x.astype("float32"), name="point")
    stepper = _Stepper(make_optimizer(racer.name, racer.learning_rate, racer.knob), variable)
    diverged_at, why = None, ""
    for t in range(1, steps + 1):
        x = stepper(surface.gradient(x))
        loss = surface.value(x)
        why = _blow_up(surface, start, x, loss)
        if why:
            diverged_at = t
            break
        path.append(x)
        losses.append(loss)
    stepper.finish()
    return Trajectory(racer, np.array(path), np.array(losses), diverged_at, why,
                      time.perf_counter() - began, hyper)


def _blow_up(surface: Surface, start: np.ndarray, x: np.ndarray, loss: float) -> str:
    if not np.all(np.isfinite(x)) or not math.isfinite(loss):
        return "the point or the loss became NaN/infinite"
    if np.abs(x - start).max() > ESCAPE_FACTOR * surface.scale:
        return f"the point flew more than {ESCAPE_FACTOR:g}× the plot's width away"
    return ""


def divergence_message(trajectory: Trajectory) -> str:
    """One plain sentence for a diverged run; empty when it did not diverge."""
    if trajectory.diverged_at is None:
        return ""
    return (f"{trajectory.racer.label} diverged at step {trajectory.diverged_at}: {trajectory.why}. "
            f"The learning rate {trajectory.racer.learning_rate:g} is too high for this surface; "
            "lower it.")


def problem(surface: Surface, racers: Sequence[str], steps: int, start: Sequence[float]) -> str:
    """Why these race settings cannot race, in a sentence; empty when they can."""
    if not racers:
        return "Choose at least one optimiser to race."
    if steps < 1:
        return "Zero steps: there is nothing to race. Set at least 1 step."
    if not surface.contains(start):
        return (f"The start {tuple(start)} is outside the plotted range x ∈ {surface.x_range}, "
                f"y ∈ {surface.y_range}; pick a start inside it.")
    return ""
