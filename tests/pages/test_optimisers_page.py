"""AppTest of the optimisers page with tiny settings."""

from nnkit.core.runs import RunRecord
from nnkit.core.training import FINISHED
from tests.helpers import page_test, page_with

PAGE = "pages/optimisers.py"
NS = "optimisers"


def _comparison(at):
    """The latest comparison's runs, oldest first, from the page's one run store."""
    group = at.session_state[f"{NS}._groups"]
    return [r for r in at.session_state[f"{NS}.runs"] if r.settings.get("_group") == group]


def _page(**state):
    return page_with(PAGE, NS, {"steps": 25, "racers": ["SGD", "Adam"], **state})


def test_race_draws_paths_and_shows_a_step_that_matches_keras():
    at = _page()
    assert not at.exception
    assert len(at.get("plotly_chart")) >= 3  # paths, loss vs step, schedule
    race = at.session_state["optimisers.race"]
    assert [tr.racer.name for tr in race] == ["SGD", "Adam"] and race[0].steps_run == 25
    assert any("Largest difference" in s.value for s in at.success)
    assert any("got closest to the minimum" in m.value for m in at.markdown)
    at.selectbox(key="optimisers.explain").select("Adam").run()
    at.number_input(key="optimisers.t").set_value(7).run()
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
    at.button(key="optimisers.train").click().run()
    assert not at.exception
    runs = _comparison(at)
    assert [r.settings["optimizer"] for r in runs] == ["SGD", "Adam"]
    assert all(len(r.history["loss"]) == 1 and r.settings["batch"] == 1438 for r in runs)
    assert any("held-out accuracy" in m.value for m in at.markdown)


def test_range_test_plots_and_suggests_a_learning_rate():
    at = _page(rt_steps=20, rt_opt="SGD")
    at.button(key="optimisers.rt_run").click().run()
    assert not at.exception
    assert at.session_state["optimisers.range"].best_lr is not None
    assert any("safe starting learning rate" in m.value for m in at.markdown)


def test_downloads_and_twin_run_after_the_comparison():
    at = _page(net=["Adam"], epochs=1, batch=256)
    at.button(key="optimisers.train").click().run()
    assert not at.exception
    assert [b.label for b in at.get("download_button")] == ["Notebook (.ipynb)", "Trained model (.keras)"]
    at.selectbox(key="optimisers.twin.name").set_value("schedule").run()
    at.selectbox(key="optimisers.twin.schedule").set_value("cosine").run()
    at.button(key="optimisers.twin.go").click().run()
    assert not at.exception
    first, twin = at.session_state["optimisers.runs"]
    changed = {k for k in first.settings if first.settings[k] != twin.settings[k] and not k.startswith("_")}
    assert changed == {"schedule"} and twin.settings["schedule"] == "cosine"
    assert at.selectbox(key="optimisers.schedule").value == "cosine"
    assert [r.settings["schedule"] for r in _comparison(at)] == ["cosine"]


def test_a_run_cut_off_by_stop_keeps_its_curves_with_the_finished_ones():
    at = page_test(PAGE)
    settings = {"optimizer": "SGD", "netlr.SGD": 0.1, "batch": 32, "epochs": 8, "schedule": "constant", "seed": 0,
                "_group": 1}
    at.session_state["optimisers.runs"] = [RunRecord("SGD (η 0.1)", settings, {"loss": [1.5]}, FINISHED)]
    at.session_state["optimisers._groups"] = 1
    # What train_live leaves behind when Stop cuts the second optimiser's fit short.
    at.session_state["optimisers.steps"] = 25
    at.session_state["optimisers.live"] = {"label": "Adam (η 0.003)", "settings": {"optimizer": "Adam", "netlr.Adam": 0.003,
                                    "batch": 32, "epochs": 8, "schedule": "constant", "seed": 0,
                                    "_group": 1},
                                    "history": {"loss": [2.0, 1.0]}, "epochs": 2}
    at.session_state["optimisers.stop_requested"] = True
    at.run()
    assert not at.exception
    assert [r.label for r in _comparison(at)] == ["SGD (η 0.1)", "Adam (η 0.003)"]
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
    assert at.selectbox(key="optimisers.surface").value == "Himmelblau"
    assert (at.number_input(key="optimisers.x0").value, at.number_input(key="optimisers.y0").value) == (1.0, -1.5)
    assert at.multiselect(key="optimisers.racers").value == ["SGD", "Adam"]
    assert at.select_slider(key="optimisers.lr.Adam").value == 0.3
    assert at.multiselect(key="optimisers.net").value == ["SGD", "Nadam"]
    epochs = at.slider(key="optimisers.epochs")
    assert epochs.value == 5 and epochs.disabled
    assert at.selectbox(key="optimisers.schedule").value == "cosine"
    assert at.session_state["optimisers.race"][1].path[0].tolist() == [1.0, -1.5]
    warnings = " ".join(w.value for w in at.warning)
    assert "kappa=abc" in warnings and "rt_opt=Adamax" in warnings and "bogus" in warnings


