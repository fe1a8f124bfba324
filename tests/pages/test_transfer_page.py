"""AppTest of the transfer-learning page (tiny images and epochs)."""

from nnkit.experiments.transfer_learning import model as pretrained
from tests.helpers import page_test

PAGE = "pages/transfer_learning.py"
TINY = {"tl.size": 96, "tl.per_class": 6, "tl.cnn_epochs": 1, "tl.head_epochs": 3, "tl.tune_epochs": 1,
        "tl.blocks": 1}


def _page(**extra):
    at = page_test(PAGE)
    for k, v in {**TINY, **extra}.items():
        at.session_state[k] = v
    return at.run()


def test_page_shows_top5_and_which_weights_are_used():
    at = _page()
    assert not at.exception
    assert any("shipped with nnkit" in c.value for c in at.caption)
    assert at.get("plotly_chart")
    assert any("Press **Train**" in i.value for i in at.info)


def test_failed_download_falls_back_with_a_notice(monkeypatch):
    def fail(size):
        raise OSError("simulated: no network")

    monkeypatch.setattr(pretrained, "_download_imagenet", fail)
    at = _page(**{"tl.online": True})
    assert not at.exception
    assert any("simulated: no network" in w.value and "offline" in w.value for w in at.warning)


def test_one_uploaded_class_gives_a_clear_error():
    at = _page(**{"tl.mine": True})
    assert not at.exception
    assert any("at least two classes" in e.value for e in at.error)


def test_train_compares_three_variants_on_the_same_images():
    at = _page()
    at.button(key="tl.train").click().run()
    assert not at.exception
    records = [at.session_state[f"tl.{v}.runs"][-1] for v in ("cnn", "frozen", "tune")]
    assert all(len(r.history["val_accuracy"]) == r.epochs_run for r in records)
    rows = next(d.value for d in at.dataframe if "variant" in d.value)   # the others: numbers under charts
    assert len(rows) == 3
    trainable = dict(zip(rows["variant"], rows["trainable"]))
    assert trainable["(b) frozen MobileNetV2 + new head"] == 1280 * 3 + 3
    assert len(at.get("plotly_chart")) >= 4            # top-5, curves, confusion, PCA
    meaning = at.markdown[-1].value
    assert "18 images" in meaning and "validation accuracy" in meaning
    assert [b.label for b in at.get("download_button")] == ["Notebook (.ipynb)", "Trained model (.keras)"]
    classifier = at.session_state["tl.model"]          # network + trained head, on raw RGB
    assert classifier.input_shape == (None, 96, 96, 3) and classifier.output_shape == (None, 3)
    assert records[1].settings["source"] == pretrained.OFFLINE


def test_a_shared_link_sets_up_the_page_and_bad_parameters_get_a_notice():
    at = page_test(PAGE)
    faces = list(pretrained.OFFLINE_SETS)[1]
    at.query_params.update({"size": "96", "head_epochs": "5", "set": faces, "run_tune": "false",
                            "per_class": "abc", "bogus": "1", "lock": "head_epochs"})
    at.run()
    assert not at.exception
    epochs = at.slider(key="tl.head_epochs")
    assert epochs.value == 5 and epochs.disabled
    assert at.select_slider(key="tl.size").value == 96
    assert at.selectbox(key="tl.set").value == faces
    assert at.checkbox(key="tl.run_tune").value is False
    warnings = " ".join(w.value for w in at.warning)
    assert "per_class=abc" in warnings and "bogus" in warnings


def test_changed_settings_are_written_back_to_the_link():
    at = _page()
    at.slider(key="tl.head_epochs").set_value(12).run()
    at.checkbox(key="tl.run_cnn").uncheck().run()
    params = dict(at.query_params)
    assert params["head_epochs"] == "12" and params["run_cnn"] == "false" and params["size"] == "96"
    assert "photo" not in params                           # settings at their default stay out


def test_workshop_mode_caps_the_controls(monkeypatch):
    monkeypatch.setenv("NNKIT_WORKSHOP", "1")
    at = _page()
    assert at.slider(key="tl.per_class").max == 30 and at.slider(key="tl.head_epochs").max == 50
    assert max(int(o) for o in at.select_slider(key="tl.size").options) == pretrained.WORKSHOP_MAX_SIZE
    assert any("Workshop mode" in c.value for c in at.caption)


def test_twin_run_changes_one_setting_and_starts_from_the_same_weights():
    at = _page(**{"tl.run_cnn": False, "tl.run_tune": False})
    at.button(key="tl.train").click().run()
    at.selectbox(key="tl.twin.name").set_value("head_epochs").run()
    at.number_input(key="tl.twin.head_epochs").set_value(2).run()
    at.button(key="tl.twin.go").click().run()
    assert not at.exception
    first, twin = at.session_state["tl.frozen.runs"]
    changed = {k for k in first.settings if first.settings[k] != twin.settings[k]}
    assert changed == {"head_epochs"} and len(twin.history["loss"]) == 2
    # Same seed, images and initial weights: the first epoch is the same epoch.
    assert twin.history["loss"][0] == first.history["loss"][0]

