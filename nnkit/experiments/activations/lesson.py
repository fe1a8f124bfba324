"""The activation explorer's sentences, each computed from the numbers on screen.

The comparison's reading ("what just happened") uses each run's own probe
measurements and the same `Diagnosis` its outcome box shows, so the text
never contradicts the charts or the box.
"""

from __future__ import annotations

import math
from typing import Sequence

import numpy as np

from nnkit.core import diagnosis as dx
from nnkit.core.runs import RunRecord
from nnkit.core.training import DIVERGED, FINISHED
from nnkit.experiments.activations.functions import (ACTIVATIONS, SATURATION_THRESHOLD, derivative,
                                                      z_grid)
from nnkit.experiments.activations.model import neuron_output
from nnkit.experiments.activations.probes import gradient_ratio


def saturation_summary(intervals: dict[str, list[tuple[float, float]]]) -> str:
    """Where each function saturates, in words (the chart's text alternative).

    Example: {"sigmoid": [(-6, -4.6), (4.6, 6)]} ->
    "sigmoid saturates (|f'(z)| < 0.01) on z ∈ [-6, -4.6] and [4.6, 6]."
    """
    parts = []
    for label, spans in intervals.items():
        if spans:
            where = " and ".join(f"[{lo:.3g}, {hi:.3g}]" for lo, hi in spans)
            parts.append(f"{label} saturates (|f'(z)| < {SATURATION_THRESHOLD:g}) on z ∈ {where}")
        else:
            parts.append(f"{label} never saturates in this range")
    return "; ".join(parts) + "."


def neuron_readout(x1: float, x2: float, w1: float, w2: float, b: float, key: str,
                   slope: float = 0.2) -> str:
    """The forward pass for one input, with every number, as markdown."""
    def num(v: float) -> str:
        return f"({v:g})" if v < 0 else f"{v:g}"

    z, f = neuron_output(x1, x2, w1, w2, b, key, slope)
    df = derivative(key, z, slope)
    name = ACTIVATIONS[key].label
    return (f"**Forward pass at x = ({x1:g}, {x2:g})**\n\n"
            f"z = w₁x₁ + w₂x₂ + b = {num(w1)}·{num(x1)} + {num(w2)}·{num(x2)} + {num(b)} "
            f"= **{float(z):.3f}**\n\n"
            f"f(z) = {name}({float(z):.3f}) = **{float(f):.4f}**\n\n"
            f"f'(z) = {float(df):.4f}: the factor by which this neuron scales the gradient it passes back"
            + (" (saturated: almost nothing gets through)" if abs(float(df)) < SATURATION_THRESHOLD else ""))


def diagnosis_of(record: RunRecord, baseline: dx.Baseline) -> dx.Diagnosis:
    """One variant's run judged against guessing (the outcome box and the reading share it)."""
    return dx.diagnose(record.history, record.reason, baseline, record.settings.get("epochs"))


def what_happened(runs: Sequence[RunRecord], dataset: str, depth: int, baseline: dx.Baseline) -> str:
    """Markdown that reads *this* comparison's numbers back to the learner.

    Args:
        runs: `RunRecord`s, one per activation, whose `artifacts["probe"]` is
            a `LayerProbe.latest()` dict and `settings["activation"]` the key.
        dataset: dataset name, for the first sentence.
        depth: hidden layers of the compared networks.
        baseline: what guessing scores on this dataset (its accuracy is the bar to beat).
    """
    if not runs:
        return "Run the comparison to see what the activations did."
    # final_held_out checks for None: a validation accuracy of exactly 0 is reported as 0.
    scored = [(r, r.final_held_out("accuracy")) for r in runs]
    ranked = sorted((s for s in scored if s[1] is not None), key=lambda s: -s[1])
    lines = []
    if ranked:
        accs = ", ".join(f"**{r.label}** {a:.0%}" for r, a in ranked)
        lines.append(f"On {dataset} with {depth} hidden layer{'s' if depth > 1 else ''}, validation "
                     f"accuracy was {accs} (always guessing the commonest class scores "
                     f"{baseline.accuracy:.0%}).")
    for record, _ in scored:
        lines.append(_one_activation(record, diagnosis_of(record, baseline)))
    return "\n".join(f"- {line}" for line in lines if line)


def _fold(ratio: float) -> str:
    """1234.5 -> "1,234×"; an infinite ratio (nothing reached the first layer) -> "infinitely"."""
    return f"{ratio:,.0f}×" if math.isfinite(ratio) else "infinitely"


