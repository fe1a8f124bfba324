"""AppTest of the CNN filters page: the lab, a tiny trained run, the twin runs, bad input."""

import numpy as np

from tests.helpers import page_test

TINY = {"cnn.n_train": 500, "cnn.epochs": 1, "cnn.filters": 4, "cnn.depth": 1, "cnn.batch": 64,
        "cnn.aug_n": 200, "cnn.aug_epochs": 2, "cnn.aug_zoom": False, "cnn.aug_translation": False}
PAGE = "pages/cnn_filters.py"


def _page(**state):
    at = page_test(PAGE)
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
    assert "1,000 test images correct" in _texts(at.caption)  # the confusion matrix's text alternative
    assert [b.label for b in at.get("download_button")] == ["Notebook (.ipynb)", "Trained model (.keras)"]


def test_twin_runs_train_both_variants():
    at = _page()
    at.button(key="cnn.vs.train").click().run()
    assert not at.exception
    dense, cnn_run = at.session_state["cnn.vs.runs"]  # both runs of the pair in one namespace
    assert (dense.label, cnn_run.label) == ("dense", "CNN")
    assert dense.artifacts["params"] > 0 and cnn_run.artifacts["params"] > 0
    assert "**dense**" in _texts(at.markdown) and "**CNN**" in _texts(at.markdown)


def test_twin_run_changes_one_setting_and_starts_from_the_same_filters():
    at = _page()
    at.button(key="cnn.train").click().run()
    at.selectbox(key="cnn.twin.name").set_value("dropout").run()
    at.selectbox(key="cnn.twin.dropout").set_value(0.5).run()
    at.button(key="cnn.twin.go").click().run()
    assert not at.exception
    first, twin = at.session_state["cnn.runs"]
    assert {k for k in first.settings if first.settings[k] != twin.settings[k]} == {"dropout"}
    assert at.select_slider(key="cnn.dropout").value == 0.5
    np.testing.assert_array_equal(first.artifacts["start"], twin.artifacts["start"])  # same initial weights


def test_a_shared_link_sets_up_the_page_and_bad_parameters_get_a_notice():
    at = page_test(PAGE)
    at.query_params.update({"kernel": "Laplacian", "stride": "2", "epochs": "5", "dropout": "0.4",
                            "aug_rotation": "true", "filters": "abc", "bogus": "1", "lock": "epochs"})
    at.run()
    assert not at.exception
    epochs = at.slider(key="cnn.epochs")
    assert epochs.value == 5 and epochs.disabled
    assert at.selectbox(key="cnn.kernel").value == "Laplacian" and at.slider(key="cnn.stride").value == 2
    assert at.select_slider(key="cnn.dropout").value == 0.4
    assert at.checkbox(key="cnn.aug_rotation").value
    warnings = _texts(at.warning)
    assert "filters=abc" in warnings and "bogus" in warnings


def test_changed_settings_are_written_back_to_the_link():
    at = page_test(PAGE).run()
    assert dict(at.query_params) == {}
    at.slider(key="cnn.filters").set_value(12).run()
    at.selectbox(key="cnn.pool").set_value("average").run()
    at.checkbox(key="cnn.aug_flip").uncheck().run()
    assert dict(at.query_params) == {"filters": "12", "pool": "average", "aug_flip": "false"}


def test_workshop_mode_caps_the_costly_controls(monkeypatch):
    monkeypatch.setenv("NNKIT_WORKSHOP", "1")
    at = page_test(PAGE).run()
    assert at.slider(key="cnn.epochs").max == 5 and at.slider(key="cnn.n_train").max == 3000
    assert at.slider(key="cnn.filters").max == 16
    assert any("Workshop mode" in c.value for c in at.caption)
