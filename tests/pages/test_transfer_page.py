"""AppTest of the transfer-learning page (tiny images and epochs)."""

from nnkit import pretrained
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
    rows = at.dataframe[0].value
    assert len(rows) == 3
    trainable = dict(zip(rows["variant"], rows["trainable"]))
    assert trainable["(b) frozen MobileNetV2 + new head"] == 1280 * 3 + 3
    assert len(at.get("plotly_chart")) >= 4            # top-5, curves, confusion, PCA
    meaning = at.markdown[-1].value
    assert "18 images" in meaning and "validation accuracy" in meaning
    at.button(key="tl.export").click().run()
    assert not at.exception and at.session_state["tl.file"][:2] == b"PK"

