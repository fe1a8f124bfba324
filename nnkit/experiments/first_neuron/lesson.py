"""What a "Your first neuron" run shows, read from its own numbers and diagnosis.

Every sentence here follows from the run: the accuracy it reached, and the
`Diagnosis` (`nnkit.core.diagnosis`) that the outcome box shows too, so the
lesson never contradicts the chart or the box (no "overfitting" when training
accuracy is no better, no "larger learning rate" after the loss rose).
"""

from __future__ import annotations

import numpy as np

from nnkit.core import diagnosis as dx
from nnkit.core.runs import RunRecord
from nnkit.experiments.first_neuron.model import SINGLE


def diagnosis_of(record: RunRecord, y: np.ndarray) -> dx.Diagnosis:
    """The run judged against always guessing the majority class of its own points.

    `y` is used only when the run kept no points (it was cut off): the toy
    sets are balanced, so the baseline barely depends on which set it was.
    """
    surface = record.artifacts.get("surface")
    labels = surface[4] if surface is not None else y
    return dx.diagnose(record.history, record.reason, dx.classification_baseline(labels),
                       record.settings.get("epochs"))


def boundary_lesson(record: RunRecord, diagnosis: dx.Diagnosis) -> str:
    """What a 2-D classification run shows, for the 'What it means' section."""
    if diagnosis.kind == dx.DIVERGED:
        return ("The loss blew up, so the weights became meaningless. A smaller learning "
                "rate takes smaller steps downhill and usually fixes it.")
    accuracy = record.final_held_out("accuracy")
    if accuracy is None:
        return "Train a model to see what it learned."
    which = "held-out" if record.final("val_accuracy") is not None else "training"
    acc = f"{accuracy:.0%} of the {which} points"
    dataset, settings = record.settings.get("dataset", "this data"), record.settings
    if settings.get("kind") == SINGLE:
        text = (f"A single neuron computes σ(w₁x₁ + w₂x₂ + b): its boundary is always a straight "
                f"line, so it classified {acc} correctly. ")
        if accuracy < 0.95:
            text += (f"No line separates {dataset} cleanly; add a hidden layer and the network "
                     "can bend the boundary. ")
        return (text + _reading(record, diagnosis, single=True)).strip()
    layers = settings.get("layers", 1)
    text = (f"With {layers} hidden layer{'s' if layers > 1 else ''} the boundary "
            f"can bend: the network classified {acc} correctly. ")
    return (text + _reading(record, diagnosis, single=False)).strip()


def _reading(record: RunRecord, diagnosis: dx.Diagnosis, single: bool) -> str:
    """The diagnosis in the lesson's words, with this run's numbers."""
    numbers, lr = diagnosis.numbers, record.settings.get("lr")
    if diagnosis.kind == dx.STOPPED:
        return (f"The run was cut off after {len(record.history.get('loss', []))} epochs, so this is not "
                "yet what these settings can do.")
    if diagnosis.kind == dx.LR_TOO_HIGH:
        return (f"But the training loss went from {numbers['first loss']:.3g} to {numbers['final loss']:.3g} "
                f"instead of falling steadily: with learning rate {lr} each step overshoots the valley. "
                "Lower the learning rate and train again.")
    if diagnosis.kind == dx.CHANCE:
        return diagnosis.text  # e.g. "… 50.0% against 50.0% for always guessing …", then what to try
    if diagnosis.kind == dx.OVERFIT:
        train, val = record.final("accuracy"), record.final("val_accuracy")
        gap = (f"Training accuracy ({train:.0%}) is above validation accuracy ({val:.0%}) and the "
               if train is not None and val is not None and train > val else "The ")
        return (f"{gap}validation loss was lowest at epoch {numbers['best epoch']:.0f} and rose after it while "
                "the training loss kept falling: the network is starting to memorise noise (overfitting). "
                "Try fewer units, fewer epochs or more points.")
    if diagnosis.kind == dx.CUT_SHORT:
        return ("The loss was still falling when training ended: it has not fitted yet, so train for "
                "more epochs.")
    if diagnosis.kind == dx.UNDERFIT and not single:
        return ("The loss curve has flattened short of a good fit: give the network more units or layers, "
                "so its boundary can bend further.")
    return ""
