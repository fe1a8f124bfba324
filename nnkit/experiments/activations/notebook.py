"""The activation comparison as a plain-Keras notebook, printed from the specs the app builds."""

from __future__ import annotations

from typing import Any, Sequence

from nnkit import notebook
from nnkit.core import data
from nnkit.experiments.activations.functions import ACTIVATIONS, arctan
from nnkit.experiments.activations.model import (TOY_NOISE, TOY_POINTS, VALIDATION, load_dataset,
                                                 n_classes, network_compile, network_specs)


def data_code(name: str, seed: int) -> str:
    """NumPy/scikit-learn code leaving the same `x`, `y` as `load_dataset(name, seed)`."""
    if name in data.TOY_2D:
        return data.toy_code(name, TOY_POINTS, TOY_NOISE, seed)
    shuffle = notebook.source(data._shuffled)
    if name == "digits":
        return (f"from sklearn.datasets import load_digits\n{shuffle}\n\n"
                f"bunch = load_digits()\nx, y = _shuffled(bunch.data / 16.0, bunch.target, {seed})")
    if name == "breast cancer":
        return (f"from sklearn.datasets import load_breast_cancer\n{shuffle}\n\n"
                "bunch = load_breast_cancer()\n"
                "x = (bunch.data - bunch.data.mean(0)) / bunch.data.std(0)  # standardised\n"
                f"x, y = _shuffled(x, bunch.target, {seed})")
    raise ValueError(f"unknown dataset {name!r}")


def activations_notebook(settings: dict[str, Any], activations: Sequence[str], outcome: str = "") -> bytes:
    """The page's comparison as a notebook: the same network trained once per activation.

    Args:
        settings: the runs' settings (dataset, depth, width, optimizer, lr,
            epochs, batch, seed, slope), as `RunRecord.settings` holds them.
        activations: activation keys in the order trained, e.g. ["sigmoid", "relu"].
        outcome: what the app reported, quoted in the first cell.
    """
    s = settings
    dataset = load_dataset(s["dataset"], s["seed"])
    classes = n_classes(dataset)
    labels = ", ".join(ACTIVATIONS[a].label for a in activations)
    compile = network_compile(classes, s["optimizer"], s["lr"])
    cells = [
        *notebook.setup_cells(f"Activation explorer: {labels} on {s['dataset']}, exported from nnkit",
                              f"Settings: `{settings}`\n\n" + (f"In the app: {outcome}" if outcome else "")),
        notebook.markdown("## The data\nThe same examples as in the app, then a seeded random 80/20 split."),
        notebook.code(data_code(s["dataset"], s["seed"]) + '\nx, y = x.astype("float32"), y.astype("int32")'),
        notebook.code(notebook.source(data.split)
                      + f"\n(x_train, y_train), (x_val, y_val) = split(x, y, {VALIDATION}, seed={s['seed']})"),
        notebook.markdown("## One network per activation\nThe same layers each time, only the activation "
                          "changes. Seeding right before the layers are made gives every activation the "
                          "*same* initial weights, so the runs differ in the activation alone."),
    ]
    if "arctan" in activations:
        cells.append(notebook.code(notebook.source(arctan)))
    cells.append(notebook.code("histories = {}"))
    for key in activations:
        specs = network_specs(key, dataset.n_features, classes, s["depth"], s["width"], s["slope"])
        cells += [notebook.markdown(f"### {ACTIVATIONS[key].label}"),
                  notebook.code(notebook.model_code(specs, compile, s["seed"]) + "\n"
                                + notebook.fit_code(s["epochs"], s["batch"], s["seed"],
                                                    history=f"histories[{ACTIVATIONS[key].label!r}]"))]
    cells.append(notebook.code(
        "fig = go.Figure()\nfor name, h in histories.items():\n"
        '    fig.add_scatter(y=h.history["val_accuracy"], name=name)\n'
        'fig.update_layout(xaxis_title="epoch", yaxis_title="validation accuracy")\nfig'))
    return notebook.notebook_bytes(cells)
