"""The transfer page's reading of a comparison: from the table's numbers, against guessing."""

import numpy as np

from nnkit.core import diagnosis as dx
from nnkit.core.runs import RunRecord
from nnkit.experiments.transfer_learning import lesson
from nnkit.experiments.transfer_learning.model import VARIANTS

ROWS = [{"variant": "(a) CNN", "trainable": 20000, "val_accuracy": 0.5, "seconds_per_epoch": 1.0},
        {"variant": "(b) frozen", "trainable": 3843, "val_accuracy": 0.9, "seconds_per_epoch": 0.01},
        {"variant": "(c) tune", "trainable": 900000, "val_accuracy": 0.8, "seconds_per_epoch": 7.0}]


def test_projection_separability_and_lesson():
    text = lesson.lesson(ROWS, 40, 3)
    assert "(b) frozen" in text and "90%" in text and "40%" in text and "3,843" in text and "-10%" in text
    assert "guessing scores 33%" in text


def test_a_comparison_that_never_beats_guessing_says_so_instead_of_praising_imagenet():
    rows = [{**r, "val_accuracy": a} for r, a in zip(ROWS, (0.3, 0.35, 0.33))]
    text = lesson.lesson(rows, 40, 3)
    assert "no variant beat guessing" in text and "already separate" not in text
    skewed = lesson.baseline(np.r_[np.zeros(8, int), np.ones(2, int)], 2)  # majority class: 80%
    assert "guessing scores 80%" in lesson.lesson([{**ROWS[1], "val_accuracy": 0.8}], 10, 2, skewed)


def _run(key, history, **settings):
    page = {"cnn_epochs": 4, "head_epochs": 5, "tune_epochs": 2, "blocks": 1, **settings}
    return RunRecord(VARIANTS[key], page, history, "finished", epochs_run=len(history["loss"]))


def test_each_variant_is_diagnosed_against_guessing_with_its_own_planned_epochs():
    y = np.r_[np.zeros(6, int), np.ones(6, int), np.full(6, 2)]
    stuck = _run("cnn", {"loss": [1.1] * 4, "val_loss": [1.1] * 4, "accuracy": [0.33] * 4,
                         "val_accuracy": [0.33] * 4})
    d = lesson.run_diagnosis(stuck, y, 3)
    assert d.kind == dx.CHANCE and "33.3%" in d.headline and d.severity != dx.SUCCESS
    learned = _run("frozen", {"loss": [1.0, 0.5, 0.3, 0.2, 0.2], "val_loss": [0.9, 0.5, 0.3, 0.25, 0.25],
                              "accuracy": [0.7, 0.9, 1.0, 1.0, 1.0], "val_accuracy": [0.8, 1.0, 1.0, 1.0, 1.0]})
    assert lesson.run_diagnosis(learned, y, 3).severity == dx.SUCCESS
    rows = lesson.rows([learned])
    assert rows[0]["variant"] == VARIANTS["frozen"] and rows[0]["val_accuracy"] == 1.0
