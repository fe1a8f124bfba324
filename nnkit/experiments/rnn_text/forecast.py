"""Forecasting a real series with an LSTM, against the naive "tomorrow = today".

Why predict the *change*: an LSTM fed raw CO₂ levels must output values it
never saw in training (the series keeps rising), and fails. Feeding each
window relative to its last value and predicting the next step's change keeps
inputs and targets in the range seen in training, and makes the comparison
with the naive baseline direct: the baseline is a model that always predicts
a change of zero.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nnkit.core import backend
from nnkit.core.diagnosis import Baseline
from nnkit.core.series import Series


@dataclass
class Windows:
    """Windows of past values and next-step targets, split in time (no peeking)."""

    x_train: np.ndarray   # (n, window, 1), relative to each window's last value, scaled
    y_train: np.ndarray   # (n, 1): scaled change to the next value
    x_test: np.ndarray
    y_test: np.ndarray
    last_test: np.ndarray  # last value of each test window (original units)
    actual_test: np.ndarray  # the true next values (original units)
    time_test: np.ndarray
    scale: float           # std of one-step changes in the training part
    split_time: float


def make_windows(series: Series, window: int, test_fraction: float = 0.2) -> Windows:
    """Slice the series into (past `window` values -> next value) pairs.

    The last `test_fraction` of targets is the test set; its windows may look
    back into the training period (that is the past, so it is allowed). The
    scale comes from the training part only.
    """
    v = series.values.astype("float64")
    if window < 2 or window > len(v) // 3:
        raise ValueError(f"Window must be between 2 and {len(v) // 3} steps for this series.")
    starts = np.arange(len(v) - window)
    past = v[starts[:, None] + np.arange(window)]
    nxt = v[starts + window]
    last = past[:, -1]
    n_test = max(1, int(round(len(nxt) * test_fraction)))
    n_train = len(nxt) - n_test
    scale = float(np.std(np.diff(v[:n_train + window]))) or 1.0
    x = ((past - last[:, None]) / scale)[..., None].astype("float32")
    y = ((nxt - last) / scale)[:, None].astype("float32")
    return Windows(x[:n_train], y[:n_train], x[n_train:], y[n_train:], last[n_train:], nxt[n_train:],
                   series.time[starts[n_train:] + window], scale, float(series.time[n_train + window]))


def build_forecaster(window: int, units: int = 32, learning_rate: float = 0.01, seed: int = 0):
    """Input(window, 1) -> LSTM(units) -> Dense(1), trained with MSE (MAE reported)."""
    import keras

    backend.set_seed(seed)
    model = keras.Sequential([keras.Input((window, 1)), keras.layers.LSTM(units, name="lstm"),
                              keras.layers.Dense(1, name="change")], name="forecaster")
    model.compile(optimizer=keras.optimizers.Adam(learning_rate, clipnorm=1.0), loss="mse", metrics=["mae"])
    return model


def forecast(model, windows: Windows) -> np.ndarray:
    """One-step-ahead forecasts for the test windows, in original units."""
    change = np.asarray(model.predict(windows.x_test, verbose=0, batch_size=256)).reshape(-1)
    return windows.last_test + change * windows.scale


def mae(actual: np.ndarray, predicted: np.ndarray) -> float:
    """Mean absolute error, ignoring nothing (both must be finite)."""
    return float(np.mean(np.abs(np.asarray(actual) - np.asarray(predicted))))


def naive_forecast(windows: Windows) -> np.ndarray:
    """The baseline: the next value equals the last one seen."""
    return windows.last_test.copy()


def naive_baseline(windows: Windows) -> Baseline:
    """The loss of "no change" (tomorrow = today) in the forecaster's own units: the
    mean squared scaled change, which is what the LSTM must beat."""
    return Baseline("always predicting no change (tomorrow = today)", float(np.mean(windows.y_train ** 2)))
