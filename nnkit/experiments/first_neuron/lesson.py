"""Plain-language readings of a run, built from its own numbers."""

from __future__ import annotations

from nnkit.core.runs import RunRecord
from nnkit.core.training import DIVERGED, FINISHED


def boundary_lesson(record: RunRecord, n_hidden_layers: int, dataset: str) -> str:
    """What a 2-D classification run shows, for the 'What it means' section."""
    if record.reason == DIVERGED:
        return ("The loss blew up, so the weights became meaningless. A smaller learning "
                "rate takes smaller steps downhill and usually fixes it.")
    accuracy = record.final("val_accuracy") or record.final("accuracy")
    if accuracy is None:
        return "Train a model to see what it learned."
    acc = f"{accuracy:.0%} of the held-out points"
    if n_hidden_layers == 0:
        text = (f"A single neuron computes σ(w₁x₁ + w₂x₂ + b): its boundary is always a straight "
                f"line, so it classified {acc} correctly. ")
        if accuracy < 0.95:
            text += (f"No line separates {dataset} cleanly; add a hidden layer and the network "
                     "can bend the boundary.")
        return text
    text = (f"With {n_hidden_layers} hidden layer{'s' if n_hidden_layers > 1 else ''} the boundary "
            f"can bend: the network classified {acc} correctly. ")
    train, val = record.final("accuracy"), record.final("val_accuracy")
    if train is not None and val is not None and train - val > 0.05:
        text += ("Training accuracy is clearly above validation accuracy: the network is starting "
                 "to memorise noise (overfitting). Try fewer units or more points.")
    elif accuracy < 0.9 and record.reason == FINISHED:
        text += "It has not fitted yet: try more epochs, a larger learning rate or more units."
    return text
