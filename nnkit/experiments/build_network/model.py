"""One definition of the learner's model, `Recipe`: the LayerSpecs, the `Compile`
and the fit arguments. The app builds and trains from it, and the code shown
beside the builder (and in the notebook) is printed from it, so what the
learner reads is what the app ran.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from nnkit import notebook
from nnkit.core.models import Compile, KerasObject, LayerSpec, build_sequential
from nnkit.core.settings import Setting
from nnkit.core.training import TrainConfig
from nnkit.experiments.build_network.architecture import BATCHNORM, DEFAULT, DENSE, Layer, LayersSetting, parse_layers
from nnkit.experiments.build_network.csvfile import AUTO as AUTO_TASK
from nnkit.experiments.build_network.csvfile import TASK_CHOICES
from nnkit.experiments.build_network.tables import BINARY, BUILTIN, CSV, REGRESSION, VALIDATION_FRACTION

AUTO = "auto"
BCE, SCCE, MSE = "binary_crossentropy", "sparse_categorical_crossentropy", "mean_squared_error"
OUTPUTS = (AUTO, "sigmoid", "softmax", "linear")
LOSSES = (AUTO, BCE, SCCE, MSE)
METRICS = (AUTO, "accuracy", "mae", "mse")
OPTIMIZERS = ("adam", "sgd", "rmsprop", "adamw")
# The pair each task needs; binary also works as two softmax classes.
RIGHT = {BINARY: ("sigmoid", BCE), "multi-class": ("softmax", SCCE), REGRESSION: ("linear", MSE)}
EARLY_STOPPING = KerasObject("callbacks.EarlyStopping",
                             {"monitor": "val_loss", "patience": 5, "restore_best_weights": True})


# The page's settings table: a link carries all of it, the architecture included.
SETTINGS = (
    Setting("dataset", "breast cancer", choices=(*BUILTIN, CSV)),
    Setting("task", AUTO_TASK, choices=TASK_CHOICES),
    Setting("standardise", True),
    LayersSetting("layers", DEFAULT),
    Setting("output", AUTO, choices=OUTPUTS),
    Setting("loss", AUTO, choices=LOSSES),
    Setting("metric", AUTO, choices=METRICS),
    Setting("optimizer", "adam", choices=OPTIMIZERS),
    Setting("lr", 0.003, choices=(0.0003, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3)),
    Setting("epochs", 20, low=1, high=300, workshop_high=60),
    Setting("batch", 32, choices=(8, 16, 32, 64, 128)),
    Setting("early_stop", False),
    Setting("seed", 0, low=0, high=9999),
)


class Mismatch(ValueError):
    """An output layer, loss or metric that does not fit the task; the message says why and what fits."""


@dataclass(frozen=True)
class Recipe:
    """Everything `model.compile` and `model.fit` are called with, as data."""

    layers: tuple[LayerSpec, ...]
    compile: Compile
    epochs: int
    batch_size: int
    seed: int
    early_stopping: bool

    def build(self, compiled: bool = True):
        """The model, seeded: the same initial weights every time."""
        return build_sequential(self.layers, self.compile if compiled else None, self.seed, name="my_network")

    def callbacks(self) -> tuple:
        return (EARLY_STOPPING.build(),) if self.early_stopping else ()

    def train_config(self) -> TrainConfig:
        return TrainConfig(self.epochs, self.batch_size, VALIDATION_FRACTION, self.seed)

    def code(self) -> str:
        """The Keras calls that build, compile and fit this model, as shown beside the builder."""
        fit = notebook.fit_code(self.epochs, self.batch_size, self.seed,
                                extra=f"callbacks=[{EARLY_STOPPING!r}]" if self.early_stopping else "")
        return notebook.model_code(self.layers, self.compile, self.seed) + "\n\n" + fit


def head(task: str, n_classes: int, output: str = AUTO, loss: str = AUTO, metric: str = AUTO
         ) -> tuple[int, str, str, str]:
    """(output units, output activation, loss, metric) for the task, or `Mismatch`."""
    activation = RIGHT[task][0] if output == AUTO else output
    loss = RIGHT[task][1] if loss == AUTO else loss
    metric = ("mae" if task == REGRESSION else "accuracy") if metric == AUTO else metric
    problem = mismatch(task, activation, loss, metric)
    if problem:
        raise Mismatch(problem)
    units = n_classes if activation == "softmax" else 1
    return units, activation, loss, metric


def mismatch(task: str, activation: str, loss: str, metric: str) -> str | None:
    """Why this output layer, loss and metric do not fit the task, in words; None when they do."""
    fits = (activation, loss) == RIGHT[task] or (task == BINARY and (activation, loss) == ("softmax", SCCE))
    if fits and not (task == REGRESSION and metric == "accuracy"):
        return None
    if fits:
        return ("Accuracy counts exact hits, and a regression's prediction is never exactly right: "
                "choose MAE or MSE as the metric.")
    why = {
        ("linear", BCE): "a linear output gives any number, but binary cross-entropy needs a probability "
                         "between 0 and 1",
        ("linear", SCCE): "a linear output gives one unbounded number, but sparse categorical cross-entropy "
                          "needs one probability per class",
        ("sigmoid", SCCE): "a sigmoid output gives one probability, but sparse categorical cross-entropy needs "
                           "one per class (softmax)",
        ("softmax", BCE): "softmax spreads probability over classes, but binary cross-entropy expects one "
                          "probability of the positive class (sigmoid)",
    }.get((activation, loss))
    if why is None and task == REGRESSION:
        why = (f"a {activation} output squeezes every prediction into (0, 1), but the target is a number on "
               "its own scale" if activation != "linear" else
               f"{loss} is a classification loss, but the target is a number to predict")
    if why is None and task != REGRESSION and loss == MSE:
        why = "mean squared error treats class labels as numbers to hit; cross-entropy scores probabilities"
    if why is None and task != BINARY and activation == "sigmoid":
        why = "a sigmoid output gives one probability, but there are more than two classes"
    if why is None:
        why = f"a {activation} output with {loss} does not give what a {task} task needs"
    right = RIGHT[task]
    return (f"Mismatch: {why}. A {task} task needs a {right[0]} output with {right[1]}"
            f"{' (or softmax with sparse categorical cross-entropy)' if task == BINARY else ''}.")


def layer_specs(layers: tuple[Layer, ...], n_inputs: int, units: int, activation: str) -> tuple[LayerSpec, ...]:
    """Input, the hidden layers (named by position, so two builds have equal configs), the output."""
    specs: list[LayerSpec] = [("Input", ((n_inputs,),), {"name": "features"})]
    for i, layer in enumerate(layers, start=1):
        if layer.kind == DENSE:
            specs.append(("Dense", (layer.units,), {"activation": layer.activation, "name": f"dense_{i}"}))
        elif layer.kind == BATCHNORM:
            specs.append(("BatchNormalization", (), {"name": f"batch_norm_{i}"}))
        else:
            specs.append(("Dropout", (layer.rate,), {"name": f"dropout_{i}"}))
    specs.append(("Dense", (units,), {"activation": activation, "name": "output"}))
    return tuple(specs)


def recipe(s: dict[str, Any], n_inputs: int, task: str, n_classes: int) -> Recipe:
    """The learner's settings as a `Recipe`; `Mismatch` or ValueError (bad layers) when they do not fit."""
    units, activation, loss, metric = head(task, n_classes, s["output"], s["loss"], s["metric"])
    specs = layer_specs(parse_layers(s["layers"]), n_inputs, units, activation)
    return Recipe(specs, Compile(s["optimizer"], s["lr"], loss, (metric,)), s["epochs"], s["batch"],
                  s["seed"], s["early_stop"])


DATA_SETTINGS = ("dataset", "task", "standardise", "seed")


def belongs(record, table, s: dict[str, Any]) -> bool:
    """Whether a run was trained on this table, target and split (a cut-off run keeps no table)."""
    trained_on = record.artifacts.get("table")
    return (trained_on is None or trained_on == table.identity) and all(
        record.settings.get(k) == s[k] for k in DATA_SETTINGS)


def trained_model(settings: dict[str, Any], table, weights: list):
    """A finished run's model again, from its recipe and kept weights (run records keep no models)."""
    model = recipe(settings, len(table.features), table.task, table.n_classes).build(compiled=False)
    model.set_weights(weights)
    return model


def summary_rows(model) -> list[dict[str, Any]]:
    """`model.summary()` as rows: layer, type, output shape, parameters (they sum to `count_params()`)."""
    return [{"layer": layer.name, "type": type(layer).__name__,
             "output shape": str((None, *layer.output.shape[1:])), "parameters": layer.count_params()}
            for layer in model.layers]


def run_label(s: dict[str, Any]) -> str:
    return f"{s['dataset']} · {s['layers'] or 'no hidden'} · {s['optimizer']} {s['lr']:g}"
