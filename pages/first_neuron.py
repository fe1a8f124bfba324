"""Your first neuron: one neuron draws a line; a small network bends it."""

import streamlit as st

from nnkit import plots, ui
from nnkit.core.boundary import BoundaryWatch
from nnkit.experiments.first_neuron import lesson
from nnkit.experiments.first_neuron import model as first
from nnkit.experiments.first_neuron import predict
from nnkit.experiments.first_neuron.notebook import first_neuron_notebook

NS = "first_neuron"
controls = ui.page_settings(NS, first.SETTINGS)
ui.recover_interrupted(NS)

st.title("Your first neuron")
st.markdown(
    "A neuron multiplies each input by a weight, adds a bias and squashes the sum: "
    "**f(w₁x₁ + w₂x₂ + b)**. Training nudges w and b downhill on the loss. Here you "
    "watch that happen on points in a plane, and see what one neuron can and cannot learn."
)

st.header("1 · The data")
c1, c2, c3 = st.columns(3)
controls("dataset", c1.selectbox, "Dataset")
controls("noise", c2.slider, "Noise", step=0.05)
controls("points", c3.slider, "Points", step=100)

st.header("2 · The model")
controls("kind", st.radio, "Model", horizontal=True)
single = controls.value("kind") == first.SINGLE
c1, c2, c3 = st.columns(3)
controls("layers", c1.slider, "Hidden layers", disabled=single)
controls("units", c2.slider, "Units per layer", disabled=single)
controls("activation", c3.selectbox, "Activation", disabled=single)
controls("lr", c1.select_slider, "Learning rate")
controls("epochs", c2.slider, "Epochs")
controls("batch", c3.select_slider, "Batch size")
controls("seed", c1.number_input, "Seed (same seed, same starting weights)", step=1)
controls.publish()
s = controls.values()

dataset = ui.toy_dataset(s["dataset"], s["points"], s["noise"], s["seed"])
st.caption(f"{dataset.description} 80% train, 20% held out for validation.")
st.caption(first.architecture(s))

st.header("3 · Train it")
clicked = ui.train_button(NS)
view = ui.live_view(NS)


def draw(surface, history, epochs, tag, numbers=True):
    left, right = st.columns([1, 1.4])
    if surface is not None:
        ui.chart(plots.decision_boundary_figure(*surface), f"{tag}.boundary", left, numbers=numbers)
    else:
        left.info("No boundary for this run: it was cut off before it finished.")
    ui.chart(plots.history_figure({"this run": history}, planned_epochs=epochs), f"{tag}.curves", right,
             numbers=numbers)


if clicked:
    model, watch = ui.Built(lambda: first.build(s)), BoundaryWatch(dataset.x, dataset.y)
    ui.train_live(NS, first.run_label(s), s, model, dataset, first.train_config(s), view,
                  lambda update, tag: draw(watch.surface(model.model), update.history, update.epochs, tag, False),
                  artifacts=lambda: {"surface": watch.surface(model.model)})

record = ui.last_run(NS)
if record is None:
    view.info("Press **Train** to fit the model; the boundary and curves update as it learns.")
else:
    diagnosis = lesson.diagnosis_of(record, dataset.y)
    with view.container():
        draw(record.artifacts.get("surface"), record.history, record.epochs_run, f"{NS}.final")
        ui.show_outcome(record, diagnosis)
        ui.show_prediction(NS, [record], predict.answer)
        ui.download_buttons(NS, lambda: first_neuron_notebook(record.settings, record.message))
        ui.twin_run(NS, controls, record)

    st.header("4 · What it means")
    st.markdown(lesson.boundary_lesson(record, diagnosis))

    st.header("Your runs")
    st.caption("Tick runs to overlay their curves. Runs live only in this browser session.")
    chosen = ui.runs_table(NS)
    if chosen:
        ui.chart(plots.history_figure({f"{i + 1}. {r.label}": r.history for i, r in enumerate(chosen)}),
                 f"{NS}.compare")
