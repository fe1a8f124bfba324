"""Character-level text models: corpus, vocabulary, windows, RNN builder, fast generation.

Why this shape:
- The network is trained *many-to-many*: every window of `seq_len` characters
  is paired with the same window shifted by one, so each window yields
  `seq_len` next-character targets instead of one (many times more signal per
  second of training than predicting only the last character).
- Generation never calls `model.predict` per character (≈100 ms on TF). A
  separate one-step model with explicit state inputs/outputs shares the
  trained weights; it is compiled once (`jax.jit` / `tf.function`) and the
  recurrent state is carried from step to step, so each character costs one
  small compiled call (well under a millisecond on a CPU).
- Sampling happens in NumPy with a seeded `np.random.Generator`, so a seed
  fixes the text exactly, on every backend.
"""

from __future__ import annotations

import inspect
import math
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator, Sequence

import numpy as np

from nnkit import notebook as export
from nnkit.core import backend, data
from nnkit.core.assets import ASSETS

CORPUS_DIR = ASSETS / "corpora"
CORPORA = {  # display name -> file in assets/corpora (provenance: assets/README.md)
    "Shakespeare: the Sonnets": "sonnets.txt",
    "Shakespeare: Macbeth": "macbeth.txt",
    "Shakespeare: A Midsummer Night's Dream": "midsummer_nights_dream.txt",
}
CELLS = ("SimpleRNN", "GRU", "LSTM")
MIN_CHARS = 50                 # below this there is nothing to learn
MAX_CHARS = 1_000_000          # pasted/uploaded text is cut here (with a notice)
MAX_GENERATE = 2_000           # characters per generation request
MAX_PROMPT = 400               # only the end of a longer prompt is fed in
SAMPLE_TEMPERATURES = (0.2, 0.7, 1.2)
DEFAULT_PROMPT = "Shall I compare thee"
VISIBLE = {"\n": "⏎", " ": "␣", "\t": "⇥"}


class TextError(ValueError):
    """Bad text input, with a message a learner can act on."""


# ---- corpus ------------------------------------------------------------------

def load_corpus(name: str, max_chars: int | None = None) -> str:
    """A shipped public-domain corpus, optionally cut to its first `max_chars`."""
    if name not in CORPORA:
        raise TextError(f"Unknown corpus {name!r}; choose one of: {', '.join(CORPORA)}.")
    text = (CORPUS_DIR / CORPORA[name]).read_text(encoding="utf-8")
    return text[:max_chars] if max_chars else text


def all_corpora(max_chars: int | None = None) -> str:
    """All shipped corpora joined, for a bigger training set."""
    text = "\n\n".join(load_corpus(name) for name in CORPORA)
    return text[:max_chars] if max_chars else text


def decode_upload(data: bytes) -> tuple[str, list[str]]:
    """Bytes of an uploaded file -> (clean text, notices). Raises TextError.

    Non-UTF-8 and binary files are refused with a message saying why, rather
    than decoded into garbage the network would then learn.
    """
    if not data:
        raise TextError("The uploaded file is empty.")
    if b"\x00" in data[:65536]:
        raise TextError("This looks like a binary file (it contains NUL bytes), not plain text. "
                        "Upload a .txt file.")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise TextError(f"The file is not UTF-8 text (invalid byte 0x{data[exc.start]:02x} at "
                        f"position {exc.start:,}). Save it as UTF-8 plain text and upload it again.") from None
    return clean_text(text)


def clean_text(text: str) -> tuple[str, list[str]]:
    """Normalise pasted/uploaded text and check it is usable. Raises TextError.

    Returns the text (newlines normalised, capped at MAX_CHARS) and notices
    about what was changed.
    """
    notes: list[str] = []
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise TextError("The text is empty. Paste or upload some text first.")
    controls = sum(1 for c in text[:100_000] if ord(c) < 32 and c not in "\n\t")
    if controls > 0.05 * min(len(text), 100_000):
        raise TextError("This looks like binary data (many control characters), not text.")
    if len(text) > MAX_CHARS:
        notes.append(f"The text has {len(text):,} characters; only the first {MAX_CHARS:,} are used.")
        text = text[:MAX_CHARS]
    if len(text) < MIN_CHARS:
        raise TextError(f"The text has only {len(text)} character{'s' * (len(text) != 1)}; a model "
                        f"needs at least {MIN_CHARS} to learn anything. Paste more text.")
    if len(set(text)) < 2:
        raise TextError("The text uses a single character over and over: there is nothing to predict.")
    return text, notes


