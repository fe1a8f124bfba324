"""Two-dimensional loss surfaces for racing optimisers.

Each surface is a plain NumPy function f(x, y) with its analytic gradient, a
plotting window, a sensible start and the value at its global minimum. The
gradients are checked against finite differences in the tests; keeping them in
NumPy means a race never re-traces a framework graph for the loss itself, so
the only framework work per step is the real Keras optimizer update.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

Fn = Callable[[np.ndarray, np.ndarray], np.ndarray]
GradFn = Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]


@dataclass(frozen=True)
class Surface:
    """A 2-D function to minimise, and how to show it."""

    name: str
    f: Fn                                   # f(x, y), works elementwise on arrays
    grad: GradFn                            # (∂f/∂x, ∂f/∂y)
    x_range: tuple[float, float]            # plotting window
    y_range: tuple[float, float]
    start: tuple[float, float]              # default start point
    f_min: float                            # value at the global minimum
    minima: tuple[tuple[float, float], ...]
    latex: str
    story: str
    sgd_lr: float                           # default LR for gradient-scaled optimisers
    adaptive_lr: float                      # default LR for Adam-like optimisers (step ≈ LR)

    def value(self, point) -> float:
        """f at one point, as a Python float (inf/nan pass through)."""
        with np.errstate(all="ignore"):
            return float(self.f(np.float64(point[0]), np.float64(point[1])))

    def gradient(self, point) -> np.ndarray:
        """∇f at one point as a float64 vector of length 2."""
        with np.errstate(all="ignore"):
            gx, gy = self.grad(np.float64(point[0]), np.float64(point[1]))
        return np.array([gx, gy], dtype="float64")

    def contains(self, point) -> bool:
        """Whether `point` lies inside the plotting window."""
        (x0, x1), (y0, y1) = self.x_range, self.y_range
        return x0 <= point[0] <= x1 and y0 <= point[1] <= y1

    @property
    def scale(self) -> float:
        """Size of the window, used to tell 'ran off to infinity' from 'moved'."""
        return max(self.x_range[1] - self.x_range[0], self.y_range[1] - self.y_range[0])


def quadratic(condition: float = 10.0) -> Surface:
    """f = ½(x²/κ + y²): a long narrow valley whose steepness differs by a factor κ.

    The steep direction (y) has curvature 1 whatever κ is, so plain SGD is
    stable for every LR below 2; the shallow direction (x) has curvature 1/κ,
    so SGD needs about κ times more steps along it. That is ill-conditioning.
    """
    k = float(condition)
    if not k >= 1.0:
        raise ValueError(f"condition number must be ≥ 1, got {condition}")
    return Surface(
        f"quadratic (κ = {k:g})",
        lambda x, y: 0.5 * (x * x / k + y * y),
        lambda x, y: (x / k, y),
        (-6.0, 6.0), (-3.0, 3.0), (-5.0, 2.0), 0.0, ((0.0, 0.0),),
        r"f(x, y) = \tfrac12\left(\frac{x^2}{\kappa} + y^2\right)",
        f"A valley {k:g}× flatter along x than across it (condition number κ = {k:g}).",
        0.3, 0.1)


def _rosenbrock(x, y):
    return (1 - x) ** 2 + 100 * (y - x * x) ** 2


def _rosenbrock_grad(x, y):
    return -2 * (1 - x) - 400 * x * (y - x * x), 200 * (y - x * x)


def _beale_terms(x, y):
    return 1.5 - x + x * y, 2.25 - x + x * y ** 2, 2.625 - x + x * y ** 3


def _beale(x, y):
    a, b, c = _beale_terms(x, y)
    return a ** 2 + b ** 2 + c ** 2


def _beale_grad(x, y):
    a, b, c = _beale_terms(x, y)
    gx = 2 * a * (y - 1) + 2 * b * (y ** 2 - 1) + 2 * c * (y ** 3 - 1)
    gy = 2 * a * x + 2 * b * 2 * x * y + 2 * c * 3 * x * y ** 2
    return gx, gy


def _saddle(x, y):
    return x ** 2 + 0.25 * y ** 4 - 0.5 * y ** 2


def _saddle_grad(x, y):
    return 2 * x, y ** 3 - y


def _himmelblau(x, y):
    return (x * x + y - 11) ** 2 + (x + y * y - 7) ** 2


def _himmelblau_grad(x, y):
    a, b = x * x + y - 11, x + y * y - 7
    return 4 * x * a + 2 * b, 2 * a + 4 * y * b


def rosenbrock() -> Surface:
    """The banana valley: easy to find, slow to follow to its end at (1, 1)."""
    return Surface("Rosenbrock", _rosenbrock, _rosenbrock_grad, (-2.0, 2.0), (-1.0, 3.0),
                   (-1.5, 2.0), 0.0, ((1.0, 1.0),),
                   r"f(x, y) = (1 - x)^2 + 100\,(y - x^2)^2",
                   "A curved, flat-bottomed valley; the minimum at (1, 1) is at its far end.",
                   0.0003, 0.03)


def beale() -> Surface:
    """Flat plateaus and steep walls: gradients differ by orders of magnitude."""
    return Surface("Beale", _beale, _beale_grad, (-4.5, 4.5), (-4.5, 4.5), (-1.0, 1.5), 0.0,
                   ((3.0, 0.5),),
                   r"f = (1.5 - x + xy)^2 + (2.25 - x + xy^2)^2 + (2.625 - x + xy^3)^2",
                   "Plateaus next to cliffs: gradient sizes span many orders of magnitude.",
                   0.001, 0.03)


def saddle() -> Surface:
    """A saddle between two valleys: the gradient vanishes at (0, 0) without a minimum."""
    return Surface("saddle point", _saddle, _saddle_grad, (-3.0, 3.0), (-2.0, 2.0),
                   (-2.5, 0.001), -0.25, ((0.0, 1.0), (0.0, -1.0)),
                   r"f(x, y) = x^2 + \tfrac14 y^4 - \tfrac12 y^2",
                   "Starting almost on the ridge, the gradient along y is tiny: who escapes the saddle at (0, 0)?",
                   0.1, 0.03)


def himmelblau() -> Surface:
    """Four equally deep minima: which one you reach depends on the path."""
    return Surface("Himmelblau", _himmelblau, _himmelblau_grad, (-5.0, 5.0), (-5.0, 5.0),
                   (0.0, 0.0), 0.0,
                   ((3.0, 2.0), (-2.805118, 3.131312), (-3.779310, -3.283186), (3.584428, -1.848126)),
                   r"f(x, y) = (x^2 + y - 11)^2 + (x + y^2 - 7)^2",
                   "Four minima of equal depth: different optimisers can end in different ones.",
                   0.01, 0.1)


SURFACES: dict[str, Callable[..., Surface]] = {
    "ill-conditioned quadratic": quadratic, "Rosenbrock": rosenbrock, "Beale": beale,
    "saddle point": saddle, "Himmelblau": himmelblau}


def get(name: str, condition: float = 10.0) -> Surface:
    """A surface by registry name; only the quadratic uses `condition`."""
    if name not in SURFACES:
        raise KeyError(f"unknown surface {name!r}; choose one of {sorted(SURFACES)}")
    return quadratic(condition) if name == "ill-conditioned quadratic" else SURFACES[name]()


def grid(surface: Surface, n: int = 120) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(xs, ys, z) over the plotting window; z has shape (len(ys), len(xs))."""
    xs = np.linspace(*surface.x_range, n)
    ys = np.linspace(*surface.y_range, n)
    gx, gy = np.meshgrid(xs, ys)
    return xs, ys, surface.f(gx, gy)
