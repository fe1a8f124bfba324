"""What really happened in a run, read from its own numbers against a baseline.

A run that finished is not a run that learned: a loss stuck at what guessing
would score, or one that rose, must never get a green box and advice that
points the wrong way. Every page passes its run's history and a `Baseline`
(what a no-skill predictor scores on the same data) to `diagnose`, and shows
the `Diagnosis` it returns.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Mapping, Sequence

import numpy as np

LEARNED = "learned"
DIVERGED = "diverged"
CHANCE = "stuck at chance"
LR_TOO_HIGH = "learning rate too large"
UNDERFIT = "under-fitting"
OVERFIT = "over-fitting"
CUT_SHORT = "cut short"
STOPPED = "stopped"
STUCK = "not learning"
FAILED = "failed"
KINDS = (LEARNED, DIVERGED, CHANCE, LR_TOO_HIGH, UNDERFIT, OVERFIT, CUT_SHORT, STOPPED, STUCK, FAILED)

SUCCESS, WARNING, ERROR, INFO = "success", "warning", "error", "info"


@dataclass(frozen=True)
class Baseline:
    """What a predictor with no skill scores on the same data.

    `loss` is in the run's own loss units (nats for cross-entropy, squared
    units for MSE); `accuracy` is the share a constant guess gets right.
    """

    name: str
    loss: float | None = None
    accuracy: float | None = None


def uniform_baseline(n_classes: int) -> Baseline:
    """Guessing uniformly among k classes: loss ln k, accuracy 1/k."""
    return Baseline(f"guessing uniformly among {n_classes} classes", math.log(n_classes), 1 / n_classes)


def classification_baseline(y: Sequence[int] | np.ndarray, n_classes: int | None = None) -> Baseline:
    """Always predicting the class shares: the log loss of the prior, the majority's accuracy."""
    labels = np.asarray(y).astype(int).ravel()
    k = n_classes or int(labels.max()) + 1
    shares = np.bincount(labels, minlength=k) / len(labels)
    nonzero = shares[shares > 0]
    return Baseline("always guessing the majority class", float(-(nonzero * np.log(nonzero)).sum()),
                    float(shares.max()))


def regression_baseline(y: Sequence[float] | np.ndarray) -> Baseline:
    """Always predicting the mean: its MSE is the variance of the targets."""
    values = np.asarray(y, dtype=float)
    return Baseline("always predicting the mean", float(np.mean((values - values.mean()) ** 2)))


@dataclass(frozen=True)
class Diagnosis:
    """A named reading of one run: what happened, the numbers, what to try."""

    kind: str
    headline: str
    advice: str = ""
    numbers: Mapping[str, float] = field(default_factory=dict)

    @property
    def severity(self) -> str:
        """Which colour the page's box gets: only a run that learned is green."""
        if self.kind == LEARNED:
            return SUCCESS
        if self.kind in (DIVERGED, FAILED):
            return ERROR
        if self.kind == STOPPED:
            return INFO
        return WARNING

    @property
    def text(self) -> str:
        return f"{self.headline} {self.advice}".strip()


def _finite(values: Sequence[float]) -> list[float]:
    return [float(v) for v in values if v is not None and math.isfinite(v)]


def _rose(losses: list[float]) -> bool:
    """The loss ended above where it started, or spiked far above it."""
    return len(losses) >= 2 and (losses[-1] > losses[0] * 1.02 or max(losses) > losses[0] * 3)


def _oscillates(losses: list[float]) -> bool:
    """Most steps go up and the swings are large: the step size overshoots."""
    if len(losses) < 6:
        return False
    steps = np.diff(losses)
    ups = (steps > 0).mean()
    swing = np.abs(steps).mean() / (abs(np.mean(losses)) + 1e-12)
    return ups >= 0.4 and swing > 0.1


