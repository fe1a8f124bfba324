"""What the optimisers page showed, in sentences built from the race's and the runs' own numbers.

A network run is read through `diagnosis` (against guessing among the
classes), so a run at chance is never "the best" without saying that chance
is where it is.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Mapping, Sequence

import numpy as np

from nnkit.core import diagnosis as dx
from nnkit.core.runs import RunRecord
from nnkit.experiments.optimisers.model import OPTIMISERS, network_lr
from nnkit.experiments.optimisers.race import Trajectory
from nnkit.experiments.optimisers.range_test import RangeTest
from nnkit.experiments.optimisers.surfaces import Surface


def race_lesson(surface: Surface, trajectories: Sequence[Trajectory]) -> str:
    """Read a race: who got closest to a minimum, who diverged, and why that fits the rule."""
    if not trajectories:
        return "Choose at least one optimiser to race."
    lines = []
    finished = [tr for tr in trajectories if tr.diverged_at is None]
    for tr in trajectories:
        if tr.diverged_at is not None:
            lines.append(f"- **{tr.racer.label}** diverged at step {tr.diverged_at}: "
                         f"its learning rate is too high for this surface.")
    if finished:
        ranked = sorted(finished, key=lambda tr: tr.losses[-1])
        best, worst = ranked[0], ranked[-1]
        gap = best.losses[-1] - surface.f_min
        lines.insert(0, f"- After {best.steps_run} steps **{best.racer.label}** got closest to the "
                        f"minimum (f − f_min = {gap:.3g}); **{worst.racer.label}** was furthest "
                        f"(f − f_min = {worst.losses[-1] - surface.f_min:.3g}).")
        sgd = next((tr for tr in finished if tr.racer.name == "SGD"), None)
        moms = [tr for tr in finished if tr.racer.name in ("SGD + momentum", "Nesterov")]
        if sgd and moms:
            better = [tr.racer.name for tr in moms if tr.losses[-1] < sgd.losses[-1]]
            if better:
                lines.append(f"- {' and '.join(better)} beat plain SGD at the same kind of learning rate: "
                             "momentum accumulates the small, consistent gradient along the valley floor.")
        stuck = [tr.racer.name for tr in finished if tr.losses[-1] >= tr.losses[0] - 1e-12]
        if stuck:
            lines.append(f"- {', '.join(stuck)} did not lower the loss at all: its learning rate is too "
                         "small (or zero) for this surface, or it oscillates without settling.")
    lines.append("- Gradient-scaled methods (SGD, momentum, Nesterov) take steps proportional to the slope, "
                 "so they crawl on flat ground and overshoot on steep walls; adaptive methods (RMSprop, Adam, "
                 "Nadam, Lion) take steps of about η whatever the slope.")
    return "\n".join(lines)

def diagnosis(record: RunRecord, n_classes: int) -> dx.Diagnosis:
    """A network run read against guessing uniformly among its classes (10% on digits).

    `diagnose` cannot see the learning rate; this page can. A loss that never
    moved at η = 0, or at a tenth or less of the η that trains this network
    well, had steps too small to matter: the advice then says to raise η, not
    to lower it.
    """
    found = dx.diagnose(record.history, record.reason, dx.uniform_baseline(n_classes),
                        record.settings.get("epochs"))
    name = record.settings.get("optimizer")
    lr = record.settings.get(f"netlr.{name}")
    losses = record.history.get("loss") or []
    if found.kind != dx.CHANCE or lr is None or name not in OPTIMISERS or len(losses) < 1:
        return found
    moved = abs(losses[0] - losses[-1]) > 0.05 * abs(losses[0])
    good = network_lr(name)
    if lr == 0:
        return replace(found, advice="η = 0: every update is 0 × gradient, so the weights never moved. "
                                     "Raise the learning rate.")
    if not moved and lr <= good / 10:
        return replace(found, advice=f"η = {lr:g} is a tenth or less of what trains this network well with "
                                     f"{name} (η = {good:g}): the steps are too small to move the weights. "
                                     "Raise the learning rate (×10) or train for more epochs.")
    return found


def at_chance(accuracy: float, chance: dx.Baseline) -> bool:
    """The same margin `diagnose` uses: within max(2 points, 10% of the rest) of guessing."""
    return accuracy <= chance.accuracy + max(0.02, 0.1 * (1 - chance.accuracy))


def network_lesson(records: Sequence[RunRecord], diagnoses: Mapping[str, dx.Diagnosis], n_classes: int,
                   batch_size: int, schedule: str) -> str:
    """Compare the real-network runs by their own final numbers and diagnoses."""
    if not records:
        return "Train at least one optimiser to compare them."
    chance = dx.uniform_baseline(n_classes)
    lines = []
    ok = [r for r in records if diagnoses[r.label].kind != dx.DIVERGED and r.final("val_accuracy") is not None]
    for r in records:
        if diagnoses[r.label].kind == dx.DIVERGED:
            lines.append(f"- **{r.label}** diverged ({r.message}) Lower its learning rate.")
    if ok:
        best = max(ok, key=lambda r: r.final("val_accuracy"))
        score, verdict = f"{best.final('val_accuracy'):.1%}", diagnoses[best.label]
        if at_chance(best.final("val_accuracy"), chance):
            lines.insert(0, f"- No optimiser learned the digits: the best held-out accuracy, {score} "
                            f"(**{best.label}**), is about what {chance.name} scores "
                            f"({chance.accuracy:.0%}). {verdict.advice}".rstrip())
        else:
            lines.insert(0, f"- **{best.label}** reached the best held-out accuracy, {score}, from the same "
                            f"initial weights as the others (chance, {chance.name}, is {chance.accuracy:.0%})."
                            + (f" Its run reads as {verdict.kind}: {verdict.advice}".rstrip()
                               if verdict.kind != dx.LEARNED and verdict.advice else ""))
        for r in ok:
            if r is not best:
                lines.append(f"- {r.label}: {r.final('val_accuracy'):.1%} held-out accuracy, final training "
                             f"loss {r.final('loss'):.3f} ({diagnoses[r.label].kind}).")
        speeds = [r.seconds_per_epoch for r in ok if r.seconds_per_epoch]
        if speeds:
            lines.append(f"- With batch size {batch_size}, an epoch took about {np.median(speeds) * 1000:.0f} ms. "
                         + ("Batch size 1 makes one update per example: very noisy curves and slow epochs."
                            if batch_size == 1 else
                            "Larger batches mean fewer, smoother updates per epoch and faster epochs."))
    if schedule != "constant":
        lines.append(f"- The {schedule} schedule changed η during training (see the plot above); "
                     "lowering η late in training lets the weights settle into a minimum.")
    return "\n".join(lines)


def range_lesson(result: RangeTest) -> str:
    """Explain the range test's plot from its numbers."""
    if result.best_lr is None:
        return "The loss was never finite: even the lowest learning rate diverged."
    text = (f"The smoothed loss was lowest at η ≈ {result.best_lr:.3g}; a tenth of that, "
            f"**η ≈ {result.suggested_lr:.3g}**, is a safe starting learning rate.")
    if result.stopped_early_at is not None:
        text += (f" Past η ≈ {result.stopped_early_at:.3g} the loss exploded, so the sweep stopped: "
                 "that is where this optimiser diverges on this network.")
    return text
