"""A minimal page for AppTest: a settings table read from the link."""

import streamlit as st

from nnkit import ui
from nnkit.core.settings import Setting

controls = ui.page_settings("settings_test", (Setting("epochs", 10, low=1, high=50), Setting("seed", 0, low=0, high=9)))
controls("epochs", st.slider, "Epochs")
controls("seed", st.number_input, "Seed")
controls.publish()
