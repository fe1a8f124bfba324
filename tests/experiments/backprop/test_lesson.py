"""The words: formulas filled in with the page's numbers, the table of every value, what it means."""

import pytest

from nnkit.experiments.backprop import chain, deep, lesson
from nnkit.experiments.backprop import model as bp

SET_UP = {"act": "sigmoid", "loss": "log loss", "batch": bp.ONE, "x1": 1.0, "x2": 0.5, "y": 1.0, "seed": 0,
          "lr": 1.0, **bp.DEFAULT_PARAMS}


@pytest.fixture(scope="module")
def worked():
    return bp.work(SET_UP)


@pytest.fixture(scope="module")
def batch():
    return bp.work({**SET_UP, "batch": bp.BATCH, "loss": "MSE"})


def test_loss_formula_is_filled_in_with_the_numbers(worked, batch):
    text = lesson.loss_latex("log loss", worked.forward)
    assert rf"\ln {worked.forward['ŷ'][0]:.4g}" in text and f"= {worked.forward['L']:.6g}" in text
    mse = lesson.loss_latex("MSE", batch.forward)
    assert r"\tfrac{1}{4}" in mse and f"{batch.forward['L_i'][3]:.4g}" in mse and f"{batch.forward['L']:.6g}" in mse


def test_the_table_holds_every_value_by_hand_and_by_keras(worked, batch):
    rows = lesson.value_rows(worked)
    names = [r["quantity"] for r in rows]
    assert {f"∂L/∂{chain.pretty(k)}" for k in chain.PARAMS} <= set(names)
    assert {"z₁", "a₁", "z₂", "a₂", "z", "ŷ", "L", "∂L/∂ŷ", "∂L/∂z₁"} <= set(names)
    assert max(r["difference"] for r in rows) < 1e-6
    batch_names = [r["quantity"] for r in lesson.value_rows(batch)]
    assert "z₁ (row 4)" in batch_names and "L (mean)" in batch_names and len(batch_names) > len(names)


def test_step_text_shows_upstream_times_local_and_the_keras_value(worked, batch):
    first = lesson.step_text(worked, 0)
    assert f"{worked.grads['ŷ'][0]:.6g}" in first and "Keras autodiff" in first
    w11 = lesson.step_text(worked, 7)
    assert "∂L/∂w₁₁ = ∂L/∂z₁ × ∂z₁/∂w₁₁ = x₁" in w11
    assert "The whole chain: ∂L/∂ŷ × ŷ(1−ŷ) × v₁ × f'(z₁) × x₁" in w11 and f"{worked.grads['w11']:.6g}" in w11
    summed = lesson.step_text(batch, 2, row=1)
    assert "(row 2)" in summed and f"summed over the 4 rows: **{batch.grads['v1']:.6g}**" in summed


def test_agreement_states_the_largest_difference(worked):
    text = lesson.agreement(worked)
    assert f"{max(worked.forward_difference, worked.gradient_difference):.1e}" in text


def test_what_it_means_is_computed_from_the_numbers(worked):
    chains = {name: deep.chain_by_hand(name, 1.0) for name in deep.COMPARED}
    text = lesson.what_it_means(worked, [0.59, 0.30], chains, 1.0)
    assert f"∂L/∂z = {worked.grads['z'][0]:.4g}" in text
    biggest = max(chain.PARAMS, key=lambda k: abs(worked.grads[k]))
    assert f"∂L/∂{chain.pretty(biggest)} = {worked.grads[biggest]:.3g}" in text
    assert "from 0.59 to 0.3: it fell" in text
    ratio = chains["sigmoid"]["gradient"][0] / chains["sigmoid"]["gradient"][-1]
    assert f"{ratio:.2g}× the one at layer 6 for sigmoid" in text
    assert "it rose, so the steps overshoot" in lesson.what_it_means(worked, [0.6, 2.7], {}, 30.0)
    assert "SGD step" not in lesson.what_it_means(worked, [], {}, None)


def test_step_message_and_deep_summary():
    same = dict.fromkeys(chain.PARAMS, 0.5)
    kept = {"loss_before": 0.5, "loss_after": 0.25, "after": same, "next": same}
    message = lesson.step_message({"steps": 2, "lr": 0.3}, kept)
    assert message == "Took 2 SGD steps at learning rate η = 0.3: the loss went from 0.5 to 0.25."
    held = lesson.step_message({"steps": 1, "lr": 30.0}, {**kept, "after": {**same, "v1": 5.2, "c": -7.0},
                                                        "next": {**same, "v1": 4.0, "c": -4.0}})
    assert held.endswith("v₁, c left the sliders' range (±4), so the sliders hold them at the edge.")
    with bp.precision():
        summary = lesson.deep_summary(deep.compare(1.0))
    assert "sigmoid: 0.225 at layer 6, 0.000109 at layer 1" in summary and "largest difference" in summary
