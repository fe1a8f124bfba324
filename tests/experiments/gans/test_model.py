"""The default run on the ring really covers the modes, and a high learning rate collapses them."""

import numpy as np

import nnkit
from nnkit.experiments.gans import model as gans
from nnkit.experiments.gans.watch import GANWatch

DEFAULTS = {s.name: s.default for s in gans.SETTINGS}


def _train(s):
    gan, watch = gans.build(s), GANWatch(gans.real_points(s), s["target"], s["noise_dim"], s["seed"])
    result = nnkit.train(gan, gans.training_data(s), gans.train_config(s), callbacks=[watch])
    return result, watch.picture()


def test_default_ring_run_covers_at_least_6_of_8_modes():
    result, picture = _train(DEFAULTS)
    assert DEFAULTS["target"] == "ring" and len(result.history["modes"]) == DEFAULTS["epochs"]
    assert picture["covered"] >= 6 and result.history["modes"][-1] == picture["covered"]
    assert picture["surface"].shape == (41, 41) and picture["arrows"].shape == (60, 2)
    assert np.isfinite(picture["arrows"]).all()


def test_specs_describe_the_networks_the_page_builds():
    gan = gans.build(DEFAULTS)
    assert gan.generator.input_shape == (None, DEFAULTS["noise_dim"]) and gan.generator.output_shape == (None, 2)
    assert gan.discriminator.output_shape == (None, 1)
    assert len(gan.generator.layers) == DEFAULTS["g_depth"] + 1
