"""Transfer learning: reuse an ImageNet MobileNetV2 on your own classes."""

import numpy as np
import streamlit as st

from nnkit import plots, ui
from nnkit.core import images, limits
from nnkit.core.data import split
from nnkit.core.settings import Setting
from nnkit.core.training import TrainConfig
from nnkit.experiments.transfer_learning import figures as transfer_plots
from nnkit.experiments.transfer_learning import model as pt

NS = "tl"
SETTINGS = (
    Setting("online", False),
    Setting("size", 128, choices=pt.sizes(limits.workshop_mode())),
    Setting("photo", "chelsea (cat)", choices=tuple(images.PHOTOS)),
    Setting("mine", False),
    Setting("set", next(iter(pt.OFFLINE_SETS)), choices=tuple(pt.OFFLINE_SETS)),
    Setting("per_class", 15, low=4, high=60, workshop_high=30),
    Setting("n_classes", 2, low=2, high=5),
    Setting("cnn_epochs", 8, low=1, high=30, workshop_high=10),
    Setting("run_cnn", True),
    Setting("head_epochs", 30, low=1, high=100, workshop_high=50),
    Setting("tune_epochs", 2, low=1, high=10, workshop_high=3),
    Setting("run_tune", True),
    Setting("blocks", 2, low=0, high=pt.N_BLOCKS, workshop_high=4),
    Setting("seed", 0, low=0, high=9999),
)
VARIANTS = {"cnn": "(a) small CNN from scratch", "frozen": "(b) frozen MobileNetV2 + new head",
            "tune": "(c) fine-tuned MobileNetV2"}
controls = ui.page_settings(NS, SETTINGS)
# The widgets sit between slow steps that may stop the page early, so the link is written now
# (widget values already stand in session state when a rerun starts).
controls.publish()
for v in VARIANTS:
    ui.recover_interrupted(f"{NS}.{v}")
state = st.session_state
s = controls.value


@st.cache_resource(show_spinner="Loading MobileNetV2 (ImageNet)…", max_entries=4)
def load_network(size: int, online: bool) -> pt.Pretrained:
    return pt.load_pretrained(size, prefer_online=online)


@st.cache_data(show_spinner="Preparing images…", max_entries=8)
def shipped_set(name: str, per_class: int, size: int, seed: int) -> pt.ImageSet:
    return pt.offline_set(name, per_class, size, seed)


@st.cache_data(show_spinner="Extracting MobileNetV2 features (once per image set)…", max_entries=8)
def cached_features(set_key: str, source: str, size: int, _net: pt.Pretrained, _x: np.ndarray) -> np.ndarray:
    return pt.features(_net, _x)


st.title("Transfer learning")
st.markdown(
    "Training a CNN from scratch needs thousands of images. A network already trained on "
    "**ImageNet** (1.3 million photos, 1000 classes) has learned edges, textures and object parts "
    "that are useful for almost any photo task. Here you reuse **MobileNetV2**: first as it is, then "
    "as a frozen feature extractor with a new head, then fine-tuned — and compare all three with a "
    "small CNN trained from scratch on the same few images.")

st.header("1 · What ImageNet sees")
c1, c2 = st.columns(2)
controls("online", c1.toggle, "Download Keras's ImageNet weights (needs internet)",
         help="Off: the torchvision ImageNet weights shipped with nnkit (works offline).")
controls("size", c2.select_slider, "Image size (pixels)",
         help="MobileNetV2 was trained at 224; smaller is faster on a CPU.")
try:
    net = load_network(s("size"), s("online"))
except Exception as exc:  # noqa: BLE001 - a missing/corrupt weights file must not crash the page
    st.error(f"The pretrained network could not be loaded: {exc}", icon=":material/error:")
    st.stop()
if net.notice:
    st.warning(net.notice, icon=":material/cloud_off:")
