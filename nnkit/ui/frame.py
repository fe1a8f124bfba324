"""Streamlit's process-wide behaviour, set right for many learners: a page always runs inside
app.py's frame (even as a fresh server's first request), and one session's rerun never
resets the Keras state another session is training with.

Why this exists: Streamlit decides per process whether an app uses the old
`pages/` folder discovery (MPA v1) the moment the first session starts:
`PagesManager.uses_pages_directory` becomes True because `pages/` exists, and
only a call to `st.navigation` turns it off. A fresh server whose first
request is a deep link (`/losses?lr=0.1`) therefore runs `pages/losses.py`
under v1 discovery, without app.py, so the learner sees Streamlit's raw file
navigation ("app", "activations", …, "home") until someone opens `/`.

The fix: a page run that finds itself under folder discovery turns the flag
off (what `st.navigation` itself does) and reruns. The rerun keeps the page and
its query string, and this time goes through app.py's `st.navigation`. The
test is per run, not the flag alone: when a workshop's thirty learners open the
link at once, runs that began before the first one turned the flag off are
still under folder discovery although the flag now reads False.
"""

from __future__ import annotations

import sys
from pathlib import Path

import streamlit as st

APP = "app.py"


def ensure_app_navigation() -> None:
    """Rerun through app.py's navigation if this run came from `pages/` discovery."""
    from streamlit.runtime.pages_manager import PagesManager

    if PagesManager.uses_pages_directory or _under_folder_discovery():
        PagesManager.uses_pages_directory = False
        st.rerun()


def _under_folder_discovery() -> bool:
    """True when this run's navigation lists app.py as a page: folder discovery does
    (as its main page, "app"); app.py's own `st.navigation` never does."""
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx()
    if ctx is None:
        return False
    return any(Path(str(page.get("script_path", ""))).name == APP
               for page in ctx.pages_manager.get_pages().values())


@st.cache_resource(show_spinner="Starting Keras (once per server)…")
def keras_ready() -> str:
    """Keras imported and exercised once per process, before any session builds a model
    (see `nnkit.core.backend.warm_up`); other sessions wait here for it."""
    from nnkit.core import backend, memory

    keep_keras_state_between_runs()
    memory.limit_malloc_arenas()  # before the sessions' threads allocate (see nnkit/core/memory.py)
    name = backend.warm_up()
    memory.freeze_startup_objects()
    return name


def keep_keras_state_between_runs() -> None:
    """Stop Streamlit from calling `keras.backend.clear_session()` after every script run.

    Why: Streamlit's runner "cleans" Keras once any session's script run ends
    (`_clean_problem_modules`). `clear_session` replaces Keras's thread-local state
    for every thread at once, so a learner's rerun ending wipes the stateless scope
    of the run another session is training: JAX's trainer has detached that model's
    variables, its first train step then reads them outside the scope ("'NoneType'
    object is not callable" in `Variable.value`), and a compiled optimiser step
    traced at that moment ignores its scope (a race step that does not move). It
    also runs a full `gc.collect()` after every rerun of every session. nnkit keeps
    no Keras global state that needs clearing: models live in session state.
    Matplotlib's figures are still closed, as Streamlit does. Idempotent.
    """
    from streamlit.runtime.scriptrunner import script_runner

    if getattr(script_runner._clean_problem_modules, "keeps_keras", False):
        return
    streamlits_own = script_runner._clean_problem_modules

    def clean_all_but_keras() -> None:
        if "matplotlib.pyplot" in sys.modules:
            sys.modules["matplotlib.pyplot"].close("all")

    clean_all_but_keras.keeps_keras = True
    clean_all_but_keras.streamlits_own = streamlits_own
    script_runner._clean_problem_modules = clean_all_but_keras
