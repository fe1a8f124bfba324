"""What pages show: the device badge, a run's outcome, the runs table,
downloads, charts with their text alternative, and links between pages."""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable

import streamlit as st

from nnkit.core import device
from nnkit.core.runs import RunRecord
from nnkit.ui.state import key, runs

if TYPE_CHECKING:
    from nnkit.core.diagnosis import Diagnosis


@st.cache_resource(show_spinner=False)
def detected_device() -> device.DeviceInfo:
    return device.detect()


def device_badge(container=None) -> None:
    """Where training runs, in words; full details once Keras has loaded.

    Before any page has imported Keras we only probe (no framework import),
    so the home page stays fast.
    """
    info = detected_device() if device.framework_loaded() else device.probe()
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


def show_outcome(record: RunRecord, diagnosis: Diagnosis | None = None) -> None:
    """Why the run ended and, given a diagnosis, what it really achieved, in a
    box whose colour says whether to worry: only a run that learned is green."""
    from nnkit.core.diagnosis import ERROR, INFO, SUCCESS
    from nnkit.core.training import DIVERGED, FAILED, FINISHED

    speed = ""
    if record.seconds_per_epoch:
        speed = (f" {record.seconds_per_epoch * 1000:.0f} ms per epoch"
                 f" ({record.samples_per_second:,.0f} samples/s) on {record.device}.")
        if record.speedup:
            speed += (f" That is {record.speedup:.1f}× faster than the same model on the CPU "
                      f"({record.cpu_seconds_per_epoch * 1000:.0f} ms per epoch).")
    if diagnosis is None:
        severity = {FINISHED: SUCCESS, DIVERGED: ERROR, FAILED: ERROR}.get(record.reason, INFO)
        text = record.message + (speed if severity == SUCCESS else "")
    else:
        severity = diagnosis.severity
        # A diverged or cut-off run's own message already says why; the diagnosis adds the reading.
        text = f"{record.message} {diagnosis.text}" + (speed if severity != ERROR else "")
    box, icon = _BOXES[severity]
    box(text.strip(), icon=icon)


_BOXES = {"success": (st.success, ":material/check_circle:"), "error": (st.error, ":material/error:"),
          "warning": (st.warning, ":material/warning:"), "info": (st.info, ":material/pause_circle:")}


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


def download_buttons(ns: str, notebook: Callable[[], bytes] | None = None) -> None:
    """Take the latest run home: a notebook that reproduces it, and the model.

    The notebook is built now, while the script runs: a deferred callable runs
    outside the script (it cannot read session state) and a failure there
    would reach nobody. Building it here turns a failure into a message.
    The model's bytes stay deferred (saving costs seconds) but the callable
    holds the model itself, never a session-state lookup.
    """
    from nnkit.core.saving import model_bytes

    model = st.session_state.get(key(ns, "model"))
    left, right, _ = st.columns([1, 1, 1])
    if notebook is not None:
        try:
            content = notebook()
        except Exception as error:  # noqa: BLE001 - any failure must reach the learner as text
            left.error(f"The notebook could not be built: {error}", icon=":material/error:")
        else:
            left.download_button("Notebook (.ipynb)", data=content, file_name=f"nnkit-{ns}.ipynb",
                                 mime="application/x-ipynb+json", icon=":material/description:",
                                 key=key(ns, "download.notebook"))
    if model is not None:
        right.download_button("Trained model (.keras)", data=lambda: model_bytes(model),
                              file_name=f"nnkit-{ns}.keras", mime="application/octet-stream",
                              icon=":material/download:", key=key(ns, "download.model"))


# ---- charts ------------------------------------------------------------------

def chart(fig, key: str, container=None, summary: str | None = None, numbers: bool = True) -> None:
    """A plotly chart plus its text alternative: a one-line summary and the
    numbers in an expander, for screen readers and colour-blind learners.

    Live redraws pass `numbers=False`: the table is for the settled result.
    """
    from nnkit import plots

    target = container or st
    target.plotly_chart(fig, key=key)
    if not numbers:
        return
    auto_summary, rows = plots.describe_figure(fig)
    with target.expander("Numbers behind this chart", icon=":material/table:"):
        st.caption(summary or auto_summary)
        if rows:
            import pandas as pd

            st.dataframe(pd.DataFrame(rows), hide_index=True, height=200)


# ---- data --------------------------------------------------------------------

@st.cache_data(show_spinner=False, max_entries=32)
def toy_dataset(name: str, n_samples: int, noise: float, seed: int = 0):
    """A cached copy of a 2-D toy set (each session gets its own copy)."""
    from nnkit.core import data

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


def your_link(container=None) -> None:
    """The learner's personal link (their runs come back with it) and a way to start fresh."""
    from nnkit.ui import identity

    params = identity.identity_params()
    if identity.LEARNER_PARAM not in params:
        return  # nothing stored yet: nothing to come back to
    from urllib.parse import urlencode

    target = container or st.sidebar
    with target.container():
        st.caption(":material/bookmark: Your link: open it later (or after a reload) to get your runs back.")
        st.code(f"{st.context.url or ''}?{urlencode(params)}", language=None, wrap_lines=True)
        st.button("Start fresh", key="_identity.fresh", on_click=identity.start_fresh, icon=":material/restart_alt:",
                  help="Forget the runs stored for this link and start with a new one.")
