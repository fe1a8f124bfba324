"""Optimisers as learners meet them: the real `keras.optimizers`, their equations, a race.

Four tools for the optimisers page, none of which imports streamlit:

* `OPTIMISERS` — a registry of the Keras classes with their update rules in
  LaTeX and a NumPy re-implementation of each rule (`reference_step`). The
  tests hold the NumPy rule to what Keras did to 1e-6, so the equations shown
  are the ones that ran.
* `race` — steps a `keras.Variable` holding the point (x, y) with each real
  optimizer on a 2-D surface, from one start, and says when a run diverged.
* schedules (`make_schedule`, `schedule_values`) and `lr_range_test` for the
  real network, and `optimisers_notebook` to take one of its runs home.
* text builders for the page's "What it means" section.
"""

from __future__ import annotations

import functools
import inspect
import math
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

import numpy as np

from nnkit.core import backend
from nnkit.experiments.optimisers.surfaces import Surface

ESCAPE_FACTOR = 1e3  # a point this many plot-widths from its start has run off to infinity


# ---- the registry ---------------------------------------------------------------

@dataclass(frozen=True)
class OptimiserSpec:
    """One `keras.optimizers` class as the page offers it."""

    name: str
    keras_class: str                   # attribute of keras.optimizers
    fixed: tuple[tuple[str, Any], ...]  # constructor arguments the name implies
    knob: str | None                   # the one extra hyperparameter the page exposes
    knob_label: str
    knob_default: float
    lr_kind: str                       # "gradient" (step ∝ LR·g), "adaptive" (step ≈ LR) or "sign"
    equations: tuple[str, ...]         # LaTeX, one line each
    story: str


_G = r"g_t = \nabla f(x_{t-1})"
_ADAM_MV = (r"m_t = m_{t-1} + (1-\beta_1)(g_t - m_{t-1})",
            r"v_t = v_{t-1} + (1-\beta_2)(g_t^2 - v_{t-1})")

OPTIMISERS: dict[str, OptimiserSpec] = {s.name: s for s in (
    OptimiserSpec("SGD", "SGD", (), None, "", 0.0, "gradient",
                  (_G, r"x_t = x_{t-1} - \eta\, g_t"),
                  "Steps straight downhill, by a distance proportional to the slope."),
    OptimiserSpec("SGD + momentum", "SGD", (), "momentum", "momentum μ", 0.9, "gradient",
                  (_G, r"m_t = \mu\, m_{t-1} - \eta\, g_t", r"x_t = x_{t-1} + m_t"),
                  "A heavy ball: past steps keep it rolling along a valley floor."),
    OptimiserSpec("Nesterov", "SGD", (("nesterov", True),), "momentum", "momentum μ", 0.9,
                  "gradient",
                  (_G, r"m_t = \mu\, m_{t-1} - \eta\, g_t", r"x_t = x_{t-1} + \mu\, m_t - \eta\, g_t"),
                  "Momentum that looks one step ahead, so it overshoots less."),
    OptimiserSpec("RMSprop", "RMSprop", (), "rho", "decay ρ", 0.9, "adaptive",
                  (_G, r"v_t = \rho\, v_{t-1} + (1-\rho)\, g_t^2",
                   r"x_t = x_{t-1} - \frac{\eta\, g_t}{\sqrt{v_t + \epsilon}}"),
                  "Divides each coordinate's step by its recent gradient size: equal pace in every direction."),
    OptimiserSpec("Adagrad", "Adagrad", (), None, "", 0.0, "adaptive",
                  (_G, r"a_t = a_{t-1} + g_t^2 \quad (a_0 = 0.1)",
                   r"x_t = x_{t-1} - \frac{\eta\, g_t}{\sqrt{a_t + \epsilon}}"),
                  "Like RMSprop but sums all past squared gradients, so its steps only shrink."),
    OptimiserSpec("Adam", "Adam", (), "beta_1", "β₁ (momentum)", 0.9, "adaptive",
                  (_G, *_ADAM_MV, r"\alpha_t = \eta\, \frac{\sqrt{1-\beta_2^t}}{1-\beta_1^t}",
                   r"x_t = x_{t-1} - \alpha_t\, \frac{m_t}{\sqrt{v_t} + \epsilon}"),
                  "Momentum plus RMSprop's per-coordinate scaling, with start-up bias correction."),
    OptimiserSpec("AdamW", "AdamW", (), "beta_1", "β₁ (momentum)", 0.9, "adaptive",
                  (_G, r"x'_{t-1} = x_{t-1} - \eta\,\lambda\, x_{t-1}", *_ADAM_MV,
                   r"\alpha_t = \eta\, \frac{\sqrt{1-\beta_2^t}}{1-\beta_1^t}",
                   r"x_t = x'_{t-1} - \alpha_t\, \frac{m_t}{\sqrt{v_t} + \epsilon}"),
                  "Adam plus weight decay applied straight to the weights (λ = 0.004), pulling them towards 0."),
    OptimiserSpec("Nadam", "Nadam", (), "beta_1", "β₁ (momentum)", 0.9, "adaptive",
                  (_G, r"u_t = \beta_1\,(1 - \tfrac12\, 0.96^{t}), \quad \Pi_t = \Pi_{t-1}\, u_t",
                   *_ADAM_MV,
                   r"\hat m_t = \frac{u_{t+1}\, m_t}{1 - \Pi_t u_{t+1}} + \frac{(1-u_t)\, g_t}{1 - \Pi_t}, "
                   r"\quad \hat v_t = \frac{v_t}{1-\beta_2^t}",
                   r"x_t = x_{t-1} - \frac{\eta\, \hat m_t}{\sqrt{\hat v_t} + \epsilon}"),
                  "Adam with Nesterov's look-ahead on the momentum term."),
    OptimiserSpec("Lion", "Lion", (), "beta_1", "β₁ (interpolation)", 0.9, "sign",
                  (_G, r"c_t = \beta_1\, m_{t-1} + (1-\beta_1)\, g_t",
                   r"x_t = x_{t-1} - \eta\, \mathrm{sign}(c_t)",
                   r"m_t = \beta_2\, m_{t-1} + (1-\beta_2)\, g_t"),
                  "Keeps only the sign: every coordinate moves exactly η per step."),
)}

