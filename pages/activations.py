"""Activation explorer: from one neuron's squashing function to vanishing gradients."""

from dataclasses import replace

import streamlit as st

from nnkit import plots, ui
from nnkit.core.diagnosis import classification_baseline
from nnkit.experiments.activations import figures as ap
from nnkit.experiments.activations import functions as fn
from nnkit.experiments.activations import lesson
from nnkit.experiments.activations import model as act
from nnkit.experiments.activations import predict
from nnkit.experiments.activations.notebook import activations_notebook
from nnkit.experiments.activations.probes import PROBE_BATCH, ProbedNetwork

NS, MOST, NAMES = "activations", act.MOST_COMPARED, act.KEYS_BY_LABEL
controls = ui.page_settings(NS, act.SETTINGS)
ui.recover_interrupted(NS)

st.title("Activation explorer")
st.markdown(
    "A neuron computes z = w·x + b and passes it through an **activation** f(z). The choice of f "
    "decides what the neuron can express and, through f'(z), how much gradient flows back to earlier "
    "layers. Here you see each function and its slope (both computed by Keras itself), one neuron at "
    "work, and then the same deep network trained with different activations side by side."
)

st.header("1 · The functions and their slopes")
c1, c2, c3, c4 = st.columns([3, 1, 1, 1.4])
controls("fns", c1.multiselect, "Activations")
zmin = controls("zmin", c2.number_input, "z from", step=1.0)
zmax = controls("zmax", c3.number_input, "z to", step=1.0)
slope = controls("slope", c4.slider, "Leaky ReLU slope a", step=0.01)
try:
    z = fn.z_grid(zmin, zmax)
except ValueError as err:
    st.error(f"Cannot plot this range: {err}.", icon=":material/error:")
    z = None
if z is not None and not controls.value("fns"):
    st.info("Pick at least one activation to plot.")
elif z is not None:
    curves = fn.curves({label: NAMES[label] for label in controls.value("fns")}, z, slope)
    chart, formulas = st.columns([3, 1.3])
    ui.chart(ap.function_figure(curves), ui.key(NS, "functions"), chart,
             summary=lesson.saturation_summary({n: c["saturated"] for n, c in curves.items()}))
    for label in curves:
        formulas.caption(label)
        formulas.latex(fn.formula(NAMES[label], slope))
        for note in fn.kink_notes(NAMES[label], slope, zmin, zmax):
            formulas.caption(note)
    st.caption("Dashed: f'(z) by autodiff of the Keras function. Shaded in each function's colour: "
               "|f'(z)| < 0.01, where the neuron is **saturated** and gradients vanish.")

st.subheader("Softmax: turning scores into probabilities")
c1, c2, c3 = st.columns([2, 2, 1.5])
controls("logits", c1.text_input, "Logits z (comma-separated)")
temp = controls("temp", c2.slider, "Temperature T", step=0.05)
c3.latex(act.SOFTMAX_LATEX)
try:
    logits = act.parse_logits(controls.value("logits"))
    probs = act.softmax_with_temperature(logits, temp)
    ui.chart(ap.softmax_figure(logits, probs, temp), ui.key(NS, "softmax"))
    st.caption("Low T sharpens towards the largest logit (arg-max); high T flattens towards uniform.")
except ValueError as err:
    st.error(f"Cannot read the logits: {err}.", icon=":material/error:")

st.header("2 · One neuron")
c1, c2, c3, c4 = st.columns(4)
controls("neuron", c1.selectbox, "Activation")
controls("w1", c2.slider, "Weight w₁", step=0.1)
controls("w2", c3.slider, "Weight w₂", step=0.1)
controls("b", c4.slider, "Bias b", step=0.1)
controls("x1", c2.slider, "Input x₁", step=0.1)
controls("x2", c3.slider, "Input x₂", step=0.1)
w1, w2, b, x1, x2 = (controls.value(n) for n in ("w1", "w2", "b", "x1", "x2"))
neuron = NAMES[controls.value("neuron")]
left, right = st.columns([1.4, 1])
ui.chart(ap.neuron_figure(*act.neuron_surface(w1, w2, b, neuron, slope), (x1, x2), controls.value("neuron")),
         ui.key(NS, "neuron_surface"), left)
