"""First neuron: the page's settings become one network, for the page, the tests and the notebook alike."""

import numpy as np

from nnkit.core import models
from nnkit.experiments.first_neuron import model as first

SETTINGS = {"dataset": "moons", "noise": 0.2, "points": 200, "kind": "Small network", "layers": 2,
            "units": 8, "activation": "tanh", "lr": 0.03, "epochs": 3, "batch": 32, "seed": 5}


def test_settings_describe_the_network():
    assert first.model_config(SETTINGS) == models.MLPConfig((8, 8), "tanh", "adam", 0.03, 5)
    single = {**SETTINGS, "kind": first.SINGLE}
    assert first.model_config(single).hidden == ()
    assert first.run_label(SETTINGS) == "2×8 tanh, lr 0.03"
    assert first.run_label(single) == "neuron, lr 0.03"
    assert "2 inputs → 8 → 8 → 1 output (105 weights and biases)" in first.architecture(SETTINGS)
    config = first.train_config(SETTINGS)
    assert (config.epochs, config.batch_size, config.validation_split, config.seed) == (3, 32, 0.2, 5)


def test_same_settings_same_initial_weights_whatever_the_activation():
    a, b = first.build(SETTINGS), first.build({**SETTINGS, "activation": "relu"})
    for x, y in zip(a.get_weights(), b.get_weights()):
        np.testing.assert_array_equal(x, y)
    assert b.get_layer("hidden_1").activation.__name__ == "relu"
    other = first.build({**SETTINGS, "seed": 6})
    assert not np.array_equal(a.get_weights()[0], other.get_weights()[0])
    assert [layer.name for layer in a.layers] == ["hidden_1", "hidden_2", "output"]


def test_the_default_settings_are_the_2_8_8_1_tanh_network_the_readme_times():
    from nnkit.core import settings

    defaults = settings.defaults(first.SETTINGS)
    assert first.run_label(defaults) == "2×8 tanh, lr 0.03"
    assert (defaults["dataset"], defaults["points"], defaults["epochs"]) == ("moons", 600, 40)
