"""Autoencoder figures: each draws exactly the numbers it is given."""

import numpy as np

from nnkit.experiments.autoencoder import figures


def test_confusion_figure_puts_counts_in_words():
    fig = figures.confusion_figure(np.array([[50, 3], [4, 20]]))
    assert fig.data[0].z.tolist() == [[50, 3], [4, 20]]
    assert "false alarm<br><b>3</b>" in fig.data[0].text[0][1] and "missed anomaly<br><b>4</b>" in fig.data[0].text[1][0]


def test_roc_figure_marks_the_threshold_and_the_chance_line():
    fig = figures.roc_figure(np.array([0, 0.2, 1]), np.array([0, 0.8, 1]), 0.9, (0.2, 0.8))
    assert [t.name for t in fig.data] == ["autoencoder (AUC 0.900)", "guessing (AUC 0.5)", "your threshold"]
    assert (fig.data[2].x[0], fig.data[2].y[0]) == (0.2, 0.8)


def test_histogram_has_one_group_without_labels():
    errors = np.array([0.1, 0.2, 0.4])
    fig = figures.error_histogram(errors, np.zeros(3, int), 0.3, labelled=False)
    assert [t.name for t in fig.data] == ["all rows (no labels)"]


def test_latent_figure_draws_one_trace_per_group_and_panel():
    points = np.arange(12.0).reshape(6, 2)
    groups = np.array(["a", "b", "a", "c", "b", "a"])
    fig = figures.latent_figure([("code", points), ("raw", points * 2)], groups)
    assert len(fig.data) == 6 and [t.name for t in fig.data[:3]] == ["a", "b", "c"]
    np.testing.assert_array_equal(fig.data[3].x, points[groups == "a"][:, 0] * 2)


def test_reconstruction_and_denoise_figures_for_images_and_series():
    x = np.random.default_rng(0).random((2, 8, 8, 1))
    art = {"kind": "image", "labelled": True, "labels": np.array([0, 1]), "errors": np.array([0.1, 0.3]),
           "shown": {"normal": (x[:1], x[:1], np.array([0.1])), "anomaly": (x[1:], x[1:], np.array([0.3])),
                     "worst": (x[::-1], x[::-1], np.array([0.3, 0.1]))}}
    titles = [title for title, _ in figures.reconstruction_figures(art)]
    assert titles[0].startswith("Normal test samples") and len(titles) == 3
    series = np.random.default_rng(1).random((3, 16, 1))
    fig = figures.denoise_figure({"kind": "series", "noisy": series, "cleaned": series, "original": series})
    assert len(fig.data) == 9 and {t.name for t in fig.data} == {"noisy", "cleaned", "original"}
