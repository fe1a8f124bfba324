"""What a run on the RNN page means, in sentences computed from its own numbers."""

from __future__ import annotations

import math

import numpy as np

from nnkit.core.diagnosis import CHANCE, DIVERGED, LR_TOO_HIGH, Diagnosis, diagnose, uniform_baseline
from nnkit.core.runs import RunRecord
from nnkit.core.training import FINISHED


AT_CHANCE, FAR_BETTER = 0.95, 0.6  # held-out loss as a share of guessing's ln k: no better, far better


def final_loss(history: dict[str, list[float]]) -> float:
    """The run's last held-out loss (its training loss when nothing was held out)."""
    return (history.get("val_loss") or history.get("loss") or [float("nan")])[-1]


def text_diagnosis(history: dict[str, list[float]], reason: str, vocab_size: int,
                   planned_epochs: int | None = None) -> Diagnosis:
    """The run against guessing uniformly among its characters (ln k nats).

    Judged by the loss alone: a character model's accuracy never nears the
    90% a classifier is held to, so accuracy would call every good run weak.
    """
    return diagnose(history, reason, uniform_baseline(vocab_size), planned_epochs, metric=None)


def text_lesson(history: dict[str, list[float]], vocab_size: int, cell: str, n_chars: int,
                ms_per_char: float | None = None, reason: str = FINISHED,
                planned_epochs: int | None = None) -> str:
    """What the loss numbers of this run mean, in bits per character."""
    chance = math.log(vocab_size)
    loss = final_loss(history)
    diagnosis = text_diagnosis(history, reason, vocab_size, planned_epochs)
    if not math.isfinite(loss) or diagnosis.kind == DIVERGED:
        return "The loss is not finite: training diverged. Lower the learning rate and train again."
    acc = (history.get("val_accuracy") or history.get("accuracy") or [0.0])[-1]
    text = (f"Guessing uniformly among the **{vocab_size}** characters costs ln {vocab_size} = "
            f"**{chance:.2f}** nats per character ({chance / math.log(2):.2f} bits). After "
            f"{len(history.get('loss', []))} epoch(s) on {n_chars:,} characters the {cell} is at "
            f"**{loss:.2f}** nats ({loss / math.log(2):.2f} bits) on held-out windows and guesses the "
            f"next character right **{acc:.0%}** of the time. ")
    if loss >= AT_CHANCE * chance:
        times = f" ({loss / chance:.0f}× the cost of guessing)" if loss > 2 * chance else ""
        text += f"That is no better than guessing{times}. {diagnosis.advice}"
    elif loss < FAR_BETTER * chance:
        text += ("That is far better than chance: it has learned spelling and common words, which is "
                 "why the low-temperature samples read like English while T = 1.2 still invents words.")
    else:
        text += ("Better than chance, mostly by learning letter frequencies and spaces; more epochs "
                 "or a bigger corpus turn that into words.")
    if diagnosis.kind in (LR_TOO_HIGH, CHANCE) and loss < AT_CHANCE * chance:
        text += f" But: {diagnosis.text}"
    if ms_per_char:
        text += (f" Generation took **{ms_per_char:.2f} ms per character** "
                 f"({1000 / ms_per_char:,.0f} characters/s) with the compiled one-step model.")
    return text


def compare_lesson(first: str, h1: dict, second: str, h2: dict, seq_len: int) -> str:
    """Which cell learned faster on the same data and seed, and why it may."""
    l1, l2 = (h.get("val_loss", h.get("loss", [float("nan")]))[-1] for h in (h1, h2))
    if not (math.isfinite(l1) and math.isfinite(l2)):
        return "One of the runs diverged (its loss is not finite), so there is nothing to compare."
    better, worse, lb, lw = (first, second, l1, l2) if l1 < l2 else (second, first, l2, l1)
    text = (f"On the same text, seed and sequence length ({seq_len}), **{better}** ends at a held-out "
            f"loss of {lb:.3f} against {lw:.3f} for {worse} ({(lw - lb) / lw:.1%} lower). ")
    if better == "LSTM":
        return text + ("A SimpleRNN multiplies its gradient by the same recurrent matrix at every step "
                       "back in time, so the signal from characters many steps ago shrinks (vanishing "
                       "gradients); an LSTM's additive cell state lets it pass through.")
    return text + (f"Here the {better} leads: in a run this short its fewer weights learn the nearby "
                   "letters faster. Its gradient still fades over many steps back in time (vanishing "
                   "gradients), which an LSTM's additive cell state avoids; longer sequences and more "
                   "epochs usually turn the order round.")


def series_lesson(name: str, unit: str, model_mae: float, naive_mae: float, window: int) -> str:
    """What the forecast errors say, from this run's numbers."""
    if not np.isfinite(model_mae):
        return "The forecaster's predictions are not finite: training diverged. Lower the epochs or units."
    ratio = model_mae / naive_mae if naive_mae > 0 else float("inf")
    head = (f"On the held-out last 20% of **{name}**, the LSTM's one-step forecasts are off by "
            f"**{model_mae:.3g} {unit}** on average; repeating the last value is off by "
            f"**{naive_mae:.3g} {unit}**. ")
    if ratio < 0.95:
        return head + (f"The LSTM cuts the naive error by {1 - ratio:.0%}: from the last {window} "
                       "values it has learned where the series is heading (the phase of the cycle), "
                       "which the naive forecast ignores.")
    if ratio <= 1.05:
        return head + ("That is a tie: the LSTM has learned little beyond 'about the same as now'. "
                       "Try a longer window or more epochs.")
    return head + (f"The naive baseline wins by {ratio - 1:.0%}. Beating 'tomorrow = today' is hard; "
                   "the network may need more epochs, or is overfitting the short training series.")


def record_diagnosis(record: RunRecord) -> Diagnosis:
    """A character-model run's diagnosis; a run cut off before its artifacts were kept has no vocabulary
    to compare with, and is judged without a baseline (it is only "stopped")."""
    vocab = record.artifacts.get("vocab")
    return diagnose(record.history, record.reason, uniform_baseline(vocab) if vocab else None,
                    record.settings.get("epochs"), metric=None)
