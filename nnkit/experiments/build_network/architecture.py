"""The hidden layers a learner stacks, as data: parsed strictly from the compact
text a link carries (`dense:32:relu,dropout:0.2,batchnorm`) and edited by the
builder's buttons (add, remove, move, change), always through these functions
so the link, the builder and the model never disagree.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from nnkit.core.plaintext import quote
from nnkit.core.settings import Setting

DENSE, DROPOUT, BATCHNORM = "dense", "dropout", "batchnorm"
KINDS = (DENSE, DROPOUT, BATCHNORM)
ACTIVATIONS = ("relu", "tanh", "sigmoid", "elu", "gelu", "linear")
MAX_LAYERS = 8
MAX_UNITS, WORKSHOP_UNITS = 512, 64
DEFAULT = "dense:16:relu,dropout:0.2,dense:8:relu"


@dataclass(frozen=True)
class Layer:
    """One hidden layer: Dense (units, activation), Dropout (rate) or BatchNormalization."""

    kind: str
    units: int = 16
    activation: str = "relu"
    rate: float = 0.2

    def text(self) -> str:
        if self.kind == DENSE:
            return f"{DENSE}:{self.units}:{self.activation}"
        if self.kind == DROPOUT:
            return f"{DROPOUT}:{self.rate:g}"
        return BATCHNORM


def parse_layers(text: str, workshop: bool = False) -> tuple[Layer, ...]:
    """The layers written in `text`, or ValueError saying which item is wrong and why.

    Strict on purpose: a link that says `dense:3x:relu` must not quietly give
    some other model than the one its author built.
    """
    items = [item.strip() for item in text.strip().split(",")] if text.strip() else []
    if len(items) > MAX_LAYERS:
        raise ValueError(f"lists {len(items)} layers; at most {MAX_LAYERS} can be stacked")
    return tuple(_parse_item(item, workshop) for item in items)


def _parse_item(item: str, workshop: bool) -> Layer:
    parts = [p.strip().lower() for p in item.split(":")]
    kind, args = parts[0], parts[1:]
    if kind == DENSE and len(args) == 2:
        units, activation = args
        top = WORKSHOP_UNITS if workshop else MAX_UNITS
        if not units.isdigit() or not 1 <= int(units) <= top:
            raise ValueError(f"has {quote(item)}: Dense units must be a whole number from 1 to {top}")
        if activation not in ACTIVATIONS:
            raise ValueError(f"has {quote(item)}: the activation must be one of {', '.join(ACTIVATIONS)}")
        return Layer(DENSE, int(units), activation)
    if kind == DROPOUT and len(args) == 1:
        try:
            rate = float(args[0])
        except ValueError:
            rate = -1.0
        if not 0.0 <= rate <= 0.9:
            raise ValueError(f"has {quote(item)}: the dropout rate must be a number from 0 to 0.9")
        return Layer(DROPOUT, rate=rate)
    if kind == BATCHNORM and not args:
        return Layer(BATCHNORM)
    raise ValueError(f"has {quote(item)}, which is not dense:UNITS:ACTIVATION, dropout:RATE or batchnorm")


def format_layers(layers: tuple[Layer, ...]) -> str:
    return ",".join(layer.text() for layer in layers)


class LayersSetting(Setting):
    """The architecture as one setting, so a link shares the whole model;
    malformed text is refused (with the reason) by the settings table's notices."""

    def parse(self, text: str, workshop: bool = False) -> str:
        return format_layers(parse_layers(text, workshop))


# ---- the builder's edits: each returns a new tuple --------------------------------------

def added(layers: tuple[Layer, ...], kind: str) -> tuple[Layer, ...]:
    if len(layers) >= MAX_LAYERS:
        return layers
    return (*layers, Layer(kind))


def removed(layers: tuple[Layer, ...], index: int) -> tuple[Layer, ...]:
    return layers[:index] + layers[index + 1:]


def moved(layers: tuple[Layer, ...], index: int, step: int) -> tuple[Layer, ...]:
    """Layer `index` swapped with its neighbour `step` (-1 up, +1 down); ends stay put."""
    other = index + step
    if not 0 <= other < len(layers):
        return layers
    order = list(layers)
    order[index], order[other] = order[other], order[index]
    return tuple(order)


def changed(layers: tuple[Layer, ...], index: int, **fields) -> tuple[Layer, ...]:
    return tuple(replace(layer, **fields) if i == index else layer for i, layer in enumerate(layers))


def describe(layers: tuple[Layer, ...]) -> str:
    """E.g. "Dense(32, relu) → Dropout(0.2) → Dense(16, relu)"."""
    names = {DENSE: lambda l: f"Dense({l.units}, {l.activation})", DROPOUT: lambda l: f"Dropout({l.rate:g})",
             BATCHNORM: lambda l: "BatchNormalization"}
    return " → ".join(names[layer.kind](layer) for layer in layers) or "no hidden layers"
