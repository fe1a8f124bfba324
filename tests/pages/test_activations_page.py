import base64
import json

import numpy as np
import pytest

from nnkit.core.training import FINISHED
from nnkit.experiments.activations.model import load_dataset
from tests.helpers import page_test, page_with

PAGE = "pages/activations.py"
TINY = {"epochs": 1, "depth": 2, "width": 4}


def _page(**settings):
    return page_with(PAGE, "activations", {**settings})


def _charts(at) -> list[dict]:
    return [json.loads(c.proto.spec) for c in at.get("plotly_chart")]


def _trace_names(at) -> set[str]:
    return {t.get("name", "") for chart in _charts(at) for t in chart["data"]}


def test_loads_with_functions_formulas_softmax_and_neuron():
    at = _page()
    assert not at.exception
    names = _trace_names(at)
    assert {"sigmoid", "tanh", "ReLU"} <= names  # function view, default selection
    assert len(at.get("plotly_chart")) == 3  # functions, softmax, neuron surface
    assert any(r"\sigma(z)" in l.value for l in at.latex)
    assert any("Forward pass" in m.value for m in at.markdown)
    assert any("Press **Train all**" in i.value for i in at.info)


def test_leaky_relu_formula_shows_the_slider_slope():
    at = _page(fns=["leaky ReLU"], slope=0.05)
    assert not at.exception
    assert any(r"0.05\,z" in l.value for l in at.latex)


def test_kinks_on_the_plotted_range_say_their_slope_is_a_convention():
    from nnkit.experiments.activations.functions import derivative

    at = _page(fns=["ReLU", "hard sigmoid", "tanh"], zmin=-2.0, zmax=6.0)
    assert not at.exception
    notes = [c.value for c in at.caption if "convention (a subgradient)" in c.value]
    assert len(notes) == 2  # ReLU at 0 and hard sigmoid at 3; -3 is off the range, tanh has none
    assert f"returns {derivative('relu', np.array([0.0]))[0]:.4g}" in notes[0]
    assert any(r"z \le 0" in l.value for l in at.latex)  # ReLU'(0) = 0: z = 0 on the flat branch


def test_bad_range_and_no_activation_give_messages_not_tracebacks():
    at = _page(zmin=3.0, zmax=-3.0)
    assert not at.exception
    assert any("must be below" in e.value for e in at.error)
    at = _page(fns=[], compare=[])
    assert not at.exception
    assert any("at least one activation to plot" in i.value for i in at.info)
    assert any("at least one activation to train" in w.value for w in at.warning)
    assert at.button(key="activations.train").disabled


@pytest.mark.parametrize("logits, ok", [("1e308, 1e308, -1e308", True), ("1e400, 1", False),
                                        ("a, b", False), ("5", False)])
def test_softmax_with_huge_or_invalid_logits(logits, ok):
    at = _page(logits=logits, temp=0.05)
    assert not at.exception
    assert ok == (not any("Cannot read the logits" in e.value for e in at.error))


@pytest.mark.smoke
def test_comparison_trains_each_activation_and_draws_their_curves():
    at = _page(**TINY, compare=["sigmoid", "tanh", "ReLU"])
    at.button(key="activations.train").click().run()
    assert not at.exception
    records = at.session_state["activations.runs"][-3:]
    assert [r.label for r in records] == ["sigmoid", "tanh", "ReLU"]
    assert all(r.reason == FINISHED and len(r.history["loss"]) == 1 for r in records)
    names = _trace_names(at)
    assert {"sigmoid · train", "ReLU · train", "sigmoid · validation", "ReLU · validation"} <= names
    titles = {c["layout"].get("title", {}).get("text") for c in _charts(at)}
    assert {"Gradient reaching each layer (dotted: before training)", "sigmoid", "ReLU"} <= titles  # grads + two boundaries
    all_titles = [c["layout"].get("title", {}).get("text") for c in _charts(at)]
    assert all_titles.count("ReLU") == 1  # no live chart left behind next to the final one
    assert len(records[0].artifacts["probe"]["grad_norms"]) == 3  # 2 hidden + output
    assert records[0].artifacts["probe"]["first_epoch"] == 0  # measured before training too
    assert {"sigmoid · start", "ReLU · start"} <= names
    text = " ".join(m.value for m in at.markdown)
    assert "On moons with 2 hidden layers" in text and "**ReLU**" in text


