"""CNN filters: what a convolution sees, and what a CNN learns on Fashion-MNIST."""

from dataclasses import replace

import numpy as np
import pandas as pd
import streamlit as st

from nnkit import plots, ui
from nnkit.core import images
from nnkit.core.settings import Setting
from nnkit.core.training import TrainConfig
from nnkit.experiments.cnn_filters import figures as cnn_plots
from nnkit.experiments.cnn_filters import model as cnn

NS = "cnn"
PAIRS = (f"{NS}.aug", f"{NS}.vs")  # sections 4 and 5 each train a pair of runs in one namespace
SETTINGS = (
    Setting("photo", "chelsea (cat)", choices=("your upload", *images.PHOTOS)),
    Setting("kernel", "Sobel x (vertical edges)", choices=(*cnn.KERNELS, "custom")),
    Setting("size", 3, choices=(3, 5)),
    Setting("stride", 1, low=1, high=16),
    Setting("padding", "valid", choices=("valid", "same")),
    Setting("colour", False),
    Setting("pool", "max", choices=("none", "max", "average")),
    Setting("pool_size", 2, low=2, high=4),
    Setting("n_train", 3000, low=500, high=10000, workshop_high=3000),
    Setting("filters", 8, low=2, high=32, workshop_high=16),
    Setting("depth", 2, low=1, high=3, workshop_high=2),
    Setting("ksize", 3, choices=(3, 5)),
    Setting("dropout", 0.2, choices=(0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7)),
    Setting("epochs", 3, low=1, high=15, workshop_high=5),
    Setting("batch", 32, choices=(16, 32, 64, 128)),
    Setting("augment", False),
    Setting("seed", 0, low=0, high=9999),
    Setting("test_index", 0, low=0, high=cnn.N_TEST - 1),
    *(Setting(f"aug_{name}", name in ("flip", "zoom", "translation")) for name in cnn.AUGMENTATIONS),
    Setting("aug_n", 1000, low=200, high=3000, workshop_high=1000),
    Setting("aug_epochs", 5, low=2, high=15, workshop_high=5),
)
controls = ui.page_settings(NS, SETTINGS)
s = controls.values()  # widget changes reach session state before a rerun: these are this run's values
for ns in (NS, *PAIRS):
    ui.recover_interrupted(ns)


@st.cache_data(show_spinner="Loading images…", max_entries=4)
def load_data(n_train: int, seed: int) -> images.ImageDataset:
    return images.fashion_mnist(n_train, cnn.N_TEST, seed)


@st.cache_data(show_spinner=False, max_entries=4)
def decode(data: bytes):
    try:
        return images.decode_upload(data), None
    except images.ImageError as exc:
        return None, str(exc)


st.title("CNN filters")
st.markdown(
    "A dense layer looks at every pixel separately; a **convolution** slides one small kernel of "
    "weights over the whole image, so the same pattern detector works everywhere. Try hand-made "
    "kernels on a photo, then watch a real CNN learn its own kernels on Fashion-MNIST.")

st.header("1 · Convolution lab")
upload = st.file_uploader("Your own image (optional)", type=None, key=ui.key(NS, "upload"))
uploaded, notes = None, []
if upload is not None:
    decoded, error = decode(upload.getvalue())
    if error:
        st.error(error, icon=":material/broken_image:")
    else:
        uploaded, notes = decoded
        for note in notes:
            st.info(note, icon=":material/info:")
c1, c2, c3, c4 = st.columns(4)
controls("photo", c1.selectbox, "Photo",
         options=(["your upload"] if uploaded is not None else []) + list(images.PHOTOS))
controls("kernel", c2.selectbox, "Kernel")
controls("stride", c3.slider, "Stride")
controls("padding", c4.radio, "Padding", horizontal=True)
controls("colour", c1.checkbox, "Colour (DepthwiseConv2D per channel)")
controls("pool", c2.selectbox, "Pooling")
controls("pool_size", c3.slider, "Pool size")
photo = uploaded if s["photo"] == "your upload" and uploaded is not None else \
    images.load_photo(s["photo"] if s["photo"] in images.PHOTOS else "chelsea (cat)")
