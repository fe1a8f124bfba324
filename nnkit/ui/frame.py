"""Make sure a page always runs inside app.py's frame, even as a fresh server's first request.

Why this exists: Streamlit decides per process whether an app uses the old
`pages/` folder discovery (MPA v1) the moment the first session starts:
`PagesManager.uses_pages_directory` becomes True because `pages/` exists, and
only a call to `st.navigation` turns it off. A fresh server whose first
request is a deep link (`/losses?lr=0.1`) therefore runs `pages/losses.py`
under v1 discovery, without app.py, so the learner sees Streamlit's raw file
navigation ("app", "activations", …, "home") until someone opens `/`.

The fix: the first page run that finds the flag still on turns it off (what
`st.navigation` itself does) and reruns. The rerun keeps the page and its
query string, and this time goes through app.py's `st.navigation`.
"""

from __future__ import annotations

import streamlit as st


def ensure_app_navigation() -> None:
    """Rerun through app.py's navigation if this run came from `pages/` discovery."""
    from streamlit.runtime.pages_manager import PagesManager

    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()