LR_CHOICES = (0.0, 1e-4, 3e-4, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0, 100.0, 1e3, 1e6)


def default_lr(name: str, surface: Surface) -> float:
    """A learning rate that makes `name` behave sensibly on `surface`.

    Gradient-scaled optimisers need an LR matched to the surface's curvature;
    adaptive ones move about LR per step, so they need an LR matched to its size.
    """
    kind = OPTIMISERS[name].lr_kind
    if kind == "gradient":
        return snap_lr(surface.sgd_lr)
    if kind == "sign":
        return snap_lr(surface.adaptive_lr / 3)
    return snap_lr(surface.adaptive_lr * (10 if name == "Adagrad" else 1))  # Adagrad's steps shrink fast


def snap_lr(learning_rate: float, choices: Sequence[float] = LR_CHOICES) -> float:
    """The positive entry of `choices` nearest to `learning_rate` on a log scale."""
    positive = [c for c in choices if c > 0]
    return min(positive, key=lambda c: abs(math.log(c) - math.log(max(learning_rate, 1e-12))))


NETWORK_LR = {"gradient": 0.1, "adaptive": 0.003, "sign": 0.0003}


def network_lr(name: str) -> float:
    """A learning rate that trains the digits MLP well with `name`."""
    return 0.03 if name == "Adagrad" else NETWORK_LR[OPTIMISERS[name].lr_kind]


def make_optimizer(name: str, learning_rate: Any, knob: float | None = None):
    """The real Keras optimizer for a registry entry.

    Args:
        name: a key of `OPTIMISERS`, e.g. "Nesterov".
        learning_rate: a float or a `keras.optimizers.schedules` schedule.
        knob: value for the entry's extra hyperparameter (momentum, ρ or β₁);
            None keeps the registry default.
    """
    import keras

    if isinstance(learning_rate, (int, float)):
        learning_rate = float(learning_rate)
    optimizer_class = getattr(keras.optimizers, OPTIMISERS[name].keras_class)
    return optimizer_class(learning_rate=learning_rate, **optimizer_arguments(name, knob))


