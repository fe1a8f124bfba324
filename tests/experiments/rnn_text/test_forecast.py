"""nnkit.experiments.rnn_text.forecast: time-ordered windows, the naive baseline, the LSTM forecaster."""

import numpy as np
import pytest

from nnkit.core.series import Series
from nnkit.experiments.rnn_text import forecast as series


def test_windows_split_in_time_and_reconstruct_the_next_value():
    s = Series("ramp", np.arange(50.0), (np.arange(50.0) ** 1.5).astype("float32"), "u", "")
    w = series.make_windows(s, 5, 0.2)
    assert len(w.x_train) + len(w.x_test) == 45 and len(w.x_test) == 9
    np.testing.assert_allclose(w.x_train[:, -1, 0], 0)  # each window relative to its last value
    # target change * scale + last value gives back the true next value
    np.testing.assert_allclose(w.last_test + w.y_test[:, 0] * w.scale, w.actual_test, rtol=1e-5)
    np.testing.assert_allclose(w.actual_test, s.values[-9:], rtol=1e-6)
    assert w.time_test[0] == 41 and w.split_time == 41
    with pytest.raises(ValueError):
        series.make_windows(s, 40)


def test_naive_baseline_and_mae():
    s = Series("steps", np.arange(30.0), np.arange(30.0, dtype="float32") * 2, "u", "")
    w = series.make_windows(s, 3)
    assert series.mae(w.actual_test, series.naive_forecast(w)) == pytest.approx(2.0)
    # "no change" scores the mean squared scaled change, in the training loss's units
    assert series.naive_baseline(w).loss == pytest.approx(float(np.mean(w.y_train ** 2)))


def test_the_forecaster_learns_a_sine_better_than_naive():
    import nnkit
    from nnkit.core.diagnosis import LEARNED, diagnose
    from nnkit.core.training import TrainConfig

    t = np.arange(300.0)
    s = Series("sine", t, np.sin(t * 2 * np.pi / 12).astype("float32"), "u", "")
    w = series.make_windows(s, 12)
    model = series.build_forecaster(12, 16, learning_rate=0.02)
    result = nnkit.train(model, (w.x_train, w.y_train), TrainConfig(15, 16, 0.0, 0))
    assert series.mae(w.actual_test, series.forecast(model, w)) < 0.5 * series.mae(w.actual_test,
                                                                                  series.naive_forecast(w))
    assert diagnose(result.history, result.reason, series.naive_baseline(w), 15, None).kind == LEARNED
