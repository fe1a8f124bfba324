import math

import numpy as np

from nnkit import plots
from nnkit.core import boundary, models


def test_history_figure_overlays_runs_and_gaps_non_finite_values():
    runs = {"a": {"loss": [1.0, 0.5], "val_loss": [1.1, 0.6], "accuracy": [0.5, 0.8]},
            "b": {"loss": [1.0, math.nan, math.inf]}}
    fig = plots.history_figure(runs, planned_epochs=10)
    names = [t.name for t in fig.data]
    assert names == ["a · train", "a · validation", "a · train", "b · train"]
    assert list(fig.data[-1].y) == [1.0, None, None]
    assert fig.layout.xaxis.range == (0.5, 10.5)
    assert fig.data[0].line.color != fig.data[-1].line.color
    assert fig.layout.yaxis.range is None  # curves with numbers autoscale


def test_an_empty_frame_has_whole_epoch_ticks_and_a_loss_axis_from_zero():
    short = plots.history_figure({"run": {}}, planned_epochs=3)
    assert short.layout.xaxis.dtick == 1 and short.layout.yaxis.range == (0, 1.02)
    assert plots.history_figure({"run": {}}, planned_epochs=60).layout.xaxis.dtick == 8


def test_decision_boundary_matches_model_probabilities():
    x = np.array([[0, 0], [1, 1], [2, 0]], dtype="float32")
    model = models.build_mlp(models.MLPConfig(hidden=(3,)), 2, 2)
    gx, gy, pts = boundary.grid_for(x, resolution=5)
    surface = boundary.probability_surface(model, gx, gy, pts)
    assert surface.shape == (5, 5)
    expected = model.predict(pts, verbose=0)[:, 0].reshape(5, 5)
    np.testing.assert_allclose(surface, expected, atol=1e-6)
    fig = plots.decision_boundary_figure(gx, gy, surface, x, np.array([0, 1, 0]))
    assert [t.type for t in fig.data] == ["contour", "contour", "scatter", "scatter"]


def test_describe_counts_weights_like_keras():
    model = models.build_mlp(models.MLPConfig(hidden=(8, 8)), 2, 2)
    assert models.count_params(2, (8, 8), 1) == model.count_params() == 105
    assert models.describe(2, (), 1) == "2 inputs → 1 output (3 weights and biases)"
