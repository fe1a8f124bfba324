"""GANs: a generator and a discriminator learning against each other on 2-D points."""

import streamlit as st

from nnkit import ui
from nnkit.experiments.gans import figures, lesson, predict
from nnkit.experiments.gans import model as gans
from nnkit.experiments.gans.notebook import gans_notebook
from nnkit.experiments.gans.targets import TARGETS
from nnkit.experiments.gans.watch import GANWatch

NS = "gans"
controls = ui.page_settings(NS, gans.SETTINGS)
ui.recover_interrupted(NS)

st.title("GANs: two networks learning against each other")
st.markdown(
    "A **generator** G turns random noise into points; a **discriminator** D looks at a point and says how "
    "likely it is real. They train in turns: D learns to tell G's points from real ones, then G learns to "
    "move its points to where D says *real*. Nobody shows G the data: everything it learns comes through "
    "D's gradient. Watch both, live, in the plane (as in GAN Lab), and see the three ways the game goes wrong."
)

st.header("1 · The target")
c1, c2 = st.columns(2)
controls("target", c1.selectbox, "Real points: the distribution G must imitate")
controls("points", c2.slider, "Real points", step=256)
target = controls.value("target")
st.caption(f"The target: {TARGETS[target]}, counted as {lesson.n_modes(target)} modes (places G's points must "
           "reach). A mode counts as covered when it holds at least a quarter of its fair share of G's points.")

st.header("2 · The two networks and their game")
g, d = st.columns(2)
g.markdown("**Generator G** (noise → point)")
controls("noise_dim", g.slider, "Noise dimensions")
controls("g_width", g.select_slider, "G: units per layer")
controls("g_depth", g.slider, "G: hidden layers")
controls("g_optimizer", g.selectbox, "G: optimiser")
controls("g_lr", g.select_slider, "G: learning rate")
d.markdown("**Discriminator D** (point → P(real))")
controls("d_steps", d.slider, "D steps per G step")
controls("d_width", d.select_slider, "D: units per layer")
controls("d_depth", d.slider, "D: hidden layers")
controls("d_optimizer", d.selectbox, "D: optimiser")
controls("d_lr", d.select_slider, "D: learning rate")
c1, c2, c3, c4 = st.columns(4)
controls("g_loss", c1.selectbox, "G's loss", help="non-saturating: G maximises log D(G(z)); minimax: G "
         "minimises log(1 − D(G(z))), the original game, flat where D is sure")
controls("epochs", c2.slider, "Epochs")
controls("batch", c3.select_slider, "Batch size")
controls("seed", c4.number_input, "Seed (same seed, same starting weights and noise)", step=1)
controls.publish()
s = controls.values()
st.caption(gans.architecture(s) + f" Each epoch is {gans.steps_per_epoch(s)} training steps of "
           f"{s['d_steps']} D step{'s' if s['d_steps'] > 1 else ''} then one G step; Adam uses β₁ = 0.5.")
if note := lesson.settings_note(s):
    st.info(note, icon=":material/info:")

st.header("3 · Train them against each other")
clicked = ui.train_button(NS)
view = ui.live_view(NS)
modes = lesson.n_modes(s["target"])


def draw(picture, history, epochs, n_modes, tag, numbers=True):
    left, right = st.columns([1, 1.25])
    if picture is not None:
        limit = None if numbers else figures.LIVE_POINTS
        ui.chart(figures.plane_figure(picture, limit=limit), f"{tag}.plane", left, numbers=numbers,
                 summary=figures.plane_summary(picture, n_modes))
    elif numbers:
        left.info("No picture for this run: it was cut off before it finished.")
    else:
        left.info("D's surface, the points and G's arrows appear after the first epoch.")
    ui.chart(figures.game_figure(history, n_modes, planned_epochs=epochs), f"{tag}.game", right, numbers=numbers)


if clicked:
    real = gans.real_points(s)
    built = {}  # the GAN and its watcher, made once the run has its training slot

    def build():
        built["gan"] = gans.build(s)
        return built["gan"]

    def watchers():
        built["watch"] = GANWatch(real, s["target"], s["noise_dim"], s["seed"])
        return (built["watch"],)

    with view.container():  # this page's own empty frame: a GAN's losses are not "lower is better"
        draw(None, {}, s["epochs"], modes, f"{NS}.start", False)
    ui.train_live(NS, gans.run_label(s), s, build, gans.training_data(s), gans.train_config(s), view,
                  lambda update, tag: draw(built["watch"].picture(), update.history, update.epochs, modes, tag,
                                           False),
                  artifacts=lambda: {"picture": built["watch"].picture()}, callbacks=watchers, min_interval=1.0,
                  first_frame=False)
    if ui.key(NS, "model") in st.session_state:  # the download is the generator: noise in, points out
        st.session_state[ui.key(NS, "model")] = built["gan"].generator

record = ui.last_run(NS)
if record is None:
    view.info("Press **Train**: D's probability surface, both networks' points, G's gradient arrows and "
              "both losses update as they play.")
    st.stop()
verdict = lesson.verdict(record)
run_modes = lesson.n_modes(record.settings["target"])
with view.container():
    draw(record.artifacts.get("picture"), record.history, record.epochs_run, run_modes, f"{NS}.final")
    ui.show_outcome(record, verdict)
    ui.show_prediction(NS, [record], predict.answer)
    ui.download_buttons(NS, lambda: gans_notebook(record.settings, record.message))
    st.caption("The model download is the trained generator alone: give it noise of shape "
               f"(n, {record.settings['noise_dim']}) and it returns n points.")
    ui.twin_run(NS, controls, record)

st.header("4 · What it means")
st.markdown(lesson.lesson(record, verdict))
st.markdown(lesson.examples_text())

st.header("Your runs")
st.caption("Tick runs to overlay D's loss, D's accuracy on generated points and the modes covered. Runs live "
           "only in this browser session.")
chosen = ui.runs_table(NS)
if chosen:
    ui.chart(figures.compare_figure({f"{i + 1}. {r.label}": r.history for i, r in enumerate(chosen)}), f"{NS}.compare")
