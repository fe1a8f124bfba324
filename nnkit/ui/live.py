"""Train/Stop with a live view: one run from the click to its kept record.

Comparisons of several models (`train_variants`) build on this in `ui.compare`."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any, Callable

import streamlit as st

from nnkit import catalog
from nnkit.core import memory
from nnkit.core.executor import LocalExecutor, default_capacity
from nnkit.core.runs import RunRecord
from nnkit.ui import identity, predict
from nnkit.ui.state import key, runs, store_run
from nnkit.ui.widgets import chart, detected_device

if TYPE_CHECKING:
    from nnkit.ui.compare import HeldTurn

WAITING_FOR_SLOT = "Waiting for a training slot…"  # shown until the run's turn (or its place in line)
Render = Callable[["LiveUpdate", str], None]  # noqa: F821 (LiveUpdate loads with Keras)


class Built:
    """A page's model builder that keeps the model it built last, for the page's live view
    and artefacts: pass it to `train_live` as the model and read `.model` in `render`.

    Why not build once and keep: `train_live` builds when the run has its slot, so that
    seeding and weight initialisation never interleave with another learner's run.
    """

    def __init__(self, build: Callable[[], Any]) -> None:
        self._build, self.model = build, None

    def __call__(self):
        self.model = self._build()
        return self.model


def train_button(ns: str, label: str = "Train", disabled: bool = False) -> bool:
    """The page's primary action, with the experiment's predict-first question above it;
    True on the run where it (or a twin run) was clicked."""
    predict.ask(ns)
    clicked = st.button(label, key=key(ns, "train"), type="primary", icon=":material/play_arrow:",
                        disabled=disabled, on_click=predict.take_guess, args=(ns,))
    _scroll_on_click()
    twin = st.session_state.pop(key(ns, "auto_train"), False)
    if twin and not clicked:
        st.session_state.pop(key(ns, "_click_guess"), None)  # a twin run was not guessed at
    return clicked or (twin and not disabled)  # a twin cannot start what the page forbids


def live_view(ns: str):
    """The slot a page's live picture is drawn into (an `st.empty`).

    It sits in a keyed container so that, when a run starts, the browser
    scrolls it into sight: on a laptop screen the learner watches the run
    they just started without hunting for it below the fold.
    """
    return st.container(key=key(ns, "view")).empty()


def _view_class(ns: str) -> str:
    # Streamlit names a keyed element's class "st-key-" + key, other characters turned into "-".
    import re

    return "st-key-" + re.sub(r"[^A-Za-z0-9_-]", "-", key(ns, "view"))


# The view is held at least 60% of the window tall, so the page can scroll it to the top before the
# first picture has arrived (an emptied view has no height).
_SCROLL = ("view.style.scrollMarginTop = '4rem'; view.style.minHeight = '60vh'; "
           "view.scrollIntoView({block: 'start', behavior: 'instant'});")
# Once per browser tab: (1) a click on any "<ns>.train" button scrolls "<ns>.view" into sight at
# once, before the server answers (scripts in st.html run before their neighbours are drawn, so the
# listener sits on the document, not the button); (2) the browser fetches Streamlit's plotly chunk
# (about 5 MB, loaded lazily by the first chart) while the learner reads the page, so the first live
# chart draws at once instead of after the download, which matters most on workshop Wi-Fi.
_ONCE_PER_TAB = ("<script>(() => {{if (window.nnkitScroll) return; window.nnkitScroll = true; "
                 "document.addEventListener('click', (event) => {{"
                 "const box = event.target.closest('[class*=\"-train\"]'); if (!box) return; "
                 "const name = [...box.classList].find(c => c.startsWith('st-key-') && c.endsWith('-train')); "
                 "if (!name) return; "
                 "const view = document.querySelector('.' + name.slice(0, -6) + '-view'); if (!view) return; "
                 "{scroll}}}, true); "
                 "const main = document.querySelector('script[src*=\"/static/js/index.\"]'); "
                 "if (main && '{chunk}') import(main.src.replace(/index\\.[^/]+\\.js$/, '{chunk}')).then(() => {{window.nnkitPlotly = true;}}, () => {{}});"
                 "}})();</script>")


@st.cache_resource(show_spinner=False)
def _plotly_chunk() -> str:
    """The file name of Streamlit's lazily loaded plotly bundle ("" if this version has none)."""
    from pathlib import Path

    found = sorted((Path(st.__file__).parent / "static" / "static" / "js").glob("PlotlyChart.*.js"))
    return found[0].name if found else ""


