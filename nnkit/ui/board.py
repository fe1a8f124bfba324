"""The instructor's side: create a workshop, and watch the class board live."""

from __future__ import annotations

from urllib.parse import urlencode, urlsplit

import streamlit as st

from nnkit import catalog
from nnkit.core import store
from nnkit.core.plaintext import quote
from nnkit.ui.identity import WORKSHOP_PARAM, shared_store
from nnkit.ui.widgets import chart

KEY_PARAM = "instructor"
REFRESH_SECONDS = 3


def _base_url() -> str:
    parts = urlsplit(st.context.url or "")
    return f"{parts.scheme}://{parts.netloc}" if parts.netloc else ""


def workshop_creator() -> None:
    """A new workshop code and instructor key, with the two links the instructor needs."""
    db = shared_store()
    if db is None:
        st.error("The run store is not available on this server, so workshops cannot be created.")
        return
    pages = {e.title: e.path.removeprefix("pages/").removesuffix(".py") for e in catalog.EXPERIMENTS}
    first = st.selectbox("Learners start on", list(pages), key="board.preset_page")
    extra = st.text_input("Settings for the learners' link (optional, e.g. lock=epochs,lr&epochs=20)",
                          key="board.preset_params", max_chars=500)
    if st.button("Create a workshop", key="board.create", icon=":material/add:"):
        preset = f"{pages[first]}?{extra.strip().lstrip('?')}" if extra.strip() else pages[first]
        code, key = db.create_workshop(preset)
        st.session_state["board.created"] = (code, key, preset)
    if "board.created" in st.session_state:
        code, key, preset = st.session_state["board.created"]
        base = _base_url()
        join = "&" if "?" in preset else "?"
        st.success(f"Workshop {code} is ready. Keep the instructor link to yourself.", icon=":material/groups:")
        st.caption("Learners' link (share it):")
        st.code(f"{base}/{preset}{join}{urlencode({WORKSHOP_PARAM: code})}", language=None, wrap_lines=True)
        st.caption("Your class board (the key inside it is secret):")
        st.code(f"{base}/class_board?{urlencode({WORKSHOP_PARAM: code, KEY_PARAM: key})}", language=None,
                wrap_lines=True)


def class_board() -> None:
    """The live board for the workshop and key in the link (or typed in); refuses without the key."""
    db = shared_store()
    params = st.query_params
    c1, c2 = st.columns(2)
    code = c1.text_input("Workshop code", params.get(WORKSHOP_PARAM, ""), key="board.code",
                         max_chars=12).strip().upper()
    key = c2.text_input("Instructor key", params.get(KEY_PARAM, ""), key="board.key", type="password",
                        max_chars=64).strip()
    if not code and not key:
        st.info("Open your class board link, or type the workshop code and instructor key.")
        return
    if db is None or not db.check_key(code, key):
        st.error("This board needs the workshop's instructor key: the code or key is not right.",
                 icon=":material/lock:")
        return
    _live_board(code, key)


@st.fragment(run_every=REFRESH_SECONDS)
def _live_board(code: str, key: str) -> None:
    # A fragment reruns on its own every few seconds: the board refreshes without a full-page flicker.
    import pandas as pd

    from nnkit import board

    runs = shared_store().workshop_runs(code, key)
    st.caption(f"Workshop {quote(code)}: {len(runs)} runs so far; refreshes every {REFRESH_SECONDS} s.")
    if not runs:
        st.info("No runs yet. When learners open your link and press Train, they appear here.")
        return
    titles = {e.path.removeprefix("pages/").removesuffix(".py"): e.title for e in catalog.EXPERIMENTS}
    base = _base_url()
    for page, summary in store.board_summary(runs).items():
        st.subheader(titles.get(page, page))
        cols = st.columns(5)
        cols[0].metric("Learners", summary["learners"])
        cols[1].metric("Finished", summary[store.DONE])
        cols[2].metric("Training", summary[store.RUNNING])
        cols[3].metric("Waiting", summary[store.QUEUED])
        if summary["predictions"]:  # runs whose predict-first guess the run settled
            cols[4].metric("Predicted right", f"{summary['predicted_right'] / summary['predictions']:.0%}",
                           help=f"{summary['predicted_right']} of {summary['predictions']} settled predictions")
        leaders = summary["leaders"]
        if leaders:
            st.dataframe(pd.DataFrame(board.leaderboard_rows(leaders, base)), hide_index=True, width="stretch",
                         column_config={"open": st.column_config.LinkColumn("open", display_text="open run")},
                         key=f"board.leaders.{page}")
            done = [r for r in runs if r.page == page and r.status == store.DONE]
            names = board.numeric_settings(done)
            if names:
                setting = st.selectbox("Setting against the outcome", names, key=f"board.setting.{page}")
                chart(board.setting_scatter(done, setting), f"board.scatter.{page}")
