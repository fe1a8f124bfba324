"""Numbers several experiments read off a trained model: confusion matrices and 2-D projections.

Written once here so the CNN, transfer-learning and autoencoder pages count
mistakes and project features the same way.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np


def confusion(y_true: Sequence[int] | np.ndarray, y_pred: Sequence[int] | np.ndarray, n_classes: int) -> np.ndarray:
    """counts[true, predicted]: the diagonal holds the right answers."""
    counts = np.zeros((n_classes, n_classes), dtype=int)
    np.add.at(counts, (np.asarray(y_true, int), np.asarray(y_pred, int)), 1)
    return counts


def confusion_summary(counts: np.ndarray, class_names: Sequence[str], what: str = "test images") -> str:
    """The confusion matrix in one sentence: accuracy and the most common mistake."""
    total, right = int(counts.sum()), int(np.trace(counts))
    text = f"{right:,} of {total:,} {what} correct ({right / max(total, 1):.1%})."
    wrong = counts * (1 - np.eye(len(counts), dtype=int))
    if wrong.any():
        t, p = np.unravel_index(np.argmax(wrong), wrong.shape)
        text += (f" Most common mistake: {class_names[t]} taken for {class_names[p]} "
                 f"({wrong[t, p]} time{'s' if wrong[t, p] != 1 else ''}).")
    return text


def pca_2d(values: np.ndarray, seed: int = 0) -> tuple[np.ndarray, tuple[float, float]]:
    """PCA of (n, ...) values to (n, 2), plus the share of variance on each axis.

    Flattens each sample first. With fewer than two samples or dimensions
    the missing axis is zero (share 0), so a tiny data set still draws.
    """
    from sklearn.decomposition import PCA

    flat = np.asarray(values, dtype="float64").reshape(len(values), -1)
    n = min(2, len(flat), flat.shape[1])
    pca = PCA(n_components=n, random_state=seed).fit(flat)
    xy = np.pad(pca.transform(flat), ((0, 0), (0, 2 - n)))
    ratio = tuple(float(r) for r in pca.explained_variance_ratio_) + (0.0,) * (2 - n)
    return xy, ratio
