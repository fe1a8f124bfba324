"""Back-propagation by hand: the forward pass and the chain rule, every number checked against Keras."""

from dataclasses import replace

import streamlit as st

from nnkit import ui
from nnkit.core.diagnosis import diagnose
from nnkit.core.settings import Setting
from nnkit.core.training import TrainConfig
from nnkit.experiments.backprop import deep, figures, lesson
from nnkit.experiments.backprop import model as bp
from nnkit.experiments.backprop import predict
from nnkit.experiments.backprop import steps as sgd
from nnkit.experiments.backprop.chain import PARAMS, pretty
from nnkit.experiments.backprop.notebook import backprop_notebook

NS = "backprop"
R = bp.WEIGHT_RANGE
SETTINGS = (
    Setting("act", "sigmoid", choices=bp.ACTIVATIONS),
    Setting("loss", "log loss", choices=tuple(bp.LOSSES)),
    Setting("batch", bp.ONE, choices=(bp.ONE, bp.BATCH)),
    Setting("x1", 1.0, low=-2.0, high=2.0),
    Setting("x2", 0.5, low=-2.0, high=2.0),
    Setting("y", 1.0, low=0.0, high=1.0),
    *(Setting(name, value, low=-R, high=R) for name, value in bp.DEFAULT_PARAMS.items()),
    Setting("seed", 0, low=0, high=9999),
    Setting("lr", 1.0, choices=bp.LEARNING_RATES),
    Setting("steps", 1, low=1, high=50, workshop_high=20),
    Setting("deep_w", 1.0, low=0.1, high=3.0),
)
controls = ui.page_settings(NS, SETTINGS)
ui.init_state(NS, {"step": 0, "row": 1})
ui.recover_interrupted(NS)
state, k = st.session_state, lambda name: ui.key(NS, name)
for name, value in state.pop(k("pending"), {}).items():  # the last SGD step moves the sliders
    state[k(name)] = value


def randomise():
    for name, value in bp.random_params(state[k("seed")]).items():
        state[k(name)] = value


def move(by, total):
    state[k("step")] = min(max(state[k("step")] + by, 0), total)


st.title("Back-propagation by hand")
st.markdown(
    "Training needs one number per weight: how much the loss changes when that weight moves, ∂L/∂w. "
    "**Back-propagation** gets all of them with the chain rule, starting at the loss and walking back "
    "through the network, reusing each layer's result. Here you do it on a network small enough to read, "
    "and every number you see is checked against the real Keras model's own autodiff."
)

st.header("1 · A network you can read: 2 inputs → 2 hidden units → 1 output")
c1, c2, c3 = st.columns(3)
controls("act", c1.selectbox, "Hidden activation f")
controls("loss", c2.selectbox, "Loss")
controls("batch", c3.radio, "Training data")
c1, c2, c3 = st.columns(3)
controls("x1", c1.slider, "Input x₁", step=0.1)
controls("x2", c2.slider, "Input x₂", step=0.1)
controls("y", c3.slider, "Target y", step=0.05)
for names in (("w11", "w12", "b1"), ("w21", "w22", "b2"), ("v1", "v2", "c")):
    for col, name in zip(st.columns(3), names):
        controls(name, col.slider, f"{'Bias' if name[0] in 'bc' else 'Weight'} {pretty(name)}", step=0.01)
c1, c2 = st.columns([1, 2], vertical_alignment="bottom")
controls("seed", c1.number_input, "Seed", step=1)
c2.button("Random weights from the seed", key=k("random"), on_click=randomise, icon=":material/casino:",
          disabled=bool(controls.locked & set(PARAMS)))
s = controls.values()
worked = bp.work(s)
st.caption("The output unit is a sigmoid, ŷ = σ(v₁a₁ + v₂a₂ + c), so ŷ is a probability. "
           + ("The mini-batch is your example plus three rows drawn from the seed." if s["batch"] == bp.BATCH else ""))

st.header("2 · Forward pass, then the chain rule backwards")
total, index = len(worked.steps), state[k("step")]
cols = st.columns(4)
cols[0].button("Back", key=k("back"), on_click=move, args=(-1, total), disabled=index == 0, icon=":material/arrow_back:")
cols[1].button("Next step", key=k("next"), on_click=move, args=(1, total), disabled=index >= total,
               icon=":material/arrow_forward:")