if s["photo"] in images.PHOTOS and photo is not uploaded:
    st.caption(f"Photo: {images.PHOTOS[s['photo']].credit}.")
kernel_name, kernel = s["kernel"], cnn.KERNELS.get(s["kernel"])
if kernel_name == "custom":
    controls("size", c4.radio, "Size", horizontal=True)
    grid = st.data_editor(cnn.KERNELS["sharpen"] if s["size"] == 3 else cnn.KERNELS["Gaussian 5×5"],
                          key=ui.key(NS, f"grid{s['size']}"))
    try:
        kernel = cnn.parse_kernel(np.asarray(grid).tolist())
    except cnn.ConvError as exc:
        st.error(str(exc), icon=":material/grid_off:")
if kernel is not None:
    try:
        lab = cnn.conv_lab(photo, kernel, s["stride"], s["padding"], s["pool"], s["pool_size"], s["colour"])
    except cnn.ConvError as exc:
        st.error(str(exc), icon=":material/error:")
        lab = None
    if lab is not None:
        for warning in lab.warnings:
            st.warning(warning, icon=":material/warning:")
        cols = st.columns([3, 2, 3, 3])
        ui.chart(cnn_plots.image_figure(lab.image, "input"), f"{NS}.lab.in", cols[0])
        ui.chart(cnn_plots.kernel_figure(lab.kernel), f"{NS}.lab.kernel", cols[1], cnn.kernel_text(lab.kernel))
        ui.chart(cnn_plots.image_figure(lab.feature, "feature map", True), f"{NS}.lab.out", cols[2])
        if lab.pooled is not None:
            ui.chart(cnn_plots.image_figure(lab.pooled, f"{lab.pool} pooled", True), f"{NS}.lab.pool", cols[3])
        st.latex(r"y_{ij} = \sum_{m}\sum_{n} x_{i s + m,\, j s + n}\, K_{mn} \qquad "
                 r"n_\text{out}^\text{valid} = \left\lfloor \frac{n - k}{s} \right\rfloor + 1 \qquad "
                 r"n_\text{out}^\text{same} = \left\lceil \frac{n}{s} \right\rceil")
        h, w = lab.image.shape[:2]
        st.markdown(cnn.arithmetic_text(h, w, lab.kernel.shape[0], lab.stride, lab.padding,
                                        lab.pool, lab.pool_size))
        st.markdown("**What just happened.** " + cnn.conv_story(lab, kernel_name))

st.header("2 · Train a CNN")
c1, c2, c3, c4 = st.columns(4)
controls("n_train", c1.slider, "Training images", step=500)
controls("filters", c2.slider, "Filters in layer 1", help="Each deeper layer doubles it.")
controls("depth", c3.slider, "Conv layers")
controls("ksize", c4.radio, "Kernel size", horizontal=True)
controls("dropout", c1.select_slider, "Dropout")
controls("epochs", c2.slider, "Epochs")
controls("batch", c3.select_slider, "Batch size")
controls("augment", c4.toggle, "Data augmentation", help="Uses the augmentations chosen in section 4.")
controls("seed", c1.number_input, "Seed (same seed, same starting weights)", step=1)
controls.publish()
data = load_data(s["n_train"], s["seed"])
(st.info if data.notes else st.caption)(f"**{data.name}**: {data.description} Source: {data.source}. "
                                        + " ".join(data.notes) + " 20% of the training images are "
                                        "held out for validation.")
config = cnn.config_from(s)
clicked = ui.train_button(NS)
view = st.empty()


def draw(history, filters, epochs, tag, numbers=True):
    left, right = st.columns([1.3, 1])
    ui.chart(plots.history_figure({"CNN": history}, planned_epochs=epochs), f"{tag}.curves", left, numbers=numbers)
    if filters is not None:
        ui.chart(cnn_plots.filters_figure(filters, "First-layer filters"), f"{tag}.filters", right,
                 f"{len(filters)} first-layer kernels of {filters.shape[1]}×{filters.shape[2]} weights "
                 "(blue negative, orange positive).", numbers)


