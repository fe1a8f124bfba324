"""Anomaly data sources: normal-only training sets for images and tables, classes from a link."""

import numpy as np
import pytest

from nnkit.experiments.autoencoder import anomalies as an


def test_breast_cancer_trains_on_benign_only_and_tests_on_both():
    data = an.breast_cancer(seed=0)
    assert data.x_train.shape[1] == 30 and data.kind == "table"
    assert int(data.y_test.sum()) == 212  # every malignant tumour is a test anomaly
    assert len(data.x_train) + (data.y_test == 0).sum() == 357  # all benign, split
    # standardised on the benign training rows only
    assert np.allclose(data.x_train.mean(0), 0, atol=1e-5)
    assert set(data.groups[data.y_test == 1]) == {"malignant"}


def test_digits_normal_class_split():
    data = an.digits(normal=(3,), seed=0)
    assert data.sample_shape == (8, 8, 1) and data.unit_range
    assert set(data.groups[data.y_test == 0]) == {"3"}
    assert "3" not in set(data.groups[data.y_test == 1])
    with pytest.raises(ValueError, match="at least one"):
        an.digits(normal=())
    with pytest.raises(ValueError, match="leave at least one"):
        an.digits(normal=tuple(range(10)))


def test_normal_classes_from_link_text():
    assert an.normal_classes(an.DIGITS_SRC, "3, 7,3") == ((3, 7), None)
    assert an.normal_classes(an.FASHION_SRC, "Sneaker,Bag") == ((7, 8), None)
    assert an.normal_classes(an.DIGITS_SRC, "") == ((), None)  # the loader then asks for a class
    kept, note = an.normal_classes(an.DIGITS_SRC, "2,Coat")
    assert kept == (2,) and "`Coat`" in note
    kept, note = an.normal_classes(an.FASHION_SRC, "0")  # a digits link on Fashion: its default class
    assert kept == (7,)
    assert "Sneaker" in note
    assert an.normal_classes(an.CANCER_SRC, "0") == ((), None)  # tables have no classes to pick


def test_a_huge_or_hostile_class_list_from_a_link_gives_a_short_plain_notice():
    kept, note = an.normal_classes(an.DIGITS_SRC, "x" * 10_000)
    assert kept == (0,) and len(note) < 200 and "`" + "x" * 40 + "…`" in note
    kept, note = an.normal_classes(an.DIGITS_SRC, ",".join(f"[a{i}](http://e.x)" for i in range(50)) + ",3")
    assert kept == (3,) and "and 45 more" in note and len(note) < 400


def test_load_names_every_source_and_refuses_the_rest():
    assert an.load(an.CANCER_SRC, seed=0).kind == "table"
    assert an.load("Sunspots (yearly) (series)").kind == "series"
    with pytest.raises(an.CSVError, match="Upload a CSV"):
        an.load(an.CSV_SRC)
    with pytest.raises(ValueError, match="unknown data source"):
        an.load("tea leaves")
