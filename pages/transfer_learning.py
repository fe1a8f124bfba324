"""Transfer learning: reuse an ImageNet MobileNetV2 on your own classes."""

import numpy as np
import streamlit as st

from nnkit import plots, ui
from nnkit.core import images, limits, metrics
from nnkit.core.data import split
from nnkit.core.plaintext import quote
from nnkit.core.settings import Setting
from nnkit.core.training import TrainConfig
from nnkit.experiments.transfer_learning import figures, imagesets, lesson, mobilenet, predict
from nnkit.experiments.transfer_learning import model as tl
from nnkit.experiments.transfer_learning.notebook import frozen_features_notebook

NS = "transfer_learning"
YOURS = ("your upload", "camera shot")
SETTINGS = (
    Setting("online", False), Setting("size", 128, choices=mobilenet.sizes(limits.workshop_mode())),
    Setting("photo", "chelsea (cat)", choices=(*YOURS, *images.PHOTOS)), Setting("mine", False),
    Setting("set", next(iter(imagesets.OFFLINE_SETS)), choices=tuple(imagesets.OFFLINE_SETS)),
    Setting("per_class", 15, low=4, high=60, workshop_high=30), Setting("n_classes", 2, low=2, high=5),
    Setting("cnn_epochs", 8, low=1, high=30, workshop_high=10), Setting("run_cnn", True),
    Setting("head_epochs", 30, low=1, high=100, workshop_high=50),
    Setting("tune_epochs", 2, low=1, high=10, workshop_high=3), Setting("run_tune", True),
    Setting("blocks", 2, low=0, high=mobilenet.N_BLOCKS, workshop_high=4), Setting("seed", 0, low=0, high=9999),
)
controls = ui.page_settings(NS, SETTINGS)
# The widgets sit between slow steps that may stop the page early, so the link is written now
# (widget values already stand in session state when a rerun starts).
controls.publish()
ui.recover_interrupted(NS)
s = controls.value


@st.cache_resource(show_spinner="Loading MobileNetV2 (ImageNet)…", max_entries=4)
def load_network(size: int, online: bool) -> mobilenet.Pretrained:
    return mobilenet.load_pretrained(size, prefer_online=online)


@st.cache_data(show_spinner="Preparing images…", max_entries=8)
def shipped_set(name: str, per_class: int, size: int, seed: int) -> imagesets.ImageSet:
    return imagesets.offline_set(name, per_class, size, seed)


@st.cache_data(show_spinner="Reading your images…", max_entries=8)
def own_set(classes: tuple, size: int):
    """(image set or None, error or None, notes): decoded once per set of files, not once per rerun."""
    try:
        data = imagesets.uploaded_set(classes, size)
        return data, None, data.notes
    except tl.TransferError as exc:
        return None, str(exc), exc.notes


@st.cache_data(show_spinner="Reading the photo (large ones are downscaled once)…", max_entries=8)
def own_photo(data: bytes, name: str):
    try:
        return imagesets.photo_from_upload(data, name), None
    except images.ImageError as exc:
        return None, str(exc)


@st.cache_data(show_spinner="Extracting MobileNetV2 features (once per image set)…", max_entries=8)
def cached_features(set_key: str, source: str, size: int, _net: mobilenet.Pretrained, _x: np.ndarray) -> np.ndarray:
    return mobilenet.features(_net, _x)


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
given = dict(zip(YOURS, (c1.file_uploader("Your own photo (optional)", key=ui.key(NS, "upload")),
                         c1.expander("…or take one with the camera").camera_input("Photo", key=ui.key(NS, "camera")))))
yours = {}
for label, file in ((label, f) for label, f in given.items() if f is not None):
    decoded, error = own_photo(file.getvalue(), file.name)
    if error:
        c1.error(error, icon=":material/broken_image:")
    else:
        yours[label] = (file.name, decoded[0])
        for note in decoded[1]:
            c1.info(note, icon=":material/photo_size_select_large:")
photo_name = controls("photo", c1.selectbox, "Photo", options=[*yours, *images.PHOTOS])
if photo_name in yours:
    file_name, photo = yours[photo_name]
    c1.caption(f"Image: {photo_name} {quote(file_name)}.")
else:
    photo_name = photo_name if photo_name in images.PHOTOS else "chelsea (cat)"
    photo = images.load_photo(photo_name)
    c1.caption(f"Image: the sample photo {quote(photo_name)}."
               + (f" Choose {' or '.join(map(quote, yours))} under Photo to classify yours." if yours else ""))
c1.image(mobilenet.square(photo, net.size), caption="what the network sees (centre crop)", width="stretch")
ui.chart(figures.top_classes_figure(mobilenet.top_classes(net, photo), "Top-5 ImageNet classes"), f"{NS}.top5", c2)

st.header("2 · Your classes")
controls("mine", st.toggle, "Use my own images (uploads)")
if s("mine"):
    controls("n_classes", st.slider, "Classes")
    classes = []
    for i, col in enumerate(st.columns(s("n_classes"))):
        name = col.text_input("Class name", f"class {i + 1}", key=ui.key(NS, f"name{i}"))
        files = col.file_uploader("Images", accept_multiple_files=True, key=ui.key(NS, f"files{i}"))
        classes.append((name, tuple((f.name, f.getvalue()) for f in files or [])))
    data, error, notes = own_set(tuple(classes), net.size)