if clicked:
    model = cnn.build_cnn(config, data.image_shape, data.n_classes)
    snapshots = cnn.make_filter_snapshots()  # the filters before training and after each epoch
    ui.train_live(NS, f"CNN {config.filters} k{config.kernel_size}{' +aug' if config.augment else ''}",
                  {k: s[k] for k in cnn.RUN_SETTINGS}, model, data,
                  TrainConfig(s["epochs"], s["batch"], cnn.VALIDATION_FRACTION, s["seed"]), view,
                  # Filters as of the last epoch end: syncing JAX weights mid-epoch races
                  # with the training loop, which empties them between steps.
                  lambda u, tag: draw(u.history, snapshots.snapshots[-1], u.epochs, tag, numbers=False),
                  batch_updates=True, callbacks=(snapshots,),
                  artifacts=lambda: {"filters": snapshots.snapshots[-1], "start": snapshots.snapshots[0],
                                     "pred": cnn.predict(model, data.x_test), "params": model.count_params(),
                                     "arch": cnn.architecture_text(model)})

record = ui.last_run(NS)
model = st.session_state.get(ui.key(NS, "model"))  # kept only while the last run is a finished one
if record is None:
    view.info("Press **Train** to fit the CNN; curves and first-layer filters redraw as it learns.")
else:
    with view.container():
        draw(record.history, record.artifacts.get("filters"), record.epochs_run, f"{NS}.final")
        ui.show_outcome(record)
        if "arch" in record.artifacts:
            st.caption(record.artifacts["arch"])
            ui.chart(cnn_plots.filters_figure(record.artifacts["start"], "The same filters before training (random)"),
                     f"{NS}.start_filters")
        ui.download_buttons(NS, lambda: cnn.cnn_notebook(record.settings, record.message))
        ui.twin_run(NS, controls, record)

st.header("3 · Inside the trained net")
if model is None or record is None or "pred" not in record.artifacts:
    st.info("Train a CNN in section 2 (and let it finish) to look inside it.")
else:
    tdata = load_data(record.settings["n_train"], record.settings["seed"])
    controls("test_index", st.slider, "Test image")
    index = min(s["test_index"], len(tdata.x_test) - 1)
    use_upload = uploaded is not None and st.checkbox("Use my upload instead", key=ui.key(NS, "use_upload"))
    probe, note = cnn.fit_to_input(uploaded, tdata.image_shape) if use_upload else (tdata.x_test[index], "")
    if note:
        st.caption(note)
    guess = int(cnn.predict(model, probe[None])[0])
    names = tdata.class_names
    truth = "" if use_upload else f" (true: {names[tdata.y_test[index]]})"
    st.markdown(f"The network says **{names[guess]}**{truth}.")
    cols = st.columns([1, 5])
    ui.chart(cnn_plots.image_figure(probe, "input", height=200), f"{NS}.probe", cols[0])
    for name, maps in cnn.feature_maps(model, probe):
        cols[1].caption(f"{name}: {maps.shape[1]}×{maps.shape[0]}×{maps.shape[2]}")
        ui.chart(cnn_plots.feature_maps_figure(maps), f"{NS}.maps.{name}", cols[1])
    pred = record.artifacts["pred"]
    counts = cnn.confusion(tdata.y_test, pred, tdata.n_classes)
    st.markdown(f"**Confusion matrix** on {len(pred):,} test images ({np.mean(pred == tdata.y_test):.1%} "
                "correct). Click a cell to see its images.")
    # Not ui.chart: clicking a cell selects it, which ui.chart cannot pass on; same text alternative.
    event = st.plotly_chart(cnn_plots.confusion_figure(counts, names), key=f"{NS}.confusion",
                            on_select="rerun", selection_mode="points")
    with st.expander("Numbers behind this chart", icon=":material/table:"):
        st.caption(cnn.confusion_summary(counts, names))
        st.dataframe(pd.DataFrame(counts, index=list(names), columns=list(names)))
    points = [p for p in (event.selection.points if event else []) if p.get("customdata")]
    true_c, pred_c = points[0]["customdata"] if points else (None, None)
    idx = cnn.mistakes(tdata.y_test, pred, true_c, pred_c)
    st.caption(f"True {names[true_c]}, predicted {names[pred_c]}: {len(idx)} shown." if points
               else f"Misclassified test images ({len(idx)} shown).")
    if len(idx):
        captions = [f"{names[tdata.y_test[i]]}→{names[pred[i]]}" for i in idx]
        ui.chart(cnn_plots.gallery_figure([tdata.x_test[i] for i in idx], captions), f"{NS}.gallery",
                 summary="Test images, true → predicted: " + ", ".join(captions) + ".")

