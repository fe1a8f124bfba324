"""Autoencoders: compress through a bottleneck, flag what rebuilds badly, denoise."""

from functools import partial

import numpy as np
import streamlit as st

from nnkit import plots, ui
from nnkit.core.settings import Setting
from nnkit.core.training import DIVERGED, TrainConfig
from nnkit.experiments.autoencoder import anomalies, lesson, predict, threshold
from nnkit.experiments.autoencoder import figures as aplots
from nnkit.experiments.autoencoder import model as ae
from nnkit.experiments.autoencoder.notebook import autoencoder_notebook, notebook_supported

NS, DN = "autoencoder", "autoencoder.denoise"  # main run, denoiser run (its settings share NS's table and link)
SETTINGS = (
    Setting("source", anomalies.DIGITS_SRC, choices=anomalies.SOURCES),
    Setting("normal", anomalies.DEFAULT_NORMAL[anomalies.DIGITS_SRC]),  # comma-separated class names
    Setting("label_col", "(none)"),
    Setting("kind", ae.DENSE, choices=(ae.DENSE, ae.CONV)),
    Setting("bottleneck", 8, low=1, high=32),
    Setting("hidden", 64, low=8, high=128, workshop_high=64),
    Setting("epochs", 15, low=1, high=100, workshop_high=30),
    Setting("lr", 0.003, choices=(0.0003, 0.001, 0.003, 0.01, 0.03, 0.1, 1.0)),
    Setting("seed", 0, low=0, high=9999),
    Setting("percentile", 95.0, low=50.0, high=99.9),
    Setting("dn_noise", 0.3, low=0.05, high=1.0),
    Setting("dn_epochs", 30, low=1, high=100, workshop_high=30),
)
RUN_SETTINGS = ("source", "normal", "kind", "bottleneck", "hidden", "epochs", "lr", "seed")
controls = ui.page_settings(NS, SETTINGS)
ui.recover_interrupted(NS)
ui.recover_interrupted(DN)
state = st.session_state
get = controls.value


def new_source():
    state[ui.key(NS, "normal")] = anomalies.DEFAULT_NORMAL.get(get("source"), get("normal"))


def pick_normal():
    state[ui.key(NS, "normal")] = ",".join(state[ui.key(NS, "normal_pick")])


@st.cache_data(show_spinner="Loading the data…", max_entries=8)
def load(source, normal, seed, csv, label):
    return anomalies.load(source, normal, seed, csv, label)


st.title("Autoencoders: compression, denoising and anomalies")
st.markdown(
    "An autoencoder learns to output its own input through a narrow **bottleneck**, so it must keep "
    "only what matters. Train it on *normal* data only and it rebuilds normal samples well and "
    "strange ones badly: the **reconstruction error** becomes an anomaly score. Where you put the "
    "alarm threshold decides how many anomalies you miss and how many false alarms you raise."
)

st.header("1 · The data")
c1, c2 = st.columns([1, 2])
controls("source", c1.selectbox, "Data", on_change=new_source)
names, csv, label = anomalies.class_names(get("source")), None, None
normal, note = anomalies.normal_classes(get("source"), get("normal"))
if names:
    # The setting (plain text, for the link) drives the widget, the widget writes the setting.
    state[ui.key(NS, "normal")] = ",".join(names[i] for i in normal) if normal else ""
    state[ui.key(NS, "normal_pick")] = [names[i] for i in normal]
    if "normal" not in controls.hidden:
        c2.multiselect("Normal classes (the rest are anomalies)", names, key=ui.key(NS, "normal_pick"),
                       on_change=pick_normal, disabled="normal" in controls.locked)
if note:
    st.warning(note, icon=":material/link_off:")
if get("source") == anomalies.CSV_SRC:
    upload = st.file_uploader("CSV: numeric columns, optional label column (0 = normal, 1 = anomaly)",
                              type=["csv", "txt"], key=ui.key(NS, "upload"))
    csv = upload.getvalue() if upload is not None else None
    columns = anomalies.csv_columns(csv) if csv else []
    if get("label_col") not in columns:
        state[ui.key(NS, "label_col")] = "(none)"
    controls("label_col", st.selectbox, "Label column", options=["(none)", *columns])
    label = None if get("label_col") == "(none)" else get("label_col")
