"""The whole workflow as a notebook: the same table, split, model, fit,
evaluation, baselines, prediction and save/load the app ran, from the same
`Recipe` and by the source of the same functions."""

from __future__ import annotations

import io
from typing import Any

import numpy as np

from nnkit import notebook
from nnkit.core import data as core_data
from nnkit.core.metrics import confusion
from nnkit.experiments.build_network import evaluation, tables
from nnkit.experiments.build_network.model import EARLY_STOPPING, Recipe


def data_code(table: tables.Table) -> str:
    """Code that gives the table's `x, y`: scikit-learn's loader, or the learner's rows inline."""
    if table.name in tables.BUILTIN:
        loader = tables.BUILTIN[table.name][0]
        return f"from sklearn.datasets import {loader}\nx, y = {loader}(return_X_y=True)"
    buffer = io.StringIO()
    np.savetxt(buffer, np.column_stack([table.x, table.y]), delimiter=",", fmt="%.17g")
    return ("import io\n# Your CSV's usable rows (features, then the target as the app encoded it), inline so\n"
            "# this notebook runs anywhere.\n"
            f"DATA = '''{buffer.getvalue()}'''\n"
            "rows = np.loadtxt(io.StringIO(DATA), delimiter=',', ndmin=2)\n"
            "x, y = rows[:, :-1], rows[:, -1]")


def workflow_notebook(settings: dict[str, Any], table: tables.Table, recipe: Recipe, result_line: str) -> bytes:
    """Reproduce a run: same rows and split, same model and fit, scored on the same test rows."""
    s, regression = settings, table.regression
    fit_extra = f"callbacks=[{EARLY_STOPPING!r}]" if recipe.early_stopping else ""
    classes = list(table.class_names)
    cells = [
        *notebook.setup_cells(f"Build your own network: {table.name}, exported from nnkit",
                              f"Settings: `{settings}`\n\nIn the app this run ended: {result_line}",
                              imports="from typing import Sequence  # used by confusion()'s type hints"),
        notebook.markdown(f"## The data\n{table.description} Task: {table.task}."),
        notebook.code(data_code(table)),
        notebook.markdown("## Train, validation and test\nA seeded split: the test rows are never used "
                          "for training; means and standard deviations come from the training rows only."),
        notebook.code(notebook.source(core_data.split, tables.prepare)
                      + f"\n\ndata = prepare(x, y, regression={regression}, standardise={s['standardise']}, "
                        f"seed={s['seed']}, test_fraction={tables.TEST_FRACTION}, "
                        f"validation_fraction={tables.VALIDATION_FRACTION})\n"
                        'x_train, y_train, x_val, y_val = (data[k] for k in ("x_train", "y_train", "x_val", "y_val"))\n'
                        "print(len(x_train), 'train,', len(x_val), 'validation,', len(data['x_test']), 'test rows')"),
        *notebook.model_cells(recipe.layers, recipe.compile, recipe.seed),
        *notebook.fit_cells(recipe.epochs, recipe.batch_size, recipe.seed, extra=fit_extra),
        notebook.history_plot_cell(),
        notebook.markdown("## Evaluate on the test set\nThe same scoring the app uses, and the baselines a "
                          "network must beat to be worth its layers."),
        notebook.code(notebook.source(confusion, evaluation.classification_scores, evaluation.regression_scores,
                                      evaluation.predictions, evaluation.baseline_scores)
                      + f"\n\nregression, n_classes = {regression}, {table.n_classes}\n"
                        "guess = predictions(model.predict(data['x_test'], verbose=0), regression, "
                        "data['y_mean'], data['y_std'])\n"
                        "scores = regression_scores(data['y_test'], guess) if regression else "
                        "classification_scores(data['y_test'], guess, n_classes)\n"
                        "print('network:', scores)\n"
                        "for name, theirs in baseline_scores(data, regression, n_classes).items():\n"
                        "    print(name + ':', theirs)"),
        notebook.markdown("## Predict one row"),
        notebook.code("row = data['x_test'][:1]  # already standardised like the training rows\n"
                      "output = model.predict(row, verbose=0)\n"
                      "answer = predictions(output, regression, data['y_mean'], data['y_std'])[0]\n"
                      + (f"print('predicted class:', {classes!r}[int(answer)])" if classes
                         else f"print('predicted {table.target}:', answer)")),
        notebook.markdown("## Save and load\nThe app's download is `model.save(\"my_network.keras\")`: architecture, "
                          "weights and optimizer state in one file, read back with `keras.saving.load_model`. Keras "
                          "imports TensorFlow to write that file whenever it is installed, so this notebook, which "
                          "keeps to one framework, saves the weights and rebuilds the architecture from the same "
                          "definition instead."),
        notebook.code('model.save_weights("my_network.weights.h5")\n'
                      + notebook.model_code(recipe.layers, None, recipe.seed, name="again")
                      + '\nagain.load_weights("my_network.weights.h5")\n'
                        "print('reloaded model predicts the same:', "
                        "np.allclose(again.predict(row, verbose=0), model.predict(row, verbose=0)))"),
    ]
    return notebook.notebook_bytes(cells)
