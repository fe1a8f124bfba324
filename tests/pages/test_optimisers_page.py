"""AppTest of the optimisers page with tiny settings."""

from tests.helpers import page_test

PAGE = "pages/optimisers.py"


def _page(**state):
    at = page_test(PAGE)
    at.session_state["opt.steps"] = 25
    at.session_state["opt.racers"] = ["SGD", "Adam"]
    for name, value in state.items():
        at.session_state[f"opt.{name}"] = value
    return at.run()


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
