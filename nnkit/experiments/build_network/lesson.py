"""What a run on the learner's table means, in sentences computed from its own numbers."""

from __future__ import annotations

from collections.abc import Mapping

from nnkit.core import diagnosis as dx
from nnkit.core.runs import RunRecord
from nnkit.experiments.build_network.model import MSE, head
from nnkit.experiments.build_network.tables import REGRESSION


def diagnosis_of(record: RunRecord, data: Mapping, task: str, n_classes: int) -> dx.Diagnosis:
    """The run judged against a no-skill guess on its own training rows.

    Classification: the majority class (accuracy and log loss of the class
    shares); regression: the mean, whose MSE in the (standardised) target's
    units is its variance. Judged by accuracy only when it was compiled in.
    """
    s = record.settings
    _, _, loss, metric = head(task, n_classes, s["output"], s["loss"], s["metric"])
    history = kept_history(record)
    if task == REGRESSION:
        baseline = dx.regression_baseline(data["y_train"]) if loss == MSE else None
        return dx.diagnose(history, record.reason, baseline, s["epochs"], "no metric")
    return dx.diagnose(history, record.reason, dx.classification_baseline(data["y_train"], n_classes),
                       s["epochs"], "accuracy" if metric == "accuracy" else "no metric")


def kept_history(record: RunRecord) -> dict[str, list[float]]:
    """The curves up to the epoch whose weights the model kept.

    EarlyStopping restores the best epoch's weights, so the epochs after it
    (validation loss rising, by construction) describe no model the learner
    has: judging them would call a rescued run over-fitted.
    """
    val = record.history.get("val_loss", [])
    stopped_early = len(record.history.get("loss", [])) < record.settings["epochs"]
    if not (record.settings.get("early_stop") and stopped_early and val and record.reason == "finished"):
        return record.history
    best = min(range(len(val)), key=val.__getitem__) + 1
    return {name: values[:best] for name, values in record.history.items()}


def meaning(record: RunRecord, diagnosis: dx.Diagnosis, network: Mapping[str, float] | None,
            baselines: Mapping[str, Mapping[str, float]] | None, regression: bool) -> str:
    """'What it means': how training went, then whether the test set says the network is any good."""
    epochs = len(record.history.get("loss", []))
    planned = record.settings.get("epochs")
    text = [f"Training ran {epochs} of {planned} epochs."]
    if record.settings.get("early_stop") and epochs < (planned or 0) and record.reason == "finished":
        val = record.history.get("val_loss", [])
        best = min(range(len(val)), key=val.__getitem__) + 1 if val else epochs
        text.append(f"EarlyStopping ended it: the validation loss had not improved for 5 epochs after its "
                    f"best at epoch {best}, and the weights of that epoch were restored.")
    text.append(diagnosis.text)
    if network is None or not baselines:
        return " ".join(text)
    name = "R²" if regression else "accuracy"
    mine = network[name]
    best_label, best = max(((label, scores[name]) for label, scores in baselines.items()), key=lambda p: p[1])
    constant = next(iter(baselines.values()))[name]
    if mine <= constant + 1e-9:
        text.append(f"On the test rows it scores {name} {mine:.3f}, no better than the constant guess "
                    f"({constant:.3f}): it has learned nothing useful yet.")
    elif mine + 1e-9 < best:
        text.append(f"On the test rows its {name} is {mine:.3f}: better than a constant guess ({constant:.3f}) "
                    f"but below {best_label} ({best:.3f}). A straight-line model does better here, so the "
                    "extra layers are not paying off yet: try fewer units, more epochs or another learning rate.")
    else:
        text.append(f"On the test rows its {name} is {mine:.3f}, at least as good as every baseline (best: "
                    f"{best_label}, {best:.3f}).")
        if mine - best < 0.01:
            text.append("On a small table a linear model is often as good: the network earns its layers only "
                        "where the pattern bends.")
    return " ".join(text)
