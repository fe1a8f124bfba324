import numpy as np
import pytest

from nnkit.core.training import FINISHED, INTERRUPTED, STOPPED
from tests.helpers import page_test, page_with

PAGE = "pages/first_neuron.py"
LEARNS = {"lr": 0.1, "epochs": 10}  # enough for moons to be learned: the only run that gets a green box


def _page(**settings):
    return page_with(PAGE, "first_neuron", {"points": 200, "epochs": 2, **settings})


def test_loads_with_a_hint_and_no_result():
    at = _page()
    assert not at.exception
    assert any("Press **Train**" in i.value for i in at.info)
    assert not at.get("plotly_chart")


@pytest.mark.smoke
def test_train_click_draws_boundary_curves_and_stores_the_run():
    at = _page(**LEARNS)
    at.button(key="first_neuron.train").click().run()
    assert not at.exception
    runs = at.session_state["first_neuron.runs"]
    assert len(runs) == 1 and runs[0].reason == FINISHED
    assert len(runs[0].history["loss"]) == 10
    assert len(at.get("plotly_chart")) == 2  # boundary + curves
    assert "Finished 10 epochs" in at.success[0].value
    assert any("hidden layers" in m.value for m in at.markdown)


def test_single_neuron_explains_the_straight_line():
    at = _page(kind="Single neuron")
    at.button(key="first_neuron.train").click().run()
    assert not at.exception
    assert any("straight line" in m.value for m in at.markdown)
    assert at.session_state["first_neuron.runs"][-1].label.startswith("neuron")


def test_second_run_adds_a_row_and_overlay_is_possible():
    at = _page()
    at.button(key="first_neuron.train").click().run()
    at.session_state["first_neuron.lr"] = 0.3
    at.button(key="first_neuron.train").click().run()
    assert not at.exception
    assert [r.settings["lr"] for r in at.session_state["first_neuron.runs"]] == [0.03, 0.3]
    assert len(at.dataframe[-1].value) == 2  # the runs table comes last


@pytest.mark.parametrize("stop_clicked, reason", [(True, STOPPED), (False, INTERRUPTED)])
def test_a_run_cut_off_by_a_rerun_keeps_its_curves(stop_clicked, reason):
    at = page_test(PAGE)
    # What train_live leaves behind when Streamlit abandons the script mid-fit.
    at.session_state["first_neuron.live"] = {"label": "cut", "settings": {"kind": "Small network", "layers": 2, "dataset": "moons"},
                                       "history": {"loss": [0.7, 0.6], "accuracy": [0.5, 0.6]},
                                       "epochs": 2}
    at.session_state["first_neuron.stop_requested"] = stop_clicked
    at.run()
    assert not at.exception
    record = at.session_state["first_neuron.runs"][-1]
    assert record.reason == reason and record.history["loss"] == [0.7, 0.6]
    assert any("curves so far are kept" in i.value for i in at.info)
    assert any("cut off" in i.value for i in at.info)  # no boundary without a finished model


def test_a_shared_link_sets_up_the_page_and_bad_parameters_get_a_notice():
    at = page_test(PAGE)
    at.query_params.update({"epochs": "5", "lr": "0.3", "kind": "Single neuron",
                            "points": "abc", "bogus": "1", "lock": "epochs"})
    at.run()
    assert not at.exception
    epochs = at.slider(key="first_neuron.epochs")
    assert epochs.value == 5 and epochs.disabled
    assert at.select_slider(key="first_neuron.lr").value == 0.3
    assert at.radio(key="first_neuron.kind").value == "Single neuron"
    warnings = " ".join(w.value for w in at.warning)
    assert "points=abc" in warnings and "bogus" in warnings


def test_changed_settings_are_written_back_to_the_link():
    at = page_test(PAGE).run()
    assert dict(at.query_params) == {}
    at.slider(key="first_neuron.units").set_value(12).run()
    at.selectbox(key="first_neuron.dataset").set_value("spiral").run()
    assert dict(at.query_params) == {"units": "12", "dataset": "spiral"}


def test_workshop_mode_caps_the_controls(monkeypatch):
    monkeypatch.setenv("NNKIT_WORKSHOP", "1")
    at = page_test(PAGE).run()
    assert at.slider(key="first_neuron.epochs").max == 60
    assert any("Workshop mode" in c.value for c in at.caption)


