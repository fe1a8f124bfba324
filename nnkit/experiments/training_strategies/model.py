"""The over-fitting net and its data, described as data.

One `Net` says what the model is (width, depth, and which remedies are on);
`layer_specs` turns it into the `LayerSpec`s the app builds and the notebook
prints. Every Dense layer gets its own seeded initialiser, so adding Dropout
or BatchNormalization between layers does not shift the random numbers the
next layer draws: a twin run really starts from the same weights.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from nnkit.core import models
from nnkit.core.models import KerasObject, LayerSpec
from nnkit.core.training import TrainConfig

DATASETS = ("breast cancer", "digits", "noisy moons")
VALIDATION = 0.4  # share of the table held out once, the same rows for every run
DESCRIPTIONS = {
    "breast cancer": "569 tumours, 30 cell measurements (standardised), malignant vs benign "
                     "(scikit-learn load_breast_cancer).",
    "digits": "1,797 handwritten digits, 8×8 pixels (64 features), 10 classes (scikit-learn load_digits).",
    "noisy moons": "1,000 points of two interleaving half-moons with heavy noise (scikit-learn make_moons).",
}


def load_table(name: str, seed: int = 0):
    """The whole table as float32 features `x` and int labels `y` (a column for the binary
    tables), shuffled by `seed`.

    Only NumPy and scikit-learn, so the exported notebook runs this very function.
    """
    from sklearn import datasets

    if name == "noisy moons":
        x, y = datasets.make_moons(n_samples=1000, noise=0.35, random_state=seed)
    elif name == "digits":
        bunch = datasets.load_digits()
        x, y = bunch.data / 16.0, bunch.target
    else:
        bunch = datasets.load_breast_cancer()
        x, y = (bunch.data - bunch.data.mean(0)) / bunch.data.std(0), bunch.target
    order = np.random.default_rng(seed).permutation(len(x))
    y = y[order].astype("int32")
    # Binary labels as a column, shaped like the sigmoid output (batch size 1 needs it).
    return x[order].astype("float32"), (y if name == "digits" else y[:, None])


def n_classes(name: str) -> int:
    return 10 if name == "digits" else 2


@dataclass(frozen=True)
class Tables:
    """A fixed held-out set and the pool the training rows are taken from."""

    pool: tuple[np.ndarray, np.ndarray]
    validation: tuple[np.ndarray, np.ndarray]

    def training(self, rows: int) -> tuple[np.ndarray, np.ndarray]:
        """The first `rows` rows of the pool (capped at its size): more data adds rows, keeps the rest."""
        return self.pool[0][:rows], self.pool[1][:rows]

    def for_train(self, rows: int, seed: int) -> tuple[tuple[np.ndarray, np.ndarray], float]:
        """`(x, y)` and a validation fraction such that `nnkit.train`'s seeded split
        trains on exactly `training(rows)` and validates on exactly `validation`.

        `nnkit.train` holds out `permutation(n)[:n_val]`; placing the held-out rows
        at those positions keeps every run's validation set identical.
        """
        (xt, yt), (xv, yv) = self.training(rows), self.validation
        n, n_val = len(xt) + len(xv), len(xv)
        order = np.random.default_rng(seed).permutation(n)
        x = np.empty((n, *xt.shape[1:]), xt.dtype)
        y = np.empty((n, *yt.shape[1:]), yt.dtype)
        x[order[:n_val]], y[order[:n_val]] = xv, yv
        x[order[n_val:]], y[order[n_val:]] = xt, yt
        return (x, y), n_val / n


def tables(name: str, seed: int) -> Tables:
    from nnkit.core.data import split

    x, y = load_table(name, seed)
    pool, validation = split(x, y, VALIDATION, seed)
    return Tables(pool, validation)


@dataclass(frozen=True)
class Net:
    """A dense classifier and the remedies switched on in it."""

    units: int = 256
    layers: int = 2
    learning_rate: float = 0.003
    dropout: float = 0.0        # Dropout(rate) after every hidden layer when > 0
    l2: float = 0.0             # kernel_regularizer=L2(l2) on every hidden layer when > 0
    batch_norm: bool = False    # BatchNormalization after every hidden layer


def layer_specs(net: Net, n_inputs: int, classes: int, seed: int) -> list[LayerSpec]:
    """Input, then per hidden layer Dense (+ BatchNormalization) (+ Dropout), then the output."""
    units, activation, _, _ = models.output_spec(classes)
    specs: list[LayerSpec] = [("Input", ((n_inputs,),), {})]
    for i in range(net.layers):
        extra = {"kernel_regularizer": KerasObject("regularizers.L2", {"l2": net.l2})} if net.l2 else {}
        specs.append(("Dense", (net.units,), {"activation": "relu", **_initialiser(seed, i), **extra,
                                              "name": f"hidden_{i + 1}"}))
        if net.batch_norm:
            specs.append(("BatchNormalization", (), {"name": f"batch_norm_{i + 1}"}))
        if net.dropout:
            specs.append(("Dropout", (net.dropout,), {"name": f"dropout_{i + 1}"}))
    specs.append(("Dense", (units,), {"activation": activation, **_initialiser(seed, net.layers),
                                      "name": "output"}))
    return specs


def _initialiser(seed: int, index: int) -> dict[str, KerasObject]:
    # A fixed seed per layer: the weights do not depend on which layers come before.
    return {"kernel_initializer": KerasObject("initializers.GlorotUniform", {"seed": seed * 100 + index})}


def compile_of(net: Net, classes: int) -> models.Compile:
    """Adam on cross-entropy; the cross-entropy is logged again as a metric because
    Keras's `loss` includes the L2 penalty, which would hide what L2 does to the fit."""
    _, _, loss, metric = models.output_spec(classes)
    return models.Compile("adam", net.learning_rate, loss, (metric, loss))


