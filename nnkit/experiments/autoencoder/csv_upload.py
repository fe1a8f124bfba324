"""A learner's CSV: numeric columns, an optional 0/1 label column, and every
way such a file can be unusable turned into a message saying what to fix.

Column names and label values come from the file, so every message quotes
them as plain text (`nnkit.core.plaintext.quote`): a column called
`[click](https://…)` must not become a link inside the page's info box.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import numpy as np

from nnkit.core.plaintext import quote
from nnkit.experiments.autoencoder.injection import windows
from nnkit.experiments.autoencoder.samples import MIN_ROWS, AnomalySet, _split_normal, _standardise

MAX_CSV_BYTES = 5 * 2**20
MAX_CSV_ROWS = 20_000         # more rows are cut (CPU training must stay fast)


class CSVError(ValueError):
    """An uploaded table we cannot use, with a message a learner can act on."""


def _names(values, limit: int = 6) -> str:
    """Names from the file as plain text: the first `limit`, then how many more."""
    values = list(values)
    more = f" and {len(values) - limit:,} more" if len(values) > limit else ""
    return ", ".join(quote(v) for v in values[:limit]) + more


@dataclass(frozen=True)
class ParsedCSV:
    """Numeric features, optional 0/1 labels (1 = anomaly), and what was changed."""

    x: np.ndarray
    labels: np.ndarray | None
    columns: tuple[str, ...]
    notes: tuple[str, ...]


def parse_csv(data: bytes, label_column: str | None = None) -> ParsedCSV:
    """Parse an uploaded CSV into numeric features and optional labels.

    Non-numeric and all-constant columns are dropped (and reported), rows with
    missing values are dropped (and counted). Anything that leaves nothing to
    learn from raises `CSVError` with the reason.
    """
    import pandas as pd

    if not data:
        raise CSVError("The file is empty.")
    if len(data) > MAX_CSV_BYTES:
        raise CSVError(f"The file is {len(data) / 2**20:.1f} MB; please upload a CSV under "
                       f"{MAX_CSV_BYTES // 2**20} MB.")
    try:
        frame = pd.read_csv(io.BytesIO(data), nrows=MAX_CSV_ROWS + 1)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError, ValueError) as exc:
        raise CSVError(f"This file could not be read as CSV ({quote(exc, 150)}).") from exc
    notes: list[str] = []
    if len(frame) > MAX_CSV_ROWS:
        frame = frame.iloc[:MAX_CSV_ROWS]
        notes.append(f"Only the first {MAX_CSV_ROWS:,} rows are used, to keep training fast.")
    labels = None
    if label_column:
        if label_column not in frame.columns:
            raise CSVError(f"There is no column named {quote(label_column)}.")
        labels_raw = frame.pop(label_column)
        frame = frame[labels_raw.notna()]
        labels_raw = labels_raw.dropna()
        labels = _binary_labels(labels_raw, notes)
    # inf is as useless to a network as a gap: treat both as missing.
    numeric = frame.apply(pd.to_numeric, errors="coerce").replace([np.inf, -np.inf], np.nan)
    empty = [c for c in frame.columns if frame[c].isna().all()]
    text_cols = [c for c in frame.columns if numeric[c].isna().all() and c not in empty]
    if text_cols:
        notes.append(f"Non-numeric columns ignored: {_names(text_cols)}.")
    if empty:
        notes.append(f"Empty columns ignored: {_names(empty)}.")
    numeric = numeric.drop(columns=text_cols + empty)
    if numeric.shape[1] == 0:
        raise CSVError("The file has no numeric columns to learn from"
                       + (f" (non-numeric: {_names(text_cols)})." if text_cols else "."))
    bad = numeric.isna().any(axis=1).to_numpy()
    if bad.any():
        notes.append(f"{int(bad.sum())} rows with missing, infinite or non-numeric values were dropped.")
        numeric = numeric[~bad]
        labels = labels[~bad] if labels is not None else None
    if len(numeric) < MIN_ROWS:
        raise CSVError(f"Only {len(numeric)} usable rows; at least {MIN_ROWS} are needed.")
    constant = [c for c in numeric.columns if numeric[c].nunique() <= 1]
    if len(constant) == numeric.shape[1]:
        raise CSVError("Every numeric column is constant: there is nothing to learn.")
    if constant:
        notes.append("Constant columns ignored (they carry no information): "
                     + _names(constant) + ".")
        numeric = numeric.drop(columns=constant)
    if labels is not None and (labels == 0).sum() < MIN_ROWS // 2:
        raise CSVError(f"Only {int((labels == 0).sum())} rows are labelled normal; the autoencoder "
                       f"needs at least {MIN_ROWS // 2} normal rows to train on.")
    return ParsedCSV(numeric.to_numpy("float64"), labels, tuple(map(str, numeric.columns)),
                     tuple(notes))


def csv_columns(data: bytes) -> list[str]:
    """Column names from a CSV's header (for the label picker); [] if unreadable."""
    import pandas as pd

    try:
        return [str(c) for c in pd.read_csv(io.BytesIO(data), nrows=0).columns]
    except Exception:  # noqa: BLE001 - parse_csv reports the real problem
        return []


