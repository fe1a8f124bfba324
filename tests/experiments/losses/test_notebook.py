"""The loss notebooks reproduce the app's runs in an empty folder; the .keras download reloads."""

import pytest

import nnkit
from nnkit import notebook as export
from nnkit.experiments.losses import imbalance, outliers
from nnkit.experiments.losses.notebook import imbalance_notebook, outlier_notebook
from tests.helpers import run_notebook

A_SETTINGS = {"a_outliers": 0.2, "a_points": 60, "a_epochs": 3, "a_lr": 0.1, "delta": 0.5, "seed": 3}
B_SETTINGS = {"b_minority": 0.1, "b_points": 200, "b_epochs": 3, "b_lr": 0.03, "gamma": 3.0, "seed": 3}


def _app_runs(experiment):
    """Each loss's trained model and curve through nnkit, as the page trains it."""
    variants = outliers.variants(A_SETTINGS) if experiment == "outliers" else imbalance.variants(B_SETTINGS)
    runs = {}
    for v in variants:
        model = v["build"]()
        runs[v["label"]] = (model, nnkit.train(model, v["data"], v["config"]).history["loss"])
    return runs


@pytest.mark.parametrize("experiment", ["outliers", "imbalance"])
def test_exported_notebook_runs_and_reproduces_every_loss(experiment):
    notebook = outlier_notebook(A_SETTINGS) if experiment == "outliers" else imbalance_notebook(B_SETTINGS)
    # run_notebook runs it in an empty folder and fails if TensorFlow was imported under JAX.
    exported = run_notebook(notebook, '{k: h["loss"] for k, h in histories.items()}')
    app = {label: curve for label, (_, curve) in _app_runs(experiment).items()}
    assert list(exported) == list(app) and len(app) == 3
    for label, curve in app.items():
        assert len(exported[label]) == len(curve) == 3
        assert exported[label][-1] == pytest.approx(curve[-1], rel=0.05), label


def test_notebooks_are_valid_and_need_no_nnkit():
    import nbformat

    for notebook in (outlier_notebook(A_SETTINGS), imbalance_notebook(B_SETTINGS)):
        nb = nbformat.reads(notebook.decode(), as_version=4)
        nbformat.validate(nb)
        code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
        assert "import nnkit" not in code and "from nnkit" not in code
        assert "set_seed(3)" in code and "keras.utils.set_random_seed(3)" not in code
        assert "assets/" not in code
    assert "Huber(delta=delta)" in outlier_notebook(A_SETTINGS).decode()
    assert "_group" not in outlier_notebook({**A_SETTINGS, "_group": 4}).decode()


def test_notebook_model_is_printed_from_the_experiment_specs():
    code = export.code_cells(imbalance_notebook(B_SETTINGS))
    for spec in imbalance.IMBALANCE.layer_specs():
        assert export.layer_code(spec) in code
    assert "keras.optimizers.Adam(learning_rate=0.03), loss=loss, metrics=['accuracy']" in code


@pytest.mark.parametrize("experiment", ["outliers", "imbalance"])
def test_downloaded_model_reloads_in_a_fresh_process_and_predicts_the_same(experiment, tmp_path):
    """The page's .keras download is the last loss trained (Huber, focal): both reload without nnkit."""
    import json
    import os
    import subprocess
    import sys

    import numpy as np

    from nnkit.core.saving import model_bytes

    model, _ = list(_app_runs(experiment).values())[-1]
    path = tmp_path / "model.keras"
    path.write_bytes(model_bytes(model))
    x = np.linspace(-2, 2, 4 * model.input_shape[-1], dtype="float32").reshape(4, -1)
    expected = np.asarray(model.predict(x, verbose=0)).ravel()
    code = (f"import json, keras, numpy as np\nm = keras.saving.load_model({str(path)!r})\n"
            f"print(json.dumps(m.predict(np.array({x.tolist()}, 'float32'), verbose=0).ravel().tolist()))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300,
                         env={**os.environ}, cwd=tmp_path)
    assert out.returncode == 0, out.stderr[-2000:]
    np.testing.assert_allclose(json.loads(out.stdout.strip().splitlines()[-1]), expected, rtol=1e-5, atol=1e-6)
