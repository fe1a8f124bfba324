"""Autoencoders: compress through a bottleneck, flag what rebuilds badly, denoise."""

import numpy as np
import streamlit as st

from nnkit import anomalies, autoencoder_plots as aplots, autoencoders as ae, plots, ui
from nnkit.training import DIVERGED, TrainConfig

NS, DN = "ae", "ae_dn"
ui.init_state(NS, {"source": anomalies.DIGITS_SRC, f"normal.{anomalies.DIGITS_SRC}": ["0"],
                   f"normal.{anomalies.FASHION_SRC}": ["Sneaker"], "label_col": "(none)",
                   "kind": "dense", "bottleneck": 8, "hidden": 64, "epochs": 15, "lr": 0.003,
                   "seed": 0, "percentile": 95.0})
ui.init_state(DN, {"noise": 0.3, "epochs": 30})
ui.recover_interrupted(NS)
ui.recover_interrupted(DN)
state = st.session_state


def get(name, ns=NS):
    return state[ui.key(ns, name)]


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
st.selectbox("Data", anomalies.SOURCES, key=ui.key(NS, "source"))
names, csv, label = anomalies.class_names(get("source")), None, None
if names:
    st.multiselect("Normal classes (the rest are anomalies)", names,
                   key=ui.key(NS, f"normal.{get('source')}"))
if get("source") == anomalies.CSV_SRC:
    upload = st.file_uploader("CSV: numeric columns, optional label column (0 = normal, 1 = anomaly)",
                              type=["csv", "txt"], key=ui.key(NS, "upload"))
    csv = upload.getvalue() if upload is not None else None
    columns = anomalies.csv_columns(csv) if csv else []
    if get("label_col") not in columns:
        state[ui.key(NS, "label_col")] = "(none)"
    st.selectbox("Label column", ["(none)", *columns], key=ui.key(NS, "label_col"))
    label = None if get("label_col") == "(none)" else get("label_col")
normal = tuple(names.index(n) for n in state.get(ui.key(NS, f"normal.{get('source')}"), []))
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
c1.radio("Layers", [ae.DENSE, ae.CONV], key=ui.key(NS, "kind"), horizontal=True, disabled=not conv_ok,
         help="conv = Conv2D for images, Conv1D for series windows")
