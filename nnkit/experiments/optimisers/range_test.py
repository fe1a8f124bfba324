"""The learning-rate range test: grow η every step on the real network and watch the loss.

The loss falls while η is useful and explodes once it is too large; a tenth
of the η at the lowest smoothed loss is a safe starting point.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from nnkit.experiments.optimisers.model import HIDDEN, build_network, steps_per_epoch

@dataclass
class RangeTest:
    """Loss after each step while the LR grows exponentially."""

    lrs: np.ndarray
    losses: np.ndarray
    smoothed: np.ndarray
    suggested_lr: float | None
    best_lr: float | None          # LR at the lowest smoothed loss
    stopped_early_at: float | None  # LR where the loss exploded, if it did


def range_test_callback(lr_min: float, lr_max: float, steps: int, batch_size: int, n_train: int):
    """A Keras callback that records each batch's loss and ends the sweep.

    Keras logs the *running mean* of the loss within an epoch (weighted by
    batch size), so the callback recovers each batch's own loss from the
    change in that mean.
    """
    import keras

    class _Recorder(keras.callbacks.Callback):
        def on_train_begin(self, logs=None):
            self.losses, self.lrs, self._seen, self._total = [], [], 0, 0.0

        def on_epoch_begin(self, epoch, logs=None):
            self._seen, self._total = 0, 0.0

        def on_train_batch_end(self, batch, logs=None):
            mean = float((logs or {}).get("loss", float("nan")))
            n = min(batch_size, n_train - self._seen) or batch_size
            total = mean * (self._seen + n)
            self.losses.append((total - self._total) / n)
            self.lrs.append(lr_min * (lr_max / lr_min) ** (len(self.lrs) / max(1, steps - 1)))
            self._seen, self._total = self._seen + n, total
            best = min(self.losses)
            if len(self.losses) >= steps or not math.isfinite(mean) or (
                    len(self.losses) > 10 and self.losses[-1] > 4 * best + 1.0):
                self.model.stop_training = True

    return _Recorder()


def lr_range_test(name: str, knob: float | None, data, lr_min: float = 1e-4, lr_max: float = 10.0,
                  steps: int = 200, batch_size: int = 32, hidden: tuple[int, ...] = HIDDEN,
                  seed: int = 0) -> RangeTest:
    """Sweep the LR from `lr_min` to `lr_max` over `steps` updates and record the loss.

    The LR follows Keras's own `ExponentialDecay` with a rate > 1 (so it
    grows). The suggestion is a tenth of the LR at the lowest smoothed loss:
    there the loss still falls fast but is not yet near blowing up.
    """
    import keras

    import nnkit
    from nnkit.core.training import TrainConfig

    if not 0 < lr_min < lr_max:
        raise ValueError("need 0 < lowest LR < highest LR")
    if steps < 5:
        raise ValueError("a range test needs at least 5 steps")
    n_train, batch_size = len(data.x), max(1, min(batch_size, len(data.x)))
    schedule = keras.optimizers.schedules.ExponentialDecay(lr_min, max(1, steps - 1), lr_max / lr_min)
    model = build_network(name, schedule, knob, data.n_features, data.n_classes, hidden, seed)
    recorder = range_test_callback(lr_min, lr_max, steps, batch_size, n_train)
    epochs = math.ceil(steps / steps_per_epoch(n_train, 0.0, batch_size))
    nnkit.train(model, data, TrainConfig(epochs, batch_size, 0.0, seed), callbacks=[recorder])
    return summarise_range_test(np.array(recorder.lrs), np.array(recorder.losses), steps)


def summarise_range_test(lrs: np.ndarray, losses: np.ndarray, planned_steps: int) -> RangeTest:
    """Smooth the per-step losses and pick the suggested LR."""
    smoothed, avg = [], 0.0
    for i, loss in enumerate(losses):
        value = loss if math.isfinite(loss) else float("inf")
        avg = 0.9 * avg + 0.1 * value
        smoothed.append(avg / (1 - 0.9 ** (i + 1)))  # bias correction, as in Adam
    smoothed = np.array(smoothed)
    finite = np.isfinite(smoothed)
    best_lr = float(lrs[np.nanargmin(np.where(finite, smoothed, np.nan))]) if finite.any() else None
    stopped = float(lrs[-1]) if len(lrs) < planned_steps and len(lrs) else None
    return RangeTest(lrs, losses, smoothed, best_lr / 10 if best_lr else None, best_lr, stopped)
