"""The CNN page's run as a notebook, built from the same layer specs the app trained."""

from __future__ import annotations

from typing import Any

from nnkit import notebook
from nnkit.core import data, images
from nnkit.experiments.cnn_filters.model import (
    N_TEST,
    VALIDATION_FRACTION,
    classifier_compile,
    cnn_layer_specs,
    config_from,
)


def data_code(n_train: int, seed: int) -> str:
    """Notebook code for the app's Fashion-MNIST subset, scaled to [0, 1] with a channel axis.

    Debian's idx files are read with gzip and NumPy (16 bytes of header, then
    raw pixels); elsewhere (Colab) Keras downloads the same files.
    """
    return (f"{notebook.source(images.read_idx)}\n\n"
            f'DATA_DIR = Path("{images.DEBIAN_DIR}")  # Debian\'s dataset-fashion-mnist package, if installed\n'
            "if DATA_DIR.is_dir():\n"
            "    x_all, y_all, xt_all, yt_all = (read_idx(DATA_DIR / f\"{part}-ubyte.gz\") for part in (\n"
            '        "train-images-idx3", "train-labels-idx1", "t10k-images-idx3", "t10k-labels-idx1"))\n'
            "else:\n"
            "    (x_all, y_all), (xt_all, yt_all) = keras.datasets.fashion_mnist.load_data()\n\n"
            f"rng = np.random.default_rng({seed})\n"
            f"train = rng.permutation(len(x_all))[:{n_train}]\n"
            f"test = rng.permutation(len(xt_all))[:{N_TEST}]\n"
            'x, y = (x_all[train].astype("float32") / 255.0)[..., None], y_all[train].astype("int32")\n'
            'x_test, y_test = (xt_all[test].astype("float32") / 255.0)[..., None], yt_all[test].astype("int32")\n'
            "x.shape, x_test.shape")


def cnn_notebook(settings: dict[str, Any], result_line: str, image_shape: tuple[int, int, int] = (28, 28, 1),
                 n_classes: int = 10) -> bytes:
    """Reproduce a CNN page run in plain Keras: same Fashion-MNIST subset, split, seed, model and fit."""
    s, config = settings, config_from(settings)
    cells = [
        *notebook.setup_cells("CNN on Fashion-MNIST, exported from nnkit",
                              f"Settings: `{settings}`\n\nIn the app this run ended: {result_line}",
                              "import gzip\nimport struct\nfrom pathlib import Path\n\nimport plotly.express as px"),
        notebook.markdown("## The data\nFashion-MNIST from Debian's `dataset-fashion-mnist` package (Keras "
                          "downloads the same files elsewhere). A generator seeded like the app's picks the same "
                          f"{s['n_train']:,} training and {N_TEST:,} test images; pixels become floats in [0, 1] "
                          "with a channel axis, the layout `Conv2D` expects."),
        notebook.code(data_code(s["n_train"], s["seed"])),
        notebook.code(notebook.source(data.split) + f"\n(x_train, y_train), (x_val, y_val) = "
                      f"split(x, y, {VALIDATION_FRACTION}, seed={s['seed']})"),
        *notebook.model_cells(cnn_layer_specs(config, image_shape, n_classes), classifier_compile(config.learning_rate),
                              s["seed"], why="Convolution blocks (ReLU, then 2×2 max pooling halve the map), "
                              "dropout and a softmax over the 10 classes. Random augmentation layers, if any, are "
                              "active only in training. The seed fixes the initial weights, so this starts where "
                              "the app's run started."),
        *notebook.fit_cells(s["epochs"], s["batch"], s["seed"]),
        notebook.code("test_loss, test_accuracy = model.evaluate(x_test, y_test, verbose=0)\n"
                      'print("final loss", history.history["loss"][-1], "test accuracy", test_accuracy)'),
        notebook.history_plot_cell(),
        notebook.markdown("## What the first layer learned\nEach kernel averaged over input channels: red weights "
                          "add a pixel, blue ones subtract it, so the pattern is what the filter responds to."),
        notebook.code('kernels = model.get_layer("conv_1").get_weights()[0].mean(axis=2)  # (k, k, filters)\n'
                      "limit = np.abs(kernels).max()\n"
                      "px.imshow(np.transpose(kernels, (2, 0, 1)), facet_col=0, facet_col_wrap=8, zmin=-limit,\n"
                      '          zmax=limit, color_continuous_scale="RdBu_r")'),
    ]
    return notebook.notebook_bytes(cells)
