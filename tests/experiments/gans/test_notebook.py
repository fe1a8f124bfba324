"""The exported notebook trains the app's GAN in plain Keras, in an empty folder, and gets its numbers."""

import json

import nbformat
import pytest

import nnkit
from nnkit.experiments.gans import model as gans
from nnkit.experiments.gans.notebook import gans_notebook
from nnkit.experiments.gans.watch import GANWatch
from tests.helpers import run_notebook

SMALL = {**{s.name: s.default for s in gans.SETTINGS}, "points": 512, "epochs": 8, "seed": 3, "d_steps": 2,
         "g_optimizer": "rmsprop", "g_lr": 0.001}


def test_notebook_reproduces_the_apps_losses_and_mode_census():
    gan, watch = gans.build(SMALL), GANWatch(gans.real_points(SMALL), SMALL["target"], SMALL["noise_dim"],
                                             SMALL["seed"])
    result = nnkit.train(gan, gans.training_data(SMALL), gans.train_config(SMALL), callbacks=[watch])
    report = run_notebook(gans_notebook(SMALL, result.message),
                          '{"loss": history.history["loss"], "g_loss": history.history["g_loss"], '
                          '"covered": census.covered}')
    assert len(report["loss"]) == SMALL["epochs"]
    assert report["loss"][-1] == pytest.approx(result.history["loss"][-1], rel=0.02)
    assert report["g_loss"][-1] == pytest.approx(result.history["g_loss"][-1], rel=0.02)
    assert report["covered"] == watch.picture()["covered"]


def test_notebook_ships_the_gan_class_by_its_source_and_no_nnkit():
    nb = nbformat.reads(gans_notebook(SMALL, "ok").decode(), as_version=4)
    nbformat.validate(nb)
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    assert "class GAN(keras.Model)" in code and "def train_step" in code and "class PairedOptimizer" in code
    assert "import nnkit" not in code and "from nnkit" not in code and "from __future__" not in code
    assert "keras.optimizers.RMSprop(learning_rate=0.001)" in code and "d_steps=2" in code
    json.dumps(nb)  # plain data


def test_generator_download_reloads_in_a_fresh_process_and_samples_the_same(tmp_path):
    import os
    import subprocess
    import sys

    import numpy as np

    from nnkit.core.saving import model_bytes

    gan = gans.build({**SMALL, "epochs": 1})
    nnkit.train(gan, gans.training_data(SMALL), gans.train_config({**SMALL, "epochs": 1}))
    (tmp_path / "nnkit-gans.keras").write_bytes(model_bytes(gan.generator))  # what the page offers
    z = np.random.default_rng(1).normal(size=(16, SMALL["noise_dim"])).astype("float32")
    np.save(tmp_path / "z.npy", z)
    code = ("import json, keras, numpy as np\n"
            "g = keras.saving.load_model('nnkit-gans.keras')  # safe_mode on; a plain Sequential, no custom class\n"
            "print(json.dumps(g.predict(np.load('z.npy'), verbose=0).tolist()))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300, cwd=tmp_path,
                         env={**os.environ})
    assert out.returncode == 0, out.stderr[-3000:]
    np.testing.assert_allclose(np.asarray(json.loads(out.stdout.strip().splitlines()[-1])),
                               np.asarray(gan.generator(z)), atol=1e-5)
