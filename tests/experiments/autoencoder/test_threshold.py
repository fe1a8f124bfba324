"""Autoencoder thresholds: precision/recall/F1/confusion/ROC against scikit-learn and by hand."""

import numpy as np
import pytest

from nnkit.experiments.autoencoder import threshold as th


def test_evaluate_matches_scikit_learn_and_counts_by_hand():
    from sklearn import metrics

    rng = np.random.default_rng(1)
    labels = np.r_[np.zeros(60, int), np.ones(40, int)]
    errors = np.r_[rng.gamma(2, 0.1, 60), rng.gamma(2, 0.25, 40)]
    t = 0.3
    report = th.evaluate(errors, labels, t)
    flagged = errors > t
    tp = int((flagged & (labels == 1)).sum())
    fp = int((flagged & (labels == 0)).sum())
    fn = int((~flagged & (labels == 1)).sum())
    assert report.precision == pytest.approx(tp / (tp + fp))
    assert report.recall == pytest.approx(tp / (tp + fn))
    assert report.precision == pytest.approx(metrics.precision_score(labels, flagged))
    assert report.recall == pytest.approx(metrics.recall_score(labels, flagged))
    assert report.f1 == pytest.approx(2 * tp / (2 * tp + fp + fn))
    assert report.confusion.tolist() == [[60 - fp, fp], [fn, tp]]
    assert report.confusion.tolist() == metrics.confusion_matrix(labels, flagged, labels=[0, 1]).tolist()
    assert (report.false_alarms, report.missed) == (fp, fn)
    # AUC = P(random anomaly error > random normal error), counted over all pairs
    pairs = (errors[labels == 1][:, None] > errors[labels == 0][None, :]).mean()
    assert report.auc == pytest.approx(pairs)


def test_one_class_only_has_no_auc_but_still_counts():
    report = th.evaluate(np.array([0.1, 0.5, 0.9]), np.zeros(3, int), 0.4)
    assert np.isnan(report.auc) and report.confusion.tolist() == [[1, 2], [0, 0]]


def test_suggested_threshold_flags_the_chosen_share_of_normal_data():
    normal = np.random.default_rng(2).exponential(size=2000)
    t = th.suggest_threshold(normal, 90)
    assert np.mean(normal > t) == pytest.approx(0.10, abs=0.002)
    with pytest.raises(ValueError):
        th.suggest_threshold(np.array([]))


def test_worst_and_flag():
    errors = np.array([0.2, 0.9, 0.1, 0.5])
    assert th.worst(errors, 2).tolist() == [1, 3]
    assert th.flag(errors, 0.3).tolist() == [0, 1, 0, 1]


def test_error_summary_counts_what_the_histogram_shows():
    errors, labels = np.array([0.1, 0.2, 0.3, 0.9, 1.1]), np.array([0, 0, 0, 1, 1])
    text = th.error_summary(errors, labels, 0.25, True)
    assert "3 normal samples, median error 0.2000" in text and "2 anomalous samples, median error 1.0000" in text
    assert "3 of 5 samples lie above it" in text
    assert "5 unlabelled samples" in th.error_summary(errors, np.zeros(5, int), 0.25, False)
