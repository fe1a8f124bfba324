"""What happens inside the network while it trains: per-layer gradients and stuck units.

`ProbedNetwork` is one variant of the comparison (one activation): it builds
the network, measures it before training and at every live update, and says
what the run keeps, so the page hands its methods to `ui.Variant` and writes
no training code of its own.
"""

from __future__ import annotations

import math
from typing import Any, Sequence

import numpy as np

from nnkit.core import backend
from nnkit.core.boundary import BoundaryWatch
from nnkit.core.training import TrainConfig
from nnkit.experiments.activations.functions import ACTIVATIONS, SATURATION_THRESHOLD, derivative, values
from nnkit.experiments.activations.model import VALIDATION, build_network, n_classes

PROBE_BATCH = 256  # examples the gradient/dead-unit probe looks at (fixed, seeded)
SETTINGS_KEPT = ("dataset", "depth", "width", "optimizer", "lr", "epochs", "batch", "seed", "slope")


class LayerProbe:
    """Per-layer gradient norms and stuck-unit fractions on a fixed batch.

    `measure(epoch)` can be called while the model trains (from a live
    update, or a Keras callback's `on_epoch_end`): it reads the current
    weights and never changes them.

    - gradient norm: ‖∂L/∂W‖ of each Dense layer's kernel, from real autodiff
      of the loss (`backend.loss_gradients`).
    - stuck fraction: share of a hidden layer's units with |f'(z)| < 0.01 on
      *every* probe example. For ReLU these are dead units (z ≤ 0 for all
      inputs, so they never learn again); for sigmoid/tanh, saturated ones.
    """

    def __init__(self, model, x: np.ndarray, y: np.ndarray, key: str, slope: float = 0.2,
                 seed: int = 0):
        import keras

        pick = np.random.default_rng(seed).permutation(len(x))[:PROBE_BATCH]
        self.x, self.y = np.asarray(x[pick], "float32"), np.asarray(y[pick])
        if model.output_shape[-1] == 1:
            self.y = self.y.reshape(-1, 1).astype("float32")
        self.model, self.key, self.slope = model, key, slope
        self.loss_fn = keras.losses.get(model.loss)
        self.dense = [layer for layer in model.layers if hasattr(layer, "kernel")]
        self.layer_names = [layer.name for layer in self.dense]
        self.epochs: list[int] = []
        self.grad_norms: list[list[float]] = []   # [epoch][layer]
        self.stuck: list[list[float]] = []        # [epoch][hidden layer]

    def measure(self, epoch: int) -> None:
        """Record this epoch's numbers (a repeated epoch replaces the old entry)."""
        if self.epochs and self.epochs[-1] == epoch:
            self.epochs.pop(), self.grad_norms.pop(), self.stuck.pop()
        self.epochs.append(epoch)
        self.grad_norms.append(self._gradient_norms())
        self.stuck.append(self._stuck_fractions())

    def _gradient_norms(self) -> list[float]:
        grads = backend.loss_gradients(self.model, self.x, self.y, self.loss_fn)
        by_id = {id(v): g for v, g in zip(self.model.trainable_variables, grads)}
        return [float(np.linalg.norm(by_id[id(layer.kernel)])) for layer in self.dense]

    def _stuck_fractions(self) -> list[float]:
        h, pre = self.x, []
        for layer in self.dense[:-1]:
            z = h @ np.asarray(layer.kernel.numpy()) + np.asarray(layer.bias.numpy())
            pre.append(z)
            h = values(self.key, z, self.slope)
        if not pre:
            return []
        slopes = derivative(self.key, np.concatenate([z.ravel() for z in pre]), self.slope)
        fractions, start = [], 0
        for z in pre:
            d = slopes[start:start + z.size].reshape(z.shape)
            start += z.size
            fractions.append(float(np.mean(np.all(np.abs(d) < SATURATION_THRESHOLD, axis=0))))
        return fractions

    def latest(self) -> dict:
        """The last measurement as plain data (kept in a run record, no model inside)."""
        if not self.epochs:
            return {"epoch": 0, "grad_norms": [], "stuck": [], "layers": self.layer_names}
        return {"epoch": self.epochs[-1], "grad_norms": self.grad_norms[-1],
                "stuck": self.stuck[-1], "layers": self.layer_names,
                "first_epoch": self.epochs[0], "first_grad_norms": self.grad_norms[0]}


def gradient_ratio(norms: Sequence[float]) -> float | None:
    """Last hidden layer's gradient norm over the first's (None below 2 hidden layers).

    With `norms` listing every Dense layer input side first, the output layer
    is last, so hidden layers are norms[:-1]. 1000 means the first layer gets a
    thousand times less gradient than the last hidden one.
    """
    hidden = list(norms)[:-1]
    if len(hidden) < 2 or not all(math.isfinite(v) for v in hidden):
        return None
    if hidden[0] > 0:
        return hidden[-1] / hidden[0]
    return math.inf if hidden[-1] > 0 else None  # 0 / 0: no gradient anywhere, nothing to compare


class ProbedNetwork:
    """One activation's run in the comparison: `build`, `live` and `keep` for `ui.Variant`.

    The probe measures the untrained network first (where vanishing gradients
    show most clearly), then at every live update. A 2-D dataset also gets its
    decision boundary, with the points it was drawn on.
    """

    def __init__(self, key: str, settings: dict[str, Any], dataset):
        self.key, self.dataset, self.label = key, dataset, ACTIVATIONS[key].label
        self.settings = {**{name: settings[name] for name in SETTINGS_KEPT}, "activation": key}
        self.config = TrainConfig(settings["epochs"], settings["batch"], VALIDATION, settings["seed"])
        self.watch = BoundaryWatch(dataset.x, dataset.y, resolution=50) if dataset.n_features == 2 else None
        self.probe: LayerProbe | None = None

    def build(self):
        s = self.settings
        model = build_network(self.key, self.dataset.n_features, n_classes(self.dataset), s["depth"],
                              s["width"], s["optimizer"], s["lr"], s["seed"], s["slope"])
        self.probe = LayerProbe(model, self.dataset.x, self.dataset.y, self.key, s["slope"], s["seed"])
        self.probe.measure(0)
        return model

    def live(self, model, update) -> dict[str, Any]:
        self.probe.measure(update.epoch)
        return self.keep(model)

    def keep(self, model) -> dict[str, Any]:
        return {"probe": self.probe.latest(),
                "surface": self.watch.surface(model) if self.watch is not None else None}
