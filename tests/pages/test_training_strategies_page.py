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


def test_twin_run_changes_one_setting_and_keeps_the_seed():
    at = _page()
    at.button(key=f"{NS}.train").click().run()
    at.selectbox(key=f"{NS}.twin.name").set_value("lr").run()
    at.selectbox(key=f"{NS}.twin.lr").set_value(0.01).run()
    at.button(key=f"{NS}.twin.go").click().run()
    assert not at.exception
    first, twin = at.session_state[f"{NS}.runs"]
    changed = {k for k in first.settings if k != "_group" and first.settings[k] != twin.settings[k]}
    assert changed == {"lr"} and twin.settings["seed"] == first.settings["seed"]


def test_a_run_cut_off_by_a_rerun_keeps_its_curves_and_is_not_a_verdict():
    at = page_test(PAGE)
    at.session_state[f"{NS}.live"] = {"label": "cut", "settings": {**SMALL, "dataset": "digits", "layers": 2,
                                                                   "lr": 0.003, "batch": 32, "seed": 0, "_group": 0},
                                      "history": {"loss": [2.0, 1.0], "val_loss": [2.1, 1.2]}, "epochs": 2}
    at.session_state[f"{NS}.stop_requested"] = True
    at.run()
    assert not at.exception
    record = at.session_state[f"{NS}.runs"][-1]
    assert record.reason == STOPPED and record.history["loss"] == [2.0, 1.0]
    assert any("not a verdict" in i.value for i in at.info)


def test_a_shared_link_sets_up_the_page_locks_and_reports_bad_parameters():
    at = page_test(PAGE)
    at.query_params.update({"remedy": "L2 weight decay", "l2": "0.01", "epochs": "12", "rows": "lots",
                            "bogus": "1", "lock": "epochs"})
    at.run()
    assert not at.exception
    assert at.radio(key=f"{NS}.remedy").value == "L2 weight decay"
    assert at.select_slider(key=f"{NS}.l2").value == 0.01
    assert at.slider(key=f"{NS}.epochs").value == 12 and at.slider(key=f"{NS}.epochs").disabled
    assert any("kernel_regularizer=keras.regularizers.L2(l2=0.01)" in c.value for c in at.code)
    warnings = " ".join(w.value for w in at.warning)
    assert "rows=lots" in warnings and "bogus" in warnings


def test_changed_settings_are_written_back_to_the_link():
    at = page_test(PAGE).run()
    assert dict(at.query_params) == {}
    at.slider(key=f"{NS}.patience").set_value(3).run()
    at.radio(key=f"{NS}.remedy").set_value("Smaller network").run()
    assert dict(at.query_params) == {"patience": "3", "remedy": "Smaller network"}


def test_workshop_mode_caps_sizes_and_keeps_batch_size_one_tiny(monkeypatch):
    monkeypatch.setenv("NNKIT_WORKSHOP", "1")
    at = page_test(PAGE).run()
    assert at.slider(key=f"{NS}.epochs").max == 60 and at.slider(key=f"{NS}.rows").max == 300
    assert at.slider(key=f"{NS}.bs_rows").max == 200 and at.slider(key=f"{NS}.bs_epochs").max == 5
    assert 512 not in at.select_slider(key=f"{NS}.units").options
    assert any("Workshop mode" in c.value for c in at.caption)


def test_a_prediction_is_judged_by_the_too_big_nets_validation_curve():
    from nnkit.experiments.training_strategies import model as ts
    from nnkit.experiments.training_strategies import predict

    at = _page(rows=150, units=256, epochs=15)  # 85,000 weights on 150 rows: validation loss climbs
    guess = predict.QUESTION.options[0]  # "keep falling": wrong for a net that memorises its rows
    at.radio(key=f"{NS}.guess").set_value(guess).run()
    at.button(key=f"{NS}.train").click().run()
    assert not at.exception
    record = at.session_state[f"{NS}.runs"][-1]
    assert record.guess == guess and record.guessed_right is False
    gap = ts.gap_of(record.history, ts.fit_key_of(record.history))
    verdict = [w.value for w in at.warning if "You predicted" in w.value]
    assert verdict and f"lowest at epoch {gap.best_epoch} ({gap.best_val_loss:.3f})" in verdict[0]
    assert predict.QUESTION.options[1] in verdict[0]
    assert len(at.get("plotly_chart")) == 2  # the empty live curves were replaced by the final picture
