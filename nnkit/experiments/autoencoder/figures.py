"""Plotly figures for the autoencoder page: pure functions from arrays to figures."""

from __future__ import annotations

from typing import Sequence

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from nnkit.plots import PALETTE, layout

NORMAL_COLOUR, ANOMALY_COLOUR = PALETTE[0], PALETTE[3]


def examples_figure(rows: Sequence[tuple[str, np.ndarray]], titles: Sequence[str], kind: str) -> go.Figure:
    """A grid: one row per (label, samples) pair, one column per sample.

    Images are drawn as grey pictures; series windows and table rows as lines
    (so originals and reconstructions can be compared column by column).
    """
    n_cols = max(len(samples) for _, samples in rows)
    fig = make_subplots(rows=len(rows), cols=n_cols, row_titles=[r[0] for r in rows],
                        subplot_titles=list(titles) + [""] * (n_cols * len(rows) - len(titles)),
                        horizontal_spacing=0.02, vertical_spacing=0.06)
    for r, (_, samples) in enumerate(rows, start=1):
        for c, sample in enumerate(samples, start=1):
            if kind == "image":
                fig.add_trace(go.Heatmap(z=np.asarray(sample)[::-1, :, 0], colorscale="gray_r", zmin=0,
                                         zmax=1, showscale=False, hoverinfo="skip"), row=r, col=c)
            else:
                fig.add_trace(go.Scatter(y=np.ravel(sample), mode="lines", showlegend=False,
                                         line={"color": PALETTE[(r - 1) % len(PALETTE)], "width": 1.5}),
                              row=r, col=c)
    fig.update_xaxes(showticklabels=False)
    fig.update_yaxes(showticklabels=False)
    if kind == "image":
        fig.update_yaxes(scaleanchor="x", constrain="domain")
    fig = layout(fig, height=130 * len(rows) + 60)
    fig.update_annotations(font_size=11)
    return fig


def overlay_figure(originals: np.ndarray, reconstructions: np.ndarray, titles: Sequence[str]) -> go.Figure:
    """Original (solid) vs reconstruction (dashed) per sample, for series and tables."""
    fig = make_subplots(rows=1, cols=len(originals), subplot_titles=list(titles), horizontal_spacing=0.03)
    for c, (x, x_hat) in enumerate(zip(originals, reconstructions), start=1):
        fig.add_trace(go.Scatter(y=np.ravel(x), mode="lines", name="original", legendgroup="o",
                                 showlegend=c == 1, line={"color": PALETTE[0]}), row=1, col=c)
        fig.add_trace(go.Scatter(y=np.ravel(x_hat), mode="lines", name="reconstruction", legendgroup="r",
                                 showlegend=c == 1, line={"color": PALETTE[1], "dash": "dash"}), row=1, col=c)
    fig.update_xaxes(showticklabels=False)
    fig = layout(fig, height=240)
    fig.update_annotations(font_size=11)
    return fig


def error_histogram(errors: np.ndarray, labels: np.ndarray, threshold: float,
                    labelled: bool = True) -> go.Figure:
    """Reconstruction error of normal vs anomalous test samples, with the threshold line."""
    fig = go.Figure()
    groups = ((0, "normal", NORMAL_COLOUR), (1, "anomaly", ANOMALY_COLOUR)) if labelled else \
        ((0, "all rows (no labels)", NORMAL_COLOUR),)
    hi = float(np.percentile(errors, 99.5)) if len(errors) else 1.0
    bins = {"start": 0.0, "end": max(hi, threshold) * 1.05, "size": max(hi, threshold) * 1.05 / 60}
    for value, name, colour in groups:
        fig.add_trace(go.Histogram(x=np.clip(errors[labels == value], 0, bins["end"]), name=name,
                                   marker_color=colour, opacity=0.65, xbins=bins))
    fig.add_vline(x=threshold, line={"color": "black", "dash": "dash"},
                  annotation_text=f"threshold {threshold:.4f}", annotation_position="top right")
    fig.update_layout(barmode="overlay")
    fig.update_xaxes(title_text="reconstruction error (MSE per sample; last bin holds the tail)")
    fig.update_yaxes(title_text="samples")
    return layout(fig, height=320)


def confusion_figure(confusion: np.ndarray) -> go.Figure:
    """2×2 confusion matrix with words, rows = truth, columns = flagged."""
    names = [["normal, passed", "false alarm"], ["missed anomaly", "anomaly caught"]]
    text = [[f"{names[i][j]}<br><b>{int(confusion[i, j])}</b>" for j in range(2)] for i in range(2)]
    fig = go.Figure(go.Heatmap(z=confusion, x=["flagged normal", "flagged anomaly"],
                               y=["truly normal", "truly anomalous"], text=text, texttemplate="%{text}",
                               colorscale=[[0, "#F7F7F7"], [1, PALETTE[5]]], showscale=False))
    fig.update_yaxes(autorange="reversed")
    return layout(fig, height=280)


