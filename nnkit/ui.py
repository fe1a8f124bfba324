"""Streamlit glue: the only nnkit module that imports streamlit.

Everything a page shares lives here: namespaced state, the device badge, the
Train/Stop control with its progress bar and live view, and the per-user run
history. All state goes in `st.session_state` (one per browser session), never
in module globals, so two learners never see each other's runs.
"""

from __future__ import annotations

from typing import Any, Callable

import streamlit as st

from nnkit import device, limits, settings
from nnkit.runs import RunRecord, append_run

Render = Callable[["LiveUpdate", str], None]  # noqa: F821 (LiveUpdate loads with Keras)


def key(ns: str, name: str) -> str:
    """A widget/state key private to one page, e.g. key("neuron", "epochs")."""
    return f"{ns}.{name}"


def init_state(ns: str, defaults: dict[str, Any]) -> None:
    """Set a page's defaults once per session, so the page also runs on its own."""
    for name, value in defaults.items():
        st.session_state.setdefault(key(ns, name), value)


# ---- settings: widgets, shareable links, instructor locks ----------------------

class Controls:
    """Draws a page's widgets from its settings table and keeps the URL in step.

    Create it once at the top of a page with `page_settings`; call it per
    widget: `controls("epochs", col.slider, "Epochs", step=1)`. Ranges and
    options come from the table (capped in workshop mode), locked settings
    are disabled, hidden ones not drawn.
    """

    def __init__(self, ns: str, schema, locked: set[str], hidden: set[str], workshop: bool):
        self.ns, self.schema = ns, {s.name: s for s in schema}
        self.locked, self.hidden, self.workshop = locked, hidden, workshop
        self.labels: dict[str, str] = {}  # widget labels as drawn, for the twin-run menu

    def __call__(self, name: str, widget, label: str, **kwargs):
        setting = self.schema[name]
        self.labels[name] = label
        if name in self.hidden:
            return st.session_state[key(self.ns, name)]
        if setting.choices is not None:
            kwargs.setdefault("options", list(setting.options(self.workshop)))
        if setting.low is not None:
            kwargs.setdefault("min_value", setting.low)
            kwargs.setdefault("max_value", setting.limit(self.workshop))
        if name in self.locked:
            kwargs["disabled"] = True
            kwargs["help"] = "Fixed by the link you opened (your instructor's set-up)."
        return widget(label, key=key(self.ns, name), **kwargs)

    def value(self, name: str):
        return st.session_state[key(self.ns, name)]

    def values(self) -> dict[str, Any]:
        return {name: self.value(name) for name in self.schema}

    def publish(self) -> None:
        """Write the current settings into the URL, so copying it shares them."""
        current = self.values()
        st.session_state[key(self.ns, "_saved")] = current
        params = settings.encode(current, self.schema.values())
        if self.locked:
            params[settings.LOCK_PARAM] = ",".join(sorted(self.locked))
        if self.hidden:
            params[settings.HIDE_PARAM] = ",".join(sorted(self.hidden))
        if st.query_params.to_dict() != params:
            st.query_params.from_dict(params)


def page_settings(ns: str, schema) -> Controls:
    """Initialise a page's settings: saved values, then the link's, then defaults.

    The link is applied once per session (a shared link sets everyone up the
    same way); bad parameters are dropped with a visible notice.
    """
    workshop = limits.workshop_mode()
    saved = st.session_state.get(key(ns, "_saved"), {})
    for name, value in {**settings.defaults(schema), **saved}.items():
        # Streamlit forgets widget values when the learner visits another page.
        st.session_state.setdefault(key(ns, name), value)
    params = st.query_params.to_dict()
    if not st.session_state.get(key(ns, "_link_applied")):
        values, notices = settings.decode(params, schema, workshop)
        for name, value in values.items():
            st.session_state[key(ns, name)] = value
        st.session_state[key(ns, "_link_applied")] = True
        st.session_state[key(ns, "_link_notices")] = notices
    for notice in st.session_state.get(key(ns, "_link_notices"), []):
        st.warning(notice, icon=":material/link_off:")
    if workshop:
        st.caption(":material/groups: Workshop mode: epochs, data and model sizes are capped "
                   "so everyone's runs stay quick.")
    return Controls(ns, schema, settings.name_list(params, settings.LOCK_PARAM, schema),
                    settings.name_list(params, settings.HIDE_PARAM, schema), workshop)


