"""First neuron: the exported notebook reproduces the app's run; the .keras file reloads."""


import numpy as np
import pytest

import nnkit
from nnkit.core.saving import load_model_bytes, model_bytes
from nnkit.experiments.first_neuron.notebook import first_neuron_notebook
from nnkit.core import data, models
from nnkit.core.training import TrainConfig
from tests.helpers import run_notebook

SETTINGS = {"dataset": "spiral", "noise": 0.2, "points": 200, "kind": "Small network", "layers": 1,
            "units": 4, "activation": "tanh", "lr": 0.03, "epochs": 3, "batch": 32, "seed": 5}


def _app_run(s):
    dataset = data.TOY_2D[s["dataset"]](n_samples=s["points"], noise=s["noise"], seed=s["seed"])
    model = models.build_mlp(models.MLPConfig((s["units"],) * s["layers"], s["activation"], "adam",
                                              s["lr"], s["seed"]), 2, 2)
    return model, nnkit.train(model, dataset, TrainConfig(s["epochs"], s["batch"], 0.2, s["seed"]))


@pytest.mark.parametrize("dataset", ["spiral", "circles"])
def test_exported_notebook_runs_and_reproduces_the_run(dataset):
    s = {**SETTINGS, "dataset": dataset}
    _, result = _app_run(s)
    losses = run_notebook(first_neuron_notebook(s, result.message))
    assert len(losses) == s["epochs"]
    assert losses[-1] == pytest.approx(result.history["loss"][-1], rel=0.05)


def test_keras_file_reloads_and_predicts_the_same():
    model, _ = _app_run({**SETTINGS, "epochs": 1})
    again = load_model_bytes(model_bytes(model))
    x = np.random.default_rng(0).normal(size=(16, 2)).astype("float32")
    np.testing.assert_allclose(again.predict(x, verbose=0), model.predict(x, verbose=0), atol=1e-6)


def test_notebook_is_valid_nbformat():
    import nbformat

    nb = nbformat.reads(first_neuron_notebook(SETTINGS, "ok").decode(), as_version=4)
    nbformat.validate(nb)
    assert any("make_moons" not in c.source and "spiral_points" in c.source for c in nb.cells)
