"""How many of a target's modes the generated points cover: mode collapse, counted.

A mode is covered when at least a quarter of its fair share of the samples
(n / number of modes) lands in it: a generator that drops a mode leaves it
(nearly) empty, one that collapses piles most samples into a few. Points in no
mode (farther than the radius from every anchor) count as off target.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

FAIR_SHARE = 0.25  # a mode holding less than this fraction of its fair share is not covered


def mode_counts(points: np.ndarray, anchors: np.ndarray, radius: float) -> np.ndarray:
    """Samples per mode: each point goes to its nearest anchor if within `radius`, else nowhere."""
    distance = np.linalg.norm(points[:, None, :] - anchors[None, :, :], axis=-1)
    nearest = distance.argmin(axis=1)
    inside = distance[np.arange(len(points)), nearest] <= radius
    return np.bincount(nearest[inside], minlength=len(anchors))


@dataclass(frozen=True)
class Coverage:
    """The mode census of one set of samples."""

    counts: tuple[int, ...]   # samples in each mode
    samples: int              # samples counted

    @property
    def modes(self) -> int:
        return len(self.counts)

    @property
    def covered(self) -> int:
        """Modes holding at least FAIR_SHARE of their fair share of the samples."""
        return int(sum(c >= FAIR_SHARE * self.samples / self.modes for c in self.counts))

    @property
    def off_target(self) -> float:
        """Share of samples in no mode at all."""
        return 1 - sum(self.counts) / self.samples if self.samples else 0.0

    @property
    def largest_share(self) -> float:
        """Share of all samples in the fullest mode (1/modes when spread evenly)."""
        return max(self.counts) / self.samples if self.samples else 0.0


def coverage(points: np.ndarray, anchors: np.ndarray, radius: float) -> Coverage:
    """Count `points` into the modes given by `anchors` and `radius`."""
    points = np.asarray(points, dtype=float)
    return Coverage(tuple(int(c) for c in mode_counts(points, anchors, radius)), len(points))
