"""Text from links, uploads and file names, made safe to show inside markdown.

Streamlit renders every message as markdown, so a query key such as
`[click here](https://evil.example)` would become a live link inside the
app's own warning box. `quote` turns such text into a markdown code span,
which shows its characters literally (no links, images, emphasis or icons),
after cutting it to a sane length.
"""

from __future__ import annotations

DEFAULT_LIMIT = 40


def cut(text: str, limit: int = DEFAULT_LIMIT) -> str:
    """Printable characters only, at most `limit` of them, "…" marking a cut."""
    text = "".join(c if c.isprintable() else "?" for c in str(text))
    return text if len(text) <= limit else text[:limit] + "…"


def quote(text: str, limit: int = DEFAULT_LIMIT) -> str:
    """`text` as a markdown code span: shown exactly as typed, never as markup."""
    body = cut(text, limit).replace("`", "ʼ")
    if body.strip() == "":
        body = body.replace(" ", "␣") or "(empty)"
    return f"`{body}`"
