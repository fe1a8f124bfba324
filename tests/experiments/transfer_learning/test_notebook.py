"""The frozen-features notebook: the app's images, valid and nnkit-free, and the app's loss in an empty folder."""

import json
import os
import shutil
import subprocess
import sys

import numpy as np
import pytest

import nnkit
from nnkit import notebook as export
from nnkit.core import images
from nnkit.core.models import layer_code
from nnkit.core.training import TrainConfig
from nnkit.experiments.transfer_learning import imagesets, mobilenet
from nnkit.experiments.transfer_learning import model as pt
from nnkit.experiments.transfer_learning import notebook as nb
from tests.experiments.transfer_learning.conftest import SIZE

FASHION, FACES = list(imagesets.OFFLINE_SETS)
TINY = {"set": FASHION, "per_class": 4, "size": SIZE, "seed": 3, "head_epochs": 2}


@pytest.mark.parametrize("name", [FASHION, FACES])
def test_notebook_picks_the_same_images_as_the_app(name):
    expected = imagesets.offline_set(name, 3, 32, seed=7)
    scope = {"SIZE": 32, "PER_CLASS": 3, "SEED": 7, "FASHION_DIR": str(images.DEBIAN_DIR)}
    exec(nb.images_code(imagesets.OFFLINE_SETS[name]), scope)
    np.testing.assert_array_equal(scope["x"], expected.x)
    np.testing.assert_array_equal(scope["y"], expected.y)
    assert tuple(scope["classes"]) == expected.classes


@pytest.mark.parametrize("source", [mobilenet.ONLINE, mobilenet.OFFLINE])
@pytest.mark.parametrize("name", [FASHION, FACES])
def test_notebook_is_valid_and_needs_no_nnkit(source, name):
    import nbformat

    blob = nb.frozen_features_notebook({**TINY, "set": name}, source, "Finished 2 epochs.")
    nbformat.validate(nbformat.reads(blob.decode(), as_version=4))
    code = export.code_cells(blob)
    compile(code, "notebook", "exec")
    assert "import nnkit" not in code and "from nnkit" not in code
    assert ("WEIGHTS_FILE" in code) == (source == mobilenet.OFFLINE) and ("FASHION_DIR" in code) == (name == FASHION)
    assert "assets/" not in code  # never a path inside the project: it runs in an empty folder
    for spec in pt.head_specs(2 if name == FACES else 3):  # the head the app trains, from its own specs
        assert layer_code(spec) in code


def test_without_the_weights_file_the_notebook_says_which_weights_it_uses(tmp_path):
    scope = {"WEIGHTS_FILE": nb.WEIGHTS_FILE}
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        import contextlib
        import io

        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            exec(nb.weights_check_code(), scope)
    finally:
        os.chdir(cwd)
    assert scope["SHIPPED"] is False and "is not next to this notebook" in out.getvalue()
    assert "differ from the app's" in out.getvalue()


def test_exported_notebook_reproduces_the_frozen_features_run(net, tmp_path):
    data = imagesets.offline_set(TINY["set"], TINY["per_class"], SIZE, TINY["seed"])
    head = pt.build_head(len(data.classes), seed=TINY["seed"])
    result = nnkit.train(head, (mobilenet.features(net, data.x), data.y),
                         TrainConfig(TINY["head_epochs"], pt.BATCH_SIZE, pt.VALIDATION, TINY["seed"]))
    code = export.code_cells(nb.frozen_features_notebook(TINY, mobilenet.OFFLINE, result.message))
    # An otherwise empty folder holding only the weights file the page offers for download.
    shutil.copy(mobilenet.OFFLINE_WEIGHTS, tmp_path / nb.WEIGHTS_FILE)
    code += ("\nimport json, sys\nassert os.environ['KERAS_BACKEND'] != 'jax' or 'tensorflow' not in sys.modules, "
             "'the notebook imported TensorFlow under JAX'\nassert SHIPPED\n"
             'print(json.dumps(history.history["loss"]))')
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=600,
                         cwd=tmp_path, env={**os.environ, "PYTHONPATH": ""})
    assert out.returncode == 0, out.stderr[-3000:]
    losses = json.loads(out.stdout.strip().splitlines()[-1])
    assert len(losses) == TINY["head_epochs"]
    assert losses[-1] == pytest.approx(result.history["loss"][-1], rel=0.1)