st.caption(f"Network in use: **{net.source_text}**, {net.size}×{net.size} pixels.")
c1, c2 = st.columns([1, 1.4])
photo_name = controls("photo", c1.selectbox, "Photo")
upload = c1.file_uploader("…or your own photo", key=ui.key(NS, "upload"))
shot = c1.expander("…or take one with the camera").camera_input("Photo", key=ui.key(NS, "camera"))
photo = images.load_photo(photo_name)
for given in (upload, shot):
    if given is not None:
        try:
            photo, notes = images.decode_upload(given.getvalue(), max_side=1024)
        except images.ImageError as exc:
            c1.error(str(exc), icon=":material/broken_image:")
c1.image(pt.square(photo, net.size), caption="what the network sees (centre crop)", width="stretch")
top = pt.top_classes(net, photo)
ui.chart(transfer_plots.top_classes_figure(top, "Top-5 ImageNet classes"), f"{NS}.top5", c2)

st.header("2 · Your classes")
controls("mine", st.toggle, "Use my own images (uploads)")
data, error = None, None
if s("mine"):
    controls("n_classes", st.slider, "Classes")
    cols, files = st.columns(s("n_classes")), {}
    for i, col in enumerate(cols):
        name = col.text_input("Class name", f"class {i + 1}", key=ui.key(NS, f"name{i}"))
        ups = col.file_uploader("Images", accept_multiple_files=True, key=ui.key(NS, f"files{i}"))
        files[name] = [(u.name, u.getvalue()) for u in ups or []]
    try:
        data = pt.uploaded_set(files, net.size)
    except pt.TransferError as exc:
        error = str(exc)
else:
    c1, c2 = st.columns(2)
    controls("set", c1.selectbox, "Shipped image set")
    controls("per_class", c2.slider, "Images per class")
    data = shipped_set(s("set"), s("per_class"), net.size, s("seed"))
if error:
    st.error(error, icon=":material/image_not_supported:")
    st.stop()
for note in data.notes:
    st.warning(note, icon=":material/warning:")
st.caption(f"{len(data.x)} images, {len(data.classes)} classes ({', '.join(data.classes)}); "
           f"source: {data.source}. {pt.VALIDATION:.0%} are held out for validation (the same images for every variant).")
shown = [int(np.where(data.y == c)[0][0]) for c in range(len(data.classes))]
st.image([data.x[i] for i in shown], caption=[data.classes[data.y[i]] for i in shown], width=120)

st.header("3 · The experiment")
c1, c2, c3, c4 = st.columns(4)
controls("cnn_epochs", c1.slider, "(a) CNN epochs")
controls("run_cnn", c1.checkbox, "train (a)")
controls("head_epochs", c2.slider, "(b) head epochs")
controls("seed", c2.number_input, "Seed", step=1, help="Same seed: same images, split and starting weights.")
controls("tune_epochs", c3.slider, "(c) fine-tune epochs")
controls("run_tune", c3.checkbox, "train (c)", help="The slowest: backpropagates through MobileNetV2.")
controls("blocks", c4.slider, f"(c) blocks unfrozen (top N of {pt.N_BLOCKS})")
feats = lambda: cached_features(data.key, net.source, net.size, net, data.x)  # noqa: E731
cfg = lambda epochs: TrainConfig(epochs, pt.BATCH_SIZE, pt.VALIDATION, s("seed"))  # noqa: E731
# "images" ties each run to its image set; "source" is the weights really used (after any fallback).
settings = {**controls.values(), "images": data.key, "source": net.source}
clicked = ui.train_button(NS)
view = st.empty()
done: dict = {}


def render(update, tag, label):
    ui.chart(plots.history_figure({**done, label: update.history}), f"{tag}.curves", numbers=False)


