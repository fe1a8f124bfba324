"""nnkit.core.series: statsmodels data, time-ordered windows, naive baseline, LSTM forecaster."""

import numpy as np
import pytest

from nnkit.core import series


@pytest.mark.parametrize("name, n, unit", [("sunspots", 309, "sunspot number"), ("co2", 526, "ppm")])
def test_series_load_without_gaps(name, n, unit):
    s = series.load_series(name)
    assert len(s.values) == len(s.time) == n and s.unit == unit
    assert np.all(np.isfinite(s.values)) and np.all(np.diff(s.time) > 0)


def test_windows_split_in_time_and_reconstruct_the_next_value():
    s = series.Series("ramp", np.arange(50.0), (np.arange(50.0) ** 1.5).astype("float32"), "u", "")
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
    s = series.Series("steps", np.arange(30.0), np.arange(30.0, dtype="float32") * 2, "u", "")
    w = series.make_windows(s, 3)
    assert series.mae(w.actual_test, series.naive_forecast(w)) == pytest.approx(2.0)


def test_the_forecaster_learns_a_sine_better_than_naive():
    import nnkit
    from nnkit.core.training import TrainConfig

    t = np.arange(300.0)
    s = series.Series("sine", t, np.sin(t * 2 * np.pi / 12).astype("float32"), "u", "")
    w = series.make_windows(s, 12)
    model = series.build_forecaster(12, 16, learning_rate=0.02)
    nnkit.train(model, (w.x_train, w.y_train), TrainConfig(15, 16, 0.0, 0))
    assert series.mae(w.actual_test, series.forecast(model, w)) < 0.5 * series.mae(w.actual_test,
                                                                                  series.naive_forecast(w))


def test_lesson_reports_the_winner():
    assert "cuts the naive error by 50%" in series.series_lesson("sunspots", "u", 5.0, 10.0, 24)
    assert "naive baseline wins" in series.series_lesson("co2", "ppm", 2.0, 1.0, 12)
