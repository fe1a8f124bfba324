"""Figures for the optimisers page: pure functions from numbers to `go.Figure`."""

from __future__ import annotations

from typing import Sequence

import numpy as np
import plotly.graph_objects as go

from nnkit.experiments.optimisers import surfaces
from nnkit.experiments.optimisers.model import OPTIMISERS
from nnkit.experiments.optimisers.race import Trajectory
from nnkit.experiments.optimisers.range_test import RangeTest
from nnkit.plots import PALETTE, layout

# One fixed colour per optimiser, so SGD is the same colour in every chart.
COLOURS = dict(zip(OPTIMISERS, (*PALETTE, "#999999")))
GAP_FLOOR = 1e-12  # f − f_min below this is drawn at the floor of the log axis


def paths_figure(surface: surfaces.Surface, trajectories: Sequence[Trajectory],
                 upto: int | None = None) -> go.Figure:
    """Contours of the surface with each optimiser's path up to step `upto`.

    Contours are of log10(f − f_min) so that both the valley floor and the
    steep walls show structure.
    """
    xs, ys, z = surfaces.grid(surface)
    fig = go.Figure(go.Contour(x=xs, y=ys, z=np.log10(np.maximum(z - surface.f_min, 0) + 1e-3),
                               colorscale="Greys", reversescale=True, ncontours=25, opacity=0.6,
                               showscale=False, hoverinfo="skip", name="log₁₀(f − f_min)"))
    for tr in trajectories:
        path = tr.path if upto is None else tr.path[: upto + 1]
        colour = COLOURS[tr.racer.name]
        fig.add_trace(go.Scatter(x=path[:, 0], y=path[:, 1], mode="lines", name=tr.racer.label,
                                 legendgroup=tr.racer.name, line={"color": colour, "width": 2}))
        fig.add_trace(go.Scatter(x=path[-1:, 0], y=path[-1:, 1], mode="markers", showlegend=False,
                                 legendgroup=tr.racer.name, hovertext=tr.racer.label,
                                 marker={"color": colour, "size": 9, "line": {"color": "white", "width": 1}}))
    if trajectories:
        start = trajectories[0].path[0]
        fig.add_trace(go.Scatter(x=[start[0]], y=[start[1]], mode="markers", name="start",
                                 marker={"symbol": "circle-open", "size": 14, "color": "black"}))
    minima = np.array(surface.minima)
    fig.add_trace(go.Scatter(x=minima[:, 0], y=minima[:, 1], mode="markers", name="minimum",
                             marker={"symbol": "star", "size": 14, "color": "#F0E442",
                                     "line": {"color": "black", "width": 1}}))
    fig.update_xaxes(title_text="x", range=list(surface.x_range))
    fig.update_yaxes(title_text="y", range=list(surface.y_range))
    return layout(fig, height=480)


def paths_summary(surface: surfaces.Surface, trajectories: Sequence[Trajectory], upto: int | None = None) -> str:
    """One line for the paths chart: where each optimiser stands at step `upto`."""
    parts = []
    for tr in trajectories:
        shown = len(tr.path) - 1 if upto is None else min(upto, len(tr.path) - 1)
        x, y = tr.path[shown]
        parts.append(f"{tr.racer.label} at step {shown} is at ({x:.3g}, {y:.3g}), "
                     f"f − f_min = {tr.losses[shown] - surface.f_min:.3g}")
    return f"{surface.name}: " + ("; ".join(parts) or "no paths") + "."


def loss_figure(surface: surfaces.Surface, trajectories: Sequence[Trajectory]) -> go.Figure:
    """Distance to the minimum value, f − f_min, against step (log axis)."""
    fig = go.Figure()
    for tr in trajectories:
        gap = np.maximum(tr.losses - surface.f_min, GAP_FLOOR)
        name = tr.racer.label + (f" — diverged at step {tr.diverged_at}" if tr.diverged_at else "")
        fig.add_trace(go.Scatter(x=np.arange(len(gap)), y=gap, mode="lines", name=name,
                                 line={"color": COLOURS[tr.racer.name]}))
    fig.update_xaxes(title_text="step")
    fig.update_yaxes(title_text="f − f_min (log)", type="log")
    return layout(fig, height=360)


def schedule_figure(steps: np.ndarray, lrs: np.ndarray, kind: str, steps_per_epoch: int) -> go.Figure:
    """The learning rate the Keras schedule gives at each update."""
    fig = go.Figure(go.Scatter(x=steps, y=lrs, mode="lines", name=kind, line={"color": PALETTE[0]}))
    fig.update_xaxes(title_text=f"update step ({steps_per_epoch} per epoch)")
    fig.update_yaxes(title_text="learning rate η_t", rangemode="tozero")
    return layout(fig, height=260)


def range_figure(result: RangeTest) -> go.Figure:
    """Loss against learning rate (log axis), with the suggested LR marked."""
    raw = [v if np.isfinite(v) else None for v in result.losses]
    smooth = [v if np.isfinite(v) else None for v in result.smoothed]
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=result.lrs, y=raw, mode="lines", name="loss per step",
                             line={"color": PALETTE[5], "width": 1}))
    fig.add_trace(go.Scatter(x=result.lrs, y=smooth, mode="lines", name="smoothed",
                             line={"color": PALETTE[0], "width": 3}))
    finite = [v for v in smooth if v is not None]
    if finite:
        top = min(max(finite), 3 * finite[0])  # keep the explosion from squashing the plot
        fig.update_yaxes(range=[0, top * 1.05])
    if result.suggested_lr:
        fig.add_vline(x=np.log10(result.suggested_lr), line={"color": PALETTE[3], "dash": "dash"},
                      annotation_text=f"suggested η ≈ {result.suggested_lr:.2g}")
    fig.update_xaxes(title_text="learning rate (log)", type="log")
    fig.update_yaxes(title_text="training loss")
    return layout(fig, height=340)