# ---- device badge ------------------------------------------------------------

@st.cache_resource(show_spinner=False)
def _detected() -> device.DeviceInfo:
    return device.detect()


def device_badge(container=None) -> None:
    """Where training runs, in words; full details once Keras has loaded.

    Before any page has imported Keras we only probe (no framework import),
    so the home page stays fast.
    """
    info = _detected() if device.framework_loaded() else device.probe()
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


# ---- training with a live view -------------------------------------------------

def train_button(ns: str, label: str = "Train", disabled: bool = False) -> bool:
    """The page's primary action; True on the run where it (or a twin run) was clicked."""
    clicked = st.button(label, key=key(ns, "train"), type="primary", icon=":material/play_arrow:",
                        disabled=disabled)
    twin = st.session_state.pop(key(ns, "auto_train"), False)
    return clicked or (twin and not disabled)  # a twin cannot start what the page forbids


def train_live(ns: str, label: str, settings: dict[str, Any], model, data, config,
               view, render: Render, batch_updates: bool = False,
               artifacts: Callable[[], dict[str, Any]] | None = None,
               callbacks: tuple = ()) -> RunRecord:
    """Train with a progress bar, a Stop button and `render` redrawn live in `view`.

    The history learned so far is copied into session state at every update:
    a click mid-training makes Streamlit rerun the script and abandon this
    call, and `recover_interrupted` then keeps the curves instead of losing
    them. `artifacts()` runs after training to save small results (e.g. the
    final decision boundary) so the page can redraw without the model.
    `callbacks` are extra Keras callbacks (e.g. a filter-snapshot callback).
    """
    import nnkit
    from nnkit.callbacks import live_history
    from nnkit.training import FINISHED, cpu_seconds_per_epoch

    live_key = key(ns, "live")
    run_number = len(runs(ns))  # several runs may train in one script run
    st.session_state[key(ns, "stop_requested")] = False
    st.session_state[live_key] = {"label": label, "settings": dict(settings), "history": {}, "epochs": 0}
    bar_col, stop_col = st.columns([5, 1], vertical_alignment="center")
    progress = bar_col.progress(0.0, text="Compiling the model…")
    stop_slot = stop_col.empty()
    # One Stop button per run: a page may train several variants in one click.
    stop_slot.button("Stop", key=key(ns, f"stop.{run_number}"), icon=":material/stop:",
                     on_click=_request_stop, args=(ns,))

    def sink(update) -> None:
        st.session_state[live_key].update(history=update.history, epochs=update.epoch)
        progress.progress(update.fraction, text=_progress_text(update))
        with view.container():
            render(update, f"{ns}.live.{run_number}.{update.epoch}.{update.step or 0}")

    st.session_state.pop(key(ns, "model"), None)  # free the previous model before training
    result = nnkit.train(model, data, config, callbacks=[*callbacks, live_history(sink, batch_updates)])
    progress.empty()
    stop_slot.empty()
    del st.session_state[live_key]
    st.session_state[key(ns, "model")] = model  # only the latest model is kept, for downloads
    record = RunRecord.from_result(label, settings, result, artifacts() if artifacts else None)
    if result.reason == FINISHED and _detected().has_gpu:
        with st.spinner("Timing a short CPU run of the same model, to show the GPU's speed-up…"):
            record.cpu_seconds_per_epoch = cpu_seconds_per_epoch(model, data, config)
    _store(ns, record)
    return record


def _request_stop(ns: str) -> None:
    st.session_state[key(ns, "stop_requested")] = True


def _progress_text(update) -> str:
    text = f"Epoch {update.epoch}/{update.epochs}"
    if update.step:
        text = f"Epoch {update.epoch + 1}/{update.epochs} · batch {update.step}/{update.steps}"
    loss = update.batch_logs.get("loss") or (update.history.get("loss") or [None])[-1]
    return text + (f" · loss {loss:.4f}" if loss is not None else "")


