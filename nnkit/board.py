"""The class board's numbers: per page, who is active, how runs went, and the room's own sweep.

Pure functions over stored runs (no Streamlit), so the board page stays thin
and the numbers are tested on their own.
"""

from __future__ import annotations

import math
from typing import Any, Iterable, Sequence
from urllib.parse import urlencode

import plotly.graph_objects as go

from nnkit.core.store import StoredRun
from nnkit.plots import PALETTE, layout


def run_link(run: StoredRun, base: str = "") -> str:
    """The run's settings as a link to its page, so the instructor can put it on the projector."""
    params = {k: ",".join(map(str, v)) if isinstance(v, list) else str(v).lower() if isinstance(v, bool) else str(v)
              for k, v in run.settings.items() if not k.startswith("_")}
    return f"{base}/{run.page}?{urlencode(params)}"


def leaderboard_rows(leaders: Sequence[StoredRun], base: str = "", top: int = 10) -> list[dict[str, Any]]:
    """The best runs first; learners appear by a short anonymous tag, never their id."""
    return [{"rank": i + 1, "learner": run.learner[:4], "run": run.label, run.metric_name or "metric": run.metric_value,
             "verdict": run.verdict or "", "open": run_link(run, base)} for i, run in enumerate(leaders[:top])]


def numeric_settings(runs: Iterable[StoredRun]) -> list[str]:
    """Settings that vary as numbers across the class's finished runs (candidates for the scatter)."""
    values: dict[str, set] = {}
    for run in runs:
        for name, value in run.settings.items():
            if isinstance(value, (int, float)) and not isinstance(value, bool) and not name.startswith("_"):
                values.setdefault(name, set()).add(value)
    return sorted(name for name, seen in values.items() if len(seen) > 1 and name != "seed")


def setting_scatter(runs: Sequence[StoredRun], setting: str) -> go.Figure:
    """One setting against the outcome across the class: the room's own sweep (e.g. a range test)."""
    points = [(r.settings[setting], r.metric_value, r.label) for r in runs
              if r.metric_value is not None and isinstance(r.settings.get(setting), (int, float))]
    metric = next((r.metric_name for r in runs if r.metric_name), "outcome")
    fig = go.Figure(go.Scatter(x=[p[0] for p in points], y=[p[1] for p in points], mode="markers",
                               text=[p[2] for p in points], marker={"color": PALETTE[0], "size": 10},
                               name="runs"))
    xs = [p[0] for p in points if p[0] > 0]
    log = len(xs) == len(points) and xs and max(xs) / min(xs) >= 100
    fig.update_layout(title=f"{setting} against {metric} across the class", xaxis_title=setting,
                      yaxis_title=metric, xaxis_type="log" if log else "linear")
    return layout(fig, 360)


def finite(value: float | None) -> bool:
    return value is not None and math.isfinite(value)
