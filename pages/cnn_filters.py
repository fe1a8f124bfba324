"""CNN filters: what a convolution sees, and what a CNN learns on Fashion-MNIST."""

from dataclasses import replace

import numpy as np
import streamlit as st

from nnkit import cnn, cnn_plots, images, plots, ui
from nnkit.training import TrainConfig

NS = "cnn"
TWINS = {"aug": (f"{NS}.aug_off", f"{NS}.aug_on"), "vs": (f"{NS}.vs_dense", f"{NS}.vs_cnn")}
ui.init_state(NS, {"photo": "chelsea (cat)", "kernel": "Sobel x (vertical edges)", "size": 3,
                   "stride": 1, "padding": "valid", "pool": "max", "pool_size": 2, "colour": False,
                   "n_train": 3000, "filters": 8, "depth": 2, "ksize": 3, "dropout": 0.2,
                   "augment": False, "epochs": 3, "batch": 32, "seed": 0, "test_index": 0,
                   "aug_n": 1000, "aug_epochs": 5, "aug_kinds": ["flip", "translation", "zoom"]})
for ns in (NS, *TWINS["aug"], *TWINS["vs"]):
    ui.recover_interrupted(ns)
state = st.session_state
s = lambda name: state[ui.key(NS, name)]  # noqa: E731


@st.cache_data(show_spinner="Loading images…", max_entries=4)
def load_data(n_train: int, seed: int) -> images.ImageDataset:
    return images.fashion_mnist(n_train, 1000, seed)


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
c1.selectbox("Photo", (["your upload"] if uploaded is not None else []) + list(images.PHOTOS),
             key=ui.key(NS, "photo"))
c2.selectbox("Kernel", [*cnn.KERNELS, "custom"], key=ui.key(NS, "kernel"))
c3.slider("Stride", 1, 16, key=ui.key(NS, "stride"))
c4.radio("Padding", ["valid", "same"], key=ui.key(NS, "padding"), horizontal=True)
c1.checkbox("Colour (DepthwiseConv2D per channel)", key=ui.key(NS, "colour"))
c2.selectbox("Pooling", ["none", "max", "average"], key=ui.key(NS, "pool"))
c3.slider("Pool size", 2, 4, key=ui.key(NS, "pool_size"))
photo = uploaded if s("photo") == "your upload" and uploaded is not None else \
    images.load_photo(s("photo") if s("photo") in images.PHOTOS else "chelsea (cat)")
if s("photo") in images.PHOTOS and photo is not uploaded:
    st.caption(f"Photo: {images.PHOTOS[s('photo')].credit}.")
kernel_name, kernel = s("kernel"), cnn.KERNELS.get(s("kernel"))
if kernel_name == "custom":
    c4.radio("Size", [3, 5], key=ui.key(NS, "size"), horizontal=True)
    grid = st.data_editor(cnn.KERNELS["sharpen"] if s("size") == 3 else cnn.KERNELS["Gaussian 5×5"],
                          key=ui.key(NS, f"grid{s('size')}"))
    try:
        kernel = cnn.parse_kernel(np.asarray(grid).tolist())
    except cnn.ConvError as exc:
        st.error(str(exc), icon=":material/grid_off:")
if kernel is not None:
    try:
        lab = cnn.conv_lab(photo, kernel, s("stride"), s("padding"), s("pool"), s("pool_size"), s("colour"))
    except cnn.ConvError as exc:
        st.error(str(exc), icon=":material/error:")
        lab = None
    if lab is not None:
        for warning in lab.warnings:
            st.warning(warning, icon=":material/warning:")
        cols = st.columns([3, 2, 3, 3])
        cols[0].plotly_chart(cnn_plots.image_figure(lab.image, "input"), key=f"{NS}.lab.in")
        cols[1].plotly_chart(cnn_plots.kernel_figure(lab.kernel), key=f"{NS}.lab.kernel")
        cols[2].plotly_chart(cnn_plots.image_figure(lab.feature, "feature map", True), key=f"{NS}.lab.out")
        if lab.pooled is not None:
            cols[3].plotly_chart(cnn_plots.image_figure(lab.pooled, f"{lab.pool} pooled", True),
                                 key=f"{NS}.lab.pool")
        st.latex(r"y_{ij} = \sum_{m}\sum_{n} x_{i s + m,\, j s + n}\, K_{mn} \qquad "
                 r"n_\text{out}^\text{valid} = \left\lfloor \frac{n - k}{s} \right\rfloor + 1 \qquad "
                 r"n_\text{out}^\text{same} = \left\lceil \frac{n}{s} \right\rceil")
        h, w = lab.image.shape[:2]
        st.markdown(cnn.arithmetic_text(h, w, lab.kernel.shape[0], lab.stride, lab.padding,
                                        lab.pool, lab.pool_size))
        st.markdown("**What just happened.** " + cnn.conv_story(lab, kernel_name))

