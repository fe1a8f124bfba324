"""Plotly figures of the training-strategies page: overlaid curves with each run's
best epoch marked, first-layer weight histograms, each update's loss by batch
size, and the callbacks run with the epochs its callbacks acted at."""

from __future__ import annotations

from typing import Mapping, Sequence

import numpy as np
import plotly.graph_objects as go

from nnkit.plots import PALETTE, history_figure, layout

CALLBACK_SYMBOLS = {"ModelCheckpoint": "diamond", "ReduceLROnPlateau": "triangle-down", "EarlyStopping": "x"}


def curves_figure(runs: Mapping[str, Mapping[str, Sequence[float]]], fit_key: str,
                  planned_epochs: int | None = None) -> go.Figure:
    """Cross-entropy (train solid, validation dashed) and accuracy per run; a star on
    each run's lowest validation cross-entropy."""
    fig = history_figure(runs, (fit_key, "accuracy"), planned_epochs)
    fig.layout.annotations[0].text = "Cross-entropy (lower is better)"
    for i, (label, history) in enumerate(runs.items()):
        val = history.get(f"val_{fit_key}") or []
        finite = [v if np.isfinite(v) else np.inf for v in val]
        if finite and np.isfinite(min(finite)):
            best = int(np.argmin(finite))
            fig.add_scatter(x=[best + 1], y=[val[best]], mode="markers", name=f"{label} · lowest validation",
                            marker={"symbol": "star", "size": 13, "color": PALETTE[i % len(PALETTE)]},
                            legendgroup=label, showlegend=False)
    return fig


def weights_figure(weights: Mapping[str, np.ndarray], bins: int = 40) -> go.Figure:
    """Histogram of the first layer's weights per run, on shared bins."""
    arrays = {k: np.asarray(v, dtype=float) for k, v in weights.items() if v is not None and len(v)}
    fig = go.Figure()
    if arrays:
        reach = max(float(np.abs(a).max()) for a in arrays.values()) or 1.0
        edges = np.linspace(-reach, reach, bins + 1)
        centres = (edges[:-1] + edges[1:]) / 2
        for i, (label, values) in enumerate(arrays.items()):
            counts, _ = np.histogram(values, edges)
            fig.add_bar(x=centres, y=counts, name=f"{label} (std {values.std():.3f})", opacity=0.6,
                        marker_color=PALETTE[i % len(PALETTE)])
    fig.update_layout(barmode="overlay", bargap=0, xaxis_title="first-layer weight", yaxis_title="count",
                      title="First layer's weights")
    return layout(fig, height=300)


def batch_figure(runs: Mapping[str, Mapping], epochs: int) -> go.Figure:
    """Each update's own batch loss against epochs passed, one line per batch size."""
    fig = go.Figure()
    for i, (label, result) in enumerate(runs.items()):
        losses = result.get("batch_losses") or []
        per_epoch = result.get("updates_per_epoch") or max(1, len(losses) // max(1, epochs))
        fig.add_scatter(x=[(k + 1) / per_epoch for k in range(len(losses))], y=losses, mode="lines",
                        name=label, line={"color": PALETTE[i % len(PALETTE)], "width": 1})
    fig.update_layout(xaxis_title="epochs of training", yaxis_title="loss of each update's batch",
                      title="Loss seen by each update", xaxis_range=[0, epochs])
    return layout(fig, height=320)


def callbacks_figure(history: Mapping[str, Sequence[float]], events: Sequence, planned_epochs: int) -> go.Figure:
    """Training and validation loss with a marker where each callback acted."""
    fig = go.Figure()
    for key, dash, colour in (("loss", "solid", PALETTE[0]), ("val_loss", "dash", PALETTE[0])):
        if history.get(key):
            fig.add_scatter(x=list(range(1, len(history[key]) + 1)), y=history[key], mode="lines+markers",
                            name="training loss" if key == "loss" else "validation loss",
                            line={"dash": dash, "color": colour}, marker={"size": 4})
    val = history.get("val_loss") or []
    for i, name in enumerate(CALLBACK_SYMBOLS):
        found = [e for e in events if e.callback == name and e.epoch <= len(val)]
        if found:
            fig.add_scatter(x=[e.epoch for e in found], y=[val[e.epoch - 1] for e in found], mode="markers",
                            name=name, text=[e.why for e in found], hovertemplate="%{text}<extra></extra>",
                            marker={"symbol": CALLBACK_SYMBOLS[name], "size": 12, "color": PALETTE[i + 1]})
    fig.update_layout(xaxis_title="epoch", yaxis_title="loss", xaxis_range=[0.5, planned_epochs + 0.5],
                      title="When each callback acted")
    return layout(fig, height=340)
