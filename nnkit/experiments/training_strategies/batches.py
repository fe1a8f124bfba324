"""Batch vs mini-batch vs stochastic: one model trained with batch size 1, 32 and
the full training set, with each update's loss, the updates per epoch and the
wall time per epoch measured, not described.

Keras reports a running mean of the loss after each batch, weighted by batch
size; `BatchLosses` turns it back into the loss of each update's own batch,
which is what jumps about when the batch is small.
"""

from __future__ import annotations

from typing import Any

import keras
import numpy as np

from nnkit.experiments.training_strategies import model as ts

STOCHASTIC, MINI, FULL = "stochastic (batch 1)", "mini-batch (32)", "full batch"


def batch_sizes(n_rows: int, batch: int) -> list[int]:
    """The sizes of one epoch's batches: full ones, then the remainder."""
    return [batch] * (n_rows // batch) + ([n_rows % batch] if n_rows % batch else [])


def per_batch(running: list[float], sizes: list[int]) -> list[float]:
    """Each batch's own loss from Keras's running (size-weighted) means over one epoch."""
    seen, before, out = 0, 0.0, []
    for mean, size in zip(running, sizes):
        total = mean * (seen + size)
        out.append((total - before * seen) / size)
        seen, before = seen + size, mean
    return out


class BatchLosses(keras.callbacks.Callback):
    """Every update's own batch loss, and how many updates each epoch made."""

    def __init__(self, n_rows: int, batch: int):
        super().__init__()
        self.sizes = batch_sizes(n_rows, batch)
        self.losses: list[float] = []
        self.updates: list[int] = []

    def on_epoch_begin(self, epoch, logs=None):
        self._running = []

    def on_train_batch_end(self, batch, logs=None):
        self._running.append(float((logs or {})["loss"]))

    def on_epoch_end(self, epoch, logs=None):
        self.losses += per_batch(self._running, self.sizes)
        self.updates.append(len(self._running))


def rises(losses: list[float]) -> float:
    """The curve's noise: the share of updates after which the next batch's loss was higher.

    Full-batch descent on a smooth loss almost never goes up; one example at a
    time goes up about as often as down. Trend-free, so fast progress is not noise.
    """
    steps = np.diff(losses)
    return float((steps > 0).mean()) if len(steps) else 0.0


def variants(settings: dict[str, Any]) -> list[dict]:
    """Batch 1, 32 and full batch on the same net, rows, seed and initial weights, as `ui.Variant` fields."""
    name, seed, rows = settings["dataset"], settings["seed"], settings["bs_rows"]
    data = ts.tables(name, seed)
    (x_train, _), classes = data.training(rows), ts.n_classes(name)
    n_train, n_inputs = len(x_train), x_train.shape[1]
    arranged, fraction = data.for_train(n_train, seed)
    net = ts.base_net(settings)
    runs = []
    for label, batch in ((STOCHASTIC, 1), (MINI, 32), (FULL, n_train)):
        record = BatchLosses(n_train, batch)
        runs.append({"label": label, "data": arranged,
                     "config": ts.train_config(settings, fraction, settings["bs_epochs"], batch),
                     "build": lambda: ts.build(net, n_inputs, classes, seed),
                     "callbacks": lambda model, record=record: (record,),
                     "live": lambda model, update, record=record: {"batch_losses": list(record.losses)},
                     "keep": lambda model, record=record, batch=batch: {
                         "batch_losses": list(record.losses), "updates_per_epoch": record.updates[-1],
                         "batch": batch, "rows": n_train, **ts.scores(model, data.validation)}})
    return runs

