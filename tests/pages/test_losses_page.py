"""AppTest for the loss-functions page: curves, by-hand table, both experiments."""

import numpy as np

from nnkit.core.training import FINISHED, STOPPED
from tests.helpers import page_test, page_with

PAGE = "pages/losses.py"
NS = "losses"


def _comparison(at, ns=NS):
    """The latest comparison's runs by label, from the page's one run store."""
    group = at.session_state[f"{ns}._groups"]
    return {r.label: r for r in at.session_state[f"{ns}.runs"] if r.settings.get("_group") == group}


def _page(**state):
    return page_with(PAGE, NS, {**state})


def test_page_opens_with_curves_formulas_and_the_clipping_note():
    at = _page()
    assert not at.exception and not at.error
    assert len(at.get("plotly_chart")) == 1
    assert len(at.latex) >= 5   # four regression formulas + the by-hand formula + weighted BCE
    # The default by-hand table has ŷ = 1 exactly: the page explains Keras's clipping.
    assert any("clips" in w.value and "10⁻⁷" in w.value for w in at.warning)
    assert any("`keras.losses` returns" in m.value for m in at.markdown)


def test_classification_curves_render():
    at = _page(family="classification", label=0, gamma=3.0)
    assert not at.exception
    assert len(at.get("plotly_chart")) == 1
    assert any("focal" in c.value for c in at.caption)


def test_bad_by_hand_input_gives_a_message_not_a_traceback():
    cases = [("1, 0", "0.5, abc", "not a number"), ("1, 0, 1", "0.5, 0.2", "3 values but y_pred has 2"),
             ("1, 0", "1.5, 0.2", "outside [0, 1]"), ("", "", "empty")]
    at = _page()
    for y_true, y_pred, message in cases:
        at.text_input(key="losses.hand_true").set_value(y_true)
        at.text_input(key="losses.hand_pred").set_value(y_pred)
        at.run()
        assert not at.exception
        assert any(message in e.value for e in at.error), (message, [e.value for e in at.error])


def test_outlier_experiment_trains_three_losses_from_the_same_seed():
    at = _page(a_epochs=2, a_points=50)
    at.button(key="losses.train").click().run()
    assert not at.exception
    runs = _comparison(at)
    assert list(runs) == ["MSE", "MAE", "Huber"]
    assert all(len(r.history["loss"]) == 2 and r.settings["seed"] == 0 for r in runs.values())
    assert all("rmse" in r.artifacts for r in runs.values())
    assert any(m.value.startswith("**Outliers.** Distance from the true line") for m in at.markdown)
    assert len(at.get("plotly_chart")) >= 3   # loss curves, fitted lines, training curves
    assert [b.label for b in at.get("download_button")] == ["Notebook (.ipynb)", "Trained model (.keras)"]


def test_imbalance_experiment_reports_precision_recall_and_confusion():
    at = _page(b_epochs=2, b_points=200)
    at.button(key="losses.b.train").click().run()
    assert not at.exception
    runs = _comparison(at, f"{NS}.b")
    assert len(runs) == 3 and list(runs)[0] == "BCE"
    metrics = [r.artifacts["metrics"] for r in runs.values()]
    assert all(sum(map(sum, m["confusion"])) == m["n"] == 40 for m in metrics)
    assert any(m.value.startswith("**Imbalance.** Class 1 is") for m in at.markdown)
    assert len(at.get("plotly_chart")) >= 3   # loss curves, training curves, confusion matrices
    assert [b.label for b in at.get("download_button")] == ["Notebook (.ipynb)", "Trained model (.keras)"]


def test_a_shared_link_sets_up_the_page_and_bad_parameters_get_a_notice():
    at = page_test(PAGE)
    at.query_params.update({"a_epochs": "5", "a_lr": "0.3", "family": "classification", "label": "0",
                            "a_points": "abc", "bogus": "1", "lock": "a_epochs"})
    at.run()
    assert not at.exception
    epochs = at.slider(key="losses.a_epochs")
    assert epochs.value == 5 and epochs.disabled
    assert at.select_slider(key="losses.a_lr").value == 0.3
    assert at.radio(key="losses.family").value == "classification" and at.radio(key="losses.label").value == 0
    assert at.slider(key="losses.a_points").value == 200   # the malformed value is ignored
    warnings = " ".join(w.value for w in at.warning)
    assert "a_points=abc" in warnings and "bogus" in warnings


def test_changed_settings_are_written_back_to_the_link():
    at = page_test(PAGE).run()
    assert dict(at.query_params) == {}
    at.slider(key="losses.delta").set_value(2.0).run()
    at.selectbox(key="losses.hand_loss").set_value("MSE").run()
    at.slider(key="losses.b_minority").set_value(0.2).run()
    assert dict(at.query_params) == {"delta": "2.0", "hand_loss": "MSE", "b_minority": "0.2"}


