"""nnkit.experiments.activations.probes: gradient norms and stuck units, checked against Keras's own trainer."""

import math

import numpy as np
import pytest

from nnkit.core.diagnosis import classification_baseline
from nnkit.experiments.activations import model as act
from nnkit.experiments.activations import probes

def _data():
    return act.load_dataset("moons")


def test_probe_gradients_equal_one_keras_sgd_step():
    # With plain SGD on one full batch, ΔW = −lr · ∂L/∂W: Keras's own trainer
    # gives an independent measurement of the gradient the probe reports.
    data = _data()
    lr = 0.5
    model = act.build_network("sigmoid", 2, 2, 4, 8, optimizer="sgd", learning_rate=lr)
    probe = probes.LayerProbe(model, data.x, data.y, "sigmoid")
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
    probe = probes.LayerProbe(model, data.x, data.y, "relu")
    probe.measure(1)
    assert probe.stuck[-1][1] == 0.5
    probe.measure(1)  # same epoch again replaces, not appends
    assert probe.epochs == [1] and probe.latest()["stuck"][1] == 0.5


def test_majority_share_and_gradient_ratio():
    # The chance bar to beat: always guessing the most common class.
    assert classification_baseline(np.array([0, 1, 1, 1])).accuracy == 0.75
    assert probes.gradient_ratio([1e-4, 1e-2, 1e-1, 0.5]) == pytest.approx(1000)
    assert probes.gradient_ratio([0.3, 0.5]) is None  # one hidden layer: nothing to compare
    assert probes.gradient_ratio([0.0, 0.2, 0.5]) == math.inf
    assert probes.gradient_ratio([0.0, 0.0, 0.5]) is None


def test_a_probed_network_is_one_variant_build_measure_keep():
    from nnkit.core import data as datasets

    moons = datasets.moons(n_samples=100, seed=0)
    settings = {"dataset": "moons", "depth": 2, "width": 4, "optimizer": "sgd", "lr": 0.1, "epochs": 1,
                "batch": 32, "seed": 3, "slope": 0.2, "compare": ["ReLU"], "zmin": -6.0}
    variant = probes.ProbedNetwork("relu", settings, moons)
    assert variant.settings["activation"] == "relu" and "compare" not in variant.settings  # run settings only
    assert (variant.label, variant.config.epochs, variant.config.validation_split) == ("ReLU", 1, 0.2)
    model = variant.build()
    assert variant.probe.epochs == [0]  # measured before training
    kept = variant.keep(model)
    assert kept["probe"]["first_epoch"] == 0 and len(kept["probe"]["grad_norms"]) == 3
    grid_x, grid_y, probability, x, y = kept["surface"]
    assert probability.shape == (len(grid_y), len(grid_x)) == (50, 50) and (x == moons.x).all()
    table = datasets.digits(seed=0)
    wide = probes.ProbedNetwork("tanh", {**settings, "dataset": "digits"}, table)
    assert wide.keep(wide.build())["surface"] is None  # 64 features: no plane to draw on
