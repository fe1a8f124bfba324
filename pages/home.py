"""Home: what each experiment teaches, and one thing to try on each."""

import streamlit as st

from nnkit import catalog, ui

ui.ensure_app_navigation()
st.title("nnkit: neural networks, hands on")
st.markdown(
    "Every experiment here trains a **real Keras model, live, on real data**, and shows "
    "you why it behaves the way it does. Pick an experiment, change one thing, press "
    "**Train**, and compare the runs. Nothing needs the internet once the app is running."
)

for section in dict.fromkeys(e.section for e in catalog.EXPERIMENTS):
    st.header(section)
    for experiment in (e for e in catalog.EXPERIMENTS if e.section == section):
        with st.container(border=True):
            ui.page_link(experiment.path, experiment.title, experiment.icon)
            st.markdown(experiment.teaches)
            st.caption(f"**Try this:** {experiment.try_this}")
