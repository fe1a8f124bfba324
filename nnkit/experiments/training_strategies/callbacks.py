"""Keras callbacks for real: EarlyStopping, ReduceLROnPlateau and ModelCheckpoint
in one run, and a record of which epoch each acted at and why.

The three are Keras's own classes, built from `KerasObject`s (so the notebook
prints the same lines). `Watch` sits after them and reads what they did: the
optimizer's learning rate and the checkpoint file's modification time each
epoch, and EarlyStopping's own `stopped_epoch`/`best_epoch` at the end.
The checkpoint goes to a fresh temporary folder for the run, is reloaded
with `keras.saving.load_model` to score it, and is deleted afterwards.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from nnkit.core.models import KerasObject

CHECKPOINT = "best.keras"
KEYS = ("patience", "lr_patience", "lr_factor")  # the page settings this run adds to the net's


@dataclass(frozen=True)
class CallbackSettings:
    patience: int = 5        # EarlyStopping: epochs without a better val_loss before stopping
    lr_patience: int = 2     # ReduceLROnPlateau: epochs without a better val_loss before cutting the rate
    lr_factor: float = 0.5   # ReduceLROnPlateau: the rate is multiplied by this

    def objects(self, folder: str) -> tuple[KerasObject, KerasObject, KerasObject]:
        """EarlyStopping, ReduceLROnPlateau, ModelCheckpoint (writing `folder/best.keras`)."""
        return (KerasObject("callbacks.EarlyStopping", {"monitor": "val_loss", "patience": self.patience,
                                                        "restore_best_weights": True}),
                KerasObject("callbacks.ReduceLROnPlateau", {"monitor": "val_loss", "factor": self.lr_factor,
                                                            "patience": self.lr_patience}),
                KerasObject("callbacks.ModelCheckpoint", {"filepath": os.path.join(folder, CHECKPOINT),
                                                          "monitor": "val_loss", "save_best_only": True}))


def watch_class():
    """The `Watch` callback class (defined on first use: it subclasses a Keras class)."""
    import keras

    class Watch(keras.callbacks.Callback):
        """After the three callbacks each epoch: the learning rate now, and whether the file changed."""

        def __init__(self, path: str):
            super().__init__()
            self.path, self.learning_rates, self.saved = path, [], []
            self._stamp = None

        def on_epoch_end(self, epoch, logs=None):
            self.learning_rates.append(float(keras.ops.convert_to_numpy(self.model.optimizer.learning_rate)))
            stamp = os.stat(self.path).st_mtime_ns if os.path.exists(self.path) else None
            if stamp is not None and stamp != self._stamp:
                self.saved.append(epoch + 1)
            self._stamp = stamp

    return Watch


@dataclass
class CallbackRun:
    """The callbacks of one run and, after it, what they did (`kept`)."""

    settings: CallbackSettings
    folder: str = field(default_factory=lambda: tempfile.mkdtemp(prefix="nnkit-callbacks-"))
    built: tuple = ()

    def callbacks(self, model=None) -> tuple:
        early, plateau, checkpoint = (o.build() for o in self.settings.objects(self.folder))
        self.built = (early, plateau, checkpoint, watch_class()(os.path.join(self.folder, CHECKPOINT)))
        return self.built

    def kept(self, model, validation: tuple[np.ndarray, np.ndarray]) -> dict[str, Any]:
        """Which epoch each callback acted at, the restored model's and the checkpoint's scores."""
        import keras

        from nnkit.experiments.training_strategies.model import scores

        early, _, _, watch = self.built
        path = os.path.join(self.folder, CHECKPOINT)
        try:
            checkpoint = scores(keras.saving.load_model(path), validation) if os.path.exists(path) else {}
            size = os.path.getsize(path) if os.path.exists(path) else 0
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)
        found = {"stopped_epoch": early.stopped_epoch + 1 if early.stopped_epoch else None,
                "best_epoch": early.best_epoch + 1, "stop_training": bool(model.stop_training),
                "learning_rates": watch.learning_rates, "saved_epochs": watch.saved,
                "checkpoint_bytes": size, **scores(model, validation), **self.settings.__dict__,
                **{name.replace("model_", "checkpoint_"): v for name, v in checkpoint.items()}}
        found["events"] = events(found, model.history.history.get("val_loss", []))
        return found


@dataclass(frozen=True)
class Event:
    """One callback acting: at which epoch (1-based), and why, in words."""

    callback: str
    epoch: int
    why: str


def events(kept: dict[str, Any], val_loss: list[float]) -> list[Event]:
    """What each callback did, read from the run's record (`CallbackRun.kept`) and its validation curve."""
    settings = CallbackSettings(*(kept[k] for k in KEYS))
    found = [Event("ModelCheckpoint", e, f"val_loss {val_loss[e - 1]:.4f} was the best so far: "
                   f"{CHECKPOINT} overwritten") for e in kept["saved_epochs"] if e <= len(val_loss)]
    rates = kept["learning_rates"]
    for epoch in range(1, len(rates)):
        if rates[epoch] < rates[epoch - 1]:
            found.append(Event("ReduceLROnPlateau", epoch + 1,
                               f"val_loss had not improved for {settings.lr_patience} epochs: learning rate "
                               f"{rates[epoch - 1]:.3g} × {settings.lr_factor:g} = {rates[epoch]:.3g}"))
    if kept["stopped_epoch"]:
        best = kept["best_epoch"]
        found.append(Event("EarlyStopping", kept["stopped_epoch"],
                           f"no val_loss below epoch {best}'s {val_loss[best - 1]:.4f} for {settings.patience} "
                           f"epochs: training stopped, weights restored from epoch {best}"))
    return sorted(found, key=lambda e: (e.epoch, e.callback))


def callback_settings(settings: dict[str, Any]) -> CallbackSettings:
    return CallbackSettings(settings["patience"], settings["lr_patience"], settings["lr_factor"])


def variant(settings: dict[str, Any]) -> dict:
    """The too-big net trained with the three callbacks, as `ui.Variant` fields."""
    from nnkit.experiments.training_strategies import model as ts

    name, seed = settings["dataset"], settings["seed"]
    data = ts.tables(name, seed)
    arranged, fraction = data.for_train(settings["rows"], seed)
    n_inputs, classes = data.pool[0].shape[1], ts.n_classes(name)
    run = CallbackRun(callback_settings(settings))
    return {"label": "with EarlyStopping, ReduceLROnPlateau, ModelCheckpoint", "data": arranged,
            "config": ts.train_config(settings, fraction),
            "build": lambda: ts.build(ts.base_net(settings), n_inputs, classes, seed),
            "callbacks": run.callbacks, "keep": lambda model: run.kept(model, data.validation)}
