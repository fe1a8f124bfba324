"""Your first neuron: the page's settings as the network they describe.

The page, the tests and the notebook all build from `model_config`, so the
model a learner takes home is the one the app trained.
"""

from __future__ import annotations

from typing import Any

from nnkit.core import models
from nnkit.core.settings import Setting
from nnkit.core.training import TrainConfig

SINGLE = "Single neuron"
VALIDATION = 0.2  # share of the points held out, at random (seeded)
# The page's settings; each is a query parameter of a shared link.
SETTINGS = (
    Setting("dataset", "moons", choices=("moons", "circles", "xor", "spiral")),
    Setting("noise", 0.2, low=0.0, high=0.5),
    Setting("points", 600, low=100, high=2000, workshop_high=1000),
    Setting("kind", "Small network", choices=(SINGLE, "Small network")),
    Setting("layers", 2, low=1, high=4),
    Setting("units", 8, low=2, high=32, workshop_high=16),
    Setting("activation", "tanh", choices=("tanh", "relu", "sigmoid", "elu")),
    Setting("lr", 0.03, choices=(0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)),
    Setting("epochs", 40, low=1, high=200, workshop_high=60),
    Setting("batch", 32, choices=(1, 8, 16, 32, 64, 128, 256)),
    Setting("seed", 0, low=0, high=9999),
)


def hidden_layers(settings: dict[str, Any]) -> tuple[int, ...]:
    """Units per hidden layer: () for the single neuron, else `layers` × `units`."""
    return () if settings["kind"] == SINGLE else (settings["units"],) * settings["layers"]


def model_config(settings: dict[str, Any]) -> models.MLPConfig:
    """The page's settings as the network they describe (shared by page and notebook)."""
    return models.MLPConfig(hidden_layers(settings), settings["activation"], "adam", settings["lr"],
                            settings["seed"])


def build(settings: dict[str, Any]):
    """The compiled 2-input classifier; the seed fixes its initial weights."""
    return models.build_mlp(model_config(settings), n_inputs=2, n_classes=2)


def train_config(settings: dict[str, Any]) -> TrainConfig:
    return TrainConfig(settings["epochs"], settings["batch"], VALIDATION, settings["seed"])


def run_label(settings: dict[str, Any]) -> str:
    """E.g. "neuron, lr 0.03" or "2×8 tanh, lr 0.03", for the runs table and legends."""
    hidden = hidden_layers(settings)
    shape = f"{len(hidden)}×{hidden[0]} {settings['activation']}" if hidden else "neuron"
    return f"{shape}, lr {settings['lr']}"


def architecture(settings: dict[str, Any]) -> str:
    """The caption under the model controls, e.g. "2 inputs → 8 → 8 → 1 output (…)"."""
    return (f"Architecture: {models.describe(2, hidden_layers(settings), 1)}, sigmoid output, "
            "binary cross-entropy, Adam.")
