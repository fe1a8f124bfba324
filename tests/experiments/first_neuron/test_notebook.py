"""First neuron: the exported notebook reproduces the app's run in an empty folder; the .keras
file reloads, in this process and in a fresh one, and predicts the same."""

import json
import os
import subprocess
import sys

import numpy as np
import pytest

import nnkit
from nnkit.core import data
from nnkit.core.saving import load_model_bytes, model_bytes
from nnkit.experiments.first_neuron import model as first
from nnkit.experiments.first_neuron.notebook import first_neuron_notebook
from tests.helpers import run_notebook

SETTINGS = {"dataset": "spiral", "noise": 0.2, "points": 200, "kind": "Small network", "layers": 1,
            "units": 4, "activation": "tanh", "lr": 0.03, "epochs": 3, "batch": 32, "seed": 5}


def _app_run(s):
    """What the page trains: its own builder and fit settings."""
    dataset = data.TOY_2D[s["dataset"]](n_samples=s["points"], noise=s["noise"], seed=s["seed"])
    model = first.build(s)
    return model, nnkit.train(model, dataset, first.train_config(s))


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


def test_keras_download_reloads_in_a_fresh_process_and_predicts_the_same(tmp_path):
    model, _ = _app_run({**SETTINGS, "epochs": 1})
    (tmp_path / "nnkit-first_neuron.keras").write_bytes(model_bytes(model))
    x = np.random.default_rng(1).normal(size=(16, 2)).astype("float32")
    np.save(tmp_path / "x.npy", x)
    code = ("import json, keras, numpy as np\n"
            "model = keras.saving.load_model('nnkit-first_neuron.keras')  # safe_mode stays on\n"
            "print(json.dumps(model.predict(np.load('x.npy'), verbose=0).tolist()))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300,
                         cwd=tmp_path, env={**os.environ})  # a learner's folder: no nnkit import
    assert out.returncode == 0, out.stderr[-3000:]
    reloaded = np.asarray(json.loads(out.stdout.strip().splitlines()[-1]))
    np.testing.assert_allclose(reloaded, model.predict(x, verbose=0), atol=1e-6)


def test_notebook_is_valid_nbformat():
    import nbformat

    nb = nbformat.reads(first_neuron_notebook(SETTINGS, "ok").decode(), as_version=4)
    nbformat.validate(nb)
    assert any("make_moons" not in c.source and "spiral_points" in c.source for c in nb.cells)
