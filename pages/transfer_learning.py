"""Transfer learning: reuse an ImageNet MobileNetV2 on your own classes."""

import numpy as np
import streamlit as st

from nnkit import images, plots, pretrained as pt, transfer_plots, ui
from nnkit.data import split
from nnkit.training import TrainConfig

NS = "tl"
VARIANTS = {"cnn": "(a) small CNN from scratch", "frozen": "(b) frozen MobileNetV2 + new head",
            "tune": "(c) fine-tuned MobileNetV2"}
ui.init_state(NS, {"online": False, "size": 128, "photo": "chelsea (cat)", "set": next(iter(pt.OFFLINE_SETS)),
                   "mine": False, "n_classes": 2, "per_class": 15, "cnn_epochs": 8, "head_epochs": 30,
                   "tune_epochs": 2, "blocks": 2, "run_cnn": True, "run_tune": True, "seed": 0})
for v in VARIANTS:
    ui.recover_interrupted(f"{NS}.{v}")
state = st.session_state
s = lambda name: state[ui.key(NS, name)]  # noqa: E731


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
c1.toggle("Download Keras's ImageNet weights (needs internet)", key=ui.key(NS, "online"),
          help="Off: the torchvision ImageNet weights shipped with nnkit (works offline).")
c2.select_slider("Image size (pixels)", pt.SIZES, key=ui.key(NS, "size"),
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
photo_name = c1.selectbox("Photo", list(images.PHOTOS), key=ui.key(NS, "photo"))
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
c2.plotly_chart(transfer_plots.top_classes_figure(top, "Top-5 ImageNet classes"), key=f"{NS}.top5")

st.header("2 · Your classes")
st.toggle("Use my own images (uploads)", key=ui.key(NS, "mine"))
data, error = None, None
if s("mine"):
    st.slider("Classes", 2, 5, key=ui.key(NS, "n_classes"))
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
    c1.selectbox("Shipped image set", list(pt.OFFLINE_SETS), key=ui.key(NS, "set"))
    c2.slider("Images per class", 4, 60, key=ui.key(NS, "per_class"))
    data = shipped_set(s("set"), s("per_class"), net.size, s("seed"))
if error:
    st.error(error, icon=":material/image_not_supported:")
    st.stop()
for note in data.notes:
    st.warning(note, icon=":material/warning:")
st.caption(f"{len(data.x)} images, {len(data.classes)} classes ({', '.join(data.classes)}); "
           f"source: {data.source}. 25% are held out for validation (the same images for every variant).")
shown = [int(np.where(data.y == c)[0][0]) for c in range(len(data.classes))]
st.image([data.x[i] for i in shown], caption=[data.classes[data.y[i]] for i in shown], width=120)

st.header("3 · The experiment")
c1, c2, c3, c4 = st.columns(4)
c1.slider("(a) CNN epochs", 1, 30, key=ui.key(NS, "cnn_epochs"))
c1.checkbox("train (a)", key=ui.key(NS, "run_cnn"))
c2.slider("(b) head epochs", 1, 100, key=ui.key(NS, "head_epochs"))
c3.slider("(c) fine-tune epochs", 1, 10, key=ui.key(NS, "tune_epochs"))
c3.checkbox("train (c)", key=ui.key(NS, "run_tune"), help="The slowest: backpropagates through MobileNetV2.")
c4.slider("(c) blocks unfrozen (top N of 16)", 0, pt.N_BLOCKS, key=ui.key(NS, "blocks"))
feats = lambda: cached_features(data.key, net.source, net.size, net, data.x)  # noqa: E731
cfg = lambda epochs: TrainConfig(epochs, 16, 0.25, s("seed"))  # noqa: E731
settings = {k: s(k) for k in ("size", "cnn_epochs", "head_epochs", "tune_epochs", "blocks", "seed")}
clicked = ui.train_button(NS)
view = st.empty()
done: dict = {}


def render(update, tag, label):
    st.plotly_chart(plots.history_figure({**done, label: update.history}), key=f"{tag}.curves")


if clicked:
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
        rec = ui.train_live(f"{NS}.{v}", label, {**settings, "set": data.key}, model, xy, cfg(epochs), view,
                            lambda u, tag, label=label: render(u, tag, label),
                            artifacts=lambda m=model, xy=xy: {"trainable": pt.trainable_params(m),
                                                              "pred": pt.probabilities(m, xy[0])})
        done[rec.label] = rec.history
    state[ui.key(NS, "head")] = (runs["frozen"][0], data.key, net.source, net.size)

records = {v: ui.last_run(f"{NS}.{v}") for v in VARIANTS}
records = {v: r for v, r in records.items() if r is not None and r.settings.get("set") == data.key}
if not records:
    view.info("Press **Train** to train the variants one after another on the same images.")
    st.stop()
view.plotly_chart(plots.history_figure({r.label: r.history for r in records.values()}), key=f"{NS}.final")
rows = [{"variant": r.label, "trainable": r.artifacts.get("trainable", 0), "val_accuracy": r.final("val_accuracy"),
         "seconds_per_epoch": r.seconds_per_epoch or 0.0, "ended": r.reason} for r in records.values()]
st.dataframe(rows, hide_index=True, column_config={
    "trainable": st.column_config.NumberColumn("trainable parameters", format="localized"),
    "val_accuracy": st.column_config.ProgressColumn("validation accuracy", min_value=0, max_value=1),
    "seconds_per_epoch": st.column_config.NumberColumn("s / epoch", format="%.3f")})
for r in records.values():
    if r.reason != "finished":
        ui.show_outcome(r)

st.header("4 · Results")
idx_val, y_val = split(np.arange(len(data.x)), data.y, 0.25, s("seed"))[1]
best = max(records, key=lambda v: records[v].final("val_accuracy") or 0)
pred = np.asarray(records[best].artifacts.get("pred", np.zeros((0, 1))))
if len(pred) == len(data.x) and len(idx_val):
    p_val = pred[idx_val]
    c1, c2 = st.columns(2)
    c1.plotly_chart(transfer_plots.confusion_figure(pt.confusion(y_val, p_val.argmax(1), len(data.classes)),
                                               data.classes), key=f"{NS}.confusion")
    c1.caption(f"Validation images, {records[best].label}.")
    xy, ratio = pt.project_2d(feats())
    c2.plotly_chart(transfer_plots.projection_figure(xy, data.y, data.classes, ratio), key=f"{NS}.pca")
    c2.caption(f"Nearest-neighbour accuracy in feature space: {pt.separability(feats(), data.y):.0%}.")
    captions = [f"{data.classes[data.y[i]]} → {data.classes[p.argmax()]} {p.max():.0%}"
                for i, p in zip(idx_val, p_val)]
    st.markdown(f"**Validation images: true → predicted (confidence), {records[best].label}**")
    st.image([data.x[i] for i in idx_val[:12]], caption=captions[:12], width=120)

st.header("5 · Take it with you")
head = state.get(ui.key(NS, "head"))
if head and head[1:] == (data.key, net.source, net.size):
    if st.button("Prepare the classifier (.keras)", key=ui.key(NS, "export")):
        state[ui.key(NS, "file")] = pt.keras_bytes(pt.classifier(net, head[0]))
    if ui.key(NS, "file") in state:
        st.download_button("Download classifier.keras", state[ui.key(NS, "file")], "classifier.keras",
                           key=ui.key(NS, "download"))
st.code(pt.snippet(net.source, net.size, data.classes, s("head_epochs")), language="python")

st.header("What it means")
st.markdown(pt.lesson(rows, len(data.x), len(data.classes)))
