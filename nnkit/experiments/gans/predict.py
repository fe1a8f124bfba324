"""The GAN question, answered by the run: which way the game ended.

The learner bets on healthy, collapse, a winning discriminator or oscillation
from the settings alone (two learning rates, D's steps, the loss); the run's
own failure-mode verdict (`failure.diagnose`, via `lesson.verdict`) decides.
"""

from __future__ import annotations

from nnkit import catalog
from nnkit.core import diagnosis as dx
from nnkit.core.predict import Answer, pick
from nnkit.core.runs import RunRecord
from nnkit.experiments.gans import failure, lesson

QUESTION = catalog.experiment("gans").question
OPTION_OF = {dx.LEARNED: 0, failure.COLLAPSE: 1, failure.D_WINS: 2, failure.OSCILLATION: 3}


def answer(records: list[RunRecord]) -> Answer:
    """The option named by the run's verdict; a run cut off, blown up or still off target settles nothing."""
    verdict = lesson.verdict(records[-1])
    if verdict.kind not in OPTION_OF:
        return Answer(None, verdict.text)
    return Answer(pick(QUESTION, OPTION_OF[verdict.kind]), verdict.text)
