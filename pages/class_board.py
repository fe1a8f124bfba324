"""Class board: the instructor watches the room's runs live (needs the workshop's instructor key)."""

import streamlit as st

from nnkit import ui

ui.ensure_app_navigation()
st.title("Class board")
st.markdown("Create a workshop, share its link, and watch every learner's runs arrive: who is training, "
            "who is waiting, the best runs so far, and one setting against the outcome across the room. "
            "Open any run to put its exact settings on the projector.")

with st.expander("Start a workshop", icon=":material/add_circle:",
                 expanded="workshop" not in st.query_params):
    ui.workshop_creator()
st.header("The room, live")
ui.class_board()
