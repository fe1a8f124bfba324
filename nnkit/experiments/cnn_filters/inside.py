"""Looking inside a trained CNN: its filters as it learns, feature maps, mistakes, and augmentations.

Keras is imported inside functions only.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from nnkit.core.images import to_grey
from nnkit.core.models import build_layers
from nnkit.experiments.cnn_filters.model import AUGMENTATIONS, augmentation_specs


def first_layer_filters(model) -> np.ndarray:
    """The first conv layer's kernels as (n_filters, k, k), averaged over input channels.

    Safe to call mid-fit: under JAX, Keras keeps the weights inside the
    training loop and empties the layer variables until an epoch ends, so
    we ask it to write them back first (what `Callback.model` does).
    """
    sync = getattr(model, "jax_state_sync", None)
    if sync is not None:
        sync()
    kernel = model.get_layer("conv_1").get_weights()[0]  # (k, k, in, out)
    return np.transpose(kernel.mean(axis=2), (2, 0, 1))


def make_filter_snapshots():
    """A Keras callback keeping the first-layer filters at the start and each epoch end.

    `callback.snapshots[0]` is the random initialisation; later entries
    show how training reshaped the kernels into edge and blob detectors.
    """
    import keras

    class FilterSnapshots(keras.callbacks.Callback):
        def on_train_begin(self, logs=None):
            self.snapshots = [first_layer_filters(self.model)]

        def on_epoch_end(self, epoch, logs=None):
            self.snapshots.append(first_layer_filters(self.model))

    return FilterSnapshots()


def kept(model, snapshots, x_test: np.ndarray) -> dict:
    """What a finished CNN run keeps (no model): its filters before and after, test predictions,
    size, architecture and weights (to rebuild it for the inside view)."""
    from nnkit.experiments.cnn_filters.model import architecture_text

    return {"filters": snapshots.snapshots[-1], "start": snapshots.snapshots[0], "pred": predict(model, x_test),
            "params": model.count_params(), "arch": architecture_text(model), "weights": model.get_weights()}


def feature_maps(model, image: np.ndarray) -> list[tuple[str, np.ndarray]]:
    """Each conv layer's output (H, W, filters) for one (H, W, C) image."""
    import keras

    convs = [layer for layer in model.layers if layer.name.startswith("conv_")]
    probe = keras.Model(model.inputs[0], [layer.output for layer in convs])
    outs = probe(image[None].astype("float32"))
    outs = outs if isinstance(outs, (list, tuple)) else [outs]
    return [(layer.name, np.asarray(keras.ops.convert_to_numpy(o))[0]) for layer, o in zip(convs, outs)]


def predict(model, x: np.ndarray, batch_size: int = 256) -> np.ndarray:
    """Predicted class per image."""
    return np.argmax(model.predict(x, batch_size=batch_size, verbose=0), axis=1)


def mistakes(y_true: np.ndarray, y_pred: np.ndarray, true_class: int | None = None,
             predicted: int | None = None, limit: int = 24) -> np.ndarray:
    """Indices of misclassified images, or of one confusion cell (true, predicted)."""
    mask = y_true != y_pred if true_class is None and predicted is None else np.ones(len(y_true), bool)
    if true_class is not None:
        mask &= y_true == true_class
    if predicted is not None:
        mask &= y_pred == predicted
    return np.flatnonzero(mask)[:limit]


def fit_to_input(image: np.ndarray, shape: tuple[int, int, int]) -> tuple[np.ndarray, str]:
    """An uploaded photo as the network sees its data: grey, resized, light-on-dark.

    Fashion-MNIST shows light garments on black; most photos are the
    opposite, so a bright image is inverted (and we say so).
    """
    from skimage.transform import resize

    grey = to_grey(image)
    small = resize(grey, shape, anti_aliasing=True).astype("float32")
    if small.mean() > 0.5:
        return 1.0 - small, "Inverted (light background → dark) to match the training images."
    return small, ""


def augment_examples(image: np.ndarray, names: Sequence[str] = AUGMENTATIONS, n: int = 4,
                     seed: int = 0) -> dict[str, list[np.ndarray]]:
    """`n` random versions of one (H, W, C) image per augmentation, as training sees them."""
    import keras

    out = {}
    for name in names:
        layer = build_layers(augmentation_specs([name], seed))[0]
        batch = np.repeat(image[None].astype("float32"), n, axis=0)
        out[name] = list(np.asarray(keras.ops.convert_to_numpy(layer(batch, training=True))))
    return out
