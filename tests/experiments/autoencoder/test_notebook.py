"""Autoencoder notebook export: runs in an empty folder, reproduces the app's runs, plain Keras only."""

import nbformat
import pytest

import nnkit
from nnkit import notebook as export
from nnkit.core.training import TrainConfig
from nnkit.experiments.autoencoder import anomalies
from nnkit.experiments.autoencoder import model as ae
from nnkit.experiments.autoencoder import threshold as th
from nnkit.experiments.autoencoder.notebook import autoencoder_notebook, notebook_supported
from tests.helpers import run_notebook

TINY = {"normal": "0,3", "kind": ae.CONV, "bottleneck": 4, "hidden": 16, "lr": 0.01, "epochs": 2, "seed": 3}
EXPORTED = [{**TINY, "source": anomalies.DIGITS_SRC},
            {**TINY, "source": anomalies.CANCER_SRC, "kind": ae.DENSE, "seed": 1}]


def _app_run(s):
    """The page's main run through nnkit: load, build, train on normal rows, score."""
    normal, _ = anomalies.normal_classes(s["source"], s["normal"])
    data = anomalies.load(s["source"], normal, s["seed"])
    model = ae.build_autoencoder(ae.config_from(s, data.unit_range), data.sample_shape)
    result = nnkit.train(model, (data.x_train, data.x_train),
                         TrainConfig(s["epochs"], ae.BATCH_SIZE, ae.VALIDATION, s["seed"]))
    art = ae.analyse(model, data, s["seed"])
    return result, th.evaluate(art["errors"], art["labels"], th.suggest_threshold(art["val_errors"], 90.0))


def _both(notebooks: list[bytes]) -> bytes:
    """The notebooks one after another, each reporting its numbers (one interpreter, one Keras import)."""
    cells = []
    for blob in notebooks:
        cells += [(c.cell_type, c.source) for c in nbformat.reads(blob.decode(), as_version=4).cells]
        cells.append(("code", "results = globals().get('results', []) + [[history.history['loss'], auc, threshold]]"))
    return export.notebook_bytes(cells)


def test_exported_notebooks_run_in_an_empty_folder_and_reproduce_the_runs():
    """Digits (conv) and breast cancer (dense), without TensorFlow under JAX (run_notebook checks)."""
    results = run_notebook(_both([autoencoder_notebook(s, 90.0) for s in EXPORTED]), "results", timeout=600)
    assert len(results) == len(EXPORTED)
    for s, (losses, auc, threshold) in zip(EXPORTED, results):
        result, report = _app_run(s)
        assert len(losses) == s["epochs"]
        assert losses[-1] == pytest.approx(result.history["loss"][-1], rel=0.05)
        assert threshold == pytest.approx(report.threshold, rel=0.1)
        assert auc == pytest.approx(report.auc, abs=0.03)


def test_notebook_is_valid_nbformat_and_plain_keras():
    for source in (anomalies.DIGITS_SRC, anomalies.CANCER_SRC, "Sunspots (yearly) (series)"):
        assert notebook_supported(source)
        nb = nbformat.reads(autoencoder_notebook({**TINY, "source": source}).decode(), as_version=4)
        nbformat.validate(nb)
        code = export.code_cells(nbformat.writes(nb).encode())
        assert "import nnkit" not in code and "from nnkit" not in code and "nnkit." not in code
        assert "roc_auc_score" in code and "set_seed(3)" in code and "keras.utils.set_random_seed(3)" not in code
        compile(code, "notebook", "exec")
    assert "digits((0, 3), seed=3)" in export.code_cells(autoencoder_notebook(EXPORTED[0]))
    assert "np.percentile(val_errors, 97.5)" in export.code_cells(autoencoder_notebook(EXPORTED[0], 97.5))
    for source in (anomalies.CSV_SRC, anomalies.FASHION_SRC):
        assert not notebook_supported(source)
        with pytest.raises(ValueError, match="no notebook export"):
            autoencoder_notebook({**TINY, "source": source})


def test_the_series_notebook_loads_its_data_without_the_project():
    """The series data code alone (no training), run in an empty folder."""
    blob = autoencoder_notebook({**TINY, "source": "Sunspots (yearly) (series)", "kind": ae.DENSE})
    nb = nbformat.reads(blob.decode(), as_version=4)
    data_cells = [(c.cell_type, c.source) for c in nb.cells[:5]]  # title, imports, set_seed, data md, data
    shape = run_notebook(export.notebook_bytes(data_cells), "[list(data.x_train.shape), int(data.y_test.sum())]")
    expected = anomalies.load("Sunspots (yearly) (series)", seed=3)
    assert shape == [list(expected.x_train.shape), int(expected.y_test.sum())]
