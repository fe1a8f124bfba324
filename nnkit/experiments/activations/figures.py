"""Plotly figures for the activation explorer: pure numbers in, `go.Figure` out."""

from __future__ import annotations

from typing import Mapping, Sequence

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from nnkit.plots import PALETTE, PROBABILITY_SCALE, layout


def function_figure(curves: Mapping[str, Mapping[str, object]], threshold: float = 0.01) -> go.Figure:
    """f(z) and f'(z) side by side, several activations overlaid.

    Args:
        curves: label -> {"z": array, "f": array, "df": array,
            "saturated": [(start, end), ...]}; saturated stretches are shaded
            in the derivative panel in the activation's colour.
        threshold: the |f'(z)| level that counts as saturated (drawn dotted).
    """
    fig = make_subplots(rows=1, cols=2, subplot_titles=["f(z): the output",
                                                        "f'(z): the slope (autodiff)"])
    for i, (label, c) in enumerate(curves.items()):
        colour = PALETTE[i % len(PALETTE)]
        fig.add_trace(go.Scatter(x=c["z"], y=c["f"], name=label, legendgroup=label,
                                 line={"color": colour}), row=1, col=1)
        fig.add_trace(go.Scatter(x=c["z"], y=c["df"], name=f"{label}'", legendgroup=label,
                                 showlegend=False, line={"color": colour, "dash": "dash"}), row=1, col=2)
        for start, end in c.get("saturated", []):
            fig.add_vrect(x0=start, x1=end, fillcolor=colour, opacity=0.12, line_width=0,
                          row=1, col=2)
    for level in (threshold, -threshold):
        fig.add_hline(y=level, line={"color": "grey", "dash": "dot", "width": 1}, row=1, col=2)
    fig.update_xaxes(title_text="z")
    return layout(fig, height=360)


def softmax_figure(logits: Sequence[float], probabilities: Sequence[float], temperature: float) -> go.Figure:
    """Output probabilities as bars, labelled with the logit that produced each."""
    names = [f"z{i + 1} = {v:g}" for i, v in enumerate(logits)]
    fig = go.Figure(go.Bar(x=names, y=list(probabilities), marker_color=PALETTE[0],
                           text=[f"{p:.3f}" for p in probabilities], textposition="outside"))
    fig.update_yaxes(range=[0, 1.1], title_text="probability")
    fig.update_layout(title=f"softmax(z / T) at T = {temperature:g}")
    return layout(fig, height=300)


def neuron_figure(grid_x: np.ndarray, grid_y: np.ndarray, output: np.ndarray,
                  point: tuple[float, float], label: str) -> go.Figure:
    """The neuron's output over the input plane, with the readout point marked."""
    fig = go.Figure(go.Heatmap(x=grid_x, y=grid_y, z=output, colorscale=PROBABILITY_SCALE,
                               colorbar={"title": {"text": "f(z)"}, "thickness": 12}))
    fig.add_trace(go.Scatter(x=[point[0]], y=[point[1]], mode="markers", name="input x",
                             marker={"color": "black", "size": 11, "symbol": "x"}))
    fig.update_xaxes(title_text="x₁")
    fig.update_yaxes(title_text="x₂", scaleanchor="x")
    fig.update_layout(title=f"{label} neuron output")
    return layout(fig, height=380)


def gradient_norms_figure(runs: Mapping[str, Sequence[float]], layers: Sequence[str],
                          start: Mapping[str, Sequence[float]] | None = None) -> go.Figure:
    """‖∂L/∂W‖ per layer on a log axis, one line per activation (input side left).

    `start` (same labels) adds the untrained network's norms as dotted lines,
    so the learner sees both where gradients began and where they are now.
    """
    fig = go.Figure()
    for i, (label, norms) in enumerate(runs.items()):
        colour = PALETTE[i % len(PALETTE)]
        for values, dash, suffix in (((start or {}).get(label), "dot", " · start"), (norms, "solid", "")):
            if not values:
                continue
            ys = [v if v and np.isfinite(v) and v > 0 else None for v in values]
            fig.add_trace(go.Scatter(x=list(layers[:len(ys)]), y=ys, name=label + suffix,
                                     mode="lines+markers", legendgroup=label,
                                     line={"color": colour, "dash": dash}))
    fig.update_yaxes(type="log", title_text="‖∂loss/∂W‖ (log scale)")
    fig.update_xaxes(title_text="layer (input → output)")
    fig.update_layout(title="Gradient reaching each layer (dotted: before training)")
    return layout(fig, height=340)


def stuck_units_figure(runs: Mapping[str, Sequence[float]]) -> go.Figure:
    """Share of dead/saturated units per hidden layer, grouped bars per activation."""
    fig = go.Figure()
    for i, (label, fractions) in enumerate(runs.items()):
        fig.add_trace(go.Bar(x=[f"hidden_{j + 1}" for j in range(len(fractions))],
                             y=list(fractions), name=label, marker_color=PALETTE[i % len(PALETTE)]))
    fig.update_yaxes(range=[0, 1], tickformat=".0%", title_text="units stuck")
    fig.update_layout(title="Dead or saturated units: |f'(z)| < 0.01 on all probes",
                      barmode="group")
    return layout(fig, height=340)
