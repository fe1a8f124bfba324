"""What the CNN page says, every sentence computed from the lab's result or the run's own numbers."""

from __future__ import annotations

from typing import Sequence

import numpy as np

from nnkit.core.diagnosis import Diagnosis, classification_baseline, diagnose
from nnkit.core.runs import RunRecord
from nnkit.experiments.cnn_filters.convolution import (
    KERNEL_NOTES,
    ConvResult,
    conv_output_size,
    pool_output_size,
    same_padding,
)


def arithmetic_text(h: int, w: int, k: int, stride: int, padding: str,
                    pool: str = "none", pool_size: int = 2) -> str:
    """The output-shape calculation written out with this lab's numbers (markdown)."""
    lines = []
    for axis, n in (("height", h), ("width", w)):
        out = conv_output_size(n, k, stride, padding)
        if padding == "valid":
            lines.append(f"- **{axis}**: ⌊({n} − {k}) / {stride}⌋ + 1 = **{out}**")
        else:
            before, after = same_padding(n, k, stride)
            lines.append(f"- **{axis}**: ⌈{n} / {stride}⌉ = **{out}** "
                         f"(Keras pads {before} zero{'s' if before != 1 else ''} before and {after} after)")
    oh, ow = conv_output_size(h, k, stride, padding), conv_output_size(w, k, stride, padding)
    if pool != "none" and oh and ow:
        ph, pw = pool_output_size(oh, pool_size), pool_output_size(ow, pool_size)
        lines.append(f"- **{pool} pooling {pool_size}×{pool_size}** (stride {pool_size}): "
                     f"⌊({oh} − {pool_size}) / {pool_size}⌋ + 1 = **{ph}** by "
                     f"⌊({ow} − {pool_size}) / {pool_size}⌋ + 1 = **{pw}**")
    return "\n".join(lines)


def multiply_adds(result: ConvResult) -> tuple[int, int, int, int]:
    """(positions, kernel weights, channels, total): the factors of the lab's work and their product.

    A depthwise layer applies the k×k kernel to each channel separately, so
    every position costs k·k multiply-adds per channel.
    """
    positions = int(np.prod(result.feature.shape[:2]))
    weights, channels = int(result.kernel.size), int(result.image.shape[2])
    return positions, weights, channels, positions * weights * channels


def conv_story(result: ConvResult, kernel_name: str = "custom") -> str:
    """'What just happened', told with this result's own numbers."""
    h, w, c = result.image.shape
    k = result.kernel.shape[0]
    oh, ow = result.feature.shape[:2]
    positions, weights, channels, total = multiply_adds(result)
    per_channel = f", once for each of the {channels} colour channels" if channels > 1 else ""
    factors = f"{positions:,} × {weights}" + (f" × {channels}" if channels > 1 else "")
    text = (f"Keras `{result.layer}` slid the {k}×{k} **{kernel_name}** kernel over the "
            f"{w}×{h} {'colour' if c == 3 else 'grey'} image with stride {result.stride} and "
            f"'{result.padding}' padding. It stopped at {ow}×{oh} = {positions:,} positions; at each it "
            f"multiplied the {weights} pixels under the kernel by its weights and summed them{per_channel}: "
            f"{factors} = {total:,} multiply-adds. ")
    kernel_sum = float(result.kernel.sum())
    if abs(kernel_sum) < 1e-6:
        text += ("The kernel's weights sum to 0, so flat regions give 0 and only changes "
                 "(edges, texture) light up. ")
    elif abs(kernel_sum - 1) < 1e-6:
        text += "The weights sum to 1, so overall brightness is kept. "
    else:
        text += f"The weights sum to {kernel_sum:g}, so flat regions are scaled by {kernel_sum:g}. "
    text += f"Output values run from {result.feature.min():.2f} to {result.feature.max():.2f}."
    if result.pooled is not None:
        ph, pw = result.pooled.shape[:2]
        how = "kept the largest" if result.pool == "max" else "averaged"
        text += (f" Then {result.pool} pooling {how} of every {result.pool_size}×{result.pool_size} "
                 f"block: {ow}×{oh} → {pw}×{ph}, {positions / max(1, ph * pw):.0f}× fewer values.")
    return text + (f" {KERNEL_NOTES[kernel_name].capitalize()}" if kernel_name in KERNEL_NOTES else "")


