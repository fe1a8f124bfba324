"""CNN filters: what a convolution sees, and what a CNN learns on Fashion-MNIST."""

import numpy as np
import pandas as pd
import streamlit as st

from nnkit import plots, ui
from nnkit.core import images, metrics
from nnkit.core.training import TrainConfig
from nnkit.experiments.cnn_filters import convolution as conv
from nnkit.experiments.cnn_filters import figures, inside, lesson, predict
from nnkit.experiments.cnn_filters import model as cnn
from nnkit.experiments.cnn_filters.notebook import cnn_notebook

NS = "cnn_filters"
AUG, VS = f"{NS}.aug", f"{NS}.vs"  # sections 4 and 5 each compare a pair of runs
controls = ui.page_settings(NS, cnn.SETTINGS)
s = controls.values()  # widget changes reach session state before a rerun: these are this run's values
for ns in (NS, AUG, VS):
    ui.recover_interrupted(ns)


@st.cache_data(show_spinner="Loading images…", max_entries=4)
def load_data(n_train: int, seed: int) -> images.ImageDataset:
    return images.fashion_mnist(n_train, cnn.N_TEST, seed)


@st.cache_data(show_spinner="Reading the image…", max_entries=4)
def decode(data: bytes):
    try:
        return images.decode_upload(data), None
    except images.ImageError as exc:
        return None, str(exc)


@st.cache_resource(show_spinner=False, max_entries=2, scope="session")
def trained(fingerprint: str, _settings: dict, _shape: tuple, _n_classes: int, _weights: list):
    """The run's CNN rebuilt once from its kept weights (run records keep no models).

    Per session, not shared: twin learners' default runs have the same weights, and Keras's
    JAX `predict` detaches a model's variables while it runs, so a shared copy would break
    the other learner's concurrent `predict`."""
    return cnn.rebuild(_settings, _shape, _n_classes, _weights)


st.title("CNN filters")
st.markdown(
    "A dense layer looks at every pixel separately; a **convolution** slides one small kernel of "
    "weights over the whole image, so the same pattern detector works everywhere. Try hand-made "
    "kernels on a photo, then watch a real CNN learn its own kernels on Fashion-MNIST.")

st.header("1 · Convolution lab")
upload = st.file_uploader("Your own image (optional)", type=None, key=ui.key(NS, "upload"))
uploaded, (decoded, error) = None, decode(upload.getvalue()) if upload is not None else (None, None)
if error:
    st.error(error, icon=":material/broken_image:")
elif decoded is not None:
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
use_upload = s["photo"] == "your upload" and uploaded is not None
photo_name = s["photo"] if s["photo"] in images.PHOTOS else "chelsea (cat)"  # "your upload" with none uploaded
photo = uploaded if use_upload else images.load_photo(photo_name)
st.caption("Image: your upload." if use_upload else f"Photo: {photo_name} · {images.PHOTOS[photo_name].credit}.")
kernel_name, kernel = s["kernel"], conv.KERNELS.get(s["kernel"])
if kernel_name == "custom":
    controls("size", c4.radio, "Size", horizontal=True)
    grid = st.data_editor(conv.KERNELS["sharpen" if s["size"] == 3 else "Gaussian 5×5"],
                          key=ui.key(NS, f"grid{s['size']}"))
    try:
        kernel = conv.parse_kernel(np.asarray(grid).tolist())
    except conv.ConvError as exc:
        st.error(str(exc), icon=":material/grid_off:")
try:
    lab = conv.conv_lab(photo, kernel, s["stride"], s["padding"], s["pool"], s["pool_size"], s["colour"]) \
        if kernel is not None else None
except conv.ConvError as exc:
    st.error(str(exc), icon=":material/error:")
    lab = None
if lab is not None:
    for warning in lab.warnings:
        st.warning(warning, icon=":material/warning:")
    cols = st.columns([3, 2, 3, 3])
    ui.chart(figures.image_figure(lab.image, "input"), f"{NS}.lab.in", cols[0])
    ui.chart(figures.kernel_figure(lab.kernel), f"{NS}.lab.kernel", cols[1], conv.kernel_text(lab.kernel))
    ui.chart(figures.image_figure(lab.feature, "feature map", True), f"{NS}.lab.out", cols[2])
    if lab.pooled is not None:
        ui.chart(figures.image_figure(lab.pooled, f"{lab.pool} pooled", True), f"{NS}.lab.pool", cols[3])
    st.latex(r"y_{ij} = \sum_{m}\sum_{n} x_{i s + m,\, j s + n}\, K_{mn} \qquad "
             r"n_\text{out}^\text{valid} = \left\lfloor \frac{n - k}{s} \right\rfloor + 1 \qquad "
             r"n_\text{out}^\text{same} = \left\lceil \frac{n}{s} \right\rceil")
    st.markdown(lesson.arithmetic_text(*lab.image.shape[:2], lab.kernel.shape[0], lab.stride, lab.padding,
                                       lab.pool, lab.pool_size))
    st.markdown("**What just happened.** " + lesson.conv_story(lab, kernel_name))

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
clicked, view = ui.train_button(NS), ui.live_view(NS)


