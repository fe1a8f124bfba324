"""What a GAN run means, in sentences computed from its own numbers.

Everything here reads the run's history, its final mode census and the
verdict `failure.diagnose` gave, so the lesson never says "the generator
learned the ring" for a run the outcome box called collapsed.
"""

from __future__ import annotations

import math
from typing import Any, Mapping

from nnkit.core import diagnosis as dx
from nnkit.core.runs import RunRecord
from nnkit.experiments.gans import failure
from nnkit.experiments.gans.targets import TARGETS, target_modes

LN2 = math.log(2)


def n_modes(target: str) -> int:
    return len(target_modes(target)[0])


def verdict(record: RunRecord) -> dx.Diagnosis:
    """The run's failure-mode verdict, from its history and its kept final census."""
    picture = record.artifacts.get("picture") or {}
    return failure.diagnose(record.history, record.reason, record.settings, n_modes(record.settings["target"]),
                            picture.get("covered"), picture.get("off_target"))


def _game(n: Mapping[str, float]) -> str:
    d_loss, covered_all = n["d loss"], n["covered"] >= n["modes"]
    if d_loss > 0.6 and covered_all:
        reading = ("so D can barely tell real from generated points: the game is near its balance, where G's "
                   "points are as likely as real ones")
    elif d_loss > 0.6:
        reading = ("so D is unsure, yet G does not cover the target (below): a D loss near ln 2 alone does not "
                   "mean G has won, the samples decide")
    elif d_loss > failure.D_LOSS_WINS:
        reading = "so D still tells many points apart: G has not caught up"
    else:
        reading = "so D is almost always sure: G gets little signal from it"
    bias = n["real accuracy"] - n["fake accuracy"]
    lean = (" D calls most points real." if bias > 0.5 else " D calls most points generated." if bias < -0.5
            else "")
    return (f"**The game.** D's loss ended near **{d_loss:.3f}** (ln 2 ≈ {LN2:.3f} is a D that guesses), "
            f"{reading}. D was right about {n['real accuracy']:.0%} of real and {n['fake accuracy']:.0%} of "
            f"generated points over the last quarter of the run.{lean} G's loss averaged {n['g loss']:.3f}. "
            "Neither loss has to fall for a GAN to work: each network's loss is the other's win.")


def _coverage(record: RunRecord, n: Mapping[str, float]) -> str:
    s, picture = record.settings, record.artifacts.get("picture") or {}
    text = (f"**The samples.** The target is {TARGETS[s['target']]}, counted as {int(n['modes'])} modes. "
            f"At the end G's points covered **{int(n['covered'])}** of them")
    if "counts" in picture:
        text += (f" (of {len(picture['fake'])} generated points, per mode: "
                 + ", ".join(str(c) for c in picture["counts"]) + ")")
    return text + f", and {n['off target']:.0%} of G's points fell in no mode."


def _gradient(n: Mapping[str, float]) -> str:
    early, late = n["g gradient early"], n["g gradient"]
    if not (math.isfinite(early) and math.isfinite(late)):
        return ""
    trend = ("grew" if late > 1.2 * early else "shrank" if late < early / 1.2 else "stayed about the same")
    text = (f"**G's gradient.** Its size {trend}: {early:.3g} on average in the first quarter of the run, "
            f"{late:.3g} in the last. The arrows on the plane are this gradient, point by point: they push "
            "G's points up D's probability surface, towards where D says 'real'.")
    if late < 0.05 * max(early, 1e-12) or late < 1e-3:
        text += " Near zero, G has stopped moving: nothing D says reaches it any more."
    return text


def lesson(record: RunRecord, diagnosis: dx.Diagnosis) -> str:
    """Markdown for 'What it means', from THIS run's numbers and verdict."""
    if diagnosis.kind in (dx.STOPPED, dx.DIVERGED) or not diagnosis.numbers:
        return diagnosis.text
    n = diagnosis.numbers
    name = "healthy" if diagnosis.kind == dx.LEARNED else diagnosis.kind
    parts = [_game(n), _coverage(record, n), _gradient(n), f"**Verdict: {name}.** {diagnosis.text}"]
    return "\n\n".join(p for p in parts if p)


NAMES = {"g_lr": "G's learning rate", "d_lr": "D's learning rate", "g_optimizer": "G's optimiser",
         "d_optimizer": "D's optimiser", "d_steps": "D steps per G step", "g_loss": "G's loss"}


def examples_text() -> str:
    """Where to see each failure for yourself: `failure.EXAMPLES`, in words."""
    ways = [f"**{kind}**: " + ", ".join(f"{NAMES.get(k, k)} {v}" for k, v in change.items())
            for kind, change in failure.EXAMPLES.items()]
    return ("**See each failure yourself**, from the default settings (seed 0): " + "; ".join(ways)
            + ". Then undo one change with a twin run and see which setting did it.")


def settings_note(s: Mapping[str, Any]) -> str | None:
    """A warning for settings known to tip the game, before the learner trains."""
    if s["g_loss"] == "minimax" and s["d_steps"] > 1:
        return ("The minimax G loss with several D steps usually lets D win outright: its gradient is flat "
                "exactly where D is sure. Train it to see it happen, then compare a twin run.")
    return None
