"""Back-propagation page: the forward pass, every backward step, SGD steps and the deep chain, in AppTest."""

import json

import numpy as np
import pytest

from nnkit.core.training import FINISHED
from nnkit.experiments.backprop import chain
from nnkit.experiments.backprop import model as bp
from tests.helpers import page_test, page_with

PAGE, NS = "pages/backprop.py", "backprop"


def _page(**settings):
    return page_with(PAGE, NS, settings)


def _values(at) -> dict[str, float]:
    """The text alternative under the diagram: quantity → value by hand."""
    return {row["quantity"]: row["by hand"] for row in at.dataframe[0].value.to_dict("records")}


def _step_text(at) -> str:
    return next((m.value for m in at.markdown if m.value.startswith("**Step ")), "")


def test_loads_with_the_diagram_every_value_the_loss_formula_and_the_check():
    at = _page()
    assert not at.exception
    charts = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    assert len(charts) == 2  # the network, the deep chain (no step taken yet)
    values = _values(at)
    assert values["L"] == pytest.approx(0.594612, abs=1e-6) and len(values) == 9 + 7 + 6 + 9
    assert any(r"\ln" in l.value and "0.594612" in l.value for l in at.latex)
    assert any("largest difference" in s.value for s in at.success)
    assert any("Press **Next step**" in i.value for i in at.info)
    assert any("Press **Take an SGD step**" in i.value for i in at.info)
    assert at.button(key=f"{NS}.back").disabled


def test_stepping_through_every_step_shows_each_gradient_equal_to_keras():
    at = _page(act="tanh", loss="MSE")
    worked = bp.work({**bp.DEFAULT_PARAMS, "act": "tanh", "loss": "MSE", "batch": bp.ONE, "x1": 1.0, "x2": 0.5,
                      "y": 1.0, "seed": 0, "lr": 1.0})
    for index, (name, *_) in enumerate(worked.steps, start=1):
        at.button(key=f"{NS}.next").click().run()
        assert not at.exception
        text = _step_text(at)
        assert text.startswith(f"**Step {index} of 15.**") and f"∂L/∂{chain.pretty(name)}" in text
        assert "Keras autodiff" in text and "difference" in text
        network = json.loads(at.get("plotly_chart")[0].proto.spec)
        shown = " ".join(a["text"] for a in network["layout"]["annotations"])
        shown += " ".join(t for tr in network["data"] for t in (tr.get("text") or []))
        assert f"∂L/∂{chain.pretty(name)} = " in shown  # revealed on the diagram
    assert at.button(key=f"{NS}.next").disabled
    at.button(key=f"{NS}.reset").click().run()
    assert not _step_text(at)
    at.button(key=f"{NS}.all").click().run()
    assert _step_text(at).startswith("**Step 15 of 15.**")


def test_changing_a_weight_updates_every_downstream_number():
    at = _page()
    before = _values(at)
    at.slider(key=f"{NS}.w11").set_value(-1.5).run()
    assert not at.exception
    after = _values(at)
    downstream = ["z₁", "a₁", "z", "ŷ", "L", "∂L/∂ŷ", "∂L/∂z", "∂L/∂a₁", "∂L/∂a₂", "∂L/∂z₁", "∂L/∂z₂",
                  *(f"∂L/∂{chain.pretty(k)}" for k in chain.PARAMS)]
    for name in downstream:
        assert after[name] != before[name], name
    for name in ("z₂", "a₂", "weight w₁₂"):  # not downstream of w₁₁
        assert after[name] == before[name]
    assert any("0.594612" not in l.value and r"\ln" in l.value for l in at.latex)


def test_the_sgd_button_works_first_and_moves_the_sliders_to_keras_sgds_weights():
    at = _page()
    at.button(key=f"{NS}.train").click().run()
    assert not at.exception
    record = at.session_state[f"{NS}.runs"][-1]
    assert record.reason == FINISHED and len(record.history["loss"]) == 1
    after = record.artifacts["after"]
    for k in chain.PARAMS:
        assert at.slider(key=f"{NS}.{k}").value == pytest.approx(after[k])
        assert after[k] == pytest.approx(record.artifacts["by_hand"][k], abs=1e-6)
    assert _values(at)["L"] == pytest.approx(record.artifacts["loss_after"], abs=1e-6)  # the page moved on
    table = at.dataframe[1].value
    assert list(table["weight"]) == [chain.pretty(k) for k in chain.PARAMS]
    assert "new = old − η·gradient" in table.columns
    assert any("Took one SGD step" in w.value and "Still improving" in w.value for w in at.warning)
    assert [b.label for b in at.get("download_button")] == ["Notebook (.ipynb)", "Trained model (.keras)"]
    at.button(key=f"{NS}.train").click().run()  # again: the walk continues and the loss keeps falling
    walk = json.loads(at.get("plotly_chart")[1].proto.spec)["data"][0]["y"]
    assert len(walk) == 3 and walk[0] > walk[1] > walk[2]
    assert any("2 SGD steps" in m.value and "it fell" in m.value for m in at.markdown)


