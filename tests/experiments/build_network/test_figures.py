"""The page's figures draw the numbers they are given, with a text alternative."""

import numpy as np

from nnkit.experiments.build_network import figures
from nnkit.plots import describe_figure


def test_curves_show_loss_and_the_compiled_metric():
    fig = figures.curves_figure({"loss": [1, 0.5], "val_loss": [1.1, 0.7], "mae": [3, 2], "val_mae": [3, 2.5]}, "mae", 5)
    assert {t.name for t in fig.data} == {"this run · train", "this run · validation"}
    assert len(fig.data) == 4 and list(fig.layout.xaxis.range) == [0.5, 5.5]


def test_confusion_cells_hold_the_counts():
    fig = figures.confusion_figure([[5, 1], [2, 7]], ("malignant", "benign"))
    assert np.asarray(fig.data[0].z).tolist() == [[5, 1], [2, 7]] and list(fig.data[0].x) == ["malignant", "benign"]
    assert "2×2 grid from 1 to 7" in describe_figure(fig)[0]


def test_scatter_has_the_diagonal_and_every_test_row():
    fig = figures.scatter_figure(np.array([10.0, 20, 30]), [12.0, 18, 35], "progression")
    diagonal, points = fig.data
    assert list(diagonal.x) == [10.0, 35.0] and list(points.y) == [12.0, 18.0, 35.0]
    assert "progression" in fig.layout.title.text


def test_comparison_puts_the_network_first_in_its_own_colour():
    fig = figures.comparison_figure({"your network": {"accuracy": 0.95}, "always the majority class":
                                     {"accuracy": 0.63}}, "accuracy")
    bars = fig.data[0]
    assert list(bars.y) == [0.95, 0.63] and bars.marker.color[0] != bars.marker.color[1]
    rows = describe_figure(fig)[1]
    assert [r["y"] for r in rows] == [0.95, 0.63]
