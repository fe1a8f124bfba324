"""Real time series shipped with statsmodels (offline), loaded in one place.

The RNN page forecasts them (`experiments/rnn_text/forecast.py`); the
autoencoder page cuts them into windows and injects anomalies.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

SERIES = {
    "sunspots": "Yearly sunspot numbers, 1700–2008 (statsmodels `sunspots`): an ~11-year cycle "
                "with irregular peaks.",
    "co2": "Monthly mean CO₂ at Mauna Loa, 1958–2001 in ppm (statsmodels `co2`, weekly readings "
           "averaged per month, gaps interpolated): a rising trend plus a yearly cycle.",
}


@dataclass(frozen=True)
class Series:
    """One univariate series: time stamps, values and what they measure."""

    name: str
    time: np.ndarray     # year (float) for each value
    values: np.ndarray   # float32
    unit: str
    description: str


def load_series(name: str) -> Series:
    """Load `sunspots` or `co2` from statsmodels (offline: the data ships with it)."""
    import statsmodels.api as sm

    if name == "sunspots":
        frame = sm.datasets.sunspots.load_pandas().data
        return Series(name, frame["YEAR"].to_numpy(float), frame["SUNACTIVITY"].to_numpy("float32"),
                      "sunspot number", SERIES[name])
    if name == "co2":
        weekly = sm.datasets.co2.load_pandas().data["co2"]
        monthly = weekly.resample("MS").mean().interpolate()
        years = monthly.index.year + (monthly.index.month - 1) / 12
        return Series(name, np.asarray(years, float), monthly.to_numpy("float32"), "ppm", SERIES[name])
    raise ValueError(f"unknown series {name!r}; choose one of {list(SERIES)}")


def raw_values(name: str) -> np.ndarray:
    """`sunspots` (yearly) or `co2` (weekly; its 59 missing weeks filled by linear interpolation), float64."""
    import statsmodels.api as sm

    if name == "sunspots":
        return sm.datasets.sunspots.load_pandas().data["SUNACTIVITY"].to_numpy(float)
    if name == "co2":
        return sm.datasets.co2.load_pandas().data["co2"].interpolate().bfill().to_numpy(float)
    raise ValueError(f"unknown series {name!r}; choose 'sunspots' or 'co2'")
