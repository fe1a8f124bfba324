"""Keras callbacks that feed a live view without slowing `model.fit` down.

Shaped like Keras's own `History`: state resets in `on_train_begin`, metrics
accumulate with `setdefault(k, []).append(v)`. They never import streamlit;
the page hands in a *sink* (a function) and decides what to draw.

Cost matters: overriding a batch-end hook makes Keras give up asynchronous
dispatch (12–17% slower on a tiny MLP under TensorFlow), so `LiveHistory`
only hooks epoch ends. `LiveBatchHistory` adds throttled mid-epoch updates for
runs whose epochs are long, where that cost is small in comparison.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import Callable

import keras

DEFAULT_MIN_INTERVAL_S = 0.25  # at most ~4 redraws per second


@dataclass
class LiveUpdate:
    """What a sink receives: the history so far and where training stands."""

    history: dict[str, list[float]]
    epoch: int                     # epochs completed so far
    epochs: int                    # epochs planned
    step: int | None = None        # batches done in the current epoch (mid-epoch only)
    steps: int | None = None       # batches per epoch
    batch_logs: dict[str, float] = field(default_factory=dict)  # running metrics mid-epoch
    final: bool = False            # the last update of this run

    @property
    def fraction(self) -> float:
        """Progress in [0, 1], counting partial epochs."""
        done = self.epoch
        if self.step and self.steps:
            done += self.step / self.steps
        return min(1.0, done / max(1, self.epochs))


Sink = Callable[[LiveUpdate], None]


class LiveHistory(keras.callbacks.Callback):
    """Records per-epoch logs and calls `sink` at most every `min_interval` s.

    The end of training is always sent (with `final=True`), so the last
    picture matches the result even when a run stops early.
    """

    def __init__(self, sink: Sink, min_interval: float = DEFAULT_MIN_INTERVAL_S):
        super().__init__()
        self.sink = sink
        self.min_interval = min_interval
        self.history: dict[str, list[float]] = {}
        self.updates = 0

    def on_train_begin(self, logs=None):
        self.history = {}
        self.updates = 0
        self._epochs_done = 0
        # The first redraw waits a full interval too: a run shorter than that
        # draws once, at the end, instead of paying for a figure per epoch.
        self._last_sent = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        for key, value in (logs or {}).items():
            self.history.setdefault(key, []).append(float(value))
        self._epochs_done = epoch + 1
        # The last epoch is drawn by on_train_end, which every run reaches.
        if self._epochs_done < self.params.get("epochs", 0) and self._due():
            self._send()

    def on_train_end(self, logs=None):
        self._send(final=True)

    def _due(self) -> bool:
        return time.perf_counter() - self._last_sent >= self.min_interval

    def _send(self, final: bool = False, step: int | None = None, batch_logs=None) -> None:
        self._last_sent = time.perf_counter()
        self.updates += 1
        history = {k: list(v) for k, v in self.history.items()}
        self.sink(LiveUpdate(history, self._epochs_done, self.params.get("epochs", 0), step,
                             self.params.get("steps"), dict(batch_logs or {}), final))


class LiveBatchHistory(LiveHistory):
    """LiveHistory plus throttled mid-epoch updates, for long epochs."""

    def on_train_batch_end(self, batch, logs=None):
        if self._due():
            self._send(step=batch + 1,
                       batch_logs={k: float(v) for k, v in (logs or {}).items()})


def live_history(sink: Sink, batch_updates: bool = False,
                 min_interval: float = DEFAULT_MIN_INTERVAL_S) -> LiveHistory:
    """The right live callback: batch-level only when asked (long epochs)."""
    cls = LiveBatchHistory if batch_updates else LiveHistory
    return cls(sink, min_interval)


class StopOnNonFinite(keras.callbacks.Callback):
    """Stops at the first epoch whose loss is NaN or infinite, and remembers it."""

    def __init__(self, monitor: str = "loss"):
        super().__init__()
        self.monitor = monitor
        self.diverged_at: int | None = None  # 1-based epoch

    def on_train_begin(self, logs=None):
        self.diverged_at = None

    def on_epoch_end(self, epoch, logs=None):
        value = (logs or {}).get(self.monitor)
        if value is not None and not math.isfinite(float(value)):
            self.diverged_at = epoch + 1
            self.model.stop_training = True


class StopRequest(keras.callbacks.Callback):
    """Lets a caller stop training cleanly at the next epoch end."""

    def __init__(self):
        super().__init__()
        self.requested = False

    def request(self) -> None:
        self.requested = True

    def on_epoch_end(self, epoch, logs=None):
        if self.requested:
            self.model.stop_training = True


class EpochTimer(keras.callbacks.Callback):
    """Wall time of each epoch (the first one includes compilation)."""

    def on_train_begin(self, logs=None):
        self.seconds: list[float] = []

    def on_epoch_begin(self, epoch, logs=None):
        self._start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        self.seconds.append(time.perf_counter() - self._start)
