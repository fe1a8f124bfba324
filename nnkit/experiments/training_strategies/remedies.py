"""The six remedies for over-fitting, each one real Keras change to the same run.

A remedy says how it changes the baseline (the `Net`, the number of training
rows, or the callbacks) and which one line of Keras code does it; that line
is printed from the very `LayerSpec` or `KerasObject` the app builds.
`variants` turns a remedy into the two twin runs the page trains: same data,
same validation rows, same seed and initial weights, one change.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from nnkit.core.models import KerasObject, layer_code
from nnkit.experiments.training_strategies import model as ts

DROPOUT, L2, SMALLER, MORE_DATA, BATCH_NORM, EARLY_STOP = (
    "Dropout", "L2 weight decay", "Smaller network", "More data", "BatchNormalization", "Early stopping")
REMEDIES = (DROPOUT, L2, SMALLER, MORE_DATA, BATCH_NORM, EARLY_STOP)


@dataclass(frozen=True)
class Plan:
    """One run of a comparison: its net, its training rows and its callbacks."""

    label: str
    net: ts.Net
    rows: int
    callbacks: tuple[KerasObject, ...] = ()


def early_stopping(patience: int) -> KerasObject:
    return KerasObject("callbacks.EarlyStopping", {"monitor": "val_loss", "patience": patience,
                                                   "restore_best_weights": True})


def plans(remedy: str | None, settings: dict[str, Any], available: int | None = None) -> tuple[Plan, ...]:
    """The baseline and the remedy run it is compared with (the baseline alone for no remedy);
    `available` caps the training rows at what the pool holds."""
    s, net = dict(settings), ts.base_net(settings)
    s["rows"] = min(s["rows"], available or s["rows"])
    base = Plan(f"too big ({s['layers']}×{s['units']}, {s['rows']} rows)", net, s["rows"])
    if remedy is None:
        return (base,)
    if remedy == DROPOUT:
        other = Plan(f"Dropout {s['dropout']:g}", ts.with_remedy(net, dropout=s["dropout"]), s["rows"])
    elif remedy == L2:
        other = Plan(f"L2 {s['l2']:g}", ts.with_remedy(net, l2=s["l2"]), s["rows"])
    elif remedy == SMALLER:
        other = Plan(f"smaller ({s['layers']}×{s['small_units']})", ts.with_remedy(net, units=s["small_units"]),
                     s["rows"])
    elif remedy == MORE_DATA:
        more = min(s["more_rows"], available or s["more_rows"])
        other = Plan(f"more data ({more} rows)", net, more)
    elif remedy == BATCH_NORM:
        other = Plan("BatchNormalization", ts.with_remedy(net, batch_norm=True), s["rows"])
    elif remedy == EARLY_STOP:
        other = Plan(f"early stopping (patience {s['stop_patience']})", net, s["rows"],
                     (early_stopping(s["stop_patience"]),))
    else:
        raise ValueError(f"unknown remedy {remedy!r}")
    return base, other


def code_line(remedy: str, settings: dict[str, Any], n_inputs: int, classes: int) -> str:
    """The one line of Keras code the remedy adds or changes, from the spec the app builds."""
    plan = plans(remedy, settings)[-1]
    if plan.callbacks:
        return f"callbacks=[{plan.callbacks[0]!r}]"
    if remedy == MORE_DATA:
        return f"model.fit(x_train[:{plan.rows}], y_train[:{plan.rows}], validation_data=(x_val, y_val))"
    specs = ts.layer_specs(plan.net, n_inputs, classes, settings["seed"])
    wanted = {DROPOUT: "Dropout", BATCH_NORM: "BatchNormalization"}.get(remedy, "Dense")
    return layer_code(next(spec for spec in specs if spec[0] == wanted))


def variants(remedy: str | None, settings: dict[str, Any]) -> list[dict]:
    """The twin runs as `ui.Variant` fields (label, build, data, config, live, keep, callbacks):
    the baseline and the remedy, or the baseline alone for `remedy=None`."""
    name, seed = settings["dataset"], settings["seed"]
    data = ts.tables(name, seed)
    classes, n_inputs = ts.n_classes(name), data.pool[0].shape[1]
    runs = []
    for plan in plans(remedy, settings, len(data.pool[0])):
        arranged, fraction = data.for_train(plan.rows, seed)
        built: list = []  # this run's callback objects, read again once it has finished
        runs.append({"label": plan.label, "data": arranged, "config": ts.train_config(settings, fraction),
                     "build": lambda plan=plan: ts.build(plan.net, n_inputs, classes, seed),
                     "live": lambda model, update: {"weights": ts.first_layer_weights(model)},
                     "keep": lambda model, plan=plan, built=built: kept(model, plan, data, built),
                     "callbacks": lambda model, plan=plan, built=built: _build(plan, built)})
    return runs


def _build(plan: Plan, built: list) -> tuple:
    built[:] = [c.build() for c in plan.callbacks]
    return tuple(built)


def kept(model, plan: Plan, data: ts.Tables, callbacks: list = ()) -> dict[str, Any]:
    """What a finished remedy run keeps: first-layer weights, the final model's validation
    score, and for early stopping the epochs Keras's own callback reports (1-based)."""
    found = {"weights": ts.first_layer_weights(model), "rows": plan.rows, **ts.scores(model, data.validation)}
    for callback in callbacks:
        if callback.__class__.__name__ == "EarlyStopping":
            found.update(stopped_epoch=callback.stopped_epoch + 1 if callback.stopped_epoch else None,
                         best_epoch=callback.best_epoch + 1, stop_training=bool(model.stop_training))
    return found


def overfit_variant(settings: dict[str, Any]) -> dict:
    """The deliberately too-big net alone, as `ui.Variant` fields (the page's default run)."""
    return variants(None, settings)[0]
