"""nnkit.core.metrics: confusion counts, their one-sentence summary, and the 2-D PCA."""

import numpy as np

from nnkit.core import metrics


def test_confusion_counts_true_against_predicted():
    counts = metrics.confusion([0, 0, 1, 2], [0, 1, 1, 2], 3)
    assert counts.tolist() == [[1, 1, 0], [0, 1, 0], [0, 0, 1]]


def test_confusion_summary_names_accuracy_and_the_commonest_mistake():
    counts = np.array([[5, 2], [0, 3]])
    text = metrics.confusion_summary(counts, ["cat", "dog"])
    assert "8 of 10 test images correct (80.0%)" in text and "cat taken for dog (2 times)" in text
    assert "mistake" not in metrics.confusion_summary(np.eye(2, dtype=int), ["a", "b"], "images")


def test_pca_2d_finds_the_main_axis_and_pads_tiny_inputs():
    feats = np.r_[np.ones((5, 4)) + np.eye(5, 4) * 0.1, -np.ones((5, 4))]
    xy, ratio = metrics.pca_2d(feats)
    assert xy.shape == (10, 2) and ratio[0] > 0.9 and sum(ratio) <= 1 + 1e-9
    one, ratio = metrics.pca_2d(np.arange(6.0).reshape(6, 1))
    assert one.shape == (6, 2) and ratio[1] == 0.0 and not one[:, 1].any()
