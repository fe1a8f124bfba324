import keras
import numpy as np
import pytest

import nnkit
from nnkit.core import data, models
from nnkit.core.callbacks import StopRequest
from nnkit.core.training import DIVERGED, FINISHED, STOPPED, TrainConfig

SMALL = data.moons(n_samples=200, noise=0.2, seed=0)


def _weights(model):
    return [np.asarray(w) for w in model.get_weights()]


@pytest.mark.smoke
def test_same_seed_same_initial_weights_different_seed_differs():
    a = models.build_mlp(models.MLPConfig(seed=3), 2, 2)
    b = models.build_mlp(models.MLPConfig(seed=3), 2, 2)
    c = models.build_mlp(models.MLPConfig(seed=4), 2, 2)
    for wa, wb in zip(_weights(a), _weights(b)):
        np.testing.assert_array_equal(wa, wb)
    assert any(not np.array_equal(wa, wc) for wa, wc in zip(_weights(a), _weights(c)))


@pytest.mark.smoke
def test_training_is_reproducible_with_a_seed():
    config = TrainConfig(epochs=2, batch_size=16, seed=7)
    runs = [nnkit.train(models.build_mlp(models.MLPConfig(), 2, 2), SMALL, config) for _ in range(2)]
    assert runs[0].history["loss"] == pytest.approx(runs[1].history["loss"], rel=1e-5)


@pytest.mark.smoke
def test_finished_run_reports_timing_device_and_split():
    result = nnkit.train(models.build_mlp(models.MLPConfig(), 2, 2), SMALL,
                         TrainConfig(epochs=2, batch_size=16, validation_split=0.25))
    assert result.reason == FINISHED and result.epochs_run == 2
    assert set(result.history) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert result.seconds > 0 and result.seconds_per_epoch > 0 and result.samples_per_second > 0
    assert result.device.startswith(("CPU", "GPU")) or result.device
    assert len(result.validation[0]) == 50


@pytest.mark.smoke
def test_nan_loss_stops_with_reason_diverged():
    keras_model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    keras_model.compile(optimizer=keras.optimizers.SGD(learning_rate=1e6), loss="mse")
    x = np.random.default_rng(0).normal(size=(64, 2)).astype("float32") * 100
    y = x.sum(axis=1, keepdims=True)
    result = nnkit.train(keras_model, (x, y), TrainConfig(epochs=50, batch_size=8, validation_split=0))
    assert result.reason == DIVERGED
    assert result.epochs_run < 50
    assert "diverged" in result.message and "learning rate" in result.message


def test_stop_request_ends_at_the_next_epoch():
    stop = StopRequest()
    stop.request()
    result = nnkit.train(models.build_mlp(models.MLPConfig(), 2, 2), SMALL,
                         TrainConfig(epochs=10), stop=stop)
    assert result.reason == STOPPED and result.epochs_run == 1


def test_split_is_seeded_shuffled_and_sized():
    x, y = np.arange(100).reshape(50, 2), np.arange(50)
    (xt, yt), (xv, yv) = data.split(x, y, 0.2, seed=1)
    assert len(xv) == 10 and len(xt) == 40
    assert sorted(np.concatenate([yt, yv])) == list(range(50))
    assert list(yv) != list(range(40, 50))  # not Keras's "last rows" split
    with pytest.raises(ValueError):
        data.split(x, y, 1.0, seed=1)


def test_short_cpu_run_of_the_same_model_times_its_epochs():
    from nnkit.core.training import cpu_seconds_per_epoch

    model = models.build_mlp(models.MLPConfig(), 2, 2)
    assert cpu_seconds_per_epoch(model, SMALL, TrainConfig(batch_size=16)) > 0
