"""What an autoencoder run means, in sentences computed from its own numbers:
the compression it really achieved, its error against a no-skill baseline,
how far anomalies stand out, and what the threshold trades.
"""

from __future__ import annotations

import math

import numpy as np

from nnkit.core.diagnosis import Baseline, Diagnosis, diagnose
from nnkit.core.runs import RunRecord
from nnkit.core.training import DIVERGED, INTERRUPTED, STOPPED
from nnkit.experiments.autoencoder.threshold import ThresholdReport


def bottleneck_note(bottleneck: int, sample_shape: tuple[int, ...]) -> str | None:
    """A warning when the bottleneck is not narrower than the sample: then nothing is compressed."""
    size = math.prod(sample_shape)
    if bottleneck < size:
        return None
    return (f"The bottleneck ({bottleneck} numbers) is not smaller than a sample ({size:,} numbers): the "
            "autoencoder can learn to copy its input instead of what normal data looks like, so its "
            f"errors say little about anomalies. Choose a bottleneck below {size:,}.")


def lesson(dataset_name: str, bottleneck: int, sample_shape: tuple[int, ...], final_loss: float | None,
           normal_errors: np.ndarray, anomaly_errors: np.ndarray,
           report: ThresholdReport | None, baseline_loss: float | None = None, advice: str = "") -> str:
    """Markdown explaining THIS run from its numbers; `advice` is the run's diagnosis advice."""
    size = math.prod(sample_shape)
    if bottleneck < size:
        parts = [f"Each {dataset_name} sample ({size:,} numbers) was squeezed into **{bottleneck}** "
                 f"numbers ({size / bottleneck:.1f}× compression) and rebuilt."]
    else:
        parts = [f"Each {dataset_name} sample ({size:,} numbers) passed through **{bottleneck}** numbers: "
                 "no compression at all, so the network could simply copy its input."]
    if final_loss is not None and math.isfinite(final_loss):
        parts.append(f"On the normal training data the mean squared reconstruction error ended at "
                     f"**{final_loss:.4f}**.")
        if baseline_loss:
            ratio = final_loss / baseline_loss
            parts.append(f"Rebuilding every sample as the average sample would score {baseline_loss:.4f}, so "
                         + (f"the autoencoder's error is {ratio:.0%} of that." if ratio < 1 else
                            f"the autoencoder is **{ratio:,.1f}× worse than that**: it learned nothing "
                            f"useful. {advice}".rstrip()))
    if len(anomaly_errors):
        n_med, a_med, ratio = median_errors(normal_errors, anomaly_errors)
        verdict = ("so anomalies stand out: the model learned what *normal* looks like"
                   if ratio > STANDS_OUT else
                   "barely different: the model rebuilds anomalies almost as well as normal data. "
                   "Try a smaller bottleneck (less room to copy anything) or more epochs")
        parts.append(f"Median error on held-out normal samples is **{n_med:.4f}**, on anomalies "
                     f"**{a_med:.4f}** ({ratio:.1f}×), {verdict}.")
    if report is not None and math.isfinite(report.auc):
        tn, fp, fn, tp = (int(v) for v in report.confusion.ravel())
        parts.append(
            f"At threshold **{report.threshold:.4f}** ({_share_above(normal_errors, report.threshold)} "
            f"of held-out normal samples lie above it) the detector flags "
            f"{tp + fp} samples: {tp} real anomalies and **{fp} false alarms**, and it **misses {fn}**. "
            f"Precision {report.precision:.2f} (how many alarms are real), recall {report.recall:.2f} "
            f"(how many anomalies are caught), F1 {report.f1:.2f}. Raising the threshold trades "
            f"missed anomalies for fewer false alarms. The ROC AUC of **{report.auc:.3f}** says how "
            f"often a random anomaly scores above a random normal sample, whatever threshold you pick"
            f"{' (0.5 would be guessing)' if report.auc < 0.75 else ''}.")
    return " ".join(parts)


STANDS_OUT = 1.5  # anomalies' median error this many times normal samples': they stand out


def median_errors(normal_errors: np.ndarray, anomaly_errors: np.ndarray) -> tuple[float, float, float]:
    """(median normal error, median anomaly error, their ratio): how far anomalies stand out.

    Medians, because a few badly rebuilt samples would drag a mean; the
    normal samples are held-out ones, never trained on.
    """
    n_med = float(np.median(normal_errors)) if len(normal_errors) else float("nan")
    a_med = float(np.median(anomaly_errors)) if len(anomaly_errors) else float("nan")
    return n_med, a_med, (a_med / n_med if n_med > 0 else float("inf"))


def _share_above(errors: np.ndarray, threshold: float) -> str:
    return f"{float(np.mean(np.asarray(errors) > threshold)):.0%}" if len(errors) else "none"


def denoise_lesson(result: dict) -> str:
    """Markdown for THIS denoising run."""
    before, after = result["noisy_error"], result["cleaned_error"]
    if not (math.isfinite(before) and math.isfinite(after)):
        return "The denoising run produced no finite numbers; lower the learning rate and train again."
    if after < before:
        change = f"it removed {1 - after / before:.0%} of the error"
    else:
        change = "worse than the noisy input: train longer, or use a wider bottleneck"
    return (f"Noise of standard deviation {result['level']:g} put the test inputs at a mean squared error "
            f"of **{before:.4f}** from the originals; the denoiser's outputs are at **{after:.4f}** "
            f"({change}). It never saw these test samples: it learned what clean samples look like "
            "and pulls noisy ones back towards that.")


def run_diagnosis(record: RunRecord) -> Diagnosis:
    """The run against its no-skill baseline (kept with its artifacts: rebuilding every sample as the
    average one, or for a denoiser passing the noisy input through), judged by the loss alone."""
    name, loss = record.artifacts.get("baseline", (None, None))
    baseline = Baseline(name, loss) if loss else None
    return diagnose(record.history, record.reason, baseline, record.settings.get("epochs"), metric=None)


def no_reconstructions(record: RunRecord) -> str:
    """Why a run has nothing to explore, with advice that fits how it ended."""
    if record.reason in (STOPPED, INTERRUPTED):
        return ("No reconstructions to explore: this run was cut off before it finished. "
                "Train again and let it finish.")
    if record.reason == DIVERGED:
        return ("No reconstructions to explore: this run did not finish with finite errors. "
                "Lower the learning rate and train again.")
    return ("No reconstructions to explore: the model's outputs are not finite numbers. "
            "Lower the learning rate and train again.")
