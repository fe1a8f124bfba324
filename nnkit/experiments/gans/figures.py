"""Plotly figures for the GAN page: pure numbers in, `go.Figure` out.

`plane_figure` is GAN Lab's picture: D's P(real) over the plane behind the
real and the generated points, with an arrow on some generated points showing
which way G's gradient moves them. `game_figure` is the run over epochs: both
losses, D's accuracy on real and on generated points, and the modes covered.
"""

from __future__ import annotations

from typing import Any, Mapping, Sequence

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from nnkit.plots import PALETTE, PROBABILITY_SCALE, layout

ARROW_LENGTH = 0.45  # the longest arrow, in plane units; the others in proportion


def arrow_segments(at: np.ndarray, push: np.ndarray) -> tuple[list, list]:
    """x and y of one line trace drawing every arrow (segments split by None), scaled so
    the longest is ARROW_LENGTH: the direction and relative size are G's gradient's."""
    longest = float(np.linalg.norm(push, axis=1).max()) if len(push) else 0.0
    scale = ARROW_LENGTH / longest if longest > 0 else 0.0
    xs, ys = [], []
    for (x0, y0), (dx, dy) in zip(at, push * scale):
        xs += [float(x0), float(x0 + dx), None]
        ys += [float(y0), float(y0 + dy), None]
    return xs, ys


def plane_figure(picture: Mapping[str, Any], title: str = "") -> go.Figure:
    """D's P(real) as a heatmap, real points, generated points and G's gradient arrows."""
    axis = picture["grid"]
    fig = go.Figure(go.Heatmap(x=axis, y=axis, z=picture["surface"], zmin=0, zmax=1, colorscale=PROBABILITY_SCALE,
                               opacity=0.8, colorbar={"title": {"text": "D: P(real)"}, "thickness": 12},
                               hoverinfo="skip", name="D's P(real)"))
    real, fake = picture["real"], picture["fake"]
    fig.add_trace(go.Scatter(x=real[:, 0], y=real[:, 1], mode="markers", name="real points",
                               marker={"color": PALETTE[2], "size": 4, "opacity": 0.6}))
    fig.add_trace(go.Scatter(x=fake[:, 0], y=fake[:, 1], mode="markers", name="generated points",
                               marker={"color": PALETTE[4], "size": 4, "symbol": "diamond", "opacity": 0.8}))
    xs, ys = arrow_segments(picture["arrow_at"], picture["arrows"])
    fig.add_trace(go.Scatter(x=xs, y=ys, mode="lines", name="G's gradient (where G moves a point)",
                             line={"color": PALETTE[7], "width": 1.5}, hoverinfo="skip"))
    ends = [(x, y) for x, y in zip(xs[1::3], ys[1::3])]
    fig.add_trace(go.Scatter(x=[x for x, _ in ends], y=[y for _, y in ends], mode="markers", showlegend=False,
                             marker={"color": PALETTE[7], "size": 4}, hoverinfo="skip", name="arrow heads"))
    extent = [float(axis[0]), float(axis[-1])]
    fig.update_xaxes(range=extent, title_text="x₁", constrain="domain")
    fig.update_yaxes(range=extent, title_text="x₂", scaleanchor="x")
    fig.update_layout(title=title or None)
    return layout(fig, height=460)


def game_figure(history: Mapping[str, Sequence[float]], modes: int, planned_epochs: int | None = None) -> go.Figure:
    """Three panels over epochs: D's and G's losses (ln 2 marked), D's accuracy on real and
    generated points (50% marked), and how many of the target's modes G covers."""
    fig = make_subplots(rows=1, cols=3, horizontal_spacing=0.07,
                        subplot_titles=["Losses", "D's accuracy", f"Modes covered (of {modes})"])
    epochs = list(range(1, len(history.get("loss", [])) + 1))
    panels = ((1, "loss", "D loss", PALETTE[0]), (1, "g_loss", "G loss", PALETTE[3]),
              (2, "real_accuracy", "D on real", PALETTE[2]), (2, "fake_accuracy", "D on generated", PALETTE[4]),
              (3, "modes", "modes covered", PALETTE[1]))
    for col, name, label, colour in panels:
        if name in history:
            fig.add_trace(go.Scatter(x=epochs, y=list(history[name]), name=label, mode="lines",
                                     line={"color": colour}), row=1, col=col)
    fig.add_hline(y=float(np.log(2)), line={"color": "grey", "dash": "dot", "width": 1}, row=1, col=1,
                  annotation_text="ln 2: D can't tell", annotation_position="bottom right")
    fig.add_hline(y=0.5, line={"color": "grey", "dash": "dot", "width": 1}, row=1, col=2)
    fig.update_yaxes(range=[0, 1.02], row=1, col=2)
    fig.update_yaxes(range=[-0.2, modes + 0.5], row=1, col=3)
    fig.update_xaxes(title_text="epoch", **({"range": [0.5, planned_epochs + 0.5]} if planned_epochs else {}))
    return layout(fig, height=340)


def plane_summary(picture: Mapping[str, Any], modes: int) -> str:
    """The plane's text alternative: where D thinks points are real, and what G covered."""
    surface = np.asarray(picture["surface"])
    counts = ", ".join(str(c) for c in picture["counts"])
    return (f"D's probability of 'real' ranges from {surface.min():.2f} to {surface.max():.2f} over the plane "
            f"({(surface > 0.5).mean():.0%} of it above 0.5). {len(picture['fake'])} generated points cover "
            f"{picture['covered']} of {modes} modes (points per mode: {counts}); "
            f"{picture['off_target']:.0%} lie in no mode. Arrows on {len(picture['arrow_at'])} points show "
            "G's gradient.")
