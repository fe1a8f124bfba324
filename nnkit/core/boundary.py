"""Decision-boundary numbers for 2-D classifiers: a grid and its predictions."""

from __future__ import annotations

import numpy as np


def grid_for(x: np.ndarray, resolution: int = 60, margin: float = 0.3):
    """An evenly spaced grid covering the points plus a margin.

    Returns `(grid_x, grid_y, points)` where points has shape
    `(resolution**2, 2)` in row-major order of (grid_y, grid_x).
    """
    lo, hi = x.min(axis=0) - margin, x.max(axis=0) + margin
    grid_x = np.linspace(lo[0], hi[0], resolution, dtype="float32")
    grid_y = np.linspace(lo[1], hi[1], resolution, dtype="float32")
    xx, yy = np.meshgrid(grid_x, grid_y)
    return grid_x, grid_y, np.stack([xx.ravel(), yy.ravel()], axis=1)


def probability_surface(model, grid_x: np.ndarray, grid_y: np.ndarray,
                        points: np.ndarray) -> np.ndarray:
    """P(class 1) on the grid, shape (len(grid_y), len(grid_x)).

    Calls the model directly rather than `predict`, which builds a data
    pipeline each call: too slow to redraw a few times a second.
    """
    from keras import ops

    # Column -1 is P(class 1) for a sigmoid unit and for a 2-way softmax alike.
    out = ops.convert_to_numpy(model(points, training=False))
    return out[:, -1].reshape(len(grid_y), len(grid_x))


class BoundaryWatch:
    """A model's decision boundary on one fixed grid, redrawn as it trains.

    The grid is made once (a live view redraws several times a second), and
    each surface carries its points, so an old run is redrawn on its own data
    after the learner switches dataset: `(grid_x, grid_y, P(class 1), x, y)`,
    the arguments of `plots.decision_boundary_figure`.
    """

    def __init__(self, x: np.ndarray, y: np.ndarray, resolution: int = 60):
        self.x, self.y = x, y
        self.grid_x, self.grid_y, self.points = grid_for(x, resolution)

    def surface(self, model) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        probability = probability_surface(model, self.grid_x, self.grid_y, self.points)
        return self.grid_x, self.grid_y, probability, self.x, self.y
