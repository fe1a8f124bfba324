"""The three ways to learn a few classes: a small CNN from scratch, frozen MobileNetV2 features
with a new head, and fine-tuning the top of MobileNetV2.

Each model takes what it trains on (raw RGB in [0, 1], or the frozen
features) and compiles with a `Compile` the exported notebook prints too.
Keras is imported inside functions only.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from nnkit.core.models import Compile, LayerSpec, build_sequential
from nnkit.experiments.transfer_learning.mobilenet import N_BLOCKS, Pretrained, base_of, preprocessing_layers

BATCH_SIZE = 16           # every variant trains with these, so they compare fairly
VALIDATION = 0.25         # the same held-out images for every variant (seeded split)
HEAD_DROPOUT, HEAD_LEARNING_RATE = 0.2, 1e-3
N_FEATURES = 1280         # MobileNetV2's pooled 'out_relu' features

# key → label; the page trains them in this order.
VARIANTS = {"cnn": "(a) small CNN from scratch", "frozen": "(b) frozen MobileNetV2 + new head",
            "tune": "(c) fine-tuned MobileNetV2"}


class TransferError(ValueError):
    """A data set the experiment cannot use, with a message a learner can act on.

    `notes` says which files were skipped and why, so the page can show them
    alongside the error.
    """

    def __init__(self, message: str, notes: tuple[str, ...] = ()):
        super().__init__(message)
        self.notes = tuple(notes)


def classifier_compile(learning_rate: float) -> Compile:
    return Compile("adam", learning_rate, "sparse_categorical_crossentropy", ("accuracy",))


def head_specs(n_classes: int, n_features: int = N_FEATURES, dropout: float = HEAD_DROPOUT) -> list[LayerSpec]:
    """The new classifier on frozen features: dropout + one softmax layer."""
    return [("Input", ((n_features,),), {}), ("Dropout", (dropout,), {"name": "dropout"}),
            ("Dense", (n_classes,), {"activation": "softmax", "name": "head"})]


def build_head(n_classes: int, n_features: int = N_FEATURES, dropout: float = HEAD_DROPOUT,
               learning_rate: float = HEAD_LEARNING_RATE, seed: int = 0):
    """The new classifier trained on frozen features (see `head_specs`)."""
    return build_sequential(head_specs(n_classes, n_features, dropout), classifier_compile(learning_rate), seed,
                            name="frozen_features_head")


def unfreeze_top(base, n_blocks: int) -> list[str]:
    """Make only the top `n_blocks` inverted-residual blocks (and the final 1×1 conv) trainable.

    Returns the names of the trainable layers. `n_blocks=0` freezes everything.
    BatchNormalization layers stay frozen: a frozen Keras BN layer runs in
    inference mode, so a handful of images cannot overwrite the ImageNet
    statistics (passing `training=False` to the base is not enough in Keras 3:
    `fit` overrides it for nested models).
    """
    import keras

    if not 0 <= n_blocks <= N_BLOCKS:
        raise TransferError(f"unfreeze between 0 and {N_BLOCKS} blocks, not {n_blocks}")
    first = N_BLOCKS - n_blocks + 1
    trainable = []
    for layer in base.layers:
        name = layer.name
        on = n_blocks > 0 and not isinstance(layer, keras.layers.BatchNormalization) and (
            name.startswith("Conv_1") or (name.startswith("block_") and int(name.split("_")[1]) >= first))
        layer.trainable = on
        if on and layer.weights:
            trainable.append(name)
    return trainable


def _on_rgb(pretrained: Pretrained, base, top):
    """Raw RGB in [0, 1] → the source's preprocessing → `base` → pooled features → `top`."""
    import keras

    inputs = keras.Input((pretrained.size, pretrained.size, 3), name="rgb_0_1")
    x = inputs
    for layer in preprocessing_layers(pretrained.source):
        x = layer(x)
    x = keras.layers.GlobalAveragePooling2D(name="pool")(base(x, training=False))
    return inputs, top(x)


