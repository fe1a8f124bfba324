"""A minimal page for AppTest: the outcome box of a stored run, with and without its diagnosis."""

import streamlit as st

from nnkit import ui
from nnkit.core import diagnosis
from nnkit.core.runs import RunRecord

history = st.session_state["history"]
record = RunRecord("test", {}, history, st.session_state.get("reason", "finished"), "Finished 5 epochs.")
ui.show_outcome(record, diagnosis.diagnose(history, record.reason, diagnosis.uniform_baseline(2), 5))
