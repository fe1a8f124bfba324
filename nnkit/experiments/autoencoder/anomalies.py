"""Anomaly-detection data: "normal" examples to train on, a labelled test set.

An autoencoder for anomaly detection learns only what normal data looks like,
so every loader here returns the same shape of thing, an `AnomalySet`:
normal-only training rows and a test set whose labels say which rows are
anomalous (1) and which are normal (0). Sources, all offline:

- images: scikit-learn digits or Fashion-MNIST (via `nnkit.core.images`), one or
  more classes are "normal", the other classes are anomalies;
- a table: scikit-learn breast cancer, benign is normal, malignant anomalous;
- a series: statsmodels' CO₂ or sunspots, cut into windows, with spikes,
  level shifts and noise bursts injected by a seeded, labelled generator;
- the learner's CSV (numeric columns, optional 0/1 label column).
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field

import numpy as np

TRAIN_FRACTION = 0.7          # share of normal rows used for training
MIN_ROWS = 20                 # fewer rows cannot train and test anything
MAX_CSV_BYTES = 5 * 2**20
MAX_CSV_ROWS = 20_000         # more rows are cut (CPU training must stay fast)
SPIKE, LEVEL_SHIFT, NOISE_BURST = "spike", "level shift", "noise burst"
ANOMALY_KINDS = (SPIKE, LEVEL_SHIFT, NOISE_BURST)


class CSVError(ValueError):
    """An uploaded table we cannot use, with a message a learner can act on."""


@dataclass(frozen=True)
class AnomalySet:
    """Normal training rows and a labelled test set, shaped for an autoencoder.

    `sample_shape` is one example's shape: (H, W, 1) for images, (width, 1)
    for series windows, (features,) for tables. `groups` are the test rows'
    original class names (e.g. "3", "Sneaker"), used to colour the latent space.
    """

    name: str
    kind: str                         # "image", "series" or "table"
    x_train: np.ndarray               # normal rows only
    x_test: np.ndarray
    y_test: np.ndarray                # 1 = anomaly, 0 = normal
    description: str
    source: str
    groups: np.ndarray = field(default=None, repr=False)
    notes: tuple[str, ...] = ()
    unit_range: bool = False          # values in [0, 1] (pixels): sigmoid output fits
    labelled: bool = True             # False for a CSV without a label column

    @property
    def sample_shape(self) -> tuple[int, ...]:
        return tuple(int(s) for s in self.x_train.shape[1:])

    def __repr__(self) -> str:
        return (f"AnomalySet({self.name!r}, train={self.x_train.shape}, test={self.x_test.shape}, "
                f"anomalies={int(self.y_test.sum())})")


def _split_normal(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    order = np.random.default_rng(seed).permutation(n)
    cut = int(round(n * TRAIN_FRACTION))
    return order[:cut], order[cut:]


def _standardise(train: np.ndarray, *others: np.ndarray) -> list[np.ndarray]:
    """Scale with the NORMAL training rows' mean and spread only.

    Why: statistics that include the anomalies would leak what they look like
    into the "normal" scale.
    """
    mean, std = train.mean(0), train.std(0)
    std = np.where(std > 0, std, 1.0)
    return [((a - mean) / std).astype("float32") for a in (train, *others)]


# ---- images ----------------------------------------------------------------------

def from_classes(name: str, x: np.ndarray, y: np.ndarray, class_names: tuple[str, ...],
                 normal: tuple[int, ...], seed: int = 0, source: str = "",
                 notes: tuple[str, ...] = (), max_anomaly_ratio: float = 1.0) -> AnomalySet:
    """Split a labelled image set: `normal` classes train, every other class is an anomaly.

    The test set holds the held-out 30% of normal images plus at most
    `max_anomaly_ratio` times as many anomalies (a random pick), so the
    histogram shows both groups at a readable size.
    """
    if not normal:
        raise ValueError("choose at least one normal class")
    is_normal = np.isin(y, normal)
    if is_normal.all():
        raise ValueError("every class is marked normal: leave at least one class as the anomaly")
    normal_idx, other_idx = np.flatnonzero(is_normal), np.flatnonzero(~is_normal)
    train, held = _split_normal(len(normal_idx), seed)
    rng = np.random.default_rng(seed + 1)
    n_anom = min(len(other_idx), max(1, int(len(held) * max_anomaly_ratio)))
    anomalies = rng.choice(other_idx, n_anom, replace=False)
    test = np.concatenate([normal_idx[held], anomalies])
    labels = np.concatenate([np.zeros(len(held), int), np.ones(n_anom, int)])
    picked = ", ".join(class_names[c] for c in normal)
    return AnomalySet(name, "image", x[normal_idx[train]], x[test], labels,
                      f"Normal = {picked}: {len(train):,} training images; test = {len(held):,} "
                      f"held-out normal + {n_anom:,} images of other classes.",
                      source, np.array([class_names[c] for c in y[test]]), notes, unit_range=True)


def digits(normal: tuple[int, ...] = (0,), seed: int = 0) -> AnomalySet:
    """scikit-learn's 8×8 digits as (8, 8, 1) images in [0, 1]."""
    from sklearn.datasets import load_digits

    bunch = load_digits()
    x = (bunch.images / 16.0).astype("float32")[..., None]
    return from_classes("digits 8×8", x, bunch.target, tuple(str(d) for d in range(10)), normal,
                        seed, "scikit-learn load_digits (UCI Optical Recognition of Handwritten Digits)")


