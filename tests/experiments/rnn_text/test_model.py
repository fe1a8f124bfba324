"""nnkit.experiments.rnn_text.model: the builder, the vocabulary it carries, and the checks an
uploaded model must pass (issue #26), down to a fresh-process reload of a download (issue #25)."""

import json
import os
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nnkit.core import models
from nnkit.core.saving import ModelFileError, model_bytes
from nnkit.experiments.rnn_text import model as text
from nnkit.experiments.rnn_text.corpus import CharVocab, TextError

VOCAB = CharVocab.from_text("abc def\n")


def text_like(chars: str, rows: int, units: int, input_shape=(None,), cell: str = "LSTM", extra=None):
    """A model shaped like the page's, with each part's size chosen (to build bad uploads)."""
    import keras

    tokens = keras.Input(input_shape, dtype="int32" if len(input_shape) == 1 else "float32")
    x = keras.layers.Identity(name=text.vocab_layer_name(chars))(tokens)
    if len(input_shape) == 1:
        x = keras.layers.Embedding(rows, 4, name="embed")(x)
    x = getattr(keras.layers, cell)(4, return_sequences=True, name="rnn_1")(x)
    if extra is not None:
        x = extra(x)
    return keras.Model(tokens, keras.layers.Dense(units, name="logits")(x))


def test_the_builder_maps_ids_to_one_score_per_character_and_carries_its_vocabulary():
    model = text.build_text_model(text.TextModelConfig(units=8), VOCAB)
    assert tuple(model.output_shape) == (None, None, VOCAB.size)
    assert text.vocabulary_of(model) == VOCAB.chars
    assert text.config_of(model) == (text.TextModelConfig(units=8, embed=32), VOCAB)
    assert text.text_model_problems(model) == []
    assert text.describe(model) == "1×LSTM(8), 8 characters"
    with pytest.raises(ValueError, match="cell must be"):
        text.build_text_model(text.TextModelConfig(cell="Transformer"), VOCAB)


def test_any_characters_survive_as_the_vocabulary_layer_name():
    chars = "".join(sorted(set("/\\\n\t ☃ü`*[x](y)" + "".join(map(chr, range(0x4e00, 0x4e40))))))
    model = text.build_text_model(text.TextModelConfig(units=4), CharVocab(chars))
    assert text.vocabulary_of(model) == chars


def test_save_load_round_trips_weights_and_vocab():
    model = text.build_text_model(text.TextModelConfig(units=8), VOCAB)
    loaded = text.load_text_model(model_bytes(model))
    assert text.config_of(loaded) == text.config_of(model)
    for a, b in zip(model.get_weights(), loaded.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_a_download_reloads_in_a_fresh_process_without_nnkit_and_predicts_the_same(tmp_path):
    model = text.build_text_model(text.TextModelConfig(cell="GRU", layers=2, units=8), VOCAB)
    path = tmp_path / "download.keras"
    path.write_bytes(model_bytes(model))
    ids = [[1, 2, 3, 4, 0, 5]]
    code = ("import json, sys, keras, numpy as np\n"
            f"m = keras.saving.load_model({str(path)!r})\n"
            f"print(json.dumps(np.asarray(m.predict(np.array({ids}, 'int32'), verbose=0)).tolist()))\n"
            "assert not any(name.startswith('nnkit') for name in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300,
                         cwd=tmp_path, env={**os.environ})
    assert out.returncode == 0, out.stderr[-3000:]
    again = np.array(json.loads(out.stdout.strip().splitlines()[-1]))
    np.testing.assert_allclose(again, model.predict(np.array(ids, "int32"), verbose=0), atol=1e-5)


def test_config_of_refuses_models_without_a_vocabulary():
    import keras

    other = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    with pytest.raises(TextError, match="not a text model"):
        text.config_of(other)


# ---- uploads that do not fit (issue #26) ----------------------------------------------

def _refusal(blob: bytes) -> str:
    with pytest.raises(ModelFileError) as caught:
        text.load_text_model(blob)
    message = str(caught.value)
    assert message.endswith(f"This page expects {text.EXPECTS}.")
    return message


@pytest.mark.parametrize("build, reason", [
    (lambda: text_like("ab", 56, 2), "saved vocabulary has 2 characters but its embedding has 56 rows"),
    (lambda: text_like("", 56, 56), "saved vocabulary is empty"),
    (lambda: text_like("abcd", 4, 5), "output has 5 units for a vocabulary of 4"),
    (lambda: text_like("abcd", 4, 4, input_shape=(None, 3)), "input shape is (None, 3)"),
    (lambda: models.build_mlp(models.MLPConfig((4,)), 2, 2), "not one score per character"),
    (lambda: text_like("abcd", 4, 4, extra=lambda x: __import__("keras").layers.Dense(3, name="more")(x)),
     "layers this page cannot run: `more`"),
])
def test_each_bad_model_gets_its_own_message(build, reason):
    assert reason in _refusal(model_bytes(build()))


def test_a_lambda_layer_is_refused_with_the_whole_message():
    import keras

    tokens = keras.Input((None,), dtype="int32")
    model = keras.Model(tokens, keras.layers.Lambda(lambda t: t * 2)(tokens))
    message = _refusal(model_bytes(model))
    assert "Lambda" in message and "safe mode" in message and "…" not in message


@pytest.mark.parametrize("blob, reason", [(b"", "empty"), (b"hello", "not a .keras file"),
                                          (b"PK\x03\x04" + b"\x00" * 40, "")])
def test_empty_junk_and_truncated_files_are_refused(blob, reason):
    assert reason in _refusal(blob)


def test_a_truncated_download_is_refused():
    blob = model_bytes(text.build_text_model(text.TextModelConfig(units=4), VOCAB))
    _refusal(blob[: len(blob) // 2])


def test_the_size_cap_applies(monkeypatch):
    from nnkit.core import saving

    monkeypatch.setattr(saving, "MAX_UPLOAD_MB", 0.001)
    assert "larger than" in _refusal(b"PK" + b"\x00" * 2000)


@given(st.integers(1, 6), st.integers(1, 6), st.integers(1, 6))
@settings(max_examples=12, deadline=None)
def test_a_model_fits_exactly_when_vocabulary_embedding_and_output_agree(n_chars, rows, units):
    problems = text.text_model_problems(text_like("abcdef"[:n_chars], rows, units))
    assert (problems == []) == (n_chars == rows == units)
    if rows != n_chars:
        assert any(f"embedding has {rows} rows" in p for p in problems)
    if units != n_chars:
        assert any(f"output has {units} units" in p for p in problems)
