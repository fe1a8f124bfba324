"""Optimisers: how gradient descent really moves, on surfaces and on a real network."""

import pandas as pd
import streamlit as st

from nnkit import plots, ui
from nnkit.core.data import REAL
from nnkit.core.settings import Setting, SettingList
from nnkit.core.training import TrainConfig
from nnkit.experiments.optimisers import figures as oplots
from nnkit.experiments.optimisers import model as opt
from nnkit.experiments.optimisers import surfaces

NS = "opt"
NAMES = list(opt.OPTIMISERS)
FIRST = surfaces.get("ill-conditioned quadratic", 10)
SETTINGS = (
    Setting("surface", "ill-conditioned quadratic", choices=tuple(surfaces.SURFACES)),
    Setting("kappa", 10, low=1, high=100),
    Setting("x0", FIRST.start[0]),
    Setting("y0", FIRST.start[1]),
    SettingList("racers", ["SGD", "SGD + momentum", "RMSprop", "Adam", "Lion"], choices=tuple(NAMES)),
    Setting("steps", 200, low=0, high=2000, workshop_high=500),
    *(Setting(f"lr.{n}", opt.default_lr(n, FIRST), choices=opt.LR_CHOICES) for n in NAMES),
    *(Setting(f"knob.{n}", s.knob_default, low=0.0, high=0.999) for n, s in opt.OPTIMISERS.items() if s.knob),
    SettingList("net", ["SGD", "SGD + momentum", "Adam"], choices=tuple(NAMES), most=4),
    *(Setting(f"netlr.{n}", opt.network_lr(n), choices=opt.LR_CHOICES) for n in NAMES),
    Setting("batch", 32, low=1, high=100_000),
    Setting("epochs", 8, low=1, high=40, workshop_high=15),
    Setting("schedule", "constant", choices=tuple(opt.SCHEDULES)),
    Setting("seed", 0, low=0, high=9999),
    Setting("rt_opt", "Adam", choices=tuple(NAMES)),
    Setting("rt_steps", 200, low=20, high=500, workshop_high=200),
)
controls = ui.page_settings(NS, SETTINGS)
state = st.session_state


def k(name: str) -> str:
    return ui.key(NS, name)


cut_short = ui.recover_interrupted(NS)
if cut_short:  # Stop (or another widget) ended a network run: keep its curves with the finished ones
    state[k("net_runs")] = [*state.get(k("net_runs"), []), cut_short]


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
        spec, (a, b) = opt.OPTIMISERS[name], st.columns(2)
        controls(f"lr.{name}", a.select_slider, f"{name}: learning rate η")
        if spec.knob:
            controls(f"knob.{name}", b.slider, f"{name}: {spec.knob_label}")
controls.publish()  # every setting is in session state already, so the link is complete here
s = controls.values()
start, racers = (s["x0"], s["y0"]), s["racers"]
problem = ("Choose at least one optimiser to race." if not racers else
           "Zero steps: there is nothing to race. Set at least 1 step." if s["steps"] < 1 else
           f"The start {start} is outside the plotted range x ∈ {surface.x_range}, y ∈ {surface.y_range}; "
           "pick a start inside it." if not surface.contains(start) else "")
trajectories = []
if problem:
    st.warning(problem, icon=":material/warning:")
else:
    for name in racers:
        if s[f"lr.{name}"] == 0:
            st.warning(f"{name} has learning rate 0: every step is 0 × gradient, so it never moves.")
    field = [opt.Racer(n, s[f"lr.{n}"], s.get(f"knob.{n}")) for n in racers]
    race_key = (surface.name, start, s["steps"], tuple(field))
    if state.get(k("race_key")) != race_key:
        with st.spinner("Racing…"):
            state[k("race")] = opt.race(surface, field, start, s["steps"])
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
    for tr in trajectories:
        if tr.diverged_at:
            st.error(opt.divergence_message(tr), icon=":material/error:")
    st.caption(f"{sum(tr.steps_run for tr in trajectories):,} Keras optimizer steps in "
               f"{sum(tr.seconds for tr in trajectories):.2f} s.")

st.header("2 · The update rules, one step with numbers")
stepped = [tr for tr in trajectories if tr.steps_run > 0]
if not stepped:
    st.info("Race at least one optimiser for one step to see its update with numbers.")
else:
    c1, c2 = st.columns(2)
    options = [tr.racer.name for tr in stepped]
    if state.get(k("explain")) not in options:
        state[k("explain")] = options[0]
    chosen = c1.selectbox("Optimiser", options, key=k("explain"))
    tr = next(t for t in stepped if t.racer.name == chosen)
    state[k("t")] = min(max(1, state.get(k("t"), 1)), tr.steps_run)
    t = c2.number_input("Step t", 1, tr.steps_run, key=k("t"))
    st.caption(opt.OPTIMISERS[chosen].story)
    for line in opt.OPTIMISERS[chosen].equations:
        st.latex(line)
    ex = opt.explain_step(surface, tr, t)
    rows = {"x_{t−1} (before the step)": ex.x_before, **ex.quantities, "x_t (equations)": ex.x_formula, "x_t (Keras)": ex.x_keras}
    st.table(pd.DataFrame({"quantity": list(rows), "x": [f"{v[0]:.7g}" for v in rows.values()],
                           "y": [f"{v[1]:.7g}" if len(v) > 1 else "" for v in rows.values()]}).set_index("quantity"))
    verdict = st.success if ex.difference < 1e-6 else st.error
    verdict(f"Step {t}: the equations give x_t = ({ex.x_formula[0]:.6f}, {ex.x_formula[1]:.6f}); "
            f"Keras's {chosen} moved the variable to ({ex.x_keras[0]:.6f}, {ex.x_keras[1]:.6f}). "
            f"Largest difference {ex.difference:.1e}.")

