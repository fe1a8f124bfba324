"""Training strategies: the exported notebooks reproduce the app's runs in plain Keras; the .keras file reloads."""

import json
import subprocess
import sys

import numpy as np
import pytest

import nnkit
from nnkit.core.saving import model_bytes
from nnkit.experiments.training_strategies import batches, callbacks as cb, remedies
from nnkit.experiments.training_strategies.notebook import batch_notebook, callbacks_notebook, remedy_notebook
from tests.helpers import run_notebook

SETTINGS = {"dataset": "breast cancer", "rows": 60, "units": 32, "layers": 2, "lr": 0.01, "epochs": 6,
            "batch": 16, "seed": 2, "dropout": 0.3, "l2": 0.01, "small_units": 4, "more_rows": 120,
            "stop_patience": 1, "patience": 1, "lr_patience": 1, "lr_factor": 0.5, "bs_rows": 40, "bs_epochs": 2}


def _app(variant):
    model = variant["build"]()
    result = nnkit.train(model, variant["data"], variant["config"], callbacks=list(variant["callbacks"](model)))
    return model, result, variant["keep"](model)


@pytest.mark.parametrize("remedy", [remedies.DROPOUT, remedies.EARLY_STOP])
def test_remedy_notebook_reproduces_both_twin_runs(remedy):
    app = [_app(v)[1].history for v in remedies.variants(remedy, SETTINGS)]
    got = run_notebook(remedy_notebook(SETTINGS, remedy),
                       "[history_base.history['val_loss'], history_remedy.history['val_loss']]")
    for mine, theirs in zip(app, got, strict=True):
        assert len(theirs) == len(mine["val_loss"])
        assert theirs[-1] == pytest.approx(mine["val_loss"][-1], rel=0.02)


def _run_saving_notebook(blob: bytes, report: str):
    """`run_notebook` without its no-TensorFlow check: under JAX, Keras's own `.keras` saving
    (which ModelCheckpoint does) imports TensorFlow whenever it is installed
    (`serialize_keras_object` asks `tf.available`), so this one notebook cannot avoid it."""
    import os
    import tempfile

    from nnkit import notebook as export

    code = export.code_cells(blob) + f"\nimport json\nprint(json.dumps({report}))"
    with tempfile.TemporaryDirectory() as empty:
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300,
                             env={**os.environ}, cwd=empty)
    assert out.returncode == 0, out.stderr[-3000:]
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_callbacks_notebook_stops_and_restores_where_the_app_did():
    _, result, kept = _app(cb.variant(SETTINGS))
    got = _run_saving_notebook(callbacks_notebook(SETTINGS),
                               "[early.stopped_epoch + 1 if early.stopped_epoch else None, early.best_epoch + 1, "
                               "restored['loss'], from_file['loss']]")
    assert got[:2] == [kept["stopped_epoch"], kept["best_epoch"]]
    assert got[2] == pytest.approx(kept["model_val_loss"], rel=0.02)
    assert got[3] == pytest.approx(kept["checkpoint_val_loss"], rel=0.02)


def test_batch_notebook_trains_the_three_batch_sizes_like_the_app():
    app = [_app(v)[1].history["loss"][-1] for v in batches.variants(SETTINGS)]
    got = run_notebook(batch_notebook(SETTINGS),
                       "[h.history['loss'][-1] for h in (history_batch_1, history_batch_32, history_batch_40)]")
    assert got == pytest.approx(app, rel=0.02)


def test_keras_download_reloads_in_a_fresh_process_and_predicts_the_same(tmp_path):
    model, _, _ = _app(remedies.variants(remedies.DROPOUT, SETTINGS)[1])
    path = tmp_path / "model.keras"
    path.write_bytes(model_bytes(model))
    x = np.random.default_rng(0).normal(size=(8, 30)).astype("float32")
    np.save(tmp_path / "x.npy", x)
    script = ("import json, numpy as np, keras\n"
              f"m = keras.saving.load_model({str(path)!r})\n"
              f"print(json.dumps(m.predict(np.load({str(tmp_path / 'x.npy')!r}), verbose=0).ravel().tolist()))")
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300,
                         env={**__import__("os").environ, "KERAS_BACKEND": "jax"})
    assert out.returncode == 0, out.stderr[-2000:]
    reloaded = json.loads(out.stdout.strip().splitlines()[-1])
    np.testing.assert_allclose(reloaded, model.predict(x, verbose=0).ravel(), atol=1e-6)


def test_notebooks_are_valid_nbformat_and_print_the_models_from_their_specs():
    import nbformat

    for blob in (remedy_notebook(SETTINGS, remedies.L2), callbacks_notebook(SETTINGS), batch_notebook(SETTINGS)):
        nbformat.validate(nbformat.reads(blob.decode(), as_version=4))
    text = remedy_notebook(SETTINGS, remedies.L2).decode()
    assert "keras.regularizers.L2(l2=0.01)" in text and "def load_table" in text and "def split" in text
    assert "keras.callbacks.ModelCheckpoint(filepath='best.keras'" in callbacks_notebook(SETTINGS).decode()
