"""`train()`: `model.fit` plus what a lesson needs to explain the run."""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass, field
from typing import Sequence

import numpy as np

from nnkit.core import backend, device
from nnkit.core.callbacks import EpochTimer, StopOnNonFinite, StopRequest
from nnkit.core.data import Dataset, split

FINISHED, DIVERGED, STOPPED, INTERRUPTED = "finished", "diverged", "stopped by user", "interrupted"
FAILED_ON_CLUSTER = "failed on the cluster"  # the worker training it died (see core/cluster.py)
FAILED = "failed"  # building, preparing or fitting raised (ui.train_live keeps the curves so far)


@dataclass(frozen=True)
class TrainConfig:
    """How to fit; the model itself is configured by its builder."""

    epochs: int = 30
    batch_size: int = 32
    validation_split: float = 0.2  # held out at random (seeded), not the last rows
    seed: int = 0                  # fixes shuffling, dropout and the split


@dataclass
class TrainResult:
    """What happened in one run, and why it ended."""

    history: dict[str, list[float]]
    reason: str                      # FINISHED, DIVERGED, STOPPED, INTERRUPTED, FAILED(_ON_CLUSTER)
    epochs_run: int
    seconds: float                   # wall time of the whole fit
    seconds_per_epoch: float         # median over epochs after the first (compile) one
    first_epoch_seconds: float
    samples_per_second: float
    device: str
    message: str = ""
    validation: tuple[np.ndarray, np.ndarray] | None = field(default=None, repr=False)

    def final(self, metric: str) -> float | None:
        """Last value of a metric, or None when it was never logged."""
        values = self.history.get(metric)
        return values[-1] if values else None


def train(model, data: Dataset | tuple[np.ndarray, np.ndarray], config: TrainConfig,
          callbacks: Sequence = (), stop: StopRequest | None = None) -> TrainResult:
    """Fit `model` on `data` reproducibly and say why training ended.

    Args:
        model: a compiled Keras model.
        data: a `Dataset` or an `(x, y)` pair.
        config: epochs, batch size, validation fraction and seed.
        callbacks: extra Keras callbacks, e.g. a `LiveHistory` for live plots.
        stop: a `StopRequest` the caller may trigger to end at the next epoch.

    Returns:
        A `TrainResult`; on NaN/inf loss, training stops at once with reason
        DIVERGED and a message a learner can act on.
    """
    x, y = (data.x, data.y) if isinstance(data, Dataset) else data
    if len(x) == 0:
        raise ValueError("no training data")
    backend.set_seed(config.seed)
    (x_train, y_train), validation = split(x, y, config.validation_split, config.seed)
    watchdog, timer = StopOnNonFinite(), EpochTimer()
    extra = [stop] if stop is not None else []
    start = time.perf_counter()
    model.fit(x_train, y_train, epochs=config.epochs, batch_size=config.batch_size,
              validation_data=validation if len(validation[0]) else None, shuffle=True,
              verbose=0, callbacks=[watchdog, timer, *extra, *callbacks])
    seconds = time.perf_counter() - start
    history = {k: [float(v) for v in vs] for k, vs in model.history.history.items()}
    reason, message = _why_it_ended(watchdog, stop, len(timer.seconds), config.epochs)
    per_epoch = _typical_epoch(timer.seconds)
    return TrainResult(history, reason, len(timer.seconds), seconds, per_epoch,
                       timer.seconds[0] if timer.seconds else 0.0,
                       len(x_train) / per_epoch if per_epoch else 0.0,
                       device.detect().device_name, message, validation)


def _why_it_ended(watchdog: StopOnNonFinite, stop: StopRequest | None, ran: int,
                  planned: int) -> tuple[str, str]:
    if watchdog.diverged_at is not None:
        return DIVERGED, (f"The loss became NaN or infinite in epoch {watchdog.diverged_at}: "
                          "training diverged. Lower the learning rate and train again.")
    if stop is not None and stop.requested:
        return STOPPED, f"Stopped by you after {ran} of {planned} epochs."
    return FINISHED, f"Finished {ran} epoch{'s' if ran != 1 else ''}."


def _typical_epoch(seconds: list[float]) -> float:
    # The first epoch pays for tracing/compilation; the rest show steady speed.
    steady = seconds[1:] or seconds
    return statistics.median(steady) if steady else 0.0


def cpu_seconds_per_epoch(model, data: Dataset | tuple[np.ndarray, np.ndarray], config: TrainConfig,
                          epochs: int = 2) -> float:
    """Typical epoch time of the same model trained briefly on the CPU.

    Used where a GPU is present, to show the learner the speed-up they got:
    the model is cloned (fresh weights) onto the CPU, compiled the same way,
    and fitted for `epochs` (the first pays for compilation, so at least 2).
    """
    import keras

    with keras.device("cpu:0"):
        clone = keras.models.clone_model(model)
        optimizer = model.optimizer.__class__.from_config(model.optimizer.get_config())
        clone.compile(optimizer=optimizer, loss=model.loss, metrics=["accuracy"] if model.metrics_names[1:] else None)
        short = TrainConfig(epochs=max(2, epochs), batch_size=config.batch_size,
                            validation_split=config.validation_split, seed=config.seed)
        return train(clone, data, short).seconds_per_epoch