def optimizer_arguments(name: str, knob: float | None = None) -> dict[str, Any]:
    """Constructor arguments besides the learning rate, e.g. {"momentum": 0.9, "nesterov": True}."""
    spec = OPTIMISERS[name]
    kwargs = dict(spec.fixed)
    if spec.knob:
        kwargs[spec.knob] = spec.knob_default if knob is None else float(knob)
    return kwargs


def hyperparameters(name: str, learning_rate: float, knob: float | None = None) -> dict[str, Any]:
    """Every constant the update rule uses, read from the Keras optimizer's own config."""
    config = make_optimizer(name, learning_rate, knob).get_config()
    config["learning_rate"] = float(learning_rate)
    return config


# ---- the update rules in NumPy --------------------------------------------------

def initial_state(name: str, hyper: dict[str, Any]) -> dict[str, np.ndarray]:
    """Optimizer slots before the first step, as Keras initialises them."""
    zeros = np.zeros(2)
    slots = {"SGD + momentum": {"m": zeros}, "Nesterov": {"m": zeros}, "Lion": {"m": zeros},
             "RMSprop": {"v": zeros}, "Adam": {"m": zeros, "v": zeros}, "AdamW": {"m": zeros, "v": zeros},
             "Nadam": {"m": zeros, "v": zeros, "Π": np.ones(1)},
             "Adagrad": {"a": np.full(2, float(hyper.get("initial_accumulator_value", 0.1)))}}
    return dict(slots.get(name, {}))