def draw(results, epochs, tag, numbers=True):
    run = list(results.values())[-1]  # the one CNN of this click
    left, right = st.columns([1.3, 1])
    ui.chart(plots.history_figure({"CNN": run["history"]}, planned_epochs=epochs), f"{tag}.curves", left,
             numbers=numbers)
    if run.get("filters") is not None:
        filters = run["filters"]
        ui.chart(figures.filters_figure(filters, "First-layer filters"), f"{tag}.filters", right,
                 f"{len(filters)} first-layer kernels of {filters.shape[1]}×{filters.shape[2]} weights "
                 "(blue negative, orange positive).", numbers)


if clicked:
    config, snaps = cnn.config_from(s), inside.make_filter_snapshots()  # filters at the start and each epoch end
    ui.train_variants(NS, [ui.Variant(
        f"CNN {config.filters} k{config.kernel_size}{' +aug' if config.augment else ''}",
        {k: s[k] for k in cnn.RUN_SETTINGS}, lambda: cnn.build_cnn(config, data.image_shape, data.n_classes), data,
        TrainConfig(s["epochs"], s["batch"], cnn.VALIDATION_FRACTION, s["seed"]),
        # Filters as of the last epoch end: syncing JAX weights mid-epoch races with training.
        live=lambda m, u: {"filters": snaps.snapshots[-1]}, keep=lambda m: inside.kept(m, snaps, data.x_test),
        callbacks=lambda m: (snaps,), batch_updates=True)], view, draw)

record = ui.last_run(NS)
if record is None:
    view.info("Press **Train** to fit the CNN; curves and first-layer filters redraw as it learns.")
else:
    rdata = load_data(record.settings["n_train"], record.settings["seed"])
    with view.container():
        draw(ui.results([record]), record.epochs_run, f"{NS}.final")
        ui.show_outcome(record, lesson.run_diagnosis(record, rdata.y))
        ui.show_prediction(NS, [record], predict.answer)
        if "arch" in record.artifacts:
            st.caption(record.artifacts["arch"])
            ui.chart(figures.filters_figure(record.artifacts["start"], "The same filters before training (random)"),
                     f"{NS}.start_filters")
        ui.download_buttons(NS, lambda: cnn_notebook(record.settings, record.message))
        ui.twin_run(NS, controls, record)

st.header("3 · Inside the trained net")
if record is None or "weights" not in record.artifacts:
    st.info("Train a CNN in section 2 (and let it finish) to look inside it.")
else:
    art = record.artifacts
    model = trained(cnn.weights_key(record.settings, art["weights"]), record.settings, rdata.image_shape,
                    rdata.n_classes, art["weights"])
    controls("test_index", st.slider, "Test image")
    index = min(s["test_index"], len(rdata.x_test) - 1)
    mine = uploaded is not None and st.checkbox("Use my upload instead", key=ui.key(NS, "use_upload"))
    probe, note = inside.fit_to_input(uploaded, rdata.image_shape) if mine else (rdata.x_test[index], "")
    names, guess = rdata.class_names, int(inside.predict(model, probe[None])[0])
    st.markdown(f"The network says **{names[guess]}**" + ("" if mine else f" (true: {names[rdata.y_test[index]]})")
                + f". {note}")
    cols = st.columns([1, 5])
    ui.chart(figures.image_figure(probe, "input", height=200), f"{NS}.probe", cols[0])
    for name, maps in inside.feature_maps(model, probe):
        cols[1].caption(f"{name}: {maps.shape[1]}×{maps.shape[0]}×{maps.shape[2]}")
        ui.chart(figures.feature_maps_figure(maps), f"{NS}.maps.{name}", cols[1])
    pred, y_test = art["pred"], rdata.y_test
    counts = metrics.confusion(y_test, pred, rdata.n_classes)
    st.markdown(f"**Confusion matrix** on {len(pred):,} test images ({np.mean(pred == y_test):.1%} correct). "
                "Click a cell to see its images.")
    # Not ui.chart: clicking a cell selects it, which ui.chart cannot pass on; same text alternative.
    event = st.plotly_chart(figures.confusion_figure(counts, names), key=f"{NS}.confusion", on_select="rerun",
                            selection_mode="points")
    with st.expander("Numbers behind this chart", icon=":material/table:"):
        st.caption(metrics.confusion_summary(counts, names))
        st.dataframe(pd.DataFrame(counts, index=list(names), columns=list(names)))
    points = [p for p in (event.selection.points if event else []) if p.get("customdata")]
    true_c, pred_c = points[0]["customdata"] if points else (None, None)
    idx = inside.mistakes(y_test, pred, true_c, pred_c)
    st.caption(f"True {names[true_c]}, predicted {names[pred_c]}: {len(idx)} shown." if points
               else f"Misclassified test images ({len(idx)} shown).")
    if len(idx):
        captions = [f"{names[y_test[i]]}→{names[pred[i]]}" for i in idx]
        ui.chart(figures.gallery_figure([rdata.x_test[i] for i in idx], captions), f"{NS}.gallery",
                 summary="Test images, true → predicted: " + ", ".join(captions) + ".")

