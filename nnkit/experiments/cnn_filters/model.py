"""A small CNN and its dense rival, described once as layer specs, and the tools to look inside.

The page and the exported notebook both read `cnn_layer_specs` /
`dense_layer_specs` and `COMPILE`, so the notebook's model is the model the
app trained. Keras is imported inside functions only.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Sequence

import numpy as np

from nnkit.core.images import PHOTOS
from nnkit.core.models import Compile, LayerSpec, build_sequential
from nnkit.core.settings import Setting
from nnkit.experiments.cnn_filters.convolution import KERNELS

# Each augmentation as a layer spec, so the app and an exported notebook build the same layers.
AUGMENTATION_SPECS: dict[str, LayerSpec] = {
    "flip": ("RandomFlip", ("horizontal",), {}),
    "rotation": ("RandomRotation", (0.08,), {}),
    "zoom": ("RandomZoom", (0.15,), {}),
    "translation": ("RandomTranslation", (0.1, 0.1), {}),
    "contrast": ("RandomContrast", (0.4,), {"value_range": (0, 1)}),
}
AUGMENTATIONS = tuple(AUGMENTATION_SPECS)
LEARNING_RATE = 0.003


def augmentation_specs(names: Sequence[str], seed: int) -> list[LayerSpec]:
    """The random augmentation layers for `names`, seeded (active only in training)."""
    unknown = set(names) - set(AUGMENTATION_SPECS)
    if unknown:
        raise ValueError(f"unknown augmentation(s) {sorted(unknown)}; choose from {AUGMENTATIONS}")
    return [(cls, args, {**kwargs, "seed": seed}) for cls, args, kwargs in map(AUGMENTATION_SPECS.get, names)]


@dataclass(frozen=True)
class CNNConfig:
    """A small CNN; the defaults train on 3k Fashion-MNIST images in seconds on a CPU."""

    filters: tuple[int, ...] = (8, 16)   # filters per conv layer; depth = len(filters)
    kernel_size: int = 3
    dropout: float = 0.2                 # before the classifier
    augment: tuple[str, ...] = ()        # names from AUGMENTATIONS, active only in training
    learning_rate: float = LEARNING_RATE
    seed: int = 0


def classifier_compile(learning_rate: float = LEARNING_RATE) -> Compile:
    """Adam on sparse categorical cross-entropy, watching accuracy: both nets compile the same."""
    return Compile("adam", learning_rate, "sparse_categorical_crossentropy", ("accuracy",))


def cnn_layer_specs(config: CNNConfig, input_shape: tuple[int, int, int], n_classes: int) -> list[LayerSpec]:
    """The layers of `build_cnn`, Input first (see there for the shapes)."""
    specs = [("Input", (tuple(input_shape),), {}), *augmentation_specs(config.augment, config.seed)]
    size = min(input_shape[:2])
    for i, n in enumerate(config.filters, start=1):
        specs.append(("Conv2D", (n, config.kernel_size), {"padding": "same", "activation": "relu",
                                                         "name": f"conv_{i}"}))
        if size >= 2:
            specs.append(("MaxPooling2D", (2,), {"name": f"pool_{i}"}))
            size //= 2
    return specs + [("Flatten", (), {"name": "flatten"}), ("Dropout", (config.dropout,), {"name": "dropout"}),
                    ("Dense", (n_classes,), {"activation": "softmax", "name": "output"})]


def build_cnn(config: CNNConfig, input_shape: tuple[int, int, int], n_classes: int):
    """Conv→ReLU→max-pool blocks, then dropout and a softmax classifier.

    Example: filters (8, 16), kernel 3 on 28×28×1 gives
    28×28×8 → 14×14×8 → 14×14×16 → 7×7×16 → 784 → 10.
    Pooling is skipped once a map is 1 pixel wide, so deep nets on 8×8
    digits still build. Layers are named conv_1, conv_2… for feature maps.
    """
    return build_sequential(cnn_layer_specs(config, input_shape, n_classes),
                            classifier_compile(config.learning_rate), config.seed, name="cnn")


def dense_layer_specs(hidden: int, input_shape: tuple[int, int, int], n_classes: int,
                      dropout: float = 0.2) -> list[LayerSpec]:
    """Flatten the image and use one hidden Dense layer: no notion of neighbouring pixels."""
    return [("Input", (tuple(input_shape),), {}), ("Flatten", (), {"name": "flatten"}),
            ("Dense", (hidden,), {"activation": "relu", "name": "hidden"}),
            ("Dropout", (dropout,), {"name": "dropout"}),
            ("Dense", (n_classes,), {"activation": "softmax", "name": "output"})]


def build_dense(hidden: int, input_shape: tuple[int, int, int], n_classes: int,
                learning_rate: float = LEARNING_RATE, seed: int = 0, dropout: float = 0.2):
    """The dense rival of `build_cnn`, compiled the same way."""
    return build_sequential(dense_layer_specs(hidden, input_shape, n_classes, dropout),
                            classifier_compile(learning_rate), seed, name="dense")


def dense_units_for(n_params: int, input_shape: tuple[int, int, int], n_classes: int) -> int:
    """Hidden units that give a Flatten→Dense→Dense net about `n_params` weights.

    (n_in + 1)·h + (h + 1)·c = P  ⇒  h = (P − c) / (n_in + 1 + c).
    """
    n_in = int(np.prod(input_shape))
    return max(1, round((n_params - n_classes) / (n_in + 1 + n_classes)))


def count_cnn_params(config: CNNConfig, input_shape: tuple[int, int, int], n_classes: int) -> int:
    """Weights and biases of `build_cnn(config, ...)` without building it.

    A conv layer has (k·k·c_in + 1)·filters; with 'same' padding and 2×2
    pooling the map halves per block; the classifier has (h·w·c + 1)·classes.
    """
    size_h, size_w, channels = input_shape
    total = 0
    for n in config.filters:
        total += (config.kernel_size ** 2 * channels + 1) * n
        channels = n
        if min(size_h, size_w) >= 2:
            size_h, size_w = size_h // 2, size_w // 2
    return total + (size_h * size_w * channels + 1) * n_classes


def architecture_text(model) -> str:
    """E.g. "28×28×1 → conv_1 28×28×8 → pool_1 14×14×8 → … → output 10"."""
    parts = ["×".join(str(d) for d in model.inputs[0].shape[1:])]
    for layer in model.layers:
        if layer.name.startswith(("conv", "pool", "flatten", "hidden", "output")):
            parts.append(f"{layer.name} " + "×".join(str(d) for d in layer.output.shape[1:]))
    return " → ".join(parts) + f" ({model.count_params():,} weights and biases)"


# ---- a run's settings ------------------------------------------------------------------

N_TEST = 1000             # test images kept for the confusion matrix
VALIDATION_FRACTION = 0.2  # of the training images, held out at random (seeded)
RUN_SETTINGS = ("n_train", "filters", "depth", "ksize", "dropout", "augment",
                *(f"aug_{name}" for name in AUGMENTATIONS), "epochs", "batch", "seed")


# The page's settings table: what its links, locks and twin runs can set.
SETTINGS = (
    Setting("photo", "chelsea (cat)", choices=("your upload", *PHOTOS)),
    Setting("kernel", "Sobel x (vertical edges)", choices=(*KERNELS, "custom")),
    Setting("size", 3, choices=(3, 5)), Setting("stride", 1, low=1, high=16),
    Setting("padding", "valid", choices=("valid", "same")), Setting("colour", False),
    Setting("pool", "max", choices=("none", "max", "average")), Setting("pool_size", 2, low=2, high=4),
    Setting("n_train", 3000, low=500, high=10000, workshop_high=3000),
    Setting("filters", 8, low=2, high=32, workshop_high=16), Setting("depth", 2, low=1, high=3, workshop_high=2),
    Setting("ksize", 3, choices=(3, 5)), Setting("dropout", 0.2, choices=(0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7)),
    Setting("epochs", 3, low=1, high=15, workshop_high=5), Setting("batch", 32, choices=(16, 32, 64, 128)),
    Setting("augment", False), Setting("seed", 0, low=0, high=9999),
    Setting("test_index", 0, low=0, high=N_TEST - 1),
    *(Setting(f"aug_{name}", name in ("flip", "zoom", "translation")) for name in AUGMENTATIONS),
    Setting("aug_n", 1000, low=200, high=3000, workshop_high=1000),
    Setting("aug_epochs", 5, low=2, high=15, workshop_high=5),
)


def augment_kinds(settings: dict[str, Any]) -> tuple[str, ...]:
    """The augmentations ticked in a page's settings (`aug_flip`, `aug_zoom`…)."""
    return tuple(name for name in AUGMENTATIONS if settings.get(f"aug_{name}"))


