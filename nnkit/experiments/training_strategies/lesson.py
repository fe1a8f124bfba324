"""What the runs on the training-strategies page show, in sentences computed from
their own numbers and from the `Diagnosis` the outcome box shows too."""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from nnkit.core import diagnosis as dx
from nnkit.core.runs import RunRecord
from nnkit.experiments.training_strategies import model as ts
from nnkit.experiments.training_strategies.batches import rises
from nnkit.experiments.training_strategies.remedies import EARLY_STOP, L2, DROPOUT


def judged_history(record: RunRecord) -> dict[str, list[float]]:
    """The curves of the model the run ended with: cut at the best epoch when
    EarlyStopping put that epoch's weights back (it always does, with
    restore_best_weights), else the whole run."""
    best = record.artifacts.get("best_epoch")
    return {k: v[:best] for k, v in record.history.items()} if best else record.history


def diagnosis_of(record: RunRecord, baseline: dx.Baseline, planned_epochs: int | None) -> dx.Diagnosis:
    return dx.diagnose(judged_history(record), record.reason, baseline, planned_epochs)


def baseline(settings: dict[str, Any]) -> dx.Baseline:
    """Always guessing the validation rows' majority class."""
    _, y_val = ts.tables(settings["dataset"], settings["seed"]).validation
    return dx.classification_baseline(y_val, ts.n_classes(settings["dataset"]))


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{value:.1%}"


def overfit_text(record: RunRecord, diagnosis: dx.Diagnosis, fit_key: str) -> str:
    """The over-fit run: where validation was best, how far apart the curves ended."""
    gap = ts.gap_of(record.history, fit_key)
    if gap is None or diagnosis.kind in (dx.STOPPED, dx.DIVERGED):
        return diagnosis.text
    text = (f"Validation cross-entropy was lowest at epoch {gap.best_epoch} ({gap.best_val_loss:.3f}); by epoch "
            f"{gap.final_epoch} it was {gap.final_val_loss:.3f} while the training cross-entropy had fallen to "
            f"{gap.final_train_loss:.3f}: a generalisation gap of {gap.gap:.2f}. Training accuracy "
            f"{_pct(record.final('accuracy'))}, validation accuracy {_pct(record.final('val_accuracy'))}. ")
    if diagnosis.kind == dx.OVERFIT:
        return text + ("Every epoch after the best one made the net better at its own rows and worse on new "
                       "ones: it is memorising them.")
    return text + (f"This run was judged {diagnosis.kind!r}, not over-fitting: {diagnosis.text} With fewer "
                   "training rows, a wider net or more epochs the gap opens further.")


def remedy_text(base: RunRecord, other: RunRecord, remedy: str, fit_key: str) -> str:
    """What one remedy did to the gap and the validation score, against its twin."""
    a, b = ts.gap_of(base.history, fit_key), ts.gap_of(other.history, fit_key)
    if a is None or b is None:
        return "Both runs must finish to compare them."
    if remedy == EARLY_STOP:
        kept = other.artifacts
        stopped = kept.get("stopped_epoch")
        how = (f"EarlyStopping stopped the run at epoch {stopped}" if stopped
               else f"EarlyStopping never ran out of patience in {b.final_epoch} epochs")
        return (f"{how} and restored the weights of epoch {kept.get('best_epoch')}. The restored model scores "
                f"validation loss {kept.get('model_val_loss', float('nan')):.3f} and accuracy "
                f"{_pct(kept.get('model_val_accuracy'))}, against {base.artifacts.get('model_val_loss', a.final_val_loss):.3f} "
                f"and {_pct(base.final('val_accuracy'))} for the twin that trained all {a.final_epoch} epochs.")
    verb = "cut" if b.gap < a.gap else "did not cut"
    text = (f"{other.label} {verb} the generalisation gap: {a.gap:.2f} → {b.gap:.2f} (final validation "
            f"cross-entropy {a.final_val_loss:.3f} → {b.final_val_loss:.3f}, validation accuracy "
            f"{_pct(base.final('val_accuracy'))} → {_pct(other.final('val_accuracy'))}).")
    if b.gap >= a.gap:
        text += " On this data and seed it did not help; try a stronger setting or another remedy."
    weights = base.artifacts.get("weights"), other.artifacts.get("weights")
    if remedy in (L2, DROPOUT) and all(w is not None for w in weights):
        spread = [float(np.std(w)) for w in weights]
        text += (f" The first layer's weights spread {spread[0]:.3f} → {spread[1]:.3f} (standard deviation)"
                 + (": L2 pulls every weight towards zero." if remedy == L2 else "."))
    return text


