"""Take a run home: a Jupyter notebook that reproduces it in plain Keras, and
the trained model as a `.keras` file.

Notebooks are written with nbformat; their code uses only NumPy,
scikit-learn, Keras and plotly, never nnkit, so they run anywhere.
"""

from __future__ import annotations

import inspect
import os
import tempfile
from typing import Any, Sequence

from nnkit import data

Cell = tuple[str, str]  # ("markdown" | "code", source)


def notebook_bytes(cells: Sequence[Cell]) -> bytes:
    """An .ipynb file (nbformat 4) with the given cells, ready to download."""
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell(src) if kind == "markdown" else nbformat.v4.new_code_cell(src)
                for kind, src in cells]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return nbformat.writes(nb).encode()


def code_cells(notebook: bytes) -> str:
    """The notebook's code, concatenated: what tests execute to check an export."""
    import nbformat

    nb = nbformat.reads(notebook.decode(), as_version=4)
    return "\n\n".join(cell.source for cell in nb.cells if cell.cell_type == "code")


def model_bytes(model) -> bytes:
    """The model as a `.keras` file's bytes (architecture, weights, optimizer)."""
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "model.keras")
        model.save(path)
        with open(path, "rb") as f:
            return f.read()


def load_model_bytes(blob: bytes):
    """A Keras model from `.keras` bytes (e.g. an upload)."""
    import keras

    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "model.keras")
        with open(path, "wb") as f:
            f.write(blob)
        return keras.saving.load_model(path)


def _toy_data_code(name: str, n: int, noise: float, seed: int) -> str:
    if name == "moons":
        return f"from sklearn.datasets import make_moons\nx, y = make_moons(n_samples={n}, noise={noise}, random_state={seed})"
    if name == "circles":
        return (f"from sklearn.datasets import make_circles\n"
                f"x, y = make_circles(n_samples={n}, noise={noise}, factor=0.5, random_state={seed})\nx = x * 1.5")
    generator = {"xor": data.xor_points, "spiral": data.spiral_points}[name]
    return f"{inspect.getsource(generator)}\nx, y = {generator.__name__}({n}, {noise}, {seed})"


def first_neuron_notebook(settings: dict[str, Any], result_line: str) -> bytes:
    """Reproduce a "Your first neuron" run: same data, split, seed, model and fit."""
    s = settings
    hidden = [] if s["kind"] == "Single neuron" else [s["units"]] * s["layers"]
    layers = "".join(f'    keras.layers.Dense({n}, activation="{s["activation"]}"),\n' for n in hidden)
    cells: list[Cell] = [
        ("markdown", f"# Your first neuron: {s['dataset']}, exported from nnkit\n\n"
                     f"Settings: `{settings}`\n\nIn the app this run ended: {result_line}"),
        ("code", f'import os\nos.environ.setdefault("KERAS_BACKEND", "{os.environ.get("KERAS_BACKEND", "jax")}")\n'
                 "import keras\nimport numpy as np\nimport plotly.graph_objects as go"),
        ("markdown", "## The data\nThe same points as in the app, then a seeded random 80/20 split."),
        ("code", _toy_data_code(s["dataset"], s["points"], s["noise"], s["seed"])
                 + '\nx, y = x.astype("float32"), y.astype("int32")'),
        ("code", inspect.getsource(data.split) + f"\n(x_train, y_train), (x_val, y_val) = split(x, y, 0.2, seed={s['seed']})"),
        ("markdown", "## The model\nThe seed fixes the initial weights, so this starts where the app's run started."),
        ("code", f"keras.utils.set_random_seed({s['seed']})\nmodel = keras.Sequential([\n    keras.Input((2,)),\n"
                 f'{layers}    keras.layers.Dense(1, activation="sigmoid"),\n])\n'
                 f'model.compile(optimizer=keras.optimizers.Adam(learning_rate={s["lr"]}),\n'
                 '              loss="binary_crossentropy", metrics=["accuracy"])\nmodel.summary()'),
        ("markdown", "## Train"),
        ("code", f"keras.utils.set_random_seed({s['seed']})\n"
                 f"history = model.fit(x_train, y_train, epochs={s['epochs']}, batch_size={s['batch']},\n"
                 "                    validation_data=(x_val, y_val), shuffle=True, verbose=0)\n"
                 'print("final loss", history.history["loss"][-1], "val accuracy", history.history["val_accuracy"][-1])'),
        ("code", "fig = go.Figure()\nfor name, values in history.history.items():\n"
                 "    fig.add_scatter(y=values, name=name)\nfig.update_layout(xaxis_title=\"epoch\")\nfig"),
    ]
    return notebook_bytes(cells)
