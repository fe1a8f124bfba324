"""Training strategies figures: overlays with best-epoch stars, weight histograms, batch and callback charts."""

import numpy as np

from nnkit.experiments.training_strategies import figures
from nnkit.experiments.training_strategies.callbacks import Event
from nnkit.plots import describe_figure

KEY = "binary_crossentropy"
RUNS = {"too big": {KEY: [0.6, 0.2, 0.05], f"val_{KEY}": [0.5, 0.3, 0.6], "accuracy": [0.7, 0.9, 1.0],
                    "val_accuracy": [0.7, 0.85, 0.8]},
        "Dropout 0.5": {KEY: [0.6, 0.4, 0.3], f"val_{KEY}": [0.55, 0.35, 0.34]}}


def test_curves_overlay_every_run_and_star_its_lowest_validation_epoch():
    fig = figures.curves_figure(RUNS, KEY, planned_epochs=10)
    stars = [t for t in fig.data if t.marker.symbol == "star"]
    assert [(t.x[0], t.y[0]) for t in stars] == [(2, 0.3), (3, 0.34)]
    assert {t.name for t in fig.data} >= {"too big · train", "too big · validation", "Dropout 0.5 · validation"}
    assert fig.layout.annotations[0].text.startswith("Cross-entropy")


def test_weight_histograms_share_bins_and_count_every_weight():
    weights = {"a": np.random.default_rng(0).normal(0, 1, 500), "b": np.random.default_rng(1).normal(0, 0.2, 500)}
    fig = figures.weights_figure(weights)
    assert len(fig.data) == 2 and list(fig.data[0].x) == list(fig.data[1].x)
    assert sum(fig.data[0].y) == 500 and sum(fig.data[1].y) == 500
    assert "std" in fig.data[0].name
    _, rows = describe_figure(fig)
    assert len(rows) == 80  # the text alternative lists every bar
    assert not figures.weights_figure({"cut off": None}).data


def test_batch_figure_puts_each_update_at_its_fraction_of_an_epoch():
    fig = figures.batch_figure({"batch 1": {"batch_losses": [1, 2, 3, 4], "updates_per_epoch": 2}}, epochs=2)
    assert list(fig.data[0].x) == [0.5, 1.0, 1.5, 2.0] and list(fig.data[0].y) == [1, 2, 3, 4]


def test_callbacks_figure_marks_each_event_on_the_validation_curve():
    history = {"loss": [1.0, 0.5, 0.3], "val_loss": [0.9, 0.6, 0.7]}
    fig = figures.callbacks_figure(history, [Event("ModelCheckpoint", 2, "best"), Event("EarlyStopping", 3, "stop")], 5)
    marks = {t.name: (list(t.x), list(t.y)) for t in fig.data if t.mode == "markers"}
    assert marks == {"ModelCheckpoint": ([2], [0.6]), "EarlyStopping": ([3], [0.7])}