def fashion(normal: tuple[int, ...] = (7,), seed: int = 0, n_images: int = 12_000) -> AnomalySet:
    """Fashion-MNIST (28×28) via `nnkit.core.images.fashion_mnist` and its fallback chain.

    `n_images` random training images are drawn first (≈ n/10 per class), so
    one normal class gives about 850 training images: seconds per epoch on a CPU.
    """
    from nnkit.core import images

    data = images.fashion_mnist(n_train=n_images, n_test=1, seed=seed)
    return from_classes(data.name, data.x, data.y, data.class_names, normal, seed, data.source,
                        data.notes)


# ---- a table -----------------------------------------------------------------------

def breast_cancer(seed: int = 0) -> AnomalySet:
    """569 tumours: 70% of benign ones train; test = other benign + all 212 malignant."""
    from sklearn.datasets import load_breast_cancer

    bunch = load_breast_cancer()
    benign = bunch.target == 1  # target_names = ("malignant", "benign")
    xb, xm = bunch.data[benign], bunch.data[~benign]
    train, held = _split_normal(len(xb), seed)
    x_train, x_held, x_mal = _standardise(xb[train], xb[held], xm)
    labels = np.concatenate([np.zeros(len(held), int), np.ones(len(xm), int)])
    return AnomalySet("breast cancer", "table", x_train, np.concatenate([x_held, x_mal]), labels,
                      f"30 cell measurements per tumour, standardised on the {len(train)} benign "
                      f"training tumours; test = {len(held)} benign + {len(xm)} malignant.",
                      "scikit-learn load_breast_cancer (UCI Breast Cancer Wisconsin, Diagnostic)",
                      np.array(["benign"] * len(held) + ["malignant"] * len(xm)))


# ---- series --------------------------------------------------------------------------

# name -> (statsmodels key, source, window width, injected events). Sunspots is
# short (309 years), so its windows and event count are smaller.
SERIES = {
    "CO₂ at Mauna Loa (weekly)": ("co2", "statsmodels datasets.co2: weekly atmospheric CO₂, "
                                         "Mauna Loa 1958–2001 (NOAA)", 32, 8),
    "Sunspots (yearly)": ("sunspots", "statsmodels datasets.sunspots: yearly sunspot numbers "
                                      "1700–2008 (SIDC)", 16, 3),
}


def load_series(name: str) -> np.ndarray:
    """A real series as float64; CO₂'s 59 missing weeks are filled by linear interpolation."""
    import statsmodels.api as sm

    key = SERIES[name][0]
    if key == "co2":
        return sm.datasets.co2.load_pandas().data["co2"].interpolate().bfill().to_numpy(float)
    return sm.datasets.sunspots.load_pandas().data["SUNACTIVITY"].to_numpy(float)


