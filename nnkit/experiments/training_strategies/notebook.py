"""The page's runs as notebooks, printed from the same `Net`s, `LayerSpec`s and
`KerasObject` callbacks the app trains, with the data function embedded by source."""

from __future__ import annotations

from typing import Any

from nnkit import notebook
from nnkit.core import data
from nnkit.experiments.training_strategies import batches, model as ts, remedies
from nnkit.experiments.training_strategies.callbacks import CHECKPOINT, callback_settings


def _data_cells(s: dict[str, Any]) -> list:
    return [
        notebook.markdown(f"## The data\n{ts.DESCRIPTIONS[s['dataset']]} The same held-out rows "
                          f"({ts.VALIDATION:.0%}) validate every run; training rows come from the rest."),
        notebook.code(notebook.source(ts.load_table, data.split)
                      + f"\n\nx, y = load_table({s['dataset']!r}, seed={s['seed']})\n"
                      f"(x_pool, y_pool), (x_val, y_val) = split(x, y, {ts.VALIDATION}, seed={s['seed']})\n"
                      "print(len(x_pool), 'rows to train from,', len(x_val), 'held out')"),
    ]


def _run_code(plan: remedies.Plan, s: dict[str, Any], name: str, epochs: int, batch: int,
              extra: str = "") -> str:
    classes = ts.n_classes(s["dataset"])
    n_inputs = ts.load_table(s["dataset"], s["seed"])[0].shape[1]
    specs = ts.layer_specs(plan.net, n_inputs, classes, s["seed"])
    return (notebook.model_code(specs, ts.compile_of(plan.net, classes), s["seed"], name=name) + "\n"
            + notebook.fit_code(epochs, batch, s["seed"], x=f"x_pool[:{plan.rows}]", y=f"y_pool[:{plan.rows}]",
                                model=name, history=f"history_{name}", extra=extra))


def remedy_notebook(settings: dict[str, Any], remedy: str | None = None) -> bytes:
    """The over-fit run, and with a remedy its twin: same seed, rows and initial weights."""
    s = settings
    available = len(ts.tables(s["dataset"], s["seed"]).pool[0])
    cells = [*notebook.setup_cells(f"Training strategies: {remedy or 'a too-big net over-fits'}, exported from nnkit",
                                   f"Settings: `{s}`", "from sklearn import datasets"), *_data_cells(s)]
    for index, plan in enumerate(remedies.plans(remedy, s, available)):
        name = "base" if index == 0 else "remedy"
        extra = f"callbacks=[{', '.join(map(repr, plan.callbacks))}]" if plan.callbacks else ""
        cells += [notebook.markdown(f"## {plan.label}"),
                  notebook.code(_run_code(plan, s, name, s["epochs"], s["batch"], extra))]
    key = ts.fit_key(ts.n_classes(s["dataset"]))
    cells.append(notebook.code(
        "import numpy as np\n"
        f"for name, h in [(n, v) for n, v in globals().items() if n.startswith('history_')]:\n"
        f"    val = np.array(h.history['val_{key}'])\n"
        f"    print(name, 'lowest validation at epoch', int(val.argmin()) + 1,\n"
        f"          'gap', round(val[-1] - h.history['{key}'][-1], 3))"))
    cells.append(notebook.history_plot_cell("history_base"))
    return notebook.notebook_bytes(cells)


def callbacks_notebook(settings: dict[str, Any]) -> bytes:
    """The callbacks run: EarlyStopping, ReduceLROnPlateau and ModelCheckpoint, then the restored
    model's and the checkpoint file's validation scores."""
    s = settings
    objects = callback_settings(s).objects("")  # the checkpoint goes next to the notebook
    plan = remedies.plans(None, s, len(ts.tables(s["dataset"], s["seed"]).pool[0]))[0]
    cells = [*notebook.setup_cells("Training strategies: callbacks, exported from nnkit", f"Settings: `{s}`",
                                   "from sklearn import datasets"), *_data_cells(s),
             notebook.code(f"early, plateau, checkpoint = {', '.join(map(repr, objects))}"),
             notebook.code(_run_code(plan, s, "model", s["epochs"], s["batch"],
                                     "callbacks=[early, plateau, checkpoint]")),
             notebook.code("print('stopped at epoch', early.stopped_epoch + 1 if early.stopped_epoch else None,\n"
                           "      'restored epoch', early.best_epoch + 1, 'stop_training', model.stop_training)\n"
                           "restored = model.evaluate(x_val, y_val, verbose=0, return_dict=True)\n"
                           f"from_file = keras.saving.load_model({CHECKPOINT!r}).evaluate(x_val, y_val, verbose=0, "
                           "return_dict=True)\nprint('restored', restored, 'checkpoint', from_file)"),
             notebook.history_plot_cell("history_model")]
    return notebook.notebook_bytes(cells)


def batch_notebook(settings: dict[str, Any]) -> bytes:
    """Batch 1, 32 and full batch on the same net, rows and seed, timed per epoch."""
    s = {**settings, "rows": settings["bs_rows"]}
    plan = remedies.plans(None, s, len(ts.tables(s["dataset"], s["seed"]).pool[0]))[0]
    cells = [*notebook.setup_cells("Training strategies: batch size, exported from nnkit", f"Settings: `{settings}`",
                                   "import time\nfrom sklearn import datasets"), *_data_cells(s)]
    for label, batch in ((batches.STOCHASTIC, 1), (batches.MINI, 32), (batches.FULL, plan.rows)):
        name = f"batch_{batch}"
        cells += [notebook.markdown(f"## {label}"),
                  notebook.code("start = time.perf_counter()\n" + _run_code(plan, s, name, s["bs_epochs"], batch)
                                + f"\nprint('{label}:', round((time.perf_counter() - start) / {s['bs_epochs']}, 3), "
                                "'s per epoch (the first one compiles)')")]
    return notebook.notebook_bytes(cells)
