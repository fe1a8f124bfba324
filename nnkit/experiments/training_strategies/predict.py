"""The training-strategies question, answered by the too-big net's run: does its
validation loss follow the training loss down, or turn round and climb?

That turn is over-fitting, the page's lesson. The default net (85,000 weights
on 150 rows) memorises its rows and the validation loss climbs; with many rows
and few epochs it keeps falling. The learner bets before the curve shows it.
"""

from __future__ import annotations

from nnkit import catalog
from nnkit.core.predict import Answer, pick
from nnkit.core.runs import RunRecord
from nnkit.core.training import FINISHED
from nnkit.experiments.training_strategies import model as ts

QUESTION = catalog.experiment("training_strategies").question
CLIMB = 1.1  # "climbs back up": ends over 10% above its lowest, the rise the over-fitting verdict needs too


def answer(records: list[RunRecord]) -> Answer:
    """Whether the run's validation cross-entropy ended well above its lowest epoch (needs a finished run)."""
    record = records[-1]
    gap = ts.gap_of(record.history, ts.fit_key_of(record.history))
    if record.reason != FINISHED:
        return Answer(None, f"it ended early ({record.reason}), so the whole validation curve is unknown.")
    if gap is None:
        return Answer(None, "it has no finite validation loss to follow.")
    rise = gap.final_val_loss / gap.best_val_loss - 1 if gap.best_val_loss > 0 else 0.0
    climbed = gap.best_epoch < gap.final_epoch and rise > CLIMB - 1
    if gap.best_epoch == gap.final_epoch:
        because = (f"validation cross-entropy was at its lowest in the last epoch (epoch {gap.final_epoch}, "
                   f"{gap.final_val_loss:.3f}), and training cross-entropy ended at {gap.final_train_loss:.3f}. ")
    else:
        because = (f"validation cross-entropy was lowest at epoch {gap.best_epoch} ({gap.best_val_loss:.3f}) and "
                   f"ended at {gap.final_val_loss:.3f} at epoch {gap.final_epoch} ({rise:+.0%}), while training "
                   f"cross-entropy ended at {gap.final_train_loss:.3f}. ")
    because += ("After its best epoch the net got better at its own rows and worse on new ones: it memorised them."
                if climbed else
                ("It stayed within 10% of its lowest" if gap.best_epoch < gap.final_epoch else "It was still falling")
                + ": with these rows and epochs the net had not begun to memorise them.")
    return Answer(pick(QUESTION, int(climbed)), because)