def test_twin_run_changes_one_setting_and_starts_from_the_same_weights(monkeypatch):
    import nnkit

    # Capture the weights of every model the page trains, right before its fit starts.
    initial, train = [], nnkit.train

    def spy(model, *args, **kwargs):
        initial.append((model, [w.copy() for w in model.get_weights()]))
        return train(model, *args, **kwargs)

    monkeypatch.setattr(nnkit, "train", spy)
    at = _page()
    at.button(key="first_neuron.train").click().run()
    first_weights = [w.copy() for w in at.session_state["first_neuron.model"].get_weights()]
    at.selectbox(key="first_neuron.twin.name").set_value("activation").run()
    at.selectbox(key="first_neuron.twin.activation").set_value("relu").run()
    at.button(key="first_neuron.twin.go").click().run()
    assert not at.exception
    first, twin = at.session_state["first_neuron.runs"]
    changed = {k for k in first.settings if first.settings[k] != twin.settings[k]}
    assert changed == {"activation"} and twin.settings["activation"] == "relu"
    assert at.selectbox(key="first_neuron.activation").value == "relu"
    # The twin's own model started from exactly the first run's initial weights, with the new activation.
    [(first_model, first_start), (twin_model, twin_start)] = initial
    assert len(first_start) == len(twin_start) == len(first_weights)
    for a, b in zip(first_start, twin_start):
        np.testing.assert_array_equal(a, b)
    assert any(not np.array_equal(a, b) for a, b in zip(first_start, first_weights))  # the first run trained
    assert first_model.get_layer("hidden_1").activation.__name__ == "tanh"
    assert twin_model.get_layer("hidden_1").activation.__name__ == "relu"
    # And rebuilding from the recorded settings gives those same starting weights.
    from nnkit.experiments.first_neuron import model as first_neuron

    rebuilt, untrained = first_neuron.build(twin.settings), first_neuron.build(first.settings)
    for a, b, c in zip(rebuilt.get_weights(), untrained.get_weights(), first_start):
        assert (a == b).all() and (a == c).all()
    assert len(first_weights) == len(rebuilt.get_weights())


def test_a_ruined_run_is_not_green_and_the_lesson_does_not_advise_a_larger_learning_rate():
    # lr 10 with ReLU 4x32: the loss jumps and stays flat near 8 nats, accuracy near 50%.
    at = _page(activation="relu", layers=4, units=32, lr=10.0, epochs=3)
    at.button(key="first_neuron.train").click().run()
    assert not at.exception
    assert not at.success and any("Lower the learning rate" in w.value for w in at.warning)
    text = " ".join([*(m.value for m in at.markdown), *(w.value for w in at.warning)]).lower()
    assert "lower the learning rate" in text
    text = text.replace("do not raise it", "")  # the diagnosis's own warning
    assert "larger learning rate" not in text and "raise" not in text


def test_downloads_offered_after_a_finished_run():
    at = _page()
    at.button(key="first_neuron.train").click().run()
    labels = [b.label for b in at.get("download_button")]
    assert labels == ["Notebook (.ipynb)", "Trained model (.keras)"]


def test_on_a_gpu_machine_the_outcome_reports_the_speed_up(monkeypatch):
    from nnkit.core import device
    from nnkit.ui import live

    fake = device.DeviceInfo("jax", "JAX x", 2, (device.GPU("Fake GPU", 8192, (8, 9)),), True)
    monkeypatch.setattr(live, "detected_device", lambda: fake)
    at = _page(**LEARNS)
    at.button(key="first_neuron.train").click().run()
    assert not at.exception
    record = at.session_state["first_neuron.runs"][-1]
    assert record.cpu_seconds_per_epoch > 0 and record.speedup > 0
    assert "faster than the same model on the CPU" in at.success[0].value


def test_a_prediction_made_before_train_is_judged_by_the_run_and_asked_afresh():
    from nnkit.experiments.first_neuron import predict

    at = _page(**LEARNS)
    guess = predict.QUESTION.options[0]  # "no better than guessing": wrong for a net that learns moons
    at.radio(key="first_neuron.guess").set_value(guess).run()
    at.button(key="first_neuron.train").click().run()
    assert not at.exception
    record = at.session_state["first_neuron.runs"][-1]
    assert record.guess == guess and record.guessed_right is False
    verdict = [w.value for w in at.warning if "You predicted" in w.value]
    assert verdict and f"{record.final_held_out('accuracy'):.1%}" in verdict[0]
    assert at.radio(key="first_neuron.guess").value is None  # the next run is predicted afresh
    at.button(key="first_neuron.train").click().run()  # skipped: no verdict for this run
    assert at.session_state["first_neuron.runs"][-1].guess is None
    assert not [w for w in [*at.warning, *at.success, *at.info] if "You predicted" in w.value]
