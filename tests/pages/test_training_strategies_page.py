"""Training strategies page: every section trains for real and explains its own numbers."""

import pytest

from nnkit.core.training import FINISHED, STOPPED
from tests.helpers import page_test, page_with

PAGE = "pages/training_strategies.py"
NS = "training_strategies"
SMALL = {"rows": 60, "units": 32, "epochs": 4, "bs_rows": 50, "bs_epochs": 2}


def _table(at, column):
    """The page's own table with `column` (charts' "numbers" tables come first)."""
    return next(d.value for d in at.dataframe if column in d.value.columns)


def _page(**settings):
    return page_with(PAGE, NS, {**SMALL, **settings})


def test_loads_with_a_hint_and_no_result():
    at = _page()
    assert not at.exception
    assert any("Train the too-big net" in i.value for i in at.info)
    assert not at.get("plotly_chart")
    assert any("keras.layers.Dropout(0.5" in c.value for c in at.code)


@pytest.mark.smoke
def test_the_first_primary_button_trains_the_over_fit_run():
    at = _page()
    first = next(b for b in at.button if b.proto.type == "primary")
    assert first.key == f"{NS}.train"
    first.click().run()
    assert not at.exception
    runs = at.session_state[f"{NS}.runs"]
    assert len(runs) == 1 and runs[0].reason == FINISHED and len(runs[0].history["loss"]) == 4
    assert len(at.get("plotly_chart")) == 2  # curves + weights
    assert any("Validation cross-entropy was lowest at epoch" in m.value for m in at.markdown)
    labels = [b.label for b in at.get("download_button")]
    assert "Notebook (.ipynb)" in labels and "Trained model (.keras)" in labels


@pytest.mark.parametrize("remedy", ["Dropout", "L2 weight decay", "Early stopping"])
def test_a_remedy_trains_twin_runs_and_reads_the_gap(remedy):
    at = _page(remedy=remedy)
    at.button(key=f"{NS}.remedy.train").click().run()
    assert not at.exception
    runs = at.session_state[f"{NS}.remedy.runs"]
    assert len(runs) == 2 and all(r.reason == FINISHED for r in runs)
    assert any(m.value.startswith(f"**{remedy}.**") for m in at.markdown)


def test_callbacks_section_lists_what_each_callback_did():
    at = _page(epochs=6, patience=1, lr_patience=1)
    at.button(key=f"{NS}.callbacks.train").click().run()
    assert not at.exception
    record = at.session_state[f"{NS}.callbacks.runs"][-1]
    assert record.artifacts["saved_epochs"] and record.artifacts["best_epoch"] >= 1
    table = _table(at, "callback")
    assert "ModelCheckpoint" in set(table["callback"])
    assert any("ModelCheckpoint wrote best.keras" in m.value for m in at.markdown)


def test_batch_section_measures_updates_per_epoch():
    at = _page()
    at.button(key=f"{NS}.batch.train").click().run()
    assert not at.exception
    table = _table(at, "updates per epoch")
    assert list(table["updates per epoch"]) == [50, 2, 1]  # 50 rows: batch 1, 32 (ceil 50/32), full
    assert any("updates per epoch" in m.value for m in at.markdown)
