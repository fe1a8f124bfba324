"""AppTest of the CNN filters page: the lab, a tiny trained run, the twin runs, bad input."""

import numpy as np

from tests.helpers import page_test, page_with

NS = "cnn_filters"
TINY = {"n_train": 500, "epochs": 1, "filters": 4, "depth": 1, "batch": 64, "aug_n": 200, "aug_epochs": 2,
        "aug_zoom": False, "aug_translation": False}
PAGE = "pages/cnn_filters.py"


def _page(**state):
    return page_with(PAGE, NS, {**TINY, **state})


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
    at = _page(kernel="Gaussian 5×5", stride=16, padding="same", pool="average", pool_size=4, photo="your upload")
    assert not at.exception  # no upload: the page falls back to a sample photo
    assert "⌈300 / 16⌉ = **19**" in _texts(at.markdown)


def test_train_click_trains_and_fills_the_inside_view():
    at = _page()
    at.button(key="cnn_filters.train").click().run()
    assert not at.exception
    record = at.session_state["cnn_filters.runs"][-1]
    assert len(record.history["loss"]) == 1 and record.artifacts["filters"].shape == (4, 3, 3)
    assert at.success  # the outcome box, with time per epoch
    assert "ms per epoch" in at.success[0].value and "guessing the majority class" in at.success[0].value
    text = _texts(at.markdown)
    assert "The network says" in text and "Confusion matrix" in text
    assert "weights and biases reached" in text  # the 'What it means' lesson
    assert len(at.get("plotly_chart")) >= 8
    assert "1,000 test images correct" in _texts(at.caption)  # the confusion matrix's text alternative
    assert [b.label for b in at.get("download_button")] == ["Notebook (.ipynb)", "Trained model (.keras)"]


def test_twin_runs_train_both_variants():
    at = _page()
    at.button(key="cnn_filters.vs.train").click().run()
    assert not at.exception
    dense, cnn_run = at.session_state["cnn_filters.vs.runs"]  # both runs of the pair in one namespace
    assert (dense.label, cnn_run.label) == ("dense", "CNN")
    assert dense.artifacts["params"] > 0 and cnn_run.artifacts["params"] > 0
    assert "**dense**" in _texts(at.markdown) and "**CNN**" in _texts(at.markdown)
    # each run of the pair gets its own outcome box, with a diagnosis read from its numbers
    boxes = [*at.success, *at.warning, *at.error]
    assert sum("loss" in b.value for b in boxes) >= 2


def test_twin_run_changes_one_setting_and_starts_from_the_same_filters():
    at = _page()
    at.button(key="cnn_filters.train").click().run()
    at.selectbox(key="cnn_filters.twin.name").set_value("dropout").run()
    at.selectbox(key="cnn_filters.twin.dropout").set_value(0.5).run()
    at.button(key="cnn_filters.twin.go").click().run()
    assert not at.exception
    first, twin = at.session_state["cnn_filters.runs"]
    assert {k for k in first.settings if first.settings[k] != twin.settings[k] and not k.startswith("_")} == {"dropout"}
    assert at.select_slider(key="cnn_filters.dropout").value == 0.5
    np.testing.assert_array_equal(first.artifacts["start"], twin.artifacts["start"])  # same initial weights


def test_a_shared_link_sets_up_the_page_and_bad_parameters_get_a_notice():
    at = page_test(PAGE)
    at.query_params.update({"kernel": "Laplacian", "stride": "2", "epochs": "5", "dropout": "0.4",
                            "aug_rotation": "true", "filters": "abc", "bogus": "1", "lock": "epochs"})
    at.run()
    assert not at.exception
    epochs = at.slider(key="cnn_filters.epochs")
    assert epochs.value == 5 and epochs.disabled
    assert at.selectbox(key="cnn_filters.kernel").value == "Laplacian"
    assert at.slider(key="cnn_filters.stride").value == 2
    assert at.select_slider(key="cnn_filters.dropout").value == 0.4
    assert at.checkbox(key="cnn_filters.aug_rotation").value
    warnings = _texts(at.warning)
    assert "filters=abc" in warnings and "bogus" in warnings


def test_changed_settings_are_written_back_to_the_link():
    at = page_test(PAGE).run()
    assert dict(at.query_params) == {}
    at.slider(key="cnn_filters.filters").set_value(12).run()
    at.selectbox(key="cnn_filters.pool").set_value("average").run()
    at.checkbox(key="cnn_filters.aug_flip").uncheck().run()
    assert dict(at.query_params) == {"filters": "12", "pool": "average", "aug_flip": "false"}


def test_workshop_mode_caps_the_costly_controls(monkeypatch):
    monkeypatch.setenv("NNKIT_WORKSHOP", "1")
    at = page_test(PAGE).run()
    assert at.slider(key="cnn_filters.epochs").max == 5 and at.slider(key="cnn_filters.n_train").max == 3000
    assert at.slider(key="cnn_filters.filters").max == 16
    assert any("Workshop mode" in c.value for c in at.caption)


def _png(array: np.ndarray) -> bytes:
    import io

    from PIL import Image

    buf = io.BytesIO()
    Image.fromarray(array).save(buf, "PNG")
    return buf.getvalue()


def test_a_large_upload_is_downscaled_once_and_becomes_an_explicit_choice():
    at = _page()
    big = _png(np.random.default_rng(0).integers(0, 255, (1100, 700, 3), dtype="uint8"))
    at.file_uploader(key="cnn_filters.upload").set_value(("huge.png", big, "image/png")).run()
    assert not at.exception
    assert any("downscaled to 326×512" in i.value for i in at.info)
    assert "your upload" in at.selectbox(key="cnn_filters.photo").options
    assert "Photo: chelsea (cat)" in _texts(at.caption)  # the upload does not silently replace the photo
    at.selectbox(key="cnn_filters.photo").set_value("your upload").run()
    assert "Image: your upload." in _texts(at.caption) and "512" in _texts(at.markdown)


def test_a_file_that_is_not_an_image_gets_a_message_and_the_lab_keeps_working():
    at = _page()
    at.file_uploader(key="cnn_filters.upload").set_value(("notes.png", b"hello", "image/png")).run()
    assert not at.exception
    assert any("not an image" in e.value for e in at.error)
    assert "What just happened" in _texts(at.markdown)


def test_a_prediction_is_judged_by_how_far_the_filters_moved():
    from nnkit.experiments.cnn_filters import lesson, predict

    at = _page(batch=128)  # one epoch of 4 updates: the filters stay close to their random start
    guess = predict.QUESTION.options[1]
    at.radio(key=f"{NS}.guess").set_value(guess).run()
    at.button(key=f"{NS}.train").click().run()
    assert not at.exception
    record = at.session_state[f"{NS}.runs"][-1]
    assert record.guess == guess and record.guessed_right is False
    change = lesson.filter_change(record.artifacts["start"], record.artifacts["filters"])
    verdict = [w.value for w in at.warning if "You predicted" in w.value]
    assert verdict and f"by {change:.0%}" in verdict[0] and predict.QUESTION.options[0] in verdict[0]