if clicked:
    state.pop(ui.key(NS, "model"), None)  # the download must never be an older run's classifier
    runs = {"frozen": (pt.build_head(len(data.classes), seed=s("seed")), (feats(), data.y), s("head_epochs"))}
    if s("run_cnn"):
        runs["cnn"] = (pt.build_small_cnn(net.size, len(data.classes), seed=s("seed")), (data.x, data.y),
                       s("cnn_epochs"))
    if s("run_tune"):
        runs["tune"] = (pt.build_finetune(net, len(data.classes), s("blocks"), seed=s("seed")),
                        (data.x, data.y), s("tune_epochs"))
    for v in [v for v in VARIANTS if v in runs]:
        model, xy, epochs = runs[v]
        label = VARIANTS[v] + (f" · top {s('blocks')} blocks" if v == "tune" else "")
        rec = ui.train_live(f"{NS}.{v}", label, settings, model, xy, cfg(epochs), view,
                            lambda u, tag, label=label: render(u, tag, label),
                            artifacts=lambda m=model, xy=xy: {"trainable": pt.trainable_params(m),
                                                              "pred": pt.probabilities(m, xy[0])})
        done[rec.label] = rec.history
        if v == "frozen":  # network + trained head as one model on raw RGB, for the download
            state[ui.key(NS, "model")] = pt.classifier(net, model)

records = {v: ui.last_run(f"{NS}.{v}") for v in VARIANTS}
records = {v: r for v, r in records.items() if r is not None and r.settings.get("images") == data.key}
if not records:
    view.info("Press **Train** to train the variants one after another on the same images.")
    st.stop()
ui.chart(plots.history_figure({r.label: r.history for r in records.values()}), f"{NS}.final", view.container())
rows = [{"variant": r.label, "trainable": r.artifacts.get("trainable", 0), "val_accuracy": r.final("val_accuracy"),
         "seconds_per_epoch": r.seconds_per_epoch or 0.0, "ended": r.reason} for r in records.values()]
st.dataframe(rows, hide_index=True, column_config={
    "trainable": st.column_config.NumberColumn("trainable parameters", format="localized"),
    "val_accuracy": st.column_config.ProgressColumn("validation accuracy", min_value=0, max_value=1),
    "seconds_per_epoch": st.column_config.NumberColumn("s / epoch", format="%.3f")})
for r in records.values():
    if r.reason != "finished":
        ui.show_outcome(r)
if "frozen" in records:
    ui.twin_run(NS, controls, records["frozen"])

st.header("4 · Results")
idx_val, y_val = split(np.arange(len(data.x)), data.y, pt.VALIDATION, s("seed"))[1]
best = max(records, key=lambda v: records[v].final("val_accuracy") or 0)
pred = np.asarray(records[best].artifacts.get("pred", np.zeros((0, 1))))
if len(pred) == len(data.x) and len(idx_val):
    p_val = pred[idx_val]
    c1, c2 = st.columns(2)
    ui.chart(transfer_plots.confusion_figure(pt.confusion(y_val, p_val.argmax(1), len(data.classes)),
                                             data.classes), f"{NS}.confusion", c1)
    c1.caption(f"Validation images, {records[best].label}.")
    xy, ratio = pt.project_2d(feats())
    ui.chart(transfer_plots.projection_figure(xy, data.y, data.classes, ratio), f"{NS}.pca", c2)
    c2.caption(f"Nearest-neighbour accuracy in feature space: {pt.separability(feats(), data.y):.0%}.")
    captions = [f"{data.classes[data.y[i]]} → {data.classes[p.argmax()]} {p.max():.0%}"
                for i, p in zip(idx_val, p_val)]
    st.markdown(f"**Validation images: true → predicted (confidence), {records[best].label}**")
    st.image([data.x[i] for i in idx_val[:12]], caption=captions[:12], width=120)

st.header("5 · Take it with you")
st.caption("The notebook reproduces variant (b) in plain Keras on a shipped image set: the same images, "
           "seed, split, network and head. The model is MobileNetV2 + the trained head, on RGB in [0, 1].")
frozen = records.get("frozen")
shipped = frozen is not None and not frozen.settings["mine"]
ui.download_buttons(NS, (lambda: pt.frozen_features_notebook(frozen.settings, frozen.settings["source"],
                                                             frozen.message)) if shipped else None)

st.header("What it means")
st.markdown(pt.lesson(rows, len(data.x), len(data.classes)))
