"""nnkit.core.series: the statsmodels series both the RNN and the autoencoder pages use."""

import numpy as np
import pytest

from nnkit.core import series


@pytest.mark.parametrize("name, n, unit", [("sunspots", 309, "sunspot number"), ("co2", 526, "ppm")])
def test_series_load_without_gaps(name, n, unit):
    s = series.load_series(name)
    assert len(s.values) == len(s.time) == n and s.unit == unit
    assert np.all(np.isfinite(s.values)) and np.all(np.diff(s.time) > 0)


@pytest.mark.parametrize("name, n", [("sunspots", 309), ("co2", 2284)])
def test_raw_values_are_complete_and_match_the_yearly_series(name, n):
    values = series.raw_values(name)
    assert len(values) == n and np.isfinite(values).all() and values.dtype == np.float64
    if name == "sunspots":
        np.testing.assert_allclose(values, series.load_series(name).values, rtol=1e-6)
    with pytest.raises(ValueError, match="unknown series"):
        series.raw_values("tides")
