"""AppTest of the optimisers page with tiny settings."""

from nnkit.core.runs import RunRecord
from nnkit.core.training import FINISHED
from tests.helpers import page_test, page_with

PAGE = "pages/optimisers.py"


def _page(**state):
    return page_with(PAGE, "opt", {"steps": 25, "racers": ["SGD", "Adam"], **state})


def test_race_draws_paths_and_shows_a_step_that_matches_keras():
    at = _page()
    assert not at.exception
    assert len(at.get("plotly_chart")) >= 3  # paths, loss vs step, schedule
    race = at.session_state["opt.race"]
    assert [tr.racer.name for tr in race] == ["SGD", "Adam"] and race[0].steps_run == 25
    assert any("Largest difference" in s.value for s in at.success)
    assert any("got closest to the minimum" in m.value for m in at.markdown)
    at.selectbox(key="opt.explain").select("Adam").run()
    at.number_input(key="opt.t").set_value(7).run()
    assert not at.exception
    assert any("Step 7" in s.value and "Adam" in s.value for s in at.success)


def test_huge_learning_rate_says_diverged_and_at_which_step():
    at = _page(**{"lr.SGD": 1e6})
    assert not at.exception
    assert any("SGD" in e.value and "diverged at step 1" in e.value for e in at.error)


def test_bad_race_settings_give_messages_not_tracebacks():
    for state, words in (({"racers": []}, "at least one optimiser"), ({"steps": 0}, "Zero steps"),
                         ({"x0": 50.0}, "outside the plotted range")):
        at = _page(**state)
        assert not at.exception
        assert any(words in w.value for w in at.warning), state
    at = _page(**{"lr.Adam": 0.0})
    assert any("never moves" in w.value for w in at.warning)


def test_real_network_trains_each_optimiser_from_the_same_start():
    at = _page(net=["SGD", "Adam"], epochs=1, batch=5000)
    assert any("larger than" in w.value for w in at.warning)
    at.button(key="opt.train").click().run()
    assert not at.exception
    runs = at.session_state["opt.net_runs"]
    assert [r.settings["optimizer"] for r in runs] == ["SGD", "Adam"]
    assert all(len(r.history["loss"]) == 1 and r.settings["batch"] == 1438 for r in runs)
    assert any("held-out accuracy" in m.value for m in at.markdown)


def test_range_test_plots_and_suggests_a_learning_rate():
    at = _page(rt_steps=20, rt_opt="SGD")
    at.button(key="opt.rt_run").click().run()
    assert not at.exception
    assert at.session_state["opt.range"].best_lr is not None
    assert any("safe starting learning rate" in m.value for m in at.markdown)


def test_downloads_and_twin_run_after_the_comparison():
    at = _page(net=["Adam"], epochs=1, batch=256)
    at.button(key="opt.train").click().run()
    assert not at.exception
    assert [b.label for b in at.get("download_button")] == ["Notebook (.ipynb)", "Trained model (.keras)"]
    at.selectbox(key="opt.twin.name").set_value("schedule").run()
    at.selectbox(key="opt.twin.schedule").set_value("cosine").run()
    at.button(key="opt.twin.go").click().run()
    assert not at.exception
    first, twin = at.session_state["opt.runs"]
    changed = {k for k in first.settings if first.settings[k] != twin.settings[k]}
    assert changed == {"schedule"} and twin.settings["schedule"] == "cosine"
    assert at.selectbox(key="opt.schedule").value == "cosine"
    assert [r.settings["schedule"] for r in at.session_state["opt.net_runs"]] == ["cosine"]


def test_a_run_cut_off_by_stop_keeps_its_curves_with_the_finished_ones():
    at = page_test(PAGE)
    settings = {"optimizer": "SGD", "netlr.SGD": 0.1, "batch": 32, "epochs": 8, "schedule": "constant", "seed": 0}
    at.session_state["opt.net_runs"] = [RunRecord("SGD (η 0.1)", settings, {"loss": [1.5]}, FINISHED)]
    # What train_live leaves behind when Stop cuts the second optimiser's fit short.
    at.session_state["opt.steps"] = 25
    at.session_state["opt.live"] = {"label": "Adam (η 0.003)", "settings": {"optimizer": "Adam", "netlr.Adam": 0.003,
                                    "batch": 32, "epochs": 8, "schedule": "constant", "seed": 0},
                                    "history": {"loss": [2.0, 1.0]}, "epochs": 2}
    at.session_state["opt.stop_requested"] = True
    at.run()
    assert not at.exception
    assert [r.label for r in at.session_state["opt.net_runs"]] == ["SGD (η 0.1)", "Adam (η 0.003)"]
    assert any("you pressed Stop" in i.value for i in at.info)
    assert [b.label for b in at.get("download_button")] == ["Notebook (.ipynb)"]  # no half-trained model


def test_a_shared_link_sets_up_the_page_and_bad_parameters_get_a_notice():
    at = page_test(PAGE)
    at.query_params.update({"surface": "Himmelblau", "x0": "1.0", "y0": "-1.5", "steps": "25",
                            "racers": "SGD,Adam", "lr.Adam": "0.3", "net": "SGD,Nadam", "epochs": "5",
                            "schedule": "cosine", "kappa": "abc", "rt_opt": "Adamax", "bogus": "1",
                            "lock": "epochs"})
    at.run()
    assert not at.exception
    assert at.selectbox(key="opt.surface").value == "Himmelblau"
    assert (at.number_input(key="opt.x0").value, at.number_input(key="opt.y0").value) == (1.0, -1.5)
    assert at.multiselect(key="opt.racers").value == ["SGD", "Adam"]
    assert at.select_slider(key="opt.lr.Adam").value == 0.3
    assert at.multiselect(key="opt.net").value == ["SGD", "Nadam"]
    epochs = at.slider(key="opt.epochs")
    assert epochs.value == 5 and epochs.disabled
    assert at.selectbox(key="opt.schedule").value == "cosine"
    assert at.session_state["opt.race"][1].path[0].tolist() == [1.0, -1.5]
    warnings = " ".join(w.value for w in at.warning)
    assert "kappa=abc" in warnings and "rt_opt=Adamax" in warnings and "bogus" in warnings


def test_changed_settings_are_written_to_the_link_and_the_link_restores_them():
    at = _page()
    at.selectbox(key="opt.schedule").set_value("cosine").run()
    at.multiselect(key="opt.net").set_value(["Adam", "Lion"]).run()
    at.select_slider(key="opt.netlr.Lion").set_value(0.001).run()
    params = dict(at.query_params)
    assert set(params) == {"steps", "racers", "schedule", "net", "netlr.Lion"}
    assert params["schedule"] == "cosine" and params["netlr.Lion"] == "0.001"
    shared = page_test(PAGE)
    shared.query_params.update(params)
    shared.run()
    assert not shared.exception and not shared.warning
    assert shared.multiselect(key="opt.net").value == ["Adam", "Lion"]
    assert shared.multiselect(key="opt.racers").value == ["SGD", "Adam"]
    assert shared.number_input(key="opt.steps").value == 25
    assert shared.select_slider(key="opt.netlr.Lion").value == 0.001


def test_workshop_mode_caps_the_costly_controls(monkeypatch):
    monkeypatch.setenv("NNKIT_WORKSHOP", "1")
    at = _page()
    assert at.slider(key="opt.epochs").max == 15
    assert at.slider(key="opt.rt_steps").max == 200
    assert at.number_input(key="opt.steps").max == 500
    assert any("Workshop mode" in c.value for c in at.caption)
