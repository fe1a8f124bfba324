"""The optimisers question, answered by the real network's runs: which kind of update wins on digits?

All runs start from the same weights and see the same batches; only the
update rule and its η differ. Plain SGD steps in proportion to the slope,
momentum keeps rolling along consistent directions, and adaptive (or sign)
methods give every weight a step of about η. The learner bets on the kind
that ends with the best held-out accuracy, the number the lesson ranks by.
"""

from __future__ import annotations

from nnkit import catalog
from nnkit.core import diagnosis as dx
from nnkit.core.predict import Answer, pick
from nnkit.core.runs import RunRecord
from nnkit.core.training import DIVERGED, FINISHED
from nnkit.experiments.optimisers.lesson import at_chance
from nnkit.experiments.optimisers.model import OPTIMISERS

QUESTION = catalog.experiment("optimisers").question
PLAIN, MOMENTUM, SCALED = range(3)  # the options, in order

WHY = {
    PLAIN: "with these learning rates plain steps, in proportion to the slope, went furthest in this many epochs.",
    MOMENTUM: "past steps keep it rolling along directions the gradient agrees on, where plain SGD crawls.",
    SCALED: "it divides each weight's step by that weight's own gradient size (or keeps only its sign), so "
            "weights with small gradients still move at a useful pace.",
}


def kind(name: str) -> int:
    """Which option an optimiser of the registry belongs to."""
    spec = OPTIMISERS[name]
    return PLAIN if spec.name == "SGD" else MOMENTUM if spec.knob == "momentum" else SCALED


def answer(records: list[RunRecord], n_classes: int) -> Answer:
    """The kind of the optimiser with the best final held-out accuracy (diverged runs lose).

    `n_classes` sets the guessing bar a winner must clear (10 classes on digits).
    """
    if len(records) < 2:
        return Answer(None, "it needs at least two optimisers trained side by side to compare them.")
    cut = [r.label for r in records if r.reason not in (FINISHED, DIVERGED)]
    if cut:
        return Answer(None, f"{', '.join(cut)} did not finish, so it might still have won.")
    scored = {r.label: r.final("val_accuracy") for r in records if r.reason == FINISHED}
    scored = {label: acc for label, acc in scored.items() if acc is not None}
    shown = ", ".join(f"{label} {acc:.1%}" for label, acc in scored.items())  # as the lesson shows them
    chance = dx.uniform_baseline(n_classes)
    best = max(scored, key=scored.get, default=None)
    if best is None or at_chance(scored[best], chance):
        return Answer(None, f"no optimiser learned the digits (held-out accuracy: {shown or 'none'}; guessing "
                            f"scores {chance.accuracy:.0%}).")
    by_label = {r.label: r for r in records}
    kinds = {kind(by_label[label].settings["optimizer"]) for label, acc in scored.items()
             if f"{acc:.1%}" == f"{scored[best]:.1%}"}
    if len(kinds) > 1:
        return Answer(None, f"optimisers of different kinds tied for the best held-out accuracy ({shown}).")
    side = kinds.pop()
    diverged = [r.label for r in records if r.reason == DIVERGED]
    lost = f" ({', '.join(diverged)} diverged)" if diverged else ""
    return Answer(pick(QUESTION, side), f"held-out accuracy after the same epochs from the same weights: {shown}"
                                        f"{lost}. {best} is best: {WHY[side]}")
