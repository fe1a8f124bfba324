"""The CNN question, answered by the run: how far training moved the first-layer
kernels from their random start, relative to that start's size.

Those kernels are what the page draws before and after training; a few
epochs on enough images reshape them into edge and blob detectors, while
one short epoch leaves them close to the random noise they began as.
"""

from __future__ import annotations

from nnkit import catalog
from nnkit.core.predict import Answer, pick
from nnkit.core.runs import RunRecord
from nnkit.core.training import FINISHED
from nnkit.experiments.cnn_filters.lesson import MOVED, filter_change

QUESTION = catalog.experiment("cnn_filters").question


def answer(records: list[RunRecord]) -> Answer:
    """Whether the kept filters moved by `MOVED` of their starting size or more (needs a finished run)."""
    record = records[-1]
    art = record.artifacts
    if record.reason != FINISHED or "start" not in art or "filters" not in art:
        return Answer(None, f"it ended early ({record.reason}), so its final filters were not kept.")
    change = filter_change(art["start"], art["filters"])
    moved = change >= MOVED
    steps = f"{record.epochs_run} epoch{'s' if record.epochs_run != 1 else ''}"
    why = ("compare the two filter grids: the kernels now respond to edges, stripes and blobs" if moved else
           "too few updates to reshape them, so they are still close to random noise")
    return Answer(pick(QUESTION, int(moved)), f"{steps} moved the {len(art['filters'])} first-layer filters by "
                                              f"{change:.0%} of their random starting size: {why}.")
