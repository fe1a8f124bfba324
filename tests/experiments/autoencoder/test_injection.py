"""Injected anomalies in real series: the injector's labels, windowing, clean training windows."""

import numpy as np
import pytest

from nnkit.experiments.autoencoder import injection as an


def test_injector_changes_exactly_the_labelled_points_and_events_match():
    rng = np.random.default_rng(1)
    series = np.sin(np.linspace(0, 30, 600)) + rng.normal(0, 0.05, 600)
    out, labels, events = an.inject_anomalies(series, n_events=9, seed=3)
    changed = (out != series).astype(int)
    assert np.array_equal(changed, labels)
    assert len(events) == 9 and {e["kind"] for e in events} == set(an.ANOMALY_KINDS)
    from_events = np.zeros_like(labels)
    for e in events:
        from_events[e["start"]:e["end"]] = 1
        if e["kind"] == an.SPIKE:
            assert e["end"] - e["start"] == 1
            assert out[e["start"]] - series[e["start"]] == pytest.approx(e["size"])
        if e["kind"] == an.LEVEL_SHIFT:  # the same offset over the whole stretch
            assert np.allclose(out[e["start"]:e["end"]] - series[e["start"]:e["end"]], e["size"])
    assert np.array_equal(from_events, labels)
    assert np.array_equal(series, np.sin(np.linspace(0, 30, 600)) + np.random.default_rng(1).normal(0, 0.05, 600))


def test_injector_is_seeded():
    series = np.arange(300.0)
    a = an.inject_anomalies(series, seed=5)
    b = an.inject_anomalies(series, seed=5)
    c = an.inject_anomalies(series, seed=6)
    assert np.array_equal(a[0], b[0]) and a[2] == b[2]
    assert a[2] != c[2]


def test_injector_rejects_unknown_kinds():
    with pytest.raises(ValueError, match="unknown anomaly kind"):
        an.inject_anomalies(np.zeros(100), n_events=1, kinds=("meteor",))


def test_windows_label_a_window_anomalous_iff_it_touches_an_anomaly():
    series = np.arange(20.0)
    labels = np.zeros(20, int)
    labels[10] = 1
    x, y = an.windows(series, labels, width=4)
    assert x.shape == (17, 4, 1)
    assert np.array_equal(x[3, :, 0], [3, 4, 5, 6])
    assert np.array_equal(np.flatnonzero(y), [7, 8, 9, 10])


@pytest.mark.parametrize("name", list(an.SERIES))
def test_real_series_windows_have_clean_training_data(name):
    data = an.series_set(name, seed=0)
    assert data.kind == "series" and data.x_train.ndim == 3
    assert 0 < data.y_test.sum() < len(data.y_test)
    assert np.isfinite(data.x_train).all() and np.isfinite(data.x_test).all()


def test_series_load_through_core_series():
    from nnkit.core import series

    np.testing.assert_array_equal(an.load_series("Sunspots (yearly)"), series.raw_values("sunspots"))
    assert len(an.load_series("CO₂ at Mauna Loa (weekly)")) == 2284