# ---- vocabulary and windows --------------------------------------------------

@dataclass(frozen=True)
class CharVocab:
    """The characters a model knows, in a fixed order (index = class id)."""

    chars: str

    @classmethod
    def from_text(cls, text: str) -> CharVocab:
        return cls("".join(sorted(set(text))))

    @property
    def size(self) -> int:
        return len(self.chars)

    def encode(self, text: str) -> np.ndarray:
        """Text -> int32 ids; raises TextError naming unknown characters."""
        index = {c: i for i, c in enumerate(self.chars)}
        unknown = sorted(set(text) - index.keys())
        if unknown:
            raise TextError(f"Characters not in the vocabulary: {' '.join(map(repr, unknown[:10]))}.")
        return np.fromiter((index[c] for c in text), dtype="int32", count=len(text))

    def decode(self, ids: Sequence[int]) -> str:
        return "".join(self.chars[int(i)] for i in ids)

    def split_known(self, text: str) -> tuple[str, list[str]]:
        """(text without unknown characters, the sorted unknown characters)."""
        known = set(self.chars)
        return "".join(c for c in text if c in known), sorted(set(text) - known)

    def __repr__(self) -> str:
        return f"CharVocab({self.size} characters)"


def make_windows(ids: np.ndarray, seq_len: int, step: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Input windows and the same windows shifted by one character.

    Example: ids for "hello!" with seq_len=3, step=3 give x = ["hel"],
    y = ["ell"]; the model learns to predict every next character at once.
    Raises TextError when the text is too short for even a few windows.
    """
    step = step or seq_len
    if seq_len < 2:
        raise TextError("Sequence length must be at least 2 characters.")
    count = (len(ids) - 1 - seq_len) // step + 1 if len(ids) > seq_len else 0
    if count < 4:
        raise TextError(f"The text has {len(ids):,} characters: too short for sequences of "
                        f"{seq_len}. Use more text or a shorter sequence length.")
    starts = np.arange(count) * step
    offsets = np.arange(seq_len)
    return ids[starts[:, None] + offsets], ids[starts[:, None] + offsets + 1]


# ---- model -------------------------------------------------------------------

@dataclass(frozen=True)
class TextModelConfig:
    """A character-level RNN; the defaults train on ~60 KB in seconds on a CPU."""

    cell: str = "LSTM"          # SimpleRNN, GRU or LSTM
    layers: int = 1             # stacked recurrent layers
    units: int = 128            # state size of each recurrent layer
    embed: int = 32             # size of each character's learned vector
    learning_rate: float = 0.01
    seed: int = 0               # fixes the initial weights


def _vocab_layer():
    import keras

    @keras.saving.register_keras_serializable(package="nnkit")
    class CharVocabulary(keras.layers.Layer):
        """Identity layer that stores the vocabulary in the model's config,
        so a saved .keras file carries what it needs to generate text."""

        def __init__(self, chars: str, **kwargs):
            super().__init__(**kwargs)
            self.chars = chars

        def call(self, inputs):
            return inputs

        def get_config(self):
            return {**super().get_config(), "chars": self.chars}

    return CharVocabulary


_VOCAB_CLASS = None


def vocab_layer_class():
    """The registered CharVocabulary layer class (created once, lazily: Keras)."""
    global _VOCAB_CLASS
    if _VOCAB_CLASS is None:
        _VOCAB_CLASS = _vocab_layer()
    return _VOCAB_CLASS


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

    backend.set_seed(config.seed)
    tokens = keras.Input((None,), dtype="int32", name="tokens")
    x = vocab_layer_class()(vocab.chars, name="vocabulary")(tokens)
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
    try:
        chars = model.get_layer("vocabulary").chars
        rnns = [layer for layer in model.layers if layer.name.startswith("rnn_")]
        embed = model.get_layer("embed").output_dim
        cell = type(rnns[0]).__name__
    except (ValueError, IndexError, AttributeError):
        raise TextError("This is not a text model saved by this page (no vocabulary / RNN layers).") from None
    if cell not in CELLS:
        raise TextError(f"Unsupported recurrent layer {cell!r} in the file.")
    return TextModelConfig(cell, len(rnns), rnns[0].units, embed), CharVocab(chars)


def save_bytes(model) -> bytes:
    """The model as the bytes of a .keras file (for a download button)."""
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "model.keras"
        model.save(path)
        return path.read_bytes()


def load_bytes(data: bytes):
    """A text model from .keras bytes; raises TextError on anything else.

    Loads with Keras's safe mode (no arbitrary code from an uploaded file).
    """
    import tempfile
    import zipfile

    import keras

    vocab_layer_class()  # registers the custom layer before deserialising
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "upload.keras"
        path.write_bytes(data)
        if not zipfile.is_zipfile(path):
            raise TextError("This is not a .keras file (a .keras file is a zip archive).")
        try:
            model = keras.saving.load_model(path, compile=True, safe_mode=True)
        except Exception as exc:  # Keras raises many types for a bad file
            raise TextError(f"Keras could not load this file: {str(exc)[:200]}") from None
    config_of(model)  # validates it is one of ours
    return model


# ---- sampling ----------------------------------------------------------------

def sampling_probs(logits: np.ndarray, temperature: float, top_k: int | None = None) -> np.ndarray:
    """p_i = exp(z_i / T) / sum_j exp(z_j / T), in float64.

    T -> 0 is the argmax (returned as one-hot for T <= 0, so temperature 0 is
    safe: greedy decoding); T = 1 is the model's own distribution; large T
    flattens it towards uniform. `top_k` zeroes all but the k likeliest.
    """
    z = np.asarray(logits, dtype="float64").reshape(-1)
    if not np.all(np.isfinite(z)):
        raise TextError("The model outputs NaN/infinite scores: its training diverged. "
                        "Train again with a lower learning rate.")
    if temperature <= 0:
        probs = np.zeros_like(z)
        probs[int(np.argmax(z))] = 1.0
        return probs
    z = z / temperature
    if top_k and top_k < len(z):
        z = np.where(z >= np.sort(z)[-top_k], z, -np.inf)
    z = np.exp(z - z.max())
    return z / z.sum()


def sample(probs: np.ndarray, rng: np.random.Generator) -> int:
    """One index drawn from `probs` by inverse CDF (one uniform per draw)."""
    cdf = np.cumsum(probs)
    return int(min(np.searchsorted(cdf, rng.random() * cdf[-1], side="right"), len(probs) - 1))


def top_chars(probs: np.ndarray, vocab: CharVocab, k: int = 10) -> list[tuple[str, float]]:
    """The k likeliest characters (shown visibly) plus "other", summing to 1."""
    order = np.argsort(probs)[::-1][:k]
    rows = [(VISIBLE.get(vocab.chars[i], vocab.chars[i]), float(probs[i])) for i in order]
    rest = float(max(0.0, 1.0 - sum(p for _, p in rows)))
    if k < len(probs):
        rows.append(("other", rest))
    return rows


# ---- fast generation ---------------------------------------------------------

class CharGenerator:
    """Generates text one character at a time from a trained text model.

    Builds a one-step twin of the model (batch 1, one time step, states in
    and out), copies the weights, and compiles its call once. Call `sync()`
    after more training to pick up new weights.
    """

    def __init__(self, model):
        self.model = model
        self.config, self.vocab = config_of(model)
        self._step_model = self._build_step_model()
        self._compiled = self._compile()
        self.sync()

    def _build_step_model(self):
        import keras

        token = keras.Input(batch_shape=(1, 1), dtype="int32", name="token")
        x = keras.layers.Embedding(self.vocab.size, self.config.embed, name="embed")(token)
        states_in, states_out = [], []
        n_states = 2 if self.config.cell == "LSTM" else 1
        for i in range(self.config.layers):
            s_in = [keras.Input(batch_shape=(1, self.config.units), name=f"state_{i}_{j}")
                    for j in range(n_states)]
            # unroll: a one-step loop compiles to straight-line code (≈3x faster on TF).
            out = _rnn(self.config, i, return_state=True, unroll=True)(x, initial_state=s_in)
            x = out[0]
            states_in += s_in
            states_out += out[1:]
        logits = keras.layers.Dense(self.vocab.size, name="logits")(x)
        return keras.Model([token, *states_in], [logits, *states_out], name="one_step")

    def _compile(self) -> Callable:
        step = self._step_model
        if backend.name() == "jax":
            import jax

            def pure(trainable, non_trainable, inputs):
                outputs, _ = step.stateless_call(trainable, non_trainable, inputs, training=False)
                return outputs

            jitted = jax.jit(pure)
            return lambda inputs: jitted(self._values[0], self._values[1], inputs)
        if backend.name() == "tensorflow":
            import tensorflow as tf

            return tf.function(lambda inputs: step(inputs, training=False), reduce_retracing=True)
        return step.predict_on_batch

    def sync(self) -> None:
        """Copy the current weights of the trained model into the step model."""
        for layer in self._step_model.layers:
            if layer.weights:
                layer.set_weights(self.model.get_layer(layer.name).get_weights())
        self._values = ([v.value for v in self._step_model.trainable_variables],
                        [v.value for v in self._step_model.non_trainable_variables])

    def initial_state(self) -> list:
        n = len(self._step_model.inputs) - 1
        return [np.zeros((1, self.config.units), "float32") for _ in range(n)]

    def step(self, token: int, state: list) -> tuple[np.ndarray, list]:
        """Feed one character id; return next-character logits and the new state."""
        outputs = self._compiled([np.array([[token]], "int32"), *state])
        return np.asarray(outputs[0]).reshape(-1), list(outputs[1:])

    def prime(self, prompt: str) -> tuple[np.ndarray, list, list[str]]:
        """Run the prompt through the network: (logits for the next char, state, dropped chars).

        Characters the model never saw are dropped (and reported); an empty
        prompt starts from a newline (or the first vocabulary character).
        """
        known, unknown = self.vocab.split_known(prompt[-MAX_PROMPT:])
        if not known:
            known = "\n" if "\n" in self.vocab.chars else self.vocab.chars[0]
        state = self.initial_state()
        for token in self.vocab.encode(known):
            logits, state = self.step(int(token), state)
        return logits, state, unknown

    def next_probs(self, prompt: str, temperature: float = 1.0) -> np.ndarray:
        """The model's next-character distribution after `prompt`, at `temperature`."""
        return sampling_probs(self.prime(prompt)[0], temperature)

    def stream(self, prompt: str, length: int, temperature: float, seed: int = 0,
               top_k: int | None = None, chunk: int = 8) -> Iterator[str]:
        """Yield generated text in small chunks (for st.write_stream)."""
        rng = np.random.default_rng(seed)
        logits, state, _ = self.prime(prompt)
        buffer = []
        for _ in range(length):
            token = sample(sampling_probs(logits, temperature, top_k), rng)
            buffer.append(self.vocab.chars[token])
            if len(buffer) >= chunk:
                yield "".join(buffer)
                buffer = []
            logits, state = self.step(token, state)
        if buffer:
            yield "".join(buffer)

    def generate(self, prompt: str, length: int, temperature: float, seed: int = 0,
                 top_k: int | None = None) -> str:
        """The generated continuation of `prompt` (deterministic given `seed`)."""
        return "".join(self.stream(prompt, length, temperature, seed, top_k, chunk=length or 1))

    def ms_per_char(self, n: int = 200, prompt: str = "") -> float:
        """Measured milliseconds per generated character (after a warm-up)."""
        self.generate(prompt, 5, 1.0)
        start = time.perf_counter()
        self.generate(prompt, n, 1.0)
        return (time.perf_counter() - start) / n * 1000


def check_request(length: float, temperature: float) -> tuple[int, float, list[str]]:
    """Clamp a generation request to safe values, with notices saying what changed."""
    notes = []
    if not math.isfinite(length) or length < 1:
        notes.append("Length must be at least 1 character; generating 1.")
        length = 1
    if length > MAX_GENERATE:
        notes.append(f"Length is capped at {MAX_GENERATE:,} characters per request.")
        length = MAX_GENERATE
    if not math.isfinite(temperature) or temperature < 0:
        notes.append("Temperature cannot be negative; using 0 (always the likeliest character).")
        temperature = 0.0
    elif temperature == 0:
        notes.append("Temperature 0 means greedy decoding: always the likeliest character.")
    return int(length), float(temperature), notes


# ---- samples during training ----------------------------------------------------

@dataclass
class SampleLog:
    """Generated samples at a few temperatures, one entry per epoch, growing."""

    model: object
    prompt: str = "\n"
    length: int = 120
    temperatures: tuple[float, ...] = SAMPLE_TEMPERATURES
    seed: int = 0
    entries: list[dict] = field(default_factory=list)
    _generator: CharGenerator | None = field(default=None, repr=False)

    def at_epoch(self, epoch: int) -> bool:
        """Sample once for `epoch` (1-based); False when already sampled."""
        if epoch < 1 or (self.entries and self.entries[-1]["epoch"] >= epoch):
            return False
        if self._generator is None:
            self._generator = CharGenerator(self.model)
        else:
            self._generator.sync()
        try:
            samples = {t: self._generator.generate(self.prompt, self.length, t, self.seed)
                       for t in self.temperatures}
        except TextError as exc:  # a diverged model: say so in the log, never crash the fit
            samples = {t: f"({exc})" for t in self.temperatures}
        self.entries.append({"epoch": epoch, "samples": samples})
        return True


def sample_callback(log: SampleLog):
    """A Keras callback filling `log` at each epoch end (for nnkit.train callbacks)."""
    import keras

    class EpochSamples(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            log.at_epoch(epoch + 1)

    return EpochSamples()


def log_markdown(entries: list[dict]) -> str:
    """The sample log as Markdown, newest epoch first."""
    parts = []
    for entry in reversed(entries):
        lines = [f"**Epoch {entry['epoch']}**"]
        for t, text in entry["samples"].items():
            shown = text.replace("\n", " ⏎ ").replace("`", "'")
            lines.append(f"- T = {t}: `{shown}`")
        parts.append("\n".join(lines))
    return "\n\n".join(parts)


# ---- page helpers ----------------------------------------------------------------

PASTE, UPLOAD, ALL = "Paste your own text", "Upload a text file", "All three plays/poems"


def choose_corpus(choice: str, max_chars: int, pasted: str = "",
                  uploaded: bytes | None = None) -> tuple[str, list[str]]:
    """The training text for a page choice, cut to `max_chars`. Raises TextError."""
    if choice == PASTE:
        text, notes = clean_text(pasted)
    elif choice == UPLOAD:
        if uploaded is None:
            raise TextError("Choose a .txt file to upload first.")
        text, notes = decode_upload(uploaded)
    elif choice == ALL:
        text, notes = all_corpora(), []
    else:
        text, notes = load_corpus(choice), []
    if len(text) > max_chars:
        notes.append(f"Using the first {max_chars:,} of {len(text):,} characters (corpus size slider).")
        text = text[:max_chars]
    return text, notes


def text_lesson(history: dict[str, list[float]], vocab_size: int, cell: str, n_chars: int,
                ms_per_char: float | None = None) -> str:
    """What the loss numbers of this run mean, in bits per character."""
    chance = math.log(vocab_size)
    loss = (history.get("val_loss") or history.get("loss") or [float("nan")])[-1]
    if not math.isfinite(loss):
        return "The loss is not finite: training diverged. Lower the learning rate and train again."
    acc = (history.get("val_accuracy") or history.get("accuracy") or [0.0])[-1]
    text = (f"Guessing uniformly among the **{vocab_size}** characters costs ln {vocab_size} = "
            f"**{chance:.2f}** nats per character ({chance / math.log(2):.2f} bits). After "
            f"{len(history.get('loss', []))} epoch(s) on {n_chars:,} characters the {cell} is at "
            f"**{loss:.2f}** nats ({loss / math.log(2):.2f} bits) on held-out windows and guesses the "
            f"next character right **{acc:.0%}** of the time. ")
    if loss < 0.6 * chance:
        text += ("That is far better than chance: it has learned spelling and common words, which is "
                 "why the low-temperature samples read like English while T = 1.2 still invents words.")
    elif loss < 0.95 * chance:
        text += ("Better than chance, mostly by learning letter frequencies and spaces; more epochs "
                 "or a bigger corpus turn that into words.")
    else:
        text += "That is no better than chance yet: train longer or raise the learning rate."
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
    return (f"On the same text, seed and sequence length ({seq_len}), **{better}** ends at a held-out "
            f"loss of {lb:.3f} against {lw:.3f} for {worse} ({(lw - lb) / lw:.1%} lower). "
            "A SimpleRNN multiplies its gradient by the same recurrent matrix at every step back in "
            "time, so the signal from characters many steps ago shrinks (vanishing gradients); "
            "an LSTM's additive cell state lets it pass through. The gap usually grows with longer "
            "sequences and more epochs; with very short runs the simpler cell can still lead.")


# ---- export: the training run as a plain-Keras notebook ------------------------

# The notebook's generator: CharGenerator's trick (RNN states passed in and
# out, one small compiled call per character) in plain Keras, with the sample
# temperatures as the rows of one batch.
_GENERATE_CODE = f"""def one_step_copy(model):
    \"\"\"The trained network fed one character per call, its RNN states passed in and out.\"\"\"
    token = keras.Input((1,), dtype="int32")
    x = keras.layers.Embedding(len(chars), model.layers[0].output_dim)(token)
    states_in, states_out = [], []
    for layer in model.layers[1:-1]:  # the recurrent layers
        s_in = [keras.Input((layer.units,)) for _ in range(2 if isinstance(layer, keras.layers.LSTM) else 1)]
        x, *s_out = type(layer)(layer.units, return_sequences=True, return_state=True,
                                unroll=True)(x, initial_state=s_in)
        states_in, states_out = states_in + s_in, states_out + s_out
    step = keras.Model([token, *states_in], [keras.layers.Dense(len(chars))(x), *states_out])
    step.set_weights(model.get_weights())
    return step


def generate(model, prompt, length, temperatures, seed=0):
    \"\"\"Continue `prompt` once per temperature; the seed fixes the text.\"\"\"
    step, n = one_step_copy(model), len(temperatures)
    prompt = "".join(c for c in prompt[-{MAX_PROMPT}:] if c in index) or ("\\n" if "\\n" in index else chars[0])
    state = [np.zeros((n, s.shape[-1]), "float32") for s in step.inputs[1:]]
    for c in prompt:
        logits, *state = step.predict_on_batch([np.full((n, 1), index[c], "int32"), *state])
    rngs = [np.random.default_rng(seed) for _ in temperatures]
    out = [[] for _ in temperatures]
    for _ in range(length):
        tokens = [sample(sampling_probs(logits[i, -1], t), rngs[i]) for i, t in enumerate(temperatures)]
        for row, token in zip(out, tokens):
            row.append(chars[token])
        logits, *state = step.predict_on_batch([np.array(tokens, "int32")[:, None], *state])
    return {{t: "".join(row) for t, row in zip(temperatures, out)}}"""

_PLOT_CODE = """fig = go.Figure()
for name, values in history.history.items():
    fig.add_scatter(y=values, name=name)
fig.update_layout(xaxis_title="epoch")
fig"""


def _code(*blocks: str) -> str:
    return "\n\n\n".join(block.strip("\n") for block in blocks)


def _setup_code(shipped: bool) -> str:
    code = (f'import os\nos.environ.setdefault("KERAS_BACKEND", "{backend.name()}")\n'
            "from pathlib import Path\n\nimport keras\nimport numpy as np\nimport plotly.graph_objects as go")
    if shipped:
        code += ("\n\n# The app's assets/corpora folder (in the nnkit repository): point this at your copy.\n"
                 'CORPUS_DIR = Path("assets/corpora")')
    return code


def _corpus_code(choice: str, max_chars: int, own_text: str | None) -> str:
    if choice not in CORPORA and choice != ALL:
        if own_text is None:
            raise ValueError(f"the text for {choice!r} is needed to export this run")
        return f"corpus = {own_text[:max_chars]!r}"
    files = [CORPORA[choice]] if choice in CORPORA else list(CORPORA.values())
    reads = ",\n    ".join(f'(CORPUS_DIR / "{name}").read_text(encoding="utf-8")' for name in files)
    text = reads if len(files) == 1 else f'"\\n\\n".join([\n    {reads},\n])'
    return f'corpus = {text}[:{max_chars}]\nprint(f"{{len(corpus):,}} characters")'


def _windows_code(seq_len: int, seed: int) -> str:
    vocab = ('chars = "".join(sorted(set(corpus)))  # the vocabulary: index = class id\n'
             "index = {c: i for i, c in enumerate(chars)}\n"
             'ids = np.array([index[c] for c in corpus], dtype="int32")\n'
             "TextError = ValueError  # what the helpers below raise on unusable input")
    windows = (f"x, y = make_windows(ids, {seq_len}, {max(1, seq_len // 2)})\n"
               f"(x_train, y_train), (x_val, y_val) = split(x, y, 0.2, seed={seed})\n"
               'print(f"{len(chars)} characters; {len(x_train):,} training, {len(x_val):,} validation windows")')
    return _code(vocab, inspect.getsource(make_windows), inspect.getsource(data.split), windows)


def _model_code(s: dict[str, Any]) -> str:
    rnns = "".join(f"    keras.layers.{s['cell']}({s['units']}, return_sequences=True),\n" for _ in range(s["layers"]))
    return (f"keras.utils.set_random_seed({s['seed']})\nmodel = keras.Sequential([\n"
            f'    keras.Input((None,), dtype="int32"),\n'
            f"    keras.layers.Embedding(len(chars), {TextModelConfig.embed}),\n{rnns}"
            "    keras.layers.Dense(len(chars)),  # one score (logit) per character\n])\n"
            f"model.compile(optimizer=keras.optimizers.Adam({s['lr']}, clipnorm=5.0),\n"
            "              loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),\n"
            '              metrics=["accuracy"])\nmodel.summary()')


def _samples_code(seed: int) -> str:
    log = SampleLog  # the app's sample settings: prompt, length, temperatures
    show = ("epoch_samples = []\n\n\ndef show_samples(epoch, logs):\n"
            f"    epoch_samples.append(generate(model, {log.prompt!r}, {log.length}, {log.temperatures},\n"
            f"                                  seed={seed}))\n"
            "    print(f\"Epoch {epoch + 1}: loss {logs['loss']:.3f}\")\n"
            "    for t, text in epoch_samples[-1].items():\n"
            '        print(f"  T = {t}: {text!r}")')
    return _code(inspect.getsource(sampling_probs), inspect.getsource(sample), _GENERATE_CODE, show)


def _fit_code(s: dict[str, Any]) -> str:
    return (f"keras.utils.set_random_seed({s['seed']})\n"
            f"history = model.fit(x_train, y_train, epochs={s['epochs']}, batch_size={s['batch']},\n"
            "                    validation_data=(x_val, y_val), shuffle=True, verbose=0,\n"
            "                    callbacks=[keras.callbacks.LambdaCallback(on_epoch_end=show_samples)])\n"
            'print("final loss", history.history["loss"][-1], "val loss", history.history["val_loss"][-1])')


def char_model_notebook(settings: dict[str, Any], result_line: str, own_text: str | None = None) -> bytes:
    """Reproduce a character-model run of the RNN page in plain Keras.

    Same text slice, windows, seeded split, architecture, seed and fit; the
    per-epoch samples use the app's sampling maths, prompt and seed. Shipped
    corpora are read from the app's `assets/corpora` folder (a variable at
    the top); pasted or uploaded text (`own_text`) is written into the notebook.
    """
    s = settings
    shipped = s["corpus"] in CORPORA or s["corpus"] == ALL
    cells: list[export.Cell] = [
        ("markdown", f"# A character-level {s['cell']} on {s['corpus']}, exported from nnkit\n\n"
                     f"Settings: `{settings}`\n\nIn the app this run ended: {result_line}"),
        ("code", _setup_code(shipped)),
        ("markdown", f"## The text\nThe first {s['kb'] * 1000:,} characters, as in the app."),
        ("code", _corpus_code(s["corpus"], s["kb"] * 1000, own_text)),
        ("markdown", "Every window of the text is paired with the same window shifted by one character, so "
                     "each position learns to predict its next character. Windows overlap by half; a "
                     "seeded random 20% of them is held out for validation."),
        ("code", _windows_code(s["seq_len"], s["seed"])),
        ("markdown", "## The model\nThe seed fixes the initial weights, so this starts where the app's run started."),
        ("code", _model_code(s)),
        ("markdown", "## Samples after each epoch\nEach character is drawn from softmax(logits / T): a low "
                     "temperature T picks the likeliest characters, a high one takes risks."),
        ("code", _samples_code(s["seed"])),
        ("markdown", "## Train"),
        ("code", _fit_code(s)),
        ("code", _PLOT_CODE),
        ("markdown", "## Generate\nThe page's default prompt and temperature: change them and run again."),
        ("code", f"print(generate(model, {DEFAULT_PROMPT!r}, 300, [0.7], seed=0)[0.7])"),
    ]
    return export.notebook_bytes(cells)
