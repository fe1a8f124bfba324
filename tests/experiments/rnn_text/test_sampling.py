"""nnkit.experiments.rnn_text.sampling: the tempered softmax, top-k, seeded draws, request clamps."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nnkit.experiments.rnn_text import sampling as text
from nnkit.experiments.rnn_text.corpus import CharVocab, TextError


def test_sampling_probs_match_keras_softmax_of_logits_over_t():
    import keras

    logits = np.array([2.0, -1.0, 0.5, 3.0, 0.0], "float32")
    for t in (0.1, 0.5, 1.0, 2.5):
        expected = np.asarray(keras.activations.softmax(keras.ops.convert_to_tensor(logits[None] / t)))[0]
        np.testing.assert_allclose(text.sampling_probs(logits, t), expected, atol=1e-6)
        assert math.isclose(text.sampling_probs(logits, t).sum(), 1.0, rel_tol=1e-12)
    # T -> 0 is the argmax; T = 0 is safe (greedy, one-hot)
    np.testing.assert_allclose(text.sampling_probs(logits, 1e-4), np.eye(5)[3], atol=1e-9)
    np.testing.assert_array_equal(text.sampling_probs(logits, 0.0), np.eye(5)[3])
    assert np.count_nonzero(text.sampling_probs(logits, 1.0, top_k=2)) == 2
    with pytest.raises(TextError, match="diverged"):
        text.sampling_probs(np.array([1.0, np.nan]), 1.0)


def test_top_k_keeps_exactly_k_when_logits_tie_at_the_cut():
    logits = np.array([3.0, 1.0, 1.0, 1.0, 0.0])  # k = 2 cuts through the three-way tie at 1.0
    probs = text.sampling_probs(logits, 1.0, top_k=2)
    assert np.count_nonzero(probs) == 2 and probs[0] > 0 and probs[1] > 0  # the tie goes to the lower index
    assert math.isclose(probs.sum(), 1.0)
    assert np.count_nonzero(text.sampling_probs(np.ones(6), 0.7, top_k=4)) == 4  # all tied


@given(st.lists(st.integers(-3, 3), min_size=2, max_size=12), st.integers(1, 12))
@settings(max_examples=80, deadline=None)
def test_top_k_keeps_exactly_min_k_n_entries_whatever_the_ties(values, k):
    probs = text.sampling_probs(np.array(values, float), 1.0, top_k=k)
    assert np.count_nonzero(probs) == min(k, len(values))
    kept = np.flatnonzero(probs)
    dropped = np.setdiff1d(np.arange(len(values)), kept)
    if len(dropped):  # nothing dropped beats anything kept
        assert max(values[i] for i in dropped) <= min(values[i] for i in kept)


def test_sampling_frequencies_follow_the_tempered_softmax():
    logits = np.array([1.0, 0.0, -1.0, 2.0])
    rng = np.random.default_rng(0)
    probs = text.sampling_probs(logits, 0.7)
    n = 40_000
    counts = np.bincount([text.sample(probs, rng) for _ in range(n)], minlength=4)
    chi2 = float(((counts - n * probs) ** 2 / (n * probs)).sum())
    assert chi2 < 16.3  # 3 degrees of freedom, p = 0.001


def test_sampling_is_exact_inverse_cdf_with_a_fixed_rng():
    probs = np.array([0.1, 0.2, 0.3, 0.4])
    draws = np.random.default_rng(7).random(200)
    expected = [int(np.argmax(u < np.cumsum(probs))) for u in draws]
    rng = np.random.default_rng(7)
    assert [text.sample(probs, rng) for _ in range(200)] == expected


def test_top_chars_shown_sum_to_one_and_are_visible():
    vocab = CharVocab(" \nab")
    rows = text.top_chars(np.array([0.4, 0.3, 0.2, 0.1]), vocab, 2)
    assert [c for c, _ in rows] == ["␣", "⏎", "other"]
    assert math.isclose(sum(p for _, p in rows), 1.0)


def test_check_request_clamps_absurd_values():
    assert text.check_request(0, 0.7)[0] == 1
    length, temperature, notes = text.check_request(1e6, -1)
    assert length == text.MAX_GENERATE and temperature == 0 and len(notes) == 2
