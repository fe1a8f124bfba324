"""Plotly figures: the network with every number on it, the loss per SGD step, the deep chain."""

from __future__ import annotations

from typing import Any, Mapping, Sequence

import plotly.graph_objects as go

from nnkit.plots import PALETTE, layout
from nnkit.experiments.backprop.chain import pretty

NODES = {"x1": (0.0, 1.0), "x2": (0.0, -1.0), "a1": (1.0, 1.0), "a2": (1.0, -1.0), "ŷ": (2.0, 0.0), "L": (3.0, 0.0)}
EDGES = {"w11": ("x1", "a1"), "w12": ("x2", "a1"), "w21": ("x1", "a2"), "w22": ("x2", "a2"),
         "v1": ("a1", "ŷ"), "v2": ("a2", "ŷ")}
# Which part of the picture a backward step is about: an edge (a weight) or a node (a value or a bias).
STEP_PLACE = {"ŷ": "L", "z": "ŷ", "c": "ŷ", "a1": "a1", "z1": "a1", "b1": "a1", "a2": "a2", "z2": "a2",
              "b2": "a2"}
GREY, HIGHLIGHT, GRADIENT = "#999999", PALETTE[3], PALETTE[0]


def _g(grads: Mapping[str, Any], name: str, row: int) -> float:
    value = grads[name]
    return float(value[row]) if hasattr(value, "__len__") else float(value)


def network_figure(params: Mapping[str, float], fwd: Mapping[str, Any], grads: Mapping[str, Any],
                   revealed: Sequence[str], current: str | None, row: int = 0) -> go.Figure:
    """The 2 → 2 → 1 net: weights on the edges, z and a in the nodes, gradients (once revealed) in blue,
    the current backward step's edge or node in orange. Per-row values are those of `row`."""
    fig = go.Figure()
    at = current if current in EDGES else None
    for name, (start, end) in EDGES.items():
        (x0, y0), (x1, y1) = NODES[start], NODES[end]
        hot = name == at
        fig.add_trace(go.Scatter(x=[x0, x1], y=[y0, y1], mode="lines", hoverinfo="skip", showlegend=False,
                                 name=pretty(name), line={"color": HIGHLIGHT if hot else GREY, "width": 6 if hot else 2}))
        text = f"{pretty(name)} = {params[name]:.3g}"
        if name in revealed:
            text += f"<br><span style='color:{GRADIENT}'>∂L/∂{pretty(name)} = {_g(grads, name, row):.3g}</span>"
        t = 0.3 if start.startswith("x") else 0.5  # off the crossing in the middle of the first layer
        fig.add_annotation(x=x0 + t * (x1 - x0), y=y0 + t * (y1 - y0), text=text, showarrow=False,
                           bgcolor="rgba(255,255,255,0.85)", font={"size": 12})
    hot = current == "ŷ"  # the first step: from the loss back to the prediction
    fig.add_trace(go.Scatter(x=[2, 3], y=[0, 0], mode="lines", showlegend=False, hoverinfo="skip", name="loss",
                             line={"color": HIGHLIGHT if hot else GREY, "width": 6 if hot else 2}))
    labels, colours = [], []
    for node in NODES:
        lines = _node_text(node, params, fwd, grads, revealed, row)
        labels.append("<br>".join(lines))
        colours.append(HIGHLIGHT if current is not None and STEP_PLACE.get(current) == node else PALETTE[5])
    xs, ys = zip(*NODES.values())
    fig.add_trace(go.Scatter(x=xs, y=ys, mode="markers+text", text=labels, textposition="bottom center",
                             marker={"size": 34, "color": colours, "line": {"color": "white", "width": 2}},
                             hoverinfo="text", name="values", showlegend=False))
    fig.update_xaxes(visible=False, range=[-0.4, 3.5])
    fig.update_yaxes(visible=False, range=[-2.1, 1.5])
    return layout(fig, height=460)


def _node_text(node: str, params, fwd, grads, revealed, row: int) -> list[str]:
    blue = f"<span style='color:{GRADIENT}'>%s</span>"
    if node.startswith("x"):
        return [f"<b>{pretty(node)} = {fwd[node][row]:.3g}</b>"]
    if node == "L":
        return [f"<b>L = {fwd['L']:.4g}</b>", f"target y = {fwd['y'][row]:.3g}"]
    if node == "ŷ":
        lines = [f"<b>ŷ = σ(z) = {fwd['ŷ'][row]:.4g}</b>", f"z = {fwd['z'][row]:.4g}", f"c = {params['c']:.3g}"]
        names = ("ŷ", "z", "c")
    else:
        j = node[1]
        lines = [f"<b>{pretty(node)} = f({pretty('z' + j)}) = {fwd[node][row]:.4g}</b>",
                 f"{pretty('z' + j)} = {fwd['z' + j][row]:.4g}", f"{pretty('b' + j)} = {params['b' + j]:.3g}"]
        names = (f"a{j}", f"z{j}", f"b{j}")
    return lines + [blue % f"∂L/∂{pretty(n)} = {_g(grads, n, row):.3g}" for n in names if n in revealed]


def walk_figure(losses: Sequence[float], title: str = "Loss before each SGD step, and after the last") -> go.Figure:
    """The loss along the learner's consecutive steps: falling, or jumping up when the rate overshoots."""
    fig = go.Figure(go.Scatter(x=list(range(len(losses))), y=list(losses), mode="lines+markers", name="loss",
                               line={"color": PALETTE[0]}))
    fig.update_layout(title=title, xaxis_title="SGD steps taken", yaxis_title="loss L")
    fig.update_xaxes(dtick=1 if len(losses) <= 20 else None)
    return layout(fig, height=300)


def deep_figure(chains: Mapping[str, Mapping[str, Sequence[float]]], weight: float) -> go.Figure:
    """|∂ŷ/∂z_l| per layer for each activation, on a log axis: the vanishing product."""
    fig = go.Figure()
    for i, (name, chain) in enumerate(chains.items()):
        values = [abs(g) for g in chain["gradient"]]
        fig.add_trace(go.Bar(x=[f"layer {l + 1}" for l in range(len(values))], y=values, name=name,
                             marker_color=PALETTE[i], text=[f"{v:.2g}" for v in values], textposition="outside"))
    fig.update_layout(title=f"Gradient reaching each layer, |∂ŷ/∂z|, every weight {weight:g}", barmode="group")
    fig.update_yaxes(type="log", title_text="|∂ŷ/∂z_l| (log scale)", exponentformat="power")
    return layout(fig, height=340)
