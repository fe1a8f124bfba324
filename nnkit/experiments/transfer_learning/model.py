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
BATCH_SIZE = 16           # every variant trains with these, so they compare fairly
VALIDATION = 0.25         # the same held-out images for every variant (seeded split)
HEAD_DROPOUT, HEAD_LEARNING_RATE = 0.2, 1e-3


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
    """NumPy twin of `preprocessing_layers` (features are extracted from preprocessed arrays)."""
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
    _pooled: object = field(default=None, repr=False)

    @property
    def pooled(self):
        """input → global-average-pooled 'out_relu' (1280 features), built once and reused."""
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

class TransferError(ValueError):
    """A data set the experiment cannot use, with a message a learner can act on."""


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


def top_classes(pretrained: Pretrained, image: np.ndarray, k: int = 5,
                classes: list[str] | None = None) -> list[tuple[str, float]]:
    """The `k` most likely ImageNet classes for one image, with probabilities."""
    classes = classes or imagenet_classes()
    x = preprocess(square(image, pretrained.size)[None], pretrained.source)
    p = np.asarray(pretrained.net.predict(x, verbose=0))[0]
    order = np.argsort(p)[::-1][:k]
    return [(classes[i], float(p[i])) for i in order]


# ---- transfer learning -------------------------------------------------------------------

N_BLOCKS = 16   # inverted-residual blocks block_1 … block_16 (plus the first, "expanded_conv")


def base_of(pretrained: Pretrained, copy: bool = False):
    """The convolutional base (input → 'out_relu' feature maps, preprocessed input).

    `copy=True` returns an independent clone with the same weights, for
    fine-tuning: the cached network is shared by every session and must stay
    unchanged.
    """
    import keras

    base = keras.Model(pretrained.net.input, pretrained.net.get_layer("out_relu").output,
                       name="mobilenetv2_base")
    if copy:
        clone = keras.models.clone_model(base)
        clone.set_weights(base.get_weights())
        return clone
    return base


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
    out = pretrained.pooled.predict(preprocess(padded, pretrained.source), batch_size=batch_size,
                                    verbose=0)
    return np.asarray(out, dtype="float32")[:n]