def fit_key(classes: int) -> str:
    """The history key of the cross-entropy alone (no penalty), e.g. "binary_crossentropy"."""
    return models.output_spec(classes)[2]


def fit_key_of(history: dict[str, list[float]]) -> str:
    """The cross-entropy key a run logged, else "loss" (a run cut off before its first epoch)."""
    return next((k for k in ("sparse_categorical_crossentropy", "binary_crossentropy") if k in history), "loss")


BASE_KEYS = ("dataset", "rows", "units", "layers", "lr", "epochs", "batch", "seed")


def describe(settings: dict[str, Any]) -> str:
    """E.g. "64 inputs → 256 → 256 → 10 outputs (85,002 weights and biases), trained on 150 rows"."""
    x, _ = load_table(settings["dataset"], settings["seed"])
    classes = n_classes(settings["dataset"])
    arch = models.describe(x.shape[1], (settings["units"],) * settings["layers"], 1 if classes == 2 else classes)
    return (f"Net: {arch}, ReLU, Adam. Trained on {settings['rows']} rows and validated on the same "
            f"{round(len(x) * VALIDATION)} held-out rows in every run.")


def build(net: Net, n_inputs: int, classes: int, seed: int):
    """The compiled model; `seed` fixes its initial weights (and Dropout's masks, via the fit seed)."""
    return models.build_sequential(layer_specs(net, n_inputs, classes, seed), compile_of(net, classes), seed,
                                   name="net")


def base_net(settings: dict[str, Any]) -> Net:
    """The deliberately too-big net the page's settings describe, no remedy on."""
    return Net(settings["units"], settings["layers"], settings["lr"])


def train_config(settings: dict[str, Any], fraction: float, epochs: int | None = None,
                 batch: int | None = None) -> TrainConfig:
    return TrainConfig(epochs or settings["epochs"], batch or settings["batch"], fraction, settings["seed"])


def with_remedy(net: Net, **changes) -> Net:
    return replace(net, **changes)


# ---- what a curve says ----------------------------------------------------------

@dataclass(frozen=True)
class Gap:
    """Where validation loss was lowest, and how far train and validation ended apart."""

    best_epoch: int          # 1-based
    best_val_loss: float
    final_epoch: int
    final_train_loss: float
    final_val_loss: float

    @property
    def gap(self) -> float:
        """Generalisation gap: final validation loss minus final training loss."""
        return self.final_val_loss - self.final_train_loss


def gap_of(history: dict[str, list[float]], key: str = "loss") -> Gap | None:
    """The run's best epoch and generalisation gap on `key` (the cross-entropy, see
    `fit_key`), or None without a validation curve."""
    key = key if key in history else "loss"
    val, train = history.get(f"val_{key}") or [], history.get(key) or []
    finite = [v if np.isfinite(v) else np.inf for v in val]
    if not finite or not train or not np.isfinite(min(finite)):
        return None
    best = int(np.argmin(finite))
    return Gap(best + 1, float(val[best]), len(val), float(train[-1]), float(val[-1]))


def first_layer_weights(model) -> np.ndarray:
    """The first Dense layer's kernel, flattened: what the histogram shows."""
    from keras import ops

    dense = next(layer for layer in model.layers if layer.__class__.__name__ == "Dense")
    return np.asarray(ops.convert_to_numpy(dense.kernel), dtype="float32").ravel()


def scores(model, validation: tuple[np.ndarray, np.ndarray]) -> dict[str, float]:
    """The model's own validation numbers now (after any weights were restored), by Keras."""
    found = model.evaluate(*validation, verbose=0, return_dict=True)
    return {f"model_val_{name}": float(value) for name, value in found.items()}
