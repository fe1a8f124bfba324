"""Experiment A: a straight line with outliers, fitted with MSE, MAE and Huber.

The outliers all sit on one side so they *bias* a fit, as a faulty sensor
would; which loss keeps its line near the true one is the lesson, read from
the fitted lines themselves (`fitted_line`, `clean_rmse`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nnkit.experiments.losses.model import Experiment, constant_loss, predict

SLOPE, INTERCEPT = 1.5, 0.5  # the clean line y = 1.5x + 0.5 the model should find
OUTLIERS = Experiment(1, (), None, ("mae",), 0.0)  # linear regression, every point trains
OUTLIER_LOSSES = ("MSE", "MAE", "Huber")
LINE_X = np.linspace(-2, 2, 50, dtype="float32")  # where fitted lines are drawn and compared


@dataclass(frozen=True)
class OutlierData:
    """Points on a noisy line, some pushed far upward (the outliers)."""

    x: np.ndarray           # shape (n, 1), float32
    y: np.ndarray           # shape (n, 1), float32
    outlier: np.ndarray     # shape (n,), bool

    def true_line(self, x: np.ndarray) -> np.ndarray:
        return SLOPE * np.asarray(x) + INTERCEPT


def outlier_data(n_points: int = 200, outlier_fraction: float = 0.1, noise: float = 0.3,
                 seed: int = 0) -> OutlierData:
    """y = 1.5x + 0.5 + noise on x ∈ [−2, 2]; a fraction of points get y += 6–10.

    Symmetric outliers would mostly cancel out even for MSE, so they go up.
    """
    if not 0 <= outlier_fraction < 1:
        raise ValueError(f"outlier fraction must be in [0, 1), got {outlier_fraction}")
    rng = np.random.default_rng(seed)
    x = rng.uniform(-2, 2, n_points)
    y = SLOPE * x + INTERCEPT + rng.normal(0, noise, n_points)
    outlier = np.zeros(n_points, bool)
    outlier[rng.permutation(n_points)[:int(round(outlier_fraction * n_points))]] = True
    y[outlier] += rng.uniform(6, 10, outlier.sum())
    return OutlierData(x[:, None].astype("float32"), y[:, None].astype("float32"), outlier)


def regression_loss(name: str, delta: float = 1.0):
    """The Keras loss object to compile with for MSE, MAE, Huber(δ) or log-cosh."""
    import keras

    return {"MSE": keras.losses.MeanSquaredError, "MAE": keras.losses.MeanAbsoluteError,
            "Huber": lambda: keras.losses.Huber(delta=delta),
            "log-cosh": keras.losses.LogCosh}[name]()


def clean_rmse(data: OutlierData, predictions: np.ndarray) -> float:
    """Root-mean-square distance from the true line, on the clean points only."""
    clean = ~data.outlier
    truth = data.true_line(data.x[clean, 0])
    return float(np.sqrt(np.mean((np.asarray(predictions)[clean] - truth) ** 2)))


def fitted_line(fit: np.ndarray) -> tuple[float, float]:
    """(slope, intercept) of a fitted line drawn at LINE_X (the model is linear)."""
    slope, intercept = np.polyfit(LINE_X.astype("float64"), np.asarray(fit, "float64"), 1)
    return float(slope), float(intercept)


def no_skill_loss(loss, data: OutlierData) -> float:
    """The loss of the best horizontal line y = c: what a fit must beat to have learned anything."""
    y = data.y.ravel().astype("float64")
    candidates = np.concatenate([np.linspace(y.min(), y.max(), 201), [y.mean(), np.median(y)]])
    return constant_loss(loss, y, candidates)


def kept(model, data: OutlierData, baseline: float) -> dict:
    """What a finished run keeps: its line, its distance from the truth, and the no-skill bar."""
    return {"fit": predict(model, LINE_X[:, None]), "rmse": clean_rmse(data, predict(model, data.x)),
            "baseline": baseline}


def variants(settings: dict) -> list[dict]:
    """One training run per loss, as `ui.Variant` fields: same data, seed and initial weights.

    `settings` holds a_points, a_outliers, a_lr, a_epochs, delta and seed.
    """
    s, seed = settings, settings["seed"]
    points = outlier_data(s["a_points"], s["a_outliers"], seed=seed)
    runs = []
    for name in OUTLIER_LOSSES:
        loss = regression_loss(name, s["delta"])
        bar = no_skill_loss(loss, points)
        runs.append({"label": name, "data": (points.x, points.y),
                     "build": lambda loss=loss: OUTLIERS.model(loss, s["a_lr"], seed),
                     "config": OUTLIERS.train_config(s["a_epochs"], seed),
                     "live": lambda model, update: {"fit": predict(model, LINE_X[:, None])},
                     "keep": lambda model, bar=bar: kept(model, points, bar)})
    return runs