st.header("2 · Train a CNN")
c1, c2, c3, c4 = st.columns(4)
c1.slider("Training images", 500, 10000, step=500, key=ui.key(NS, "n_train"))
c2.slider("Filters in layer 1", 2, 32, key=ui.key(NS, "filters"), help="Each deeper layer doubles it.")
c3.slider("Conv layers", 1, 3, key=ui.key(NS, "depth"))
c4.radio("Kernel size", [3, 5], key=ui.key(NS, "ksize"), horizontal=True)
c1.slider("Dropout", 0.0, 0.7, step=0.1, key=ui.key(NS, "dropout"))
c2.slider("Epochs", 1, 15, key=ui.key(NS, "epochs"))
c3.select_slider("Batch size", [16, 32, 64, 128], key=ui.key(NS, "batch"))
c4.toggle("Data augmentation", key=ui.key(NS, "augment"), help="Uses the augmentations chosen in section 4.")
data = load_data(s("n_train"), s("seed"))
(st.info if data.notes else st.caption)(f"**{data.name}**: {data.description} Source: {data.source}. "
                                        + " ".join(data.notes) + " 20% of the training images are "
                                        "held out for validation.")
config = cnn.CNNConfig(tuple(s("filters") * 2 ** i for i in range(s("depth"))), s("ksize"), s("dropout"),
                       tuple(s("aug_kinds")) if s("augment") else (), seed=s("seed"))
train_cfg = TrainConfig(s("epochs"), s("batch"), 0.2, s("seed"))
settings = {k: s(k) for k in ("n_train", "filters", "depth", "ksize", "dropout", "augment", "epochs",
                              "batch", "seed")}
clicked = ui.train_button(NS)
view = st.empty()


def draw(history, filters, epochs, tag):
    left, right = st.columns([1.3, 1])
    left.plotly_chart(plots.history_figure({"CNN": history}, planned_epochs=epochs), key=f"{tag}.curves")
    if filters is not None:
        right.plotly_chart(cnn_plots.filters_figure(filters, "First-layer filters"), key=f"{tag}.filters")


if clicked:
    model = cnn.build_cnn(config, data.image_shape, data.n_classes)
    state.pop(ui.key(NS, "model"), None)
    start_filters = cnn.first_layer_filters(model)
    ui.train_live(NS, f"CNN {config.filters} k{config.kernel_size}{' +aug' if config.augment else ''}",
                  settings, model, data, train_cfg, view,
                  lambda u, tag: draw(u.history, cnn.first_layer_filters(model), u.epochs, tag),
                  batch_updates=True,
                  artifacts=lambda: {"filters": cnn.first_layer_filters(model), "start": start_filters,
                                     "pred": cnn.predict(model, data.x_test), "params": model.count_params(),
                                     "arch": cnn.architecture_text(model)})
    state[ui.key(NS, "model")] = (model, settings)

record = ui.last_run(NS)
model, model_settings = state.get(ui.key(NS, "model"), (None, None))
if record is None:
    view.info("Press **Train** to fit the CNN; curves and first-layer filters redraw as it learns.")
else:
    with view.container():
        draw(record.history, record.artifacts.get("filters"), record.epochs_run, f"{NS}.final")
        ui.show_outcome(record)
        if "arch" in record.artifacts:
            st.caption(record.artifacts["arch"])
            st.plotly_chart(cnn_plots.filters_figure(record.artifacts["start"], "The same filters before "
                                                     "training (random)"), key=f"{NS}.start_filters")

st.header("3 · Inside the trained net")
if model is None or record is None or "pred" not in record.artifacts or model_settings != record.settings:
    st.info("Train a CNN in section 2 (and let it finish) to look inside it.")
