"""Predict first, then watch: the question above Train and the verdict after the run.

The question comes from the experiment's catalog entry; the verdict from the
experiment's own `predict.answer`, given the runs of the click. A learner may
skip the question: then nothing is asked of the run and nothing is shown.
"""

from __future__ import annotations

from typing import Callable

import streamlit as st

from nnkit import catalog
from nnkit.core.predict import Answer, Verdict
from nnkit.core.runs import RunRecord
from nnkit.ui import identity
from nnkit.ui.state import key


def ask(ns: str) -> None:
    """The experiment's question as an optional one-click choice (nothing for pages without one)."""
    entry = catalog.experiment(ns)
    if entry is None or entry.question is None:
        return
    question = entry.question
    st.radio(f"**Predict first:** {question.prompt}", question.options, index=None, key=key(ns, "guess"),
             horizontal=True, help="Optional: pick your guess, then press Train. The run's own numbers "
                                   "will say whether you were right, and why.")


def take_guess(ns: str) -> None:
    """On Train: keep the guess for this click's runs and clear the choice, so the next run asks afresh."""
    st.session_state[key(ns, "_click_guess")] = st.session_state.pop(key(ns, "guess"), None)


def click_guess(ns: str) -> str | None:
    """The guess made for the click now training (None if skipped)."""
    return st.session_state.get(key(ns, "_click_guess"))


def show_prediction(ns: str, records: list[RunRecord], answer: Callable[[list[RunRecord]], Answer]) -> None:
    """Whether the learner's guess for these runs (one click's) was right, from the runs' numbers.

    The last run of the click carries the guess; it is judged once and the
    outcome stored with that run, so the class board can count the room.
    """
    if not records or records[-1].guess is None:
        return
    last = records[-1]
    verdict = Verdict(last.guess, answer(records))
    judged = st.session_state.setdefault(key(ns, "_judged"), set())
    if last.created not in judged:
        judged.add(last.created)
        last.guessed_right = verdict.right
        identity.save_guess(last)
    box = {True: st.success, False: st.warning, None: st.info}[verdict.right]
    box(verdict.text, icon=":material/psychology:")