# Widget values are in session state before the script runs, so the link can be written here,
# before any early stop, with the settings drawn further down included.
controls.publish()
try:
    data = load(get("source"), normal, get("seed"), csv, label)
except ValueError as exc:  # CSVError included: the message says what to fix
    st.error(str(exc), icon=":material/error:")
    st.stop()
st.caption(f"{data.description} Source: {data.source}.")
for note in data.notes:
    st.info(note, icon=":material/info:")

st.header("2 · Build the autoencoder")
c1, c2, c3 = st.columns(3)
conv_ok = data.kind in ("image", "series")
controls("kind", c1.radio, "Layers", horizontal=True, disabled=not conv_ok,
         help="conv = Conv2D for images, Conv1D for series windows")
controls("bottleneck", c2.slider, "Bottleneck size")
controls("hidden", c3.slider, "Hidden units (conv: a quarter as many filters)", step=8)
controls("epochs", c1.slider, "Epochs")
controls("lr", c2.select_slider, "Learning rate")
controls("seed", c3.number_input, "Seed (same seed, same starting weights)", step=1)
s = {name: get(name) for name in RUN_SETTINGS}
s["kind"] = s["kind"] if conv_ok else ae.DENSE
config = ae.config_from(s, data.unit_range)
st.caption(f"Architecture: {ae.describe(config, data.sample_shape)}. Loss: mean squared error, "
           "per sample:")
st.latex(ae.ERROR_LATEX)
if note := lesson.bottleneck_note(config.bottleneck, data.sample_shape):
    st.warning(note, icon=":material/warning:")

st.header("3 · Train on normal data only")
st.caption(f"Input and target are the same {len(data.x_train):,} normal samples (x → x); "
           f"{ae.VALIDATION:.0%} of them are held out to check the fit and to suggest a threshold.")
clicked = ui.train_button(NS)
view = ui.live_view(NS)


def curves(history, epochs, tag, numbers=True):
    ui.chart(plots.history_figure({"reconstruction": history}, metrics=("loss",), planned_epochs=epochs),
             tag, numbers=numbers)


def live(update, tag):
    curves(update.history, update.epochs, tag, numbers=False)


if clicked:
    built = ui.Built(lambda: ae.build_autoencoder(config, data.sample_shape))  # built in the run's turn
    ui.train_live(NS, f"{config.kind}, bottleneck {config.bottleneck}", s, built,
                  (data.x_train, data.x_train), TrainConfig(s["epochs"], ae.BATCH_SIZE, ae.VALIDATION, s["seed"]),
                  view, live, artifacts=lambda: ae.analyse(built.model, data, s["seed"]))

record = ui.last_run(NS)
if record is None:
    view.info("Press **Train**: the loss curve shows how well normal data is rebuilt as it learns.")
    st.stop()
with view.container():
    curves(record.history, record.epochs_run, f"{NS}.final")
    diagnosis = lesson.run_diagnosis(record)
    ui.show_outcome(record, diagnosis)
    ui.show_prediction(NS, [record], predict.answer)
    exportable = notebook_supported(record.settings.get("source", ""))
    # Everything the notebook needs is bound now, while the script runs (issue #25).
    ui.download_buttons(NS, partial(autoencoder_notebook, dict(record.settings), float(get("percentile")),
                                    record.message) if exportable else None)
    if not exportable:
        st.caption("Notebook export covers the scikit-learn and statsmodels data; this source needs a "
                   "download or an upload.")
    ui.twin_run(NS, controls, record)  # "normal" is free text, which the twin's value picker leaves out
art = record.artifacts
if record.reason == DIVERGED or not art or not np.isfinite(art["errors"]).all() or "latent" not in art:
    st.warning(lesson.no_reconstructions(record), icon=":material/warning:")
    st.stop()

st.header("4 · Reconstructions")
for i, (title, fig) in enumerate(aplots.reconstruction_figures(art)):
    st.markdown(f"**{title}**")
    ui.chart(fig, f"{NS}.recon.{i}")

