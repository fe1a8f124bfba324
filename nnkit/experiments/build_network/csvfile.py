"""The learner's own CSV as a `Table`, or a `CSVError` saying what is wrong.

An upload is hostile until proven otherwise: empty, not UTF-8, a header with
no rows, ten thousand columns, no numbers at all, a target with one class,
gaps. Each gets a message naming the file or column (as plain text, via
`quote`) and what to fix; nothing else escapes.
"""

from __future__ import annotations

import io

import numpy as np

from nnkit.core.limits import MAX_UPLOAD_MB
from nnkit.core.plaintext import quote
from nnkit.experiments.build_network.tables import BINARY, MULTICLASS, REGRESSION, Table

MAX_ROWS = 5_000        # more rows are cut: training must stay quick on a shared CPU
MAX_COLUMNS = 100
MAX_CLASSES = 20
MIN_ROWS = 20
AUTO, CLASSIFICATION = "auto", "classification"
TASK_CHOICES = (AUTO, CLASSIFICATION, REGRESSION)


class CSVError(ValueError):
    """A CSV the page cannot learn from; the message is for the learner."""


def read_frame(blob: bytes, name: str = "your file"):
    """The CSV as a DataFrame (at most MAX_ROWS rows), plus notes on what was cut."""
    import pandas as pd

    shown = quote(name)
    if not blob:
        raise CSVError(f"The file {shown} is empty.")
    if len(blob) > MAX_UPLOAD_MB * 2**20:
        raise CSVError(f"The file {shown} is larger than {MAX_UPLOAD_MB} MB.")
    try:
        text = blob.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise CSVError(f"The file {shown} is not UTF-8 text. Save it as \"CSV UTF-8\" and upload it "
                       "again.") from None
    try:
        frame = pd.read_csv(io.StringIO(text), nrows=MAX_ROWS + 1)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError) as error:
        raise CSVError(f"The file {shown} could not be read as CSV: "
                       f"{quote(str(error).splitlines()[0] if str(error) else 'no columns', 120)}.") from None
    if frame.shape[1] > MAX_COLUMNS:
        raise CSVError(f"The file {shown} has {frame.shape[1]:,} columns; this page takes at most "
                       f"{MAX_COLUMNS} (one target and the features).")
    if frame.shape[1] < 2:
        raise CSVError(f"The file {shown} has {frame.shape[1]} column; it needs a target and at least "
                       "one feature.")
    if len(frame) == 0:
        raise CSVError(f"The file {shown} has a header but no rows of data.")
    notes = []
    if len(frame) > MAX_ROWS:
        frame = frame.iloc[:MAX_ROWS]
        notes.append(f"Only the first {MAX_ROWS:,} rows are used, to keep training quick.")
    frame.columns = [str(c) for c in frame.columns]
    return frame, notes


def columns(blob: bytes) -> list[str]:
    """The header's column names, for the target picker; [] when unreadable (parse says why)."""
    try:
        return list(read_frame(blob)[0].columns)
    except CSVError:
        return []


def infer_task(values) -> str:
    """Text, or at most 10 distinct whole numbers: classification; other numbers: regression."""
    import pandas as pd

    numbers = pd.to_numeric(values, errors="coerce")
    if numbers.isna().any():
        return CLASSIFICATION
    distinct = np.unique(numbers.to_numpy(dtype=float))
    return CLASSIFICATION if len(distinct) <= 10 and np.all(distinct == np.round(distinct)) else REGRESSION


def parse(blob: bytes, name: str, target: str | None = None, task: str = AUTO) -> Table:
    """A `Table` from CSV bytes: numeric feature columns, the `target` (default: the last column).

    Text and empty feature columns are dropped with a note, rows with gaps
    (or inf) are dropped and counted; `task` "auto" infers it from the target.
    """
    import pandas as pd

    frame, notes = read_frame(blob, name)
    target = frame.columns[-1] if target is None else target
    if target not in frame.columns:
        raise CSVError(f"There is no column {quote(target)} in {quote(name)}.")
    values = frame.pop(target)
    numeric = frame.apply(pd.to_numeric, errors="coerce").replace([np.inf, -np.inf], np.nan)
    text_columns = [c for c in frame.columns if numeric[c].isna().all() and frame[c].notna().any()]
    empty = [c for c in frame.columns if frame[c].isna().all()]
    for what, dropped in (("Text columns ignored", text_columns), ("Empty columns ignored", empty)):
        if dropped:
            notes.append(f"{what}: {', '.join(quote(c) for c in dropped[:8])}{' …' if len(dropped) > 8 else ''}.")
    numeric = numeric.drop(columns=text_columns + empty)
    if numeric.shape[1] == 0:
        raise CSVError(f"{quote(name)} has no numeric feature columns besides the target {quote(target)}: "
                       "a network learns from numbers.")
    keep = numeric.notna().all(axis=1) & values.notna()
    if not keep.all():
        notes.append(f"{int((~keep).sum()):,} rows with a missing, infinite or non-numeric value were dropped.")
    numeric, values = numeric[keep], values[keep]
    if len(numeric) < MIN_ROWS:
        raise CSVError(f"Only {len(numeric)} complete rows are left in {quote(name)}; at least {MIN_ROWS} "
                       "are needed to train, validate and test.")
    constant = [c for c in numeric.columns if numeric[c].nunique() <= 1]
    if len(constant) == numeric.shape[1]:
        raise CSVError(f"Every feature column of {quote(name)} holds a single value: there is nothing to learn.")
    if constant:
        notes.append(f"Constant columns ignored: {', '.join(quote(c) for c in constant[:8])}.")
        numeric = numeric.drop(columns=constant)
    kind = infer_task(values) if task == AUTO else task
    y, classes = _target(values, kind, target)
    task_name = REGRESSION if kind == REGRESSION else BINARY if len(classes) == 2 else MULTICLASS
    return Table(name, numeric.to_numpy("float64"), y, tuple(numeric.columns), target, task_name, classes,
                 f"Your file {quote(name)}: {len(numeric):,} rows, {numeric.shape[1]} numeric features, "
                 f"target {quote(target)}.", "your upload (stays in this browser session)", tuple(notes))


def _target(values, kind: str, target: str) -> tuple[np.ndarray, tuple[str, ...]]:
    import pandas as pd

    distinct = pd.unique(values)
    if kind == REGRESSION:
        numbers = pd.to_numeric(values, errors="coerce")
        if numbers.isna().any():
            raise CSVError(f"The target {quote(target)} holds text, so it cannot be a regression target; "
                           "choose classification.")
        if len(distinct) < 2:
            raise CSVError(f"The target {quote(target)} holds one value only: there is nothing to predict.")
        return numbers.to_numpy("float64"), ()
    if len(distinct) < 2:
        raise CSVError(f"The target {quote(target)} has only one class ({quote(str(distinct[0]))}): a "
                       "classifier needs at least two to tell apart.")
    if len(distinct) > MAX_CLASSES:
        raise CSVError(f"The target {quote(target)} has {len(distinct):,} different values; a classifier here "
                       f"takes at most {MAX_CLASSES}. If it is a number to predict, choose regression.")
    classes = sorted(distinct, key=lambda v: (isinstance(v, str), v))
    index = {v: i for i, v in enumerate(classes)}
    return np.array([index[v] for v in values], dtype=int), tuple(str(c) for c in classes)
