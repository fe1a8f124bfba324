"""The build-your-own-network question, answered by the test rows: does the network beat a linear model?

A network is only worth its layers if it beats the simplest model that could
do the job. On small tables LogisticRegression (or LinearRegression) is often
as good or better, which surprises learners who expect depth to win; the
learner bets before the test rows decide.
"""

from __future__ import annotations

from nnkit import catalog
from nnkit.core import diagnosis as dx
from nnkit.core.predict import Answer, pick
from nnkit.core.runs import RunRecord
from nnkit.core.training import FINISHED
from nnkit.experiments.build_network.evaluation import HEADLINE, TIE

QUESTION = catalog.experiment("build_network").question
BETTER, SAME, WORSE = range(3)  # the options, in order

WHY = {
    BETTER: "on these rows its hidden layers found something a linear model misses.",
    SAME: "here a linear model does exactly as well, with no hidden layer at all.",
    WORSE: "a small table can be nearly linear, and then a network has more weights to fit but nothing more "
           "to find: it has to earn its layers.",
}


def answer(records: list[RunRecord], diagnosis: dx.Diagnosis) -> Answer:
    """Better, the same or worse than the linear baseline on the test rows, by the page's headline score.

    `diagnosis` is the run's outcome box: a network that lost because it had
    not finished learning (or over-fitted) is told so, not that its table is linear.
    """
    record = records[-1]
    scores, baselines = record.artifacts.get("scores"), record.artifacts.get("baselines")
    if record.reason != FINISHED or scores is None or not baselines:
        return Answer(None, f"it did not finish ({record.reason}), so it was never scored on the test rows.")
    name = HEADLINE["R²" in scores]
    linear = next(label for label in baselines if label.endswith("Regression"))
    mine, theirs = scores[name], baselines[linear][name]
    side = SAME if abs(mine - theirs) <= TIE else BETTER if mine > theirs else WORSE
    why = WHY[side]
    if side == WORSE and diagnosis.kind != dx.LEARNED:
        why = (f"its own curves read as {diagnosis.kind}, so this says more about this run than about the "
               f"table. {diagnosis.advice}")
    return Answer(pick(QUESTION, side), f"the network's test {name} is {mine:.3f} and {linear}'s is "
                                        f"{theirs:.3f}: {why}")
