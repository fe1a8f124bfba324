"""Each loss experiment as a plain-Keras notebook, from the same description the app trains.

The data helpers travel by their source, the model is printed from the
experiment's `LayerSpec`s and `Compile`, and every loss is fitted with the
app's seed, epochs and batch size, so the notebook's curves are the app's.
"""

from __future__ import annotations

import textwrap
from typing import Any

from nnkit import notebook
from nnkit.core import data
from nnkit.experiments.losses import imbalance, outliers
from nnkit.experiments.losses.model import Experiment

IMPORTS = "from dataclasses import dataclass\nfrom typing import Callable"


def outlier_notebook(settings: dict[str, Any]) -> bytes:
    """Reproduce experiment A: same points, seed, model and fit for MSE, MAE and Huber(δ).

    `settings` is the run's record (a_outliers, a_points, a_epochs, a_lr, delta, seed).
    """
    s, seed = settings, settings["seed"]
    data_code = (f"SLOPE, INTERCEPT = {outliers.SLOPE}, {outliers.INTERCEPT}\n\n\n"
                 f"{notebook.source(outliers.OutlierData, outliers.outlier_data, outliers.clean_rmse, data.split)}\n\n"
                 f"points = outlier_data({s['a_points']}, {s['a_outliers']}, seed={seed})\n"
                 f"(x_train, y_train), _ = split(points.x, points.y, {outliers.OUTLIERS.validation}, seed={seed})")
    loss_code = (f"{notebook.source(outliers.regression_loss)}\n\n"
                 f"loss_functions = {{name: regression_loss(name, delta={s['delta']}) "
                 f"for name in {outliers.OUTLIER_LOSSES}}}")
    result_code = ('grid = np.linspace(-2, 2, 50, dtype="float32")[:, None]\n'
                   "clean = ~points.outlier\nfig = go.Figure()\n"
                   'fig.add_scatter(x=points.x[clean, 0], y=points.y[clean, 0], mode="markers", name="clean points")\n'
                   'fig.add_scatter(x=points.x[~clean, 0], y=points.y[~clean, 0], mode="markers", name="outliers")\n'
                   'fig.add_scatter(x=grid[:, 0], y=points.true_line(grid[:, 0]), name="true line", line={"dash": "dot"})\n'
                   "for name, model in models.items():\n"
                   '    fig.add_scatter(x=grid[:, 0], y=model.predict(grid, verbose=0).ravel(), name=f"fit · {name}")\n'
                   '    print(name, "RMSE to the true line on clean points:",\n'
                   "          clean_rmse(points, model.predict(points.x, verbose=0).ravel()))\nfig")
    return _notebook(f"Loss functions, experiment A (outliers): MSE vs MAE vs Huber (δ = {s['delta']})", s,
                     "A noisy line y = 1.5x + 0.5 with a share of points pushed far upward, as in the app.",
                     data_code, "Each loss gets the same linear model with the same initial weights.",
                     loss_code, outliers.OUTLIERS, s["a_lr"], s["a_epochs"], result_code)


def imbalance_notebook(settings: dict[str, Any]) -> bytes:
    """Reproduce experiment B: BCE, class-weighted BCE and focal(γ) on the same rare-class data.

    `settings` is the run's record (b_minority, b_points, b_epochs, b_lr, gamma, seed).
    """
    s, seed = settings, settings["seed"]
    data_code = (f"{notebook.source(imbalance.imbalanced_data, data.split)}\n\n"
                 f"x, y = imbalanced_data({s['b_points']}, {s['b_minority']}, seed={seed})\n"
                 f"(x_train, y_train), (x_val, y_val) = split(x, y, {imbalance.IMBALANCE.validation}, seed={seed})")
    loss_code = (f"{notebook.source(imbalance.balanced_weights, imbalance.weighted_bce, imbalance.imbalance_losses)}\n\n"
                 f"loss_functions = imbalance_losses(y_train, gamma={s['gamma']})")
    result_code = (f"{notebook.source(imbalance.classification_metrics)}\n\n\n"
                   "for name, model in models.items():\n"
                   "    m = classification_metrics(y_val, model.predict(x_val, verbose=0).ravel())\n"
                   "    print(f\"{name}: precision {m['precision']:.2f}, recall {m['recall']:.2f}, \"\n"
                   "          f\"F1 {m['f1']:.2f}, confusion {m['confusion']}\")")
    return _notebook(f"Loss functions, experiment B (class imbalance): BCE vs weighted BCE vs focal "
                     f"(γ = {s['gamma']})", s,
                     "Two overlapping clusters where class 1 is rare, then a seeded random split, as in the app.",
                     data_code, "Each loss gets the same small network with the same initial weights; "
                                "the class weights come from the training split.",
                     loss_code, imbalance.IMBALANCE, s["b_lr"], s["b_epochs"], result_code)


def build_model_code(exp: Experiment, learning_rate: float, seed: int) -> str:
    """`build_model(loss)`: the experiment's specs and compile, printed as plain Keras."""
    compile = exp.compile(None, learning_rate)
    body = (notebook.model_code(exp.layer_specs(), None, seed) + "\n"
            f"model.compile(optimizer={compile.optimizer_code()}, loss=loss, metrics={list(compile.metrics)!r})\n"
            "return model")
    return "def build_model(loss):\n" + textwrap.indent(body, "    ")


def _notebook(title: str, settings: dict[str, Any], data_text: str, data_code: str, model_text: str,
              loss_code: str, exp: Experiment, learning_rate: float, epochs: int, result_code: str) -> bytes:
    seed = settings["seed"]
    shown = {k: v for k, v in settings.items() if not k.startswith("_")}  # not the page's bookkeeping
    fit = notebook.fit_code(epochs, exp.batch_size, seed, validation="(x_val, y_val)" if exp.validation else None)
    train_code = ("histories, models = {}, {}\nfor name, loss in loss_functions.items():\n"
                  "    model = build_model(loss)\n" + textwrap.indent(fit, "    ") + "\n"
                  "    histories[name], models[name] = history.history, model")
    curves_code = ("fig = go.Figure()\nfor name, history in histories.items():\n"
                   "    for metric, values in history.items():\n"
                   '        fig.add_scatter(y=values, name=f"{name} · {metric}")\n'
                   'fig.update_layout(xaxis_title="epoch")\nfig')
    return notebook.notebook_bytes([
        *notebook.setup_cells(title, f"Exported from nnkit. Settings: `{shown}`", IMPORTS),
        notebook.markdown(f"## The data\n{data_text}"),
        notebook.code(data_code),
        notebook.markdown(f"## The model and the losses\n{model_text}"),
        notebook.code(build_model_code(exp, learning_rate, seed)),
        notebook.code(loss_code),
        notebook.markdown("## Train\nOne fit per loss, from the same seed, so only the loss differs."),
        notebook.code(train_code),
        notebook.code(curves_code),
        notebook.markdown("## Results"),
        notebook.code(result_code),
    ])
