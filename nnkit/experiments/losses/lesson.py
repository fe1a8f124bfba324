"""What the loss page's table and experiments showed, in sentences built from their numbers.

Every claim is computed from the run it describes: which line stayed nearest
the true one and why that applies to *that* loss, whether a run learned at
all (`diagnosis`), and which row of a table dominates. Nothing here is fixed
text that a different run could contradict.
"""

from __future__ import annotations

from typing import Mapping

import numpy as np

from nnkit.core import diagnosis as dx
from nnkit.core.runs import RunRecord
from nnkit.experiments.losses.by_hand import HandCalc
from nnkit.experiments.losses.outliers import INTERCEPT, LINE_X, SLOPE, fitted_line

WHY_ROBUST = {
    "MAE": "its gradient is ±1 whatever the error, so a far-off point pulls no harder than a near one "
           "and the line follows the median of the points",
    "Huber": "beyond δ its gradient stops growing with the error, so each outlier's pull is capped",
}


def hand_lesson(calc: HandCalc) -> str:
    """Which entry the loss cares most about, in this table's numbers."""
    terms = np.asarray(calc.terms)
    agree = f"`keras.losses` returns **{calc.keras_total:.6g}**"
    if not np.isfinite(terms).all():
        return (f"Some terms are too large for floating point (∞), so the mean is not a number we can "
                f"split into shares; {agree}. Use smaller values.")
    if terms.sum() <= 0:
        return f"Every term is 0, so the loss is 0: nothing to correct. Keras agrees ({calc.keras_total:.6g})."
    worst = int(np.argmax(terms))
    share = terms[worst] / terms.sum()
    return (f"The mean of the terms is **{calc.total:.6g}**; {agree}. Entry {worst + 1} alone "
            f"contributes {share:.0%} of the total, so that is the prediction training will push hardest to fix.")


def diagnosis(record: RunRecord, epochs_setting: str) -> dx.Diagnosis:
    """The run's diagnosis against the best constant prediction under its own loss.

    `epochs_setting` names the setting that planned the run ("a_epochs", "b_epochs").
    """
    bar = record.artifacts.get("baseline")
    baseline = dx.Baseline("the best constant prediction", loss=bar) if bar is not None else None
    return dx.diagnose(record.history, record.reason, baseline, record.settings.get(epochs_setting))


UNSETTLED = (dx.LR_TOO_HIGH, dx.CHANCE, dx.STOPPED)  # runs whose final line says nothing about their loss


def still_moving(diagnoses: Mapping[str, dx.Diagnosis]) -> str:
    """The note for runs cut short, e.g. " (MAE was still improving at the end, …)": their lines may still move."""
    moving = [k for k, d in diagnoses.items() if d.kind == dx.CUT_SHORT]
    return (f" ({', '.join(moving)} {'was' if len(moving) == 1 else 'were'} still improving at the end, so "
            "more epochs may still move those lines.)" if moving else "")


def outlier_lesson(fits: Mapping[str, np.ndarray], rmse: Mapping[str, float], outlier_fraction: float,
                   diagnoses: Mapping[str, dx.Diagnosis]) -> str:
    """What the outlier experiment showed, from this run's fitted lines.

    `fits` are the lines drawn at LINE_X, `rmse` their distance from the true
    line on clean points; the reason given for the closest line is the one
    that applies to that loss in this run (its rule, or that runs never settled).
    """
    diverged = [k for k, d in diagnoses.items() if d.kind == dx.DIVERGED]
    if diverged:
        return (f"{', '.join(diverged)} diverged (the loss became NaN): lower the learning rate "
                "and train again before comparing.")
    if not rmse:
        return "Train the three losses to compare them."
    best, worst = min(rmse, key=rmse.get), max(rmse, key=rmse.get)
    parts = ", ".join(f"{k} {v:.3f}" for k, v in rmse.items())
    text = f"Distance from the true line on clean points (RMSE): {parts}. "
    unsettled = {k: d for k, d in diagnoses.items() if d.kind in UNSETTLED}
    caveat = still_moving(diagnoses)
    if unsettled:
        names = ", ".join(f"{k} ({d.kind})" for k, d in unsettled.items())
        text += (f"Not every run settled on a line: {names}. Until they do, which line is closest says "
                 "where each run happened to stop, not what its loss prefers. ")
        if any(d.kind == dx.LR_TOO_HIGH for d in unsettled.values()):
            return text + "The steps overshoot: lower the learning rate and train again."
        return text + "Train for more epochs, then compare."
    if outlier_fraction == 0:
        return text + "With no outliers all losses aim at the same line, so the differences are small." + caveat
    if rmse[worst] <= 1.5 * rmse[best]:
        return text + (f"With {outlier_fraction:.0%} outliers the fits are close; more outliers make "
                       "the difference clearer.") + caveat
    slope, intercept = fitted_line(fits[worst]) if worst in fits else (SLOPE, INTERCEPT)
    lift = float(np.mean(slope * LINE_X + intercept - (SLOPE * LINE_X + INTERCEPT)))
    pull = (f"its line sits {lift:.2f} {'above' if lift > 0 else 'below'} the true one on average"
            + (", dragged toward the outliers" if lift > 0 else ""))
    why_worst = "squaring makes each far-off point pull hard, so " if worst == "MSE" else ""
    text += f"With {outlier_fraction:.0%} outliers, **{worst}** fitted worst: {why_worst}{pull}. "
    if best in WHY_ROBUST:
        return text + f"**{best}** stayed closest, because {WHY_ROBUST[best]}." + caveat
    return text + (f"**{best}** stayed closest even though its pull grows with the error: here the "
                   "robust losses ended further away, so look at their lines and the curves above.") + caveat


def imbalance_lesson(metrics: Mapping[str, dict], minority: float, diagnoses: Mapping[str, dx.Diagnosis]) -> str:
    """What the imbalance experiment showed, from this run's precision/recall/F1."""
    diverged = [k for k, d in diagnoses.items() if d.kind == dx.DIVERGED]
    if diverged:
        return f"{', '.join(diverged)} diverged: lower the learning rate and train again."
    if not metrics:
        return "Train the three losses to compare them."
    first = next(iter(metrics.values()))
    text = (f"Class 1 is {minority:.0%} of the data ({first['positives']} of {first['n']} "
            "held-out points). ")
    text += " ".join(f"**{k}**: recall {m['recall']:.0%}, precision {m['precision']:.0%}, "
                     f"F1 {m['f1']:.2f}." for k, m in metrics.items())
    best_recall = max(metrics, key=lambda k: metrics[k]["recall"])
    best_f1 = max(metrics, key=lambda k: metrics[k]["f1"])
    plain = metrics.get("BCE")
    if plain and plain["recall"] < metrics[best_recall]["recall"]:
        text += (f" Plain BCE found only {plain['recall']:.0%} of the rare class: predicting "
                 "the majority is cheap when it is most of the data. "
                 f"**{best_recall}** found the most ({metrics[best_recall]['recall']:.0%}), "
                 "usually at the price of more false alarms (lower precision).")
    else:
        text += " Here plain BCE already finds the rare class as well as the others; lower the class ratio to see the difference."
    text += f" The best balance of the two (F1) came from **{best_f1}**."
    stuck = [k for k, d in diagnoses.items() if d.kind == dx.CHANCE]
    if stuck:
        text += (f" {', '.join(stuck)} did no better than a constant probability on the held-out "
                 "points, so its numbers say little about its loss.")
    return text
