"""Activation explorer: from one neuron's squashing function to vanishing gradients."""

from dataclasses import replace

import streamlit as st

from nnkit import activation_plots as ap, activations as act, boundary, plots, ui
from nnkit.training import TrainConfig

NS, SLOTS = "act", 4  # one ui namespace per compared activation ("act.v0" …), see below
NAMES = {a.label: k for k, a in act.ACTIVATIONS.items()}
ui.init_state(NS, {"fns": ["sigmoid", "tanh", "ReLU"], "zmin": -6.0, "zmax": 6.0, "slope": 0.2,
                   "logits": "2, 1, 0.1, -1", "temp": 1.0, "neuron": "sigmoid", "w1": 1.5,
                   "w2": -1.0, "b": 0.5, "x1": 1.0, "x2": 0.5, "compare": ["sigmoid", "tanh", "ReLU"],
                   "dataset": "moons", "depth": 6, "width": 16, "optimizer": "sgd", "lr": 0.1,
                   "epochs": 15, "batch": 32, "seed": 0, "group": 0})
slots = [f"{NS}.v{i}" for i in range(SLOTS)]  # train_live's Stop key must differ per variant
for slot in slots:
    ui.recover_interrupted(slot)
state, k = st.session_state, lambda name: ui.key(NS, name)

st.title("Activation explorer")
st.markdown(
    "A neuron computes z = w·x + b and passes it through an **activation** f(z). The choice of f "
    "decides what the neuron can express and, through f'(z), how much gradient flows back to earlier "
    "layers. Here you see each function and its slope (both computed by Keras itself), one neuron at "
    "work, and then the same deep network trained with different activations side by side."
)

st.header("1 · The functions and their slopes")
c1, c2, c3, c4 = st.columns([3, 1, 1, 1.4])
c1.multiselect("Activations", list(NAMES), key=k("fns"))
c2.number_input("z from", step=1.0, key=k("zmin"))
c3.number_input("z to", step=1.0, key=k("zmax"))
c4.slider("Leaky ReLU slope a", 0.01, 0.5, step=0.01, key=k("slope"))
slope = state[k("slope")]
try:
    z = act.z_grid(state[k("zmin")], state[k("zmax")])
except ValueError as err:
    st.error(f"Cannot plot this range: {err}.", icon=":material/error:")
    z = None
if z is not None and not state[k("fns")]:
    st.info("Pick at least one activation to plot.")
elif z is not None:
    curves = {}
    for label in state[k("fns")]:
        df = act.derivative(NAMES[label], z, slope)
        curves[label] = {"z": z, "f": act.values(NAMES[label], z, slope), "df": df,
                         "saturated": act.saturated_intervals(z, df)}
    chart, formulas = st.columns([3, 1.3])
    ui.chart(ap.function_figure(curves), k("functions"), chart,
             summary=act.saturation_summary({n: c["saturated"] for n, c in curves.items()}))
    for label in curves:
        formulas.caption(label)
        formulas.latex(act.ACTIVATIONS[NAMES[label]].latex.replace(r"a\,z", rf"{slope:g}\,z"))
    st.caption("Dashed: f'(z) by autodiff of the Keras function. Shaded in each function's colour: "
               "|f'(z)| < 0.01, where the neuron is **saturated** and gradients vanish.")

st.subheader("Softmax: turning scores into probabilities")
c1, c2, c3 = st.columns([2, 2, 1.5])
c1.text_input("Logits z (comma-separated)", key=k("logits"))
c2.slider("Temperature T", 0.05, 10.0, step=0.05, key=k("temp"))
c3.latex(act.SOFTMAX_LATEX)
try:
    logits = act.parse_logits(state[k("logits")])
    probs = act.softmax_with_temperature(logits, state[k("temp")])
    ui.chart(ap.softmax_figure(logits, probs, state[k("temp")]), k("softmax"))
    st.caption("Low T sharpens towards the largest logit (arg-max); high T flattens towards uniform.")
except ValueError as err:
    st.error(f"Cannot read the logits: {err}.", icon=":material/error:")

st.header("2 · One neuron")
c1, c2, c3, c4 = st.columns(4)
c1.selectbox("Activation", list(NAMES), key=k("neuron"))
c2.slider("Weight w₁", -5.0, 5.0, step=0.1, key=k("w1"))
c3.slider("Weight w₂", -5.0, 5.0, step=0.1, key=k("w2"))
c4.slider("Bias b", -5.0, 5.0, step=0.1, key=k("b"))
c2.slider("Input x₁", -3.0, 3.0, step=0.1, key=k("x1"))
c3.slider("Input x₂", -3.0, 3.0, step=0.1, key=k("x2"))
w1, w2, b, x1, x2 = (state[k(n)] for n in ("w1", "w2", "b", "x1", "x2"))
neuron = NAMES[state[k("neuron")]]
left, right = st.columns([1.4, 1])
ui.chart(ap.neuron_figure(*act.neuron_surface(w1, w2, b, neuron, slope), (x1, x2), state[k("neuron")]),
         k("neuron_surface"), left)
