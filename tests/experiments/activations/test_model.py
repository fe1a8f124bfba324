"""nnkit.experiments.activations.model: values, autodiff slopes and the experiment's probes, checked independently.

References are (1) `keras.activations` called directly, (2) the NumPy version
of the formula the page shows, evaluated in float64, and (3) finite
differences. Keras computes in float32 (eps 1.2e-7) through up to a dozen ops,
hence the 1e-6-ish tolerances.
"""

import json
import math
import os
import subprocess
import sys

import numpy as np
import pytest

import nnkit
from nnkit import notebook as export
from nnkit.core import settings
from nnkit.core.runs import RunRecord
from nnkit.core.training import DIVERGED, FINISHED
from nnkit.experiments.activations import model as act

# Offset so no grid point sits exactly on a kink (0 for ReLU, ±3 for hard sigmoid).
GRID = np.linspace(-6, 6, 241).astype("float32") + np.float32(0.013)
SLOPE = 0.1  # a non-default leaky slope, so the slider value is what is tested
KERAS_DIRECT = {
    "sigmoid": lambda k, z: k.activations.sigmoid(z), "tanh": lambda k, z: k.activations.tanh(z),
    "arctan": lambda k, z: k.ops.arctan(z), "relu": lambda k, z: k.activations.relu(z),
    "leaky_relu": lambda k, z: k.activations.leaky_relu(z, negative_slope=SLOPE),
    "elu": lambda k, z: k.activations.elu(z), "selu": lambda k, z: k.activations.selu(z),
    "gelu": lambda k, z: k.activations.gelu(z), "silu": lambda k, z: k.activations.swish(z),
    "mish": lambda k, z: k.activations.mish(z), "softplus": lambda k, z: k.activations.softplus(z),
    "softsign": lambda k, z: k.activations.softsign(z),
    "hard_sigmoid": lambda k, z: k.activations.hard_sigmoid(z),
    "linear": lambda k, z: k.activations.linear(z)}


def test_every_issue_activation_is_registered():
    assert set(act.ACTIVATIONS) == set(KERAS_DIRECT)