def reference_step(name: str, hyper: dict[str, Any], state: dict[str, np.ndarray], x: np.ndarray,
                   g: np.ndarray, t: int) -> tuple[np.ndarray, dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Step `t` (1-based) of an optimiser in NumPy, exactly as the LaTeX says.

    The arithmetic is float32 and rounds where Keras rounds (e.g. Adam's
    1 − β₂ is formed in float64 then cast, 1 − β₂ᵗ in float32): in float32 that
    difference alone moves a point by several ulps, and the page promises
    the shown numbers match Keras to 1e-6.

    Returns (new x, new state, named quantities to show: gradient, moments, step).
    """
    f = np.float32
    lr, eps = f(hyper["learning_rate"]), f(hyper.get("epsilon") or 1e-7)
    x, g = np.asarray(x, "float32"), np.asarray(g, "float32")
    s = {k: np.asarray(v, "float32") for k, v in state.items()}
    shown: dict[str, np.ndarray] = {"g_t (gradient)": g}
    if hyper.get("weight_decay"):
        decay = -(x * f(hyper["weight_decay"]) * lr)
        shown["−ηλx (weight decay)"] = decay
        x = x + decay
    step = _UPDATES[name](hyper, s, g, lr, eps, t, shown)
    shown["Δx (step)"] = step
    return np.asarray(x + step, "float64"), s, {k: np.asarray(v, "float64") for k, v in shown.items()}


def _sgd(hyper, s, g, lr, eps, t, shown):
    return -(g * lr)


def _momentum(hyper, s, g, lr, eps, t, shown):
    mu = np.float32(hyper["momentum"])
    s["m"] = s["m"] * mu - g * lr
    shown["m_t (velocity)"] = s["m"]
    return s["m"] * mu - g * lr if hyper.get("nesterov") else s["m"]


def _rmsprop(hyper, s, g, lr, eps, t, shown):
    rho = hyper["rho"]
    s["v"] = np.float32(rho) * s["v"] + np.float32(1 - rho) * np.square(g)
    shown["v_t (mean of g²)"] = s["v"]
    return -((lr * g) / np.sqrt(s["v"] + eps))


def _adagrad(hyper, s, g, lr, eps, t, shown):
    s["a"] = s["a"] + np.square(g)
    shown["a_t (sum of g²)"] = s["a"]
    return -((lr * g) / np.sqrt(s["a"] + eps))


def _adam(hyper, s, g, lr, eps, t, shown):
    f = np.float32
    b1, b2 = hyper["beta_1"], hyper["beta_2"]
    alpha = lr * np.sqrt(1 - f(b2) ** f(t)) / (1 - f(b1) ** f(t))
    s["m"] = s["m"] + (g - s["m"]) * f(1 - b1)
    s["v"] = s["v"] + (np.square(g) - s["v"]) * f(1 - b2)
    shown["m_t (1st moment)"], shown["v_t (2nd moment)"] = s["m"], s["v"]
    shown["α_t (corrected LR)"] = np.array([alpha])
    return -((s["m"] * alpha) / (np.sqrt(s["v"]) + eps))


def _nadam(hyper, s, g, lr, eps, t, shown):
    f = np.float32
    b1, b2 = f(hyper["beta_1"]), f(hyper["beta_2"])
    s["Π"] = s["Π"] * f(hyper["beta_1"]) * (f(1.0) - f(0.5) * f(0.96) ** f(t))
    u_t = b1 * (f(1.0) - f(0.5) * f(0.96) ** f(t))
    u_next = b1 * (f(1.0) - f(0.5) * f(0.96) ** f(t + 1))
    s["m"] = s["m"] + (g - s["m"]) * (1 - b1)
    s["v"] = s["v"] + (np.square(g) - s["v"]) * (1 - b2)
    m_hat = (u_next * s["m"]) / (1 - s["Π"] * u_next) + ((1 - u_t) * g) / (1 - s["Π"])
    v_hat = s["v"] / (1 - b2 ** f(t))
    shown["m_t (1st moment)"], shown["v_t (2nd moment)"] = s["m"], s["v"]
    shown["m̂_t"], shown["v̂_t"] = m_hat, v_hat
    return -((m_hat * lr) / (np.sqrt(v_hat) + eps))


def _lion(hyper, s, g, lr, eps, t, shown):
    b1, b2 = np.float32(hyper["beta_1"]), np.float32(hyper["beta_2"])
    c = s["m"] * b1 + g * (np.float32(1.0) - b1)
    s["m"] = s["m"] * b2 + g * (np.float32(1.0) - b2)
    shown["c_t"], shown["m_t"] = c, s["m"]
    return -(lr * np.sign(c))


_UPDATES: dict[str, Callable] = {
    "SGD": _sgd, "SGD + momentum": _momentum, "Nesterov": _momentum, "RMSprop": _rmsprop,
    "Adagrad": _adagrad, "Adam": _adam, "AdamW": _adam, "Nadam": _nadam, "Lion": _lion}


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


# ---- one step, explained ----------------------------------------------------------

@dataclass
class StepExplanation:
    """Step t of one optimiser: the numbers in the equations, and what Keras did."""

    t: int
    x_before: np.ndarray
    quantities: dict[str, np.ndarray]
    x_formula: np.ndarray            # x_t from the NumPy equations
    x_keras: np.ndarray              # x_t the Keras optimizer produced

    @property
    def difference(self) -> float:
        return float(np.abs(self.x_formula - self.x_keras).max())


def explain_step(surface: Surface, trajectory: Trajectory, t: int) -> StepExplanation:
    """Recompute step `t` of a race with the equations and compare with Keras.

    The NumPy state is replayed along Keras's own path (same points, so the
    same float32 gradients), so any mismatch would be in the equations.
    """
    if not 1 <= t <= trajectory.steps_run:
        raise ValueError(f"step must be between 1 and {trajectory.steps_run}, got {t}")
    name, hyper = trajectory.racer.name, trajectory.hyper
    state = initial_state(name, hyper)
    for s in range(1, t + 1):
        x_prev = trajectory.path[s - 1]
        g = np.asarray(surface.gradient(x_prev).astype("float32"), "float64")
        x_new, state, shown = reference_step(name, hyper, state, x_prev, g, s)
    return StepExplanation(t, trajectory.path[t - 1], shown, x_new, trajectory.path[t])


# ---- learning-rate schedules --------------------------------------------------------

SCHEDULES: dict[str, str] = {
    "constant": r"\eta_t = \eta",
    "step decay": r"\eta_t = \eta \cdot 0.1^{\lfloor t / (T/3) \rfloor}",
    "cosine": r"\eta_t = \eta \cdot \tfrac12\left(1 + \cos\frac{\pi \min(t, T)}{T}\right)",
    "warm-up + cosine": r"\eta_t = \begin{cases} \eta\, t / W & t < W \\ "
                        r"\eta \cdot \tfrac12\left(1 + \cos\frac{\pi (\min(t, T) - W)}{T - W}\right) & t \ge W"
                        r"\end{cases}, \quad W = T/10",
}


def _warmup_steps(total_steps: int) -> int:
    return max(1, total_steps // 10)


def make_schedule(kind: str, learning_rate: float, total_steps: int):
    """The Keras learning-rate schedule for `kind` over `total_steps` updates (a float for constant)."""
    import keras

    spec = schedule_arguments(kind, learning_rate, total_steps)
    if spec is None:
        return float(learning_rate)
    class_name, kwargs = spec
    return getattr(keras.optimizers.schedules, class_name)(**kwargs)


def schedule_arguments(kind: str, learning_rate: float, total_steps: int) -> tuple[str, dict[str, Any]] | None:
    """(class in keras.optimizers.schedules, its arguments) for `kind`; None for constant."""
    total_steps, learning_rate = max(2, int(total_steps)), float(learning_rate)
    if kind == "constant":
        return None
    if kind == "step decay":
        return "ExponentialDecay", {"initial_learning_rate": learning_rate,
                                    "decay_steps": max(1, total_steps // 3), "decay_rate": 0.1, "staircase": True}
    if kind == "cosine":
        return "CosineDecay", {"initial_learning_rate": learning_rate, "decay_steps": total_steps}
    if kind == "warm-up + cosine":
        warm = _warmup_steps(total_steps)
        return "CosineDecay", {"initial_learning_rate": 0.0, "decay_steps": total_steps - warm,
                               "warmup_target": learning_rate, "warmup_steps": warm}
    raise KeyError(f"unknown schedule {kind!r}; choose one of {list(SCHEDULES)}")


def schedule_formula(kind: str, learning_rate: float, total_steps: int, steps: np.ndarray) -> np.ndarray:
    """The LaTeX in SCHEDULES, evaluated in NumPy (tested against Keras)."""
    t = np.asarray(steps, "float64")
    T = max(2, int(total_steps))
    if kind == "constant":
        return np.full_like(t, learning_rate)
    if kind == "step decay":
        return learning_rate * 0.1 ** np.floor(t / max(1, T // 3))
    if kind == "cosine":
        return learning_rate * 0.5 * (1 + np.cos(np.pi * np.minimum(t, T) / T))
    if kind == "warm-up + cosine":
        W = _warmup_steps(T)
        decay = learning_rate * 0.5 * (1 + np.cos(np.pi * (np.minimum(t, T) - W) / (T - W)))
        return np.where(t < W, learning_rate * t / W, decay)
    raise KeyError(f"unknown schedule {kind!r}")


def schedule_values(kind: str, learning_rate: float, total_steps: int,
                    points: int = 120) -> tuple[np.ndarray, np.ndarray]:
    """(steps, learning rates) as the Keras schedule itself computes them, for plotting."""
    steps, values = _schedule_values(kind, float(learning_rate), int(total_steps), int(points))
    return np.array(steps), np.array(values)


@functools.lru_cache(maxsize=64)
def _schedule_values(kind: str, learning_rate: float, total_steps: int, points: int):
    # Memoised: evaluating a Keras schedule costs ~1 s under JAX (it traces),
    # and the page redraws the plot on every rerun.
    import keras

    schedule = make_schedule(kind, learning_rate, total_steps)
    steps = np.unique(np.linspace(0, max(2, total_steps), points).astype(int))
    if isinstance(schedule, float):
        return tuple(steps), (schedule,) * len(steps)
    t = keras.ops.convert_to_tensor(steps.astype("float32"))
    # The warm-up schedule branches with ops.cond, which needs a scalar step: map it.
    values = keras.ops.vectorized_map(schedule, t) if kind == "warm-up + cosine" else schedule(t)
    return tuple(steps), tuple(np.asarray(keras.ops.convert_to_numpy(values), "float64"))


# ---- the real network -------------------------------------------------------------

def steps_per_epoch(n_samples: int, validation_split: float, batch_size: int) -> int:
    """Optimizer updates per epoch on the training part of `n_samples` examples."""
    n_train = n_samples - int(round(n_samples * validation_split))
    return max(1, math.ceil(n_train / max(1, batch_size)))


def build_network(name: str, learning_rate: Any, knob: float | None, n_inputs: int,
                  n_classes: int, hidden: tuple[int, ...] = (32,), seed: int = 0):
    """The same MLP (same seed, so same initial weights) compiled with one optimiser."""
    from nnkit.core import models

    model = models.build_mlp(models.MLPConfig(hidden, "relu", "sgd", 0.01, seed), n_inputs, n_classes)
    _, _, loss, metric = models.output_spec(n_classes)
    model.compile(optimizer=make_optimizer(name, learning_rate, knob), loss=loss, metrics=[metric])
    return model


# ---- the page's settings and export ------------------------------------------------

def optimisers_notebook(settings: dict[str, Any], result_line: str = "") -> bytes:
    """Reproduce one real-network run of the optimisers page in plain Keras.

    `settings` is a run's record: "optimizer" names the optimiser, its
    learning rate is "netlr.<optimizer>", plus "batch", "epochs", "schedule"
    and "seed", exactly as the page trained it.
    """
    from nnkit import notebook as export
    from nnkit.core import data

    s, name = settings, settings["optimizer"]
    lr, seed, batch, epochs = s[f"netlr.{name}"], s["seed"], s["batch"], s["epochs"]
    per_epoch = steps_per_epoch(len(data.digits(seed).x), 0.2, batch)
    schedule = schedule_arguments(s["schedule"], lr, per_epoch * epochs)
    if schedule is None:
        lr_code = f"learning_rate = {float(lr)!r}"
    else:
        lr_code = (f"# {per_epoch} updates per epoch × {epochs} epochs\n"
                   f"learning_rate = keras.optimizers.schedules.{schedule[0]}({_arguments(schedule[1])})")
    optimizer = ", ".join(filter(None, ["learning_rate=learning_rate", _arguments(optimizer_arguments(name))]))
    cells: list[tuple[str, str]] = [
        ("markdown", f"# Optimisers on a real network: {name}, exported from nnkit\n\n"
                     f"Settings: `{settings}`\n\nIn the app this run ended: {result_line}"),
        ("code", f'import os\nos.environ.setdefault("KERAS_BACKEND", "{backend.name()}")\n'
                 "import keras\nimport numpy as np\nimport plotly.graph_objects as go\n"
                 "from sklearn.datasets import load_digits"),
        ("markdown", "## The data\nscikit-learn's 1,797 handwritten digits (8×8 pixels scaled to [0, 1]), "
                     "shuffled with the seed, then the same seeded 80/20 split as in the app."),
        ("code", f"{inspect.getsource(data._shuffled)}\n{inspect.getsource(data.split)}\n"
                 f"digits = load_digits()\nx, y = _shuffled(digits.data / 16.0, digits.target, {seed})\n"
                 'x, y = x.astype("float32"), y.astype("int32")\n'
                 f"(x_train, y_train), (x_val, y_val) = split(x, y, 0.2, seed={seed})"),
        ("markdown", "## The model\n64 pixels → 32 ReLU units → 10 softmax outputs. The seed fixes the "
                     "initial weights: in the app every optimiser started from these same weights."),
        ("code", f"{lr_code}\nkeras.utils.set_random_seed({seed})\nmodel = keras.Sequential([\n"
                 '    keras.Input((64,)),\n    keras.layers.Dense(32, activation="relu"),\n'
                 '    keras.layers.Dense(10, activation="softmax"),\n])\n'
                 f"model.compile(optimizer=keras.optimizers.{OPTIMISERS[name].keras_class}({optimizer}),\n"
                 '              loss="sparse_categorical_crossentropy", metrics=["accuracy"])\nmodel.summary()'),
        ("markdown", "## Train"),
        ("code", f"keras.utils.set_random_seed({seed})\n"
                 f"history = model.fit(x_train, y_train, epochs={epochs}, batch_size={batch},\n"
                 "                    validation_data=(x_val, y_val), shuffle=True, verbose=0)\n"
                 'print("final loss", history.history["loss"][-1], "val accuracy", history.history["val_accuracy"][-1])'),
        ("code", "fig = go.Figure()\nfor name, values in history.history.items():\n"
                 "    fig.add_scatter(y=values, name=name)\nfig.update_layout(xaxis_title=\"epoch\")\nfig"),
    ]
    return export.notebook_bytes(cells)


def _arguments(kwargs: dict[str, Any]) -> str:
    return ", ".join(f"{k}={v!r}" for k, v in kwargs.items())


# ---- learning-rate range test ------------------------------------------------------

@dataclass
class RangeTest:
    """Loss after each step while the LR grows exponentially."""

    lrs: np.ndarray
    losses: np.ndarray
    smoothed: np.ndarray
    suggested_lr: float | None
    best_lr: float | None          # LR at the lowest smoothed loss
    stopped_early_at: float | None  # LR where the loss exploded, if it did


def range_test_callback(lr_min: float, lr_max: float, steps: int, batch_size: int, n_train: int):
    """A Keras callback that records each batch's loss and ends the sweep.

    Keras logs the *running mean* of the loss within an epoch (weighted by
    batch size), so the callback recovers each batch's own loss from the
    change in that mean.
    """
    import keras

    class _Recorder(keras.callbacks.Callback):
        def on_train_begin(self, logs=None):
            self.losses, self.lrs, self._seen, self._total = [], [], 0, 0.0

        def on_epoch_begin(self, epoch, logs=None):
            self._seen, self._total = 0, 0.0

        def on_train_batch_end(self, batch, logs=None):
            mean = float((logs or {}).get("loss", float("nan")))
            n = min(batch_size, n_train - self._seen) or batch_size
            total = mean * (self._seen + n)
            self.losses.append((total - self._total) / n)
            self.lrs.append(lr_min * (lr_max / lr_min) ** (len(self.lrs) / max(1, steps - 1)))
            self._seen, self._total = self._seen + n, total
            best = min(self.losses)
            if len(self.losses) >= steps or not math.isfinite(mean) or (
                    len(self.losses) > 10 and self.losses[-1] > 4 * best + 1.0):
                self.model.stop_training = True

    return _Recorder()


def lr_range_test(name: str, knob: float | None, data, lr_min: float = 1e-4, lr_max: float = 10.0,
                  steps: int = 200, batch_size: int = 32, hidden: tuple[int, ...] = (32,),
                  seed: int = 0) -> RangeTest:
    """Sweep the LR from `lr_min` to `lr_max` over `steps` updates and record the loss.

    The LR follows Keras's own `ExponentialDecay` with a rate > 1 (so it
    grows). The suggestion is a tenth of the LR at the lowest smoothed loss:
    there the loss still falls fast but is not yet near blowing up.
    """
    import keras

    import nnkit
    from nnkit.core.training import TrainConfig

    if not 0 < lr_min < lr_max:
        raise ValueError("need 0 < lowest LR < highest LR")
    if steps < 5:
        raise ValueError("a range test needs at least 5 steps")
    n_train, batch_size = len(data.x), max(1, min(batch_size, len(data.x)))
    schedule = keras.optimizers.schedules.ExponentialDecay(lr_min, max(1, steps - 1), lr_max / lr_min)
    model = build_network(name, schedule, knob, data.n_features, data.n_classes, hidden, seed)
    recorder = range_test_callback(lr_min, lr_max, steps, batch_size, n_train)
    epochs = math.ceil(steps / steps_per_epoch(n_train, 0.0, batch_size))
    nnkit.train(model, data, TrainConfig(epochs, batch_size, 0.0, seed), callbacks=[recorder])
    return summarise_range_test(np.array(recorder.lrs), np.array(recorder.losses), steps)


def summarise_range_test(lrs: np.ndarray, losses: np.ndarray, planned_steps: int) -> RangeTest:
    """Smooth the per-step losses and pick the suggested LR."""
    smoothed, avg = [], 0.0
    for i, loss in enumerate(losses):
        value = loss if math.isfinite(loss) else float("inf")
        avg = 0.9 * avg + 0.1 * value
        smoothed.append(avg / (1 - 0.9 ** (i + 1)))  # bias correction, as in Adam
    smoothed = np.array(smoothed)
    finite = np.isfinite(smoothed)
    best_lr = float(lrs[np.nanargmin(np.where(finite, smoothed, np.nan))]) if finite.any() else None
    stopped = float(lrs[-1]) if len(lrs) < planned_steps and len(lrs) else None
    return RangeTest(lrs, losses, smoothed, best_lr / 10 if best_lr else None, best_lr, stopped)


# ---- what it means ------------------------------------------------------------------

def race_lesson(surface: Surface, trajectories: Sequence[Trajectory]) -> str:
    """Read a race: who got closest to a minimum, who diverged, and why that fits the rule."""
    if not trajectories:
        return "Choose at least one optimiser to race."
    lines = []
    finished = [tr for tr in trajectories if tr.diverged_at is None]
    for tr in trajectories:
        if tr.diverged_at is not None:
            lines.append(f"- **{tr.racer.label}** diverged at step {tr.diverged_at}: "
                         f"its learning rate is too high for this surface.")
    if finished:
        ranked = sorted(finished, key=lambda tr: tr.losses[-1])
        best, worst = ranked[0], ranked[-1]
        gap = best.losses[-1] - surface.f_min
        lines.insert(0, f"- After {best.steps_run} steps **{best.racer.label}** got closest to the "
                        f"minimum (f − f_min = {gap:.3g}); **{worst.racer.label}** was furthest "
                        f"(f − f_min = {worst.losses[-1] - surface.f_min:.3g}).")
        sgd = next((tr for tr in finished if tr.racer.name == "SGD"), None)
        moms = [tr for tr in finished if tr.racer.name in ("SGD + momentum", "Nesterov")]
        if sgd and moms:
            better = [tr.racer.name for tr in moms if tr.losses[-1] < sgd.losses[-1]]
            if better:
                lines.append(f"- {' and '.join(better)} beat plain SGD at the same kind of learning rate: "
                             "momentum accumulates the small, consistent gradient along the valley floor.")
        stuck = [tr.racer.name for tr in finished if tr.losses[-1] >= tr.losses[0] - 1e-12]
        if stuck:
            lines.append(f"- {', '.join(stuck)} did not lower the loss at all: its learning rate is too "
                         "small (or zero) for this surface, or it oscillates without settling.")
    lines.append("- Gradient-scaled methods (SGD, momentum, Nesterov) take steps proportional to the slope, "
                 "so they crawl on flat ground and overshoot on steep walls; adaptive methods (RMSprop, Adam, "
                 "Nadam, Lion) take steps of about η whatever the slope.")
    return "\n".join(lines)


def network_lesson(records: Sequence[Any], batch_size: int, schedule: str) -> str:
    """Compare the real-network runs by their own final numbers."""
    from nnkit.core.training import DIVERGED

    if not records:
        return "Train at least one optimiser to compare them."
    lines = []
    ok = [r for r in records if r.reason != DIVERGED and r.final("val_accuracy") is not None]
    for r in records:
        if r.reason == DIVERGED:
            lines.append(f"- **{r.label}** diverged ({r.message}) Lower its learning rate.")
    if ok:
        best = max(ok, key=lambda r: r.final("val_accuracy"))
        lines.insert(0, f"- **{best.label}** reached the best held-out accuracy, "
                        f"{best.final('val_accuracy'):.1%}, from the same initial weights as the others.")
        for r in ok:
            if r is not best:
                lines.append(f"- {r.label}: {r.final('val_accuracy'):.1%} held-out accuracy, "
                             f"final training loss {r.final('loss'):.3f}.")
        speeds = [r.seconds_per_epoch for r in ok if r.seconds_per_epoch]
        if speeds:
            lines.append(f"- With batch size {batch_size}, an epoch took about {np.median(speeds) * 1000:.0f} ms. "
                         + ("Batch size 1 makes one update per example: very noisy curves and slow epochs."
                            if batch_size == 1 else
                            "Larger batches mean fewer, smoother updates per epoch and faster epochs."))
    if schedule != "constant":
        lines.append(f"- The {schedule} schedule changed η during training (see the plot above); "
                     "lowering η late in training lets the weights settle into a minimum.")
    return "\n".join(lines)


def range_lesson(result: RangeTest) -> str:
    """Explain the range test's plot from its numbers."""
    if result.best_lr is None:
        return "The loss was never finite: even the lowest learning rate diverged."
    text = (f"The smoothed loss was lowest at η ≈ {result.best_lr:.3g}; a tenth of that, "
            f"**η ≈ {result.suggested_lr:.3g}**, is a safe starting learning rate.")
    if result.stopped_early_at is not None:
        text += (f" Past η ≈ {result.stopped_early_at:.3g} the loss exploded, so the sweep stopped: "
                 "that is where this optimiser diverges on this network.")
    return text
