"""One real-network run of the optimisers page as a plain-Keras notebook.

The network is printed from `model.network_specs`, the optimizer from the
registry's arguments and the schedule from `schedules.schedule_arguments`:
the same definitions the app trained with.
"""

from __future__ import annotations

from typing import Any

from nnkit import notebook
from nnkit.core import data
from nnkit.experiments.optimisers import schedules
from nnkit.experiments.optimisers.model import (OPTIMISERS, VALIDATION, network_loss, network_specs,
                                                optimizer_arguments, steps_per_epoch)


def _arguments(kwargs: dict[str, Any]) -> str:
    return ", ".join(f"{k}={v!r}" for k, v in kwargs.items())


def optimisers_notebook(settings: dict[str, Any], result_line: str = "") -> bytes:
    """Reproduce one real-network run of the optimisers page in plain Keras.

    `settings` is a run's record: "optimizer" names the optimiser, its
    learning rate is "netlr.<optimizer>", plus "batch", "epochs", "schedule"
    and "seed", exactly as the page trained it.
    """
    s, name = settings, settings["optimizer"]
    lr, seed, batch, epochs = s[f"netlr.{name}"], s["seed"], s["batch"], s["epochs"]
    digits = data.digits(seed)
    per_epoch = steps_per_epoch(len(digits.x), VALIDATION, batch)
    schedule = schedules.schedule_arguments(s["schedule"], lr, per_epoch * epochs)
    if schedule is None:
        lr_code = f"learning_rate = {float(lr)!r}"
    else:
        lr_code = (f"# {per_epoch} updates per epoch × {epochs} epochs\n"
                   f"learning_rate = keras.optimizers.schedules.{schedule[0]}({_arguments(schedule[1])})")
    optimizer = ", ".join(filter(None, ["learning_rate=learning_rate", _arguments(optimizer_arguments(name))]))
    loss, metric = network_loss(digits.n_classes)
    model = (notebook.model_code(network_specs(digits.n_features, digits.n_classes), None, seed) + "\n"
             f"model.compile(optimizer=keras.optimizers.{OPTIMISERS[name].keras_class}({optimizer}),\n"
             f"              loss={loss!r}, metrics=[{metric!r}])\nmodel.summary()")
    shown = {k: v for k, v in settings.items() if not k.startswith("_")}  # not the page's bookkeeping
    cells = [
        *notebook.setup_cells(f"Optimisers on a real network: {name}, exported from nnkit",
                              f"Settings: `{shown}`\n\nIn the app this run ended: {result_line}",
                              "from sklearn.datasets import load_digits"),
        notebook.markdown("## The data\nscikit-learn's 1,797 handwritten digits (8×8 pixels scaled to [0, 1]), "
                          "shuffled with the seed, then the same seeded 80/20 split as in the app."),
        notebook.code(f"{notebook.source(data._shuffled, data.split)}\n\n"
                      f"digits = load_digits()\nx, y = _shuffled(digits.data / 16.0, digits.target, {seed})\n"
                      'x, y = x.astype("float32"), y.astype("int32")\n'
                      f"(x_train, y_train), (x_val, y_val) = split(x, y, {VALIDATION}, seed={seed})"),
        notebook.markdown("## The model\n64 pixels → 32 ReLU units → 10 softmax outputs. The seed fixes the "
                          "initial weights: in the app every optimiser started from these same weights."),
        notebook.code(f"{lr_code}\n{model}"),
        *notebook.fit_cells(epochs, batch, seed),
        notebook.history_plot_cell(),
    ]
    return notebook.notebook_bytes(cells)
