"""The network notebook reproduces the app's run in an empty folder; the .keras download reloads."""

import pytest

from nnkit import notebook as export
from nnkit.experiments.optimisers import model as opt
from nnkit.experiments.optimisers import schedules
from nnkit.experiments.optimisers.notebook import optimisers_notebook
from tests.helpers import run_notebook


NOTEBOOK_RUN = {"optimizer": "Nesterov", "netlr.Nesterov": 0.1, "netlr.Adam": 0.003, "batch": 128, "epochs": 2,
                "schedule": "warm-up + cosine", "seed": 4}


def _app_network_run(s):
    """The page's training of one optimiser, as nnkit does it."""
    import nnkit
    from nnkit.core.data import REAL
    from nnkit.core.training import TrainConfig

    name, data = s["optimizer"], REAL["digits"](s["seed"])
    total = opt.steps_per_epoch(len(data.x), 0.2, s["batch"]) * s["epochs"]
    model = opt.build_network(name, schedules.make_schedule(s["schedule"], s[f"netlr.{name}"], total),
                              opt.default_knob(name),
                              data.n_features, data.n_classes, seed=s["seed"])
    return nnkit.train(model, data, TrainConfig(s["epochs"], s["batch"], 0.2, s["seed"]))


def test_exported_notebook_runs_and_reproduces_the_network_run():
    s = NOTEBOOK_RUN  # a schedule and a knob: the most that can go wrong in the export
    result = _app_network_run(s)
    notebook = optimisers_notebook(s, result.message)
    assert "nnkit" not in export.code_cells(notebook)
    losses = run_notebook(notebook)
    assert len(losses) == s["epochs"]
    assert losses[-1] == pytest.approx(result.history["loss"][-1], rel=0.05)


def test_network_notebook_is_valid_nbformat_and_names_the_keras_classes():
    import nbformat

    nb = nbformat.reads(optimisers_notebook(NOTEBOOK_RUN, "ok").decode(), as_version=4)
    nbformat.validate(nb)
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    assert "keras.optimizers.SGD(learning_rate=learning_rate, nesterov=True, momentum=0.9)" in code
    assert "keras.optimizers.schedules.CosineDecay(" in code and "warmup_target=0.1" in code
    constant = export.code_cells(optimisers_notebook({**NOTEBOOK_RUN, "optimizer": "Adam", "schedule": "constant"}))
    assert "learning_rate = 0.003\n" in constant
    assert "keras.optimizers.Adam(learning_rate=learning_rate, beta_1=0.9)" in constant


def test_notebook_network_is_printed_from_the_app_specs():
    code = export.code_cells(optimisers_notebook(NOTEBOOK_RUN, "ok"))
    for spec in opt.network_specs(64, 10):
        assert export.layer_code(spec) in code
    assert "keras.utils.set_random_seed(4)" not in code and "set_seed(4)" in code
    step = export.code_cells(optimisers_notebook({**NOTEBOOK_RUN, "schedule": "step decay"}, "ok"))
    assert "keras.optimizers.schedules.PiecewiseConstantDecay(boundaries=[7, 15]" in step


def test_downloaded_model_reloads_in_a_fresh_process_and_predicts_the_same(tmp_path):
    import json
    import os
    import subprocess
    import sys

    import numpy as np

    from nnkit.core.saving import model_bytes

    model = opt.build_network("Adam", schedules.make_schedule("cosine", 0.003, 20), 0.9, 64, 10, seed=1)
    x = np.linspace(0, 1, 3 * 64, dtype="float32").reshape(3, 64)
    model.fit(x, np.array([0, 1, 2]), epochs=1, verbose=0)
    path = tmp_path / "model.keras"
    path.write_bytes(model_bytes(model))
    code = (f"import json, keras, numpy as np\nm = keras.saving.load_model({str(path)!r})\n"
            f"print(json.dumps(m.predict(np.linspace(0, 1, 192, dtype='float32').reshape(3, 64), verbose=0).ravel().tolist()))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300,
                         env={**os.environ}, cwd=tmp_path)
    assert out.returncode == 0, out.stderr[-2000:]
    np.testing.assert_allclose(json.loads(out.stdout.strip().splitlines()[-1]),
                               model.predict(x, verbose=0).ravel(), rtol=1e-5, atol=1e-7)
