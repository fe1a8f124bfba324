"""nnkit: the frame around every page (navigation and the device badge).

Run with `streamlit run app.py`. Nothing here imports Keras: the home page
must open fast, so frameworks load when an experiment first needs them.
"""

import streamlit as st

from nnkit import catalog, ui
from nnkit.core import device

st.set_page_config(page_title="nnkit: neural networks, hands on", page_icon="🧠",
                   layout="wide")

home = st.Page("pages/home.py", title="Home", icon=":material/home:", default=True)
sections: dict[str, list] = {"": [home]}
for experiment in catalog.EXPERIMENTS:
    sections.setdefault(experiment.section, []).append(
        st.Page(experiment.path, title=experiment.title, icon=experiment.icon))
sections["Instructor"] = [st.Page("pages/class_board.py", title="Class board", icon=":material/leaderboard:")]
page = st.navigation(sections)

badge = st.sidebar.empty()
ui.device_badge(badge)
page.run()
if device.framework_loaded():
    ui.device_badge(badge)  # the page loaded Keras: show what the backend really sees
ui.your_link()