def _compile(model, learning_rate: float):
    import keras

    model.compile(optimizer=keras.optimizers.Adam(learning_rate),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def build_head(n_classes: int, n_features: int = 1280, dropout: float = HEAD_DROPOUT,
               learning_rate: float = HEAD_LEARNING_RATE, seed: int = 0):
    """The new classifier trained on frozen features: dropout + one softmax layer."""
    import keras

    from nnkit.core import backend

    backend.set_seed(seed)
    model = keras.Sequential([keras.Input((n_features,)), keras.layers.Dropout(dropout, name="dropout"),
                              keras.layers.Dense(n_classes, activation="softmax", name="head")],
                             name="frozen_features_head")
    return _compile(model, learning_rate)


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
    inputs = keras.Input((pretrained.size, pretrained.size, 3), name="rgb_0_1")
    x = inputs
    for layer in preprocessing_layers(pretrained.source):
        x = layer(x)
    x = base(x, training=False)
    x = keras.layers.GlobalAveragePooling2D(name="pool")(x)
    x = keras.layers.Dropout(dropout, name="dropout")(x)
    outputs = keras.layers.Dense(n_classes, activation="softmax", name="head")(x)
    return _compile(keras.Model(inputs, outputs, name=f"finetune_top{n_blocks}"), learning_rate)


def classifier(pretrained: Pretrained, head):
    """Frozen base + trained head as one model on raw RGB in [0, 1] (for download)."""
    import keras

    inputs = keras.Input((pretrained.size, pretrained.size, 3), name="rgb_0_1")
    x = inputs
    for layer in preprocessing_layers(pretrained.source):
        x = layer(x)
    x = keras.layers.GlobalAveragePooling2D(name="pool")(base_of(pretrained)(x, training=False))
    return keras.Model(inputs, head(x, training=False), name="mobilenetv2_transfer")


def build_small_cnn(size: int, n_classes: int, learning_rate: float = 1e-3, seed: int = 0):
    """The from-scratch baseline: nnkit.experiments.cnn_filters.model's small CNN (3 conv blocks) on the same images."""
    from nnkit.experiments.cnn_filters import model as cnn

    config = cnn.CNNConfig(filters=(8, 16, 32), dropout=0.3, learning_rate=learning_rate, seed=seed)
    return cnn.build_cnn(config, (size, size, 3), n_classes)


def trainable_params(model) -> int:
    """Number of weights the optimiser will update."""
    return int(sum(np.prod(v.shape) for v in model.trainable_weights))


# ---- the learner's classes ---------------------------------------------------------------

OFFLINE_SETS = {
    "Fashion-MNIST: sandal / sneaker / ankle boot": "fashion",
    "Faces vs non-faces (scikit-image lfw_subset)": "faces",
}
FASHION_PICK = (5, 7, 9)   # Sandal, Sneaker, Ankle boot: similar shoes, a fair test
FASHION_POOL = 6000        # Fashion-MNIST training images drawn first; each class is picked from them


@dataclass
class ImageSet:
    """Images (N, size, size, 3) in [0, 1], integer labels, class names, provenance and notes."""

    x: np.ndarray
    y: np.ndarray
    classes: tuple[str, ...]
    source: str
    notes: tuple[str, ...] = ()

    @property
    def key(self) -> str:
        """A short fingerprint, so features can be cached per image set."""
        import hashlib

        digest = hashlib.sha1(self.x.tobytes() + self.y.tobytes()).hexdigest()[:12]
        return f"{len(self.x)}x{self.x.shape[1]}-{digest}"


def offline_set(name: str, per_class: int, size: int, seed: int = 0) -> ImageSet:
    """A shipped image set: `per_class` images of each class, resized to `size`."""
    rng = np.random.default_rng(seed)
    if OFFLINE_SETS.get(name) == "fashion":
        from nnkit.core import images

        data = images.fashion_mnist(FASHION_POOL, 10, seed)
        picks = [rng.permutation(np.where(data.y == c)[0])[:per_class] for c in FASHION_PICK]
        raw, classes, source = data.x, tuple(data.class_names[c] for c in FASHION_PICK), data.source
    elif OFFLINE_SETS.get(name) == "faces":
        import skimage.data

        raw = skimage.data.lfw_subset()[..., None]   # 100 faces, then 100 non-faces
        picks = [rng.permutation(np.arange(100))[:per_class], 100 + rng.permutation(100)[:per_class]]
        classes = ("face", "not a face")
        source = "scikit-image lfw_subset: 25×25 crops from Labeled Faces in the Wild (public)"
    else:
        raise TransferError(f"unknown image set {name!r}; choose one of {list(OFFLINE_SETS)}")
    x = np.stack([square(raw[i], size) for idx in picks for i in idx])
    y = np.concatenate([np.full(len(idx), c, "int32") for c, idx in enumerate(picks)])
    return ImageSet(x, y, classes, source)


def uploaded_set(files: dict[str, list[tuple[str, bytes]]], size: int) -> ImageSet:
    """The learner's own classes from uploads: {class name: [(file name, bytes), ...]}.

    Files that are not images are skipped with a note; a set with fewer than
    two usable classes, or a class with fewer than two images, raises
    TransferError with a message saying what to add.
    """
    from nnkit.core.images import ImageError, decode_upload

    notes, xs, ys, classes = [], [], [], []
    for name, items in files.items():
        name = name.strip()
        if not items:
            continue
        if not name:
            raise TransferError("Every class with images needs a name.")
        if name in classes:
            raise TransferError(f"Two classes are called {name!r}; give each class its own name.")
        good = []
        for filename, data in items:
            try:
                image, _ = decode_upload(data, max_side=1024)
                good.append(square(image, size))
            except ImageError as exc:
                notes.append(f"{filename} (class {name}) was skipped: {exc}")
        if len(good) < 2:
            raise TransferError(f"Class {name!r} has {len(good)} usable image(s); each class needs at "
                                "least 2 (one to learn from, one to check).")
        xs += good
        ys += [len(classes)] * len(good)
        classes.append(name)
    if len(classes) < 2:
        raise TransferError("Add images for at least two classes: one class alone has nothing to "
                            "be told apart from.")
    return ImageSet(np.stack(xs), np.array(ys, "int32"), tuple(classes), "your uploads", tuple(notes))


# ---- results ----------------------------------------------------------------------------

def project_2d(feats: np.ndarray) -> tuple[np.ndarray, tuple[float, float]]:
    """PCA of the frozen features to 2-D, plus the variance share of each axis."""
    from sklearn.decomposition import PCA

    n = min(2, len(feats), feats.shape[1])
    pca = PCA(n_components=n).fit(feats)
    xy = pca.transform(feats)
    if n < 2:
        xy = np.pad(xy, ((0, 0), (0, 2 - n)))
    ratio = tuple(float(r) for r in pca.explained_variance_ratio_) + (0.0,) * (2 - n)
    return xy, ratio


def confusion(y_true: np.ndarray, y_pred: np.ndarray, n_classes: int) -> np.ndarray:
    """counts[true, predicted] over the validation images."""
    counts = np.zeros((n_classes, n_classes), dtype=int)
    np.add.at(counts, (np.asarray(y_true, int), np.asarray(y_pred, int)), 1)
    return counts


def separability(feats: np.ndarray, y: np.ndarray) -> float:
    """Leave-one-out 1-nearest-neighbour accuracy in feature space (how well classes cluster)."""
    if len(feats) < 2:
        return float("nan")
    a = feats / (np.linalg.norm(feats, axis=1, keepdims=True) + 1e-12)
    sim = a @ a.T
    np.fill_diagonal(sim, -np.inf)
    return float((y[sim.argmax(1)] == y).mean())


def lesson(rows: list[dict], n_images: int, n_classes: int) -> str:
    """'What it means', built from this run's table of variants.

    Each row: {"variant", "trainable", "val_accuracy", "seconds_per_epoch"}.
    """
    done = [r for r in rows if r.get("val_accuracy") is not None]
    if not done:
        return "Train the variants to compare them."
    best = max(done, key=lambda r: r["val_accuracy"])
    chance = 1.0 / n_classes
    text = (f"With only {n_images} images in {n_classes} classes (chance = {chance:.0%}), "
            f"**{best['variant']}** reached the best validation accuracy, {best['val_accuracy']:.0%}. ")
    by_name = {r["variant"].split(" ")[0]: r for r in done}
    scratch, frozen = by_name.get("(a)"), by_name.get("(b)")
    if scratch and frozen:
        gap = frozen["val_accuracy"] - scratch["val_accuracy"]
        how = "the same" if abs(gap) < 0.005 else f"{abs(gap):.0%} {'higher' if gap > 0 else 'lower'}"
        text += (f"The frozen ImageNet features trained {frozen['trainable']:,} weights against the "
                 f"scratch CNN's {scratch['trainable']:,}, and scored {how}: ")
        text += ("features learned on 1.3 million ImageNet photos already separate your classes, so "
                 "a single new layer is enough. " if gap >= 0 else
                 "here the scratch CNN did better — the images may be very unlike ImageNet photos, "
                 "or too few epochs were run for the head. ")
    tuned = by_name.get("(c)")
    if tuned and frozen:
        gap = tuned["val_accuracy"] - frozen["val_accuracy"]
        text += (f"Fine-tuning updated {tuned['trainable']:,} weights at "
                 f"{tuned['seconds_per_epoch']:.1f} s per epoch ({gap:+.0%} vs. frozen): ")
        text += ("adapting the top blocks to images this unlike ImageNet paid off, at a much higher "
                 "cost per epoch." if gap > 0.05 else
                 "with so few images, unfreezing more blocks mostly costs time and risks overfitting.")
    return text


def probabilities(model, x: np.ndarray, batch_size: int = 16) -> np.ndarray:
    """Class probabilities (N, classes) for per-image predictions with confidence."""
    return np.asarray(model.predict(x, batch_size=batch_size, verbose=0), dtype="float32")


# ---- export: a notebook that reproduces the frozen-features run ----------------------------

def _images_code(kind: str) -> str:
    """Notebook code that rebuilds `offline_set`'s images (uses SIZE, PER_CLASS, SEED, FASHION_DIR).

    Self-contained (its own imports) so tests can run it on its own.
    """
    import inspect

    from nnkit.core import images

    if kind == "fashion":
        classes = [images.FASHION_CLASSES[c] for c in FASHION_PICK]
        load = f'''import gzip
import struct
from pathlib import Path

{inspect.getsource(images.read_idx)}
try:
    x_raw = read_idx(Path(FASHION_DIR) / "train-images-idx3-ubyte.gz")
    y_raw = read_idx(Path(FASHION_DIR) / "train-labels-idx1-ubyte.gz")
except FileNotFoundError:  # no Debian package: Keras downloads the same files once
    (x_raw, y_raw), _ = keras.datasets.fashion_mnist.load_data()
# As in the app: {FASHION_POOL:,} training images drawn at random, then each class picked from them.
pool = np.random.default_rng(SEED).permutation(len(x_raw))[:{FASHION_POOL}]
grey, labels = x_raw[pool].astype("float32") / 255.0, y_raw[pool]
classes = {classes!r}
rng = np.random.default_rng(SEED)
picks = [rng.permutation(np.where(labels == c)[0])[:PER_CLASS] for c in {FASHION_PICK}]'''
    else:
        load = '''import skimage.data

grey = skimage.data.lfw_subset().astype("float32")  # 25×25 crops: 100 faces, then 100 non-faces
classes = ["face", "not a face"]
rng = np.random.default_rng(SEED)
picks = [rng.permutation(100)[:PER_CLASS], 100 + rng.permutation(100)[:PER_CLASS]]'''
    return f'''import numpy as np
from skimage.transform import resize

{load}


def to_rgb(image):
    """A small grey square → SIZE×SIZE RGB in [0, 1] (bilinear, like the app)."""
    return resize(np.repeat(image[..., None], 3, axis=2), (SIZE, SIZE, 3), order=1, anti_aliasing=False)


x = np.stack([to_rgb(grey[i]) for idx in picks for i in idx]).astype("float32")
y = np.concatenate([np.full(len(idx), c, "int32") for c, idx in enumerate(picks)])
print(x.shape, "images; classes:", classes)'''


def _network_code(source: str) -> str:
    """Notebook code for MobileNetV2 as the app loads it, and its input preprocessing."""
    import inspect

    stock = "keras.applications.MobileNetV2(alpha=1.0, input_shape=(SIZE, SIZE, 3), include_top=True,"
    if source == ONLINE:
        return (f'imagenet = {stock} weights="imagenet")\n'
                "preprocess = keras.layers.Rescaling(2.0, offset=-1.0)  # Keras's weights expect [-1, 1]")
    return (f"{inspect.getsource(symmetric_padding)}\n\n"
            f"imagenet = {stock} weights=None)\nimagenet.load_weights(WEIGHTS_FILE)\n"
            "imagenet = symmetric_padding(imagenet)\n"
            "# torchvision's weights expect RGB in [0, 1] normalised by the ImageNet mean and std\n"
            f"preprocess = keras.layers.Normalization(mean={IMAGENET_MEAN}, variance=np.square({IMAGENET_STD}))")


def frozen_features_notebook(settings: dict, source: str, result_line: str) -> bytes:
    """A notebook that reproduces variant (b), frozen MobileNetV2 features + a new head, in plain Keras.

    Same shipped images (set, images per class, size, seed), same network and
    weights, same split, head, seed and fit, so its final loss matches the
    app's. No nnkit import: the two small helpers it needs are inlined.

    Args:
        settings: the run's page settings ("set", "per_class", "size", "seed", "head_epochs").
        source: ONLINE or OFFLINE, the weights the run actually used (after any fallback).
        result_line: how the run ended in the app, quoted in the notebook.
    """
    import inspect
    import os

    from nnkit import notebook as export
    from nnkit.core import data, images

    s = settings
    kind = OFFLINE_SETS[s["set"]]
    paths = []
    if source == OFFLINE:
        paths.append(f'WEIGHTS_FILE = "{OFFLINE_WEIGHTS.relative_to(ASSETS.parent)}"  # ships with nnkit: copy it next to '
                     "this notebook or edit the path")
    if kind == "fashion":
        paths.append(f'FASHION_DIR = "{images.DEBIAN_DIR}"  # Debian\'s fashion-mnist package, if installed')
    settings_code = (
        f'import os\nos.environ.setdefault("KERAS_BACKEND", "{os.environ.get("KERAS_BACKEND", "jax")}")\n'
        "import keras\nimport numpy as np\nimport plotly.graph_objects as go\n\n" + "\n".join(paths) +
        f"\nSIZE = {s['size']}  # image side in pixels\nPER_CLASS = {s['per_class']}  # images per class\n"
        f"SEED = {s['seed']}  # picks the images, the split, the head's first weights and the shuffling\n"
        f"EPOCHS = {s['head_epochs']}  # head epochs")
    cells: list[export.Cell] = [
        ("markdown", f"# Transfer learning: frozen MobileNetV2 features + a new head\n\n"
                     f"Exported from nnkit's transfer-learning page (variant b) on {s['set']}, "
                     f"{s['per_class']} images per class at {s['size']}×{s['size']} pixels, seed {s['seed']}, "
                     f"{s['head_epochs']} head epochs.\n\nIn the app this run ended: {result_line}\n\n"
                     f"Weights: {SOURCE_TEXT[source]}."),
        ("code", settings_code),
        ("markdown", "## The images\nThe same images as in the app: a seeded pick per class, resized to "
                     "SIZE×SIZE RGB in [0, 1]."),
        ("code", _images_code(kind)),
        ("markdown", "## The pretrained network\nMobileNetV2 without its ImageNet classifier: its 1280 "
                     "feature maps, averaged over the image, describe each image. "
                     + ("The weights come from torchvision, so the network is rebuilt with torchvision's "
                        "symmetric padding on its five stride-2 convolutions. " if source == OFFLINE else "")
                     + "The features are computed once; the network never trains."),
        ("code", _network_code(source) + "\n\n"
                 'base = keras.Model(imagenet.input, imagenet.get_layer("out_relu").output)\n'
                 "base.trainable = False\ninputs = keras.Input((SIZE, SIZE, 3))  # RGB in [0, 1]\n"
                 "pooled = keras.layers.GlobalAveragePooling2D()(base(preprocess(inputs), training=False))\n"
                 "extractor = keras.Model(inputs, pooled)\n"
                 "features = extractor.predict(x, batch_size=32, verbose=0)\nprint(features.shape)"),
        ("markdown", "## The new head\nOnly the head trains: dropout and one softmax layer on the features. "
                     f"A seeded random {VALIDATION:.0%} of the images is held out for validation."),
        ("code", f"{inspect.getsource(data.split)}\n"
                 f"(f_train, y_train), (f_val, y_val) = split(features, y, {VALIDATION}, seed=SEED)\n\n"
                 "keras.utils.set_random_seed(SEED)  # the head's initial weights, as in the app\n"
                 "head = keras.Sequential([\n    keras.Input((features.shape[1],)),\n"
                 f"    keras.layers.Dropout({HEAD_DROPOUT}),\n"
                 '    keras.layers.Dense(len(classes), activation="softmax"),\n])\n'
                 f"head.compile(optimizer=keras.optimizers.Adam(learning_rate={HEAD_LEARNING_RATE}),\n"
                 '             loss="sparse_categorical_crossentropy", metrics=["accuracy"])\n'
                 "keras.utils.set_random_seed(SEED)  # the shuffling and dropout, as in the app\n"
                 f"history = head.fit(f_train, y_train, epochs=EPOCHS, batch_size={BATCH_SIZE},\n"
                 "                   validation_data=(f_val, y_val), shuffle=True, verbose=0)\n"
                 'print("final loss", history.history["loss"][-1], '
                 '"val accuracy", history.history["val_accuracy"][-1])'),
        ("code", "fig = go.Figure()\nfor name, values in history.history.items():\n"
                 "    fig.add_scatter(y=values, name=name)\nfig.update_layout(xaxis_title=\"epoch\")\nfig"),
        ("markdown", "## Take it with you\nNetwork and head as one model on raw RGB in [0, 1]."),
        ("code", "classifier = keras.Model(inputs, head(pooled))\n"
                 '# classifier.save("my_classifier.keras")  # about 14 MB: the whole MobileNetV2 travels along'),
    ]
    return export.notebook_bytes(cells)
