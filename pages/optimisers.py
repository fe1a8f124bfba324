"""Optimisers: how gradient descent really moves, on surfaces and on a real network."""

import pandas as pd
import streamlit as st

from nnkit import plots, ui
from nnkit.core.data import REAL
from nnkit.experiments.optimisers import figures as oplots
from nnkit.experiments.optimisers import lesson, race, range_test, rules, schedules, surfaces
from nnkit.experiments.optimisers import model as opt
from nnkit.experiments.optimisers import predict
from nnkit.experiments.optimisers.notebook import optimisers_notebook
from nnkit.experiments.optimisers.settings import SETTINGS

NS = "optimisers"
NAMES = list(opt.OPTIMISERS)
controls = ui.page_settings(NS, SETTINGS)
state = st.session_state
ui.recover_interrupted(NS)  # Stop (or another widget) ended a network run: its curves are kept


def k(name: str) -> str:
    return ui.key(NS, name)


def reset_surface():
    s = surfaces.get(state[k("surface")], state[k("kappa")])
    state[k("x0")], state[k("y0")] = s.start
    state.update({k(f"lr.{n}"): opt.default_lr(n, s) for n in NAMES})


st.title("Optimisers: how gradient descent really moves")
st.markdown("Every optimiser follows the same gradient, yet they take very different routes: plain SGD "
            "crawls along flat valleys, momentum builds up speed, Adam and friends rescale every "
            "direction. Here the real `keras.optimizers` classes race on surfaces you can see, then "
            "train the same network so you can judge them where it matters.")

st.header("1 · Race on a surface")
c1, c2, c3, c4 = st.columns(4)
controls("surface", c1.selectbox, "Surface", on_change=reset_surface)
is_quad = controls.value("surface") == "ill-conditioned quadratic"
controls("kappa", c2.slider, "Condition number κ", disabled=not is_quad, on_change=reset_surface)
controls("x0", c3.number_input, "Start x", format="%.3f")
controls("y0", c4.number_input, "Start y", format="%.3f")
surface = surfaces.get(controls.value("surface"), controls.value("kappa"))
st.latex(surface.latex)
st.caption(surface.story)
controls("racers", st.multiselect, "Optimisers")
controls("steps", st.number_input, "Steps")
with st.expander("Learning rate and momentum per optimiser", expanded=False):
    for name in controls.value("racers"):
        a, b = st.columns(2)
        controls(f"lr.{name}", a.select_slider, f"{name}: learning rate η")
        if opt.OPTIMISERS[name].knob:
            controls(f"knob.{name}", b.slider, f"{name}: {opt.OPTIMISERS[name].knob_label}")
controls.publish()  # every setting is in session state already, so the link is complete here
s = controls.values()
start, trajectories = (s["x0"], s["y0"]), []
if problem := race.problem(surface, s["racers"], s["steps"], start):
    st.warning(problem, icon=":material/warning:")
else:
    for name in (n for n in s["racers"] if s[f"lr.{n}"] == 0):
        st.warning(f"{name} has learning rate 0: every step is 0 × gradient, so it never moves.")
    field = [race.Racer(n, s[f"lr.{n}"], s.get(f"knob.{n}")) for n in s["racers"]]
    if state.get(k("race_key")) != (race_key := (surface.name, start, s["steps"], tuple(field))):
        with st.spinner("Racing…"):
            state[k("race")] = race.race(surface, field, start, s["steps"])
        state[k("race_key")], state[k("upto")] = race_key, s["steps"]
    trajectories = state[k("race")]
    longest = max(tr.steps_run for tr in trajectories)
    state[k("upto")] = min(state.get(k("upto"), longest), longest)
    if longest > 0:
        st.slider("Show the paths up to step", 0, longest, key=k("upto"))
    left, right = st.columns([1.1, 1])
    ui.chart(oplots.paths_figure(surface, trajectories, state[k("upto")]), k("paths"), left,
             summary=oplots.paths_summary(surface, trajectories, state[k("upto")]))
    ui.chart(oplots.loss_figure(surface, trajectories), k("race_loss"), right)
    for tr in (tr for tr in trajectories if tr.diverged_at):
        st.error(race.divergence_message(tr), icon=":material/error:")
    st.caption(f"{sum(tr.steps_run for tr in trajectories):,} Keras optimizer steps in "
               f"{sum(tr.seconds for tr in trajectories):.2f} s.")

st.header("2 · The update rules, one step with numbers")
stepped = {tr.racer.name: tr for tr in trajectories if tr.steps_run > 0}
if not stepped:
    st.info("Race at least one optimiser for one step to see its update with numbers.")
