"""The built-in tables and the one fixed split: the test rows never reach training."""

import numpy as np
import pytest

from nnkit.core.data import split
from nnkit.experiments.build_network import tables


@pytest.mark.parametrize("name, rows, features, task, classes", [
    ("breast cancer", 569, 30, tables.BINARY, 2), ("wine", 178, 13, tables.MULTICLASS, 3),
    ("iris", 150, 4, tables.MULTICLASS, 3), ("diabetes", 442, 10, tables.REGRESSION, 0)])
def test_builtin_tables_load_offline(name, rows, features, task, classes):
    table = tables.builtin(name)
    assert table.x.shape == (rows, features) and len(table.features) == features
    assert table.task == task and table.n_classes == classes and "scikit-learn" in table.source


def _rows(a):
    return {tuple(r) for r in np.round(a, 5)}


def test_split_is_fixed_disjoint_and_scaled_on_training_rows_only():
    table = tables.builtin("breast cancer")
    one, two = tables.prepared(table, True, 3), tables.prepared(table, True, 3)
    for k in ("x_train", "x_val", "x_test"):
        np.testing.assert_array_equal(one[k], two[k])
    assert len(one["x_test"]) == round(569 * 0.2) and len(one["x_fit"]) == 569 - len(one["x_test"])
    assert not _rows(one["x_test"]) & _rows(one["x_fit"])
    np.testing.assert_allclose(one["x_train"].mean(0), 0, atol=1e-5)
    np.testing.assert_allclose(one["x_train"].std(0), 1, atol=1e-4)
    assert abs(one["x_test"].mean(0)).max() > 1e-3  # the test rows were not used for the scaling
    # nnkit.train splits the fit rows with the same seed: exactly these train and validation rows.
    (x_train, _), (x_val, _) = split(one["x_fit"], one["y_fit"], tables.VALIDATION_FRACTION, 3)
    np.testing.assert_array_equal(x_train, one["x_train"])
    np.testing.assert_array_equal(x_val, one["x_val"])


def test_regression_target_is_standardised_and_test_target_stays_in_its_units():
    table = tables.builtin("diabetes")
    data = tables.prepared(table, True, 0)
    assert abs(data["y_train"].mean()) < 1e-5 and data["y_std"] > 10
    raw = tables.prepared(table, False, 0)
    assert raw["y_mean"] == 0 and raw["y_std"] == 1 and raw["y_train"].max() > 100
    np.testing.assert_allclose(data["y_test"], raw["y_test"])


def test_preview_stats_and_split_sentence():
    table = tables.builtin("iris")
    frame = tables.preview(table)
    assert list(frame.columns)[-1] == "class" and frame["class"].iloc[0] == "setosa"
    stats = tables.feature_stats(table)
    assert stats["max"].iloc[0] == pytest.approx(7.9)
    text = tables.describe_split(table, tables.prepared(table, True, 0))
    assert "96 train, 24 validation, 30 test" in text and "50 setosa" in text