right.markdown(lesson.neuron_readout(x1, x2, w1, w2, b, neuron, slope))
right.caption("The surface changes only along w = (w₁, w₂): the neuron can only tilt and shift one ramp.")

st.header("3 · The experiment: same network, different activations")
c1, c2, c3 = st.columns([3, 1.5, 1])
controls("compare", c1.multiselect, f"Activations to compare (up to {MOST})", max_selections=MOST)
controls("dataset", c2.selectbox, "Dataset")
controls("optimizer", c3.radio, "Optimizer", horizontal=True)
c1, c2, c3, c4 = st.columns(4)
controls("depth", c1.slider, "Hidden layers")
controls("width", c2.slider, "Units per layer")
controls("lr", c3.select_slider, "Learning rate")
controls("epochs", c4.slider, "Epochs")
controls("batch", c1.select_slider, "Batch size")
controls("seed", c2.number_input, "Seed", step=1, help="Same seed, same starting weights.")
controls.publish()
s = controls.values()
chosen = [NAMES[label] for label in s["compare"]]
data = act.load_dataset(s["dataset"], s["seed"])
st.caption(f"{data.description} Each network starts from the same seed, so the same initial weights; "
           "only the activation differs. Gradient norms and stuck units are measured live on a fixed "
           f"batch of {min(PROBE_BATCH, len(data.x))} examples.")
if not chosen:
    st.warning("Pick at least one activation to train.", icon=":material/warning:")
clicked = ui.train_button(NS, "Train all", disabled=not chosen)
view = ui.live_view(NS)


def draw(results, epochs, tag, numbers):
    """Curves, per-layer gradients, stuck units and (2-D) boundaries for every variant."""
    # Same top-level blocks live and final: the final draw reuses the live container, and an
    # element that shifts position would leave a live chart behind.
    ui.chart(plots.history_figure({n: r["history"] for n, r in results.items()}, planned_epochs=epochs),
             f"{tag}.curves", st.container(), numbers=numbers)
    probes = {n: r["probe"] for n, r in results.items() if r.get("probe", {}).get("grad_norms")}
    if probes:
        left, right = st.columns(2)
        layers = next(iter(probes.values()))["layers"]
        ui.chart(ap.gradient_norms_figure({n: p["grad_norms"] for n, p in probes.items()}, layers,
                                          {n: p.get("first_grad_norms") for n, p in probes.items()}),
                 f"{tag}.grads", left, numbers=numbers)
        ui.chart(ap.stuck_units_figure({n: p["stuck"] for n, p in probes.items()}), f"{tag}.stuck", right,
                 numbers=numbers)
    surfaces = {n: r["surface"] for n, r in results.items() if r.get("surface") is not None}
    for col, (name, surface) in zip(st.columns(max(1, len(surfaces))), surfaces.items()):
        ui.chart(plots.decision_boundary_figure(*surface, title=name), f"{tag}.boundary.{name}", col,
                 numbers=numbers)


if clicked:
    networks = [ProbedNetwork(key, s, data) for key in chosen]
    ui.train_variants(NS, [ui.Variant(n.label, n.settings, n.build, data, n.config, live=n.live, keep=n.keep)
                           for n in networks], view, draw)

records = ui.comparison_runs(NS)
if not records:
    view.info("Press **Train all** to train one network per chosen activation; curves, gradients "
              "and boundaries update live.")
else:
    first = records[0].settings
    baseline = classification_baseline(act.load_dataset(first["dataset"], first["seed"]).y)
    with view.container():
        draw(ui.results(records), max(r.settings["epochs"] for r in records), f"{NS}.final", True)
        for record in records:
            ui.show_outcome(replace(record, message=f"{record.label}: {record.message}"),
                            lesson.diagnosis_of(record, baseline))
        ui.show_prediction(NS, records, predict.answer)
        ui.download_buttons(NS, lambda: activations_notebook(
            first, [r.settings["activation"] for r in records], " ".join(f"{r.label}: {r.message}" for r in records)))
        ui.twin_run(NS, controls, records[-1])
    st.header("4 · What just happened")
    st.markdown(lesson.what_happened(records, first["dataset"], first["depth"], baseline))