def build_finetune(pretrained: Pretrained, n_classes: int, n_blocks: int, dropout: float = 0.2,
                   learning_rate: float = 1e-4, seed: int = 0):
    """Raw RGB → preprocessing → MobileNetV2 (top `n_blocks` trainable) → new softmax head.

    BatchNorm layers stay frozen, in inference mode (see `unfreeze_top`), so a
    few images cannot wreck the ImageNet statistics; the learning rate is
    small so the unfrozen ImageNet weights move gently.
    """
    import keras

    from nnkit.core import backend

    backend.set_seed(seed)
    base = base_of(pretrained, copy=True)
    unfreeze_top(base, n_blocks)

    def top(x):
        x = keras.layers.Dropout(dropout, name="dropout")(x)
        return keras.layers.Dense(n_classes, activation="softmax", name="head")(x)

    inputs, outputs = _on_rgb(pretrained, base, top)
    model = keras.Model(inputs, outputs, name=f"finetune_top{n_blocks}")
    classifier_compile(learning_rate).apply(model)
    return model


def classifier(pretrained: Pretrained, head):
    """Frozen base + trained head as one model on raw RGB in [0, 1] (for download).

    On a copy of the base: saving reads every weight, which must not meet
    another learner's `predict` on the shared network (see `Pretrained`)."""
    import keras

    inputs, outputs = _on_rgb(pretrained, base_of(pretrained, copy=True), lambda x: head(x, training=False))
    return keras.Model(inputs, outputs, name="mobilenetv2_transfer")


def build_small_cnn(size: int, n_classes: int, learning_rate: float = 1e-3, seed: int = 0):
    """The from-scratch baseline: the CNN page's small CNN (3 conv blocks) on the same images."""
    from nnkit.experiments.cnn_filters import model as cnn

    config = cnn.CNNConfig(filters=(8, 16, 32), dropout=0.3, learning_rate=learning_rate, seed=seed)
    return cnn.build_cnn(config, (size, size, 3), n_classes)


def planned(settings: dict[str, Any]) -> dict[str, tuple[str, int]]:
    """The variants a page's settings ask for: key → (label, epochs), in training order."""
    s = settings
    chosen = {"cnn": s["run_cnn"], "frozen": True, "tune": s["run_tune"]}
    epochs = {"cnn": s["cnn_epochs"], "frozen": s["head_epochs"], "tune": s["tune_epochs"]}
    return {key: (VARIANTS[key] + (f" · top {s['blocks']} blocks" if key == "tune" else ""), epochs[key])
            for key in VARIANTS if chosen[key]}


def build_variant(key: str, pretrained: Pretrained, n_classes: int, settings: dict[str, Any]):
    """The compiled model of one variant ("cnn", "frozen" or "tune")."""
    seed = settings["seed"]
    if key == "cnn":
        return build_small_cnn(pretrained.size, n_classes, seed=seed)
    if key == "frozen":
        return build_head(n_classes, seed=seed)
    return build_finetune(pretrained, n_classes, settings["blocks"], seed=seed)


def variant_key(label: str) -> str:
    """The variant key a run's label starts with."""
    return next(key for key, name in VARIANTS.items() if label.startswith(name))


def trainable_params(model) -> int:
    """Number of weights the optimiser will update."""
    return int(sum(np.prod(v.shape) for v in model.trainable_weights))


def probabilities(model, x: np.ndarray, batch_size: int = 16) -> np.ndarray:
    """Class probabilities (N, classes) for per-image predictions with confidence."""
    return np.asarray(model.predict(x, batch_size=batch_size, verbose=0), dtype="float32")


def separability(feats: np.ndarray, y: np.ndarray) -> float:
    """Leave-one-out 1-nearest-neighbour accuracy in feature space (how well classes cluster)."""
    if len(feats) < 2:
        return float("nan")
    a = feats / (np.linalg.norm(feats, axis=1, keepdims=True) + 1e-12)
    sim = a @ a.T
    np.fill_diagonal(sim, -np.inf)
    return float((y[sim.argmax(1)] == y).mean())