def test_real_dataset_and_extreme_depth_run_without_boundaries():
    at = _page(dataset="breast cancer", compare=["sigmoid"], epochs=1, depth=10, width=2)
    at.button(key="activations.train").click().run()
    assert not at.exception
    record = at.session_state["activations.runs"][-1]
    assert record.reason == FINISHED and record.artifacts["surface"] is None
    assert len(record.artifacts["probe"]["grad_norms"]) == 11
    assert any("On breast cancer with 10 hidden layers" in m.value for m in at.markdown)


def test_a_ruined_comparison_is_not_green_and_reads_its_own_diagnosis():
    # Ten sigmoid layers two units wide cannot pass a gradient back: stuck at chance.
    at = _page(compare=["sigmoid"], epochs=2, depth=10, width=2)
    at.button(key="activations.train").click().run()
    assert not at.exception
    assert not at.success and any("learned nothing useful" in w.value for w in at.warning)
    text = " ".join(m.value for m in at.markdown)
    assert "verdict: stuck at chance" in text and "larger learning rate" not in text


def test_a_new_comparison_hides_older_variants():
    at = _page(**TINY, compare=["sigmoid", "tanh"])
    at.button(key="activations.train").click().run()
    at.session_state["activations.compare"] = ["ReLU"]  # a second, smaller comparison
    at.button(key="activations.train").click().run()
    assert not at.exception
    names = _trace_names(at)
    assert "ReLU · train" in names and "tanh · train" not in names


def test_every_activation_plots_and_the_neuron_accepts_each():
    from nnkit.experiments.activations.functions import ACTIVATIONS

    labels = [a.label for a in ACTIVATIONS.values()]
    at = _page(fns=labels, neuron="SELU", zmin=-1000.0, zmax=1000.0)
    assert not at.exception and not at.error
    assert set(labels) <= _trace_names(at)
    assert len(at.latex) == len(labels) + 1  # one formula each, plus softmax


def test_a_variant_cut_off_mid_comparison_keeps_its_curves():
    at = page_test(PAGE)
    # What train_live leaves behind when a click (Stop) abandons the second variant.
    at.session_state["activations._groups"] = 1  # train_variants' comparison counter
    at.session_state["activations.live"] = {"label": "tanh", "settings": {"_group": 1, "activation": "tanh",
                                                                 "dataset": "moons", "depth": 3, "epochs": 5,
                                                                 "seed": 0},
                                    "history": {"loss": [0.7, 0.6], "accuracy": [0.5, 0.6]}, "epochs": 2}
    at.session_state["activations.stop_requested"] = True
    at.run()
    assert not at.exception
    assert "tanh · train" in _trace_names(at)
    assert any("you pressed Stop" in i.value for i in at.info)
    assert any("run stopped by user after 2 epochs" in m.value for m in at.markdown)


def test_switching_dataset_after_a_run_keeps_each_boundary_on_its_own_points():
    at = _page(**TINY, compare=["tanh"], dataset="circles")
    at.button(key="activations.train").click().run()
    at.session_state["activations.dataset"] = "digits"  # 64 features: no plane to draw on
    at.run()
    assert not at.exception
    boundary = next(c for c in _charts(at) if c["layout"].get("title", {}).get("text") == "tanh")
    xs = _array([t for t in boundary["data"] if t.get("name") == "class 0"][0]["x"])
    circles = load_dataset("circles")
    np.testing.assert_array_equal(np.sort(xs), np.sort(circles.x[circles.y == 0, 0]))


