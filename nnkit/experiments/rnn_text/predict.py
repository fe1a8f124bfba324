"""The RNN question, answered by the run: its held-out loss as a share of what guessing
uniformly among the text's k characters costs (ln k nats per character).

The bands are the lesson's own: at 95% of guessing or above it learned
nothing; below 60% it has learned spelling and common words; in between,
mostly letter frequencies and spaces. Corpus size, epochs, units and the
learning rate move a run between them.
"""

from __future__ import annotations

import math

from nnkit import catalog
from nnkit.core.predict import Answer, pick
from nnkit.core.runs import RunRecord
from nnkit.core.training import FINISHED
from nnkit.experiments.rnn_text.lesson import AT_CHANCE, FAR_BETTER, final_loss

QUESTION = catalog.experiment("rnn_text").question
WHY = ("it found nothing it can use in the text", "it has learned mostly letter frequencies and spaces",
       "it has learned spelling and common words")


def answer(records: list[RunRecord]) -> Answer:
    """The band of the run's final held-out loss over ln k (needs a finished run and its vocabulary)."""
    record = records[-1]
    vocab = record.artifacts.get("vocab")
    if record.reason != FINISHED or not vocab:
        return Answer(None, f"it ended early ({record.reason}), so its final loss is unknown.")
    loss, chance = final_loss(record.history), math.log(vocab)
    if not math.isfinite(loss):
        return Answer(None, "its loss is not a finite number.")
    share = loss / chance
    band = 0 if share >= AT_CHANCE else 1 if share >= FAR_BETTER else 2
    return Answer(pick(QUESTION, band), f"guessing among its {vocab} characters costs ln {vocab} = {chance:.2f} "
                                        f"nats; the run ended at {loss:.2f} nats on held-out windows "
                                        f"({share:.0%} of that): {WHY[band]}.")