def test_workshop_mode_caps_the_costly_controls(monkeypatch):
    monkeypatch.setenv("NNKIT_WORKSHOP", "1")
    at = page_test(PAGE).run()
    assert at.slider(key="losses.a_epochs").max == 60 and at.slider(key="losses.b_points").max == 1500
    assert any("Workshop mode" in c.value for c in at.caption)


def test_twin_run_retrains_the_three_losses_with_one_setting_changed():
    at = _page(a_epochs=1, a_points=50)
    at.button(key="losses.train").click().run()
    first = {k: r.settings for k, r in _comparison(at).items()}
    at.selectbox(key="losses.twin.name").set_value("a_lr").run()
    at.selectbox(key="losses.twin.a_lr").set_value(0.01).run()
    at.button(key="losses.twin.go").click().run()
    assert not at.exception
    twin = _comparison(at)
    assert list(twin) == ["MSE", "MAE", "Huber"] and len(at.session_state["losses.runs"]) == 6
    for name, record in twin.items():
        settings = record.settings
        changed = {k for k in settings if settings[k] != first[name][k] and not k.startswith("_")}
        assert changed == {"a_lr"} and settings["a_lr"] == 0.01 and settings["seed"] == 0
    assert at.select_slider(key="losses.a_lr").value == 0.01


def test_a_run_cut_off_by_a_rerun_keeps_the_finished_losses_and_the_partial_one():
    at = page_test(PAGE)
    done = _record("MSE")
    at.session_state["losses.runs"], at.session_state["losses._groups"] = [done], 1
    # What train_live leaves behind when Streamlit abandons the script mid-fit (here: MAE).
    at.session_state["losses.live"] = {"label": "MAE", "settings": done.settings,
                                       "history": {"loss": [2.0], "mae": [2.0]}, "epochs": 1}
    at.session_state["losses.stop_requested"] = True
    at.run()
    assert not at.exception
    runs = _comparison(at)
    assert list(runs) == ["MSE", "MAE"] and runs["MAE"].reason == STOPPED
    assert any("you pressed Stop" in i.value for i in at.info)


def _record(label):
    from nnkit.core.runs import RunRecord

    settings = {"a_outliers": 0.15, "a_points": 50, "a_epochs": 1, "a_lr": 0.1, "delta": 1.0, "seed": 0,
                "_group": 1}
    return RunRecord(label, settings, {"loss": [3.0], "mae": [1.5]}, FINISHED, "Finished 1 epochs.", 1,
                     artifacts={"fit": np.zeros(50), "rmse": 1.0, "baseline": 4.0})


def test_every_run_gets_a_diagnosis_and_a_ruined_comparison_is_not_green():
    """#27: a_lr = 10 with 40% outliers overshoots; no green box, no fixed "stayed closest" sentence."""
    at = _page(a_lr=10.0, a_outliers=0.4)   # the default 200 points and 40 epochs, as reported
    at.button(key="losses.train").click().run()
    assert not at.exception
    overshoot = [w.value for w in at.warning if "overshoot" in w.value]
    assert len(overshoot) == 3 and all("Lower the learning rate" in w for w in overshoot)
    assert not any("Finished" in s.value for s in at.success)
    lesson = next(m.value for m in at.markdown if m.value.startswith("**Outliers.**"))
    assert "Not every run settled" in lesson and "stayed closest" not in lesson


def test_hinge_with_soft_labels_is_refused_with_the_rule_keras_would_use():
    at = _page(hand_loss="hinge")
    at.text_input(key="losses.hand_true").set_value("1, 0.5")
    at.text_input(key="losses.hand_pred").set_value("0.3, 0.5").run()
    assert not at.exception
    assert any("all 0/1 or all −1/1" in e.value and "t = y" in e.value for e in at.error)


def test_log_cosh_table_with_a_huge_error_matches_keras_and_says_no_nan():
    at = _page(hand_loss="log-cosh")
    at.text_input(key="losses.hand_true").set_value("0, 0")
    at.text_input(key="losses.hand_pred").set_value("800, 1").run()
    assert not at.exception and not at.error
    text = " ".join(m.value for m in at.markdown)
    assert "399.87" in text and "nan" not in text.lower()


def test_default_table_names_the_cost_of_its_own_confident_mistake():
    at = _page()
    assert any("entry 4 (ŷ = 1 with y = 0, a confident mistake) costs 15.94" in w.value for w in at.warning)


def test_a_prediction_is_judged_by_the_lines_distance_from_the_truth():
    at = _page(a_epochs=40)
    at.radio(key="losses.guess").set_value("MSE").run()  # the outliers drag MSE: wrong
    at.button(key="losses.train").click().run()
    assert not at.exception
    runs = at.session_state["losses.runs"][-3:]
    assert runs[-1].guess == "MSE" and runs[-1].guessed_right is False
    verdict = [w.value for w in at.warning if "You predicted" in w.value]
    assert verdict and "“MAE”" in verdict[0] and f"MSE {runs[0].artifacts['rmse']:.3f}" in verdict[0]
