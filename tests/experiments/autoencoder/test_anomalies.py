"""Anomaly data: the injector's labels, windowing, normal-only training sets, CSV parsing."""

import numpy as np
import pytest

from nnkit.experiments.autoencoder import anomalies as an


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


def test_breast_cancer_trains_on_benign_only_and_tests_on_both():
    data = an.breast_cancer(seed=0)
    assert data.x_train.shape[1] == 30 and data.kind == "table"
    assert int(data.y_test.sum()) == 212  # every malignant tumour is a test anomaly
    assert len(data.x_train) + (data.y_test == 0).sum() == 357  # all benign, split
    # standardised on the benign training rows only
    assert np.allclose(data.x_train.mean(0), 0, atol=1e-5)
    assert set(data.groups[data.y_test == 1]) == {"malignant"}


def test_digits_normal_class_split():
    data = an.digits(normal=(3,), seed=0)
    assert data.sample_shape == (8, 8, 1) and data.unit_range
    assert set(data.groups[data.y_test == 0]) == {"3"}
    assert "3" not in set(data.groups[data.y_test == 1])
    with pytest.raises(ValueError, match="at least one"):
        an.digits(normal=())
    with pytest.raises(ValueError, match="leave at least one"):
        an.digits(normal=tuple(range(10)))


def test_normal_classes_from_link_text():
    assert an.normal_classes(an.DIGITS_SRC, "3, 7,3") == ((3, 7), None)
    assert an.normal_classes(an.FASHION_SRC, "Sneaker,Bag") == ((7, 8), None)
    assert an.normal_classes(an.DIGITS_SRC, "") == ((), None)  # the loader then asks for a class
    kept, note = an.normal_classes(an.DIGITS_SRC, "2,Coat")
    assert kept == (2,) and "'Coat'" in note
    kept, note = an.normal_classes(an.FASHION_SRC, "0")  # a digits link on Fashion: its default class
    assert kept == (7,)
    assert "Sneaker" in note
    assert an.normal_classes(an.CANCER_SRC, "0") == ((), None)  # tables have no classes to pick


@pytest.mark.parametrize("name", list(an.SERIES))
def test_real_series_windows_have_clean_training_data(name):
    data = an.series_set(name, seed=0)
    assert data.kind == "series" and data.x_train.ndim == 3
    assert 0 < data.y_test.sum() < len(data.y_test)
    assert np.isfinite(data.x_train).all() and np.isfinite(data.x_test).all()


# ---- CSV -------------------------------------------------------------------------

def _csv(rows: int = 40, extra: str = "", label=None) -> bytes:
    rng = np.random.default_rng(0)
    lines = ["a,b,c" + (",text" if extra else "") + (",label" if label is not None else "")]
    for i in range(rows):
        row = f"{rng.normal():.3f},{rng.normal():.3f},{i}"
        if extra:
            row += f",{extra}{i}"
        if label is not None:
            row += f",{label(i)}"
        lines.append(row)
    return "\n".join(lines).encode()


def test_csv_numeric_columns_parsed_and_text_columns_reported():
    parsed = an.parse_csv(_csv(extra="word", label=lambda i: int(i % 10 == 0)), "label")
    assert parsed.columns == ("a", "b", "c") and parsed.x.shape == (40, 3)
    assert parsed.labels.sum() == 4
    assert any("Non-numeric columns ignored: text" in n for n in parsed.notes)
    data = an.csv_set(parsed)
    assert data.labelled and data.y_test.sum() == 4 and data.kind == "table"


@pytest.mark.parametrize("content, message", [
    (b"", "empty"),
    (b"name,city\nann,paris\nbob,rome\n", "no numeric columns"),
    (b"a,b\n1,2\n", "Only 1 usable rows"),
    (b"a,b\n" + b"1,1\n" * 30, "constant"),
    (b"a,b\n" + b"x,\n" * 30, "no numeric columns"),
    (b"\xff\xfe\x00bad", "could not be read"),
])
def test_csv_errors_are_clear(content, message):
    with pytest.raises(an.CSVError, match=message):
        an.parse_csv(content)


def test_csv_nan_rows_are_dropped_and_counted():
    text = _csv(30).decode().splitlines()
    text[3] = "1.0,,5"
    text[4] = "nan,2,3"
    parsed = an.parse_csv("\n".join(text).encode())
    assert len(parsed.x) == 28 and np.isfinite(parsed.x).all()
    assert any("2 rows" in n for n in parsed.notes)


def test_csv_label_column_problems():
    with pytest.raises(an.CSVError, match="3 different values"):
        an.parse_csv(_csv(label=lambda i: i % 3), "label")
    with pytest.raises(an.CSVError, match="labelled normal"):
        an.parse_csv(_csv(label=lambda i: 1), "label")
    with pytest.raises(an.CSVError, match="no column named"):
        an.parse_csv(_csv(), "missing")
    words = an.parse_csv(_csv(label=lambda i: "bad" if i % 8 == 0 else "ok"), "label")
    assert words.labels.sum() == 5 and any("'ok'" in n for n in words.notes)


def test_csv_too_big_and_too_many_rows(monkeypatch):
    with pytest.raises(an.CSVError, match="MB"):
        an.parse_csv(b"a,b\n" + b"1,2\n" * (an.MAX_CSV_BYTES // 4 + 1))
    monkeypatch.setattr(an, "MAX_CSV_ROWS", 25)
    parsed = an.parse_csv(_csv(40))
    assert len(parsed.x) == 25 and any("first 25 rows" in n for n in parsed.notes)


def test_single_column_csv_is_a_series_and_needs_enough_rows():
    values = np.sin(np.arange(200) / 5)
    parsed = an.parse_csv(("v\n" + "\n".join(f"{v:.4f}" for v in values)).encode())
    data = an.csv_set(parsed, width=16)
    assert data.kind == "series" and data.sample_shape == (16, 1) and not data.labelled
    with pytest.raises(an.CSVError, match="time series"):
        an.csv_set(an.parse_csv(("v\n" + "\n".join(map(str, range(25)))).encode()), width=16)
