"""Training strategies: watch a too-big net over-fit, then fix it one remedy at a time."""

import pandas as pd
import streamlit as st

from nnkit import ui
from nnkit.experiments.training_strategies import batches, figures, lesson, predict, remedies
from nnkit.experiments.training_strategies import callbacks as cb
from nnkit.experiments.training_strategies import model as ts
from nnkit.experiments.training_strategies import notebook as export
from nnkit.experiments.training_strategies.settings import REMEDY_CONTROL, SETTINGS

NS = "training_strategies"
FIX, CALLS, BATCH = f"{NS}.remedy", f"{NS}.callbacks", f"{NS}.batch"  # each section keeps its own runs
controls = ui.page_settings(NS, SETTINGS)
for ns in (NS, FIX, CALLS, BATCH):
    ui.recover_interrupted(ns)

st.title("Training strategies")
st.markdown("A network with far more weights than training rows can learn those rows by heart: its training "
            "loss keeps falling while its loss on rows it never saw turns round and rises. That is "
            "**over-fitting**. Here a deliberately too-big net over-fits a small real data set, live, and each "
            "remedy is tried as a twin run: same seed, same initial weights, same validation rows, one change.")

st.header("1 · The data and the too-big net")
c1, c2, c3, c4 = st.columns(4)
controls("dataset", c1.selectbox, "Dataset")
controls("rows", c2.slider, "Training rows", step=10)
controls("units", c3.select_slider, "Units per layer")
controls("layers", c4.slider, "Hidden layers")
controls("lr", c1.select_slider, "Learning rate")
controls("epochs", c2.slider, "Epochs")
controls("batch", c3.select_slider, "Batch size")
controls("seed", c4.number_input, "Seed (same seed, same starting weights)", step=1)
s = controls.values()
base_settings = {k: s[k] for k in ts.BASE_KEYS}
st.caption(f"{ts.DESCRIPTIONS[s['dataset']]} {ts.describe(s)}")


def draw(results, epochs, tag, numbers=True):
    left, right = st.columns([1.6, 1])
    curves = {k: r["history"] for k, r in results.items()}
    key = ts.fit_key_of(next(iter(curves.values()), {}))
    ui.chart(figures.curves_figure(curves, key, epochs), f"{tag}.curves", left, numbers=numbers)
    ui.chart(figures.weights_figure({k: r.get("weights") for k, r in results.items()}), f"{tag}.weights", right,
             numbers=numbers)


def outcomes(records):
    """Each run's outcome box with its diagnosis, side by side."""
    for col, r in zip(st.columns(len(records)), records):
        with col:
            st.markdown(f"**{r.label}**")
            ui.show_outcome(r, lesson.diagnosis_of(r, lesson.baseline(r.settings), r.settings["epochs"]))


st.header("2 · Watch it over-fit")
view = ui.live_view(NS)
if ui.train_button(NS, "Train the too-big net"):
    ui.train_variants(NS, [ui.Variant(settings=base_settings, **remedies.overfit_variant(base_settings))], view, draw)
over = ui.comparison_runs(NS)
if not over:
    view.info("Press **Train the too-big net**: the star marks the epoch where validation loss was lowest.")
else:
    with view.container():
        draw(ui.results(over), over[0].settings["epochs"], f"{NS}.final")
        outcomes(over)
        ui.show_prediction(NS, over, predict.answer)
        ui.download_buttons(NS, lambda: export.remedy_notebook(over[0].settings))
        ui.twin_run(NS, controls, over[0])

st.header("3 · Fix it, one remedy at a time")
remedy = controls("remedy", st.radio, "Remedy", horizontal=True)
if remedy in REMEDY_CONTROL:
    name, widget, label = REMEDY_CONTROL[remedy]
    controls(name, getattr(st, widget), label)
