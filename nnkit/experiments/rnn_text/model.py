"""The character-level RNN: its config, the Keras builder, and the checks an
uploaded model must pass before the page generates from it.

The vocabulary travels inside the model as the name of an Identity layer
(`vocabulary_<hex of the UTF-8 characters>`): plain Keras saves and loads it
without any custom class, so a downloaded `.keras` file reloads anywhere with
`keras.saving.load_model`, and this page can read back which character each
output unit stands for.
"""

from __future__ import annotations

from dataclasses import dataclass

from nnkit.core import saving
from nnkit.core.backend import set_seed
from nnkit.core.plaintext import quote
from nnkit.experiments.rnn_text.corpus import CharVocab, TextError

CELLS = ("SimpleRNN", "GRU", "LSTM")
VOCAB_PREFIX = "vocabulary_"
EXPECTS = "a character model saved by this page (its “Trained model (.keras)” download)"


@dataclass(frozen=True)
class TextModelConfig:
    """A character-level RNN; the defaults train on ~60 KB in seconds on a CPU."""

    cell: str = "LSTM"          # SimpleRNN, GRU or LSTM
    layers: int = 1             # stacked recurrent layers
    units: int = 128            # state size of each recurrent layer
    embed: int = 32             # size of each character's learned vector
    learning_rate: float = 0.01
    seed: int = 0               # fixes the initial weights


def vocab_layer_name(chars: str) -> str:
    """The Identity layer name that stores the vocabulary (any character survives hex)."""
    return VOCAB_PREFIX + chars.encode("utf-8").hex()


def vocabulary_of(model) -> str | None:
    """The characters stored in a model's vocabulary layer; None if it has none or it is unreadable."""
    names = [layer.name for layer in model.layers if layer.name.startswith(VOCAB_PREFIX)]
    if len(names) != 1:
        return None
    try:
        return bytes.fromhex(names[0][len(VOCAB_PREFIX):]).decode("utf-8")
    except ValueError:
        return None


def _rnn(config: TextModelConfig, index: int, **kwargs):
    import keras

    if config.cell not in CELLS:
        raise ValueError(f"cell must be one of {CELLS}, not {config.cell!r}")
    return getattr(keras.layers, config.cell)(config.units, return_sequences=True,
                                              name=f"rnn_{index + 1}", **kwargs)


def build_text_model(config: TextModelConfig, vocab: CharVocab):
    """Embedding -> `layers` x RNN(return_sequences) -> Dense logits, compiled.

    Example: LSTM, 1 layer, 128 units on a 60-character vocabulary maps a
    (batch, time) array of ids to (batch, time, 60) next-character logits.
    """
    import keras

    set_seed(config.seed)
    tokens = keras.Input((None,), dtype="int32", name="tokens")
    x = keras.layers.Identity(name=vocab_layer_name(vocab.chars))(tokens)
    x = keras.layers.Embedding(vocab.size, config.embed, name="embed")(x)
    for i in range(config.layers):
        x = _rnn(config, i)(x)
    logits = keras.layers.Dense(vocab.size, name="logits")(x)
    model = keras.Model(tokens, logits, name=f"char_{config.cell.lower()}")
    model.compile(optimizer=keras.optimizers.Adam(config.learning_rate, clipnorm=5.0),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=["accuracy"])
    return model


def config_of(model) -> tuple[TextModelConfig, CharVocab]:
    """Read the architecture and vocabulary back from a (loaded) text model."""
    chars = vocabulary_of(model)
    try:
        rnns = [layer for layer in model.layers if layer.name.startswith("rnn_")]
        embed = model.get_layer("embed").output_dim
        cell = type(rnns[0]).__name__
    except (ValueError, IndexError, AttributeError):
        chars = None
    if not chars:
        raise TextError("This is not a text model saved by this page (no vocabulary / RNN layers).")
    if cell not in CELLS:
        raise TextError(f"Unsupported recurrent layer {cell!r} in the file.")
    return TextModelConfig(cell, len(rnns), rnns[0].units, embed), CharVocab(chars)


# ---- an uploaded model: does it fit this page? ---------------------------------------

def text_model_problems(model) -> list[str]:
    """Why `model` cannot generate text on this page, in words; empty when it can.

    The page builds a one-step copy of the network from these layers and
    copies their weights, so the vocabulary, the embedding's rows and the
    output's units must all be the same number, and nothing else may sit in
    between.
    """
    problems = saving.shape_problems(model, saving.ModelShape((None,)))
    if problems:
        return problems + ["this page feeds a sequence of character ids, shape (time,)"]
    if len(model.outputs) != 1 or len(model.outputs[0].shape) != 3:
        return ["its output is not one score per character at every time step (batch, time, characters)"]
    layers = {layer.name: layer for layer in model.layers if type(layer).__name__ != "InputLayer"}
    chars = vocabulary_of(model)
    rnns = [layer for name, layer in layers.items() if name.startswith("rnn_")]
    embed, logits = layers.get("embed"), layers.get("logits")
    if chars is None or embed is None or logits is None or not rnns:
        return ["it has no saved vocabulary, embedding, recurrent and logits layers: it is not a text "
                "model saved by this page"]
    if not chars:
        return ["its saved vocabulary is empty"]
    if len(set(chars)) != len(chars):
        problems.append("its saved vocabulary lists a character twice")
    rows = getattr(embed, "input_dim", None)
    if type(embed).__name__ != "Embedding":
        problems.append(f"its layer {quote('embed')} is a {quote(type(embed).__name__)}, not an Embedding")
    elif rows != len(chars):
        problems.append(f"its saved vocabulary has {len(chars)} characters but its embedding has {rows} rows")
    units = getattr(logits, "units", None)
    if type(logits).__name__ != "Dense" or units != len(chars):
        problems.append(f"its output has {units} units for a vocabulary of {len(chars)} characters")
    kinds = {(type(layer).__name__, getattr(layer, "units", None)) for layer in rnns}
    if len(kinds) != 1 or next(iter(kinds))[0] not in CELLS:
        shown = ", ".join(quote(kind) for kind, _ in sorted(kinds, key=str))
        problems.append(f"its recurrent layers ({shown}) are not one size of {', '.join(CELLS)}")
    extra = [name for name in layers if name not in {"embed", "logits", vocab_layer_name(chars)}
             and not name.startswith("rnn_")]
    if extra:
        problems.append("it has layers this page cannot run: " + ", ".join(quote(n) for n in extra[:5]))
    return problems


def load_text_model(blob: bytes):
    """A text model from uploaded `.keras` bytes, or `saving.ModelFileError` saying what is wrong.

    Keras's safe mode stays on and the upload size cap applies
    (`saving.load_uploaded_model`); then the model must fit this page.
    """
    model = saving.load_uploaded_model(blob, EXPECTS)
    problems = text_model_problems(model)
    if problems:
        raise saving.ModelFileError(f"This model does not fit this page: {'; '.join(problems)}. "
                                    f"This page expects {EXPECTS}.")
    return model


def describe(model) -> str:
    """E.g. "1×LSTM(8), 8 characters", for a loaded model."""
    config, vocab = config_of(model)
    return f"{config.layers}×{config.cell}({config.units}), {vocab.size} characters"
