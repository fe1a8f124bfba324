"""A learner's CSV: every bad file gets a clear message naming it in plain text; good ones parse."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nnkit.core.limits import MAX_UPLOAD_MB
from nnkit.experiments.build_network import csvfile
from nnkit.experiments.build_network.tables import BINARY, MULTICLASS, REGRESSION


def _csv(rows: int = 60, seed: int = 0, target=lambda i, x: "yes" if x > 0 else "no") -> bytes:
    rng = np.random.default_rng(seed)
    lines = ["a,b,note,label"]
    for i in range(rows):
        a, b = rng.normal(size=2)
        lines.append(f"{a:.4f},{b:.4f},text{i},{target(i, a)}")
    return "\n".join(lines).encode()


@pytest.mark.parametrize("blob, says", [
    (b"", "is empty"),
    (b"name,colour\nx,red\ny,blue\n" * 1, "no numeric feature columns besides the target `colour`"),
    ("a,b,label\n" + "".join(f"{i},{i * 2},same\n" for i in range(40)), "only one class (`same`)"),
    ("a,label\n1,x\n", "Only 1 complete rows"),
    ("a,b,label\n", "header but no rows"),
    (",".join(f"c{i}" for i in range(10_000)) + "\n" + ",".join("1" for _ in range(10_000)), "10,000 columns"),
    ("a,b\n1,2\n".encode("utf-16"), "not UTF-8"),
    (b"\xff\xfe\x00garbage\x81", "not UTF-8"),
    ("only\n1\n2\n", "1 column"),
    ("a,b,label\n" + "".join(f"{i},{i},{i % 2}\n" if i % 3 else f"{i},,{i % 2}\n" for i in range(24)), "complete rows"),
    ("a,b,label\n" + "".join(f"1,2,{i % 2}\n" for i in range(30)), "holds a single value"),
])
def test_bad_files_get_a_clear_message(blob, says):
    blob = blob if isinstance(blob, bytes) else blob.encode()
    with pytest.raises(csvfile.CSVError) as error:
        csvfile.parse(blob, "data.csv")
    assert says in str(error.value) and "Traceback" not in str(error.value)


def test_a_file_over_the_upload_cap_is_refused():
    with pytest.raises(csvfile.CSVError, match=f"larger than {MAX_UPLOAD_MB} MB"):
        csvfile.parse(b"a," * (MAX_UPLOAD_MB * 2**20), "big.csv")


def test_file_and_column_names_are_plain_text():
    with pytest.raises(csvfile.CSVError) as error:
        csvfile.parse(b"a,b\n1,2\n", "[click](http://evil.example).csv", target="**bold**")
    message = str(error.value)
    assert "`**bold**`" in message and "`[click](http://evil.example).csv`" in message


def test_a_good_file_parses_with_notes_on_what_was_dropped():
    text = _csv().decode().splitlines()
    text[3] = "inf," + text[3].split(",", 1)[1]
    table = csvfile.parse("\n".join(text).encode(), "mine.csv")
    assert table.task == BINARY and table.class_names == ("no", "yes")
    assert table.features == ("a", "b") and table.target == "label" and len(table.x) == 59
    assert any("Text columns ignored: `note`" in n for n in table.notes)
    assert any("1 rows with a missing" in n for n in table.notes)
    assert np.isfinite(table.x).all()


def test_task_is_inferred_and_can_be_overridden():
    three = csvfile.parse(_csv(target=lambda i, x: str(i % 3)), "t.csv")
    assert three.task == MULTICLASS and three.class_names == ("0", "1", "2")
    numbers = csvfile.parse(_csv(target=lambda i, x: f"{x * 10 + 0.5:.3f}"), "t.csv")
    assert numbers.task == REGRESSION and numbers.y.dtype == float
    assert csvfile.parse(_csv(target=lambda i, x: str(i % 3)), "t.csv", task=REGRESSION).task == REGRESSION
    with pytest.raises(csvfile.CSVError, match="at most 20"):
        csvfile.parse(_csv(target=lambda i, x: f"{x:.3f}"), "t.csv", task=csvfile.CLASSIFICATION)
    with pytest.raises(csvfile.CSVError, match="holds text"):
        csvfile.parse(_csv(), "t.csv", task=REGRESSION)
    picked = csvfile.parse(_csv(), "t.csv", target="b")
    assert picked.target == "b" and picked.task == REGRESSION and "b" not in picked.features


def test_columns_for_the_picker():
    assert csvfile.columns(_csv()) == ["a", "b", "note", "label"]
    assert csvfile.columns(b"\xff\xfe") == []


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=400))
def test_any_bytes_give_a_table_or_a_csv_error(blob):
    try:
        table = csvfile.parse(blob, "fuzz.csv")
    except csvfile.CSVError as error:
        assert str(error)
    else:
        assert len(table.x) == len(table.y) >= csvfile.MIN_ROWS and np.isfinite(table.x).all()


cell = st.one_of(st.integers(-5, 5).map(str), st.floats(-1e6, 1e6).map(str),
                 st.sampled_from(["", "a", "b", "inf", "-", "NaN", '"x,y"', "é", "1e309"]))


@settings(max_examples=150, deadline=None)
@given(st.integers(2, 5).flatmap(lambda k: st.tuples(
    st.lists(st.text("abc€ ,\"", min_size=0, max_size=4), min_size=k, max_size=k),
    st.lists(st.lists(cell, min_size=k, max_size=k), min_size=0, max_size=40))),
    st.sampled_from(csvfile.TASK_CHOICES))
def test_any_small_table_gives_a_table_or_a_csv_error(header_rows, task):
    header, rows = header_rows
    text = "\n".join([",".join(header), *(",".join(r) for r in rows)])
    try:
        table = csvfile.parse(text.encode(), "fuzz.csv", task=task)
    except csvfile.CSVError as error:
        assert str(error)
    else:
        assert table.x.shape == (len(table.y), len(table.features)) and np.isfinite(table.x).all()
        if table.task != REGRESSION:
            assert set(np.unique(table.y)) <= set(range(table.n_classes)) and table.n_classes >= 2
