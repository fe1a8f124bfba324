"""Sampling the next character: softmax at a temperature, optional top-k, and a
seeded inverse-CDF draw.

Sampling happens in NumPy with a seeded `np.random.Generator`, so a seed
fixes the text exactly, on every backend.
"""

from __future__ import annotations

import math

import numpy as np

from nnkit.experiments.rnn_text.corpus import CharVocab, TextError

MAX_GENERATE = 2_000           # characters per generation request
VISIBLE = {"\n": "⏎", " ": "␣", "\t": "⇥"}


def sampling_probs(logits: np.ndarray, temperature: float, top_k: int | None = None) -> np.ndarray:
    """p_i = exp(z_i / T) / sum_j exp(z_j / T), in float64.

    T -> 0 is the argmax (returned as one-hot for T <= 0, so temperature 0 is
    safe: greedy decoding); T = 1 is the model's own distribution; large T
    flattens it towards uniform. `top_k` zeroes all but exactly the k likeliest.
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
    if top_k and 0 < top_k < len(z):
        # Exactly k survive: a tie at the cut goes to the lower index (a stable sort), never to all.
        kept = np.argsort(-z, kind="stable")[:top_k]
        z = np.where(np.isin(np.arange(len(z)), kept), z, -np.inf)
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