def test_changed_settings_are_written_to_the_link_and_the_link_restores_them():
    at = _page()
    at.selectbox(key="optimisers.schedule").set_value("cosine").run()
    at.multiselect(key="optimisers.net").set_value(["Adam", "Lion"]).run()
    at.select_slider(key="optimisers.netlr.Lion").set_value(0.001).run()
    params = dict(at.query_params)
    assert set(params) == {"steps", "racers", "schedule", "net", "netlr.Lion"}
    assert params["schedule"] == "cosine" and params["netlr.Lion"] == "0.001"
    shared = page_test(PAGE)
    shared.query_params.update(params)
    shared.run()
    assert not shared.exception and not shared.warning
    assert shared.multiselect(key="optimisers.net").value == ["Adam", "Lion"]
    assert shared.multiselect(key="optimisers.racers").value == ["SGD", "Adam"]
    assert shared.number_input(key="optimisers.steps").value == 25
    assert shared.select_slider(key="optimisers.netlr.Lion").value == 0.001


def test_workshop_mode_caps_the_costly_controls(monkeypatch):
    monkeypatch.setenv("NNKIT_WORKSHOP", "1")
    at = _page()
    assert at.slider(key="optimisers.epochs").max == 15
    assert at.slider(key="optimisers.rt_steps").max == 200
    assert at.number_input(key="optimisers.steps").max == 500
    assert any("Workshop mode" in c.value for c in at.caption)


def test_a_ruined_comparison_names_chance_and_is_not_green():
    """#27: lr 10 on digits must not read as "Adam reached the best held-out accuracy" with no word of chance."""
    at = _page(net=["Adam"], **{"netlr.Adam": 10.0}, epochs=2, batch=256)
    at.button(key="optimisers.train").click().run()
    assert not at.exception
    assert not any("Finished" in s.value for s in at.success)
    assert any("Lower the learning rate" in w.value for w in at.warning)
    text = " ".join(m.value for m in at.markdown)
    assert "No optimiser learned the digits" in text and "(10%)" in text and "reached the best" not in text


def test_step_decay_formula_shows_the_integer_step_length_and_nadam_its_rounding():
    at = _page(schedule="step decay", batch=64, epochs=8, racers=["Nadam"])
    assert not at.exception
    assert any(r"d = \lfloor T/3 \rfloor = 61" in l.value for l in at.latex)
    at.selectbox(key="optimisers.explain").select("Nadam").run()
    assert any("Nadam forms 1 − β₂ in float32" in c.value for c in at.caption)


def test_a_prediction_is_judged_by_the_best_held_out_accuracy():
    from nnkit.experiments.optimisers import predict

    at = _page(net=["SGD", "Adam"], epochs=2, batch=128)
    guess = predict.QUESTION.options[predict.PLAIN]
    at.radio(key="optimisers.guess").set_value(guess).run()
    at.button(key="optimisers.train").click().run()
    assert not at.exception
    sgd, adam = _comparison(at)
    sgd_won = sgd.final("val_accuracy") > adam.final("val_accuracy")
    assert adam.guess == guess and adam.guessed_right is sgd_won
    verdict = [b.value for b in [*at.success, *at.warning] if "You predicted" in b.value]
    assert verdict and f"{sgd.label} {sgd.final('val_accuracy'):.1%}" in verdict[0]
