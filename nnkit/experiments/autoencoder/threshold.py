"""Where to put the alarm: a threshold on the reconstruction error, and what it costs.

The suggested threshold comes from NORMAL errors only (held-out rows), so
about (100 − p)% of normal data raises a false alarm whatever the anomalies
look like; precision, recall, F1 and ROC then say what that threshold catches.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nnkit.core import metrics


def suggest_threshold(normal_errors: np.ndarray, percentile: float = 95.0) -> float:
    """The `percentile` of NORMAL errors: by construction about (100 − p)% of
    normal samples would be flagged, whatever the anomalies look like."""
    errors = np.asarray(normal_errors, dtype="float64")
    if errors.size == 0:
        raise ValueError("no normal samples to base a threshold on")
    return float(np.percentile(errors, percentile))


@dataclass(frozen=True)
class ThresholdReport:
    """What flagging "error > threshold" as anomalous does on a labelled test set."""

    threshold: float
    precision: float
    recall: float
    f1: float
    confusion: np.ndarray           # [[TN, FP], [FN, TP]] (rows: truth normal/anomaly)
    auc: float                      # threshold-free: P(anomaly error > normal error)
    fpr: np.ndarray
    tpr: np.ndarray

    @property
    def false_alarms(self) -> int:
        return int(self.confusion[0, 1])

    @property
    def missed(self) -> int:
        return int(self.confusion[1, 0])


def evaluate(errors: np.ndarray, labels: np.ndarray, threshold: float) -> ThresholdReport:
    """Precision, recall, F1 (scikit-learn), the confusion matrix (`nnkit.core.metrics`) and ROC/AUC."""
    from sklearn import metrics as sk

    labels = np.asarray(labels, int)
    predicted = flag(errors, threshold)
    both = len(np.unique(labels)) == 2
    fpr, tpr, _ = sk.roc_curve(labels, errors) if both else (np.array([0, 1]), np.array([0, 1]), None)
    return ThresholdReport(
        float(threshold),
        float(sk.precision_score(labels, predicted, zero_division=0)),
        float(sk.recall_score(labels, predicted, zero_division=0)),
        float(sk.f1_score(labels, predicted, zero_division=0)),
        metrics.confusion(labels, predicted, 2),
        float(sk.roc_auc_score(labels, errors)) if both else float("nan"), fpr, tpr)


def flag(errors: np.ndarray, threshold: float) -> np.ndarray:
    """1 where a sample's error is above the threshold (called an anomaly)."""
    return (np.asarray(errors) > threshold).astype(int)


def worst(errors: np.ndarray, k: int = 5) -> np.ndarray:
    """Indices of the k worst-reconstructed samples, worst first."""
    return np.argsort(np.asarray(errors))[::-1][:k]


def error_summary(errors: np.ndarray, labels: np.ndarray, threshold: float, labelled: bool) -> str:
    """One line saying what the error histogram shows (its text alternative)."""
    groups = (("normal", 0), ("anomalous", 1)) if labelled else (("unlabelled", 0),)
    parts = [f"{int((labels == v).sum())} {name} samples, median error {np.median(errors[labels == v]):.4f}"
             for name, v in groups if (labels == v).any()]
    return (f"{'; '.join(parts)}. Threshold {threshold:.4f}: {int(flag(errors, threshold).sum())} "
            f"of {len(errors)} samples lie above it.")
