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

from nnkit.plots import PALETTE, PROBABILITY_SCALE, layout

ARROW_LENGTH = 0.3  # a typical (90th-percentile) arrow, in plane units
LIVE_POINTS = 300  # points of each kind drawn in a live redraw (the final picture draws all)
LN2 = float(np.log(2))  # D's loss when it cannot tell real from generated


def arrow_segments(at: np.ndarray, push: np.ndarray) -> tuple[list, list]:
    """x and y of one line trace drawing every arrow (segments split by None).

    Directions are G's gradient's; lengths are scaled so the 90th-percentile
    arrow is ARROW_LENGTH, and capped at twice that, so a few huge gradients
    do not shrink every other arrow to a dot (GAN Lab does the same).
    """
    lengths = np.linalg.norm(push, axis=1) if len(push) else np.zeros(0)
    typical = float(np.percentile(lengths, 90)) if len(lengths) else 0.0
    scale = ARROW_LENGTH / typical if typical > 0 else 0.0
    shrink = np.minimum(1.0, 2 * ARROW_LENGTH / np.maximum(lengths * scale, 1e-12))[:, None]
    xs, ys = [], []
    for (x0, y0), (dx, dy) in zip(at, push * scale * shrink):
        xs += [float(x0), float(x0 + dx), None]
        ys += [float(y0), float(y0 + dy), None]
    return xs, ys


def _points(points: np.ndarray, limit: int | None) -> np.ndarray:
    return points if limit is None else points[:limit]


def plane_figure(picture: Mapping[str, Any], title: str = "", limit: int | None = None) -> go.Figure:
    """D's P(real) as a heatmap, real points, generated points and G's gradient arrows.

    `limit` draws at most that many points of each kind (live redraws: a
    browser on a 2-core laptop redraws 1,500 points a few times a second
    slowly, and steals the CPU the training needs). Built as one dict, not
    with add_trace: validation costs tens of ms a figure.
    """
    axis = [float(v) for v in picture["grid"]]
    real, fake = _points(picture["real"], limit), _points(picture["fake"], limit)
    xs, ys = arrow_segments(picture["arrow_at"], picture["arrows"])
    traces = [
        {"type": "heatmap", "x": axis, "y": axis, "z": np.asarray(picture["surface"]).round(3).tolist(), "zmin": 0,
         "zmax": 1, "zsmooth": "best", "colorscale": PROBABILITY_SCALE, "opacity": 0.8, "hoverinfo": "skip",
         "colorbar": {"title": {"text": "D: P(real)"}, "thickness": 12}, "name": "D's P(real)"},
        {"type": "scatter", "x": real[:, 0].tolist(), "y": real[:, 1].tolist(), "mode": "markers",
         "name": "real points", "marker": {"color": PALETTE[2], "size": 4, "opacity": 0.6}},
        {"type": "scatter", "x": fake[:, 0].tolist(), "y": fake[:, 1].tolist(), "mode": "markers",
         "name": "generated points", "marker": {"color": PALETTE[4], "size": 6, "symbol": "diamond", "opacity": 0.9,
                    "line": {"color": "white", "width": 0.6}}},
        {"type": "scatter", "x": xs, "y": ys, "mode": "lines", "name": "G's gradient (where G moves a point)",
         "line": {"color": PALETTE[7], "width": 1.5}, "hoverinfo": "skip"},
        {"type": "scatter", "x": xs[1::3], "y": ys[1::3], "mode": "markers", "showlegend": False,
         "marker": {"color": PALETTE[7], "size": 4}, "hoverinfo": "skip", "name": "arrow heads"},
    ]
    extent = [axis[0], axis[-1]]
    fig = go.Figure({"data": traces, "layout": {
        "xaxis": {"range": extent, "title": {"text": "x₁"}, "constrain": "domain"},
        "yaxis": {"range": extent, "title": {"text": "x₂"}, "scaleanchor": "x"},
        **({"title": {"text": title}} if title else {})}}, skip_invalid=True)
    return layout(fig, height=460)


_PANELS = ((1, "loss", "D loss", PALETTE[0]), (1, "g_loss", "G loss", PALETTE[3]),
           (2, "real_accuracy", "D on real", PALETTE[2]), (2, "fake_accuracy", "D on generated", PALETTE[4]),
           (3, "modes", "modes covered", PALETTE[1]))