st.header("4 · Augmentation")
aug_kinds = cnn.augment_kinds(s)
for col, name in zip(st.columns(len(cnn.AUGMENTATIONS)), cnn.AUGMENTATIONS):
    controls(f"aug_{name}", col.checkbox, name,
             help="Slow on a CPU (about 10× the others)." if name == "rotation" else None)
example = data.x_test[min(s["test_index"], len(data.x_test) - 1)]
if aug_kinds:
    ui.chart(figures.augment_figure(inside.augment_examples(example, aug_kinds, 4, s["seed"]), example),
             f"{NS}.augment_grid")
c1, c2 = st.columns(2)
controls("aug_n", c1.slider, "Training images for the twin run", step=100)
controls("aug_epochs", c2.slider, "Epochs for the twin run")


def draw_pair(results, epochs, tag, numbers):
    ui.chart(plots.history_figure({label: r["history"] for label, r in results.items()}, planned_epochs=epochs),
             f"{tag}.curves", numbers=numbers)


def pair_section(ns: str, labels: tuple[str, str], n_train: int, epochs: int, disabled: bool = False) -> None:
    """Two runs on the same data and seed, curves overlaid, and what the difference means."""
    pair_view, run_settings = ui.live_view(ns), {**s, "n_train": n_train, "epochs": epochs}
    if ui.train_button(ns, "Train both", disabled=disabled):
        d = load_data(n_train, s["seed"])
        config = TrainConfig(epochs, s["batch"], cnn.VALIDATION_FRACTION, s["seed"])
        ui.train_variants(ns, [ui.Variant(label, {"n_train": n_train, "epochs": epochs},
                                          lambda label=label: cnn.build_labelled(label, run_settings, d.image_shape,
                                                                                 d.n_classes),
                                          d, config, keep=lambda m: {"params": m.count_params()}, batch_updates=True)
                              for label in labels], pair_view, draw_pair)
    done = {r.label: r for r in ui.comparison_runs(ns)}
    if any(label not in done for label in labels):
        pair_view.info("Press **Train both** to train the pair with the same data and seed.")
        return
    first, second = (done[label] for label in labels)
    y = load_data(first.settings["n_train"], s["seed"]).y
    with pair_view.container():
        draw_pair(ui.results([first, second]), epochs, f"{ns}.final", True)
        for run in (first, second):
            ui.show_outcome(run, lesson.run_diagnosis(run, y))
        st.markdown(lesson.twin_lesson(first.label, first, second.label, second,
                                       first.artifacts.get("params"), second.artifacts.get("params")))
        st.caption(f"{first.label}: {lesson.speed_text(first)} · {second.label}: {lesson.speed_text(second)}")


pair_section(AUG, ("no augmentation", "with augmentation"), s["aug_n"], s["aug_epochs"], disabled=not aug_kinds)
st.header("5 · CNN vs dense")
st.markdown("A dense network of about the same size, on the same images and seed: it must learn "
            "every pixel position separately, while the CNN reuses each kernel everywhere.")
pair_section(VS, ("dense", "CNN"), s["n_train"], s["epochs"])

if record is not None and "params" in record.artifacts:
    st.header("6 · What it means")
    change = lesson.filter_change(record.artifacts["start"], record.artifacts["filters"])
    st.markdown(lesson.cnn_lesson(record, record.artifacts["params"], int(record.settings["n_train"] * 0.8),
                                  rdata.name, change))