def inject_anomalies(series: np.ndarray, n_events: int = 6, kinds: tuple[str, ...] = ANOMALY_KINDS,
                     strength: float = 4.0, seed: int = 0, min_length: int = 5,
                     max_length: int = 15) -> tuple[np.ndarray, np.ndarray, list[dict]]:
    """Add labelled anomalies to a copy of `series`; the original is untouched.

    Kinds (taken in turn, at seeded random places that do not overlap), with
    σ = the series' standard deviation:
      - spike: one point moves by ±`strength`·σ;
      - level shift: a stretch of `min_length`–`max_length` points moves by
        ±`strength`/2·σ (a sensor recalibrated, then restored);
      - noise burst: a stretch gets added Gaussian noise of scale `strength`/2·σ.

    Returns:
        (series with anomalies, per-point labels where 1 = changed, events as
        dicts with kind/start/end (end exclusive)/size).
    """
    out = np.asarray(series, dtype=float).copy()
    labels = np.zeros(len(out), dtype=int)
    rng = np.random.default_rng(seed)
    sigma = float(out.std()) or 1.0
    events: list[dict] = []
    for i in range(n_events):
        kind = kinds[i % len(kinds)]
        length = 1 if kind == SPIKE else int(rng.integers(min_length, max_length + 1))
        start = _free_start(labels, length, rng)
        if start is None:
            break
        sign = rng.choice([-1.0, 1.0])
        seg = slice(start, start + length)
        if kind == SPIKE:
            size = sign * strength * sigma
            out[seg] += size
        elif kind == LEVEL_SHIFT:
            size = sign * strength / 2 * sigma
            out[seg] += size
        elif kind == NOISE_BURST:
            size = strength / 2 * sigma
            out[seg] += rng.normal(0.0, size, length)
        else:
            raise ValueError(f"unknown anomaly kind {kind!r}; use one of {ANOMALY_KINDS}")
        labels[seg] = 1
        events.append({"kind": kind, "start": start, "end": start + length, "size": float(size)})
    return out, labels, events


def _free_start(labels: np.ndarray, length: int, rng, tries: int = 200) -> int | None:
    # Keep a gap of `length` around events so two never merge into one.
    for _ in range(tries):
        start = int(rng.integers(0, len(labels) - length + 1))
        lo, hi = max(0, start - length), min(len(labels), start + 2 * length)
        if not labels[lo:hi].any():
            return start
    return None