def test_a_large_rate_overshoots_and_the_outcome_says_lower_it():
    at = _page(y=0.8, lr=30.0)
    at.button(key=f"{NS}.train").click().run()
    assert not at.exception
    record = at.session_state[f"{NS}.runs"][-1]
    assert record.artifacts["loss_after"] > record.artifacts["loss_before"]
    warning = " ".join(w.value for w in at.warning)
    assert "overshoot" in warning and "Lower the learning rate" in warning and "do not raise" in warning
    assert "so the sliders hold them at the edge" in warning  # v₁, v₂ and c jumped past 4
    assert at.slider(key=f"{NS}.v1").value == bp.WEIGHT_RANGE
    assert any("it rose, so the steps overshoot" in m.value for m in at.markdown)


def test_mini_batch_shows_four_rows_and_sums_the_gradient_over_them():
    at = _page(batch=bp.BATCH, loss="MSE")
    assert not at.exception
    values = _values(at)
    assert {"z₁ (row 1)", "z₁ (row 4)", "L (mean)"} <= set(values)
    at.radio(key=f"{NS}.row").set_value(3).run()
    for _ in range(3):
        at.button(key=f"{NS}.next").click().run()
    assert "(row 3)" in _step_text(at) and "summed over the 4 rows" in _step_text(at)


def test_random_weights_from_the_seed_fill_the_sliders():
    at = _page(seed=11)
    at.button(key=f"{NS}.random").click().run()
    assert not at.exception
    assert {k: at.slider(key=f"{NS}.{k}").value for k in chain.PARAMS} == bp.random_params(11)


def test_a_shared_link_sets_weights_and_locks_them():
    at = page_test(PAGE)
    at.query_params.update({"w11": "-2.5", "act": "relu", "lr": "0.3", "v1": "9", "lock": "w11,act"})
    at.run()
    assert not at.exception
    assert at.slider(key=f"{NS}.w11").value == -2.5 and at.slider(key=f"{NS}.w11").disabled
    assert at.selectbox(key=f"{NS}.act").value == "relu" and at.selectbox(key=f"{NS}.act").disabled
    assert at.slider(key=f"{NS}.v1").value == bp.DEFAULT_PARAMS["v1"]  # out of range: dropped
    assert any("v1=9" in w.value for w in at.warning)
    assert at.button(key=f"{NS}.random").disabled


def test_changed_settings_go_into_the_link():
    at = _page()
    at.slider(key=f"{NS}.b2").set_value(0.25).run()
    assert dict(at.query_params) == {"b2": "0.25"}


def test_a_twin_run_repeats_the_step_from_the_same_weights_with_one_change():
    at = _page()
    at.button(key=f"{NS}.train").click().run()
    at.selectbox(key=f"{NS}.twin.name").set_value("lr").run()
    at.selectbox(key=f"{NS}.twin.lr").set_value(30.0).run()
    at.button(key=f"{NS}.twin.go").click().run()
    assert not at.exception
    first, twin = at.session_state[f"{NS}.runs"]
    assert {k for k in first.settings if first.settings[k] != twin.settings[k]} == {"lr"}
    assert twin.artifacts["before"] == first.artifacts["before"]


def test_the_deep_chain_follows_its_slider():
    at = _page(deep_w=2.0)
    deep_chart = json.loads(at.get("plotly_chart")[-1].proto.spec)
    relu = next(t for t in deep_chart["data"] if t["name"] == "relu")
    np.testing.assert_allclose(relu["y"], [2.0 ** (5 - l) for l in range(6)])
    assert any("0.25" in m.value and "layer 1" in m.value for m in at.markdown)


def test_a_prediction_is_judged_by_the_loss_before_and_after_the_step():
    from nnkit.experiments.backprop import predict

    at = _page(y=0.8, lr=30.0)
    guess = predict.QUESTION.options[predict.DOWN]  # η = 30 overshoots: wrong
    at.radio(key=f"{NS}.guess").set_value(guess).run()
    at.button(key=f"{NS}.train").click().run()
    assert not at.exception
    record = at.session_state[f"{NS}.runs"][-1]
    assert record.guess == guess and record.guessed_right is False
    verdict = [w.value for w in at.warning if "You predicted" in w.value]
    assert verdict and f"{record.artifacts['loss_after']:.6g}" in verdict[0] and "“Up”" in verdict[0]
