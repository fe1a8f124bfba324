"""The "Your first neuron" run as a notebook, from the same specs the app trains."""

from __future__ import annotations

from typing import Any

from nnkit import notebook
from nnkit.core import data, models
from nnkit.experiments.first_neuron.model import VALIDATION, model_config


def first_neuron_notebook(settings: dict[str, Any], result_line: str) -> bytes:
    """Reproduce a "Your first neuron" run: same data, split, seed, model and fit."""
    s = settings
    config = model_config(s)
    cells = [
        *notebook.setup_cells(f"Your first neuron: {s['dataset']}, exported from nnkit",
                              f"Settings: `{settings}`\n\nIn the app this run ended: {result_line}"),
        notebook.markdown("## The data\nThe same points as in the app, then a seeded random 80/20 split."),
        notebook.code(data.toy_code(s["dataset"], s["points"], s["noise"], s["seed"])
                      + '\nx, y = x.astype("float32"), y.astype("int32")'),
        notebook.code(notebook.source(data.split)
                      + f"\n(x_train, y_train), (x_val, y_val) = split(x, y, {VALIDATION}, seed={s['seed']})"),
        *notebook.model_cells(models.mlp_layer_specs(config, 2, 2), models.mlp_compile(config, 2), s["seed"]),
        *notebook.fit_cells(s["epochs"], s["batch"], s["seed"]),
        notebook.history_plot_cell(),
    ]
    return notebook.notebook_bytes(cells)