def _times(n: int) -> str:
    return {0: "no times", 1: "once", 2: "twice"}.get(n, f"{n} times")


def callbacks_text(record: RunRecord, events: Sequence, epochs: int) -> str:
    """Which callback acted when, and what the restored model and the checkpoint score."""
    kept = record.artifacts
    if not kept:
        return "The run was cut off, so the callbacks' record is incomplete."
    counts = {name: sum(e.callback == name for e in events)
              for name in ("ModelCheckpoint", "ReduceLROnPlateau", "EarlyStopping")}
    stopped = kept.get("stopped_epoch")
    text = (f"ModelCheckpoint wrote best.keras {_times(counts['ModelCheckpoint'])} (last at epoch "
            f"{max(kept['saved_epochs'], default='–')}). ReduceLROnPlateau cut the learning rate "
            f"{_times(counts['ReduceLROnPlateau'])}, to {kept['learning_rates'][-1]:.3g}. ")
    text += (f"EarlyStopping stopped at epoch {stopped} of {epochs} and restored epoch {kept['best_epoch']}'s "
             "weights. " if stopped else f"EarlyStopping did not fire in {epochs} epochs; the weights of the "
             f"best epoch ({kept['best_epoch']}) were still restored at the end. ")
    text += (f"The restored model scores validation loss {kept['model_val_loss']:.4f}, accuracy "
             f"{_pct(kept.get('model_val_accuracy'))}")
    if "checkpoint_val_loss" in kept:
        text += (f"; the checkpoint file, reloaded with keras.saving.load_model, scores "
                 f"{kept['checkpoint_val_loss']:.4f}: the same best epoch, kept on disk")
    return text + "."


def batch_rows(records: Sequence[RunRecord]) -> list[dict[str, Any]]:
    """The measured comparison table: one row per batch size."""
    rows = []
    for r in records:
        kept = r.artifacts
        if not kept:
            continue
        rows.append({"run": r.label, "batch size": kept["batch"], "updates per epoch": kept["updates_per_epoch"],
                     "ms per epoch": round((r.seconds_per_epoch or 0) * 1000, 1),
                     "updates where the loss rose": round(rises(kept["batch_losses"]), 3),
                     "validation loss": round(kept["model_val_loss"], 4),
                     "validation accuracy": round(kept.get("model_val_accuracy", float("nan")), 4)})
    return rows


def batch_text(rows: Sequence[dict[str, Any]]) -> str:
    """Noise, updates and time per epoch, and the validation score, from the measured table."""
    if len(rows) < 2:
        return "Train all three batch sizes to compare them."
    noise = "updates where the loss rose"
    noisy, calm = max(rows, key=lambda r: r[noise]), min(rows, key=lambda r: r[noise])
    slow, fast = max(rows, key=lambda r: r["ms per epoch"]), min(rows, key=lambda r: r["ms per epoch"])
    best = min(rows, key=lambda r: r["validation loss"])
    return (f"With {noisy['run']} ({noisy['updates per epoch']} updates per epoch) the next batch's loss was higher "
            f"after {noisy[noise]:.0%} of the updates; with {calm['run']} ({calm['updates per epoch']} per epoch) "
            f"after {calm[noise]:.0%}. An epoch took {slow['ms per epoch']:.0f} ms with {slow['run']} and "
            f"{fast['ms per epoch']:.0f} ms with {fast['run']}. After the same number of epochs {best['run']} "
            f"reached the lowest validation loss ({best['validation loss']:.3f}, accuracy "
            f"{best['validation accuracy']:.1%}): small batches make many noisy updates per epoch, "
            "large ones few smooth updates that use the hardware better per example.")


def what_it_means(over: Sequence[RunRecord], fixed: Sequence[RunRecord], called: Sequence[RunRecord],
                  batched: Sequence[RunRecord]) -> list[str]:
    """One paragraph per section that has runs, each from that section's latest comparison."""
    found = []
    if over:
        record = over[0]
        judged = diagnosis_of(record, baseline(record.settings), record.settings["epochs"])
        found.append("**Over-fitting.** " + overfit_text(record, judged, ts.fit_key_of(record.history)))
    if len(fixed) == 2:
        remedy = fixed[0].settings["remedy"]
        found.append(f"**{remedy}.** " + remedy_text(*fixed, remedy, ts.fit_key_of(fixed[0].history)))
    if called:
        found.append("**Callbacks.** " + callbacks_text(called[0], called[0].artifacts.get("events", []),
                                                         called[0].settings["epochs"]))
    if batched:
        found.append("**Batch size.** " + batch_text(batch_rows(batched)))
    return found
