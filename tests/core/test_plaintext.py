"""Text from links, uploads and file names is shown literally, never as markdown."""

from hypothesis import given
from hypothesis import strategies as st

from nnkit.core import plaintext, settings
from nnkit.core.settings import Setting

SCHEMA = (Setting("epochs", 40, low=1, high=200), Setting("dataset", "moons", choices=("moons", "circles")))
HOSTILE = ["[click here](https://evil.example/login)", "![x](http://evil.example/pixel.png)", "__proto__",
           "**bold**", ":red[alarm]", ":material/warning:", "`code` and ``more``", "<b>html</b>", "a\nb"]


def _is_one_code_span(text: str) -> bool:
    return text.startswith("`") and text.endswith("`") and "`" not in text[1:-1] and "\n" not in text


@given(st.text(max_size=500))
def test_any_text_becomes_one_short_code_span(text):
    quoted = plaintext.quote(text)
    assert _is_one_code_span(quoted)
    assert len(quoted) <= plaintext.DEFAULT_LIMIT + 3


def test_long_text_is_cut_with_an_ellipsis():
    assert plaintext.quote("x" * 10_000, 20) == "`" + "x" * 20 + "…`"


@given(st.sampled_from(HOSTILE) | st.text(max_size=300), st.text(max_size=300))
def test_link_notices_carry_user_text_only_inside_code_spans(name, value):
    _, notices = settings.decode({name: value, "epochs": value, "dataset": name}, SCHEMA)
    for notice in notices:
        spans = notice.split("`")
        assert len(spans) % 2 == 1  # balanced: every user fragment is inside a span
        outside = "".join(spans[0::2])
        for fragment in ("](", "![", "**", ":red[", "<b>"):
            assert fragment not in outside
        assert len(notice) < 300


def test_unknown_lock_and_hide_names_get_a_notice():
    notices = settings.list_notices({"lock": "epochs,nope", "hide": "[x](http://e.example)"}, SCHEMA)
    assert len(notices) == 2
    assert all("this page has no setting" in n for n in notices)
    assert settings.list_notices({"lock": "epochs", "hide": "dataset"}, SCHEMA) == []
