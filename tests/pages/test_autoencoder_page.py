"""AppTest of the autoencoder page: train, threshold explorer, denoiser, bad CSV input,
shareable links, workshop caps, twin run and downloads, and runs that went wrong (issue #27)."""

import numpy as np
import pytest

from nnkit.core.training import FINISHED
from nnkit.experiments.autoencoder import anomalies
from tests.helpers import page_test, page_with

PAGE = "pages/autoencoder.py"


def _page(**settings):
    return page_with(PAGE, "autoencoder", {"epochs": 2, "dn_epochs": 2, **settings})


def test_loads_with_a_hint_and_the_error_formula():
    at = _page()
    assert not at.exception
    assert any("Press **Train**" in i.value for i in at.info)
    assert at.latex and "hat{x}" in at.latex[0].value
    assert not at.get("plotly_chart")


@pytest.mark.smoke
def test_train_then_threshold_explorer_and_denoiser():
    at = _page()
    at.button(key="autoencoder.train").click().run()
    assert not at.exception and not at.error
    run = at.session_state["autoencoder.runs"][-1]
    assert run.reason == FINISHED and len(run.history["loss"]) == 2
    assert "accuracy" not in run.history
    metrics = {m.label: m.value for m in at.metric}
    assert set(metrics) == {"Precision", "Recall", "F1", "ROC AUC"}
    # the metrics shown are those of the threshold on the slider, on the stored errors
    from nnkit.experiments.autoencoder import threshold as ae

    slider = next(s for s in at.slider if s.key.startswith("autoencoder.threshold."))
    report = ae.evaluate(run.artifacts["errors"], run.artifacts["labels"], slider.value)
    assert metrics["Recall"] == f"{report.recall:.3f}"
    assert slider.value == pytest.approx(ae.suggest_threshold(run.artifacts["val_errors"], 95.0), rel=1e-3)
    charts = len(at.get("plotly_chart"))
    assert charts >= 7  # curves, 3 reconstruction grids, histogram, confusion, ROC, latent
    assert any("false alarms" in m.value for m in at.markdown)

    slider.set_value(0.0).run()  # everything flagged: recall 1
    assert {m.label: m.value for m in at.metric}["Recall"] == "1.000"

    at.button(key="autoencoder.denoise.train").click().run()
    assert not at.exception
    assert at.session_state["autoencoder.denoise.runs"][-1].reason == FINISHED
    assert any("denoiser's outputs" in m.value for m in at.markdown)
    assert len(at.get("plotly_chart")) == charts + 1


def test_series_source_trains_a_conv1d_autoencoder():
    at = _page(source="Sunspots (yearly) (series)", kind="conv", bottleneck=4)
    at.button(key="autoencoder.train").click().run()
    assert not at.exception and not at.error
    assert at.session_state["autoencoder.runs"][-1].settings["kind"] == "conv"
    assert any(m.label == "ROC AUC" for m in at.metric)


def test_table_source_forces_dense_layers():
    at = _page(source=anomalies.CANCER_SRC, kind="conv")
    assert not at.exception
    assert at.radio(key="autoencoder.kind").disabled
    assert any("30 numbers" in c.value for c in at.caption)


def test_no_normal_class_is_a_clear_error():
    at = page_test(PAGE).run()
    at.multiselect(key="autoencoder.normal_pick").set_value([]).run()
    assert not at.exception
    assert "at least one normal class" in at.error[0].value


def test_csv_source_without_upload_asks_for_a_file():
    at = _page(source=anomalies.CSV_SRC)
    assert not at.exception
    assert "Upload a CSV" in at.error[0].value


def test_diverged_run_says_so_without_a_traceback():
    from nnkit.core.runs import RunRecord

    at = _page()
    at.session_state["autoencoder.runs"] = [RunRecord(
        "dense, bottleneck 8", {"bottleneck": 8}, {"loss": [0.5, float("nan")]}, "diverged",
        "The loss became NaN or infinite in epoch 2: training diverged. Lower the learning rate "
        "and train again.", 2, artifacts={"errors": np.array([np.nan])})]
    at.run()
    assert not at.exception
    assert "epoch 2" in at.error[0].value
    assert "did not finish with finite errors" in at.warning[0].value
    assert not at.metric


def test_a_shared_link_sets_up_the_page_and_bad_parameters_get_a_notice():
    at = page_test(PAGE)
    at.query_params.update({"normal": "3,7", "bottleneck": "4", "lr": "0.01", "kind": "conv",
                            "percentile": "99.5", "dn_noise": "0.5", "hidden": "many", "bogus": "1",
                            "lock": "bottleneck"})
    at.run()
    assert not at.exception
    assert at.multiselect(key="autoencoder.normal_pick").value == ["3", "7"]
    bottleneck = at.slider(key="autoencoder.bottleneck")
    assert bottleneck.value == 4 and bottleneck.disabled
    assert at.select_slider(key="autoencoder.lr").value == 0.01
    assert at.radio(key="autoencoder.kind").value == "conv"
    assert at.slider(key="autoencoder.hidden").value == 64  # the malformed value is ignored
    assert at.session_state["autoencoder.percentile"] == 99.5 and at.session_state["autoencoder.dn_noise"] == 0.5
    warnings = " ".join(w.value for w in at.warning)
    assert "hidden=many" in warnings and "bogus" in warnings
    assert "Normal = 3, 7" in " ".join(c.value for c in at.caption)


