"""AppTest of the transfer-learning page (tiny images and epochs)."""

from nnkit.experiments.transfer_learning import imagesets, mobilenet
from nnkit.experiments.transfer_learning import model as tl
from tests.helpers import page_test, page_with

PAGE = "pages/transfer_learning.py"
NS = "transfer_learning"
TINY = {"size": 96, "per_class": 6, "cnn_epochs": 1, "head_epochs": 3, "tune_epochs": 1, "blocks": 1}


def _comparison(at):
    group = at.session_state["transfer_learning._groups"]
    return [r for r in at.session_state["transfer_learning.runs"] if r.settings.get("_group") == group]


def _page(**extra):
    return page_with(PAGE, NS, {**TINY, **{k.removeprefix(f"{NS}."): v for k, v in extra.items()}})


def test_page_shows_top5_and_which_weights_are_used():
    at = _page()
    assert not at.exception
    assert any("shipped with nnkit" in c.value for c in at.caption)
    assert at.get("plotly_chart")
    assert any("Press **Train**" in i.value for i in at.info)


def test_failed_download_falls_back_with_a_notice(monkeypatch):
    def fail(size):
        raise OSError("simulated: no network")

    monkeypatch.setattr(mobilenet, "_download_imagenet", fail)
    at = _page(**{"transfer_learning.online": True})
    assert not at.exception
    assert any("simulated: no network" in w.value and "offline" in w.value for w in at.warning)


def test_one_uploaded_class_gives_a_clear_error():
    at = _page(**{"transfer_learning.mine": True})
    assert not at.exception
    assert any("at least two classes" in e.value for e in at.error)


def test_train_compares_three_variants_on_the_same_images():
    at = _page()
    at.button(key="transfer_learning.train").click().run()
    assert not at.exception
    records = _comparison(at)
    assert [tl.variant_key(r.label) for r in records] == ["cnn", "frozen", "tune"]
    assert all(len(r.history["val_accuracy"]) == r.epochs_run for r in records)
    rows = next(d.value for d in at.dataframe if "variant" in d.value)   # the others: numbers under charts
    assert len(rows) == 3
    trainable = dict(zip(rows["variant"], rows["trainable"]))
    assert trainable["(b) frozen MobileNetV2 + new head"] == 1280 * 3 + 3
    assert len(at.get("plotly_chart")) >= 4            # top-5, curves, confusion, PCA
    meaning = at.markdown[-1].value
    assert "18 images" in meaning and "validation accuracy" in meaning
    assert [b.label for b in at.get("download_button")] == ["Notebook (.ipynb)", "Trained model (.keras)",
                                                           "MobileNetV2 weights (.h5), for the notebook"]
    classifier = at.session_state["transfer_learning.model"]          # network + trained head, on raw RGB
    assert classifier.input_shape == (None, 96, 96, 3) and classifier.output_shape == (None, 3)
    assert records[1].settings["source"] == mobilenet.OFFLINE


def test_a_shared_link_sets_up_the_page_and_bad_parameters_get_a_notice():
    at = page_test(PAGE)
    faces = list(imagesets.OFFLINE_SETS)[1]
    at.query_params.update({"size": "96", "head_epochs": "5", "set": faces, "run_tune": "false",
                            "per_class": "abc", "bogus": "1", "lock": "head_epochs"})
    at.run()
    assert not at.exception
    epochs = at.slider(key="transfer_learning.head_epochs")
    assert epochs.value == 5 and epochs.disabled
    assert at.select_slider(key="transfer_learning.size").value == 96
    assert at.selectbox(key="transfer_learning.set").value == faces
    assert at.checkbox(key="transfer_learning.run_tune").value is False
    warnings = " ".join(w.value for w in at.warning)
    assert "per_class=abc" in warnings and "bogus" in warnings


def test_changed_settings_are_written_back_to_the_link():
    at = _page()
    at.slider(key="transfer_learning.head_epochs").set_value(12).run()
    at.checkbox(key="transfer_learning.run_cnn").uncheck().run()
    params = dict(at.query_params)
    assert params["head_epochs"] == "12" and params["run_cnn"] == "false" and params["size"] == "96"
    assert "photo" not in params                           # settings at their default stay out


def test_workshop_mode_caps_the_controls(monkeypatch):
    monkeypatch.setenv("NNKIT_WORKSHOP", "1")
    at = _page()
    assert at.slider(key="transfer_learning.per_class").max == 30
    assert at.slider(key="transfer_learning.head_epochs").max == 50
    assert max(int(o) for o in at.select_slider(key="transfer_learning.size").options) == mobilenet.WORKSHOP_MAX_SIZE
    assert any("Workshop mode" in c.value for c in at.caption)