@pytest.mark.parametrize("key", list(KERAS_DIRECT))
def test_values_match_keras_and_the_formula_shown(key):
    import keras

    ours = act.values(key, GRID, SLOPE)
    direct = keras.ops.convert_to_numpy(KERAS_DIRECT[key](keras, keras.ops.convert_to_tensor(GRID)))
    np.testing.assert_allclose(ours, direct, rtol=1e-6, atol=1e-6)
    formula = act.ACTIVATIONS[key].reference(GRID.astype("float64"), SLOPE)
    np.testing.assert_allclose(ours, formula, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("key", list(KERAS_DIRECT))
def test_autodiff_slope_matches_finite_differences(key):
    z, h = GRID.astype("float64"), 1e-5
    ref = act.ACTIVATIONS[key].reference
    central = (ref(z + h, SLOPE) - ref(z - h, SLOPE)) / (2 * h)
    slope = act.derivative(key, GRID, SLOPE)
    np.testing.assert_allclose(slope, central, rtol=5e-6, atol=1e-6)
    # And against the Keras function itself (float32, so a coarser step).
    hk = np.float32(1e-2)
    coarse = (act.values(key, GRID + hk, SLOPE) - act.values(key, GRID - hk, SLOPE)) / (2 * hk)
    np.testing.assert_allclose(slope, coarse, atol=2e-3)


def test_formulas_shown_carry_keras_constants_and_the_slope_placeholder():
    import keras

    # SELU(1) = λ and SELU(-inf) → -λα: read the constants back from Keras.
    assert float(keras.activations.selu(np.float32(1.0))) == pytest.approx(act.SELU_SCALE, abs=1e-6)
    assert float(keras.activations.selu(np.float32(-50.0))) == pytest.approx(
        -act.SELU_SCALE * act.SELU_ALPHA, abs=1e-5)
    assert f"{act.SELU_SCALE}" in act.ACTIVATIONS["selu"].latex
    assert r"a\,z" in act.ACTIVATIONS["leaky_relu"].latex  # the page substitutes the slider value


def test_leaky_relu_slope_slider_is_the_left_gradient():
    assert act.derivative("leaky_relu", np.array([-2.0, 3.0]), 0.37) == pytest.approx([0.37, 1.0])


def test_saturated_region_of_sigmoid_starts_where_the_slope_hits_0_01():
    # σ'(z) = σ(1 − σ) = 0.01  ⇔  σ = (1 + √0.96) / 2  ⇔  z = logit(σ) ≈ 4.595.
    s = (1 + math.sqrt(0.96)) / 2
    edge = math.log(s / (1 - s))
    z = act.z_grid(-10, 10, 2001)
    (lo_a, hi_a), (lo_b, hi_b) = act.saturated_intervals(z, act.derivative("sigmoid", z))
    assert lo_a == -10 and hi_b == 10
    assert hi_a == pytest.approx(-edge, abs=0.011) and lo_b == pytest.approx(edge, abs=0.011)


def test_saturated_region_of_relu_is_the_negative_half_and_linear_has_none():
    z = act.z_grid(-3, 3, 61)
    [(lo, hi)] = act.saturated_intervals(z, act.derivative("relu", z))
    assert lo == -3 and hi <= 0 and hi > -0.11
    assert act.saturated_intervals(z, act.derivative("linear", z)) == []


@pytest.mark.parametrize("lo, hi", [(1, 1), (2, -2), (float("nan"), 1), (-1e6, 1e6)])
def test_bad_ranges_raise_readable_errors(lo, hi):
    with pytest.raises(ValueError):
        act.z_grid(lo, hi)


def test_softmax_with_temperature_matches_keras_and_the_formula():
    import keras

    logits, t = np.array([2.0, 1.0, 0.1, -1.0]), 0.7
    ours = act.softmax_with_temperature(logits, t)
    direct = keras.ops.convert_to_numpy(keras.activations.softmax(
        keras.ops.convert_to_tensor((logits / t)[None].astype("float32"))))[0]
    formula = np.exp(logits / t) / np.exp(logits / t).sum()
    np.testing.assert_allclose(ours, direct, atol=1e-6)
    np.testing.assert_allclose(ours, formula, atol=1e-6)


def test_softmax_survives_huge_logits_and_temperature_extremes():
    p = act.softmax_with_temperature([1e308, 1e308, -1e308], 0.05)
    assert np.all(np.isfinite(p)) and p == pytest.approx([0.5, 0.5, 0.0])
    assert act.softmax_with_temperature([3.0, 1.0], 0.05) == pytest.approx([1.0, 0.0], abs=1e-6)
    assert act.softmax_with_temperature([3.0, 1.0, 0.0], 1e6) == pytest.approx([1 / 3] * 3, abs=1e-5)
    with pytest.raises(ValueError):
        act.softmax_with_temperature([1.0, 2.0], 0.0)


@pytest.mark.parametrize("text", ["", "1", "1, x", "1, inf", "1e400, 2", ", ".join(["1"] * 21)])
def test_parse_logits_rejects_bad_input(text):
    with pytest.raises(ValueError):
        act.parse_logits(text)


def test_parse_logits_reads_commas_and_spaces():
    assert act.parse_logits("2, 1  0.5;-1") == [2.0, 1.0, 0.5, -1.0]


def test_neuron_output_is_f_of_w_dot_x_plus_b():
    z, f = act.neuron_output(0.5, -2.0, 1.5, 0.25, -0.1, "tanh")
    assert float(z) == pytest.approx(1.5 * 0.5 + 0.25 * -2.0 - 0.1)
    assert float(f) == pytest.approx(math.tanh(0.15), abs=1e-6)
    gx, gy, out = act.neuron_surface(1.0, 0.0, 0.0, "relu", resolution=5)
    assert out.shape == (5, 5) and np.allclose(out, np.maximum(gx, 0)[None, :].repeat(5, 0))
    assert "= **0.150**" in act.neuron_readout(0.5, -2.0, 1.5, 0.25, -0.1, "tanh")


def _data():
    return act.load_dataset("moons")


def test_same_seed_gives_identical_initial_weights_across_activations():
    data = _data()
    weights = [act.build_network(key, 2, 2, 3, 8, seed=7).get_weights() for key in ("sigmoid", "relu", "gelu")]
    for other in weights[1:]:
        for a, b in zip(weights[0], other):
            np.testing.assert_array_equal(a, b)
    different = act.build_network("sigmoid", 2, 2, 3, 8, seed=8).get_weights()
    assert not np.array_equal(weights[0][0], different[0])
    assert data.n_features == 2


@pytest.mark.parametrize("depth, width", [(0, 8), (13, 8), (3, 0), (3, 1000)])
def test_absurd_architectures_are_refused(depth, width):
    with pytest.raises(ValueError):
        act.build_network("relu", 2, 2, depth, width)


def test_probe_gradients_equal_one_keras_sgd_step():
    # With plain SGD on one full batch, ΔW = −lr · ∂L/∂W: Keras's own trainer
    # gives an independent measurement of the gradient the probe reports.
    data = _data()
    lr = 0.5
    model = act.build_network("sigmoid", 2, 2, 4, 8, optimizer="sgd", learning_rate=lr)
    probe = act.LayerProbe(model, data.x, data.y, "sigmoid")
    probe.measure(0)
    before = [layer.kernel.numpy().copy() for layer in probe.dense]
    model.train_on_batch(probe.x, probe.y)
    steps = [np.linalg.norm(layer.kernel.numpy() - b) / lr for layer, b in zip(probe.dense, before)]
    np.testing.assert_allclose(probe.grad_norms[0], steps, rtol=2e-3)
    assert probe.layer_names == ["hidden_1", "hidden_2", "hidden_3", "hidden_4", "output"]


def test_probe_counts_a_relu_unit_dead_when_its_bias_forces_z_below_zero():
    data = _data()
    model = act.build_network("relu", 2, 2, 2, 4)
    layer = model.get_layer("hidden_2")
    bias = layer.bias.numpy()
    bias[[1, 3]] = -100.0  # no input can lift z above zero: dead units
    layer.bias.assign(bias)
    probe = act.LayerProbe(model, data.x, data.y, "relu")
    probe.measure(1)
    assert probe.stuck[-1][1] == 0.5
    probe.measure(1)  # same epoch again replaces, not appends
    assert probe.epochs == [1] and probe.latest()["stuck"][1] == 0.5


def test_majority_share_and_gradient_ratio():
    assert act.majority_share(np.array([0, 1, 1, 1])) == 0.75
    assert act.gradient_ratio([1e-4, 1e-2, 1e-1, 0.5]) == pytest.approx(1000)
    assert act.gradient_ratio([0.3, 0.5]) is None  # one hidden layer: nothing to compare
    assert act.gradient_ratio([0.0, 0.2, 0.5]) == math.inf
    assert act.gradient_ratio([0.0, 0.0, 0.5]) is None


def _record(label, key, acc, norms, stuck, reason=FINISHED, message="Finished 5 epochs."):
    return RunRecord(label, {"activation": key, "epochs": 5}, {"loss": [0.7], "val_accuracy": [acc]},
                     reason, message, 5, artifacts={"probe": {"epoch": 5, "grad_norms": norms,
                                                              "stuck": stuck, "layers": []}})


def test_what_happened_reads_this_runs_numbers():
    runs = [_record("sigmoid", "sigmoid", 0.48, [2e-5, 3e-3, 4e-2, 0.3], [0.0, 0.0, 0.25]),
            _record("ReLU", "relu", 0.96, [0.05, 0.06, 0.04, 0.02], [0.0, 0.5, 0.25])]
    text = act.what_happened(runs, "moons", 3, 0.5)
    assert "**ReLU** 96%, **sigmoid** 48%" in text
    assert "2,000× smaller" in text and "stayed near chance" in text
    assert "25% of its hidden units were dead" in text and "hidden_2 (50%)" in text
    assert "factor 1.2" in text


def test_what_happened_reports_divergence_and_empty_comparisons():
    boom = _record("ReLU", "relu", float("nan"), [], [], DIVERGED, "The loss became NaN in epoch 3.")
    assert "NaN in epoch 3" in act.what_happened([boom], "xor", 6, 0.5)
    assert "Run the comparison" in act.what_happened([], "xor", 6, 0.5)


def test_what_happened_compares_the_untrained_network_with_the_trained_one():
    run = _record("sigmoid", "sigmoid", 0.9, [1e-3, 2e-3, 6.1e-2, 0.3], [0.0, 0.0, 0.0])
    run.artifacts["probe"].update(first_epoch=0, first_grad_norms=[3e-5, 1e-3, 0.12, 0.4])
    text = act.what_happened([run], "moons", 3, 0.5)
    assert "at initialisation its first hidden layer got gradients 4,000× smaller" in text
    assert "after epoch 5 the first layer's gradient was 61× smaller than the last" in text
    assert "at most 0.25" in text  # sigmoid's steepest slope, σ'(0) = 1/4
    assert "near chance" not in text  # 90% is well above chance


def test_what_happened_says_when_no_gradient_reaches_the_first_layer():
    run = _record("ReLU", "relu", 0.5, [0.0, 0.0, 0.0, 0.1], [1.0, 1.0, 1.0])
    run.artifacts["probe"].update(first_epoch=0, first_grad_norms=[0.05, 0.06, 0.04, 0.02])
    text = act.what_happened([run], "moons", 3, 0.5)
    assert "by epoch 5 no gradient reached the first hidden layer at all" in text
    assert "100% of its hidden units were dead" in text and "inf" not in text


def test_what_happened_handles_growing_and_vanished_last_layer_gradients():
    grow = _record("SELU", "selu", 0.9, [0.5, 0.1, 0.01, 0.1], [0.0, 0.0, 0.0])
    assert "50× *larger* gradients" in act.what_happened([grow], "xor", 3, 0.5)
    dead_end = _record("ReLU", "relu", 0.5, [0.5, 0.1, 0.0, 0.1], [0.0, 0.0, 1.0])
    assert "infinitely *larger*" in act.what_happened([dead_end], "xor", 3, 0.5)


def test_what_happened_explains_why_leaky_relu_units_do_not_die():
    run = _record("leaky ReLU", "leaky_relu", 0.9, [0.05, 0.06, 0.04, 0.02], [0.0, 0.0, 0.0])
    run.settings["slope"] = 0.05
    assert "leaky ReLU still has slope 0.05" in act.what_happened([run], "moons", 3, 0.5)


def test_saturation_summary_names_each_interval():
    text = act.saturation_summary({"sigmoid": [(-6.0, -4.6), (4.6, 6.0)], "linear": []})
    assert "sigmoid saturates (|f'(z)| < 0.01) on z ∈ [-6, -4.6] and [4.6, 6]" in text
    assert "linear never saturates" in text


LABELS = tuple(a.label for a in act.ACTIVATIONS.values())


def test_a_list_of_activations_survives_the_link_both_ways():
    schema = [settings.SettingList("compare", ["sigmoid"], choices=LABELS, most=2)]
    link = settings.encode({"compare": ["ReLU", "swish / SiLU"]}, schema)
    assert link == {"compare": "ReLU,swish / SiLU"}
    assert settings.decode(link, schema) == ({"compare": ["ReLU", "swish / SiLU"]}, [])
    assert schema[0].parse(" tanh, leaky ReLU ,tanh") == ["tanh", "leaky ReLU"]
    assert schema[0].parse("") == []
    _, notices = settings.decode({"compare": "tanh,relu"}, schema)
    assert "“relu”" in notices[0]  # labels, not keys
    _, notices = settings.decode({"compare": "tanh,ReLU,ELU"}, schema)
    assert "at most 2" in notices[0]


@pytest.mark.parametrize("name", ["moons", "circles", "xor", "spiral", "digits", "breast cancer"])
def test_notebook_data_code_gives_the_apps_examples(name):
    scope = {"np": np}  # the notebook imports NumPy in its first cell
    exec(act._data_code(name, 3), scope)
    data = act.load_dataset(name, 3)
    np.testing.assert_allclose(np.asarray(scope["x"], "float32"), data.x)
    np.testing.assert_array_equal(scope["y"], data.y)


NOTEBOOK_RUN = {"dataset": "xor", "depth": 2, "width": 4, "optimizer": "sgd", "lr": 0.3, "epochs": 2,
                "batch": 64, "seed": 4, "slope": 0.1}


@pytest.mark.parametrize("changes, keys", [({}, ["tanh", "leaky_relu", "arctan"]),
                                           ({"dataset": "digits", "optimizer": "adam", "lr": 0.01}, ["relu"])])
def test_exported_notebook_reproduces_each_activations_run(changes, keys):
    from nnkit.core.training import TrainConfig

    s = {**NOTEBOOK_RUN, **changes}
    data = act.load_dataset(s["dataset"], s["seed"])
    losses = {}
    for key in keys:
        model = act.build_network(key, data.n_features, max(2, len(data.class_names)), s["depth"], s["width"],
                                  s["optimizer"], s["lr"], s["seed"], s["slope"])
        losses[key] = nnkit.train(model, data, TrainConfig(s["epochs"], s["batch"], 0.2, s["seed"])).history["loss"]
    code = export.code_cells(act.activations_notebook(s, keys, "ok"))
    code += "\nimport json; print(json.dumps({k: h['loss'] for k, h in histories.items()}))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=600,
                         env={**os.environ})
    assert out.returncode == 0, out.stderr[-3000:]
    exported = json.loads(out.stdout.strip().splitlines()[-1])
    assert list(exported) == keys
    for key in keys:
        assert len(exported[key]) == s["epochs"]
        assert exported[key][-1] == pytest.approx(losses[key][-1], rel=0.05)


def test_notebook_is_valid_nbformat_and_names_the_settings():
    import nbformat

    nb = nbformat.reads(act.activations_notebook(NOTEBOOK_RUN, ["sigmoid", "relu"]).decode(), as_version=4)
    nbformat.validate(nb)
    code = export.code_cells(act.activations_notebook(NOTEBOOK_RUN, ["sigmoid", "relu"]))
    assert "xor_points" in code and "nnkit" not in code and "range(2)" in code