# ---- a trained run -------------------------------------------------------------------

def run_diagnosis(record: RunRecord, y_train: Sequence[int] | np.ndarray) -> Diagnosis:
    """The run read against always guessing the most common training class."""
    return diagnose(record.history, record.reason, classification_baseline(y_train),
                    record.settings.get("epochs"), "accuracy")


def speed_text(record: RunRecord) -> str:
    """Time per epoch and images per second of a run."""
    if not record.seconds_per_epoch:
        return ""
    return (f"{record.seconds_per_epoch:.1f} s per epoch, {record.samples_per_second:,.0f} images/s "
            f"on {record.device}")


MOVED = 0.1  # filters moved this share of their random starting size or more: no longer noise


def filter_change(start: np.ndarray, end: np.ndarray) -> float:
    """How far training moved the first-layer kernels, relative to their random start."""
    return float(np.linalg.norm(np.asarray(end) - start) / (np.linalg.norm(start) + 1e-12))


def cnn_lesson(record: RunRecord, n_params: int, n_train: int, dataset: str,
               change: float | None = None) -> str:
    """What the trained CNN shows, from this run's numbers (`change`: see `filter_change`)."""
    val = record.final("val_accuracy")
    train = record.final("accuracy")
    if val is None or train is None:
        return "The run ended before a full epoch; train again to see what the filters learned."
    text = (f"A CNN with {n_params:,} weights and biases reached {val:.0%} validation accuracy on "
            f"{dataset} after {record.epochs_run} epoch{'s' if record.epochs_run != 1 else ''} "
            f"on {n_train:,} images ({speed_text(record)}). ")
    if change is not None:
        text += (f"Training moved its first-layer filters by {change:.0%} of their random starting size: "
                 + ("compare the two filter grids for the edge, stripe and blob detectors that tell a "
                    "sneaker from a bag. " if change >= MOVED else "they are still close to random noise. "))
    if train - val > 0.05:
        text += (f"Training accuracy ({train:.0%}) is well above validation ({val:.0%}): it is starting "
                 "to memorise. More images, dropout or augmentation help.")
        return text
    losses = record.history.get("val_loss") or record.history.get("loss") or []
    if len(losses) >= 2 and losses[-1] < losses[-2]:
        text += (f"Validation loss was still falling at the last epoch ({losses[-2]:.3f} → {losses[-1]:.3f}): "
                 "more epochs should raise accuracy further.")
    elif len(losses) >= 2:
        text += (f"Validation loss stopped falling ({losses[-2]:.3f} → {losses[-1]:.3f}): more images or a "
                 "larger network will help more than more epochs.")
    return text


def twin_lesson(first_label: str, first: RunRecord, second_label: str, second: RunRecord,
                first_params: int | None = None, second_params: int | None = None) -> str:
    """Compare two runs on the same data: held-out accuracy and over-fitting gap."""
    parts = []
    for label, rec, params in ((first_label, first, first_params), (second_label, second, second_params)):
        val, train = rec.final("val_accuracy"), rec.final("accuracy")
        if val is None or train is None:
            return "One of the twin runs ended before a full epoch; train the pair again."
        size = f" ({params:,} parameters)" if params else ""
        parts.append(f"**{label}**{size}: {val:.1%} validation accuracy, {train:.1%} on its "
                     "training images")
    diff = second.final("val_accuracy") - first.final("val_accuracy")
    text = "; ".join(parts) + ". "
    text += (f"On held-out images {second_label} is {abs(diff):.1%} {'better' if diff > 0 else 'worse'}. "
             if abs(diff) >= 0.005 else "Both reach the same held-out accuracy. ")
    gaps = {label: rec.final("accuracy") - rec.final("val_accuracy")
            for label, rec in ((first_label, first), (second_label, second))}
    overfit = [label for label, gap in gaps.items() if gap > 0.02]
    if overfit:
        text += " ".join(f"{label} scores {gaps[label]:.1%} higher on its training images than on "
                         "held-out ones: it is memorising." for label in overfit)
    else:
        text += ("Neither run over-fits yet (training accuracy is not above validation accuracy; "
                 "dropout and augmentation make training batches harder than the clean validation "
                 "images). Fewer images or more epochs make over-fitting visible.")
    return text
