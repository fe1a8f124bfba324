"""SGD steps on the page: what a step keeps, and the learner's walk of consecutive steps.

A click trains the real Keras model with `nnkit.train` (full batch, so one
epoch is one step of `keras.optimizers.SGD`); the page then moves the sliders
to the new weights, so the next click continues from there. The walk is the
chain of runs that each started where the previous one ended.
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from nnkit.experiments.backprop import chain
from nnkit.experiments.backprop.chain import PARAMS
from nnkit.experiments.backprop.model import WEIGHT_RANGE, params_from, params_of, rows

SAME_SET_UP = ("act", "loss", "batch", "x1", "x2", "y", "seed")  # a change here starts a new walk


def clamp(params: dict[str, float]) -> dict[str, float]:
    """New weights as the sliders can hold them (a huge step may leave their range)."""
    return {k: float(np.clip(v, -WEIGHT_RANGE, WEIGHT_RANGE)) for k, v in params.items()}


def keep(model, settings: dict[str, Any]) -> dict[str, Any]:
    """After the Keras steps: old and new weights, the same steps by hand, and the loss before and after."""
    x, y = rows(settings)
    before = params_from(settings)
    after = params_of(model.get_weights())
    by_hand, losses = chain.sgd(before, x, y, settings["act"], settings["loss"], settings["lr"], settings["steps"])
    fwd = chain.forward(before, x, y, settings["act"], settings["loss"])
    # Keras's own loss, as `fit` logged it for the steps before: the walk's numbers all come from one place.
    loss_after = float(model.evaluate(np.asarray(x, "float64"), y.reshape(-1, 1), batch_size=len(y), verbose=0))
    return {"before": before, "gradient": chain.backward(before, fwd)[1], "after": after, "by_hand": by_hand,
            "hand_losses": losses, "loss_before": fwd["L"], "loss_after": loss_after,
            "hand_loss_after": chain.forward(by_hand, x, y, settings["act"], settings["loss"])["L"],
            "next": clamp(after)}


def step_rows(artifacts: dict[str, Any], steps: int) -> list[dict[str, Any]]:
    """The update table: old weight, gradient, new weight by hand and by Keras's SGD."""
    a = artifacts
    new = "new = old − η·gradient" if steps == 1 else f"after {steps} steps, by hand"
    return [{"weight": chain.pretty(k), "old": a["before"][k], "gradient ∂L/∂w": a["gradient"][k],
             new: a["by_hand"][k], "Keras SGD": a["after"][k], "difference": abs(a["by_hand"][k] - a["after"][k])}
            for k in PARAMS]


def walk(records: Sequence) -> list[float]:
    """Losses along the latest chain of consecutive step runs: before each step, then after the last."""
    chained = []
    for record in reversed(records):
        if not record.artifacts.get("next"):
            break
        if chained:
            later = chained[0]
            starts_here = all(later.settings[k] == record.artifacts["next"][k] for k in PARAMS)
            if not starts_here or any(later.settings[k] != record.settings[k] for k in SAME_SET_UP):
                break
        chained.insert(0, record)
    losses = [v for record in chained for v in record.history.get("loss", [])]
    return losses + [chained[-1].artifacts["loss_after"]] if chained else losses