else:
    c1, c2 = st.columns(2)
    controls("set", c1.selectbox, "Shipped image set")
    controls("per_class", c2.slider, "Images per class")
    data = shipped_set(s("set"), s("per_class"), net.size, s("seed"))
    error, notes = None, data.notes
for note in notes:
    st.warning(note, icon=":material/warning:")
if error:
    st.error(error, icon=":material/image_not_supported:")
    st.stop()
st.caption(f"{len(data.x)} images, {len(data.classes)} classes ({', '.join(map(quote, data.classes))}); source: "
           f"{data.source}. {tl.VALIDATION:.0%} are held out for validation (the same images for every variant).")
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
controls("blocks", c4.slider, f"(c) blocks unfrozen (top N of {mobilenet.N_BLOCKS})")
feats = lambda: cached_features(data.key, net.source, net.size, net, data.x)  # noqa: E731
# "images" ties each run to its image set; "source" is the weights really used (after any fallback).
settings = {**controls.values(), "images": data.key, "source": net.source}
clicked, view = ui.train_button(NS), ui.live_view(NS)


def draw(results, epochs, tag, numbers):
    ui.chart(plots.history_figure({label: r["history"] for label, r in results.items()}), f"{tag}.curves",
             numbers=numbers)


if clicked:
    plan = tl.planned(settings)
    # Each variant built in its turn; the frozen one's trained head is joined to the network for the download.
    heads = {key: ui.Built(lambda key=key: tl.build_variant(key, net, len(data.classes), settings)) for key in plan}

    def inputs(key):
        return (feats(), data.y) if key == "frozen" else (data.x, data.y)

    ui.train_variants(NS, [ui.Variant(
        label, settings, heads[key],
        lambda key=key: inputs(key), TrainConfig(epochs, tl.BATCH_SIZE, tl.VALIDATION, s("seed")),
        keep=lambda m, key=key: {"trainable": tl.trainable_params(m), "pred": tl.probabilities(m, inputs(key)[0])})
        for key, (label, epochs) in plan.items()], view, draw)
    # The download is network + trained head as one model on raw RGB, never a lone head or an older run.
    head = heads["frozen"].model
    st.session_state[ui.key(NS, "model")] = tl.classifier(net, head) if head is not None else None

records = [r for r in ui.comparison_runs(NS) if r.settings.get("images") == data.key]
if not records:
    view.info("Press **Train** to train the variants one after another on the same images.")
    st.stop()
guess = lesson.baseline(data.y, len(data.classes))
rows = lesson.rows(records)
frozen = next((r for r in records if tl.variant_key(r.label) == "frozen"), None)
with view.container():  # the final picture replaces the live one
    draw(ui.results(records), 0, f"{NS}.final", True)
    st.dataframe(rows, hide_index=True, column_config={
        "trainable": st.column_config.NumberColumn("trainable parameters", format="localized"),
        "val_accuracy": st.column_config.ProgressColumn("validation accuracy", min_value=0, max_value=1),
        "seconds_per_epoch": st.column_config.NumberColumn("s / epoch", format="%.3f")})
    for r in records:
        ui.show_outcome(r, lesson.run_diagnosis(r, data.y, len(data.classes)))
    ui.show_prediction(NS, records, predict.answer)
    if frozen is not None:
        ui.twin_run(NS, controls, frozen)

st.header("4 · Results")
idx_val, y_val = split(np.arange(len(data.x)), data.y, tl.VALIDATION, s("seed"))[1]
best = max(records, key=lambda r: r.final("val_accuracy") or 0)
pred = np.asarray(best.artifacts.get("pred", np.zeros((0, 1))))
if len(pred) == len(data.x) and len(idx_val):
    p_val = pred[idx_val]
    c1, c2 = st.columns(2)
    ui.chart(figures.confusion_figure(metrics.confusion(y_val, p_val.argmax(1), len(data.classes)), data.classes),
             f"{NS}.confusion", c1)
    c1.caption(f"Validation images, {best.label}.")
    xy, ratio = metrics.pca_2d(feats())
    ui.chart(figures.projection_figure(xy, data.y, data.classes, ratio), f"{NS}.pca", c2)
    c2.caption(f"Nearest-neighbour accuracy in feature space: {tl.separability(feats(), data.y):.0%}.")
    captions = [f"{data.classes[data.y[i]]} → {data.classes[p.argmax()]} {p.max():.0%}" for i, p in zip(idx_val, p_val)]
    st.markdown(f"**Validation images: true → predicted (confidence), {best.label}**")
    st.image([data.x[i] for i in idx_val[:12]], caption=captions[:12], width=120)

st.header("5 · Take it with you")
st.caption("The notebook reproduces variant (b) in plain Keras on a shipped image set: the same images, "
           "seed, split, network and head. The model is MobileNetV2 + the trained head, on RGB in [0, 1].")
shipped = frozen is not None and not frozen.settings["mine"]
ui.download_buttons(NS, (lambda: frozen_features_notebook(frozen.settings, frozen.settings["source"],
                                                          frozen.message)) if shipped else None)
if shipped and frozen.settings["source"] == mobilenet.OFFLINE:
    st.download_button("MobileNetV2 weights (.h5), for the notebook", data=mobilenet.OFFLINE_WEIGHTS.read_bytes,
                       file_name=mobilenet.OFFLINE_WEIGHTS.name, icon=":material/download:",
                       help="Put it next to the notebook to reproduce the app's numbers exactly.",
                       key=ui.key(NS, "download.weights"))

st.header("What it means")
st.markdown(lesson.lesson(rows, len(data.x), len(data.classes), guess))