st.header("3 · A real network")
data = REAL["digits"](s["seed"])
st.caption(f"{data.description} Same 64 → 32 → 10 MLP, same seed and initial weights for every optimiser; "
           "20% held out.")
controls("net", st.multiselect, "Optimisers to compare (2–4)", max_selections=4)
cols = st.columns(max(1, len(s["net"])))
for col, name in zip(cols, s["net"]):
    controls(f"netlr.{name}", col.select_slider, f"{name}: η")
c1, c2, c3, c4 = st.columns(4)
n_train = len(data.x) - round(0.2 * len(data.x))
controls("batch", c1.number_input, f"Batch size (1 = one example, {n_train} = full batch)")
controls("epochs", c2.slider, "Epochs")
controls("schedule", c3.selectbox, "Learning-rate schedule")
controls("seed", c4.number_input, "Seed (same seed, same starting weights)", step=1)
batch = s["batch"]
if batch > n_train:
    st.warning(f"Batch size {batch} is larger than the {n_train} training examples; using the full batch ({n_train}).")
    batch = n_train
per_epoch = opt.steps_per_epoch(len(data.x), 0.2, batch)
total = per_epoch * s["epochs"]
st.latex(opt.SCHEDULES[s["schedule"]])
ui.chart(oplots.schedule_figure(*opt.schedule_values(s["schedule"], 1.0, total), s["schedule"] + " (η = 1)",
                                per_epoch), k("schedule_plot"))
clicked = ui.train_button(NS, "Train all", disabled=not s["net"])
view = st.empty()
if clicked:  # every optimiser in this one click: same seed, so the same initial weights
    state[k("net_runs")] = []
    run_settings = {"batch": batch, "epochs": s["epochs"], "schedule": s["schedule"], "seed": s["seed"],
                    **{f"netlr.{n}": s[f"netlr.{n}"] for n in s["net"]}}
    for name in s["net"]:
        lr, spec = s[f"netlr.{name}"], opt.OPTIMISERS[name]
        label, done = f"{name} (η {lr:g})", {r.label: r.history for r in state[k("net_runs")]}
        model = opt.build_network(name, opt.make_schedule(s["schedule"], lr, total),
                                  spec.knob_default if spec.knob else None,
                                  data.n_features, data.n_classes, seed=s["seed"])

        def render(update, tag, done=done, label=label, name=name):
            ui.chart(plots.history_figure({**done, label: update.history}, planned_epochs=update.epochs),
                     f"{tag}.{name}", numbers=False)

        record = ui.train_live(NS, label, {**run_settings, "optimizer": name}, model, data,
                               TrainConfig(s["epochs"], batch, 0.2, s["seed"]), view, render)
        state[k("net_runs")] = [*state[k("net_runs")], record]
net_runs = state.get(k("net_runs"), [])
if net_runs:
    with view.container():
        ui.chart(plots.history_figure({r.label: r.history for r in net_runs}), k("net_curves"))
        for col, record in zip(st.columns(len(net_runs)), net_runs):
            with col:
                st.markdown(f"**{record.label}**")
                ui.show_outcome(record)
        last = net_runs[-1]
        st.caption(f"Take home the **{last.label}** run: a notebook that reproduces it in plain Keras"
                   " and, when it finished, the model it trained.")
        ui.download_buttons(NS, lambda: opt.optimisers_notebook(last.settings, last.message))
        ui.twin_run(NS, controls, last)
else:
    view.info("Press **Train all** to train each chosen optimiser from the same initial weights.")

st.header("4 · Learning-rate range test")
c1, c2 = st.columns(2)
controls("rt_opt", c1.selectbox, "Optimiser")
controls("rt_steps", c2.slider, "Steps in the sweep (η from 1e-4 to 10)")
if st.button("Run range test", key=k("rt_run"), icon=":material/trending_up:"):
    with st.spinner("Sweeping the learning rate…"):
        spec = opt.OPTIMISERS[s["rt_opt"]]
        state[k("range")] = opt.lr_range_test(s["rt_opt"], spec.knob_default if spec.knob else None,
                                              data, steps=s["rt_steps"], batch_size=batch, seed=s["seed"])
if k("range") in state:
    ui.chart(oplots.range_figure(state[k("range")]), k("range_plot"))

st.header("5 · What it means")
st.markdown(opt.race_lesson(surface, trajectories))
if net_runs:
    st.markdown(opt.network_lesson(net_runs, batch, s["schedule"]))
if k("range") in state:
    st.markdown(opt.range_lesson(state[k("range")]))