def _three_panels(traces: list[dict], titles: Sequence[str], ranges: Sequence[list | None],
                  planned_epochs: int | None) -> go.Figure:
    """Three side-by-side panels over epochs, built as one dict (make_subplots validates every
    step and costs tens of ms a figure, a real share of a live redraw)."""
    gap = 0.07
    width = (1 - 2 * gap) / 3
    axes, notes = {}, []
    for col in range(1, 4):
        suffix, left = ("" if col == 1 else str(col)), (col - 1) * (width + gap)
        axes[f"xaxis{suffix}"] = {"domain": [left, left + width], "anchor": f"y{suffix}", "title": {"text": "epoch"},
                                  **({"range": [0.5, planned_epochs + 0.5]} if planned_epochs else {})}
        axes[f"yaxis{suffix}"] = {"anchor": f"x{suffix}", **({"range": ranges[col - 1]} if ranges[col - 1] else {})}
        notes.append({"text": titles[col - 1], "x": left + width / 2, "y": 1.0, "xref": "paper", "yref": "paper",
                      "xanchor": "center", "yanchor": "bottom", "showarrow": False, "font": {"size": 14}})
    # An empty trace per panel: plotly draws no axes for a panel without one (the first, empty frame).
    anchors = [{"type": "scatter", "x": [], "y": [], "xaxis": f"x{c}", "yaxis": f"y{c}", "showlegend": False,
                "hoverinfo": "skip"} for c in ("", "2", "3")]
    return go.Figure({"data": anchors + traces, "layout": {**axes, "annotations": notes}}, skip_invalid=True)


def _trace(history: Mapping[str, Sequence[float]], name: str, label: str, colour: str, col: int, **extra) -> dict:
    suffix = "" if col == 1 else str(col)
    values = [float(v) for v in history[name]]
    return {"type": "scatter", "x": list(range(1, len(values) + 1)), "y": values, "name": label, "mode": "lines",
            "line": {"color": colour, **extra.pop("line", {})}, "xaxis": f"x{suffix}", "yaxis": f"y{suffix}", **extra}


def game_figure(history: Mapping[str, Sequence[float]], modes: int, planned_epochs: int | None = None) -> go.Figure:
    """Three panels over epochs: D's and G's losses (ln 2 marked), D's accuracy on real and
    generated points (50% marked), and how many of the target's modes G covers."""
    traces = [_trace(history, name, label, colour, col) for col, name, label, colour in _PANELS if name in history]
    fig = _three_panels(traces, ("Losses", "D's accuracy", f"Modes covered (of {modes})"),
                        (None, [0, 1.02], [-0.2, modes + 0.5]), planned_epochs)
    level = {"type": "line", "xref": "x domain", "x0": 0, "x1": 1, "line": {"color": "grey", "dash": "dot", "width": 1}}
    fig.update_layout(shapes=[{**level, "yref": "y", "y0": LN2, "y1": LN2},
                              {**level, "xref": "x2 domain", "yref": "y2", "y0": 0.5, "y1": 0.5}])
    fig.add_annotation(text="ln 2", xref="x domain", x=1, y=LN2, yref="y", xanchor="right", yanchor="top",
                       showarrow=False, font={"size": 10, "color": "grey"})
    return layout(fig, height=340)


def compare_figure(runs: Mapping[str, Mapping[str, Sequence[float]]]) -> go.Figure:
    """Several runs overlaid: D's loss, D's accuracy on generated points, modes covered."""
    traces = []
    for i, (label, history) in enumerate(runs.items()):
        colour = PALETTE[i % len(PALETTE)]
        traces += [_trace(history, name, f"{label} · {what}", colour, col, legendgroup=label, showlegend=col == 1)
                   for col, (name, what) in enumerate((("loss", "D loss"), ("fake_accuracy", "D on generated"),
                                                       ("modes", "modes covered")), start=1) if name in history]
    return layout(_three_panels(traces, ("D's loss", "D's accuracy on generated points", "Modes covered"),
                                (None, [0, 1.02], None), None), height=360)


def plane_summary(picture: Mapping[str, Any], modes: int) -> str:
    """The plane's text alternative: where D thinks points are real, and what G covered."""
    surface = np.asarray(picture["surface"])
    counts = ", ".join(str(c) for c in picture["counts"])
    return (f"D's probability of 'real' ranges from {surface.min():.2f} to {surface.max():.2f} over the plane "
            f"({(surface > 0.5).mean():.0%} of it above 0.5). {len(picture['fake'])} generated points cover "
            f"{picture['covered']} of {modes} modes (points per mode: {counts}); "
            f"{picture['off_target']:.0%} lie in no mode. Arrows on {len(picture['arrow_at'])} points show "
            "G's gradient.")
