"""Your first neuron: one neuron draws a line; a small network bends it."""

import streamlit as st

from nnkit import boundary, explain, models, plots, ui
from nnkit.training import TrainConfig

NS = "neuron"
ui.init_state(NS, {"dataset": "moons", "noise": 0.2, "points": 600, "kind": "Small network",
                   "layers": 2, "units": 8, "activation": "tanh", "lr": 0.03, "epochs": 40,
                   "batch": 32, "seed": 0})
ui.recover_interrupted(NS)
state = st.session_state

st.title("Your first neuron")
st.markdown(
    "A neuron multiplies each input by a weight, adds a bias and squashes the sum: "
    "**f(w₁x₁ + w₂x₂ + b)**. Training nudges w and b downhill on the loss. Here you "
    "watch that happen on points in a plane, and see what one neuron can and cannot learn."
)

st.header("1 · The data")
c1, c2, c3 = st.columns(3)
c1.selectbox("Dataset", ["moons", "circles", "xor", "spiral"], key=ui.key(NS, "dataset"))
c2.slider("Noise", 0.0, 0.5, step=0.05, key=ui.key(NS, "noise"))
c3.slider("Points", 100, 2000, step=100, key=ui.key(NS, "points"))
dataset = ui.toy_dataset(state[ui.key(NS, "dataset")], state[ui.key(NS, "points")],
                         state[ui.key(NS, "noise")], state[ui.key(NS, "seed")])
st.caption(f"{dataset.description} 80% train, 20% held out for validation.")

st.header("2 · The model")
st.radio("Model", ["Single neuron", "Small network"], key=ui.key(NS, "kind"), horizontal=True)
c1, c2, c3 = st.columns(3)
single = state[ui.key(NS, "kind")] == "Single neuron"
c1.slider("Hidden layers", 1, 4, key=ui.key(NS, "layers"), disabled=single)
c2.slider("Units per layer", 2, 32, key=ui.key(NS, "units"), disabled=single)
c3.selectbox("Activation", ["tanh", "relu", "sigmoid", "elu"], key=ui.key(NS, "activation"),
             disabled=single)
c1.select_slider("Learning rate", [0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0],
                 key=ui.key(NS, "lr"))
c2.slider("Epochs", 1, 200, key=ui.key(NS, "epochs"))
c3.select_slider("Batch size", [1, 8, 16, 32, 64, 128, 256], key=ui.key(NS, "batch"))
hidden = () if single else (state[ui.key(NS, "units")],) * state[ui.key(NS, "layers")]
config = models.MLPConfig(hidden, state[ui.key(NS, "activation")], "adam", state[ui.key(NS, "lr")],
                          state[ui.key(NS, "seed")])
st.caption(f"Architecture: {models.describe(2, hidden, 1)}, sigmoid output, binary cross-entropy, Adam.")

st.header("3 · Train it")
clicked = ui.train_button(NS)
view = st.empty()


def draw(surface, history, points, epochs, tag):
    left, right = st.columns([1, 1.4])
    if surface is not None:
        left.plotly_chart(plots.decision_boundary_figure(*surface, *points), key=f"{tag}.boundary")
    else:
        left.info("No boundary for this run: it was cut off before it finished.")
    right.plotly_chart(plots.history_figure({"this run": history}, planned_epochs=epochs),
                       key=f"{tag}.curves")


if clicked:
    model = models.build_mlp(config, n_inputs=2, n_classes=2)
    grid_x, grid_y, points = boundary.grid_for(dataset.x)

    def surface():
        return grid_x, grid_y, boundary.probability_surface(model, grid_x, grid_y, points)

    def render(update, tag):
        draw(surface(), update.history, (dataset.x, dataset.y), update.epochs, tag)

    label = f"{'neuron' if single else f'{len(hidden)}×{hidden[0]} {config.activation}'}, lr {config.learning_rate}"
    settings = {k: state[ui.key(NS, k)] for k in ("dataset", "noise", "points", "kind", "layers",
                                                  "units", "activation", "lr", "epochs", "batch", "seed")}
    ui.train_live(NS, label, settings, model, dataset,
                  TrainConfig(state[ui.key(NS, "epochs")], state[ui.key(NS, "batch")], 0.2,
                              state[ui.key(NS, "seed")]),
                  view, render,
                  artifacts=lambda: {"surface": surface(), "points": (dataset.x, dataset.y)})

record = ui.last_run(NS)
if record is None:
    view.info("Press **Train** to fit the model; the boundary and curves update as it learns.")
else:
    with view.container():
        draw(record.artifacts.get("surface"), record.history,
             record.artifacts.get("points", (dataset.x, dataset.y)), record.epochs_run, f"{NS}.final")
        ui.show_outcome(record)

    st.header("4 · What it means")
    layers = 0 if record.settings["kind"] == "Single neuron" else record.settings["layers"]
    st.markdown(explain.boundary_lesson(record, layers, record.settings["dataset"]))

    st.header("Your runs")
    st.caption("Tick runs to overlay their curves. Runs live only in this browser session.")
    chosen = ui.runs_table(NS)
    if chosen:
        st.plotly_chart(plots.history_figure({f"{i + 1}. {r.label}": r.history for i, r in enumerate(chosen)}),
                        key=f"{NS}.compare")