def test_a_shared_link_sets_up_every_section_and_bad_parameters_get_a_notice():
    at = page_test(PAGE)
    at.query_params.update({"fns": "ReLU,ELU", "compare": "tanh, GELU", "slope": "0.05", "temp": "0.5",
                            "w1": "-2.5", "epochs": "5", "width": "abc", "neuron": "bogus", "bogus": "1",
                            "lock": "epochs,compare"})
    at.run()
    assert not at.exception
    assert at.multiselect(key="activations.fns").value == ["ReLU", "ELU"]
    compare = at.multiselect(key="activations.compare")
    assert compare.value == ["tanh", "GELU"] and compare.disabled
    epochs = at.slider(key="activations.epochs")
    assert epochs.value == 5 and epochs.disabled
    assert (at.slider(key="activations.slope").value, at.slider(key="activations.temp").value) == (0.05, 0.5)
    assert at.slider(key="activations.w1").value == -2.5
    assert at.selectbox(key="activations.neuron").value == "sigmoid"  # the bad value was dropped
    warnings = " ".join(w.value for w in at.warning)
    assert "width=abc" in warnings and "neuron=bogus" in warnings and "`bogus`" in warnings


def test_changed_settings_are_written_to_the_link_and_the_link_restores_them():
    at = page_test(PAGE).run()
    assert dict(at.query_params) == {}
    at.slider(key="activations.width").set_value(8).run()
    at.multiselect(key="activations.compare").set_value(["ReLU", "leaky ReLU"]).run()
    at.slider(key="activations.b").set_value(-1.0).run()
    link = dict(at.query_params)
    assert link == {"width": "8", "compare": "ReLU,leaky ReLU", "b": "-1.0"}
    shared = page_test(PAGE)
    shared.query_params.update(link)
    shared.run()
    assert not shared.exception and not shared.warning
    assert shared.multiselect(key="activations.compare").value == ["ReLU", "leaky ReLU"]
    assert (shared.slider(key="activations.width").value, shared.slider(key="activations.b").value) == (8, -1.0)


def test_workshop_mode_caps_the_costly_controls(monkeypatch):
    monkeypatch.setenv("NNKIT_WORKSHOP", "1")
    at = page_test(PAGE).run()
    assert not at.exception
    assert (at.slider(key="activations.epochs").max, at.slider(key="activations.depth").max) == (30, 6)
    assert any("Workshop mode" in c.value for c in at.caption)


def test_downloads_and_a_twin_run_that_changes_one_setting_for_the_comparison():
    at = _page(**TINY, compare=["tanh"])
    at.button(key="activations.train").click().run()
    assert [b.label for b in at.get("download_button")] == ["Notebook (.ipynb)", "Trained model (.keras)"]
    at.selectbox(key="activations.twin.name").set_value("depth").run()
    at.number_input(key="activations.twin.depth").set_value(3).run()
    at.button(key="activations.twin.go").click().run()
    assert not at.exception
    first, twin = at.session_state["activations.runs"]
    changed = {k for k in first.settings if first.settings[k] != twin.settings[k]}
    assert changed == {"depth", "_group"}  # _group: which comparison a run belongs to
    assert at.slider(key="activations.depth").value == 3
    assert len(twin.artifacts["probe"]["grad_norms"]) == 4  # 3 hidden + output


def _array(value) -> np.ndarray:
    # Plotly ≥ 6 ships arrays as base64 "bdata" in the figure JSON.
    if isinstance(value, dict):
        return np.frombuffer(base64.b64decode(value["bdata"]), dtype=value["dtype"])
    return np.asarray(value)


def test_a_prediction_is_judged_by_the_gradients_measured_before_training():
    from nnkit.experiments.activations import predict
    from nnkit.experiments.activations.probes import gradient_ratio

    at = _page(compare=["sigmoid", "ReLU"], epochs=1, depth=6, width=8)
    guess = predict.QUESTION.options[predict.ALL]  # ReLU keeps its gradient: wrong
    at.radio(key="activations.guess").set_value(guess).run()
    at.button(key="activations.train").click().run()
    assert not at.exception
    records = at.session_state["activations.runs"][-2:]
    assert records[-1].guess == guess and records[-1].guessed_right is False
    sigmoid = gradient_ratio(records[0].artifacts["probe"]["first_grad_norms"])
    verdict = [w.value for w in at.warning if "You predicted" in w.value]
    assert verdict and predict.QUESTION.options[predict.SOME] in verdict[0] and f"{sigmoid:,.0f}×" in verdict[0]
