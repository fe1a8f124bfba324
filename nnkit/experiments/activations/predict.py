"""The activation explorer's question, answered by the probes: whose gradient vanishes before training?

On its way back each layer multiplies the gradient by f'(z) and its weights.
A sigmoid's slope is at most 0.25, so in a deep stack its first layer gets
almost nothing, while ReLU passes it on unchanged where units are on. The
learner bets on how many of the chosen networks lose the gradient; the
untrained network's measured gradient norms (the dotted curves) decide.
"""

from __future__ import annotations

import math

from nnkit import catalog
from nnkit.core.predict import Answer, pick
from nnkit.core.runs import RunRecord
from nnkit.core.training import DIVERGED, FINISHED
from nnkit.experiments.activations.lesson import VANISHING, max_slope
from nnkit.experiments.activations.probes import gradient_ratio

QUESTION = catalog.experiment("activations").question
ALL, SOME, NONE = range(3)  # the options, in order


def _ratio(record: RunRecord) -> float | None:
    """Last hidden layer's gradient over the first's, measured before training (None if not measured)."""
    return gradient_ratio((record.artifacts.get("probe") or {}).get("first_grad_norms") or [])


def _shown(ratio: float) -> str:
    """3868.5 -> "3,868× smaller"; 0.42 -> "2.4× larger" (the first layer against the last)."""
    if not math.isfinite(ratio) or ratio == 0:
        return "no gradient at all" if ratio else "gradient while the last hidden layer got none"
    fold = ratio if ratio >= 1 else 1 / ratio
    size = f"{fold:,.0f}×" if fold >= VANISHING else f"{fold:.1f}×"
    return f"{size} {'smaller' if ratio >= 1 else 'larger'}"


def answer(records: list[RunRecord]) -> Answer:
    """How many of the click's networks started with a vanishing gradient (first layer ≥ 10× less)."""
    cut = [r.label for r in records if r.reason not in (FINISHED, DIVERGED)]
    if cut:  # a comparison cut short may lack the networks that never started
        return Answer(None, f"the comparison was cut short ({', '.join(cut)} did not finish), so some "
                            "chosen networks may be missing from it.")
    ratios = {r.label: _ratio(r) for r in records}
    if not records or any(v is None for v in ratios.values()):
        return Answer(None, "it needs at least 2 hidden layers and a gradient measured before training in every "
                            "network, to compare the first hidden layer with the last.")
    vanished = [r for r in records if ratios[r.label] >= VANISHING]
    side = NONE if not vanished else ALL if len(vanished) == len(records) else SOME
    numbers = ", ".join(f"{label} {_shown(v)}" for label, v in ratios.items())
    if vanished:
        worst = max(vanished, key=lambda r: ratios[r.label])
        why = (f"each layer multiplies the gradient on its way back by f'(z) and its weights, and "
               f"{worst.label}'s f'(z) is at most {max_slope(worst):.2f}, so it shrinks layer after layer.")
    else:
        why = (f"over {records[0].settings.get('depth')} hidden layers the factors f'(z)·w stayed close enough to 1 "
               "in every network.")
    return Answer(pick(QUESTION, side), f"before training the first hidden layer's gradient, next to the last "
                                        f"hidden layer's, was {numbers} ({VANISHING}× smaller or more is vanishing): "
                                        f"{why}")
