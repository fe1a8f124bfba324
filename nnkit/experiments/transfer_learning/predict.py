"""The transfer-learning question, answered by the comparison: does the scratch CNN (a)
or the head on frozen ImageNet features (b) score the higher validation accuracy?

That is the page's lesson: features learned on 1.3 million photos make a
new task easy with a few images, where a CNN that starts from nothing has
too little to learn from. Very few epochs for the head, or images unlike
ImageNet's, can turn the order round, and tiny validation sets often tie.
"""

from __future__ import annotations

from nnkit import catalog
from nnkit.core.predict import Answer, pick
from nnkit.core.runs import RunRecord
from nnkit.core.training import FINISHED
from nnkit.experiments.transfer_learning import model as tl
from nnkit.experiments.transfer_learning.lesson import SAME

QUESTION = catalog.experiment("transfer_learning").question


def answer(records: list[RunRecord]) -> Answer:
    """Which of (a) and (b) ended with the higher validation accuracy (needs both, finished)."""
    runs = {tl.variant_key(r.label): r for r in records}
    scratch, frozen = runs.get("cnn"), runs.get("frozen")
    if scratch is None or frozen is None:
        return Answer(None, "it trained no CNN from scratch to compare with (tick “train (a)”).")
    if any(r.reason != FINISHED for r in (scratch, frozen)):
        return Answer(None, "a variant ended early, so its final validation accuracy is unknown.")
    a, b = scratch.final("val_accuracy"), frozen.final("val_accuracy")
    if a is None or b is None:
        return Answer(None, "a variant has no validation accuracy.")
    cost = (f"(a) scored {a:.0%} validation accuracy training {scratch.artifacts.get('trainable', 0):,} weights "
            f"for {_epochs(scratch)}, (b) {b:.0%} training {frozen.artifacts.get('trainable', 0):,} "
            f"for {_epochs(frozen)}")
    if abs(b - a) < SAME:
        return Answer(pick(QUESTION, 2), f"{cost}: on these few held-out images both got the same share right.")
    if b > a:
        return Answer(pick(QUESTION, 1), f"{cost}: features learned on ImageNet's photos already separate "
                                         "these classes, so one new layer learns them from a few images.")
    return Answer(pick(QUESTION, 0), f"{cost}: here the scratch CNN did better, so these images may be unlike "
                                     "ImageNet's photos, or the head had too few epochs.")


def _epochs(record: RunRecord) -> str:
    return f"{record.epochs_run} epoch{'s' if record.epochs_run != 1 else ''}"