st.header("5 · Threshold explorer")
errors, labels = art["errors"], art["labels"]
controls("percentile", st.slider, "Suggest the threshold at this percentile of held-out normal errors",
         step=0.5)
suggested = threshold.suggest_threshold(art["val_errors"], get("percentile"))
top = float(max(np.percentile(errors, 99.5), suggested) * 1.2) or 1.0
cut = st.slider("Threshold: error above it = anomaly", 0.0, top, min(suggested, top),
                step=top / 400, format="%.4f", key=f"{NS}.threshold.{record.created}.{get('percentile')}")
st.caption(f"Suggested: **{suggested:.4f}**, the {get('percentile'):g}th percentile of the errors on "
           "normal samples the model did not train on, so about "
           f"{100 - get('percentile'):.1f}% of normal data would raise a false alarm.")
ui.chart(aplots.error_histogram(errors, labels, cut, art["labelled"]), f"{NS}.hist",
         summary=threshold.error_summary(errors, labels, cut, art["labelled"]))
report = None
if art["labelled"] and len(np.unique(labels)) == 2:
    report = threshold.evaluate(errors, labels, cut)
    m = st.columns(4)
    for col, (name, value) in zip(m, [("Precision", report.precision), ("Recall", report.recall),
                                      ("F1", report.f1), ("ROC AUC", report.auc)]):
        col.metric(name, f"{value:.3f}")
    left, right = st.columns(2)
    ui.chart(aplots.confusion_figure(report.confusion), f"{NS}.confusion", left)
    tn, fp, fn, tp = report.confusion.ravel()
    ui.chart(aplots.roc_figure(report.fpr, report.tpr, report.auc, (fp / max(1, fp + tn), tp / max(1, tp + fn))),
             f"{NS}.roc", right)
else:
    st.info(f"{int(threshold.flag(errors, cut).sum())} of {len(errors)} samples are above the threshold. "
            "Precision, recall and ROC need labels with both normal and anomalous rows.")

st.header("6 · Latent space")
(code, code_how), (raw, raw_how) = art["latent"], art["raw_pca"]
ui.chart(aplots.latent_figure([(f"Bottleneck: {code_how}", code), (f"Raw data: {raw_how}", raw)], art["groups"]),
         f"{NS}.latent")
st.caption("Left: where the encoder puts each test sample. Right: plain PCA of the raw numbers, the "
           "linear way to reduce dimensions. Anomalies that land apart from normal data are easy to flag.")

st.header("7 · Denoising")
c1, c2 = st.columns(2)
controls("dn_noise", c1.slider, "Noise level (standard deviation)", step=0.05)
controls("dn_epochs", c2.slider, "Denoising epochs")
st.caption("Same architecture, now trained on noisy inputs with the clean samples as targets.")
clicked_dn = ui.train_button(DN, "Train denoiser")
dn_view = ui.live_view(DN)
if clicked_dn:
    dn_built, noise = ui.Built(lambda: ae.build_autoencoder(config, data.sample_shape)), get("dn_noise")
    noisy = ae.add_noise(data.x_train, noise, s["seed"], clip=data.unit_range)
    ui.train_live(DN, f"denoise σ={noise}", {"noise": noise, "epochs": get("dn_epochs")}, dn_built,
                  (noisy, data.x_train), TrainConfig(get("dn_epochs"), ae.BATCH_SIZE, ae.VALIDATION, s["seed"]),
                  dn_view, live, artifacts=lambda: ae.denoise_analysis(dn_built.model, data, noise, s["seed"]))
dn = ui.last_run(DN)
if dn is not None:
    with dn_view.container():
        ui.show_outcome(dn, lesson.run_diagnosis(dn))
        if dn.artifacts and dn.reason != DIVERGED:
            ui.chart(aplots.denoise_figure(dn.artifacts), f"{DN}.examples")
            st.markdown(lesson.denoise_lesson(dn.artifacts))

st.header("8 · What it means")
anomalous = errors[labels == 1] if art["labelled"] else np.array([])
st.markdown(lesson.lesson(art["name"], record.settings["bottleneck"], art["sample_shape"],
                          record.final("loss"), errors[labels == 0], anomalous, report, art["baseline"][1],
                          diagnosis.advice))
