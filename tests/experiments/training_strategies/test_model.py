"""Training strategies: data splits, the net as LayerSpecs, and every remedy in the built model."""

import numpy as np
import pytest

import nnkit  # noqa: F401  (selects the backend)
from nnkit.core.data import split
from nnkit.experiments.training_strategies import model as ts
from nnkit.experiments.training_strategies import remedies

SETTINGS = {"dataset": "breast cancer", "rows": 60, "units": 16, "layers": 2, "lr": 0.003, "epochs": 3,
            "batch": 32, "seed": 3, "dropout": 0.3, "l2": 0.01, "small_units": 4, "more_rows": 200,
            "stop_patience": 2}


@pytest.mark.parametrize("name", ts.DATASETS)
def test_tables_load_offline_and_the_validation_rows_never_change(name):
    data = ts.tables(name, 0)
    x_val, y_val = data.validation
    assert len(x_val) == round((len(data.pool[0]) + len(x_val)) * ts.VALIDATION)
    assert x_val.dtype == np.float32 and set(np.unique(y_val)) <= set(range(ts.n_classes(name)))
    for rows in (30, 100):
        (x, y), fraction = data.for_train(rows, seed=7)
        (xt, yt), (xv, yv) = split(x, y, fraction, 7)  # what nnkit.train does with them
        np.testing.assert_array_equal(xv, x_val)
        np.testing.assert_array_equal(yv, y_val)
        np.testing.assert_array_equal(xt, data.pool[0][:rows])
        np.testing.assert_array_equal(yt, data.pool[1][:rows])


def _model(remedy):
    plan = remedies.plans(remedy, SETTINGS)[-1]
    return plan, ts.build(plan.net, 30, 2, SETTINGS["seed"])


def _layers(model):
    return {layer.__class__.__name__: layer.get_config() for layer in model.layers}


def test_dropout_puts_real_dropout_layers_in_the_model():
    _, model = _model(remedies.DROPOUT)
    rates = [layer.get_config()["rate"] for layer in model.layers if layer.__class__.__name__ == "Dropout"]
    assert rates == [0.3, 0.3]


def test_l2_puts_a_kernel_regularizer_on_every_hidden_layer():
    _, model = _model(remedies.L2)
    hidden = [layer.get_config() for layer in model.layers if layer.name.startswith("hidden")]
    assert all(c["kernel_regularizer"]["class_name"] == "L2" and c["kernel_regularizer"]["config"]["l2"]
               == pytest.approx(0.01) for c in hidden) and len(hidden) == 2
    assert model.losses  # Keras adds the penalty to the training loss


def test_smaller_network_and_batch_norm_change_the_layers():
    _, small = _model(remedies.SMALLER)
    assert [layer.units for layer in small.layers if layer.name.startswith("hidden")] == [4, 4]
    _, normed = _model(remedies.BATCH_NORM)
    assert sum(layer.__class__.__name__ == "BatchNormalization" for layer in normed.layers) == 2
    _, base = _model(None)
    assert not {"Dropout", "BatchNormalization"} & set(_layers(base))
    assert all(layer.get_config().get("kernel_regularizer") is None for layer in base.layers)


def test_early_stopping_and_more_data_change_the_fit_not_the_net():
    stop, _ = _model(remedies.EARLY_STOP)
    callback = stop.callbacks[0].build()
    import keras
    assert isinstance(callback, keras.callbacks.EarlyStopping)
    assert callback.patience == 2 and callback.restore_best_weights and callback.monitor == "val_loss"
    base, more = remedies.plans(remedies.MORE_DATA, SETTINGS, available=150)
    assert (base.rows, more.rows) == (60, 150) and base.net == more.net  # capped by the pool


@pytest.mark.parametrize("remedy", [remedies.DROPOUT, remedies.BATCH_NORM, remedies.L2])
def test_a_remedy_starts_from_the_same_initial_weights(remedy):
    # Dropout and BatchNormalization draw random seeds when built; per-layer seeded
    # initialisers keep the Dense weights identical anyway.
    _, base = _model(None)
    _, other = _model(remedy)
    dense = lambda m: [layer.get_weights() for layer in m.layers if layer.__class__.__name__ == "Dense"]
    for a, b in zip(dense(base), dense(other), strict=True):
        for wa, wb in zip(a, b):
            np.testing.assert_array_equal(wa, wb)


def test_each_remedy_shows_its_one_line_of_keras_code_from_the_built_spec():
    lines = {r: remedies.code_line(r, SETTINGS, 30, 2) for r in remedies.REMEDIES}
    assert lines[remedies.DROPOUT] == "keras.layers.Dropout(0.3, name='dropout_1')"
    assert "kernel_regularizer=keras.regularizers.L2(l2=0.01)" in lines[remedies.L2]
    assert lines[remedies.SMALLER].startswith("keras.layers.Dense(4, activation='relu'")
    assert lines[remedies.BATCH_NORM] == "keras.layers.BatchNormalization(name='batch_norm_1')"
    assert lines[remedies.EARLY_STOP] == ("callbacks=[keras.callbacks.EarlyStopping(monitor='val_loss', "
                                          "patience=2, restore_best_weights=True)]")
    assert "x_train[:200]" in lines[remedies.MORE_DATA]
    import keras
    assert eval(lines[remedies.DROPOUT], {"keras": keras}).rate == 0.3  # the line is real Keras


def test_gap_reads_the_best_epoch_and_the_final_gap():
    gap = ts.gap_of({"binary_crossentropy": [0.6, 0.3, 0.1, 0.05], "val_binary_crossentropy": [0.6, 0.4, 0.45, 0.5],
                     "loss": [9, 9, 9, 9], "val_loss": [9, 9, 9, 9]}, "binary_crossentropy")
    assert (gap.best_epoch, gap.best_val_loss, gap.final_epoch) == (2, 0.4, 4)
    assert gap.gap == pytest.approx(0.45)
    assert ts.gap_of({"loss": [1.0]}) is None
    assert ts.fit_key_of({"sparse_categorical_crossentropy": [1]}) == "sparse_categorical_crossentropy"
