"""The pretrained ImageNet MobileNetV2, online or offline: loading, preprocessing, features.

Two sources give the same architecture, `keras.applications.MobileNetV2`:

- ONLINE: Keras's own ImageNet weights (`weights="imagenet"`), downloaded
  once into ~/.keras. Trained in TensorFlow, they expect inputs scaled to
  [-1, 1] and the asymmetric "same" padding Keras builds.
- OFFLINE: torchvision's ImageNet weights (`mobilenet_v2-b0353104.pth`),
  converted by `scripts/convert_mobilenet_weights.py` into
  `assets/models/`. Trained in PyTorch, they expect RGB in [0, 1]
  normalised by the ImageNet mean/std and symmetric 1-pixel padding on the
  five stride-2 convolutions, so `symmetric_padding` rebuilds the graph with that
  padding (same layers, same weights, numerically torchvision's network).

`preprocessing_layers` carries each source's input scaling as Keras layers,
so a model built on top takes raw RGB in [0, 1] and is self-contained.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np

from nnkit.core.assets import ASSETS

OFFLINE_WEIGHTS = ASSETS / "models" / "mobilenet_v2_torchvision_imagenet.weights.h5"
CLASSES_JSON = ASSETS / "imagenet_classes.json"

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
WORKSHOP_MAX_SIZE = 160   # a 224-pixel MobileNetV2 costs ~2× the 160 one on a shared CPU


def sizes(workshop: bool = False) -> tuple[int, ...]:
    """The image sizes a learner may pick (capped in workshop mode)."""
    return tuple(s for s in SIZES if not workshop or s <= WORKSHOP_MAX_SIZE)


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
    a ZeroPadding2D((1, 1)) + "valid" Conv1 and (1, 1) block pads: only those
    layers are new (made from their attributes), every other layer is shared
    with `model`, weights and all. No layer config is serialised, which under
    JAX would import TensorFlow wherever it is installed; the result is plain
    Keras layers, so it saves as an ordinary .keras file.
    """
    import keras

    def clone(layer):
        if isinstance(layer, keras.layers.ZeroPadding2D):
            return keras.layers.ZeroPadding2D(((1, 1), (1, 1)), name=layer.name)
        if layer.name == "Conv1":
            return keras.layers.Conv2D(layer.filters, layer.kernel_size, strides=layer.strides, padding="valid",
                                       use_bias=layer.use_bias, name="Conv1")
        return layer

    def call(layer, *args, **kwargs):
        if layer.name == "Conv1":
            args = (keras.layers.ZeroPadding2D(((1, 1), (1, 1)), name="Conv1_pad")(args[0]),)
        return layer(*args, **kwargs)

    rebuilt = keras.models.clone_model(model, clone_function=clone, call_function=call)
    rebuilt.get_layer("Conv1").set_weights(model.get_layer("Conv1").get_weights())
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
    """NumPy twin of `preprocessing_layers` (features are extracted from preprocessed arrays)."""
    x = np.asarray(images, dtype="float32")
    if source == ONLINE:
        return x * 2.0 - 1.0
    return (x - np.array(IMAGENET_MEAN, "float32")) / np.array(IMAGENET_STD, "float32")


@dataclass
class Pretrained:
    """A loaded ImageNet MobileNetV2 (its `net` takes preprocessed input) and where it came from.

    One is shared by every session (`st.cache_resource`), so it never goes
    through Keras's `predict` (see `infer`), and everything that reads, traces
    or clones it holds `lock`: a Keras model is not made for several threads.
    """

    net: object
    source: str
    size: int
    notice: str = ""
    _pooled: object = field(default=None, repr=False)
    _calls: dict = field(default_factory=dict, repr=False, compare=False)
    lock: threading.RLock = field(default_factory=threading.RLock, repr=False, compare=False)

    def call(self, pooled: bool):
        """The network (or its pooled base) as one compiled inference call, built once."""
        with self.lock:
            if pooled not in self._calls:
                from nnkit.core import backend

                self._calls[pooled] = backend.compiled_call(self.pooled if pooled else self.net)
            return self._calls[pooled]

    @property
    def pooled(self):
        """input → global-average-pooled 'out_relu' (1280 features), built once and reused."""
        with self.lock:
            if self._pooled is None:
                import keras

                base = base_of(self)
                self._pooled = keras.Model(base.input, keras.layers.GlobalAveragePooling2D()(base.output))
            return self._pooled

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


# ---- images in, ImageNet classes out ---------------------------------------------------

