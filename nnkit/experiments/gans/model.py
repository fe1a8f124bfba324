"""The GAN page's settings as the two networks and the game they play.

The page, the tests and the notebook all build from `generator_specs`,
`discriminator_specs` and `optimizers`, so the GAN a learner takes home is the
one the app trained.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from nnkit.core import models
from nnkit.core.settings import Setting
from nnkit.core.training import TrainConfig
from nnkit.experiments.gans.targets import target_points

ACTIVATION = "relu"
OPTIMIZERS = ("adam", "rmsprop", "sgd")
RATES = (0.0001, 0.0003, 0.001, 0.003, 0.01, 0.03)
G_LOSSES = ("non-saturating", "minimax")

SETTINGS = (
    Setting("target", "ring", choices=("ring", "moons", "line")),
    Setting("points", 2048, low=256, high=4096, workshop_high=2048),
    Setting("noise_dim", 2, low=1, high=16),
    Setting("g_width", 32, choices=(8, 16, 32, 64, 128), workshop_high=64),
    Setting("g_depth", 2, low=1, high=4, workshop_high=3),
    Setting("d_width", 32, choices=(8, 16, 32, 64, 128), workshop_high=64),
    Setting("d_depth", 2, low=1, high=4, workshop_high=3),
    Setting("g_optimizer", "adam", choices=OPTIMIZERS),
    Setting("g_lr", 0.003, choices=RATES),
    Setting("d_optimizer", "adam", choices=OPTIMIZERS),
    Setting("d_lr", 0.003, choices=RATES),
    Setting("d_steps", 1, low=1, high=5),
    Setting("g_loss", "non-saturating", choices=G_LOSSES),
    Setting("epochs", 100, low=1, high=400, workshop_high=150),
    Setting("batch", 128, choices=(32, 64, 128, 256)),
    Setting("seed", 0, low=0, high=9999),
)


def _mlp_specs(n_in: int, n_out: int, width: int, depth: int, name: str) -> list[models.LayerSpec]:
    return [("Input", ((n_in,),), {}),
            *(("Dense", (width,), {"activation": ACTIVATION, "name": f"{name}_{i + 1}"}) for i in range(depth)),
            ("Dense", (n_out,), {"name": f"{name}_out"})]


def generator_specs(s: dict[str, Any]) -> list[models.LayerSpec]:
    """Noise (noise_dim numbers) in, a 2-D point out (no activation: anywhere in the plane)."""
    return _mlp_specs(s["noise_dim"], 2, s["g_width"], s["g_depth"], "g")


def discriminator_specs(s: dict[str, Any]) -> list[models.LayerSpec]:
    """A 2-D point in, one logit of "this point is real" out."""
    return _mlp_specs(2, 1, s["d_width"], s["d_depth"], "d")


def optimizers(s: dict[str, Any]) -> tuple[models.Compile, models.Compile]:
    """(D's, G's) optimizer as `Compile`s; Adam with β₁ = 0.5, the usual GAN choice
    (less momentum, since each network's target moves as the other learns)."""
    def one(name: str, rate: float) -> models.Compile:
        return models.Compile(name, rate, loss="", metrics=(), options={"beta_1": 0.5} if name == "adam" else {})

    return one(s["d_optimizer"], s["d_lr"]), one(s["g_optimizer"], s["g_lr"])


def build(s: dict[str, Any]):
    """The compiled GAN; the seed fixes both networks' initial weights and the noise."""
    from nnkit.experiments.gans.adversarial import GAN, PairedOptimizer

    generator = models.build_sequential(generator_specs(s), None, s["seed"], name="generator")
    discriminator = models.build_sequential(discriminator_specs(s), None, s["seed"] + 1, name="discriminator")
    gan = GAN(generator, discriminator, d_steps=s["d_steps"], g_loss=s["g_loss"], seed=s["seed"], name="gan")
    d_opt, g_opt = optimizers(s)
    gan.compile(PairedOptimizer(d_opt.optimizer_object(), g_opt.optimizer_object()))
    return gan


def real_points(s: dict[str, Any]) -> np.ndarray:
    return target_points(s["target"], s["points"], s["seed"])


def training_data(s: dict[str, Any]) -> tuple[np.ndarray, np.ndarray]:
    """`nnkit.train` data: the real points, and a dummy target (a GAN has no labels)."""
    x = real_points(s)
    return x, np.zeros((len(x), 1), dtype="float32")


def train_config(s: dict[str, Any]) -> TrainConfig:
    """No held-out split: a GAN is judged by its samples, not by a validation loss."""
    return TrainConfig(s["epochs"], s["batch"], 0.0, s["seed"])


def steps_per_epoch(s: dict[str, Any]) -> int:
    return -(-s["points"] // s["batch"])


def run_label(s: dict[str, Any]) -> str:
    """E.g. "ring · G 2×32 · D 2×32 · lr G 0.003/D 0.003 · 1 D step"."""
    return (f"{s['target']} · G {s['g_depth']}×{s['g_width']} · D {s['d_depth']}×{s['d_width']} · "
            f"lr G {s['g_lr']}/D {s['d_lr']} · {s['d_steps']} D step{'s' if s['d_steps'] > 1 else ''}")


def architecture(s: dict[str, Any]) -> str:
    g = models.describe(s["noise_dim"], (s["g_width"],) * s["g_depth"], 2)
    d = models.describe(2, (s["d_width"],) * s["d_depth"], 1)
    return f"Generator: {g}. Discriminator: {d}. ReLU hidden layers."
