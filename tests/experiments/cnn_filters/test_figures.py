"""The CNN page's figures: pixel-exact images, kernel grids, mosaics and a clickable confusion matrix."""

import numpy as np
import plotly.graph_objects as go

from nnkit.experiments.cnn_filters import figures


def test_image_figure_draws_grey_as_heatmap_and_colour_as_image():
    grey = figures.image_figure(np.zeros((4, 6, 1), "float32"), "input")
    assert isinstance(grey.data[0], go.Heatmap) and "6×4" in grey.layout.title.text
    rgb = figures.image_figure(np.full((4, 6, 3), 2.0, "float32"), "map", scale_to_unit=True)
    assert isinstance(rgb.data[0], go.Image) and np.asarray(rgb.data[0].z).max() == 0  # flat map: black


def test_kernel_figure_writes_the_weights_in_and_centres_the_colours():
    fig = figures.kernel_figure(np.array([[-2.0, 0.0], [1.0, 0.5]]))
    assert fig.data[0].zmin == -2.0 and fig.data[0].zmax == 2.0
    assert np.asarray(fig.data[0].text).tolist() == [[-2.0, 0.0], [1.0, 0.5]]


def test_mosaic_tiles_images_with_nan_gutters_and_normalises_each():
    tiles = [np.full((2, 2), 4.0), np.full((2, 2), -1.0), np.array([[0.0, 2.0], [2.0, 0.0]])]
    out = figures.mosaic(tiles, cols=2, normalise="signed")
    assert out.shape == (5, 5) and np.isnan(out[2]).all()
    assert out[0, 0] == 1.0 and out[0, 3] == -1.0 and out[3, 1] == 1.0


def test_filters_and_feature_maps_get_one_caption_per_panel():
    fig = figures.filters_figure(np.random.default_rng(0).normal(size=(8, 3, 3)), "First-layer filters")
    assert len(fig.layout.annotations) == 8 and fig.layout.title.text == "First-layer filters"
    maps = figures.feature_maps_figure(np.zeros((5, 5, 20)), max_maps=16)
    assert len(maps.layout.annotations) == 16


def test_confusion_cells_carry_true_and_predicted_for_clicks():
    counts = np.array([[3, 1], [0, 2]])
    fig = figures.confusion_figure(counts, ["cat", "dog"])
    cells = fig.data[1]
    assert np.asarray(cells.customdata).tolist() == [[0, 0], [0, 1], [1, 0], [1, 1]]
    assert list(cells.x) == ["cat", "dog", "cat", "dog"] and fig.layout.clickmode == "event+select"


def test_augment_and_gallery_figures_caption_every_image():
    image = np.zeros((6, 6, 1))
    fig = figures.augment_figure({"flip": [image, image]}, image)
    assert [a.text for a in fig.layout.annotations] == ["original", "flip #1", "flip #2"]
    gallery = figures.gallery_figure([image] * 3, ["a→b", "c→d", "e→f"])
    assert [a.text for a in gallery.layout.annotations] == ["a→b", "c→d", "e→f"]
