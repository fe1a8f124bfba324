"""A learner's CSV: numeric columns parsed, every unusable file a clear message, names from the file
shown as plain text."""

import numpy as np
import pytest

from nnkit.experiments.autoencoder import csv_upload as an


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
    assert any("Non-numeric columns ignored: `text`" in n for n in parsed.notes)
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
    assert words.labels.sum() == 5 and any("`ok`" in n for n in words.notes)


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


def test_names_from_the_file_are_plain_text_and_cut():
    link = "[click](https://evil.example/login)"
    header = ",".join([f"{link}{i}" for i in range(10)] + ["x"])
    rows = "\n".join(",".join(["word"] * 10 + [str(i)]) for i in range(30))
    parsed = an.parse_csv(f"{header}\n{rows}".encode())
    note = next(n for n in parsed.notes if n.startswith("Non-numeric"))
    assert note.count("`") == 12 and "and 4 more" in note  # six names, each a code span (never a link)
    assert all(part.startswith("`[click]") for part in note.split(": ")[1].split(", ")[:6])
    long = an.parse_csv(f"{'y' * 500},x\n".encode() + "".join(f"w,{i}\n" for i in range(30)).encode()).notes[0]
    assert "`" + "y" * 40 + "…`" in long and len(long) < 100
    with pytest.raises(an.CSVError, match="no column named `\\*\\*bold\\*\\*`"):
        an.parse_csv(_csv(), "**bold**")
