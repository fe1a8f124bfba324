"""Test-set scores against scikit-learn's, baselines, one-row prediction, and uploaded models."""

import subprocess
import sys

import keras
import numpy as np
import pytest
from sklearn import metrics as skm

import nnkit
from nnkit.core import backend, saving
from nnkit.experiments.build_network import evaluation as ev
from nnkit.experiments.build_network import tables
from tests.experiments.build_network.test_model import _recipe


@pytest.mark.parametrize("n_classes", [2, 3])
def test_classification_scores_match_scikit_learn(n_classes):
    rng = np.random.default_rng(n_classes)
    y, guess = rng.integers(0, n_classes, 200), rng.integers(0, n_classes, 200)
    scores = ev.classification_scores(y, guess, n_classes)
    average = "binary" if n_classes == 2 else "macro"
    assert scores["accuracy"] == pytest.approx(skm.accuracy_score(y, guess))
    assert scores["precision"] == pytest.approx(skm.precision_score(y, guess, average=average, zero_division=0))
    assert scores["recall"] == pytest.approx(skm.recall_score(y, guess, average=average))
    assert scores["confusion"] == skm.confusion_matrix(y, guess).tolist()


def test_a_class_never_predicted_has_precision_zero():
    scores = ev.classification_scores([0, 1, 1, 1], [0, 0, 0, 0], 2)
    assert scores["precision"] == 0 and scores["recall"] == 0 and scores["accuracy"] == 0.25


def test_regression_scores_match_scikit_learn():
    rng = np.random.default_rng(0)
    y, guess = rng.normal(100, 20, 80), rng.normal(100, 25, 80)
    scores = ev.regression_scores(y, guess)
    assert scores["MAE"] == pytest.approx(skm.mean_absolute_error(y, guess))
    assert scores["RMSE"] == pytest.approx(np.sqrt(skm.mean_squared_error(y, guess)))
    assert scores["R²"] == pytest.approx(skm.r2_score(y, guess))


def test_predictions_read_sigmoid_softmax_and_scaled_regression():
    assert ev.predictions([[0.2], [0.7]], False).tolist() == [0, 1]
    assert ev.predictions([[0.2, 0.8], [0.9, 0.1]], False).tolist() == [1, 0]
    assert ev.predictions([[1.0], [-0.5]], True, 150.0, 40.0).tolist() == [190.0, 130.0]


def test_baselines_are_the_constant_guess_and_a_linear_model():
    table = tables.builtin("breast cancer")
    data = tables.prepared(table, True, 0)
    base = ev.baseline_scores(data, False, 2)
    majority = int(np.bincount(data["y_train"]).argmax())
    assert base["always the majority class"]["accuracy"] == pytest.approx(np.mean(data["y_test"] == majority))
    assert base["LogisticRegression"]["accuracy"] > 0.95
    regression = tables.prepared(tables.builtin("diabetes"), True, 0)
    base = ev.baseline_scores(regression, True, 0)
    assert base["always the mean"]["R²"] < 0.01 and 0.3 < base["LinearRegression"]["R²"] < 0.7
    assert "beats always the mean" in ev.verdict({"R²": 0.2}, base, True)
    assert "loses to LinearRegression" in ev.verdict({"R²": 0.2}, base, True)


@pytest.fixture(scope="module")
def trained():
    table = tables.builtin("iris")
    data = tables.prepared(table, True, 0)
    recipe = _recipe(table, epochs=3)
    model = recipe.build()
    nnkit.train(model, (data["x_fit"], data["y_fit"]), recipe.train_config())
    return table, data, model


def test_predict_row_in_the_tables_own_units(trained):
    table, data, model = trained
    raw = data["x_test"][0] * data["std"] + data["mean"]
    answer = ev.predict_row(model, raw, data, False, table.class_names)
    probs = model.predict(data["x_test"][:1], verbose=0)[0]
    assert answer["prediction"] == table.class_names[int(probs.argmax())]
    assert [answer[f"P({c})"] for c in table.class_names] == pytest.approx(probs.tolist(), abs=1e-5)


def test_a_saved_model_reloads_in_a_fresh_process_and_predicts_the_same(trained, tmp_path):
    _, data, model = trained
    (tmp_path / "m.keras").write_bytes(saving.model_bytes(model))
    np.save(tmp_path / "x.npy", data["x_test"])
    code = ("import os, sys; os.environ.setdefault('KERAS_BACKEND', 'jax'); import keras, numpy as np\n"
            "m = keras.saving.load_model('m.keras'); np.save('p.npy', m.predict(np.load('x.npy'), verbose=0))")
    out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=300,
                         check=False)
    assert out.returncode == 0, out.stderr[-2000:]
    np.testing.assert_allclose(np.load(tmp_path / "p.npy"), model.predict(data["x_test"], verbose=0), atol=1e-6)


def test_an_uploaded_model_that_fits_is_scored_like_the_apps(trained):
    table, data, model = trained
    again = ev.load_for_table(saving.model_bytes(model), 4, table.task, 3)
    assert ev.score_on_test(again, data, False, 3)[0] == ev.score_on_test(model, data, False, 3)[0]


def _bytes(layers):
    backend.set_seed(0)
    return saving.model_bytes(keras.Sequential(layers))


@pytest.mark.parametrize("blob, says", [
    (b"", "The file is empty"),
    (b"not a zip at all", "not a .keras file"),
    (lambda: _bytes([keras.Input((5,)), keras.layers.Dense(3, activation="softmax")]), "input shape is (5,)"),
    (lambda: _bytes([keras.Input((4,)), keras.layers.Dense(2, activation="softmax")]), "output has 2 units"),
    (lambda: _bytes([keras.Input((4,)), keras.layers.Lambda(lambda t: t * 2), keras.layers.Dense(3)]),
     "Lambda layer"),
])
def test_bad_or_mismatched_uploads_get_a_clear_message(blob, says):
    blob = blob() if callable(blob) else blob
    with pytest.raises(saving.ModelFileError) as error:
        ev.load_for_table(blob, 4, tables.MULTICLASS, 3)
    assert says in str(error.value) and ev.EXPECTS in str(error.value)


def test_binary_tables_take_one_sigmoid_or_two_softmax_outputs():
    for units in (1, 2):
        ev.load_for_table(_bytes([keras.Input((30,)), keras.layers.Dense(units)]), 30, tables.BINARY, 2)
    with pytest.raises(saving.ModelFileError, match="output has 3 units"):
        ev.load_for_table(_bytes([keras.Input((30,)), keras.layers.Dense(3)]), 30, tables.BINARY, 2)


def test_comparison_rows_put_the_network_first_and_the_upload_line_names_the_file():
    rows = ev.comparison_rows({"accuracy": 0.9, "confusion": [[1]]}, {"always the majority class": {"accuracy": 0.6}})
    assert rows == [{"model": "your network", "accuracy": 0.9}, {"model": "always the majority class", "accuracy": 0.6}]
    assert ev.upload_summary("`m.keras`", {"MAE": 1.23456, "R²": 0.5}) == \
        "Uploaded model `m.keras` on the test rows: MAE 1.235, R² 0.500."


def test_the_editable_row_is_a_test_row_in_its_own_units():
    table = tables.builtin("wine")
    data = tables.prepared(table, True, 0)
    row = tables.editable_row(table, data)
    assert list(row.columns) == list(table.features)
    assert any(np.allclose(row.iloc[0].to_numpy(), r, rtol=1e-5) for r in table.x)