else:
    tdata = load_data(model_settings["n_train"], model_settings["seed"])
    st.slider("Test image", 0, len(tdata.x_test) - 1, key=ui.key(NS, "test_index"))
    use_upload = uploaded is not None and st.checkbox("Use my upload instead", key=ui.key(NS, "use_upload"))
    probe, note = (cnn.fit_to_input(uploaded, tdata.image_shape) if use_upload
                   else (tdata.x_test[s("test_index")], ""))
    if note:
        st.caption(note)
    guess = int(cnn.predict(model, probe[None])[0])
    truth = "" if use_upload else f" (true: {tdata.class_names[tdata.y_test[s('test_index')]]})"
    st.markdown(f"The network says **{tdata.class_names[guess]}**{truth}.")
    cols = st.columns([1, 5])
    cols[0].plotly_chart(cnn_plots.image_figure(probe, "input", height=200), key=f"{NS}.probe")
    for name, maps in cnn.feature_maps(model, probe):
        cols[1].caption(f"{name}: {maps.shape[1]}×{maps.shape[0]}×{maps.shape[2]}")
        cols[1].plotly_chart(cnn_plots.feature_maps_figure(maps), key=f"{NS}.maps.{name}")
    pred = record.artifacts["pred"]
    counts = cnn.confusion(tdata.y_test, pred, tdata.n_classes)
    st.markdown(f"**Confusion matrix** on {len(pred):,} test images ({np.mean(pred == tdata.y_test):.1%} "
                "correct). Click a cell to see its images.")
    event = st.plotly_chart(cnn_plots.confusion_figure(counts, tdata.class_names), key=f"{NS}.confusion",
                            on_select="rerun", selection_mode="points")
    points = [p for p in (event.selection.points if event else []) if p.get("customdata")]
    true_c, pred_c = points[0]["customdata"] if points else (None, None)
    idx = cnn.mistakes(tdata.y_test, pred, true_c, pred_c)
    names = tdata.class_names
    st.caption(f"True {names[true_c]}, predicted {names[pred_c]}: {len(idx)} shown." if points
               else f"Misclassified test images ({len(idx)} shown).")
    if len(idx):
        st.plotly_chart(cnn_plots.gallery_figure([tdata.x_test[i] for i in idx],
                                                 [f"{names[tdata.y_test[i]]}→{names[pred[i]]}" for i in idx]),
                        key=f"{NS}.gallery")

st.header("4 · Augmentation")
st.multiselect("Augmentations", list(cnn.AUGMENTATIONS), key=ui.key(NS, "aug_kinds"),
               help="Rotation is slow on a CPU (about 10× the others).")
example = data.x_test[min(s("test_index"), len(data.x_test) - 1)]
if s("aug_kinds"):
    st.plotly_chart(cnn_plots.augment_figure(cnn.augment_examples(example, s("aug_kinds"), 4, s("seed")),
                                             example), key=f"{NS}.augment_grid")
c1, c2 = st.columns(2)
c1.slider("Training images for the twin run", 200, 3000, step=100, key=ui.key(NS, "aug_n"))
c2.slider("Epochs for the twin run", 2, 15, key=ui.key(NS, "aug_epochs"))


def twin_section(name: str, labels: tuple[str, str], build, n_train: int, epochs: int) -> None:
    """Two runs on the same data and seed, curves overlaid, and what the difference means."""
    twin_view = st.empty()
    if ui.train_button(f"{NS}.{name}", "Train both", disabled=name == "aug" and not s("aug_kinds")):
        tw_data = load_data(n_train, s("seed"))
        done = {}
        for label, ns in zip(labels, TWINS[name]):
            model_ = build(label, tw_data)

            def render(u, tag, label=label):
                with twin_view.container():
                    st.plotly_chart(plots.history_figure({**done, label: u.history}, planned_epochs=epochs),
                                    key=f"{tag}.twin")
            rec = ui.train_live(ns, label, {"n_train": n_train, "epochs": epochs}, model_, tw_data,
                                TrainConfig(epochs, s("batch"), 0.2, s("seed")), twin_view, render,
                                batch_updates=True, artifacts=lambda m=model_: {"params": m.count_params()})
            done[label] = rec.history
    first, second = (ui.last_run(ns) for ns in TWINS[name])
    if first is None or second is None:
        twin_view.info("Press **Train both** to train the pair with the same data and seed.")
        return
    with twin_view.container():
        st.plotly_chart(plots.history_figure({first.label: first.history, second.label: second.history}),
                        key=f"{NS}.{name}.final")
        st.markdown(cnn.twin_lesson(first.label, first, second.label, second,
                                    first.artifacts.get("params"), second.artifacts.get("params")))
        st.caption(f"{first.label}: {cnn.speed_text(first)} · {second.label}: {cnn.speed_text(second)}")


base = replace(config, augment=())
augmented = replace(config, augment=tuple(s("aug_kinds")))
twin_section("aug", ("no augmentation", "with augmentation"),
             lambda label, d: cnn.build_cnn(augmented if label.startswith("with") else base,
                                            d.image_shape, d.n_classes),
             s("aug_n"), s("aug_epochs"))

st.header("5 · CNN vs dense")
st.markdown("A dense network of about the same size, on the same images and seed: it must learn "
            "every pixel position separately, while the CNN reuses each kernel everywhere.")
cnn_params = cnn.count_cnn_params(base, data.image_shape, data.n_classes)
hidden = cnn.dense_units_for(cnn_params, data.image_shape, data.n_classes)
twin_section("vs", ("dense", "CNN"),
             lambda label, d: cnn.build_dense(hidden, d.image_shape, d.n_classes, seed=s("seed"))
             if label == "dense" else cnn.build_cnn(base, d.image_shape, d.n_classes),
             s("n_train"), s("epochs"))

if record is not None and "params" in record.artifacts:
    st.header("6 · What it means")
    st.markdown(cnn.cnn_lesson(record, record.artifacts["params"], int(record.settings["n_train"] * 0.8),
                               data.name))
