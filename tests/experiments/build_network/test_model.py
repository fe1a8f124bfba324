"""One Recipe: the code shown beside the builder, executed, builds and trains the app's model."""

import itertools

import keras
import numpy as np
import pytest

import nnkit
from nnkit.core import backend, settings
from nnkit.experiments.build_network import evaluation, tables
from nnkit.experiments.build_network import model as bn

DEFAULTS = settings.defaults(bn.SETTINGS)  # the page's own defaults


def _recipe(table, **changes):
    return bn.recipe({**DEFAULTS, **changes}, len(table.features), table.task, table.n_classes)


@pytest.mark.parametrize("name, changes", [
    ("breast cancer", {"epochs": 2}),
    ("wine", {"epochs": 2, "layers": "batchnorm,dense:8:tanh,dropout:0.1", "optimizer": "rmsprop"}),
    ("diabetes", {"epochs": 2, "early_stop": True, "metric": "mse", "optimizer": "sgd", "lr": 0.01}),
])
def test_the_shown_code_executed_builds_and_trains_the_apps_model(name, changes):
    table = tables.builtin(name)
    data = tables.prepared(table, True, 0)
    recipe = _recipe(table, **changes)
    app = recipe.build()
    result = nnkit.train(app, (data["x_fit"], data["y_fit"]), recipe.train_config(), callbacks=recipe.callbacks())
    space = {"keras": keras, "np": np, "set_seed": backend.set_seed,
             **{k: data[k] for k in ("x_train", "y_train", "x_val", "y_val")}}
    exec(recipe.code(), space)  # noqa: S102 - the point: run the code the learner is shown
    shown = space["model"]
    # Every layer is named in the code, so the configs are equal; only the model's own label differs
    # (Keras numbers unnamed models per process: "sequential", "sequential_1", …).
    assert {**shown.get_config(), "name": "-"} == {**app.get_config(), "name": "-"}
    assert shown.optimizer.get_config()["learning_rate"] == pytest.approx(changes.get("lr", 0.003))
    assert shown.loss == app.loss
    assert space["history"].history["loss"] == pytest.approx(result.history["loss"], rel=1e-4)


@pytest.mark.parametrize("name, layers", [("breast cancer", "dense:16:relu,dropout:0.2,dense:8:relu"),
                                          ("wine", "batchnorm,dense:32:elu,batchnorm,dropout:0.3"),
                                          ("iris", ""), ("diabetes", "dense:64:gelu,dense:64:linear")])
def test_summary_numbers_equal_count_params(name, layers):
    table = tables.builtin(name)
    model = _recipe(table, layers=layers).build(compiled=False)
    rows = bn.summary_rows(model)
    assert sum(r["parameters"] for r in rows) == model.count_params()
    outputs = table.n_classes if table.n_classes > 2 else 1
    assert rows[-1]["layer"] == "output" and rows[-1]["output shape"] == str((None, outputs))
    n, hidden = len(table.features), [int(p.split(":")[1]) for p in layers.split(",") if p.startswith("dense")]
    if "batchnorm" not in layers:  # a dense stack: (inputs + 1) × units per layer
        sizes = [n, *hidden, outputs]
        assert model.count_params() == sum((a + 1) * b for a, b in itertools.pairwise(sizes))


def test_the_head_follows_the_task():
    assert bn.head(tables.BINARY, 2) == (1, "sigmoid", bn.BCE, "accuracy")
    assert bn.head(tables.MULTICLASS, 3) == (3, "softmax", bn.SCCE, "accuracy")
    assert bn.head(tables.REGRESSION, 0) == (1, "linear", bn.MSE, "mae")
    assert bn.head(tables.BINARY, 2, "softmax", bn.SCCE) == (2, "softmax", bn.SCCE, "accuracy")


