"""Namespaced session state: every page keeps its keys under its own prefix."""

from __future__ import annotations

from typing import Any

import streamlit as st

from nnkit.core.runs import RunRecord, append_run


def key(ns: str, name: str) -> str:
    """A widget/state key private to one page, e.g. key("first_neuron", "epochs")."""
    return f"{ns}.{name}"


def init_state(ns: str, defaults: dict[str, Any]) -> None:
    """Set a page's defaults once per session, so the page also runs on its own."""
    for name, value in defaults.items():
        st.session_state.setdefault(key(ns, name), value)


def runs(ns: str) -> list[RunRecord]:
    """This session's runs on one page, oldest first."""
    return st.session_state.get(key(ns, "runs"), [])


def last_run(ns: str) -> RunRecord | None:
    kept = runs(ns)
    return kept[-1] if kept else None


def store_run(ns: str, record: RunRecord, run_id: int | None = None) -> None:
    """Keep a run in the session and in the run store (completing its queued row, if any)."""
    from nnkit.ui import identity

    st.session_state[key(ns, "runs")] = append_run(runs(ns), record)
    identity.save_run(ns, record, run_id)
