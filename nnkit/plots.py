"""Plotly figure builders: pure functions from numbers to `go.Figure`.

They hold no state and never touch Streamlit, so they are cheap to test and a
page can rebuild a figure from the history dict on every update.
"""

from __future__ import annotations

import math
from typing import Mapping, Sequence

import numpy as np
import plotly.graph_objects as go

# Okabe–Ito: distinguishable with the common colour-vision deficiencies.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000")
# Blue ↔ orange diverging scale for class probabilities (colour-blind safe).
PROBABILITY_SCALE = [[0.0, "#0072B2"], [0.5, "#F7F7F7"], [1.0, "#E69F00"]]
METRIC_TITLES = {"loss": "Loss (lower is better)", "accuracy": "Accuracy (higher is better)",
                 "mae": "Mean absolute error (lower is better)"}


def history_figure(runs: Mapping[str, Mapping[str, Sequence[float]]],
                   metrics: Sequence[str] = ("loss", "accuracy"),
                   planned_epochs: int | None = None) -> go.Figure:
    """Training curves, one panel per metric, several runs overlaid.

    Args:
        runs: run label -> Keras-style history, e.g.
            `{"relu": {"loss": [...], "val_loss": [...]}}`.
        metrics: base metric names; `val_<metric>` is drawn dashed if present.
        planned_epochs: fixes the x axis while a run is still training, so the
            curve grows into a stable frame instead of rescaling each update.
    """
    metrics = [m for m in metrics if any(m in h for h in runs.values())] or ["loss"]
    # Built as one dict, not with make_subplots/add_trace: those validate every
    # step and cost ~15 ms a figure, a real share of a short live run.
    gap, n = 0.08, len(metrics)
    width = (1 - gap * (n - 1)) / n
    axes, titles, traces = {}, [], []
    for col, metric in enumerate(metrics):
        suffix = "" if col == 0 else str(col + 1)
        left = col * (width + gap)
        axes[f"xaxis{suffix}"] = {"domain": [left, left + width], "anchor": f"y{suffix}", "title": {"text": "epoch"},
                                  **({"range": [0.5, planned_epochs + 0.5], "tick0": 0,
                                      "dtick": max(1, math.ceil(planned_epochs / 8))} if planned_epochs else {})}
        # An empty frame (a run about to start) reads 0..1, not plotly's default -1..4.
        empty = not any(history.get(metric) for history in runs.values())
        axes[f"yaxis{suffix}"] = {"anchor": f"x{suffix}",
                                  **({"range": [0, 1.02]} if metric == "accuracy" or empty else {})}
        titles.append({"text": METRIC_TITLES.get(metric, metric), "x": left + width / 2, "y": 1.0,
                       "xref": "paper", "yref": "paper", "xanchor": "center", "yanchor": "bottom",
                       "showarrow": False, "font": {"size": 14}})
    for i, (label, history) in enumerate(runs.items()):
        colour = PALETTE[i % len(PALETTE)]
        for col, metric in enumerate(metrics):
            suffix = "" if col == 0 else str(col + 1)
            for key, dash, kind in ((metric, "solid", "train"), (f"val_{metric}", "dash", "validation")):
                if key in history:
                    traces.append(_curve(history[key], f"{label} · {kind}", colour, dash, label, col == 0,
                                         f"x{suffix}", f"y{suffix}"))
    fig = go.Figure({"data": traces, "layout": {**axes, "annotations": titles}}, skip_invalid=True)
    return layout(fig, height=340)


def _curve(values: Sequence[float], name: str, colour: str, dash: str,
           legend_group: str, show_legend: bool, xaxis: str = "x", yaxis: str = "y") -> dict:
    # NaN/inf (a diverged run) become gaps, not a broken axis.
    ys = [v if v is not None and math.isfinite(v) else None for v in values]
    return {"type": "scatter", "x": list(range(1, len(ys) + 1)), "y": ys, "name": name,
            "mode": "lines+markers", "marker": {"size": 4}, "line": {"color": colour, "dash": dash},
            "legendgroup": legend_group, "showlegend": show_legend, "xaxis": xaxis, "yaxis": yaxis}


