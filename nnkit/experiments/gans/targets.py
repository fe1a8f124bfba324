"""The 2-D distributions the generator learns to imitate, and where their modes are.

Each target is a cloud of points with a known set of *modes*: the 8 blobs of
the ring, three stretches of each moon, four stretches of the line. A mode is
an anchor point and a radius, so counting how many modes a generator covers
(`modes.coverage`) is the same sum for every target. The functions are
self-contained (NumPy only): the exported notebook ships them by source.
"""

from __future__ import annotations

import numpy as np

TARGETS = {"ring": "a ring of 8 Gaussian blobs (radius 2, spread 0.1)",
           "moons": "two interleaving half-moons",
           "line": "a straight line segment from (-2, -1) to (2, 1)"}


def target_points(name: str, n: int, seed: int) -> np.ndarray:
    """`n` real points of target `name` as float32, the same for the same seed."""
    rng = np.random.default_rng(seed)
    if name == "ring":
        angle = 2 * np.pi * rng.integers(0, 8, n) / 8
        points = 2 * np.stack([np.cos(angle), np.sin(angle)], 1) + 0.1 * rng.normal(size=(n, 2))
    elif name == "moons":
        t, upper = np.pi * rng.random(n), rng.random(n) < 0.5
        arc = np.where(upper[:, None], np.stack([np.cos(t), np.sin(t)], 1),
                       np.stack([1 - np.cos(t), 0.5 - np.sin(t)], 1))
        points = 1.5 * (arc - [0.5, 0.25]) + 0.06 * rng.normal(size=(n, 2))
    elif name == "line":
        s = rng.random(n)[:, None]
        points = (1 - s) * np.array([-2.0, -1.0]) + s * np.array([2.0, 1.0]) + 0.04 * rng.normal(size=(n, 2))
    else:
        raise ValueError(f"unknown target {name!r}")
    return points.astype("float32")


def target_modes(name: str) -> tuple[np.ndarray, float]:
    """(anchors, radius) of target `name`: a point belongs to the mode of its nearest
    anchor when it lies within `radius` of it (3 spreads for the ring's blobs; half the
    gap between anchors, plus a margin, for the stretches of the moons and the line)."""
    if name == "ring":
        angle = 2 * np.pi * np.arange(8) / 8
        return 2 * np.stack([np.cos(angle), np.sin(angle)], 1), 0.3
    if name == "moons":
        t = np.array([1, 3, 5]) * np.pi / 6
        arcs = np.concatenate([np.stack([np.cos(t), np.sin(t)], 1), np.stack([1 - np.cos(t), 0.5 - np.sin(t)], 1)])
        return 1.5 * (arcs - [0.5, 0.25]), 0.85
    if name == "line":
        s = (np.arange(4)[:, None] + 0.5) / 4
        return (1 - s) * np.array([-2.0, -1.0]) + s * np.array([2.0, 1.0]), 0.65
    raise ValueError(f"unknown target {name!r}")