else:
    c1, c2 = st.columns(2)
    if state.get(k("explain")) not in stepped:
        state[k("explain")] = next(iter(stepped))
    tr = stepped[c1.selectbox("Optimiser", list(stepped), key=k("explain"))]
    state[k("t")] = min(max(1, state.get(k("t"), 1)), tr.steps_run)
    ex = rules.explain_step(surface, tr, c2.number_input("Step t", 1, tr.steps_run, key=k("t")))
    st.caption(opt.OPTIMISERS[tr.racer.name].story)
    for line in opt.OPTIMISERS[tr.racer.name].equations:
        st.latex(line)
    st.table(pd.DataFrame(rules.step_table(ex)).set_index("quantity"))
    st.caption(rules.rounding_note(tr.racer.name, tr.hyper))
    (st.success if ex.difference < 1e-6 else st.error)(rules.step_verdict(ex, tr.racer.name))

st.header("3 · A real network")
data = REAL["digits"](s["seed"])
st.caption(f"{data.description} Same 64 → 32 → 10 MLP, same seed and initial weights for every optimiser; "
           "20% held out.")
controls("net", st.multiselect, "Optimisers to compare (2–4)", max_selections=4)
for col, name in zip(st.columns(max(1, len(s["net"]))), s["net"]):
    controls(f"netlr.{name}", col.select_slider, f"{name}: η")
c1, c2, c3, c4 = st.columns(4)
n_train = len(data.x) - round(opt.VALIDATION * len(data.x))
controls("batch", c1.number_input, f"Batch size (1 = one example, {n_train} = full batch)")
controls("epochs", c2.slider, "Epochs")
controls("schedule", c3.selectbox, "Learning-rate schedule")
controls("seed", c4.number_input, "Seed (same seed, same starting weights)", step=1)
batch = min(s["batch"], n_train)
if s["batch"] > n_train:
    st.warning(f"Batch size {s['batch']} is larger than the {n_train} training examples; "
               f"using the full batch ({n_train}).")
per_epoch = opt.steps_per_epoch(len(data.x), opt.VALIDATION, batch)
st.latex(schedules.latex(s["schedule"], per_epoch * s["epochs"]))
ui.chart(oplots.schedule_figure(*schedules.schedule_values(s["schedule"], 1.0, per_epoch * s["epochs"]),
                                s["schedule"] + " (η = 1)", per_epoch), k("schedule_plot"))


def draw(results, epochs, tag, numbers=True):
    ui.chart(plots.history_figure({label: r["history"] for label, r in results.items()}, planned_epochs=epochs),
             f"{tag}.curves", numbers=numbers)


view = ui.live_view(NS)
if ui.train_button(NS, "Train all", disabled=not s["net"]):  # same seed, so the same initial weights
    variants = opt.network_variants(s["net"], {n: s[f"netlr.{n}"] for n in s["net"]}, s["schedule"], batch,
                                    s["epochs"], s["seed"], data)
    ui.train_variants(NS, [ui.Variant(**v) for v in variants], view, draw)
net_runs = ui.comparison_runs(NS)
found = {r.label: lesson.diagnosis(r, data.n_classes) for r in net_runs}
if net_runs:
    with view.container():
        draw(ui.results(net_runs), net_runs[0].settings["epochs"], f"{NS}.final")
        for col, record in zip(st.columns(len(net_runs)), net_runs):
            with col:
                st.markdown(f"**{record.label}**")
                ui.show_outcome(record, found[record.label])
        ui.show_prediction(NS, net_runs, lambda runs: predict.answer(runs, data.n_classes))
        last = net_runs[-1]
        st.caption(f"Take home the **{last.label}** run: a notebook that reproduces it in plain Keras"
                   " and, when it finished, the model it trained.")
        ui.download_buttons(NS, lambda: optimisers_notebook(last.settings, last.message))
        ui.twin_run(NS, controls, last)
else:
    view.info("Press **Train all** to train each chosen optimiser from the same initial weights.")

st.header("4 · Learning-rate range test")
c1, c2 = st.columns(2)
controls("rt_opt", c1.selectbox, "Optimiser")
controls("rt_steps", c2.slider, "Steps in the sweep (η from 1e-4 to 10)")
if st.button("Run range test", key=k("rt_run"), icon=":material/trending_up:"):
    with st.spinner("Sweeping the learning rate…"):
        state[k("range")] = range_test.lr_range_test(s["rt_opt"], opt.default_knob(s["rt_opt"]), data,
                                                     steps=s["rt_steps"], batch_size=batch, seed=s["seed"])
if k("range") in state:
    ui.chart(oplots.range_figure(state[k("range")]), k("range_plot"))

st.header("5 · What it means")
st.markdown(lesson.race_lesson(surface, trajectories))
if net_runs:
    st.markdown(lesson.network_lesson(net_runs, found, data.n_classes, batch, s["schedule"]))
if k("range") in state:
    st.markdown(lesson.range_lesson(state[k("range")]))
