"""The transfer page's figures: top-5 bars, the feature projection, the confusion matrix."""

import numpy as np

from nnkit.experiments.transfer_learning import figures


def test_top_classes_put_the_most_likely_on_top_with_percentages():
    fig = figures.top_classes_figure([("tabby", 0.6), ("tiger cat", 0.3)], "Top-5")
    assert list(fig.data[0].y) == ["tiger cat", "tabby"] and list(fig.data[0].text) == ["30.0%", "60.0%"]


def test_projection_draws_one_trace_per_class_with_variance_in_the_axis_titles():
    xy = np.arange(12.0).reshape(6, 2)
    fig = figures.projection_figure(xy, np.array([0, 0, 1, 1, 2, 2]), ("a", "b", "c"), (0.7, 0.2))
    assert [t.name for t in fig.data] == ["a", "b", "c"] and len(fig.data[1].x) == 2
    assert "70%" in fig.layout.xaxis.title.text and "20%" in fig.layout.yaxis.title.text


def test_confusion_heatmap_writes_the_counts_in():
    fig = figures.confusion_figure(np.array([[2, 1], [0, 3]]), ("cat", "dog"))
    assert np.asarray(fig.data[0].z).tolist() == [[2, 1], [0, 3]] and list(fig.data[0].x) == ["cat", "dog"]