cols[2].button("All steps", key=k("all"), on_click=move, args=(total, total))
cols[3].button("Start over", key=k("reset"), on_click=move, args=(-total, total))
row = 0
if s["batch"] == bp.BATCH:
    row = st.radio("Row shown on the diagram", list(range(1, len(worked.y) + 1)), key=k("row"), horizontal=True) - 1
revealed = [step[0] for step in worked.steps[:index]]
ui.chart(figures.network_figure(worked.params, worked.forward, worked.grads, revealed,
                                revealed[-1] if revealed else None, row), k("network"), numbers=False)
st.caption("Every value on the diagram, by hand and by Keras (the diagram's text alternative):")
st.dataframe(lesson.value_rows(worked), hide_index=True, height=240)
st.latex(lesson.loss_latex(s["loss"], worked.forward))
if index:
    st.markdown(f"**Step {index} of {total}.** " + lesson.step_text(worked, index - 1, row))
else:
    st.info(f"Press **Next step** to walk the chain rule back from the loss, one of {total} steps at a time.")
st.success(lesson.agreement(worked), icon=":material/check_circle:")

st.header("3 · One update: a step of gradient descent")
st.markdown("Each weight moves against its gradient: **w ← w − η·∂L/∂w**. The real model takes the step "
            "with `keras.optimizers.SGD` (one epoch over the whole batch is one step); the sliders then "
            "move to the new weights, so the next click continues from there.")
c1, c2 = st.columns(2)
controls("lr", c1.select_slider, "Learning rate η")
controls("steps", c2.slider, "Steps per click")
clicked = ui.train_button(NS, "Take an SGD step")
view = ui.live_view(NS)
if clicked:
    x, y = bp.rows(s)
    with bp.precision():  # float64 inside, as in section 2
        model = ui.Built(lambda: bp.build(bp.params_from(s), s["act"], s["loss"], s["lr"], s["seed"]))
        done = ui.train_live(NS, f"{s['act']}, {s['loss']}, η {s['lr']:g}", s, model, (x, y.reshape(-1, 1)),
                             TrainConfig(s["steps"], len(y), 0.0, s["seed"]), view,
                             lambda update, tag: ui.chart(figures.walk_figure(update.history["loss"]), tag,
                                                          numbers=False),
                             artifacts=lambda: sgd.keep(model.model, s))
    if "next" in done.artifacts:  # a step that failed moved no weights: its red box shows below
        state[k("pending")] = done.artifacts["next"]
        st.rerun()
record, walk = ui.last_run(NS), sgd.walk(ui.runs(NS))
if record is None:
    view.info("Press **Take an SGD step** to update every weight once; press it again to keep going.")
else:
    with view.container():
        if record.artifacts:
            st.dataframe(sgd.step_rows(record.artifacts, record.settings["steps"]), hide_index=True)
            record = replace(record, message=lesson.step_message(record.settings, record.artifacts))
        ui.chart(figures.walk_figure(walk or record.history.get("loss", [])), k("walk"))
        ui.show_outcome(record, diagnose({"loss": walk or record.history.get("loss", [])}, record.reason,
                                         metric=None))
        ui.show_prediction(NS, [ui.last_run(NS)], predict.answer)  # the kept run, not the reworded copy
        ui.download_buttons(NS, lambda: backprop_notebook(record.settings))
        ui.twin_run(NS, controls, record)

st.header("4 · Vanishing gradients in one picture")
st.markdown("Stack six one-unit layers and the chain rule multiplies one local derivative w·f′(z) per "
            "layer. With sigmoid every factor is at most 0.25·w; with ReLU it is w wherever the unit is on.")
controls("deep_w", st.slider, "Weight in every layer (input 1, biases 0)", step=0.05)
controls.publish()
with bp.precision():
    chains = deep.compare(s["deep_w"])
ui.chart(figures.deep_figure(chains, s["deep_w"]), k("deep"), summary=lesson.deep_summary(chains))
ui.page_link("pages/activations.py", "See it in training: 6-layer nets with each activation in the Activation "
             "explorer", ":material/show_chart:")

st.header("5 · What it means")
st.markdown(lesson.what_it_means(worked, walk, chains, record.settings["lr"] if record else None))