def square(image: np.ndarray, size: int) -> np.ndarray:
    """Centre-crop to a square and resize to `size`×`size` RGB in [0, 1].

    Why a crop: ImageNet networks were evaluated on centre crops; squashing a
    wide photo distorts shapes the network relies on. Grey images get three
    equal channels, RGBA loses its alpha.
    """
    from skimage.transform import resize

    from nnkit.core.images import normalise

    x = normalise(image)
    if x.shape[2] == 1:
        x = np.repeat(x, 3, axis=2)
    h, w = x.shape[:2]
    side = min(h, w)
    top, left = (h - side) // 2, (w - side) // 2
    x = x[top:top + side, left:left + side]
    if side != size:
        x = resize(x, (size, size, 3), anti_aliasing=side > size, order=1)
    return x.astype("float32")


def infer(pretrained: Pretrained, x: np.ndarray, pooled: bool = False, batch_size: int = 32) -> np.ndarray:
    """The shared network (or its pooled base) on preprocessed `x`, batch by batch, instead of
    `model.predict`.

    Why: Keras's JAX `predict` detaches every variable's value for the length of
    the call and reattaches them at its end; one that raises midway (or meets
    another thread) leaves the network without weights for every session until
    the server restarts. A compiled stateless call only reads them, and holds far
    less memory than a plain, op-by-op call (see `backend.compiled_call`).
    """
    with pretrained.lock:
        call = pretrained.call(pooled)
        return np.concatenate([call(x[i:i + batch_size]) for i in range(0, len(x), batch_size)])


def top_classes(pretrained: Pretrained, image: np.ndarray, k: int = 5,
                classes: list[str] | None = None) -> list[tuple[str, float]]:
    """The `k` most likely ImageNet classes for one image, with probabilities."""
    classes = classes or imagenet_classes()
    x = preprocess(square(image, pretrained.size)[None], pretrained.source)
    p = infer(pretrained, x)[0]
    order = np.argsort(p)[::-1][:k]
    return [(classes[i], float(p[i])) for i in order]


# ---- the convolutional base -------------------------------------------------------------------

N_BLOCKS = 16   # inverted-residual blocks block_1 … block_16 (plus the first, "expanded_conv")


def truncated(model, layer_name: str, name: str = "base"):
    """`model` cut after `layer_name`, sharing its layers and weights.

    Why not `keras.Model(model.input, model.get_layer(layer_name).output)`: a
    layer shared by two graphs (see `symmetric_padding`) reports its first
    graph's output; tracing the model again finds this graph's.
    """
    import keras

    found = {}

    def call(layer, *args, **kwargs):
        out = layer(*args, **kwargs)
        if layer.name == layer_name:
            found["out"] = out
        return out

    traced = keras.models.clone_model(model, clone_function=lambda layer: layer, call_function=call)
    return keras.Model(traced.input, found["out"], name=name)


def base_of(pretrained: Pretrained, copy: bool = False):
    """The convolutional base (input → 'out_relu' feature maps, preprocessed input).

    `copy=True` returns an independent clone with the same weights, for
    fine-tuning: the cached network is shared by every session and must stay
    unchanged.
    """
    with pretrained.lock:
        return truncated(_copy(pretrained) if copy else pretrained.net, "out_relu", name="mobilenetv2_base")


def _copy(pretrained: Pretrained):
    """A new network of the same source and size holding the shared one's weights.

    Built, not cloned: `keras.models.clone_model` serialises every layer's
    config, and under JAX that imports TensorFlow wherever it is installed
    (~450 MB more on a server with a hard memory cap).
    """
    net = _stock(pretrained.size)
    if pretrained.source == OFFLINE:
        net = symmetric_padding(net)
    net.set_weights(pretrained.net.get_weights())
    return net


def features(pretrained: Pretrained, x: np.ndarray, batch_size: int = 32) -> np.ndarray:
    """Global-average-pooled MobileNetV2 features, (N, 1280), for RGB images in [0, 1].

    The batch is padded to a multiple of `batch_size` so every batch has the
    same shape: JAX and TensorFlow then compile the network once, not once
    for the last, smaller batch.
    """
    n = len(x)
    if n == 0:
        return np.zeros((0, 1280), "float32")
    padded = np.concatenate([x, np.zeros(((-n) % batch_size, *x.shape[1:]), x.dtype)])
    out = infer(pretrained, preprocess(padded, pretrained.source), pooled=True, batch_size=batch_size)
    return out.astype("float32")[:n]