def test_a_link_with_a_class_the_data_lacks_falls_back_with_a_notice():
    at = page_test(PAGE)
    at.query_params.update({"normal": "Coat"})
    at.run()
    assert not at.exception
    assert at.multiselect(key="autoencoder.normal_pick").value == ["0"]
    assert any("`Coat`" in w.value for w in at.warning)


def test_changed_settings_are_written_back_to_the_link():
    at = page_test(PAGE).run()
    assert dict(at.query_params) == {}
    at.slider(key="autoencoder.bottleneck").set_value(3).run()
    at.multiselect(key="autoencoder.normal_pick").set_value(["0", "5"]).run()
    assert dict(at.query_params) == {"bottleneck": "3", "normal": "0,5"}
    at.selectbox(key="autoencoder.source").set_value(anomalies.CANCER_SRC).run()
    assert not at.exception
    assert dict(at.query_params)["source"] == anomalies.CANCER_SRC


def test_workshop_mode_caps_the_controls(monkeypatch):
    monkeypatch.setenv("NNKIT_WORKSHOP", "1")
    at = page_test(PAGE).run()
    assert at.slider(key="autoencoder.epochs").max == 30
    assert at.slider(key="autoencoder.hidden").max == 64
    assert any("Workshop mode" in c.value for c in at.caption)


def test_twin_run_downloads_and_notebook_after_a_run():
    at = _page(bottleneck=4, hidden=16)
    at.button(key="autoencoder.train").click().run()
    labels = [b.label for b in at.get("download_button")]
    assert labels == ["Notebook (.ipynb)", "Trained model (.keras)"]
    twin_menu = at.selectbox(key="autoencoder.twin.name").options  # widget labels; free-text "normal" is left out
    assert "Bottleneck size" in twin_menu and not any("Normal" in o for o in twin_menu)
    at.selectbox(key="autoencoder.twin.name").set_value("lr").run()
    at.selectbox(key="autoencoder.twin.lr").set_value("0.01").run()
    at.button(key="autoencoder.twin.go").click().run()
    assert not at.exception
    first, twin = at.session_state["autoencoder.runs"]
    assert {k for k in first.settings if first.settings[k] != twin.settings[k]} == {"lr"}
    assert at.select_slider(key="autoencoder.lr").value == 0.01


def test_a_ruinous_learning_rate_is_not_a_success_and_is_told_to_go_down():
    at = _page(lr=1.0, epochs=3)
    at.button(key="autoencoder.train").click().run()
    assert not at.exception and not at.success
    shown = " ".join(w.value for w in at.warning)
    assert "against" in shown and "lower it" in shown and "raise the learning rate" not in shown


def test_after_stop_the_page_never_says_lower_the_learning_rate():
    from nnkit.core.runs import RunRecord

    at = _page()
    at.session_state["autoencoder.runs"] = [RunRecord(
        "dense, bottleneck 8", {"bottleneck": 8, "epochs": 15}, {"loss": [0.09, 0.05]}, "stopped by user",
        "Training ended after 2 epochs because you pressed Stop; the curves so far are kept.", 2)]
    at.run()
    assert not at.exception
    shown = " ".join(m.value for m in [*at.warning, *at.info, *at.error])
    assert "you pressed Stop" in shown and "cut off before it finished" in shown
    assert "learning rate" not in shown.lower()


def test_a_bottleneck_as_wide_as_the_input_is_warned_about():
    at = _page(source=anomalies.CANCER_SRC, bottleneck=32)
    assert not at.exception
    assert any("not smaller than a sample (30 numbers)" in w.value for w in at.warning)
    assert not any("not smaller" in w.value for w in _page(source=anomalies.CANCER_SRC, bottleneck=8).warning)


def test_a_huge_normal_value_in_a_link_gives_a_short_plain_notice():
    at = page_test(PAGE)
    at.query_params.update({"normal": "[x](http://evil.example)" * 400})
    at.run()
    assert not at.exception
    notices = [w.value for w in at.warning if "has no class" in w.value]
    from nnkit.core.plaintext import quote

    assert notices and all(len(n) < 200 for n in notices)  # the issue saw a 10,065-character warning
    assert quote("[x](http://evil.example)" * 400) in notices[0]  # a code span: shown, never a link


def test_a_prediction_is_judged_by_how_much_worse_the_anomalies_are_rebuilt():
    from nnkit.experiments.autoencoder import predict

    at = _page(epochs=10)  # digit 0 through 8 numbers: the other digits are rebuilt far worse
    guess = predict.QUESTION.options[0]
    at.radio(key="autoencoder.guess").set_value(guess).run()
    at.button(key="autoencoder.train").click().run()
    assert not at.exception
    record = at.session_state["autoencoder.runs"][-1]
    assert record.guess == guess and record.guessed_right is False
    errors, labels = record.artifacts["errors"], record.artifacts["labels"]
    ratio = np.median(errors[labels == 1]) / np.median(errors[labels == 0])
    verdict = [w.value for w in at.warning if "You predicted" in w.value]
    assert verdict and f"({ratio:.1f}×)" in verdict[0] and predict.QUESTION.options[2] in verdict[0]
    at.button(key="autoencoder.denoise.train").click().run()  # the denoiser builds in its slot too
    assert not at.exception and at.session_state["autoencoder.denoise.runs"][-1].artifacts["cleaned_error"] > 0
