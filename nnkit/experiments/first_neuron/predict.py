"""The first-neuron question, answered by the run: what share of held-out points it gets right.

A single neuron draws one straight line, so on moons it stalls in the
middle band and on circles or XOR near guessing; a small network can reach
nearly all. The learner bets on the band before the run shows it.
"""

from __future__ import annotations

from nnkit import catalog
from nnkit.core.predict import Answer, pick
from nnkit.core.runs import RunRecord
from nnkit.core.training import FINISHED

QUESTION = catalog.experiment("first_neuron").question
BANDS = (0.6, 0.9)  # the options' edges: under 60%, 60–90%, over 90%


def answer(records: list[RunRecord]) -> Answer:
    """The band the run's final held-out accuracy falls in (needs a finished run)."""
    record = records[-1]
    accuracy = record.final_held_out("accuracy")
    if record.reason != FINISHED or accuracy is None:
        return Answer(None, f"it ended early ({record.reason}), so its final accuracy is unknown.")
    band = sum(accuracy >= edge for edge in BANDS)
    which = "held-out" if record.final("val_accuracy") is not None else "training"
    return Answer(pick(QUESTION, band), f"it classified {accuracy:.1%} of the {which} points correctly.")