right.markdown(act.neuron_readout(x1, x2, w1, w2, b, neuron, slope))
right.caption("The surface changes only along w = (w₁, w₂): the neuron can only tilt and shift one ramp.")

st.header("3 · The experiment: same network, different activations")
c1, c2, c3 = st.columns([3, 1.5, 1])
c1.multiselect("Activations to compare (up to 4)", list(NAMES), key=k("compare"), max_selections=SLOTS)
c2.selectbox("Dataset", ["moons", "circles", "xor", "spiral", "digits", "breast cancer"], key=k("dataset"))
c3.radio("Optimizer", ["sgd", "adam"], key=k("optimizer"), horizontal=True)
c1, c2, c3, c4 = st.columns(4)
c1.slider("Hidden layers", 1, 10, key=k("depth"))
c2.slider("Units per layer", 2, 64, key=k("width"))
c3.select_slider("Learning rate", [0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0], key=k("lr"))
c4.slider("Epochs", 1, 100, key=k("epochs"))
chosen = [NAMES[label] for label in state[k("compare")]][:SLOTS]
data = act.load_dataset(state[k("dataset")], state[k("seed")])
st.caption(f"{data.description} Each network starts from the same seed, so the same initial weights; "
           "only the activation differs. Gradient norms and stuck units are measured live on a fixed "
           f"batch of {min(act.PROBE_BATCH, len(data.x))} examples.")
if not chosen:
    st.warning("Pick at least one activation to train.", icon=":material/warning:")
clicked = ui.train_button(NS, "Train all", disabled=not chosen)
view = st.empty()
two_d = data.n_features == 2
grid = boundary.grid_for(data.x, resolution=50) if two_d else None


def draw(results, epochs, tag):
    """Curves, per-layer gradients, stuck units and (2-D) boundaries for every variant."""
    # Same top-level blocks live and final: the final draw reuses the live container, and an
    # element that shifts position would leave a live chart behind.
    numbers = tag.endswith("final")  # the numbers tables are for the settled result only
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


def record_results(group):
    """This comparison's finished (or cut-off) runs, as draw() wants them."""
    records = [r for r in (ui.last_run(s) for s in slots) if r and r.settings.get("group") == group]
    return records, {r.label: {"history": r.history, **r.artifacts} for r in records}


def train_variant(i, key, group):
    model = act.build_network(key, data.n_features, max(2, len(data.class_names)), state[k("depth")],
                              state[k("width")], state[k("optimizer")], state[k("lr")], state[k("seed")],
                              slope)
    probe = act.LayerProbe(model, data.x, data.y, key, slope, state[k("seed")])
    probe.measure(0)  # the untrained network: where vanishing gradients show most clearly
    label = act.ACTIVATIONS[key].label
    # The points travel with the surface, so an old run is redrawn on its own data.
    surface = ((lambda: (*grid[:2], boundary.probability_surface(model, *grid), data.x, data.y))
               if two_d else (lambda: None))

    def render(update, tag):
        probe.measure(update.epoch)
        done = record_results(group)[1]
        draw({**done, label: {"history": update.history, "probe": probe.latest(), "surface": surface()}},
             update.epochs, tag)

    names = ("dataset", "depth", "width", "optimizer", "lr", "epochs", "batch", "seed")
    settings = {n: state[k(n)] for n in names}
    ui.train_live(slots[i], label, {**settings, "activation": key, "slope": slope, "group": group}, model,
                  data, TrainConfig(state[k("epochs")], state[k("batch")], 0.2, state[k("seed")]), view,
                  render, artifacts=lambda: {"probe": probe.latest(), "surface": surface()})


if clicked:
    state[k("group")] += 1
    for i, key in enumerate(chosen):
        train_variant(i, key, state[k("group")])

records, results = record_results(state[k("group")])
if not records:
    view.info("Press **Train all** to train one network per chosen activation; curves, gradients "
              "and boundaries update live.")
else:
    with view.container():
        draw(results, max(r.settings["epochs"] for r in records), f"{NS}.final")
        for record in records:
            ui.show_outcome(replace(record, message=f"{record.label}: {record.message}"))
    st.header("4 · What just happened")
    first = records[0].settings
    chance = act.majority_share(act.load_dataset(first["dataset"], first["seed"]).y)
    st.markdown(act.what_happened(records, first["dataset"], first["depth"], chance))
