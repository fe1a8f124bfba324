"""nnkit.experiments.activations.model: softmax with temperature, one neuron, and the compared networks."""

import math

import numpy as np
import pytest

from nnkit.core import settings
from nnkit.experiments.activations import functions as fn
from nnkit.experiments.activations import lesson
from nnkit.experiments.activations import model as act

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
    assert "= **0.150**" in lesson.neuron_readout(0.5, -2.0, 1.5, 0.25, -0.1, "tanh")


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


LABELS = tuple(a.label for a in fn.ACTIVATIONS.values())


def test_a_list_of_activations_survives_the_link_both_ways():
    schema = [settings.SettingList("compare", ["sigmoid"], choices=LABELS, most=2)]
    link = settings.encode({"compare": ["ReLU", "swish / SiLU"]}, schema)
    assert link == {"compare": "ReLU,swish / SiLU"}
    assert settings.decode(link, schema) == ({"compare": ["ReLU", "swish / SiLU"]}, [])
    assert schema[0].parse(" tanh, leaky ReLU ,tanh") == ["tanh", "leaky ReLU"]
    assert schema[0].parse("") == []
    _, notices = settings.decode({"compare": "tanh,relu"}, schema)
    assert "`relu`" in notices[0]  # labels, not keys (quoted as plain text)
    _, notices = settings.decode({"compare": "tanh,ReLU,ELU"}, schema)
    assert "at most 2" in notices[0]


@pytest.mark.parametrize("key", ["leaky_relu", "arctan", "selu"])
def test_every_network_saves_and_reloads_as_keras_and_predicts_the_same(key):
    from nnkit.core.saving import load_model_bytes, model_bytes

    model = act.build_network(key, 2, 2, 2, 4, slope=0.05)
    again = load_model_bytes(model_bytes(model))  # safe_mode on: no lambda inside
    x = np.random.default_rng(0).normal(size=(8, 2)).astype("float32")
    np.testing.assert_allclose(again.predict(x, verbose=0), model.predict(x, verbose=0), atol=1e-6)
    if key == "leaky_relu":
        assert again.get_layer("leaky_relu_1").negative_slope == pytest.approx(0.05)


def test_leaky_relu_network_uses_the_slider_slope_through_keras_own_layer():
    model = act.build_network("leaky_relu", 2, 2, 1, 3, slope=0.05)
    hidden = model.get_layer("hidden_1")
    x = np.array([[1.0, -2.0]], "float32")
    z = x @ hidden.kernel.numpy() + hidden.bias.numpy()
    out = model.get_layer("leaky_relu_1")(z)
    np.testing.assert_allclose(np.asarray(out), np.where(z > 0, z, 0.05 * z), rtol=1e-6)
    assert [layer.name for layer in model.layers] == ["hidden_1", "leaky_relu_1", "output"]
