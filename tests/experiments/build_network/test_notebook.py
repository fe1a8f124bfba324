"""The exported notebook runs in an empty folder and reproduces the app's run and test scores."""

import nbformat
import numpy as np
import pytest

import nnkit
from nnkit.experiments.build_network import csvfile, evaluation, tables
from nnkit.experiments.build_network.notebook import workflow_notebook
from tests.experiments.build_network.test_model import DEFAULTS, _recipe
from tests.helpers import run_notebook

REPORT = '{"loss": history.history["loss"], "scores": scores}'


def _app(table, s):
    data = tables.prepared(table, s["standardise"], s["seed"])
    recipe = _recipe(table, **s)
    model = recipe.build()
    result = nnkit.train(model, (data["x_fit"], data["y_fit"]), recipe.train_config(), callbacks=recipe.callbacks())
    return recipe, result, evaluation.evaluate(model, data, table)["scores"]


def test_notebook_reproduces_the_run_and_its_test_scores():
    table, s = tables.builtin("wine"), {**DEFAULTS, "dataset": "wine", "epochs": 3}
    recipe, result, scores = _app(table, s)
    out = run_notebook(workflow_notebook(s, table, recipe, result.message), REPORT)
    assert out["loss"] == pytest.approx(result.history["loss"], rel=1e-3)
    for metric, value in scores.items():
        if metric != "confusion":
            assert out["scores"][metric] == pytest.approx(value, rel=1e-3, abs=1e-4), metric
    assert out["scores"]["confusion"] == scores["confusion"]


def test_a_csv_regression_notebook_carries_its_rows_inline_and_stops_early_like_the_app():
    rng = np.random.default_rng(1)
    rows = ["x1,x2,price"] + [f"{a:.3f},{b:.3f},{100 + 30 * a - 20 * b + rng.normal():.2f}"
                              for a, b in rng.normal(size=(80, 2))]
    table = csvfile.parse("\n".join(rows).encode(), "prices.csv")
    s = {**DEFAULTS, "dataset": "your CSV", "epochs": 40, "early_stop": True, "lr": 0.1, "seed": 2}
    recipe, result, scores = _app(table, s)
    assert table.regression and result.epochs_run < 40  # EarlyStopping ended the app's run
    notebook = workflow_notebook(s, table, recipe, result.message)
    assert b"DATA = '''" in notebook and b"prices.csv" in notebook
    out = run_notebook(notebook, REPORT)
    assert out["loss"] == pytest.approx(result.history["loss"], rel=1e-3)
    assert out["scores"]["R²"] == pytest.approx(scores["R²"], rel=1e-3)
    nb = nbformat.reads(notebook.decode(), as_version=4)
    nbformat.validate(nb)
    text = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    assert "import nnkit" not in text and "from nnkit" not in text and "assets/" not in text
    assert "def prepare(" in text and "def classification_scores(" in text and "again.load_weights" in text