def windows(series: np.ndarray, labels: np.ndarray | None, width: int,
            stride: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """Cut a series into overlapping windows (n, width, 1); a window is anomalous
    (1) when any of its points is."""
    if len(series) < width:
        raise ValueError(f"the series has {len(series)} points, fewer than one window of {width}")
    starts = np.arange(0, len(series) - width + 1, stride)
    idx = starts[:, None] + np.arange(width)[None, :]
    y = labels[idx].max(1) if labels is not None else np.zeros(len(starts), int)
    return series[idx][..., None].astype("float32"), y.astype(int)


def detrend(series: np.ndarray, degree: int = 2) -> np.ndarray:
    """Remove a fitted polynomial trend (CO₂ rises for decades; the AE should
    model the seasonal shape, not the year)."""
    t = np.linspace(-1, 1, len(series))
    return series - np.polyval(np.polyfit(t, series, degree), t)


def series_set(name: str, strength: float = 4.0, seed: int = 0) -> AnomalySet:
    """Train on clean windows of the first 60% of a series; test on the last
    40% with injected anomalies (and their labels)."""
    _, _, width, n_events = SERIES[name]
    raw = detrend(load_series(name))
    cut = int(len(raw) * 0.6)
    mean, std = raw[:cut].mean(), raw[:cut].std() or 1.0
    scaled = (raw - mean) / std
    test_part, point_labels, events = inject_anomalies(scaled[cut:], n_events, strength=strength,
                                                       seed=seed, min_length=max(2, width // 6),
                                                       max_length=max(3, width // 2))
    x_train, _ = windows(scaled[:cut], None, width)
    x_test, y_test = windows(test_part, point_labels, width)
    kinds = ", ".join(sorted({e["kind"] for e in events}))
    return AnomalySet(name, "series", x_train, x_test, y_test,
                      f"{len(raw):,} points, trend removed, standardised; {len(x_train):,} clean "
                      f"training windows of {width}; {len(events)} injected anomalies ({kinds}) "
                      f"in the last 40% → {int(y_test.sum())} of {len(y_test)} test windows touch one.",
                      SERIES[name][1], np.where(y_test == 1, "touches an anomaly", "clean"))


# ---- a learner's CSV -------------------------------------------------------------------

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
        raise CSVError(f"This file could not be read as CSV ({str(exc)[:150]}).") from exc
    notes: list[str] = []
    if len(frame) > MAX_CSV_ROWS:
        frame = frame.iloc[:MAX_CSV_ROWS]
        notes.append(f"Only the first {MAX_CSV_ROWS:,} rows are used, to keep training fast.")
    labels = None
    if label_column:
        if label_column not in frame.columns:
            raise CSVError(f"There is no column named {label_column!r}.")
        labels_raw = frame.pop(label_column)
        frame = frame[labels_raw.notna()]
        labels_raw = labels_raw.dropna()
        labels = _binary_labels(labels_raw, notes)
    # inf is as useless to a network as a gap: treat both as missing.
    numeric = frame.apply(pd.to_numeric, errors="coerce").replace([np.inf, -np.inf], np.nan)
    empty = [c for c in frame.columns if frame[c].isna().all()]
    text_cols = [c for c in frame.columns if numeric[c].isna().all() and c not in empty]
    if text_cols:
        notes.append("Non-numeric columns ignored: " + ", ".join(map(str, text_cols)) + ".")
    if empty:
        notes.append("Empty columns ignored: " + ", ".join(map(str, empty)) + ".")
    numeric = numeric.drop(columns=text_cols + empty)
    if numeric.shape[1] == 0:
        raise CSVError("The file has no numeric columns to learn from"
                       + (f" (non-numeric: {', '.join(map(str, text_cols))})." if text_cols else "."))
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
                     + ", ".join(map(str, constant)) + ".")
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
        shown = ", ".join(map(str, distinct[:6])) + (" …" if len(distinct) > 6 else "")
        raise CSVError(f"The label column has {len(distinct)} different values ({shown}); it needs "
                       "two: normal and anomaly (e.g. 0 and 1).")
    if set(distinct) <= {0, 1}:  # also True/False and 0.0/1.0
        return values.astype(int).to_numpy()
    normal = values.value_counts().index[0]
    notes.append(f"Label {normal!r} (the most common) is taken as normal, the other as anomaly.")
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


# ---- one entry point for the page --------------------------------------------------------

DIGITS_SRC, FASHION_SRC, CANCER_SRC, CSV_SRC = ("Digits 8×8 (images)", "Fashion-MNIST (images)",
                                                "Breast cancer (table)", "Your CSV (table or series)")
SOURCES = (DIGITS_SRC, FASHION_SRC, CANCER_SRC, *(f"{n} (series)" for n in SERIES), CSV_SRC)


def class_names(source: str) -> tuple[str, ...]:
    """The classes a learner can mark as normal (image sources only)."""
    from nnkit.core.images import FASHION_CLASSES

    return {DIGITS_SRC: tuple(str(d) for d in range(10)), FASHION_SRC: FASHION_CLASSES}.get(source, ())


DEFAULT_NORMAL = {DIGITS_SRC: "0", FASHION_SRC: "Sneaker"}  # one class each: a quick first run


def normal_classes(source: str, text: str) -> tuple[tuple[int, ...], str | None]:
    """The normal classes named in `text` (comma-separated, e.g. "0,3" or "Sneaker").

    The setting is plain text so it fits a shareable link. Names this source
    does not have are dropped, with a note; when none is left the source's
    default class is used. An empty `text` gives () (the loader then asks
    for at least one class). Returns (class indices, note or None).
    """
    names = class_names(source)
    wanted = [n.strip() for n in text.split(",") if n.strip()]
    kept = tuple(names.index(n) for n in dict.fromkeys(wanted) if n in names)
    unknown = [n for n in wanted if n not in names]
    if not names or not unknown:
        return kept, None
    if not kept:
        kept = (names.index(DEFAULT_NORMAL[source]),)
    note = (f"{source} has no class {', '.join(map(repr, unknown))}; normal classes: "
            f"{', '.join(names[i] for i in kept)}.")
    return kept, note


def load(source: str, normal: tuple[int, ...] = (0,), seed: int = 0, csv: bytes | None = None,
         label_column: str | None = None) -> AnomalySet:
    """The `AnomalySet` for one of `SOURCES`; raises ValueError/CSVError with a readable reason."""
    if source == DIGITS_SRC:
        return digits(normal, seed)
    if source == FASHION_SRC:
        return fashion(normal, seed)
    if source == CANCER_SRC:
        return breast_cancer(seed)
    if source == CSV_SRC:
        if csv is None:
            raise CSVError("Upload a CSV file to use your own data.")
        return csv_set(parse_csv(csv, label_column), seed=seed)
    name = source.removesuffix(" (series)")
    if name in SERIES:
        return series_set(name, seed=seed)
    raise ValueError(f"unknown data source {source!r}")
