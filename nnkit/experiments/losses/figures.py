"""Plotly figures for the loss-functions page: pure functions, numbers in, figure out."""

from __future__ import annotations

from typing import Mapping, Sequence

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from nnkit.plots import PALETTE, layout

Curves = Mapping[str, tuple[np.ndarray, np.ndarray, np.ndarray]]  # label -> (x, loss, grad)


def loss_curves_figure(curves: Curves, x_title: str, clip_loss: float | None = None) -> go.Figure:
    """Loss (left) and its gradient (right) for several losses on one x axis.

    Args:
        curves: label -> (x, loss, d loss / d x); labels ending in "y=0" are dashed
            and share the colour of the same loss's "y=1" curve.
        x_title: what x is, e.g. "error ŷ − y" or "prediction ŷ".
        clip_loss: upper y limit so −log(p) near p = 0 does not squash the rest.
    """
    fig = make_subplots(rows=1, cols=2, subplot_titles=["loss", "gradient d loss / d ŷ"])
    colours: dict[str, str] = {}
    for label, (x, loss, grad) in curves.items():
        base, _, which = label.partition(" · ")
        colour = colours.setdefault(base, PALETTE[len(colours) % len(PALETTE)])
        dash = "dash" if which == "y=0" else "solid"
        for col, values in ((1, loss), (2, grad)):
            fig.add_trace(go.Scatter(x=np.asarray(x), y=np.asarray(values), mode="lines", name=label,
                                     line={"color": colour, "dash": dash}, legendgroup=label,
                                     showlegend=col == 1), row=1, col=col)
    fig.update_xaxes(title_text=x_title)
    if clip_loss:
        fig.update_yaxes(range=[-0.05 * clip_loss, clip_loss], row=1, col=1)
        fig.update_yaxes(range=[-2 * clip_loss, 2 * clip_loss], row=1, col=2)
    return layout(fig, height=360)


def fit_figure(x: np.ndarray, y: np.ndarray, outlier: np.ndarray, grid: np.ndarray,
               truth: np.ndarray, fits: Mapping[str, np.ndarray]) -> go.Figure:
    """The regression points (outliers marked), the true line and each loss's fitted line."""
    x, y = np.asarray(x).ravel(), np.asarray(y).ravel()
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=x[~outlier], y=y[~outlier], mode="markers", name="clean points",
                             marker={"color": "#999999", "size": 5}))
    fig.add_trace(go.Scatter(x=x[outlier], y=y[outlier], mode="markers", name="outliers",
                             marker={"color": PALETTE[3], "size": 8, "symbol": "x"}))
    fig.add_trace(go.Scatter(x=grid, y=truth, mode="lines", name="true line",
                             line={"color": "black", "dash": "dot"}))
    for i, (label, pred) in enumerate(fits.items()):
        fig.add_trace(go.Scatter(x=grid, y=np.asarray(pred), mode="lines", name=f"fit · {label}",
                                 line={"color": PALETTE[i % len(PALETTE)], "width": 3}))
    fig.update_xaxes(title_text="x")
    fig.update_yaxes(title_text="y")
    return layout(fig, height=380)


def confusion_figure(matrices: Mapping[str, Sequence[Sequence[int]]]) -> go.Figure:
    """One 2×2 confusion matrix per loss, side by side (rows: true, columns: predicted)."""
    labels = list(matrices)
    fig = make_subplots(rows=1, cols=max(1, len(labels)), subplot_titles=labels)
    top = max([max(max(r) for r in m) for m in matrices.values()] or [1])
    for i, label in enumerate(labels, start=1):
        z = np.asarray(matrices[label])
        fig.add_trace(go.Heatmap(z=z, x=["pred 0", "pred 1"], y=["true 0", "true 1"], zmin=0, zmax=top,
                                 colorscale="Blues", showscale=False, text=z, texttemplate="%{text}",
                                 textfont={"size": 16}, hovertemplate="%{y}, %{x}: %{z}<extra></extra>"),
                      row=1, col=i)
        fig.update_yaxes(autorange="reversed", row=1, col=i)
    return layout(fig, height=260)
