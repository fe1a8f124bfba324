"""AppTest of the CNN filters page: the lab, a tiny trained run, the twin runs, bad input."""

import numpy as np
import pytest

from tests.helpers import page_test

TINY = {"cnn.n_train": 500, "cnn.epochs": 1, "cnn.filters": 4, "cnn.depth": 1, "cnn.batch": 64,
        "cnn.aug_n": 200, "cnn.aug_epochs": 2, "cnn.aug_kinds": ["flip"]}


def _page(**state):
    at = page_test("pages/cnn_filters.py")
    for key, value in {**TINY, **state}.items():
        at.session_state[key] = value
    return at.run()


def _texts(elements):
    return " ".join(e.value for e in elements)


def test_lab_shows_maps_arithmetic_and_story_without_training():
    at = _page()
    assert not at.exception
    assert len(at.get("plotly_chart")) >= 4  # input, kernel, feature map, pooled (+ augment grid)
    text = _texts(at.markdown)
    assert "⌊(300 − 3) / 1⌋ + 1 = **298**" in text and "What just happened" in text
    assert "Fashion-MNIST" in _texts(at.caption) + _texts(at.info)


def test_extreme_lab_settings_and_a_missing_upload_run_safely():
    at = _page(**{"cnn.kernel": "Gaussian 5×5", "cnn.stride": 16, "cnn.padding": "same",
                  "cnn.pool": "average", "cnn.pool_size": 4, "cnn.photo": "your upload"})
    assert not at.exception  # no upload: the page falls back to a sample photo
    assert "⌈300 / 16⌉ = **19**" in _texts(at.markdown)


def test_train_click_trains_and_fills_the_inside_view():
    at = _page()
    at.button(key="cnn.train").click().run()
    assert not at.exception
    record = at.session_state["cnn.runs"][-1]
    assert len(record.history["loss"]) == 1 and record.artifacts["filters"].shape == (4, 3, 3)
    assert at.success  # the outcome box, with time per epoch
    text = _texts(at.markdown)
    assert "The network says" in text and "Confusion matrix" in text
    assert "weights and biases reached" in text  # the 'What it means' lesson
    assert len(at.get("plotly_chart")) >= 8


def test_twin_runs_train_both_variants():
    at = _page()
    at.button(key="cnn.vs.train").click().run()
    assert not at.exception
    dense, cnn_run = at.session_state["cnn.vs_dense.runs"][-1], at.session_state["cnn.vs_cnn.runs"][-1]
    assert dense.artifacts["params"] > 0 and cnn_run.artifacts["params"] > 0
    assert "**dense**" in _texts(at.markdown) and "**CNN**" in _texts(at.markdown)
