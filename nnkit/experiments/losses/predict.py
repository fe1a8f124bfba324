"""The loss-functions question, answered by experiment A's fitted lines: which loss ignores the outliers best?

MSE's pull grows with the error, so a few far-off points drag its line; MAE's
pull is ±1 whatever the error, and Huber's stops growing beyond δ. The learner
bets on the closest line before the three runs (same data, same initial
weights) measure each line's distance from the truth on the clean points.
"""

from __future__ import annotations

from nnkit import catalog
from nnkit.core import diagnosis as dx
from nnkit.core.predict import Answer, pick
from nnkit.core.runs import RunRecord
from nnkit.experiments.losses.lesson import UNSETTLED, WHY_ROBUST, diagnosis, still_moving
from nnkit.experiments.losses.outliers import OUTLIER_LOSSES

QUESTION = catalog.experiment("losses").question


def answer(records: list[RunRecord]) -> Answer:
    """The loss whose line has the smallest RMSE to the true line, once all three runs settled on a line."""
    rmse = {r.label: r.artifacts["rmse"] for r in records if "rmse" in r.artifacts}
    found = {r.label: diagnosis(r, "a_epochs") for r in records}
    if any(d.kind == dx.DIVERGED for d in found.values()):
        return Answer(None, "a run diverged (its loss became NaN), so its line is not where its loss leads.")
    if set(rmse) != set(OUTLIER_LOSSES):
        return Answer(None, "it needs all three losses trained to the end to compare their lines.")
    unsettled = [f"{k} ({d.kind})" for k, d in found.items() if d.kind in UNSETTLED]
    if unsettled:
        return Answer(None, f"not every run settled on a line ({', '.join(unsettled)}), so where its line "
                            "stopped says nothing about what its loss prefers.")
    shown = ", ".join(f"{k} {v:.3f}" for k, v in rmse.items())  # as the page's lesson shows them
    best, second = sorted(rmse, key=rmse.get)[:2]
    if f"{rmse[best]:.3f}" == f"{rmse[second]:.3f}":
        return Answer(None, f"{best} and {second} ended equally close (RMSE to the true line: {shown}).")
    fraction = records[0].settings.get("a_outliers", 0.0)
    why = (WHY_ROBUST[best] if best in WHY_ROBUST else
           f"its pull grows with the error, yet with {fraction:.0%} outliers the robust losses ended further away")
    return Answer(pick(QUESTION, OUTLIER_LOSSES.index(best)),
                  f"distance from the true line on clean points (RMSE) was {shown}: {best} is closest because "
                  f"{why}.{still_moving(found)}")
