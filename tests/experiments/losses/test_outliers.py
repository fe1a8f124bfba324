"""Experiment A's data and run description: outliers on one side, lines compared with the truth."""

import numpy as np
import pytest

from nnkit.experiments.losses import outliers


def test_outlier_data_marks_the_injected_points():
    d = outliers.outlier_data(200, 0.2, seed=1)
    assert d.x.shape == d.y.shape == (200, 1) and d.outlier.sum() == 40
    clean_error = d.y[~d.outlier, 0] - d.true_line(d.x[~d.outlier, 0])
    assert abs(clean_error.mean()) < 0.1 and clean_error.std() < 0.4
    assert (d.y[d.outlier, 0] - d.true_line(d.x[d.outlier, 0])).min() > 5
    assert outliers.clean_rmse(d, d.true_line(d.x[:, 0])) == pytest.approx(0.0, abs=1e-5)
    with pytest.raises(ValueError):
        outliers.outlier_data(100, 1.5)


def test_fitted_line_reads_slope_and_intercept_back():
    slope, intercept = outliers.fitted_line(2.0 * outliers.LINE_X - 1.0)
    assert slope == pytest.approx(2.0) and intercept == pytest.approx(-1.0)


def test_no_skill_loss_is_the_best_horizontal_line():
    d = outliers.outlier_data(100, 0.2, seed=0)
    mse = outliers.no_skill_loss(outliers.regression_loss("MSE"), d)
    assert mse == pytest.approx(float(np.var(d.y)), rel=1e-3)
    mae = outliers.no_skill_loss(outliers.regression_loss("MAE"), d)
    assert mae == pytest.approx(float(np.mean(np.abs(d.y - np.median(d.y)))), rel=1e-3)


def test_variants_share_data_seed_and_initial_weights():
    s = {"a_outliers": 0.2, "a_points": 40, "a_epochs": 2, "a_lr": 0.1, "delta": 0.5, "seed": 3}
    runs = outliers.variants(s)
    assert [r["label"] for r in runs] == list(outliers.OUTLIER_LOSSES)
    first, second = runs[0]["build"](), runs[2]["build"]()
    np.testing.assert_array_equal(first.get_weights()[0], second.get_weights()[0])
    # Keras's Huber config does not carry delta: check it by value, δ(|e| − δ/2) beyond δ.
    assert type(second.loss).__name__ == "Huber"
    assert float(second.loss(np.array([[0.0]]), np.array([[2.0]]))) == pytest.approx(0.5 * (2 - 0.25))
    assert runs[0]["config"].epochs == 2 and runs[0]["config"].validation_split == 0.0
    kept = runs[0]["keep"](first)
    assert set(kept) == {"fit", "rmse", "baseline"} and kept["fit"].shape == outliers.LINE_X.shape
    assert runs[0]["live"](first, None)["fit"].shape == outliers.LINE_X.shape
