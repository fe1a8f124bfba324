"""Plotly figures for the transfer-learning page (pure: numbers in, `go.Figure` out)."""

from __future__ import annotations

from typing import Sequence

import numpy as np
import plotly.graph_objects as go

from nnkit.plots import PALETTE


def _layout(fig: go.Figure, height: int) -> go.Figure:
    fig.update_layout(height=height, margin={"l": 10, "r": 10, "t": 40, "b": 10},
                      template="plotly_white", font={"size": 13})
    return fig


def top_classes_figure(top: Sequence[tuple[str, float]], title: str = "") -> go.Figure:
    """Horizontal bars of the top-k ImageNet classes, most likely on top."""
    names = [n for n, _ in top][::-1]
    probs = [p for _, p in top][::-1]
    fig = go.Figure(go.Bar(x=probs, y=names, orientation="h", marker_color=PALETTE[0],
                           text=[f"{p:.1%}" for p in probs], textposition="outside",
                           hovertemplate="%{y}: %{x:.1%}<extra></extra>"))
    fig.update_xaxes(range=[0, 1.15], tickformat=".0%", title_text="probability")
    fig.update_layout(title=title)
    return _layout(fig, 300)


def projection_figure(xy: np.ndarray, y: np.ndarray, classes: Sequence[str],
                      ratio: tuple[float, float]) -> go.Figure:
    """2-D PCA of the frozen features, one colour (and symbol) per class."""
    fig = go.Figure()
    symbols = ("circle", "square", "diamond", "triangle-up", "x")
    for c, name in enumerate(classes):
        pts = xy[y == c]
        fig.add_trace(go.Scatter(x=pts[:, 0], y=pts[:, 1], mode="markers", name=name,
                                 marker={"color": PALETTE[c % len(PALETTE)], "size": 9,
                                         "symbol": symbols[c % len(symbols)]}))
    fig.update_xaxes(title_text=f"PC 1 ({ratio[0]:.0%} of variance)")
    fig.update_yaxes(title_text=f"PC 2 ({ratio[1]:.0%} of variance)")
    fig.update_layout(title="Frozen MobileNetV2 features in 2-D (PCA)")
    return _layout(fig, 420)


def confusion_figure(counts: np.ndarray, classes: Sequence[str]) -> go.Figure:
    """counts[true, predicted] as an annotated heatmap (correct answers on the diagonal)."""
    names = list(classes)
    fig = go.Figure(go.Heatmap(z=counts, x=names, y=names, colorscale="Blues", text=counts,
                               texttemplate="%{text}", showscale=False,
                               hovertemplate="true %{y}, predicted %{x}: %{z}<extra></extra>"))
    fig.update_yaxes(autorange="reversed", title_text="true class", type="category")
    fig.update_xaxes(title_text="predicted class", type="category")
    fig.update_layout(title="Confusion matrix (validation images)")
    return _layout(fig, 420)