def _binary_labels(values, notes: list[str]) -> np.ndarray:
    """0/1 (or False/True) as is; any other two values: the commoner one is normal."""
    distinct = list(values.unique())
    if len(distinct) > 2:
        shown = _names(distinct)
        raise CSVError(f"The label column has {len(distinct)} different values ({shown}); it needs "
                       "two: normal and anomaly (e.g. 0 and 1).")
    if set(distinct) <= {0, 1}:  # also True/False and 0.0/1.0
        return values.astype(int).to_numpy()
    normal = values.value_counts().index[0]
    notes.append(f"Label {quote(normal)} (the most common) is taken as normal, the other as anomaly.")
    return (values != normal).astype(int).to_numpy()


def csv_set(parsed: ParsedCSV, width: int = 32, seed: int = 0) -> AnomalySet:
    """An `AnomalySet` from a parsed CSV.

    Several columns: each row is a sample (standardised on the normal training
    rows). One column: it is a time series and is cut into windows of `width`.
    Without labels every row counts as normal: the page can still show the
    error histogram and flag the worst rows, but not precision or recall.
    """
    labels = parsed.labels if parsed.labels is not None else np.zeros(len(parsed.x), int)
    if parsed.x.shape[1] == 1:
        series = parsed.x[:, 0]
        if len(series) < 2 * width:
            raise CSVError(f"A single column is read as a time series; it needs at least {2 * width} "
                           f"rows for windows of {width}, it has {len(series)}.")
        cut = int(len(series) * 0.6)
        mean, std = series[:cut].mean(), series[:cut].std() or 1.0
        scaled = (series - mean) / std
        x_all, y_all = windows(scaled, labels, width)
        first = np.arange(len(x_all)) < cut - width + 1
        train = first & (y_all == 0)
        if train.sum() < 2:
            raise CSVError("The first 60% of the series has no normal stretch long enough to train on.")
        x_tr, x_te, y_te, kind = x_all[train], x_all[~first], y_all[~first], "series"
    else:
        normal_idx, anomalous = np.flatnonzero(labels == 0), np.flatnonzero(labels == 1)
        train, held = _split_normal(len(normal_idx), seed)
        x_tr, x_held, x_anom = _standardise(parsed.x[normal_idx[train]], parsed.x[normal_idx[held]],
                                            parsed.x[anomalous])
        x_te = np.concatenate([x_held, x_anom])
        y_te = np.concatenate([np.zeros(len(held), int), np.ones(len(anomalous), int)])
        kind = "table"
    return AnomalySet("your CSV", kind, x_tr, x_te, y_te,
                      f"{len(parsed.x):,} rows × {len(parsed.columns)} numeric columns; "
                      f"{len(x_tr):,} normal samples train, {len(x_te):,} are scored.",
                      "your upload", np.where(y_te == 1, "anomaly", "normal"), parsed.notes,
                      labelled=parsed.labels is not None)
