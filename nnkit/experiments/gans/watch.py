"""What the page draws while the GAN trains, read from the live model.

`GANWatch` is a Keras callback: at every epoch end it samples the generator
on a fixed batch of noise, counts the modes those samples cover and writes the
count into the epoch's logs (so it lands in the run's history, next to the
losses, as Keras's own ReduceLROnPlateau adds "learning_rate"). `picture()`
reads the rest only when a redraw asks for it: D's probability surface over
the plane and, on a sample of generated points, the direction G's gradient
moves them (GAN Lab's arrows), by autodiff of G's real loss through D.
"""

from __future__ import annotations

from typing import Any

import keras
import numpy as np

from nnkit.core import backend
from nnkit.experiments.gans.adversarial import generator_loss
from nnkit.experiments.gans.modes import coverage
from nnkit.experiments.gans.targets import target_modes

EXTENT = 3.0      # the plane drawn: [-EXTENT, EXTENT]²
SAMPLES = 1000    # generated points counted into modes
GRID = 41         # D's surface: GRID × GRID points
ARROWS = 60       # generated points that get an arrow
SHOWN_REAL = 500  # real points drawn


class GANWatch(keras.callbacks.Callback):
    """Counts covered modes each epoch (logged as "modes"); draws the plane on demand."""

    def __init__(self, real: np.ndarray, target: str, noise_dim: int, seed: int):
        super().__init__()
        self.real = real[:SHOWN_REAL]
        self.anchors, self.radius = target_modes(target)
        self.z = np.random.default_rng(seed + 1000).normal(size=(SAMPLES, noise_dim)).astype("float32")
        self.fake: np.ndarray | None = None

    def on_epoch_end(self, epoch, logs=None):
        self.fake = np.asarray(self.model.generator(self.z))
        if logs is not None:
            logs["modes"] = float(coverage(self.fake, self.anchors, self.radius).covered)

    def picture(self) -> dict[str, Any]:
        """Real and generated points, D's P(real) on a grid, and G's arrows, as plain arrays."""
        gan = self.model
        fake = self.fake if self.fake is not None else np.asarray(gan.generator(self.z))
        axis = np.linspace(-EXTENT, EXTENT, GRID, dtype="float32")
        grid = np.stack(np.meshgrid(axis, axis), -1).reshape(-1, 2)
        surface = np.asarray(keras.ops.sigmoid(gan.discriminator(grid))).reshape(GRID, GRID)
        at = fake[:ARROWS]
        # Summed, not averaged, so each point's arrow is its own gradient.
        push = -backend.gradient(lambda x: len(at) * generator_loss(gan.discriminator(x), gan.g_loss), at)
        found = coverage(fake, self.anchors, self.radius)
        return {"real": self.real, "fake": fake, "grid": axis, "surface": surface, "arrow_at": at,
                "arrows": push, "counts": found.counts, "covered": found.covered, "off_target": found.off_target}