def _later(norms: Sequence[float], ratio: float | None, epoch: int) -> str:
    """How the first-vs-last hidden layer gradient compares at the last measurement."""
    hidden = list(norms)[:-1]
    if len(hidden) < 2:
        return ""
    if not all(math.isfinite(v) for v in hidden):
        return f"; by epoch {epoch} the gradients were no longer finite numbers"
    if ratio is None or not math.isfinite(ratio):
        return f"; by epoch {epoch} no gradient reached the first hidden layer at all"
    size = f"{_fold(ratio)} smaller" if ratio >= 1 else f"{_fold(1 / ratio)} larger"
    return f"; after epoch {epoch} the first layer's gradient was {size} than the last hidden layer's"


VANISHING = 10  # a first hidden layer getting this many times less gradient than the last has a vanishing gradient


def max_slope(record: RunRecord) -> float:
    """The steepest |f'(z)| of the run's activation: the most any one layer can pass the gradient on."""
    key = record.settings.get("activation", "linear")
    z = z_grid(-10.0, 10.0, 2001)
    return float(np.max(np.abs(derivative(key, z, record.settings.get("slope", 0.2)))))


def _gradients(record: RunRecord, stuck_at_chance: bool) -> str:
    """How the gradient changed from the last hidden layer to the first, and what that did."""
    probe = record.artifacts.get("probe") or {}
    # The mechanism shows best before training reshapes the weights (epoch 0),
    # so read the first measurement, and say where it ended up.
    norms = probe.get("first_grad_norms") or probe.get("grad_norms", [])
    when = probe.get("first_epoch", probe.get("epoch", 0))
    ratio, end = gradient_ratio(norms), gradient_ratio(probe.get("grad_norms", []))
    at = "at initialisation" if when == 0 else f"at epoch {when}"
    last_epoch = probe.get("epoch", 0)
    later = _later(probe.get("grad_norms", []), end, last_epoch) if last_epoch != when else ""
    if ratio is None:
        return ""
    if ratio >= VANISHING:
        text = (f"{at} its first hidden layer got gradients {_fold(ratio)} smaller than its last "
                f"hidden layer ({norms[0]:.1e} vs {norms[-2]:.1e}){later}: on its way back the "
                f"gradient is multiplied, layer after layer, by f'(z) (at most {max_slope(record):.2f} "
                "here) and by the weights")
        return text + ("; so the early layers barely moved and it stayed near chance" if stuck_at_chance else "")
    if ratio <= 1 / VANISHING:
        return (f"{at} its first hidden layer got {_fold(1 / ratio) if ratio else 'infinitely'} "
                "*larger* gradients than its last "
                f"(growing towards the input: the start of exploding gradients){later}")
    return (f"{at} gradients stayed within a factor {max(ratio, 1 / ratio):.1f} from the last "
            f"hidden layer to the first, so every layer could learn{later}")


def _stuck_units(record: RunRecord) -> str:
    """How many hidden units passed no gradient back, and why leaky ReLU's never do."""
    stuck = (record.artifacts.get("probe") or {}).get("stuck", [])
    if not stuck:
        return ""
    share = float(np.mean(stuck))
    kind = ACTIVATIONS.get(record.settings.get("activation", ""))
    word = "dead" if kind is not None and kind.family == "relu" else "saturated"
    if share > 0:
        worst = int(np.argmax(stuck))
        return (f"{share:.0%} of its hidden units were {word} (|f'(z)| < 0.01 on every "
                f"probe example), most in hidden_{worst + 1} ({stuck[worst]:.0%}); "
                "they pass no gradient back, so they stop learning")
    if record.settings.get("activation") == "leaky_relu":
        return ("no unit died: below zero a leaky ReLU still has slope "
                f"{record.settings.get('slope', 0.2):g}, so gradient always gets through")
    return "no unit died: every ReLU was active for some examples" if word == "dead" else ""


def _one_activation(record: RunRecord, diagnosis: dx.Diagnosis) -> str:
    name = f"**{record.label}**"
    if record.reason == DIVERGED:
        return f"{name}: {record.message}"
    parts = [_gradients(record, diagnosis.kind == dx.CHANCE), _stuck_units(record)]
    if record.reason != FINISHED:
        parts.append(f"(run {record.reason} after {record.epochs_run} epochs)")
    elif diagnosis.kind not in (dx.LEARNED, dx.STOPPED):
        parts.append(f"verdict: {diagnosis.kind} ({diagnosis.advice.rstrip('.')})" if diagnosis.advice
                     else f"verdict: {diagnosis.kind}")
    parts = [p for p in parts if p]
    return f"{name}: " + "; ".join(parts) + "." if parts else ""
