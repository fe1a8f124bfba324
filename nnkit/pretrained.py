"""A pretrained ImageNet MobileNetV2, online or offline, and transfer learning on it.

Two sources give the same architecture, `keras.applications.MobileNetV2`:

- ONLINE: Keras's own ImageNet weights (`weights="imagenet"`), downloaded
  once into ~/.keras. Trained in TensorFlow, they expect inputs scaled to
  [-1, 1] and the asymmetric "same" padding Keras builds.
- OFFLINE: torchvision's ImageNet weights (`mobilenet_v2-b0353104.pth`),
  converted by `scripts/convert_mobilenet_weights.py` into
  `assets/models/`. Trained in PyTorch, they expect RGB in [0, 1]
  normalised by the ImageNet mean/std and symmetric 1-pixel padding on the
  five stride-2 convolutions, so `build_base` rebuilds the graph with that
  padding (same layers, same weights, numerically torchvision's network).

Every model built here takes raw RGB in [0, 1] and carries its source's
preprocessing as a first layer, so what a learner downloads is self-contained.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
OFFLINE_WEIGHTS = ROOT / "assets" / "models" / "mobilenet_v2_torchvision_imagenet.weights.h5"
CLASSES_JSON = ROOT / "assets" / "imagenet_classes.json"

ONLINE, OFFLINE = "online", "offline"
SOURCE_TEXT = {
    ONLINE: "Keras ImageNet weights (keras.applications, downloaded once)",
    OFFLINE: "torchvision ImageNet weights shipped with nnkit (assets/models, converted offline)",
}
# torchvision's normalisation (what the offline weights were trained with).
IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)
TORCH_BN_EPSILON = 1e-5   # Keras MobileNetV2 uses 1e-3: the converter folds the gap into gamma
SIZES = (96, 128, 160, 192, 224)


# ---- building and loading ------------------------------------------------------------

def _stock(size: int, include_top: bool = True):
    import keras

    return keras.applications.MobileNetV2(
        weights=None, alpha=1.0, input_shape=(size, size, 3), include_top=include_top)


def symmetric_padding(model):
    """The same MobileNetV2 with torchvision's padding on its stride-2 convolutions.

    Why: Keras pads an even-sized input by (0, 1) before a stride-2 3×3
    convolution ("same" on Conv1, `correct_pad` on the depthwise blocks);
    torchvision pads (1, 1). With torchvision's weights, (0, 1) shifts every
    feature map by one pixel per stride-2 layer. This rebuilds the graph with
    a ZeroPadding2D((1, 1)) + "valid" Conv1 and (1, 1) block pads, reusing the
    weights: only standard layers, so the result saves as a plain .keras file.
    """
    import keras

    def clone(layer):
        config = layer.get_config()
        if isinstance(layer, keras.layers.ZeroPadding2D):
            config["padding"] = ((1, 1), (1, 1))
        elif layer.name == "Conv1":
            config["padding"] = "valid"
        return layer.__class__.from_config(config)

    def call(layer, *args, **kwargs):
        if layer.name == "Conv1":
            args = (keras.layers.ZeroPadding2D(((1, 1), (1, 1)), name="Conv1_pad")(args[0]),)
        return layer(*args, **kwargs)

    rebuilt = keras.models.clone_model(model, clone_function=clone, call_function=call)
    for layer in rebuilt.layers:
        if layer.weights and layer.name != "Conv1_pad":
            layer.set_weights(model.get_layer(layer.name).get_weights())
    return rebuilt


def _download_imagenet(size: int):
    import keras

    return keras.applications.MobileNetV2(
        weights="imagenet", alpha=1.0, input_shape=(size, size, 3), include_top=True)


def _offline_imagenet(size: int, weights: Path = OFFLINE_WEIGHTS):
    model = _stock(size)
    model.load_weights(str(weights))
    return symmetric_padding(model)


def preprocessing_layers(source: str) -> list:
    """Layers that map RGB in [0, 1] to what `source`'s weights were trained on."""
    import keras

    if source == ONLINE:     # keras.applications.mobilenet_v2.preprocess_input: [-1, 1]
        return [keras.layers.Rescaling(2.0, offset=-1.0, name="to_minus1_1")]
    return [keras.layers.Normalization(mean=IMAGENET_MEAN, variance=np.square(IMAGENET_STD),
                                       name="imagenet_mean_std")]


def preprocess(images: np.ndarray, source: str) -> np.ndarray:
    """NumPy twin of `preprocessing_layers` (for tests and the code snippet)."""
    x = np.asarray(images, dtype="float32")
    if source == ONLINE:
        return x * 2.0 - 1.0
    return (x - np.array(IMAGENET_MEAN, "float32")) / np.array(IMAGENET_STD, "float32")


@dataclass
class Pretrained:
    """A loaded ImageNet MobileNetV2 (its `net` takes preprocessed input) and where it came from."""

    net: object
    source: str
    size: int
    notice: str = ""

    @property
    def source_text(self) -> str:
        return SOURCE_TEXT[self.source]


def load_pretrained(size: int = 224, prefer_online: bool = False,
                    download: Callable[[int], object] | None = None,
                    offline: Callable[[int], object] | None = None) -> Pretrained:
    """ImageNet MobileNetV2 at `size`×`size`: Keras's download if asked for, else the shipped one.

    Why the fallback: workshops with bad Wi-Fi and CI have no network; the
    download then fails (socket error, HTTP error, truncated file) and the
    learner should get the offline weights plus a notice, not a traceback.

    Args:
        size: input side in pixels; MobileNetV2 works at 96–224.
        prefer_online: try `keras.applications.MobileNetV2(weights="imagenet")` first.
        download, offline: loaders (tests replace them to simulate failures).
    """
    if size not in SIZES:
        raise ValueError(f"size must be one of {SIZES}, got {size}")
    download = download or _download_imagenet
    offline = offline or _offline_imagenet
    if prefer_online:
        try:
            return Pretrained(download(size), ONLINE, size)
        except Exception as exc:  # noqa: BLE001 - any download failure falls back
            notice = (f"Downloading Keras's ImageNet weights failed ({type(exc).__name__}: "
                      f"{str(exc)[:160]}); using the offline weights shipped with nnkit instead.")
            return Pretrained(offline(size), OFFLINE, size, notice)
    return Pretrained(offline(size), OFFLINE, size)


def imagenet_classes(path: Path = CLASSES_JSON) -> list[str]:
    """The 1000 ImageNet class names in the networks' output order."""
    data = json.loads(Path(path).read_text())
    return [data[str(i)][1] for i in range(1000)]