def config_from(settings: dict[str, Any]) -> CNNConfig:
    """The CNN a page's settings describe: each deeper layer doubles the filters."""
    s = settings
    return CNNConfig(tuple(s["filters"] * 2 ** i for i in range(s["depth"])), s["ksize"], float(s["dropout"]),
                     augment_kinds(s) if s["augment"] else (), seed=s["seed"])


def pair_configs(settings: dict[str, Any], image_shape: tuple[int, int, int],
                 n_classes: int) -> dict[str, tuple[CNNConfig | None, int]]:
    """The page's two comparisons: label → (CNN config, or None and the dense net's hidden units).

    Augmentation off/on uses the section-4 ticks; CNN vs dense uses a dense
    net with about the CNN's number of weights.
    """
    base = replace(config_from(settings), augment=())
    hidden = dense_units_for(count_cnn_params(base, image_shape, n_classes), image_shape, n_classes)
    return {"no augmentation": (base, 0), "with augmentation": (replace(base, augment=augment_kinds(settings)), 0),
            "dense": (None, hidden), "CNN": (base, 0)}


def build_labelled(label: str, settings: dict[str, Any], image_shape: tuple[int, int, int], n_classes: int):
    """The compiled model behind one label of `pair_configs`."""
    config, hidden = pair_configs(settings, image_shape, n_classes)[label]
    if config is None:
        return build_dense(hidden, image_shape, n_classes, seed=settings["seed"])
    return build_cnn(config, image_shape, n_classes)


def rebuild(settings: dict[str, Any], image_shape: tuple[int, int, int], n_classes: int,
            weights: list[np.ndarray]):
    """The trained CNN of a run, from its settings and its kept weights (records keep no models)."""
    model = build_cnn(config_from(settings), image_shape, n_classes)
    model.set_weights(weights)
    return model


def weights_key(settings: dict[str, Any], weights: list[np.ndarray]) -> str:
    """A fingerprint of a trained run (its settings and weights), to cache the rebuilt model by."""
    import hashlib

    digest = hashlib.sha1(repr(sorted(settings.items())).encode())
    for w in weights:
        digest.update(np.ascontiguousarray(w).tobytes())
    return digest.hexdigest()