def _scroll_on_click() -> None:
    st.html(_ONCE_PER_TAB.format(scroll=_SCROLL, chunk=_plotly_chunk()), unsafe_allow_javascript=True)


def _scroll_into_sight(ns: str, container) -> None:
    """The same scroll when a run starts without that click (a twin run, a queued run's turn)."""
    container.html("<script>(() => {const view = document.querySelector('." + _view_class(ns) + "'); "
                   "if (view) {" + _SCROLL + "}})();</script>", unsafe_allow_javascript=True)


def train_live(ns: str, label: str, settings: dict[str, Any], model, data, config,
               view, render: Render, batch_updates: bool = False,
               artifacts: Callable[[], dict[str, Any]] | None = None,
               callbacks: tuple | Callable[[], tuple] = (), first_frame: bool = True,
               min_interval: float | None = None, held: HeldTurn | None = None) -> RunRecord:
    """Train with a progress bar, a Stop button and `render` redrawn live in `view`.

    `model` is a compiled Keras model, or a zero-argument builder that returns
    one: a builder runs only once this run has its training slot, so seeding
    and weight initialisation never interleave with another learner's run.
    `data` may likewise be a zero-argument function, for inputs that cost
    seconds to make: the live view appears first, and the work waits its turn.

    The history learned so far is copied into session state at every update:
    a click mid-training makes Streamlit rerun the script and abandon this
    call, and `recover_interrupted` then keeps the curves instead of losing
    them. `artifacts()` runs after training to save small results (e.g. the
    final decision boundary) so the page can redraw without the model.
    `callbacks` are extra Keras callbacks (e.g. a filter-snapshot callback), or
    a zero-argument function returning them once the model is built.
    `first_frame` draws empty curves in `view` at once, so the learner sees
    where the run will appear (and the browser scrolls there) before the first
    epoch ends; a comparison turns it off after its first model, whose
    finished picture stays in the view.
    `min_interval` (seconds) spaces the live redraws further than the default
    (a quarter second), for views heavy enough that the browser would fall
    behind and draw nothing live (the GAN page's plane and its 1,500 points).
    `held` is a comparison's one turn: its first run waits for it, the others train in it.
    """
    from nnkit.core.callbacks import live_history
    from nnkit.core.training import FINISHED, cpu_seconds_per_epoch

    live_key = key(ns, "live")
    run_number = len(runs(ns))  # several runs may train in one script run
    st.session_state[key(ns, "stop_requested")] = False
    st.session_state[live_key] = {"label": label, "settings": dict(settings), "history": {}, "epochs": 0}
    bar_col, stop_col = st.columns([5, 1], vertical_alignment="center")
    progress = bar_col.progress(0.0, text=WAITING_FOR_SLOT)
    if first_frame:
        from nnkit import plots

        chart(plots.history_figure({label: {}}, planned_epochs=getattr(config, "epochs", None)),
              f"{ns}.live.{run_number}.start", view, numbers=False)
    _scroll_into_sight(ns, bar_col)
    stop_slot = stop_col.empty()
    # One Stop button per run: a page may train several variants in one click.
    stop_slot.button("Stop", key=key(ns, f"stop.{run_number}"), icon=":material/stop:",
                     on_click=_request_stop, args=(ns,))

    def sink(update) -> None:
        st.session_state[live_key].update(history=update.history, epochs=update.epoch)
        progress.progress(update.fraction, text=_progress_text(update))
        with view.container():
            render(update, f"{ns}.live.{run_number}.{update.epoch}.{update.step or 0}")

    shown = {}

    def while_waiting(place: int, eta: float) -> None:
        # Sent only when it reads differently: thirty waiting learners, twice a second each,
        # would otherwise cost the server's CPU while someone else's run needs it.
        text = (f"{_ordinal(place)} in line for training, about {eta:.0f} s. "
                "Your run starts by itself; press Stop to leave the line.")
        if shown.get("text") != text:
            shown["text"] = text
            st.session_state[live_key]["queued"] = True
            progress.progress(0.0, text=text)

    st.session_state.pop(key(ns, "model"), None)  # free the previous model before training
    # Queued on the class board (and in the run store) just before joining the line, so the
    # store's join times keep the line's order.
    run_id = st.session_state[live_key]["run_id"] = identity.begin_run(ns, label, settings)
    executor, notice = training_executor()
    if notice:
        bar_col.caption(notice)
    heavy = catalog.is_heavy(ns)
    try:
        with (held.take(executor, label, while_waiting, heavy) if held
              else executor.turn(label, while_waiting, heavy=heavy)) as place:
            st.session_state[live_key]["queued"] = False
            identity.mark_running(run_id)
            if callable(data):  # costly inputs (e.g. features from a big network) are made in the turn too
                data = data()
            build = None if hasattr(model, "fit") else model
            if build is not None:
                model = build()
            made_for = callbacks() if callable(callbacks) else callbacks  # once the model is built
            progress.progress(0.0, text="Compiling the model…")
            live = live_history(sink, batch_updates, *([min_interval] if min_interval else []))
            result = executor.fit(model, data, config, [*made_for, live], place, build)
            kept = artifacts() if artifacts else None  # in the turn: a run's Keras work is one at a time
    except Exception as error:  # noqa: BLE001 (the turn is already given back; the page must not crash)
        return _record_failure(ns, error, run_id, progress, stop_slot)
    progress.empty()
    stop_slot.empty()
    del st.session_state[live_key]
    st.session_state[key(ns, "model")] = _without_compiled_steps(model)  # the latest only, for downloads
    record = RunRecord.from_result(label, settings, result, kept)
    record.guess = predict.click_guess(ns)
    if result.reason == FINISHED and detected_device().has_gpu:
        with st.spinner("Timing a short CPU run of the same model, to show the GPU's speed-up…"):
            record.cpu_seconds_per_epoch = cpu_seconds_per_epoch(model, data, config)
    store_run(ns, record, run_id)
    return record


