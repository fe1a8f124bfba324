"""Fast generation: a one-step twin of the trained network, compiled once.

Generation never calls `model.predict` per character (≈100 ms on TF). A
separate one-step model with explicit state inputs/outputs shares the trained
weights; it is compiled once (`jax.jit` / `tf.function`) and the recurrent
state is carried from step to step, so each character costs one small
compiled call (well under a millisecond on a CPU). The exported notebook ships
this very code by its source.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Callable, Iterator

import numpy as np

from nnkit.experiments.rnn_text.corpus import TextError
from nnkit.experiments.rnn_text.model import _rnn, config_of
from nnkit.experiments.rnn_text.sampling import sample, sampling_probs, top_chars

MAX_PROMPT = 400               # only the end of a longer prompt is fed in
SAMPLE_TEMPERATURES = (0.2, 0.7, 1.2)
DEFAULT_PROMPT = "Shall I compare thee"


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
        import keras

        step = self._step_model
        if keras.backend.backend() == "jax":
            import jax

            def pure(trainable, non_trainable, inputs):
                outputs, _ = step.stateless_call(trainable, non_trainable, inputs, training=False)
                return outputs

            jitted = jax.jit(pure)
            return lambda inputs: jitted(self._values[0], self._values[1], inputs)
        if keras.backend.backend() == "tensorflow":
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
    """A Keras callback filling `log` at each epoch end (pass it to `fit` among the callbacks)."""
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


def next_char_rows(gen: CharGenerator, prompt: str, temperature: float,
                   k: int = 10) -> tuple[list[tuple[str, float]], list[tuple[str, float]]]:
    """The k likeliest next characters at `temperature`, and the model's own (T = 1) distribution."""
    logits = gen.prime(prompt)[0]
    return (top_chars(sampling_probs(logits, temperature), gen.vocab, k),
            top_chars(sampling_probs(logits, 1.0), gen.vocab, gen.vocab.size))


def growing(prompt: str, chunks: Iterator[str], every: float = 0.05) -> Iterator[str]:
    """The prompt plus the text generated so far, at most every `every` seconds and once at the end
    (redrawing the page for every 8 characters would cost more than generating them)."""
    shown, last = prompt, 0.0
    for chunk in chunks:
        shown += chunk
        if time.perf_counter() - last > every:
            last = time.perf_counter()
            yield shown
    yield shown
