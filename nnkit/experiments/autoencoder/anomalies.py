"""Anomaly-detection data: "normal" examples to train on, a labelled test set.

An autoencoder for anomaly detection learns only what normal data looks like,
so every loader returns the same shape of thing, an `AnomalySet`
(`samples.py`): normal-only training rows and a test set whose labels say
which rows are anomalous (1) and which are normal (0). Sources, all offline:

- images: scikit-learn digits or Fashion-MNIST (via `nnkit.core.images`), one or
  more classes are "normal", the other classes are anomalies;
- a table: scikit-learn breast cancer, benign is normal, malignant anomalous;
- a series: statsmodels' CO₂ or sunspots with injected anomalies (`injection.py`);
- the learner's CSV (`csv_upload.py`).
"""

from __future__ import annotations

import numpy as np

from nnkit.core.plaintext import quote
from nnkit.experiments.autoencoder.csv_upload import CSVError, csv_set, parse_csv
from nnkit.experiments.autoencoder.injection import SERIES, series_set
from nnkit.experiments.autoencoder.samples import AnomalySet, _split_normal, _standardise

MAX_NAMED = 5  # unknown class names quoted in a notice; the rest are counted


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
    # The names come from a link: quoted as plain text, each cut short, and only the first few.
    shown = ", ".join(quote(n) for n in unknown[:MAX_NAMED])
    more = f" and {len(unknown) - MAX_NAMED:,} more" if len(unknown) > MAX_NAMED else ""
    note = f"{source} has no class {shown}{more}; normal classes: {', '.join(names[i] for i in kept)}."
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
