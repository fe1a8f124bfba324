"""Experiment B: a rare class, fitted with BCE, class-weighted BCE and focal loss.

Accuracy hides the lesson (always answering "class 0" scores 90% at a 10%
share), so the experiment reports precision, recall, F1 and the confusion
matrix of the rare class on held-out points.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from nnkit.experiments.losses.model import Experiment, constant_loss, predict

IMBALANCE = Experiment(2, (8,), "sigmoid", ("accuracy",), 0.2)  # 2 → 8 → 1 classifier
WEIGHTED_BCE_LATEX = (r"\mathrm{wBCE} = -\frac{1}{n}\sum_i w_{y_i}\big[y_i\log\hat p_i + (1-y_i)"
                      r"\log(1-\hat p_i)\big],\quad w_c = \frac{n}{2\,n_c}")


def imbalanced_data(n_points: int = 1000, minority: float = 0.1, seed: int = 0,
                    separation: float = 0.8) -> tuple[np.ndarray, np.ndarray]:
    """Two overlapping 2-D clusters where class 1 is only `minority` of the points.

    The overlap matters: on separable data every loss wins and there is nothing
    to see. Features are standardised; y has shape (n, 1), float32.
    """
    from sklearn.datasets import make_classification

    if not 0 < minority < 1:
        raise ValueError(f"minority share must be in (0, 1), got {minority}")
    x, y = make_classification(n_samples=n_points, n_features=2, n_informative=2, n_redundant=0,
                               n_clusters_per_class=1, weights=[1 - minority], flip_y=0.0,
                               class_sep=separation, random_state=seed)
    x = (x - x.mean(0)) / x.std(0)
    return x.astype("float32"), y.astype("float32")[:, None]


def balanced_weights(y: np.ndarray) -> tuple[float, float]:
    """scikit-learn's "balanced" class weights n / (2·n_c) for classes 0 and 1."""
    from sklearn.utils.class_weight import compute_class_weight

    labels = np.asarray(y).ravel().astype(int)
    if len(np.unique(labels)) < 2:
        return 1.0, 1.0
    w = compute_class_weight("balanced", classes=np.array([0, 1]), y=labels)
    return float(w[0]), float(w[1])


def weighted_bce(weight_0: float, weight_1: float) -> Callable:
    """Binary cross-entropy with each example scaled by its class weight.

    Equivalent to `fit(class_weight=...)`, but as a loss, because nnkit's
    `train()` does not pass class weights: mistakes on the rare class cost more.
    """
    def weighted_binary_crossentropy(y_true, y_pred):
        from keras import ops

        y_true = ops.cast(y_true, y_pred.dtype)
        w = y_true * weight_1 + (1.0 - y_true) * weight_0
        return ops.mean(w * ops.binary_crossentropy(y_true, y_pred), axis=-1)

    return weighted_binary_crossentropy


def imbalance_losses(y_train: np.ndarray, gamma: float) -> dict[str, object]:
    """The three losses of experiment B, keyed by the label the page shows."""
    import keras

    w0, w1 = balanced_weights(y_train)
    return {"BCE": keras.losses.BinaryCrossentropy(),
            f"weighted BCE (w₁ = {w1:.1f})": weighted_bce(w0, w1),
            f"focal (γ = {gamma:g})": keras.losses.BinaryFocalCrossentropy(gamma=gamma)}


def classification_metrics(y_true: np.ndarray, probability: np.ndarray,
                           threshold: float = 0.5) -> dict:
    """Precision, recall and F1 of class 1 plus the confusion matrix, via scikit-learn."""
    from sklearn.metrics import confusion_matrix, precision_recall_fscore_support

    y = np.asarray(y_true).ravel().astype(int)
    pred = (np.asarray(probability).ravel() >= threshold).astype(int)
    precision, recall, f1, _ = precision_recall_fscore_support(
        y, pred, average="binary", pos_label=1, zero_division=0)
    return {"precision": float(precision), "recall": float(recall), "f1": float(f1),
            "confusion": confusion_matrix(y, pred, labels=[0, 1]).tolist(),
            "positives": int(y.sum()), "n": int(len(y))}


def no_skill_loss(loss, y_val: np.ndarray) -> float:
    """The held-out loss of the best constant probability: what a classifier must beat."""
    return constant_loss(loss, y_val, np.linspace(0.001, 0.999, 999))


def kept(model, x_val: np.ndarray, y_val: np.ndarray, baseline: float) -> dict:
    """What a finished run keeps: its held-out metrics and the no-skill bar."""
    return {"metrics": classification_metrics(y_val, predict(model, x_val)), "baseline": baseline}


def variants(settings: dict) -> list[dict]:
    """One training run per loss, as `ui.Variant` fields: same data, seed and initial weights.

    `settings` holds b_points, b_minority, b_lr, b_epochs, gamma and seed. The
    class weights come from the training split, as they would in practice.
    """
    from nnkit.core import data

    s, seed = settings, settings["seed"]
    x, y = imbalanced_data(s["b_points"], s["b_minority"], seed)
    (_, y_train), (x_val, y_val) = data.split(x, y, IMBALANCE.validation, seed)
    runs = []
    for label, loss in imbalance_losses(y_train, s["gamma"]).items():
        bar = no_skill_loss(loss, y_val)
        runs.append({"label": label, "data": (x, y),
                     "build": lambda loss=loss: IMBALANCE.model(loss, s["b_lr"], seed),
                     "config": IMBALANCE.train_config(s["b_epochs"], seed),
                     "keep": lambda model, bar=bar: kept(model, x_val, y_val, bar)})
    return runs