def roc_figure(fpr: np.ndarray, tpr: np.ndarray, auc: float, point: tuple[float, float]) -> go.Figure:
    """ROC curve, the chance diagonal and where the current threshold sits."""
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=fpr, y=tpr, mode="lines", name=f"autoencoder (AUC {auc:.3f})",
                             line={"color": PALETTE[2]}))
    fig.add_trace(go.Scatter(x=[0, 1], y=[0, 1], mode="lines", name="guessing (AUC 0.5)",
                             line={"color": "grey", "dash": "dot"}))
    fig.add_trace(go.Scatter(x=[point[0]], y=[point[1]], mode="markers", name="your threshold",
                             marker={"color": "black", "size": 10, "symbol": "x"}))
    fig.update_xaxes(title_text="false-alarm rate (FPR)", range=[-0.02, 1.02])
    fig.update_yaxes(title_text="anomalies caught (recall)", range=[-0.02, 1.02])
    fig = layout(fig, height=300)
    fig.update_layout(legend={"orientation": "v", "x": 0.98, "y": 0.04, "xanchor": "right",
                              "yanchor": "bottom", "bgcolor": "rgba(255,255,255,0.8)"})
    return fig


def latent_figure(panels: Sequence[tuple[str, np.ndarray]], groups: np.ndarray) -> go.Figure:
    """Side-by-side 2-D scatters (e.g. bottleneck vs PCA of raw data), coloured by group."""
    fig = make_subplots(rows=1, cols=len(panels), subplot_titles=[t for t, _ in panels])
    names = list(dict.fromkeys(groups.tolist()))
    # Okabe-Ito has 8 colours; ten digit classes need more, or two would look the same.
    colours = PALETTE if len(names) <= len(PALETTE) else _many_colours()
    for c, (_, points) in enumerate(panels, start=1):
        for i, name in enumerate(names):
            pts = points[groups == name]
            fig.add_trace(go.Scattergl(x=pts[:, 0], y=pts[:, 1], mode="markers", name=str(name),
                                       legendgroup=str(name), showlegend=c == 1,
                                       marker={"size": 5, "color": colours[i % len(colours)], "opacity": 0.7}),
                          row=1, col=c)
    return layout(fig, height=400)


def reconstruction_figures(art: dict) -> list[tuple[str, go.Figure]]:
    """(title, figure) for normal, anomalous and worst test samples after a run.

    `art` is `autoencoders.analyse`'s dict; each entry of art["shown"] is
    (originals, reconstructions, errors).
    """
    titles = {"normal": "Normal test samples", "anomaly": "Anomalies",
              "worst": "The worst-reconstructed test samples"}
    out = []
    for name, (x, x_hat, errors) in art["shown"].items():
        if not len(x) or (name == "anomaly" and not art["labelled"]):
            continue
        captions = [f"error {e:.4f}" for e in errors]
        if name == "worst" and art["labelled"]:
            labels = art["labels"][np.argsort(art["errors"])[::-1][:len(x)]]
            captions = [f"{'anomaly' if y else 'normal'} · {c}" for y, c in zip(labels, captions)]
        if art["kind"] == "image":
            fig = examples_figure([("original", x), ("rebuilt", x_hat)], captions, "image")
        else:
            fig = overlay_figure(x, x_hat, captions)
        out.append((f"{titles[name]}: originals vs reconstructions", fig))
    return out


def denoise_figure(result: dict) -> go.Figure:
    """Noisy / cleaned / original, one column per test sample."""
    rows = [("noisy", result["noisy"]), ("cleaned", result["cleaned"]), ("original", result["original"])]
    if result["kind"] == "image":
        return examples_figure(rows, [], "image")
    fig = make_subplots(rows=1, cols=len(result["noisy"]), horizontal_spacing=0.03)
    for c in range(len(result["noisy"])):
        for i, (name, samples) in enumerate(rows):
            fig.add_trace(go.Scatter(y=np.ravel(samples[c]), mode="lines", name=name, legendgroup=name,
                                     showlegend=c == 0, line={"color": PALETTE[i], "width": 1.5}),
                          row=1, col=c + 1)
    fig.update_xaxes(showticklabels=False)
    return layout(fig, height=260)


def _many_colours() -> list[str]:
    import plotly.express as px

    return list(px.colors.qualitative.Dark24)
