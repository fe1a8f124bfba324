"""One notebook builder for every experiment: setup, data, model, fit and plot cells.

An experiment's `notebook.py` describes its run with these pieces; the model
cells print the same `LayerSpec`s and `Compile` the app built from
(`nnkit.core.models`), and helper functions travel by their source, so the
notebook reproduces the app's run and nothing is written twice.

Notebooks use only NumPy, scikit-learn, Keras, plotly (and, where a page
needs them, pandas/statsmodels/scikit-image), never nnkit or a path inside
the project, so they run in an empty folder or on Colab. Seeding does not
import TensorFlow under JAX (`backend.set_seed`, shipped by its source).
"""

from __future__ import annotations

import inspect
import os
from typing import Callable, Sequence

from nnkit.core import backend
from nnkit.core.models import Compile, LayerSpec, layer_code

Cell = tuple[str, str]  # ("markdown" | "code", source)


def markdown(text: str) -> Cell:
    return ("markdown", text)


def code(text: str) -> Cell:
    return ("code", text)


def source(*functions: Callable) -> str:
    """The functions' own source, so the notebook runs exactly the code the app ran."""
    return "\n\n".join(inspect.getsource(f).rstrip() for f in functions)


def setup_cells(title: str, intro: str, imports: str = "") -> list[Cell]:
    """Title, the backend the app used, imports, and a seeding function that
    does what `keras.utils.set_random_seed` does without importing TensorFlow
    under JAX (seconds and hundreds of MB on a laptop)."""
    backend_name = os.environ.get("KERAS_BACKEND", "jax")
    return [
        markdown(f"# {title}\n\n{intro}"),
        code(f'import os\nos.environ.setdefault("KERAS_BACKEND", "{backend_name}")\n'
             "import random\n\nimport keras\nimport numpy as np\nimport plotly.graph_objects as go"
             + (f"\n{imports}" if imports else "")),
        code(source(backend.set_seed)),
    ]


def model_code(layers: Sequence[LayerSpec], compile: Compile | None, seed: int, name: str = "model") -> str:
    """`keras.Sequential([...])` plus `compile`, from the specs the app built."""
    body = "".join(f"    {layer_code(spec)},\n" for spec in layers)
    text = f"set_seed({seed})  # the same initial weights as the app's run\n{name} = keras.Sequential([\n{body}])"
    if compile is not None:
        text += "\n" + compile.code(name)
    return text


def model_cells(layers: Sequence[LayerSpec], compile: Compile | None, seed: int, name: str = "model",
                why: str = "The seed fixes the initial weights, so this starts where the app's run started."
                ) -> list[Cell]:
    return [markdown(f"## The model\n{why}"), code(model_code(layers, compile, seed, name) + f"\n{name}.summary()")]


def fit_code(epochs: int, batch_size: int, seed: int, x: str = "x_train", y: str = "y_train",
             validation: str | None = "(x_val, y_val)", model: str = "model", history: str = "history",
             extra: str = "") -> str:
    """`model.fit` with the app's epochs, batch size and shuffling seed."""
    val = f"validation_data={validation}, " if validation else ""
    more = f", {extra}" if extra else ""
    return (f"set_seed({seed})  # the same shuffling as the app's run\n"
            f"{history} = {model}.fit({x}, {y}, epochs={epochs}, batch_size={batch_size},\n"
            f"{' ' * (len(history) + len(model) + 8)}{val}shuffle=True, verbose=0{more})\n"
            f'print({{k: round(v[-1], 4) for k, v in {history}.history.items()}})')


def fit_cells(epochs: int, batch_size: int, seed: int, **kwargs) -> list[Cell]:
    return [markdown("## Train"), code(fit_code(epochs, batch_size, seed, **kwargs))]


def history_plot_cell(history: str = "history") -> Cell:
    return code(f"fig = go.Figure()\nfor name, values in {history}.history.items():\n"
                "    fig.add_scatter(y=values, name=name)\n"
                'fig.update_layout(xaxis_title="epoch")\nfig')


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
