"""nnkit.experiments.rnn_text.corpus: shipped corpora, checks on a learner's text, vocabulary, windows."""

import numpy as np
import pytest

from nnkit.experiments.rnn_text import corpus as text

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


def test_prepare_cuts_windows_and_reports_the_cut():
    prepared = text.prepare("Shakespeare: the Sonnets", 5000, 20)
    assert len(prepared.text) == 5000 and prepared.x.shape[1] == 20
    assert prepared.vocab == text.CharVocab.from_text(prepared.text)
    np.testing.assert_array_equal(prepared.x[:, 1:], prepared.y[:, :-1])
    assert "5,000 characters" in prepared.caption(20) and any("first 5,000" in n for n in prepared.notes)
    with pytest.raises(text.TextError, match="empty"):
        text.prepare(text.PASTE, 5000, 20, pasted="")
    with pytest.raises(text.TextError, match="upload"):
        text.prepare(text.UPLOAD, 5000, 20)
