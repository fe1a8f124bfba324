"""Helpers shared by the page tests."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def page_test(path: str, timeout: float = 300):
    """An AppTest for one page file (AppTest cannot drive st.navigation)."""
    from streamlit.testing.v1 import AppTest

    return AppTest.from_file(str(ROOT / path), default_timeout=timeout)
