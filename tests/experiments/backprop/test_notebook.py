"""The exported notebook recomputes the page's numbers in an empty folder; the .keras file reloads."""

import json
import os
import subprocess
import sys

import numpy as np
import pytest

from nnkit.core import training
from nnkit.core.saving import model_bytes
from nnkit.core.training import TrainConfig
from nnkit.experiments.backprop import chain, deep
from nnkit.experiments.backprop import model as bp
from nnkit.experiments.backprop import steps as sgd
from nnkit.experiments.backprop.notebook import backprop_notebook
from tests.helpers import run_notebook

SETTINGS = {"act": "tanh", "loss": "MSE", "batch": bp.BATCH, "x1": 1.0, "x2": 0.5, "y": 0.8, "seed": 3,
            "lr": 3.0, "steps": 2, "deep_w": 1.5, **bp.random_params(3)}


def _app_step(s):
    x, y = bp.rows(s)
    with bp.precision():
        model = bp.build(bp.params_from(s), s["act"], s["loss"], s["lr"], s["seed"])
        result = training.train(model, (x, y.reshape(-1, 1)), TrainConfig(s["steps"], len(y), 0.0, s["seed"]))
        return model, result, sgd.keep(model, s)


def test_notebook_recomputes_the_pages_numbers_with_keras_and_autodiff():
    worked = bp.work(SETTINGS)
    _, result, kept = _app_step(SETTINGS)
    report = ("{'hand': {k: float(np.sum(v)) for k, v in grads.items()}, "
              "'keras': {k: float(np.sum(v)) for k, v in keras_side['grads'].items()}, 'L': fwd['L'], "
              "'losses': history.history['loss'], 'after': after, 'loss_after': loss_after, "
              "'deep': [float(g[0]) for g in keras_grads[1::2]]}")
    out = run_notebook(backprop_notebook(SETTINGS), report=report)
    assert out["L"] == pytest.approx(worked.forward["L"], abs=1e-12)
    for name, value in worked.grads.items():
        assert out["hand"][name] == pytest.approx(float(np.sum(value)), abs=1e-12)
        assert out["keras"][name] == pytest.approx(float(np.sum(worked.keras["grads"][name])), abs=1e-9)
    assert out["losses"] == pytest.approx(result.history["loss"], abs=1e-6)
    assert out["after"] == pytest.approx(kept["after"], abs=1e-9)
    assert out["loss_after"] == pytest.approx(kept["loss_after"], abs=1e-6)  # Keras logs float32 losses
    assert out["deep"] == pytest.approx(deep.chain_by_hand("relu", SETTINGS["deep_w"])["gradient"])  # the last cell


def test_notebook_prints_the_hand_formulas_and_is_valid_nbformat():
    import nbformat

    nb = nbformat.reads(backprop_notebook(SETTINGS).decode(), as_version=4)
    nbformat.validate(nb)
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    assert "def forward(params, x, y, activation, loss):" in code and "def loss_gradients(" in code
    assert "keras.layers.Dense(2, activation='tanh', dtype='float64', name='hidden')" in code
    assert "chain_lines(steps, keras_side['grads'])" in code and "keras.optimizers.SGD(learning_rate=3.0)" in code


def test_keras_download_reloads_in_a_fresh_process_and_predicts_the_same(tmp_path):
    model, _, _ = _app_step(SETTINGS)
    (tmp_path / "nnkit-backprop.keras").write_bytes(model_bytes(model))
    x = np.random.default_rng(1).normal(size=(8, 2))
    np.save(tmp_path / "x.npy", x)
    code = ("import json, keras, numpy as np\n"
            "model = keras.saving.load_model('nnkit-backprop.keras')  # safe_mode stays on\n"
            "print(json.dumps(model.predict(np.load('x.npy'), verbose=0).tolist()))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300,
                         cwd=tmp_path, env={**os.environ})
    assert out.returncode == 0, out.stderr[-3000:]
    reloaded = np.asarray(json.loads(out.stdout.strip().splitlines()[-1]))
    expected = chain.forward(bp.params_of(model.get_weights()), x, np.zeros(8), "tanh", "MSE")["ŷ"]
    np.testing.assert_allclose(reloaded[:, 0], expected, atol=1e-6)
