"""nnkit.experiments.rnn_text.generation: a real (brief) training run, the one-step generator that
matches the full model, seeded generation, per-epoch samples."""

import math

import numpy as np
import pytest

from nnkit.core.saving import model_bytes
from nnkit.experiments.rnn_text import generation as gen_mod
from nnkit.experiments.rnn_text import model as text
from nnkit.experiments.rnn_text.corpus import CharVocab, make_windows

REPEAT = "abcab" * 120 + "\n"


@pytest.fixture(scope="module")
def trained():
    """An LSTM trained briefly on a tiny repetitive text (a real learning check)."""
    import nnkit
    from nnkit.core.training import TrainConfig

    vocab = CharVocab.from_text(REPEAT)
    x, y = make_windows(vocab.encode(REPEAT), 10, 5)
    model = text.build_text_model(text.TextModelConfig(units=16, embed=8, learning_rate=0.03), vocab)
    log = gen_mod.SampleLog(model, prompt="ab", length=20, temperatures=(0.0, 1.0))
    result = nnkit.train(model, (x, y), TrainConfig(8, 16, 0.0, 0), callbacks=[gen_mod.sample_callback(log)])
    return model, vocab, result, log


def test_a_briefly_trained_model_predicts_a_repetitive_text_better_than_chance(trained):
    model, vocab, result, log = trained
    assert result.history["loss"][-1] < 0.5 * math.log(vocab.size)
    gen = gen_mod.CharGenerator(model)
    assert gen.generate("abcab", 10, 0.0) == "abcababcab"  # greedy continues the pattern
    assert len(log.entries) == 8 and log.entries[-1]["samples"][0.0].startswith("cababcab")
    assert "**Epoch 8**" in gen_mod.log_markdown(log.entries).split("\n\n")[0]  # newest first


def test_one_step_generator_matches_the_full_model(trained):
    model, vocab, _, _ = trained
    ids = vocab.encode("abcabca")
    full = np.asarray(model.predict_on_batch(ids[None]))[0]
    gen = gen_mod.CharGenerator(model)
    state = gen.initial_state()
    for i, token in enumerate(ids):
        logits, state = gen.step(int(token), state)
        np.testing.assert_allclose(logits, full[i], atol=1e-4)


def test_generation_is_deterministic_given_a_seed_and_fast(trained):
    gen = gen_mod.CharGenerator(trained[0])
    a, b = gen.generate("ab", 60, 1.5, seed=3), gen.generate("ab", 60, 1.5, seed=3)
    assert a == b and len(a) == 60 and set(a) <= set(gen.vocab.chars)
    assert gen.generate("ab", 60, 1.5, seed=4) != a
    assert "".join(gen.stream("ab", 60, 1.5, seed=3, chunk=7)) == a
    assert gen.ms_per_char(100) < 20  # target: >= 500 chars/s; loose bound for a busy CI box
    shown = list(gen_mod.growing("ab", gen.stream("ab", 60, 1.5, seed=3, chunk=7), every=0.0))
    assert shown[-1] == "ab" + a and all(b.startswith(a_) for a_, b in zip(shown, shown[1:]))


def test_a_reloaded_model_generates_the_same_text(trained):
    model = trained[0]
    loaded = text.load_text_model(model_bytes(model))
    assert gen_mod.CharGenerator(loaded).generate("ab", 30, 0.8, 1) == gen_mod.CharGenerator(model).generate("ab", 30, 0.8, 1)


def test_next_char_rows_are_the_tempered_and_the_model_distributions(trained):
    gen = gen_mod.CharGenerator(trained[0])
    rows, reference = gen_mod.next_char_rows(gen, "abcab", 0.0)
    assert rows[0] == ("a", 1.0)  # greedy: all on the pattern's next character ("abcab|abcab")
    assert math.isclose(sum(p for _, p in reference), 1.0) and len(reference) == gen.vocab.size
    assert reference[0][0] == "a" and 0 < reference[0][1] < 1.0  # T = 1 keeps some doubt


@pytest.mark.parametrize("cell", ["SimpleRNN", "GRU"])
def test_other_cells_build_and_generate(cell):
    vocab = CharVocab.from_text(REPEAT)
    model = text.build_text_model(text.TextModelConfig(cell=cell, layers=2, units=8), vocab)
    gen = gen_mod.CharGenerator(model)
    ids = vocab.encode("abca")
    full = np.asarray(model.predict_on_batch(ids[None]))[0, -1]
    np.testing.assert_allclose(gen.prime("abca")[0], full, atol=1e-4)
