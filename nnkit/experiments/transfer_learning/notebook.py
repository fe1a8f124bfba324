"""Variant (b) as a notebook: the same images, network, split, head and fit, in plain Keras.

No nnkit import and no project path: with the shipped weights file next to
the notebook it reproduces the app's numbers; without it, Keras's own
ImageNet weights are downloaded and the notebook still runs (its numbers
then differ, and it says so).
"""

from __future__ import annotations

from typing import Any

from nnkit import notebook
from nnkit.core import data, images
from nnkit.experiments.transfer_learning.imagesets import FASHION_PICK, FASHION_POOL, OFFLINE_SETS
from nnkit.experiments.transfer_learning.mobilenet import (
    IMAGENET_MEAN,
    IMAGENET_STD,
    OFFLINE,
    OFFLINE_WEIGHTS,
    SOURCE_TEXT,
    symmetric_padding,
    truncated,
)
from nnkit.experiments.transfer_learning.model import (
    BATCH_SIZE,
    HEAD_LEARNING_RATE,
    VALIDATION,
    classifier_compile,
    head_specs,
)

WEIGHTS_FILE = OFFLINE_WEIGHTS.name  # next to the notebook, never a path inside the project


def images_code(kind: str) -> str:
    """Notebook code that rebuilds `offline_set`'s images (uses SIZE, PER_CLASS, SEED, FASHION_DIR).

    Self-contained (its own imports) so tests can run it on its own.
    """
    if kind == "fashion":
        classes = [images.FASHION_CLASSES[c] for c in FASHION_PICK]
        load = f'''import gzip
import struct
from pathlib import Path

{notebook.source(images.read_idx)}

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


def weights_check_code() -> str:
    """The cell that says which weights the notebook will use, and why."""
    return ("from pathlib import Path\n\n"
            "SHIPPED = Path(WEIGHTS_FILE).is_file()\n"
            "if SHIPPED:\n"
            '    print(f"Using {WEIGHTS_FILE}: the torchvision ImageNet weights the app used, so the numbers "\n'
            '          "match the app\'s.")\n'
            "else:\n"
            '    print(f"{WEIGHTS_FILE} is not next to this notebook, so Keras\'s own ImageNet weights are "\n'
            '          "downloaded instead (about 14 MB, once). The notebook runs the same way, but its numbers "\n'
            '          "will differ from the app\'s; download the weights file from the app to match them.")')


def network_code(source: str) -> str:
    """MobileNetV2 as the app loaded it (shipped torchvision weights, or Keras's download)."""
    stock = "keras.applications.MobileNetV2(alpha=1.0, input_shape=(SIZE, SIZE, 3), include_top=True,"
    keras_weights = (f'imagenet = {stock} weights="imagenet")\n'
                     "preprocess = keras.layers.Rescaling(2.0, offset=-1.0)  # Keras's weights expect [-1, 1]")
    if source != OFFLINE:
        return keras_weights
    indent = "\n    ".join
    return (f"{notebook.source(symmetric_padding)}\n\n\nif SHIPPED:\n    "
            + indent([f"imagenet = {stock} weights=None)", "imagenet.load_weights(WEIGHTS_FILE)",
                      "imagenet = symmetric_padding(imagenet)",
                      "# torchvision's weights expect RGB in [0, 1] normalised by the ImageNet mean and std",
                      f"preprocess = keras.layers.Normalization(mean={IMAGENET_MEAN}, "
                      f"variance=np.square({IMAGENET_STD}))"])
            + "\nelse:\n    " + indent(keras_weights.split("\n")))


def frozen_features_notebook(settings: dict[str, Any], source: str, result_line: str) -> bytes:
    """A notebook that reproduces variant (b), frozen MobileNetV2 features + a new head, in plain Keras.

    Args:
        settings: the run's page settings ("set", "per_class", "size", "seed", "head_epochs").
        source: ONLINE or OFFLINE, the weights the run actually used (after any fallback).
        result_line: how the run ended in the app, quoted in the notebook.
    """
    s = settings
    kind = OFFLINE_SETS[s["set"]]
    paths = [f'WEIGHTS_FILE = "{WEIGHTS_FILE}"  # put the app\'s weights download next to this notebook']
    paths = paths if source == OFFLINE else []
    if kind == "fashion":
        paths.append(f'FASHION_DIR = "{images.DEBIAN_DIR}"  # Debian\'s fashion-mnist package, if installed')
    weights = ("The weights: the torchvision ImageNet weights the app ships. Put its **MobileNetV2 weights "
               f"(.h5)** download, `{WEIGHTS_FILE}`, next to this notebook (on Colab: upload it to the "
               "session's files) to reproduce the app's numbers; without it the notebook downloads Keras's "
               "ImageNet weights instead and says so." if source == OFFLINE
               else "The weights: Keras's ImageNet weights, downloaded once by `keras.applications`.")
    cells = [
        *notebook.setup_cells("Transfer learning: frozen MobileNetV2 features + a new head",
                              f"Exported from nnkit's transfer-learning page (variant b) on {s['set']}, "
                              f"{s['per_class']} images per class at {s['size']}×{s['size']} pixels, seed "
                              f"{s['seed']}, {s['head_epochs']} head epochs.\n\nIn the app this run ended: "
                              f"{result_line}\n\nWeights used by the app: {SOURCE_TEXT[source]}."),
        notebook.code("\n".join(paths) + f"\nSIZE = {s['size']}  # image side in pixels\n"
                      f"PER_CLASS = {s['per_class']}  # images per class\n"
                      f"SEED = {s['seed']}  # picks the images, the split, the head's first weights and the shuffling"),
        notebook.markdown(f"## The pretrained network\n{weights}"),
        *([notebook.code(weights_check_code())] if source == OFFLINE else []),
        notebook.markdown("## The images\nThe same images as in the app: a seeded pick per class, resized to "
                          "SIZE×SIZE RGB in [0, 1]."),
        notebook.code(images_code(kind)),
        notebook.markdown("## Features\nMobileNetV2 without its ImageNet classifier: its 1280 feature maps, "
                          "averaged over the image, describe each image. "
                          + ("With torchvision's weights the network is rebuilt with torchvision's symmetric "
                             "padding on its five stride-2 convolutions. " if source == OFFLINE else "")
                          + "The features are computed once; the network never trains."),
        notebook.code(network_code(source) + f"\n\n\n{notebook.source(truncated)}\n\n\n"
                      'base = truncated(imagenet, "out_relu")\n'
                      "base.trainable = False\ninputs = keras.Input((SIZE, SIZE, 3))  # RGB in [0, 1]\n"
                      "pooled = keras.layers.GlobalAveragePooling2D()(base(preprocess(inputs), training=False))\n"
                      "extractor = keras.Model(inputs, pooled)\n"
                      "features = extractor.predict(x, batch_size=32, verbose=0)\nprint(features.shape)"),
        notebook.markdown("## The new head\nOnly the head trains: dropout and one softmax layer on the features. "
                          f"A seeded random {VALIDATION:.0%} of the images is held out for validation."),
        notebook.code(notebook.source(data.split)
                      + f"\n\n(f_train, y_train), (f_val, y_val) = split(features, y, {VALIDATION}, seed=SEED)"),
        notebook.code(notebook.model_code(head_specs(len(_classes(kind))), classifier_compile(HEAD_LEARNING_RATE),
                                          s["seed"], name="head")),
        notebook.code(notebook.fit_code(s["head_epochs"], BATCH_SIZE, s["seed"], x="f_train",
                                        validation="(f_val, y_val)", model="head")),
        notebook.history_plot_cell(),
        notebook.markdown("## Take it with you\nNetwork and head as one model on raw RGB in [0, 1]."),
        notebook.code("classifier = keras.Model(inputs, head(pooled))\n"
                      '# classifier.save("my_classifier.keras")  # about 14 MB: the whole MobileNetV2 travels along'),
    ]
    return notebook.notebook_bytes(cells)


def _classes(kind: str) -> tuple[str, ...]:
    return tuple(images.FASHION_CLASSES[c] for c in FASHION_PICK) if kind == "fashion" else ("face", "not a face")
