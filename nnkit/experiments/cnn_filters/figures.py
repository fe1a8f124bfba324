"""Plotly figures for the CNN page: images, kernels, filters, feature maps, confusion.

Pure functions from arrays to `go.Figure`, like nnkit.plots. Images use
heatmaps with a reversed y axis so row 0 is at the top, as in a photo.
"""

from __future__ import annotations

import math
from typing import Mapping, Sequence

import numpy as np
import plotly.graph_objects as go

from nnkit.plots import PALETTE, layout

DIVERGING = [[0.0, "#0072B2"], [0.5, "#F7F7F7"], [1.0, "#D55E00"]]  # negative blue, positive vermilion


def _image_trace(image: np.ndarray, scale_to_unit: bool = False, zmin=None, zmax=None):
    """go.Image for RGB, a grey heatmap for one channel."""
    img = np.asarray(image, dtype="float32")
    if img.ndim == 3 and img.shape[2] == 3:
        if scale_to_unit:  # feature maps may be negative or above 1: stretch for display
            lo, hi = float(img.min()), float(img.max())
            img = (img - lo) / (hi - lo) if hi > lo else np.zeros_like(img)
        return go.Image(z=(np.clip(img, 0, 1) * 255).astype("uint8"), hoverinfo="skip")
    grey = img[:, :, 0] if img.ndim == 3 else img
    return go.Heatmap(z=grey, colorscale="gray", showscale=False, zmin=zmin, zmax=zmax,
                      hovertemplate="row %{y}, col %{x}: %{z:.3f}<extra></extra>")


def image_figure(image: np.ndarray, title: str = "", scale_to_unit: bool = False,
                 height: int = 300) -> go.Figure:
    """One image (H, W, C) drawn pixel-exact with its size in the title."""
    fig = go.Figure(_image_trace(image, scale_to_unit))
    h, w = image.shape[:2]
    fig.update_layout(title=f"{title} · {w}×{h}" if title else f"{w}×{h}")
    fig.update_yaxes(autorange="reversed", scaleanchor="x", showticklabels=False)
    fig.update_xaxes(showticklabels=False, constrain="domain")
    return layout(fig, height)


def kernel_figure(kernel: np.ndarray, title: str = "Kernel") -> go.Figure:
    """The kernel's weights as a coloured grid with the numbers written in."""
    limit = float(np.abs(kernel).max()) or 1.0
    fig = go.Figure(go.Heatmap(z=kernel, colorscale=DIVERGING, zmin=-limit, zmax=limit,
                               text=np.round(kernel, 3), texttemplate="%{text}", showscale=False,
                               hovertemplate="weight %{z:.4f}<extra></extra>"))
    fig.update_yaxes(autorange="reversed", scaleanchor="x", showticklabels=False)
    fig.update_xaxes(showticklabels=False)
    fig.update_layout(title=title)
    return layout(fig, 300)


