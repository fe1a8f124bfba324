"""nnkit.experiments.activations.figures: each figure draws the numbers it is given."""

import numpy as np

from nnkit.experiments.activations import figures
from nnkit.experiments.activations import functions as fn


def test_function_figure_overlays_f_and_its_slope_and_shades_saturation():
    z = fn.z_grid(-6, 6, 121)
    curves = fn.curves({"sigmoid": "sigmoid", "ReLU": "relu"}, z)
    fig = figures.function_figure(curves)
    names = [t.name for t in fig.data]
    assert names == ["sigmoid", "sigmoid'", "ReLU", "ReLU'"]
    np.testing.assert_allclose(fig.data[1].y, fn.derivative("sigmoid", z))
    shaded = [s for s in fig.layout.shapes if s.type == "rect"]
    assert len(shaded) == len(curves["sigmoid"]["saturated"]) + len(curves["ReLU"]["saturated"]) == 3


def test_softmax_and_neuron_figures_label_what_they_show():
    fig = figures.softmax_figure([2.0, 1.0], [0.73, 0.27], 0.5)
    assert list(fig.data[0].x) == ["z1 = 2", "z2 = 1"] and fig.data[0].text == ("0.730", "0.270")
    assert "T = 0.5" in fig.layout.title.text
    grid = np.linspace(-1, 1, 3)
    fig = figures.neuron_figure(grid, grid, np.zeros((3, 3)), (0.5, -0.5), "tanh")
    assert fig.data[1].x == (0.5,) and fig.layout.title.text == "tanh neuron output"


def test_gradient_and_stuck_unit_figures_skip_non_finite_values():
    fig = figures.gradient_norms_figure({"ReLU": [0.1, float("nan"), 0.0]}, ["hidden_1", "hidden_2", "output"],
                                        {"ReLU": [0.2, 0.1, 0.05]})
    start, now = fig.data
    assert start.name == "ReLU · start" and now.name == "ReLU"
    assert list(now.y) == [0.1, None, None]  # a log axis cannot show NaN or 0
    assert fig.layout.yaxis.type == "log"
    bars = figures.stuck_units_figure({"ReLU": [0.5, 0.25]})
    assert list(bars.data[0].x) == ["hidden_1", "hidden_2"] and list(bars.data[0].y) == [0.5, 0.25]
