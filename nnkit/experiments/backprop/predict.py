"""The back-propagation question, answered by the step: does moving against the gradient lower the loss?

The gradient only says which way is downhill where the weights are now. A
small step follows it down; a large one (η = 30) flies past the valley and
lands higher. The learner bets before the step; the loss before and after it,
as Keras computes it, decides.
"""

from __future__ import annotations

from nnkit import catalog
from nnkit.core.predict import Answer, pick
from nnkit.core.runs import RunRecord
from nnkit.core.training import DIVERGED, FINISHED

QUESTION = catalog.experiment("backprop").question
DOWN, UP = range(2)  # the options, in order


def answer(records: list[RunRecord]) -> Answer:
    """Down or up: the loss after the click's step(s) against the loss before, as the outcome box states them."""
    record = records[-1]
    a, lr = record.artifacts, record.settings.get("lr")
    if record.reason == DIVERGED:
        return Answer(pick(QUESTION, UP), f"the step at η = {lr:g} blew the loss up: {record.message}")
    if record.reason != FINISHED or "loss_after" not in a:
        return Answer(None, f"the step did not finish ({record.reason}), so there is no loss after it.")
    before, after = a["loss_before"], a["loss_after"]
    went = f"at η = {lr:g} the loss went from {before:.6g} to {after:.6g}"
    if f"{before:.6g}" == f"{after:.6g}":  # equal as shown: what is left is rounding, not a step
        return Answer(None, f"{went}: the gradients were (almost) 0, so the step moved nothing that shows.")
    if after < before:
        return Answer(pick(QUESTION, DOWN), f"{went}: each weight moved a little against its gradient, downhill.")
    return Answer(pick(QUESTION, UP), f"{went}: the gradient only says which way is downhill where the weights "
                                      "are now, and a step this large flew past the valley to higher ground.")