@pytest.mark.parametrize("task, output, loss, metric, says", [
    (tables.BINARY, "softmax", "auto", "auto", "binary cross-entropy expects one probability"),
    (tables.BINARY, "linear", "auto", "auto", "linear output gives any number"),
    (tables.BINARY, "auto", bn.SCCE, "auto", "sigmoid output gives one probability, but sparse"),
    (tables.BINARY, "auto", bn.MSE, "auto", "treats class labels as numbers"),
    (tables.MULTICLASS, "sigmoid", bn.SCCE, "auto", "needs one per class"),
    (tables.MULTICLASS, "auto", bn.BCE, "auto", "binary cross-entropy expects"),
    (tables.REGRESSION, "sigmoid", "auto", "auto", "squeezes every prediction into (0, 1)"),
    (tables.REGRESSION, "auto", bn.BCE, "auto", "linear output gives any number"),
    (tables.REGRESSION, "auto", "auto", "accuracy", "choose MAE or MSE"),
])
def test_a_mismatched_pair_gets_a_message_naming_what_fits(task, output, loss, metric, says):
    with pytest.raises(bn.Mismatch) as problem:
        bn.head(task, 3, output, loss, metric)
    assert says in str(problem.value)
    if metric == "auto":
        assert f"needs a {bn.RIGHT[task][0]} output with {bn.RIGHT[task][1]}" in str(problem.value)


def test_defaults_are_the_quick_breast_cancer_run():
    assert (DEFAULTS["dataset"], DEFAULTS["layers"], DEFAULTS["lr"], DEFAULTS["epochs"]) == (
        "breast cancer", "dense:16:relu,dropout:0.2,dense:8:relu", 0.003, 20)


def test_default_model_beats_the_majority_baseline_on_the_test_set():
    table = tables.builtin("breast cancer")
    data = tables.prepared(table, True, 0)
    recipe = _recipe(table)
    model = recipe.build()
    nnkit.train(model, (data["x_fit"], data["y_fit"]), recipe.train_config())
    kept = evaluation.evaluate(model, data, table)
    majority = kept["baselines"]["always the majority class"]["accuracy"]
    assert kept["scores"]["accuracy"] > majority + 0.2 and kept["scores"]["accuracy"] > 0.9


def test_early_stopping_code_is_the_callback_built():
    callback = bn.EARLY_STOPPING.build()
    assert (callback.monitor, callback.patience, callback.restore_best_weights) == ("val_loss", 5, True)
    recipe = _recipe(tables.builtin("iris"), early_stop=True)
    assert "callbacks=[keras.callbacks.EarlyStopping(monitor='val_loss', patience=5, restore_best_weights=True)]" \
        in recipe.code()
    assert "callbacks" not in _recipe(tables.builtin("iris")).code()
    assert bn.run_label(DEFAULTS) == "breast cancer · dense:16:relu,dropout:0.2,dense:8:relu · adam 0.003"


def test_a_run_belongs_to_its_table_and_split_and_its_model_comes_back_from_the_weights():
    from nnkit.core.runs import RunRecord

    table = tables.builtin("iris")
    data = tables.prepared(table, True, 0)
    s = {**DEFAULTS, "dataset": "iris", "epochs": 1}
    recipe = _recipe(table, **s)
    model = recipe.build()
    nnkit.train(model, (data["x_fit"], data["y_fit"]), recipe.train_config())
    record = RunRecord("r", s, {}, "finished", artifacts=evaluation.evaluate(model, data, table))
    assert bn.belongs(record, table, s)
    assert not bn.belongs(record, table, {**s, "seed": 1}) and not bn.belongs(record, tables.builtin("wine"), s)
    assert bn.belongs(RunRecord("cut", s, {}, "stopped by user"), table, s)  # a cut-off run keeps no table
    again = bn.trained_model(s, table, record.artifacts["weights"])
    np.testing.assert_allclose(again.predict(data["x_test"], verbose=0), model.predict(data["x_test"], verbose=0),
                               atol=1e-6)
