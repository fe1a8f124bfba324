"""Who is learning, without accounts: an anonymous learner id kept in the URL,
an optional workshop code, and the run store behind them.

The learner id travels as `?learner=…` in the page's own link, so reloading,
reopening the link or a dropped connection brings the runs back; "Start
fresh" forgets them and draws a new id. The id is the only key to a
learner's runs, so it is long and random. `?workshop=CODE` tags runs for
the instructor's class board.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import streamlit as st

from nnkit.core import store as run_store

if TYPE_CHECKING:
    from nnkit.core.runs import RunRecord

LEARNER_PARAM, WORKSHOP_PARAM = "learner", "workshop"
IDENTITY_PARAMS = (LEARNER_PARAM, WORKSHOP_PARAM)
_LEARNER, _WORKSHOP, _LINKED = "_identity.learner", "_identity.workshop", "_identity.linked"


@st.cache_resource(show_spinner=False)
def shared_store() -> run_store.RunStore | None:
    """The process's run store; None (runs stay in the session only) if the database is unusable."""
    try:
        return run_store.RunStore()
    except Exception:  # noqa: BLE001 - a broken database must not take the app down
        logging.getLogger(__name__).exception("run store unavailable; runs stay in the browser session")
        return None


def learner_id() -> str:
    """This learner's id: from the link if it carries a valid one, else a new one put in the link."""
    given = st.query_params.get(LEARNER_PARAM)
    if run_store.valid_id(given) and given != st.session_state.get(_LEARNER):
        st.session_state[_LEARNER] = given
    if not run_store.valid_id(st.session_state.get(_LEARNER)):
        st.session_state[_LEARNER] = run_store.new_learner_id()
    return st.session_state[_LEARNER]


def workshop_code() -> str | None:
    """The workshop this learner's link belongs to, if it names one that exists."""
    given = (st.query_params.get(WORKSHOP_PARAM) or "").strip().upper()
    if given and given != st.session_state.get(_WORKSHOP):
        db = shared_store()
        st.session_state[_WORKSHOP] = given if db is not None and db.workshop_exists(given) else None
    return st.session_state.get(_WORKSHOP)


def identity_params() -> dict[str, str]:
    """The query parameters that must survive every rewrite of the link.

    The learner id joins the link once there is something to come back to
    (a stored run) or when the link already carried it; a first visit's link
    stays as clean as the instructor shared it.
    """
    params = {}
    if st.session_state.get(_LINKED) or run_store.valid_id(st.query_params.get(LEARNER_PARAM)):
        params[LEARNER_PARAM] = learner_id()
    if workshop_code():
        params[WORKSHOP_PARAM] = workshop_code()
    return params


def start_fresh() -> None:
    """Forget this learner's stored runs and draw a new id (a button's callback)."""
    db = shared_store()
    if db is not None:
        db.forget(learner_id())
    st.session_state[_LEARNER] = run_store.new_learner_id()
    st.query_params[LEARNER_PARAM] = st.session_state[_LEARNER]
    for name in [k for k in st.session_state if str(k).endswith((".runs", "._restored"))]:
        del st.session_state[name]


def main_metric(history: dict[str, list[float]]) -> tuple[str | None, float | None]:
    """The run's headline number for the class board: held-out accuracy, else held-out loss."""
    for name in ("val_accuracy", "accuracy", "val_loss", "loss"):
        if history.get(name):
            return name, float(history[name][-1])
    return None, None


def begin_run(ns: str, label: str, settings: dict[str, Any]) -> int | None:
    """A queued row on the class board for a run about to wait for its turn."""
    db = shared_store()
    if db is None:
        return None
    clean = {k: v for k, v in settings.items() if not str(k).startswith("_")}
    return db.start_run(learner_id(), ns, label, clean, workshop_code())


def mark_running(run_id: int | None) -> None:
    db = shared_store()
    if db is not None and run_id is not None:
        db.set_status(run_id, run_store.RUNNING)


def save_run(ns: str, record: RunRecord, run_id: int | None = None) -> None:
    """Store a finished (or cut-off) run for this learner; completes its queued row if any."""
    db = shared_store()
    if db is None:
        return
    from nnkit.core.diagnosis import diagnose

    name, value = main_metric(record.history)
    outcome = {"metric_name": name, "metric_value": value,
               "verdict": diagnose(record.history, record.reason).kind}
    if run_id is None:
        run_id = db.save_run(learner_id(), ns, record, workshop_code(), **outcome)
    else:
        db.finish_run(run_id, record, **outcome)
    record.run_id = run_id
    st.session_state[_LINKED] = True


def save_guess(record: RunRecord) -> None:
    """Keep the learner's prediction with the stored run, for the class board's count."""
    db = shared_store()
    if db is not None and record.run_id is not None and record.guess is not None:
        db.set_guess(record.run_id, record.guess, record.guessed_right)


def earlier_runs(ns: str) -> list[RunRecord]:
    """This learner's runs on this page from earlier sessions, loaded once per session."""
    cache_key = f"{ns}._restored"
    if cache_key not in st.session_state:
        from nnkit.core.runs import RunRecord

        db = shared_store()
        stored = db.runs(learner_id(), ns) if db is not None else []
        st.session_state[cache_key] = [
            RunRecord(r.label, {k: v for k, v in r.settings.items() if not k.startswith("_")},
                      {k: [float("nan") if v is None else v for v in vs] for k, vs in r.history.items()},
                      r.reason, r.message, r.epochs_run, r.seconds_per_epoch, device=r.device or "",
                      created=r.created)
            for r in stored]
    return st.session_state[cache_key]