def _still_falling(losses: list[float]) -> bool:
    """The last fifth of the curve (at least its last step) still improved by more than 2% of the total drop."""
    if len(losses) < 2:
        return False
    tail = losses[-max(2, len(losses) // 5):]
    drop = losses[0] - min(losses)
    return drop > 0 and (tail[0] - tail[-1]) > 0.02 * drop


def diagnose(history: Mapping[str, Sequence[float]], reason: str, baseline: Baseline | None = None,
             planned_epochs: int | None = None, metric: str | None = "accuracy",
             gap_tolerance: float = 0.05) -> Diagnosis:
    """Name what happened in a run from its curves.

    `reason` is the training outcome ("finished", "diverged", "stopped by
    user", "interrupted"); `metric` is the history key that measures skill
    (higher is better), if the run logs one; None judges by the loss alone
    (e.g. a next-character model, whose accuracy is never near 90%).
    """
    train = _finite(history.get("loss", []))
    val = _finite(history.get("val_loss", []))
    if reason == "diverged" or (history.get("loss") and not train):
        return Diagnosis(DIVERGED, "The loss became NaN or infinite: training diverged.",
                         "Lower the learning rate (÷10) and train again.")
    if reason == "failed":
        return Diagnosis(FAILED, f"The run stopped with an error after {len(train)} epochs, so this is not "
                         "a verdict on the settings.", "Try other settings; if the defaults fail too, tell "
                         "your instructor.")
    if reason == "failed on the cluster":
        return Diagnosis(STOPPED, f"The cluster lost this run after {len(train)} epochs, so this is not a "
                         "verdict on the settings.", "Train again: the next run gets a fresh worker.")
    if reason in ("stopped by user", "interrupted"):
        return Diagnosis(STOPPED, f"Cut off after {len(train)} epochs, so this is not a verdict on the "
                         "settings.", "Train again and let it finish to judge them.")
    if not train:
        return Diagnosis(STOPPED, "No epoch finished, so there is nothing to judge yet.")
    watched = val or train
    numbers = {"first loss": train[0], "final loss": train[-1]}
    if val:
        numbers["final validation loss"] = val[-1]
    score = (_finite(history.get(f"val_{metric}", [])) or _finite(history.get(metric, []))) if metric else []
    train_score = _finite(history.get(metric, [])) if metric else []
    if score:
        numbers[f"final {metric}"] = score[-1]
    if baseline is not None and baseline.loss is not None:
        numbers["baseline loss"] = baseline.loss

    # Dropout makes the training loss noisy: a small rise in it while the validation loss falls steadily
    # is no overshoot, and "lower the learning rate" would point the wrong way.
    noise = len(val) >= 2 and val[-1] < val[0] and not _rose(val) and max(train) <= 1.1 * train[0]
    if (_rose(train) or _oscillates(train)) and not noise:
        return Diagnosis(LR_TOO_HIGH, f"The training loss went from {train[0]:.4g} to {train[-1]:.4g}, "
                         f"rising or swinging on the way (peak {max(train):.4g}): the steps overshoot.",
                         "Lower the learning rate (÷10); do not raise it.", numbers)
    at_chance = False
    if baseline is not None:
        if score and baseline.accuracy is not None:
            at_chance = score[-1] <= baseline.accuracy + max(0.02, 0.1 * (1 - baseline.accuracy))
        elif baseline.loss is not None:
            at_chance = watched[-1] >= 0.95 * baseline.loss
    # A training loss far above guessing's (confident, saturated outputs) is no skill, whatever the
    # accuracy: the model cannot even fit the data it trains on, so it is neither learned nor over-fitted.
    saturated = baseline is not None and baseline.loss is not None and train[-1] > 1.5 * baseline.loss
    if at_chance or saturated:
        versus = (f"{score[-1]:.1%} against {baseline.accuracy:.1%} for {baseline.name}"
                  if at_chance and score and baseline.accuracy is not None
                  else f"loss {(watched if at_chance else train)[-1]:.4g} against {baseline.loss:.4g} "
                       f"for {baseline.name}")
        moved = train[0] - train[-1] > 0.05 * abs(train[0])
        worse = saturated or (baseline.loss is not None and watched[-1] > 1.5 * baseline.loss)
        # Falling in every epoch from a start an untrained model can have (not blown up to 10× guessing):
        # it has not got there yet, and "lower the learning rate" would point the wrong way.
        slow = (len(train) >= 2 and all(b < a for a, b in zip(train, train[1:]))
                and baseline.loss is not None and train[0] <= 10 * baseline.loss)
        if worse and slow:
            advice = ("The loss is still above what guessing scores but fell in every epoch: the model has "
                      "not got there yet. Train for more epochs; if each epoch gains little, the learning "
                      "rate may be too small.")
        elif worse:
            advice = ("The loss is worse than guessing: a too-large learning rate that saturated the "
                      "units is the usual cause, so lower it (÷10) first; if it still does not move, "
                      "use more epochs or a larger model.")
        elif not moved and slow:
            advice = ("The loss fell in every epoch, but only a little: the model has not got there yet. "
                      "Train for more epochs; if each epoch gains little, the learning rate may be too small.")
        elif not moved:
            advice = ("The loss stayed at what guessing scores: the model found nothing it can use. "
                      "Usually it cannot draw the pattern at all (a single neuron draws only a straight "
                      "line), so give it more units or layers first; if a larger model does not move "
                      "either, lower the learning rate (÷10) and train longer.")
        else:
            advice = "It is learning slowly: train for more epochs or give the model more capacity."
        return Diagnosis(CHANCE, f"The run learned nothing useful: {versus}.", advice, numbers)
    if val and len(val) >= 3:
        best = int(np.argmin(val))
        gap = val[-1] - train[-1]
        rel_gap = gap / (abs(train[-1]) + 1e-12)
        score_gap = (train_score[-1] - score[-1]) if train_score and score and score is not train_score else 0.0
        if best < len(val) - 1 and val[-1] > val[best] * 1.1 and (rel_gap > 0.2 or score_gap > gap_tolerance):
            numbers.update({"best epoch": best + 1, "generalisation gap": gap})
            return Diagnosis(OVERFIT, f"Over-fitting: validation loss was lowest at epoch {best + 1} "
                             f"({val[best]:.4g}) and rose to {val[-1]:.4g} while the training loss kept "
                             f"falling to {train[-1]:.4g} (gap {gap:.3g}).",
                             "Stop earlier, add Dropout or L2, use more data or a smaller model.", numbers)
    skilled = bool(score) and score[-1] >= 0.9 or (
        baseline is not None and baseline.loss is not None and watched[-1] < 0.5 * baseline.loss)
    falling = _still_falling(watched) and (planned_epochs is None or len(train) >= planned_epochs)
    if falling and not skilled:
        # Quote the curve that was judged: the training loss may have risen while validation fell.
        return Diagnosis(CUT_SHORT, f"Still improving at the end: the {'validation ' if val else ''}loss went "
                         f"from {watched[0]:.4g} to {watched[-1]:.4g} and was still dropping over the last "
                         "epochs.",
                         "Train for more epochs to see where it settles.", numbers)
    # Under-fitting means the curve flattened: a run still falling, or a single epoch, is not that.
    if (not falling and len(train) >= 2 and baseline is not None and score and baseline.accuracy is not None
            and score[-1] < 0.9):
        return Diagnosis(UNDERFIT, f"Better than {baseline.name} ({score[-1]:.1%} against "
                         f"{baseline.accuracy:.1%}) but the curve has flattened well short of a good fit.",
                         "Give the model more capacity (units, layers) or better-suited features.", numbers)
    if len(train) >= 2 and train[-1] >= train[0] * (1 - 1e-6):
        return Diagnosis(STUCK, f"The loss did not fall: {train[0]:.4g} at the start, {train[-1]:.4g} at the end, "
                         "so the gradients reaching the weights are (almost) zero.",
                         "A larger learning rate cannot move a zero gradient: change the starting weights "
                         "(another seed) or the activation (saturated or dead units pass no gradient).", numbers)
    return Diagnosis(LEARNED, f"The loss fell from {train[0]:.4g} to {train[-1]:.4g}"
                     + (f", well below {baseline.name} ({baseline.loss:.4g})"
                        if baseline is not None and baseline.loss is not None else "") + ".",
                     "It was still improving: more epochs may help a little." if falling else "", numbers)
