"""Plotly figures for the build-your-own-network page (Okabe–Ito palette)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import plotly.graph_objects as go

from nnkit.plots import PALETTE, history_figure, layout


def curves_figure(history: Mapping[str, Sequence[float]], metric: str, planned_epochs: int | None = None
                  ) -> go.Figure:
    """Loss and the compiled metric, training solid and validation dashed."""
    return history_figure({"this run": history}, metrics=("loss", metric), planned_epochs=planned_epochs)


def confusion_figure(counts: Sequence[Sequence[int]], class_names: Sequence[str]) -> go.Figure:
    """Test-set counts[true, predicted]: the diagonal holds the right answers."""
    names = [str(c) for c in class_names]
    z = np.asarray(counts)
    fig = go.Figure(go.Heatmap(z=z, x=names, y=names, colorscale="Blues", text=z, texttemplate="%{text}",
                               showscale=False, name="test rows",
                               hovertemplate="true %{y}, predicted %{x}: %{z}<extra></extra>"))
    fig.update_yaxes(autorange="reversed", title_text="true class", type="category")
    fig.update_xaxes(title_text="predicted class", type="category")
    fig.update_layout(title="Confusion matrix (test set)")
    return layout(fig, 360)


def scatter_figure(y_true: np.ndarray, y_pred: np.ndarray, target: str) -> go.Figure:
    """Predicted against true on the test rows; perfect predictions lie on the diagonal."""
    y_true, y_pred = np.asarray(y_true, float), np.asarray(y_pred, float)
    low, high = float(min(y_true.min(), y_pred.min())), float(max(y_true.max(), y_pred.max()))
    fig = go.Figure([
        go.Scatter(x=[low, high], y=[low, high], mode="lines", name="perfect prediction",
                   line={"color": PALETTE[7], "dash": "dot"}),
        go.Scatter(x=y_true.tolist(), y=y_pred.tolist(), mode="markers",
                   name="test rows", marker={"color": PALETTE[0], "size": 7, "opacity": 0.7}),
    ])
    fig.update_layout(title=f"Predicted vs true {target} (test set)", xaxis_title=f"true {target}",
                      yaxis_title=f"predicted {target}")
    return layout(fig, 360)


def comparison_figure(scores: Mapping[str, Mapping[str, float]], metric: str) -> go.Figure:
    """One bar per model (the network and the baselines) on the test set's headline metric."""
    names = list(scores)
    values = [scores[n][metric] for n in names]
    colours = [PALETTE[1] if i == 0 else PALETTE[0] for i in range(len(names))]
    fig = go.Figure(go.Bar(x=names, y=values, marker_color=colours, name=f"test {metric}",
                           text=[f"{v:.3f}" for v in values], textposition="outside"))
    fig.update_layout(title=f"Test {metric}: the network against baselines (higher is better)",
                      yaxis_title=metric, showlegend=False)
    return layout(fig, 320)