s = controls.values()
x_val, _ = ts.tables(s["dataset"], s["seed"]).validation
st.code(remedies.code_line(remedy, s, x_val.shape[1], ts.n_classes(s["dataset"])), language="python")
view_fix = ui.live_view(FIX)
if ui.train_button(FIX, f"Train with and without {remedy}"):
    ui.train_variants(FIX, [ui.Variant(settings={**s, "remedy": remedy}, **v) for v in remedies.variants(remedy, s)],
                      view_fix, draw)
fixed = ui.comparison_runs(FIX)
if fixed:
    with view_fix.container():
        draw(ui.results(fixed), fixed[0].settings["epochs"], f"{FIX}.final")
        outcomes(fixed)
        ui.download_buttons(FIX, lambda: export.remedy_notebook(fixed[0].settings, fixed[0].settings["remedy"]))

st.header("4 · Callbacks for real")
st.markdown("At every epoch's end, watching validation loss: **ModelCheckpoint** saves the best model so far "
            "to a `.keras` file (in this run's temporary folder), **ReduceLROnPlateau** cuts the learning rate "
            "when it stalls, **EarlyStopping** stops after `patience` epochs without progress and restores the "
            "best epoch's weights.")
c1, c2, c3 = st.columns(3)
controls("patience", c1.slider, "EarlyStopping patience")
controls("lr_patience", c2.slider, "ReduceLROnPlateau patience")
controls("lr_factor", c3.select_slider, "ReduceLROnPlateau factor")
s = controls.values()
st.code("\n".join(map(repr, cb.callback_settings(s).objects("/tmp/nnkit-callbacks-…"))), language="python")
view_calls = ui.live_view(CALLS)


def draw_calls(results, epochs, tag, numbers=True):
    (label, result), = results.items()
    ui.chart(figures.callbacks_figure(result["history"], result.get("events", []), epochs), f"{tag}.callbacks",
             numbers=numbers)


if ui.train_button(CALLS, "Train with the three callbacks"):
    ui.train_variants(CALLS, [ui.Variant(settings={**base_settings, **{k: s[k] for k in cb.KEYS}},
                                         **cb.variant(s))], view_calls, draw_calls)
called = ui.comparison_runs(CALLS)
if called:
    with view_calls.container():
        draw_calls(ui.results(called), called[0].settings["epochs"], f"{CALLS}.final")
        st.dataframe(pd.DataFrame(map(vars, called[0].artifacts.get("events", []))), hide_index=True,
                     key=ui.key(NS, "events"))
        outcomes(called)
        ui.download_buttons(CALLS, lambda: export.callbacks_notebook(called[0].settings))

st.header("5 · Batch, mini-batch or stochastic")
st.markdown("The same net and rows with batch size 1 (one update per row: kept small), 32, and all rows at once.")
c1, c2 = st.columns(2)
controls("bs_rows", c1.slider, "Training rows", step=10)
controls("bs_epochs", c2.slider, "Epochs")
controls.publish()
s = controls.values()
view_batch = ui.live_view(BATCH)


def draw_batch(results, epochs, tag, numbers=True):
    ui.chart(figures.batch_figure(results, epochs), f"{tag}.batches", numbers=numbers)


if ui.train_button(BATCH, "Train batch 1, 32 and full batch"):
    batch_settings = {**base_settings, **{k: s[k] for k in ("bs_rows", "bs_epochs")}}
    ui.train_variants(BATCH, [ui.Variant(settings=batch_settings, **v) for v in batches.variants(s)],
                      view_batch, draw_batch)
batched = ui.comparison_runs(BATCH)
if batched:
    with view_batch.container():
        draw_batch(ui.results(batched), batched[0].settings["bs_epochs"], f"{BATCH}.final")
        st.dataframe(pd.DataFrame(lesson.batch_rows(batched)), hide_index=True, key=ui.key(NS, "batch_table"))
        ui.download_buttons(BATCH, lambda: export.batch_notebook(batched[0].settings))

st.header("6 · What it means")
for paragraph in lesson.what_it_means(over, fixed, called, batched):
    st.markdown(paragraph)
if not (over or fixed or called or batched):
    st.info("Train any section above to read here what its runs showed, in their own numbers.")
