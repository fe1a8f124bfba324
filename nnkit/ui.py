"""Streamlit glue: the only nnkit module that imports streamlit.

Everything a page shares lives here: namespaced state, the device badge, the
Train/Stop control with its progress bar and live view, and the per-user run
history. All state goes in `st.session_state` (one per browser session), never
in module globals, so two learners never see each other's runs.
"""

from __future__ import annotations

from typing import Any, Callable

import streamlit as st

from nnkit import device
from nnkit.runs import RunRecord, append_run

Render = Callable[["LiveUpdate", str], None]  # noqa: F821 (LiveUpdate loads with Keras)


def key(ns: str, name: str) -> str:
    """A widget/state key private to one page, e.g. key("neuron", "epochs")."""
    return f"{ns}.{name}"


def init_state(ns: str, defaults: dict[str, Any]) -> None:
    """Set a page's defaults once per session, so the page also runs on its own."""
    for name, value in defaults.items():
        st.session_state.setdefault(key(ns, name), value)


# ---- device badge ------------------------------------------------------------

@st.cache_resource(show_spinner=False)
def _detected() -> device.DeviceInfo:
    return device.detect()


def device_badge(container=None) -> None:
    """Where training runs, in words; full details once Keras has loaded.

    Before any page has imported Keras we only probe (no framework import),
    so the home page stays fast.
    """
    info = _detected() if device.framework_loaded() else device.probe()
    target = container or st.sidebar
    with target.container():
        icon = ":material/developer_board:" if info.has_gpu else ":material/memory:"
        st.markdown(f"{icon} **{info.summary()}**")
        details = f"Keras backend: `{info.backend}`"
        if info.framework:
            details += f" · {info.framework}"
        if info.has_gpu:
            details += " · mixed precision " + ("available" if info.mixed_precision else "not available")
        st.caption(details)


# ---- training with a live view -------------------------------------------------

def train_button(ns: str, label: str = "Train", disabled: bool = False) -> bool:
    """The page's primary action; True on the run where it was clicked."""
    return st.button(label, key=key(ns, "train"), type="primary", icon=":material/play_arrow:",
                     disabled=disabled)


def train_live(ns: str, label: str, settings: dict[str, Any], model, data, config,
               view, render: Render, batch_updates: bool = False,
               artifacts: Callable[[], dict[str, Any]] | None = None) -> RunRecord:
    """Train with a progress bar, a Stop button and `render` redrawn live in `view`.

    The history learned so far is copied into session state at every update:
    a click mid-training makes Streamlit rerun the script and abandon this
    call, and `recover_interrupted` then keeps the curves instead of losing
    them. `artifacts()` runs after training to save small results (e.g. the
    final decision boundary) so the page can redraw without the model.
    """
    import nnkit
    from nnkit.callbacks import live_history

    live_key = key(ns, "live")
    st.session_state[key(ns, "stop_requested")] = False
    st.session_state[live_key] = {"label": label, "settings": dict(settings), "history": {}, "epochs": 0}
    bar_col, stop_col = st.columns([5, 1], vertical_alignment="center")
    progress = bar_col.progress(0.0, text="Compiling the model…")
    stop_slot = stop_col.empty()
    stop_slot.button("Stop", key=key(ns, "stop"), icon=":material/stop:",
                     on_click=_request_stop, args=(ns,))

    def sink(update) -> None:
        st.session_state[live_key].update(history=update.history, epochs=update.epoch)
        progress.progress(update.fraction, text=_progress_text(update))
        with view.container():
            render(update, f"{ns}.live.{update.epoch}.{update.step or 0}")

    result = nnkit.train(model, data, config, callbacks=[live_history(sink, batch_updates)])
    progress.empty()
    stop_slot.empty()
    del st.session_state[live_key]
    record = RunRecord.from_result(label, settings, result, artifacts() if artifacts else None)
    _store(ns, record)
    return record


def _request_stop(ns: str) -> None:
    st.session_state[key(ns, "stop_requested")] = True


def _progress_text(update) -> str:
    text = f"Epoch {update.epoch}/{update.epochs}"
    if update.step:
        text = f"Epoch {update.epoch + 1}/{update.epochs} · batch {update.step}/{update.steps}"
    loss = update.batch_logs.get("loss") or (update.history.get("loss") or [None])[-1]
    return text + (f" · loss {loss:.4f}" if loss is not None else "")


def recover_interrupted(ns: str) -> RunRecord | None:
    """Turn a run cut off by a rerun into a kept record ("stopped by user" or "interrupted")."""
    from nnkit.training import INTERRUPTED, STOPPED

    live = st.session_state.pop(key(ns, "live"), None)
    if live is None:
        return None
    stopped = st.session_state.pop(key(ns, "stop_requested"), False)
    reason = STOPPED if stopped else INTERRUPTED
    why = "you pressed Stop" if stopped else "the page was changed while it trained"
    record = RunRecord(live["label"], live["settings"], live["history"], reason,
                       f"Training ended after {live['epochs']} epochs because {why}; "
                       "the curves so far are kept.", live["epochs"])
    _store(ns, record)
    return record


# ---- run history -------------------------------------------------------------

def runs(ns: str) -> list[RunRecord]:
    """This session's runs on one page, oldest first."""
    return st.session_state.get(key(ns, "runs"), [])


def last_run(ns: str) -> RunRecord | None:
    kept = runs(ns)
    return kept[-1] if kept else None


def _store(ns: str, record: RunRecord) -> None:
    st.session_state[key(ns, "runs")] = append_run(runs(ns), record)


def show_outcome(record: RunRecord) -> None:
    """Why the run ended, in a box whose colour says whether to worry."""
    from nnkit.training import DIVERGED, FINISHED

    speed = ""
    if record.seconds_per_epoch:
        speed = (f" {record.seconds_per_epoch * 1000:.0f} ms per epoch"
                 f" ({record.samples_per_second:,.0f} samples/s) on {record.device}.")
    if record.reason == FINISHED:
        st.success(record.message + speed, icon=":material/check_circle:")
    elif record.reason == DIVERGED:
        st.error(record.message, icon=":material/error:")
    else:
        st.info(record.message, icon=":material/pause_circle:")


def runs_table(ns: str) -> list[RunRecord]:
    """The session's runs as a table; returns the rows the learner ticked."""
    kept = runs(ns)
    if not kept:
        return []
    import pandas as pd

    frame = pd.DataFrame([r.summary_row() for r in kept])
    event = st.dataframe(frame, key=key(ns, "runs_table"), on_select="rerun",
                         selection_mode="multi-row", hide_index=True, width="stretch")
    return [kept[i] for i in event.selection.rows]


# ---- data --------------------------------------------------------------------

@st.cache_data(show_spinner=False, max_entries=32)
def toy_dataset(name: str, n_samples: int, noise: float, seed: int = 0):
    """A cached copy of a 2-D toy set (each session gets its own copy)."""
    from nnkit import data

    return data.TOY_2D[name](n_samples=n_samples, noise=noise, seed=seed)


def page_link(path: str, label: str, icon: str | None = None) -> None:
    """A link to another page, or just its title when run outside app.py.

    st.page_link only knows pages registered with st.navigation; a page file
    run on its own (AppTest, `streamlit run pages/x.py`) must still render.
    """
    from streamlit.errors import StreamlitAPIException

    try:
        st.page_link(path, label=label, icon=icon)
    except StreamlitAPIException:
        st.markdown(f"**{label}**")
