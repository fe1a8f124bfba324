"""GANs page: loads, trains live, names each failure mode from a seeded run, twin runs, links and caps."""

import numpy as np
import pytest

from nnkit.core.training import FINISHED
from nnkit.experiments.gans import failure
from tests.helpers import page_test, page_with

PAGE = "pages/gans.py"
QUICK = {"points": 256, "epochs": 3}


def _trained(**settings):
    at = page_with(PAGE, "gans", settings)
    return at.button(key="gans.train").click().run()


def test_loads_with_a_hint_and_no_result():
    at = page_with(PAGE, "gans", QUICK)
    assert not at.exception
    assert any("Press **Train**" in i.value for i in at.info)
    assert not at.get("plotly_chart")
    assert any("8 modes" in c.value for c in at.caption)


@pytest.mark.smoke
def test_a_short_run_draws_the_plane_and_the_game_and_offers_the_generator():
    at = _trained(**QUICK)
    assert not at.exception
    [run] = at.session_state["gans.runs"]
    assert run.reason == FINISHED and len(run.history["modes"]) == 3
    assert run.artifacts["picture"]["surface"].shape == (41, 41)
    assert len(at.get("plotly_chart")) == 2  # the plane + the game
    assert not at.success  # 3 epochs do not reach the ring: never green
    assert any("has not found the target" in w.value and "more epochs" in w.value for w in at.warning)
    assert [b.label for b in at.get("download_button")] == ["Notebook (.ipynb)", "Trained model (.keras)"]
    assert at.session_state["gans.model"].name == "generator"  # the .keras download: noise in, points out
    assert any("**The game.**" in m.value for m in at.markdown)


def test_the_default_run_is_healthy_and_green():
    at = _trained()
    assert not at.exception
    assert "Healthy" in at.success[0].value and "all 8 modes" in at.success[0].value
    assert any("Verdict: healthy" in m.value for m in at.markdown)


@pytest.mark.parametrize("kind, words", [(failure.COLLAPSE, "Mode collapse"),
                                         (failure.OSCILLATION, "Oscillation"),
                                         (failure.D_WINS, "discriminator is winning")])
def test_each_failure_mode_gets_its_box_from_a_seeded_run(kind, words):
    at = _trained(**failure.EXAMPLES[kind])
    assert not at.exception
    assert not at.success
    box = next(w.value for w in at.warning if words in w.value)
    assert "Try:" in box and "raise" not in box.lower()
    assert any(f"Verdict: {kind}" in m.value for m in at.markdown)


def test_twin_run_changes_one_setting_and_starts_from_the_same_weights(monkeypatch):
    import nnkit

    initial, train = [], nnkit.train

    def spy(model, *args, **kwargs):
        initial.append([w.copy() for w in model.get_weights()])
        return train(model, *args, **kwargs)

    monkeypatch.setattr(nnkit, "train", spy)
    at = _trained(**QUICK)
    at.selectbox(key="gans.twin.name").set_value("g_lr").run()
    at.selectbox(key="gans.twin.g_lr").set_value(0.01).run()
    at.button(key="gans.twin.go").click().run()
    assert not at.exception
    first, twin = at.session_state["gans.runs"]
    assert {k for k in first.settings if first.settings[k] != twin.settings[k]} == {"g_lr"}
    assert twin.settings["g_lr"] == 0.01
    assert len(initial) == 2 and all(np.array_equal(a, b) for a, b in zip(*initial))


def test_bad_and_absurd_link_settings_get_notices_not_errors():
    at = page_test(PAGE)
    at.query_params.update({"points": "abc", "epochs": "100000", "g_lr": "7", "target": "<b>x</b>",
                            "d_steps": "0", "noise_dim": "2", "lock": "target"})
    at.run()
    assert not at.exception
    notices = " ".join(w.value for w in at.warning)
    assert all(p in notices for p in ("points=abc", "epochs=100000", "g_lr=7", "d_steps=0"))
    assert at.selectbox(key="gans.target").disabled and at.selectbox(key="gans.target").value == "ring"


def test_workshop_mode_caps_the_controls(monkeypatch):
    monkeypatch.setenv("NNKIT_WORKSHOP", "1")
    at = page_test(PAGE).run()
    assert at.slider(key="gans.epochs").max == 150 and at.slider(key="gans.points").max == 2048
    assert at.select_slider(key="gans.g_width").options[-1] == "64"


def test_a_run_cut_off_by_a_rerun_keeps_its_curves():
    at = page_test(PAGE)
    at.session_state["gans.live"] = {"label": "cut", "settings": {"target": "ring", "noise_dim": 2},
                                     "history": {"loss": [0.7, 0.6], "g_loss": [0.7, 0.8],
                                                 "real_accuracy": [0.5, 0.6], "fake_accuracy": [0.5, 0.4],
                                                 "modes": [0, 1]}, "epochs": 2}
    at.session_state["gans.stop_requested"] = True
    at.run()
    assert not at.exception
    assert at.session_state["gans.runs"][-1].reason == "stopped by user"
    assert any("cut off" in i.value for i in at.info)


def test_a_prediction_is_judged_by_the_runs_verdict():
    from nnkit.experiments.gans import predict

    at = page_with(PAGE, "gans", {})
    at.radio(key="gans.guess").set_value(predict.QUESTION.options[1]).run()  # collapse, on the healthy default
    at.button(key="gans.train").click().run()
    assert not at.exception
    record = at.session_state["gans.runs"][-1]
    assert record.guess == predict.QUESTION.options[1] and record.guessed_right is False
    assert any("You predicted" in w.value and "all 8 modes" in w.value for w in at.warning)