def test_twin_run_changes_one_setting_and_starts_from_the_same_weights():
    at = _page(**{"transfer_learning.run_cnn": False, "transfer_learning.run_tune": False})
    at.button(key="transfer_learning.train").click().run()
    at.selectbox(key="transfer_learning.twin.name").set_value("head_epochs").run()
    at.number_input(key="transfer_learning.twin.head_epochs").set_value(2).run()
    at.button(key="transfer_learning.twin.go").click().run()
    assert not at.exception
    first, twin = at.session_state["transfer_learning.runs"]  # only (b) was ticked: one run per click
    changed = {k for k in first.settings if first.settings[k] != twin.settings[k] and not k.startswith("_")}
    assert changed == {"head_epochs"} and len(twin.history["loss"]) == 2
    # Same seed, images and initial weights: the first epoch is the same epoch.
    assert twin.history["loss"][0] == first.history["loss"][0]



def _png(shape, value=0) -> bytes:
    import io

    import numpy as np
    from PIL import Image

    buf = io.BytesIO()
    Image.fromarray(np.full(shape, value, "uint8")).save(buf, "PNG")
    return buf.getvalue()


def test_every_run_gets_an_outcome_box_with_its_diagnosis():
    at = _page(**{"run_cnn": False, "run_tune": False})
    at.button(key="transfer_learning.train").click().run()
    assert not at.exception
    boxes = [b.value for b in [*at.success, *at.warning, *at.error]]
    assert any("guessing" in b or "loss" in b for b in boxes)  # the diagnosis, read against guessing


def test_a_large_photo_is_downscaled_once_with_a_note_and_used_only_when_chosen(monkeypatch):
    from nnkit.core import images

    calls = []
    decode = images.decode_upload
    monkeypatch.setattr(images, "decode_upload", lambda *a, **k: calls.append(1) or decode(*a, **k))
    at = _page()
    at.file_uploader(key="transfer_learning.upload").set_value(("huge [x](y).png", _png((1400, 1000, 3), 90),
                                                                "image/png")).run()
    assert not at.exception
    assert any("downscaled to 366×512" in i.value for i in at.info)
    captions = " ".join(c.value for c in at.caption)
    assert "sample photo `chelsea (cat)`" in captions and "Choose `your upload`" in captions  # no silent switch
    at.selectbox(key="transfer_learning.photo").set_value("your upload").run()
    assert "Image: your upload `huge [x](y).png`" in " ".join(c.value for c in at.caption)
    at.slider(key="transfer_learning.head_epochs").set_value(4).run()  # a later rerun
    assert not at.exception and len(calls) == 1  # decoded and downscaled once, then cached


def test_a_broken_photo_upload_names_the_file_as_plain_text():
    at = _page()
    at.file_uploader(key="transfer_learning.upload").set_value(("**x**.png", b"not an image", "image/png")).run()
    assert not at.exception
    assert any("`**x**.png`" in e.value and "not an image" in e.value for e in at.error)


def _own_classes(at, names, files):
    at.toggle(key="transfer_learning.mine").set_value(True).run()
    for i, (name, uploads) in enumerate(zip(names, files)):
        at.text_input(key=f"transfer_learning.name{i}").set_value(name)
        at.file_uploader(key=f"transfer_learning.files{i}").set_value(uploads)
    return at.run()


def test_two_classes_called_cat_get_their_own_message():
    at = _own_classes(_page(), ["cat", "cat"], [[("a.png", _png((20, 20, 3)), "image/png")] * 2] * 2)
    assert not at.exception
    errors = " ".join(e.value for e in at.error)
    assert "Class names must differ" in errors and "`cat`" in errors and "at least two classes" not in errors


def test_skipped_files_each_get_their_reason_and_the_set_still_trains():
    good = [("a.png", _png((20, 20, 3)), "image/png"), ("b.png", _png((20, 20, 3), 200), "image/png")]
    bad = [("notes.txt", b"hello", "text/plain"), ("empty.png", b"", "image/png")]
    at = _own_classes(_page(), ["dog", "cat"], [good + bad, good])
    assert not at.exception and not at.error
    warnings = [w.value for w in at.warning]
    assert any("`notes.txt` (class `dog`) was skipped" in w and "not an image" in w for w in warnings)
    assert any("`empty.png`" in w and "empty" in w for w in warnings)
    assert "4 images, 2 classes (`dog`, `cat`)" in " ".join(c.value for c in at.caption)


def test_a_prediction_is_judged_by_the_two_variants_validation_accuracies():
    from nnkit.experiments.transfer_learning import predict

    at = _page(cnn_epochs=8, head_epochs=1, run_tune=False)  # one epoch for the head: the CNN leads
    guess = predict.QUESTION.options[1]
    at.radio(key=f"{NS}.guess").set_value(guess).run()
    at.button(key=f"{NS}.train").click().run()
    assert not at.exception
    scratch, frozen = _comparison(at)
    assert frozen.guess == guess and frozen.guessed_right is False
    verdict = [w.value for w in at.warning if "You predicted" in w.value]
    assert verdict and f"(a) scored {scratch.final('val_accuracy'):.0%}" in verdict[0]
    assert f"(b) {frozen.final('val_accuracy'):.0%}" in verdict[0] and predict.QUESTION.options[0] in verdict[0]
