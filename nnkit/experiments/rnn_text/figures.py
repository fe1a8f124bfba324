"""Plotly figures for the RNN page: next-character bars and forecast vs actual."""

from __future__ import annotations

from typing import Sequence

import numpy as np
import plotly.graph_objects as go

from nnkit.plots import PALETTE, layout


def next_char_figure(rows: Sequence[tuple[str, float]], temperature: float,
                     reference: Sequence[tuple[str, float]] | None = None) -> go.Figure:
    """Top-k next-character probabilities at `temperature` (bars), optionally
    against the model's own T = 1 distribution (hollow bars), same characters."""
    chars = [c for c, _ in rows]
    fig = go.Figure(go.Bar(x=chars, y=[p for _, p in rows], name=f"T = {temperature:g}",
                           marker_color=PALETTE[0], text=[f"{p:.0%}" for _, p in rows],
                           textposition="outside"))
    if reference is not None:
        ref = dict(reference)
        fig.add_trace(go.Bar(x=chars, y=[ref.get(c, 0.0) for c in chars], name="T = 1 (model as trained)",
                             marker={"color": "rgba(0,0,0,0)", "line": {"color": PALETTE[1], "width": 2}}))
    fig.update_layout(barmode="overlay", title="Next character (⏎ newline, ␣ space)")
    fig.update_yaxes(title_text="probability", range=[0, 1.1], tickformat=".0%")
    return layout(fig, height=340)


def forecast_figure(time_all: np.ndarray, values: np.ndarray, time_test: np.ndarray,
                    forecast: np.ndarray, naive: np.ndarray, split_time: float, unit: str) -> go.Figure:
    """The whole series, and on the test period the LSTM and naive forecasts."""
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=time_all, y=values, name="actual", line={"color": "#555", "width": 1.5}))
    fig.add_trace(go.Scatter(x=time_test, y=forecast, name="LSTM forecast", mode="lines+markers",
                             marker={"size": 4}, line={"color": PALETTE[0]}))
    fig.add_trace(go.Scatter(x=time_test, y=naive, name="naive: last value", line={"color": PALETTE[1],
                                                                                   "dash": "dot"}))
    fig.add_vline(x=split_time, line_dash="dash", line_color="#999",
                  annotation_text="test period →", annotation_position="top right")
    fig.update_xaxes(title_text="year")
    fig.update_yaxes(title_text=unit)
    return layout(fig, height=380)