def mosaic(images: Sequence[np.ndarray], cols: int, normalise: str = "none") -> np.ndarray:
    """Tile 2-D images into one array with NaN gutters (drawn as gaps).

    One heatmap of a mosaic draws ~10× faster than a subplot per image,
    which matters when filters are redrawn live during training.
    normalise: "none", "unit" (each tile min–max to [0, 1]) or "signed"
    (each tile divided by its largest |value|, so it spans [-1, 1]).
    """
    tiles = [np.asarray(im, dtype="float32").reshape(np.shape(im)[:2]) for im in images]
    h = max(t.shape[0] for t in tiles)
    w = max(t.shape[1] for t in tiles)
    rows = math.ceil(len(tiles) / cols)
    gap = max(1, h // 4)  # room for the caption above each row
    out = np.full((rows * (h + gap) - gap, cols * (w + gap) - gap), np.nan, dtype="float32")
    for i, tile in enumerate(tiles):
        if normalise == "unit":
            lo, hi = float(tile.min()), float(tile.max())
            tile = (tile - lo) / (hi - lo) if hi > lo else np.zeros_like(tile)
        elif normalise == "signed":
            tile = tile / (float(np.abs(tile).max()) or 1.0)
        r, c = divmod(i, cols)
        out[r * (h + gap): r * (h + gap) + tile.shape[0], c * (w + gap): c * (w + gap) + tile.shape[1]] = tile
    return out


def grid_figure(images: Sequence[np.ndarray], titles: Sequence[str] = (), cols: int = 8,
                diverging: bool = False, cell: int = 90, unit_range: bool = False) -> go.Figure:
    """Small single-channel images in a grid, captioned; one heatmap for speed.

    `diverging` colours weights (blue −, orange +, each tile scaled to its
    own largest |weight|). `unit_range` keeps data images on a fixed [0, 1]
    grey scale, so a brightness change stays visible; otherwise each tile is
    stretched to its own range.
    """
    n = max(1, len(images))
    cols = min(cols, n)
    rows = math.ceil(n / cols)
    norm = "signed" if diverging else ("none" if unit_range else "unit")
    z = mosaic(images, cols, norm)
    fig = go.Figure(go.Heatmap(z=z, colorscale=DIVERGING if diverging else "gray", showscale=False,
                               zmin=-1 if diverging else 0, zmax=1, hoverongaps=False,
                               hovertemplate="%{z:.3f}<extra></extra>"))
    tile_h, tile_w = (z.shape[0] + 1) / rows, (z.shape[1] + 1) / cols
    for i, title in enumerate(titles):
        r, c = divmod(i, cols)
        fig.add_annotation(x=c * tile_w + tile_w / 2 - 0.5, y=r * tile_h - 0.5, text=title, showarrow=False,
                           yanchor="bottom", font={"size": 10})
    fig.update_yaxes(autorange="reversed", showticklabels=False, showgrid=False, zeroline=False,
                     scaleanchor="x")
    fig.update_xaxes(showticklabels=False, showgrid=False, zeroline=False, constrain="domain")
    fig = layout(fig, rows * cell + 40)
    fig.update_layout(margin={"l": 5, "r": 5, "t": 30, "b": 5}, plot_bgcolor="white")
    return fig


def filters_figure(filters: np.ndarray, title: str = "") -> go.Figure:
    """First-layer kernels (n, k, k): what each filter responds to."""
    fig = grid_figure(list(filters), [f"#{i + 1}" for i in range(len(filters))], cols=8,
                      diverging=True, cell=70)
    fig.update_layout(title=title or None, margin={"t": 50 if title else 30})
    return fig


def feature_maps_figure(maps: np.ndarray, max_maps: int = 16) -> go.Figure:
    """One conv layer's output (H, W, filters), one panel per filter."""
    n = min(max_maps, maps.shape[2])
    return grid_figure([maps[:, :, i:i + 1] for i in range(n)], [f"filter {i + 1}" for i in range(n)],
                       cols=8, cell=90)


def confusion_figure(counts: np.ndarray, class_names: Sequence[str]) -> go.Figure:
    """Counts[true, predicted] as a heatmap; invisible markers make cells clickable.

    Streamlit's plotly selection reports points of scatter traces, so each
    cell gets a transparent marker whose customdata is (true, predicted).
    """
    n = len(class_names)
    names = list(class_names)
    fig = go.Figure(go.Heatmap(z=counts, x=names, y=names, colorscale="Blues", text=counts,
                               texttemplate="%{text}", showscale=False,
                               hovertemplate="true %{y}, predicted %{x}: %{z}<extra></extra>"))
    tt, pp = np.meshgrid(range(n), range(n), indexing="ij")
    fig.add_trace(go.Scatter(x=[names[p] for p in pp.ravel()], y=[names[t] for t in tt.ravel()],
                             mode="markers", marker={"size": 28, "opacity": 0.01, "color": PALETTE[3]},
                             customdata=np.stack([tt.ravel(), pp.ravel()], axis=1),
                             hovertemplate="true %{y}, predicted %{x}<extra>click to see</extra>",
                             showlegend=False, name="cells"))
    fig.update_yaxes(autorange="reversed", title_text="true class", type="category")
    fig.update_xaxes(title_text="predicted class", type="category", tickangle=-40)
    fig = layout(fig, 480)
    fig.update_layout(clickmode="event+select", dragmode=False)
    return fig


def augment_figure(examples: Mapping[str, Sequence[np.ndarray]], original: np.ndarray) -> go.Figure:
    """Rows of random versions of one image, one row per augmentation."""
    images, titles = [], []
    for name, versions in examples.items():
        for i, img in enumerate([original, *versions]):
            images.append(img)
            titles.append("original" if i == 0 else f"{name} #{i}")
    return grid_figure(images, titles, cols=len(next(iter(examples.values()))) + 1, cell=100,
                       unit_range=True)


def gallery_figure(images: Sequence[np.ndarray], captions: Sequence[str]) -> go.Figure:
    """Data images with a caption each (e.g. "true Shirt → predicted T-shirt")."""
    return grid_figure(images, captions, cols=6, cell=120, unit_range=True)