def recover_interrupted(ns: str) -> RunRecord | None:
    """Turn a run cut off by a rerun into a kept record ("stopped by user" or "interrupted")."""
    from nnkit.training import INTERRUPTED, STOPPED

    live = st.session_state.pop(key(ns, "live"), None)
    if live is None:
        return None
    st.session_state.pop(key(ns, "model"), None)  # half-trained: nothing to download
    stopped = st.session_state.pop(key(ns, "stop_requested"), False)
    reason = STOPPED if stopped else INTERRUPTED
    why = "you pressed Stop" if stopped else "the page was changed while it trained"
    record = RunRecord(live["label"], live["settings"], live["history"], reason,
                       f"Training ended after {live['epochs']} epochs because {why}; "
                       "the curves so far are kept.", live["epochs"])
    _store(ns, record)
    return record


# ---- run history -------------------------------------------------------------

def runs(ns: str) -> list[RunRecord]:
    """This session's runs on one page, oldest first."""
    return st.session_state.get(key(ns, "runs"), [])


def last_run(ns: str) -> RunRecord | None:
    kept = runs(ns)
    return kept[-1] if kept else None


def _store(ns: str, record: RunRecord) -> None:
    st.session_state[key(ns, "runs")] = append_run(runs(ns), record)


def show_outcome(record: RunRecord) -> None:
    """Why the run ended, in a box whose colour says whether to worry."""
    from nnkit.training import DIVERGED, FINISHED

    speed = ""
    if record.seconds_per_epoch:
        speed = (f" {record.seconds_per_epoch * 1000:.0f} ms per epoch"
                 f" ({record.samples_per_second:,.0f} samples/s) on {record.device}.")
        if record.speedup:
            speed += (f" That is {record.speedup:.1f}× faster than the same model on the CPU "
                      f"({record.cpu_seconds_per_epoch * 1000:.0f} ms per epoch).")
    if record.reason == FINISHED:
        st.success(record.message + speed, icon=":material/check_circle:")
    elif record.reason == DIVERGED:
        st.error(record.message, icon=":material/error:")
    else:
        st.info(record.message, icon=":material/pause_circle:")


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


def twin_run(ns: str, controls: Controls, record: RunRecord) -> None:
    """Re-run `record` with exactly one setting changed: same seed, same
    initial weights, so any difference in the curves is caused by that change."""
    names = [n for n, setting in controls.schema.items()
             if n in record.settings and n != "seed" and n not in controls.locked | controls.hidden
             and not isinstance(setting, settings.SettingList)
             and (setting.choices is not None or not isinstance(setting.default, str))]
    if not names:
        return
    with st.expander("Twin run: change one thing, keep everything else", icon=":material/compare_arrows:"):
        name = st.selectbox("Setting to change", names, key=key(ns, "twin.name"),
                            format_func=lambda n: controls.labels.get(n, n))
        setting, current = controls.schema[name], record.settings[name]
        if setting.choices is not None:
            others = [c for c in setting.options(controls.workshop) if c != current]
            new = st.selectbox(f"New value (was {current})", others, key=key(ns, f"twin.{name}"))
        elif isinstance(setting.default, bool):
            new = not current
            st.caption(f"{name} becomes {new}.")
        else:
            new = st.number_input(f"New value (was {current})", setting.low, setting.limit(controls.workshop),
                                  current, key=key(ns, f"twin.{name}"))
        st.button("Run the twin", key=key(ns, "twin.go"), on_click=_start_twin,
                  args=(ns, record.settings, name, new), icon=":material/play_arrow:")


def _start_twin(ns: str, base: dict[str, Any], name: str, value: Any) -> None:
    # A callback runs before the rerun, the only moment widget values may be set.
    for setting, old in base.items():
        st.session_state[key(ns, setting)] = old
    st.session_state[key(ns, name)] = value
    st.session_state[key(ns, "auto_train")] = True


def download_buttons(ns: str, notebook: Callable[[], bytes] | None = None) -> None:
    """Take the latest run home: a notebook that reproduces it, and the model."""
    from nnkit import export

    model = st.session_state.get(key(ns, "model"))
    left, right, _ = st.columns([1, 1, 1])
    if notebook is not None:
        left.download_button("Notebook (.ipynb)", data=notebook, file_name=f"nnkit-{ns}.ipynb",
                             mime="application/x-ipynb+json", icon=":material/description:",
                             key=key(ns, "download.notebook"))
    if model is not None:
        right.download_button("Trained model (.keras)", data=lambda: export.model_bytes(model),
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
    from nnkit import data

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
