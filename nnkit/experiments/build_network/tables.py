"""The tables a learner trains on: four that ship with scikit-learn, or their own
CSV (`csvfile`), all as one `Table`; and the one fixed, seeded split into
train, validation and test, standardised on the training rows only.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from nnkit.core.data import split

BINARY, MULTICLASS, REGRESSION = "binary", "multi-class", "regression"
TEST_FRACTION = VALIDATION_FRACTION = 0.2
CSV = "your CSV"  # the dataset choice for the learner's own file


@dataclass(frozen=True)
class Table:
    """Features in their own units, a target, and what kind of task it is."""

    name: str
    x: np.ndarray                     # (rows, features) float64
    y: np.ndarray                     # class index 0..k-1 (int) or a number (float)
    features: tuple[str, ...]
    target: str
    task: str                         # BINARY, MULTICLASS or REGRESSION
    class_names: tuple[str, ...] = ()
    description: str = ""
    source: str = ""
    notes: tuple[str, ...] = ()

    @property
    def n_classes(self) -> int:
        return len(self.class_names)

    @property
    def regression(self) -> bool:
        return self.task == REGRESSION

    @property
    def identity(self) -> str:
        """What a run's results belong to: a run on another table, target or task cannot be shown here."""
        return f"{self.name} → {self.target} ({self.task}, {len(self.features)} features)"


# name -> (scikit-learn loader, task, description)
BUILTIN = {
    "breast cancer": ("load_breast_cancer", BINARY,
                      "569 tumours, 30 cell measurements; is it malignant or benign?"),
    "wine": ("load_wine", MULTICLASS, "178 wines, 13 chemical measurements; which of 3 cultivars?"),
    "iris": ("load_iris", MULTICLASS, "150 irises, 4 petal and sepal sizes; which of 3 species?"),
    "diabetes": ("load_diabetes", REGRESSION,
                 ("442 patients, 10 baseline measurements (already centred and scaled by scikit-learn); "
                  "disease progression one year later.")),
}


@lru_cache(maxsize=8)
def builtin(name: str) -> Table:
    """One of `BUILTIN`, loaded offline from the copy inside scikit-learn."""
    import sklearn.datasets

    loader, task, description = BUILTIN[name]
    bunch = getattr(sklearn.datasets, loader)()
    y = bunch.target.astype(float if task == REGRESSION else int)
    classes = () if task == REGRESSION else tuple(str(c) for c in bunch.target_names)
    return Table(name, bunch.data.astype("float64"), y, tuple(bunch.feature_names),
                 "progression" if task == REGRESSION else "class", task, classes, description,
                 f"scikit-learn {loader}() (ships with scikit-learn; no download)")


def prepare(x, y, regression, standardise, seed, test_fraction=0.2, validation_fraction=0.2):
    """Split off a test set the model never trains on, then a validation set, and standardise.

    Means and standard deviations come from the training rows alone, so
    neither the validation nor the test rows leak into training. For a
    regression the target is standardised too (a network learns a target of
    a few units far faster than one of hundreds); `y_test` stays in its own
    units, and predictions are turned back with `y_mean`, `y_std`.
    `fit` (train + validation rows, in that split's order) is what `nnkit.train`
    receives: it splits off the same validation rows with the same seed.
    """
    x, y = np.asarray(x, dtype="float32"), np.asarray(y, dtype="float32" if regression else "int32")
    (x_fit, y_fit), (x_test, y_test) = split(x, y, test_fraction, seed)
    (x_train, y_train), (x_val, y_val) = split(x_fit, y_fit, validation_fraction, seed)
    mean, std = np.zeros(x.shape[1], "float32"), np.ones(x.shape[1], "float32")
    y_mean, y_std = 0.0, 1.0
    if standardise:
        mean, std = x_train.mean(0), x_train.std(0)
        std = np.where(std > 0, std, 1.0).astype("float32")
        if regression:
            y_mean, y_std = float(y_train.mean()), float(y_train.std() or 1.0)

    def scaled(v):
        return ((v - mean) / std).astype("float32")

    def target(v):
        return ((v - y_mean) / y_std).astype("float32") if regression else v

    return {"x_fit": scaled(x_fit), "y_fit": target(y_fit), "x_train": scaled(x_train), "y_train": target(y_train),
            "x_val": scaled(x_val), "y_val": target(y_val), "x_test": scaled(x_test), "y_test": y_test,
            "mean": mean, "std": std, "y_mean": y_mean, "y_std": y_std}


def prepared(table: Table, standardise: bool, seed: int) -> dict:
    return prepare(table.x, table.y, table.regression, standardise, seed, TEST_FRACTION, VALIDATION_FRACTION)


def preview(table: Table, rows: int = 5):
    """The first rows as the learner's file shows them, target last."""
    import pandas as pd

    frame = pd.DataFrame(table.x[:rows], columns=list(table.features))
    frame[table.target] = [table.class_names[int(v)] for v in table.y[:rows]] if table.class_names \
        else table.y[:rows]
    return frame


def editable_row(table: Table, split_arrays: dict):
    """The first test row back in the table's own units, for the learner to edit and predict on."""
    import pandas as pd

    raw = split_arrays["x_test"][0] * split_arrays["std"] + split_arrays["mean"]
    return pd.DataFrame([raw], columns=list(table.features))


def feature_stats(table: Table):
    """Per-feature minimum, mean, standard deviation and maximum: why standardising matters."""
    import pandas as pd

    return pd.DataFrame({"feature": list(table.features), "min": table.x.min(0), "mean": table.x.mean(0),
                         "std": table.x.std(0), "max": table.x.max(0)})


def describe_split(table: Table, split_arrays: dict) -> str:
    n_train, n_val, n_test = (len(split_arrays[k]) for k in ("x_train", "x_val", "x_test"))
    counts = ""
    if table.class_names:
        shares = np.bincount(table.y.astype(int), minlength=table.n_classes)
        counts = " Classes: " + ", ".join(f"{n} {c}" for c, n in zip(table.class_names, shares)) + "."
    return (f"{len(table.x):,} rows × {len(table.features)} features, task: {table.task}. "
            f"Split (seeded, fixed): {n_train} train, {n_val} validation, {n_test} test; the test rows are "
            f"never used for training.{counts}")
