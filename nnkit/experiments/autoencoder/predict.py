"""The autoencoder question, answered by the run: how many times worse than held-out
normal samples it rebuilds the anomalies (median reconstruction errors).

That ratio is why reconstruction error flags anomalies, the page's lesson: a
model that learned what normal looks like rebuilds the rest badly, while one
trained too briefly or squeezed too hard rebuilds everything about equally.
"""

from __future__ import annotations

import numpy as np

from nnkit import catalog
from nnkit.core.predict import Answer, pick
from nnkit.core.runs import RunRecord
from nnkit.core.training import FINISHED
from nnkit.experiments.autoencoder.lesson import STANDS_OUT, median_errors

QUESTION = catalog.experiment("autoencoder").question
BANDS = (STANDS_OUT, 3.0)  # the options' edges: under 1.5×, 1.5–3×, over 3×


def answer(records: list[RunRecord]) -> Answer:
    """The band of the test anomalies' median error over the held-out normal samples' (needs a finished
    run on labelled data with both kinds of sample)."""
    record = records[-1]
    art = record.artifacts
    if record.reason != FINISHED or "errors" not in art:
        return Answer(None, f"it ended early ({record.reason}), so nothing was rebuilt to compare.")
    errors, labels = np.asarray(art["errors"]), np.asarray(art["labels"])
    if not art.get("labelled") or not (labels == 0).any() or not (labels == 1).any():
        return Answer(None, "this data has no labelled anomalies to compare with normal samples.")
    if not np.isfinite(errors).all():
        return Answer(None, "its reconstruction errors are not finite numbers.")
    normal, anomalous, ratio = median_errors(errors[labels == 0], errors[labels == 1])
    band = sum(ratio > edge for edge in BANDS)  # as the lesson reads 1.5×
    why = ("it learned what normal looks like, so what it never saw is rebuilt badly" if ratio > STANDS_OUT
           else "it rebuilds anomalies almost as well as normal data, so their error cannot single them out")
    return Answer(pick(QUESTION, band), f"the median error on test anomalies was {anomalous:.4f} against "
                                        f"{normal:.4f} on held-out normal samples ({ratio:.1f}×): {why}.")
