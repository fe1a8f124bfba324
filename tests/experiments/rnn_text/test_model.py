"""nnkit.experiments.rnn_text.model: corpus checks, vocabulary, windows, sampling maths, fast generation, save/load."""

import math

import numpy as np
import pytest

from nnkit.experiments.rnn_text import model as text

REPEAT = "abcab" * 120 + "\n"


def test_shipped_corpora_load_and_are_plain_text():
    for name in text.CORPORA:
        corpus = text.load_corpus(name)
        assert len(corpus) > 50_000 and "\x00" not in corpus
    assert len(text.load_corpus("Shakespeare: the Sonnets", 1000)) == 1000
    with pytest.raises(text.TextError):
        text.load_corpus("Hamlet on ice")


@pytest.mark.parametrize("data, message", [(b"", "empty"), (b"\x00\x01binary", "binary"),
                                           (b"caf\xe9 au lait " * 20, "not UTF-8"),
                                           (b"x", "only 1 character"), (b"   \n  ", "empty"),
                                           (b"a" * 200, "single character")])
def test_bad_uploads_are_refused_with_a_reason(data, message):
    with pytest.raises(text.TextError, match=message):
        text.decode_upload(data)


def test_huge_text_is_capped_with_a_notice_and_newlines_normalised():
    clean, notes = text.clean_text("ab\r\n" * (text.MAX_CHARS // 2))
    assert len(clean) == text.MAX_CHARS and "\r" not in clean and "only the first" in notes[0]
    assert text.decode_upload("\ufeffhello world, ".encode("utf-8") * 10)[0].startswith("hello")


def test_encoding_round_trips_and_unknown_characters_are_named():
    vocab = text.CharVocab.from_text(REPEAT)
    assert vocab.chars == "\nabc"
    assert vocab.decode(vocab.encode("cab\nba")) == "cab\nba"
    with pytest.raises(text.TextError, match="'z'"):
        vocab.encode("abz")
    assert vocab.split_known("azb☃") == ("ab", ["z", "☃"])


def test_windows_are_the_text_shifted_by_one():
    ids = np.arange(20)
    x, y = text.make_windows(ids, 5, 3)
    assert x.shape == y.shape == (5, 5)
    np.testing.assert_array_equal(y, x + 1)
    np.testing.assert_array_equal(x[:, 0], [0, 3, 6, 9, 12])
    assert y.max() == 17 < 20  # last target 12 + 4 + 1 stays inside the text; a 6th window would not
    with pytest.raises(text.TextError, match="too short"):
        text.make_windows(np.arange(10), 8)


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
    with pytest.raises(text.TextError, match="diverged"):
        text.sampling_probs(np.array([1.0, np.nan]), 1.0)


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
    vocab = text.CharVocab(" \nab")
    rows = text.top_chars(np.array([0.4, 0.3, 0.2, 0.1]), vocab, 2)
    assert [c for c, _ in rows] == ["␣", "⏎", "other"]
    assert math.isclose(sum(p for _, p in rows), 1.0)


def test_check_request_clamps_absurd_values():
    assert text.check_request(0, 0.7)[0] == 1
    length, temperature, notes = text.check_request(1e6, -1)
    assert length == text.MAX_GENERATE and temperature == 0 and len(notes) == 2


@pytest.fixture(scope="module")
def trained():
    """An LSTM trained briefly on a tiny repetitive text (a real learning check)."""
    import nnkit
    from nnkit.core.training import TrainConfig

    vocab = text.CharVocab.from_text(REPEAT)
    x, y = text.make_windows(vocab.encode(REPEAT), 10, 5)
    model = text.build_text_model(text.TextModelConfig(units=16, embed=8, learning_rate=0.03), vocab)
    log = text.SampleLog(model, prompt="ab", length=20, temperatures=(0.0, 1.0))
    result = nnkit.train(model, (x, y), TrainConfig(8, 16, 0.0, 0), callbacks=[text.sample_callback(log)])
    return model, vocab, result, log


def test_a_briefly_trained_model_predicts_a_repetitive_text_better_than_chance(trained):
    model, vocab, result, log = trained
    assert result.history["loss"][-1] < 0.5 * math.log(vocab.size)
    gen = text.CharGenerator(model)
    assert gen.generate("abcab", 10, 0.0) == "abcababcab"  # greedy continues the pattern
    assert len(log.entries) == 8 and log.entries[-1]["samples"][0.0].startswith("cababcab")


def test_one_step_generator_matches_the_full_model(trained):
    model, vocab, _, _ = trained
    ids = vocab.encode("abcabca")
    full = np.asarray(model.predict_on_batch(ids[None]))[0]
    gen = text.CharGenerator(model)
    state = gen.initial_state()
    for i, token in enumerate(ids):
        logits, state = gen.step(int(token), state)
        np.testing.assert_allclose(logits, full[i], atol=1e-4)


def test_generation_is_deterministic_given_a_seed_and_fast(trained):
    gen = text.CharGenerator(trained[0])
    a, b = gen.generate("ab", 60, 1.5, seed=3), gen.generate("ab", 60, 1.5, seed=3)
    assert a == b and len(a) == 60 and set(a) <= set(gen.vocab.chars)
    assert gen.generate("ab", 60, 1.5, seed=4) != a
    assert "".join(gen.stream("ab", 60, 1.5, seed=3, chunk=7)) == a
    assert gen.ms_per_char(100) < 20  # target: >= 500 chars/s; loose bound for a busy CI box


def test_save_load_round_trips_weights_vocab_and_samples(trained):
    model = trained[0]
    loaded = text.load_bytes(text.save_bytes(model))
    assert text.config_of(loaded) == text.config_of(model)
    for a, b in zip(model.get_weights(), loaded.get_weights()):
        np.testing.assert_array_equal(a, b)
    assert text.CharGenerator(loaded).generate("ab", 30, 0.8, 1) == text.CharGenerator(model).generate("ab", 30, 0.8, 1)


def test_load_refuses_other_files():
    import keras

    with pytest.raises(text.TextError, match="not a .keras"):
        text.load_bytes(b"hello")
    other = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    with pytest.raises(text.TextError, match="not a text model"):
        text.load_bytes(text.save_bytes(other))


@pytest.mark.parametrize("cell", ["SimpleRNN", "GRU"])
def test_other_cells_build_and_generate(cell):
    vocab = text.CharVocab.from_text(REPEAT)
    model = text.build_text_model(text.TextModelConfig(cell=cell, layers=2, units=8), vocab)
    gen = text.CharGenerator(model)
    ids = vocab.encode("abca")
    full = np.asarray(model.predict_on_batch(ids[None]))[0, -1]
    np.testing.assert_allclose(gen.prime("abca")[0], full, atol=1e-4)


def test_lessons_use_the_run_numbers():
    lesson = text.text_lesson({"loss": [2.0], "val_loss": [1.5], "val_accuracy": [0.55]}, 60, "LSTM", 1000, 0.25)
    assert "ln 60 = **4.09**" in lesson and "**1.50** nats" in lesson and "55%" in lesson and "4,000" in lesson
    assert "diverged" in text.text_lesson({"loss": [float("nan")]}, 60, "LSTM", 1000)
    cmp = text.compare_lesson("SimpleRNN", {"val_loss": [2.0]}, "LSTM", {"val_loss": [1.0]}, 80)
    assert "**LSTM**" in cmp and "50.0% lower" in cmp


# ---- export ------------------------------------------------------------------

EXPORT = {"corpus": "Shakespeare: the Sonnets", "kb": 5, "cell": "LSTM", "layers": 1, "units": 16,
          "seq_len": 20, "epochs": 1, "batch": 64, "lr": 0.01, "seed": 3}


def test_exported_notebook_reproduces_the_run_and_its_samples():
    import json
    import os
    import subprocess
    import sys
    from pathlib import Path

    import nnkit
    from nnkit import notebook as export
    from nnkit.core.training import TrainConfig

    s = EXPORT
    corpus, _ = text.choose_corpus(s["corpus"], s["kb"] * 1000)
    vocab = text.CharVocab.from_text(corpus)
    x, y = text.make_windows(vocab.encode(corpus), s["seq_len"], s["seq_len"] // 2)
    model = text.build_text_model(text.TextModelConfig(s["cell"], s["layers"], s["units"],
                                                       learning_rate=s["lr"], seed=s["seed"]), vocab)
    log = text.SampleLog(model, seed=s["seed"])
    result = nnkit.train(model, (x, y), TrainConfig(s["epochs"], s["batch"], 0.2, s["seed"]),
                         callbacks=[text.sample_callback(log)])
    code = export.code_cells(text.char_model_notebook(s, result.message))
    code += ('\nimport json; print(json.dumps([history.history["loss"],'
             ' {str(t): v for t, v in epoch_samples[-1].items()}]))')
    # The notebook reads the corpus from assets/corpora relative to where it runs.
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300,
                         cwd=text.ASSETS.parent, env={**os.environ})
    assert out.returncode == 0, out.stderr[-3000:]
    losses, samples = json.loads(out.stdout.strip().splitlines()[-1])
    assert len(losses) == s["epochs"]
    assert losses[-1] == pytest.approx(result.history["loss"][-1], rel=0.05)
    # Same weights and the app's sampling maths and seed: the same samples, character for character.
    assert samples == {str(t): v for t, v in log.entries[-1]["samples"].items()}


@pytest.mark.parametrize("corpus, own", [(text.ALL, None), (text.PASTE, "To be, or not to be:\n" * 20)])
def test_exported_notebook_is_valid_and_carries_its_text(corpus, own):
    import nbformat

    from nnkit import notebook as export

    blob = text.char_model_notebook({**EXPORT, "corpus": corpus, "cell": "GRU", "layers": 2}, "ok", own)
    nbformat.validate(nbformat.reads(blob.decode(), as_version=4))
    code = export.code_cells(blob)
    compile(code, "notebook", "exec")
    assert code.count("keras.layers.GRU(16") == 2 and "nnkit" not in code.replace("nnkit repository", "")
    if own:
        assert repr(own) in code and "CORPUS_DIR" not in code
    else:
        assert all(name in code for name in text.CORPORA.values())
    with pytest.raises(ValueError, match="needed"):
        text.char_model_notebook({**EXPORT, "corpus": text.UPLOAD}, "ok")


