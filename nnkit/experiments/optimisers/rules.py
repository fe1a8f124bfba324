"""The update rules in NumPy, exactly as the LaTeX on the page says, and one step explained.

`reference_step` re-implements each `keras.optimizers` update in float32,
rounding where Keras rounds; the tests hold it to what Keras did to 1e-6, so
the equations shown are the ones that ran. `explain_step` replays a race's
step with these rules next to the Keras result.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

from nnkit.experiments.optimisers.race import Trajectory
from nnkit.experiments.optimisers.surfaces import Surface

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


def rounding_note(name: str, hyper: dict[str, Any]) -> str:
    """Which float32 rounding the table follows, where Keras's differs from a float64 textbook.

    Adam and AdamW form 1 − β₂ in float64 and then round it to float32; Nadam
    subtracts in float32, so its vₜ differs from the textbook by about 1e-5 relative. The table keeps matching Keras and says so.
    """
    if "beta_2" not in hyper or name == "Lion":
        return ""
    b2 = float(hyper["beta_2"])
    textbook = np.float32(1 - b2)
    kept = np.float32(1) - np.float32(b2) if name == "Nadam" else textbook
    how = ("in float32 (1 − float32(β₂))" if name == "Nadam"
           else "in float64 and then rounded to float32")
    text = (f"Every number is float32 and rounds where Keras rounds: Keras's {name} forms 1 − β₂ {how}, "
            f"so 1 − β₂ = {float(kept):.9g}")
    if kept != textbook:
        relative = abs(1 - float(kept) / (1 - b2))
        text += (f" rather than the textbook's {1 - b2:.9g}; its vₜ therefore differs from a float64 "
                 f"calculation by about {relative:.1e} relative (the 5th–6th significant digit), and the "
                 "table follows Keras")
    return text + "."


def step_table(ex: StepExplanation) -> list[dict[str, str]]:
    """The explained step as rows (quantity, x, y) for the page's table."""
    rows = {"x_{t−1} (before the step)": ex.x_before, **ex.quantities, "x_t (equations)": ex.x_formula,
            "x_t (Keras)": ex.x_keras}
    return [{"quantity": name, "x": f"{v[0]:.7g}", "y": f"{v[1]:.7g}" if len(v) > 1 else ""}
            for name, v in rows.items()]


def step_verdict(ex: StepExplanation, name: str) -> str:
    """Where the equations and Keras put the point after step t, and how far apart."""
    return (f"Step {ex.t}: the equations give x_t = ({ex.x_formula[0]:.6f}, {ex.x_formula[1]:.6f}); "
            f"Keras's {name} moved the variable to ({ex.x_keras[0]:.6f}, {ex.x_keras[1]:.6f}). "
            f"Largest difference {ex.difference:.1e}.")