c2.slider("Bottleneck size", 1, 32, key=ui.key(NS, "bottleneck"))
c3.select_slider("Hidden units / filters", [8, 16, 32, 64, 128], key=ui.key(NS, "hidden"))
c1.slider("Epochs", 1, 100, key=ui.key(NS, "epochs"))
c2.select_slider("Learning rate", [0.0003, 0.001, 0.003, 0.01, 0.03, 0.1, 1.0], key=ui.key(NS, "lr"))
kind = get("kind") if conv_ok else ae.DENSE
config = ae.AEConfig(kind, get("bottleneck"), get("hidden"), max(4, get("hidden") // 4), get("lr"),
                     data.unit_range, get("seed"))
st.caption(f"Architecture: {ae.describe(config, data.sample_shape)}. Loss: mean squared error, "
           "per sample:")
st.latex(ae.ERROR_LATEX)

st.header("3 · Train on normal data only")
st.caption(f"Input and target are the same {len(data.x_train):,} normal samples (x → x); "
           "20% of them are held out to check the fit and to suggest a threshold.")
clicked = ui.train_button(NS)
view = st.empty()


def curves(history, epochs, tag):
    st.plotly_chart(plots.history_figure({"reconstruction": history}, metrics=("loss",),
                                         planned_epochs=epochs), key=tag)


if clicked:
    model = ae.build_autoencoder(config, data.sample_shape)
    settings = {k: get(k) for k in ("source", "bottleneck", "hidden", "epochs", "lr", "seed")}
    settings.update(kind=kind, normal=[names[i] for i in normal])
    ui.train_live(NS, f"{kind}, bottleneck {config.bottleneck}", settings, model,
                  (data.x_train, data.x_train), TrainConfig(get("epochs"), 32, 0.2, get("seed")), view,
                  lambda u, tag: curves(u.history, u.epochs, tag),
                  artifacts=lambda: ae.analyse(model, data, get("seed")))

record = ui.last_run(NS)
if record is None:
    view.info("Press **Train**: the loss curve shows how well normal data is rebuilt as it learns.")
    st.stop()
with view.container():
    curves(record.history, record.epochs_run, f"{NS}.final")
    ui.show_outcome(record)
art = record.artifacts
if record.reason == DIVERGED or not art or not np.isfinite(art["errors"]).all():
    st.warning("No reconstructions to explore: this run did not finish with finite errors. "
               "Lower the learning rate and train again.", icon=":material/warning:")
    st.stop()

st.header("4 · Reconstructions")
for i, (title, fig) in enumerate(aplots.reconstruction_figures(art)):
    st.markdown(f"**{title}**")
    st.plotly_chart(fig, key=f"{NS}.recon.{i}")

st.header("5 · Threshold explorer")
errors, labels = art["errors"], art["labels"]
st.slider("Suggest the threshold at this percentile of held-out normal errors", 50.0, 99.9, step=0.5,
          key=ui.key(NS, "percentile"))
suggested = ae.suggest_threshold(art["val_errors"], get("percentile"))
top = float(max(np.percentile(errors, 99.5), suggested) * 1.2) or 1.0
threshold = st.slider("Threshold: error above it = anomaly", 0.0, top, min(suggested, top),
                      step=top / 400, format="%.4f", key=f"{NS}.threshold.{record.created}.{get('percentile')}")
st.caption(f"Suggested: **{suggested:.4f}**, the {get('percentile'):g}th percentile of the errors on "
           "normal samples the model did not train on, so about "
           f"{100 - get('percentile'):.1f}% of normal data would raise a false alarm.")
st.plotly_chart(aplots.error_histogram(errors, labels, threshold, art["labelled"]), key=f"{NS}.hist")
report = None
if art["labelled"] and len(np.unique(labels)) == 2:
    report = ae.evaluate(errors, labels, threshold)
    m = st.columns(4)
    for col, (name, value) in zip(m, [("Precision", report.precision), ("Recall", report.recall),
                                      ("F1", report.f1), ("ROC AUC", report.auc)]):
        col.metric(name, f"{value:.3f}")
    left, right = st.columns(2)
    left.plotly_chart(aplots.confusion_figure(report.confusion), key=f"{NS}.confusion")
    tn, fp, fn, tp = report.confusion.ravel()
    right.plotly_chart(aplots.roc_figure(report.fpr, report.tpr, report.auc,
                                         (fp / max(1, fp + tn), tp / max(1, tp + fn))), key=f"{NS}.roc")
else:
    st.info(f"{int(ae.flag(errors, threshold).sum())} of {len(errors)} samples are above the threshold. "
            "Precision, recall and ROC need labels with both normal and anomalous rows.")

st.header("6 · Latent space")
(code, code_how), (raw, raw_how) = art["latent"], art["raw_pca"]
st.plotly_chart(aplots.latent_figure([(f"Bottleneck: {code_how}", code), (f"Raw data: {raw_how}", raw)],
                                     art["groups"]), key=f"{NS}.latent")
st.caption("Left: where the encoder puts each test sample. Right: plain PCA of the raw numbers, the "
           "linear way to reduce dimensions. Anomalies that land apart from normal data are easy to flag.")

st.header("7 · Denoising")
c1, c2 = st.columns(2)
c1.slider("Noise level (standard deviation)", 0.05, 1.0, step=0.05, key=ui.key(DN, "noise"))
c2.slider("Denoising epochs", 1, 100, key=ui.key(DN, "epochs"))
st.caption("Same architecture, now trained on noisy inputs with the clean samples as targets.")
clicked_dn = ui.train_button(DN, "Train denoiser")
dn_view = st.empty()
if clicked_dn:
    dn_model = ae.build_autoencoder(config, data.sample_shape)
    noisy = ae.add_noise(data.x_train, get("noise", DN), get("seed"), clip=data.unit_range)
    ui.train_live(DN, f"denoise σ={get('noise', DN)}", {"noise": get("noise", DN)}, dn_model,
                  (noisy, data.x_train), TrainConfig(get("epochs", DN), 32, 0.2, get("seed")), dn_view,
                  lambda u, tag: curves(u.history, u.epochs, tag),
                  artifacts=lambda: ae.denoise_analysis(dn_model, data, get("noise", DN), get("seed")))
dn = ui.last_run(DN)
if dn is not None and dn.artifacts and dn.reason != DIVERGED:
    with dn_view.container():
        st.plotly_chart(aplots.denoise_figure(dn.artifacts), key=f"{DN}.examples")
        st.markdown(ae.denoise_lesson(dn.artifacts))
elif dn is not None:
    with dn_view.container():
        ui.show_outcome(dn)

st.header("8 · What it means")
anomalous = errors[labels == 1] if art["labelled"] else np.array([])
st.markdown(ae.lesson(art["name"], record.settings["bottleneck"], art["sample_shape"],
                      record.final("loss"), errors[labels == 0], anomalous, report))
