"""Real series with labelled anomalies injected: statsmodels' CO₂ and sunspots
cut into windows, spikes, level shifts and noise bursts added by a seeded
generator that records exactly which points it changed.
"""

from __future__ import annotations

import numpy as np

from nnkit.core.series import raw_values
from nnkit.experiments.autoencoder.samples import AnomalySet

SPIKE, LEVEL_SHIFT, NOISE_BURST = "spike", "level shift", "noise burst"
ANOMALY_KINDS = (SPIKE, LEVEL_SHIFT, NOISE_BURST)

# name -> (statsmodels key, source, window width, injected events). Sunspots is
# short (309 years), so its windows and event count are smaller.
SERIES = {
    "CO₂ at Mauna Loa (weekly)": ("co2", "statsmodels datasets.co2: weekly atmospheric CO₂, "
                                         "Mauna Loa 1958–2001 (NOAA)", 32, 8),
    "Sunspots (yearly)": ("sunspots", "statsmodels datasets.sunspots: yearly sunspot numbers "
                                      "1700–2008 (SIDC)", 16, 3),
}


def load_series(name: str) -> np.ndarray:
    """A real series as float64 (weekly CO₂ with its gaps interpolated, yearly sunspots)."""
    return raw_values(SERIES[name][0])


def inject_anomalies(series: np.ndarray, n_events: int = 6, kinds: tuple[str, ...] = ANOMALY_KINDS,
                     strength: float = 4.0, seed: int = 0, min_length: int = 5,
                     max_length: int = 15) -> tuple[np.ndarray, np.ndarray, list[dict]]:
    """Add labelled anomalies to a copy of `series`; the original is untouched.

    Kinds (taken in turn, at seeded random places that do not overlap), with
    σ = the series' standard deviation:
      - spike: one point moves by ±`strength`·σ;
      - level shift: a stretch of `min_length`–`max_length` points moves by
        ±`strength`/2·σ (a sensor recalibrated, then restored);
      - noise burst: a stretch gets added Gaussian noise of scale `strength`/2·σ.

    Returns:
        (series with anomalies, per-point labels where 1 = changed, events as
        dicts with kind/start/end (end exclusive)/size).
    """
    out = np.asarray(series, dtype=float).copy()
    labels = np.zeros(len(out), dtype=int)
    rng = np.random.default_rng(seed)
    sigma = float(out.std()) or 1.0
    events: list[dict] = []
    for i in range(n_events):
        kind = kinds[i % len(kinds)]
        length = 1 if kind == SPIKE else int(rng.integers(min_length, max_length + 1))
        start = _free_start(labels, length, rng)
        if start is None:
            break
        sign = rng.choice([-1.0, 1.0])
        seg = slice(start, start + length)
        if kind == SPIKE:
            size = sign * strength * sigma
            out[seg] += size
        elif kind == LEVEL_SHIFT:
            size = sign * strength / 2 * sigma
            out[seg] += size
        elif kind == NOISE_BURST:
            size = strength / 2 * sigma
            out[seg] += rng.normal(0.0, size, length)
        else:
            raise ValueError(f"unknown anomaly kind {kind!r}; use one of {ANOMALY_KINDS}")
        labels[seg] = 1
        events.append({"kind": kind, "start": start, "end": start + length, "size": float(size)})
    return out, labels, events


def _free_start(labels: np.ndarray, length: int, rng, tries: int = 200) -> int | None:
    # Keep a gap of `length` around events so two never merge into one.
    for _ in range(tries):
        start = int(rng.integers(0, len(labels) - length + 1))
        lo, hi = max(0, start - length), min(len(labels), start + 2 * length)
        if not labels[lo:hi].any():
            return start
    return None


def windows(series: np.ndarray, labels: np.ndarray | None, width: int,
            stride: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """Cut a series into overlapping windows (n, width, 1); a window is anomalous
    (1) when any of its points is."""
    if len(series) < width:
        raise ValueError(f"the series has {len(series)} points, fewer than one window of {width}")
    starts = np.arange(0, len(series) - width + 1, stride)
    idx = starts[:, None] + np.arange(width)[None, :]
    y = labels[idx].max(1) if labels is not None else np.zeros(len(starts), int)
    return series[idx][..., None].astype("float32"), y.astype(int)


def detrend(series: np.ndarray, degree: int = 2) -> np.ndarray:
    """Remove a fitted polynomial trend (CO₂ rises for decades; the AE should
    model the seasonal shape, not the year)."""
    t = np.linspace(-1, 1, len(series))
    return series - np.polyval(np.polyfit(t, series, degree), t)


def series_set(name: str, strength: float = 4.0, seed: int = 0) -> AnomalySet:
    """Train on clean windows of the first 60% of a series; test on the last
    40% with injected anomalies (and their labels)."""
    _, _, width, n_events = SERIES[name]
    raw = detrend(load_series(name))
    cut = int(len(raw) * 0.6)
    mean, std = raw[:cut].mean(), raw[:cut].std() or 1.0
    scaled = (raw - mean) / std
    test_part, point_labels, events = inject_anomalies(scaled[cut:], n_events, strength=strength,
                                                       seed=seed, min_length=max(2, width // 6),
                                                       max_length=max(3, width // 2))
    x_train, _ = windows(scaled[:cut], None, width)
    x_test, y_test = windows(test_part, point_labels, width)
    kinds = ", ".join(sorted({e["kind"] for e in events}))
    return AnomalySet(name, "series", x_train, x_test, y_test,
                      f"{len(raw):,} points, trend removed, standardised; {len(x_train):,} clean "
                      f"training windows of {width}; {len(events)} injected anomalies ({kinds}) "
                      f"in the last 40% → {int(y_test.sum())} of {len(y_test)} test windows touch one.",
                      SERIES[name][1], np.where(y_test == 1, "touches an anomaly", "clean"))
