"""The one shape every anomaly data source returns: normal rows to train on,
a labelled test set (1 = anomaly, 0 = normal), and the helpers that split
normal rows and scale them without looking at the anomalies.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

TRAIN_FRACTION = 0.7          # share of normal rows used for training
MIN_ROWS = 20                 # fewer rows cannot train and test anything


@dataclass(frozen=True)
class AnomalySet:
    """Normal training rows and a labelled test set, shaped for an autoencoder.

    `sample_shape` is one example's shape: (H, W, 1) for images, (width, 1)
    for series windows, (features,) for tables. `groups` are the test rows'
    original class names (e.g. "3", "Sneaker"), used to colour the latent space.
    """

    name: str
    kind: str                         # "image", "series" or "table"
    x_train: np.ndarray               # normal rows only
    x_test: np.ndarray
    y_test: np.ndarray                # 1 = anomaly, 0 = normal
    description: str
    source: str
    groups: np.ndarray = field(default=None, repr=False)
    notes: tuple[str, ...] = ()
    unit_range: bool = False          # values in [0, 1] (pixels): sigmoid output fits
    labelled: bool = True             # False for a CSV without a label column

    @property
    def sample_shape(self) -> tuple[int, ...]:
        return tuple(int(s) for s in self.x_train.shape[1:])

    def __repr__(self) -> str:
        return (f"AnomalySet({self.name!r}, train={self.x_train.shape}, test={self.x_test.shape}, "
                f"anomalies={int(self.y_test.sum())})")


def _split_normal(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    order = np.random.default_rng(seed).permutation(n)
    cut = int(round(n * TRAIN_FRACTION))
    return order[:cut], order[cut:]


def _standardise(train: np.ndarray, *others: np.ndarray) -> list[np.ndarray]:
    """Scale with the NORMAL training rows' mean and spread only.

    Why: statistics that include the anomalies would leak what they look like
    into the "normal" scale.
    """
    mean, std = train.mean(0), train.std(0)
    std = np.where(std > 0, std, 1.0)
    return [((a - mean) / std).astype("float32") for a in (train, *others)]
