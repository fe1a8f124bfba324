"""What the transfer page says, from this comparison's own numbers."""

from __future__ import annotations

from typing import Sequence

import numpy as np

from nnkit.core.diagnosis import Baseline, Diagnosis, classification_baseline, diagnose
from nnkit.core.runs import RunRecord
from nnkit.experiments.transfer_learning.model import planned, variant_key


SAME = 0.005  # validation accuracies closer than half a point are "the same"


def baseline(y: Sequence[int] | np.ndarray, n_classes: int) -> Baseline:
    """Always guessing the most common class: 1/k on the balanced shipped sets, more on skewed uploads."""
    return classification_baseline(y, n_classes)


def run_diagnosis(record: RunRecord, y: Sequence[int] | np.ndarray, n_classes: int) -> Diagnosis:
    """One variant's run read against guessing, with the epochs that variant was asked for."""
    epochs = planned({**record.settings, "run_cnn": True, "run_tune": True})[variant_key(record.label)][1]
    return diagnose(record.history, record.reason, baseline(y, n_classes), epochs, "accuracy")


def rows(records: Sequence[RunRecord]) -> list[dict]:
    """The comparison table: one row per variant."""
    return [{"variant": r.label, "trainable": r.artifacts.get("trainable", 0), "val_accuracy": r.final("val_accuracy"),
             "seconds_per_epoch": r.seconds_per_epoch or 0.0, "ended": r.reason} for r in records]


def lesson(table: list[dict], n_images: int, n_classes: int, guess: Baseline | None = None) -> str:
    """'What it means', built from this run's table of variants (see `rows`).

    Each row: {"variant", "trainable", "val_accuracy", "seconds_per_epoch"}.
    `guess` is what guessing scores (1/k when not given).
    """
    done = [r for r in table if r.get("val_accuracy") is not None]
    if not done:
        return "Train the variants to compare them."
    chance = guess.accuracy if guess is not None and guess.accuracy is not None else 1.0 / n_classes
    margin = max(0.02, 0.1 * (1 - chance))  # as the diagnosis reads "stuck at chance"
    best = max(done, key=lambda r: r["val_accuracy"])
    text = f"With only {n_images} images in {n_classes} classes (guessing scores {chance:.0%}), "
    if best["val_accuracy"] <= chance + margin:
        return text + (f"no variant beat guessing: the best, **{best['variant']}**, reached "
                       f"{best['val_accuracy']:.0%} validation accuracy. Check that each class really looks "
                       "different, add images, or train the head for more epochs.")
    text += f"**{best['variant']}** reached the best validation accuracy, {best['val_accuracy']:.0%}. "
    by_name = {r["variant"].split(" ")[0]: r for r in done}
    scratch, frozen, tuned = by_name.get("(a)"), by_name.get("(b)"), by_name.get("(c)")
    if scratch and frozen:
        gap = frozen["val_accuracy"] - scratch["val_accuracy"]
        how = "the same" if abs(gap) < SAME else f"{abs(gap):.0%} {'higher' if gap > 0 else 'lower'}"
        text += (f"The frozen ImageNet features trained {frozen['trainable']:,} weights against the "
                 f"scratch CNN's {scratch['trainable']:,}, and scored {how}: ")
        if frozen["val_accuracy"] <= chance + margin:
            text += "the frozen features scored no better than guessing on these images. "
        elif gap >= 0:
            text += ("features learned on 1.3 million ImageNet photos already separate your classes, so "
                     "a single new layer is enough. ")
        else:
            text += ("here the scratch CNN did better — the images may be very unlike ImageNet photos, "
                     "or too few epochs were run for the head. ")
    if tuned and frozen:
        gap = tuned["val_accuracy"] - frozen["val_accuracy"]
        text += (f"Fine-tuning updated {tuned['trainable']:,} weights at "
                 f"{tuned['seconds_per_epoch']:.1f} s per epoch ({gap:+.0%} vs. frozen): ")
        text += ("adapting the top blocks to these images paid off, at a much higher cost per epoch."
                 if gap > 0.05 else
                 "with so few images, unfreezing more blocks mostly costs time and risks overfitting.")
    return text
