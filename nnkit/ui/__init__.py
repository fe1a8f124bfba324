"""Streamlit glue: the only nnkit package that imports streamlit.

Pages use only the names below. All state goes in `st.session_state` (one
per browser session), never in module globals, so two learners never see
each other's runs.

- `controls`: settings widgets from a page's settings table, shareable links,
  instructor locks, twin runs;
- `live`: Train/Stop with a live view;
- `compare`: `train_variants`, several models side by side in one click;
- `widgets`: outcome boxes, runs table, downloads, charts with text
  alternatives, the device badge, links between pages;
- `predict`: the predict-first question above Train and the verdict after the run;
- `state`: namespaced keys and the per-session run store;
- `frame`: every page runs inside app.py's navigation, even as a fresh server's first request.
"""

from nnkit.ui.board import class_board, workshop_creator
from nnkit.ui.controls import Controls, page_settings, twin_run
from nnkit.ui.frame import ensure_app_navigation
from nnkit.ui.compare import Variant, comparison_runs, results, train_variants
from nnkit.ui.live import Built, live_view, recover_interrupted, train_button, train_live
from nnkit.ui.predict import show_prediction
from nnkit.ui.state import init_state, key, last_run, runs
from nnkit.ui.widgets import (chart, detected_device, device_badge, download_buttons, page_link,
                              runs_table, show_outcome, toy_dataset, your_link)

__all__ = ("Built", "Controls", "Variant", "chart", "comparison_runs", "detected_device", "device_badge",
           "download_buttons", "ensure_app_navigation", "init_state", "key", "last_run", "live_view", "page_link", "page_settings",
           "recover_interrupted", "results", "runs", "runs_table", "show_outcome", "show_prediction", "toy_dataset",
           "train_button", "train_live", "train_variants", "twin_run", "your_link", "class_board",
           "workshop_creator")
