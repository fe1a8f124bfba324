"""Bad-input suite for the RNN page's corpus parsers (see tests/core/test_hostile_inputs.py)."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from nnkit.experiments.rnn_text import corpus as text
from tests.core.test_hostile_inputs import FAST, HOSTILE_BYTES, _readable


@pytest.mark.parametrize("blob", HOSTILE_BYTES)
def test_text_upload_hostile_bytes(blob):
    try:
        corpus, notes = text.decode_upload(blob)
    except text.TextError as error:
        _readable(error)
    else:
        assert isinstance(corpus, str) and corpus


@given(st.binary(max_size=3000))
@FAST
def test_text_upload_any_bytes(blob):
    test_text_upload_hostile_bytes(blob)


@given(st.text(max_size=3000))
@FAST
def test_pasted_text_any_unicode(pasted):
    try:
        cleaned, notes = text.clean_text(pasted)
    except text.TextError as error:
        _readable(error)
    else:
        assert isinstance(cleaned, str)