def _without_compiled_steps(model):
    """The model with its compiled train/test/predict steps let go (Keras makes them again
    if asked), and the previous runs' models collected once they add up.

    Why: thirty learners each keep their latest model for its download; its compiled steps
    (and a comparison's other models, held in reference cycles until Python's next full
    collection) are most of what a session adds to the server's memory.
    """
    for step in ("train_function", "test_function", "predict_function"):
        if hasattr(model, step):
            setattr(model, step, None)
    garbage_collector().collect_if_grown()
    return model


@st.cache_resource(show_spinner=False)
def garbage_collector() -> memory.Collector:
    """The process's one collector, shared by every session (see `memory.Collector`)."""
    return memory.Collector()


@st.cache_resource(show_spinner=False)
def training_executor():
    """The process's one training queue, shared by every session (thread-safe), and a
    notice for learners when it is not the one configured.

    A Ray cluster's when `NNKIT_RAY_ADDRESS` names one that answers; else this
    process's, with a notice saying why if a cluster was named but unreachable.
    """
    import os

    address = os.environ.get("NNKIT_RAY_ADDRESS", "").strip()  # cluster.RAY_ADDRESS_ENV, without importing Ray
    if address:
        from nnkit.core import cluster

        try:
            return cluster.RayExecutor(address), None
        except cluster.ClusterUnavailable as error:
            logging.getLogger(__name__).warning("%s: training in this process instead", error)
            return LocalExecutor(default_capacity()), f"Training in this app's own process: {error}."
    return LocalExecutor(default_capacity()), None


def _record_failure(ns: str, error: Exception, run_id, progress, stop_slot) -> RunRecord:
    """A run that raised (a setting Keras refuses, a bug): say so where the run was, and keep
    the curves so far as a "failed" run, so the learner can go on and nothing else is lost."""
    from nnkit.core.training import FAILED

    logging.getLogger(__name__).exception("a run on %s failed", ns)
    progress.empty()
    stop_slot.empty()
    live = st.session_state.pop(key(ns, "live"))
    message = f"Training failed after {live['epochs']} epochs: {type(error).__name__}: {error}."
    record = RunRecord(live["label"], live["settings"], live["history"], FAILED, message, live["epochs"],
                       guess=predict.click_guess(ns))
    store_run(ns, record, run_id)
    return record


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


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
    from nnkit.core.training import INTERRUPTED, STOPPED

    live = st.session_state.pop(key(ns, "live"), None)
    if live is None:
        return None
    st.session_state.pop(key(ns, "model"), None)  # half-trained: nothing to download
    stopped = st.session_state.pop(key(ns, "stop_requested"), False)
    reason = STOPPED if stopped else INTERRUPTED
    why = "you pressed Stop" if stopped else "the page was changed while it trained"
    if live.get("queued"):
        message = f"Left the line before training started, because {why}; nothing was trained."
    else:
        message = f"Training ended after {live['epochs']} epochs because {why}; the curves so far are kept."
    record = RunRecord(live["label"], live["settings"], live["history"], reason, message, live["epochs"],
                       guess=predict.click_guess(ns))
    store_run(ns, record, live.get("run_id"))
    return record
