"""The loss page's figures: one trace per curve, fitted line and confusion matrix."""

import numpy as np
import pytest

from nnkit.experiments.losses import figures as loss_plots
from nnkit.experiments.losses import outliers


def test_figures_have_one_trace_per_curve():
    xs = np.linspace(-1, 1, 5)
    fig = loss_plots.loss_curves_figure({"MSE": (xs, xs ** 2, 2 * xs), "MAE": (xs, abs(xs), np.sign(xs))}, "error")
    assert len(fig.data) == 4
    d = outliers.outlier_data(50, 0.2)
    fig = loss_plots.fit_figure(d.x, d.y, d.outlier, xs, d.true_line(xs), {"MSE": xs, "MAE": xs})
    assert len(fig.data) == 5 and len(fig.data[1].x) == d.outlier.sum() == 10
    fig = loss_plots.confusion_figure({"a": [[5, 1], [2, 3]], "b": [[6, 0], [4, 1]]})
    assert len(fig.data) == 2 and fig.data[0].z.tolist() == [[5, 1], [2, 3]]


def test_classification_curves_dash_y0_and_clip_the_loss_axis():
    xs = np.linspace(0.1, 0.9, 5)
    fig = loss_plots.loss_curves_figure({"BCE · y=1": (xs, -np.log(xs), -1 / xs),
                                         "BCE · y=0": (xs, -np.log(1 - xs), 1 / (1 - xs))}, "ŷ", 6.0)
    assert fig.data[0].line.color == fig.data[2].line.color and fig.data[2].line.dash == "dash"
    assert fig.layout.yaxis.range == pytest.approx((-0.3, 6.0))
