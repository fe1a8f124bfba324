"""Bad-input suite for the autoencoder page's CSV parser (see tests/core/test_hostile_inputs.py)."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from nnkit.experiments.autoencoder import csv_upload as anomalies
from tests.core.test_hostile_inputs import FAST, HOSTILE_BYTES, _readable


@pytest.mark.parametrize("blob", HOSTILE_BYTES)
def test_csv_upload_hostile_bytes(blob):
    try:
        parsed = anomalies.parse_csv(blob)
    except anomalies.CSVError as error:
        _readable(error)
    else:
        assert np.isfinite(parsed.x).all()


@given(st.lists(st.lists(st.one_of(st.floats(allow_nan=True), st.text(max_size=5)), min_size=1, max_size=4),
                max_size=40))
@FAST
def test_csv_upload_any_table(rows):
    blob = "\n".join(",".join(str(v) for v in row) for row in rows).encode()
    test_csv_upload_hostile_bytes(blob)