def decision_boundary_figure(grid_x: np.ndarray, grid_y: np.ndarray, probability: np.ndarray,
                             x: np.ndarray, y: np.ndarray, title: str = "") -> go.Figure:
    """Predicted P(class 1) over the plane, the 0.5 contour, and the points.

    `probability` has shape (len(grid_y), len(grid_x)).
    """
    fig = go.Figure()
    fig.add_trace(go.Contour(x=grid_x, y=grid_y, z=probability, zmin=0, zmax=1,
                             colorscale=PROBABILITY_SCALE, opacity=0.75, ncontours=20,
                             contours={"showlines": False}, showscale=True,
                             colorbar={"title": {"text": "P(class 1)"}, "thickness": 12},
                             hoverinfo="skip", name="P(class 1)"))
    fig.add_trace(go.Contour(x=grid_x, y=grid_y, z=probability, showscale=False,
                             contours={"coloring": "none", "start": 0.5, "end": 0.5, "size": 1},
                             line={"color": "black", "width": 2}, hoverinfo="skip",
                             name="boundary (p = 0.5)"))
    for label, colour, symbol in ((0, PALETTE[0], "circle"), (1, PALETTE[1], "diamond")):
        pts = x[y == label]
        fig.add_trace(go.Scatter(x=pts[:, 0], y=pts[:, 1], mode="markers", name=f"class {label}",
                                 marker={"color": colour, "symbol": symbol, "size": 6,
                                         "line": {"color": "white", "width": 0.8}}))
    fig.update_xaxes(title_text="x₁", range=[grid_x[0], grid_x[-1]])
    fig.update_yaxes(title_text="x₂", range=[grid_y[0], grid_y[-1]])
    fig.update_layout(title=title or None)
    return layout(fig, height=420)


def layout(fig: go.Figure, height: int) -> go.Figure:
    """The house layout: fixed height, tight margins, legend below.

    No named template on purpose: resolving one costs tens of ms per figure,
    too slow for live redraws, and Streamlit themes the chart anyway.
    """
    fig.update_layout(height=height, margin={"l": 10, "r": 10, "t": 40, "b": 10},
                      legend={"orientation": "h", "yanchor": "top", "y": -0.3})
    return fig


# Trace types whose numbers are a grid or an image: summarised, not tabulated.
_GRID_TRACES = {"contour", "heatmap", "image", "surface"}


def describe_figure(fig: go.Figure) -> tuple[str, list[dict]]:
    """A one-line summary and the numbers behind a figure, for screen readers
    and for anyone who wants the values rather than the picture.

    Returns (summary, rows) with rows like {"series": ..., "x": ..., "y": ...}.
    """
    rows, parts = [], []
    for trace in fig.data:
        name = trace.name or trace.type
        if trace.type in _GRID_TRACES:
            z = np.asarray(trace.z if trace.z is not None else [], dtype=float)
            if z.size:
                parts.append(f"{name}: a {z.shape[0]}×{z.shape[-1]} grid from "
                             f"{np.nanmin(z):.3g} to {np.nanmax(z):.3g}")
            continue
        xs = list(trace.x) if trace.x is not None else []
        ys = list(trace.y) if trace.y is not None else []
        xs = xs or list(range(1, len(ys) + 1))
        rows += [{"series": name, "x": x, "y": y} for x, y in zip(xs, ys)]
        finite = [y for y in ys if isinstance(y, (int, float)) and y is not None and math.isfinite(y)]
        if trace.type == "scatter" and trace.mode and "lines" in trace.mode and finite:
            parts.append(f"{name}: last {finite[-1]:.4g} (min {min(finite):.4g}, max {max(finite):.4g})")
        elif ys:
            parts.append(f"{name}: {len(ys)} values")
    return ("; ".join(parts) or "empty chart") + ".", rows