st.header("4 · Augmentation")
aug_kinds = cnn.augment_kinds(s)
for col, name in zip(st.columns(len(cnn.AUGMENTATIONS)), cnn.AUGMENTATIONS):
    controls(f"aug_{name}", col.checkbox, name,
             help="Slow on a CPU (about 10× the others)." if name == "rotation" else None)
example = data.x_test[min(s["test_index"], len(data.x_test) - 1)]
if aug_kinds:
    ui.chart(cnn_plots.augment_figure(cnn.augment_examples(example, aug_kinds, 4, s["seed"]), example),
             f"{NS}.augment_grid")
c1, c2 = st.columns(2)
controls("aug_n", c1.slider, "Training images for the twin run", step=100)
controls("aug_epochs", c2.slider, "Epochs for the twin run")


def pair_section(ns: str, labels: tuple[str, str], build, n_train: int, epochs: int) -> None:
    """Two runs on the same data and seed, curves overlaid, and what the difference means."""
    pair_view = st.empty()
    if ui.train_button(ns, "Train both", disabled=ns == f"{NS}.aug" and not aug_kinds):
        pair_data = load_data(n_train, s["seed"])
        done = {}
        for label in labels:
            model_ = build(label, pair_data)

            def render(u, tag, label=label):
                ui.chart(plots.history_figure({**done, label: u.history}, planned_epochs=epochs),
                         f"{tag}.{label}", numbers=False)
            rec = ui.train_live(ns, label, {"n_train": n_train, "epochs": epochs}, model_, pair_data,
                                TrainConfig(epochs, s["batch"], cnn.VALIDATION_FRACTION, s["seed"]), pair_view,
                                render, batch_updates=True, artifacts=lambda m=model_: {"params": m.count_params()})
            done[label] = rec.history
    latest = {r.label: r for r in ui.runs(ns)}
    if any(label not in latest for label in labels):
        pair_view.info("Press **Train both** to train the pair with the same data and seed.")
        return
    first, second = (latest[label] for label in labels)
    with pair_view.container():
        ui.chart(plots.history_figure({first.label: first.history, second.label: second.history}), f"{ns}.final")
        st.markdown(cnn.twin_lesson(first.label, first, second.label, second,
                                    first.artifacts.get("params"), second.artifacts.get("params")))
        st.caption(f"{first.label}: {cnn.speed_text(first)} · {second.label}: {cnn.speed_text(second)}")


base = replace(config, augment=())
augmented = replace(config, augment=aug_kinds)
pair_section(PAIRS[0], ("no augmentation", "with augmentation"),
             lambda label, d: cnn.build_cnn(augmented if label.startswith("with") else base,
                                            d.image_shape, d.n_classes),
             s["aug_n"], s["aug_epochs"])

st.header("5 · CNN vs dense")
st.markdown("A dense network of about the same size, on the same images and seed: it must learn "
            "every pixel position separately, while the CNN reuses each kernel everywhere.")
cnn_params = cnn.count_cnn_params(base, data.image_shape, data.n_classes)
hidden = cnn.dense_units_for(cnn_params, data.image_shape, data.n_classes)
pair_section(PAIRS[1], ("dense", "CNN"),
             lambda label, d: cnn.build_dense(hidden, d.image_shape, d.n_classes, seed=s["seed"])
             if label == "dense" else cnn.build_cnn(base, d.image_shape, d.n_classes),
             s["n_train"], s["epochs"])

if record is not None and "params" in record.artifacts:
    st.header("6 · What it means")
    st.markdown(cnn.cnn_lesson(record, record.artifacts["params"], int(record.settings["n_train"] * 0.8),
                               data.name))
