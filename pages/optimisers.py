"""Optimisers: how gradient descent really moves, on surfaces and on a real network."""

import pandas as pd
import streamlit as st

from nnkit import optimiser_plots as oplots
from nnkit import optimisers as opt
from nnkit import plots, surfaces, ui
from nnkit.data import REAL
from nnkit.training import TrainConfig

NS = "opt"
NAMES = list(opt.OPTIMISERS)


def k(name: str) -> str:
    return ui.key(NS, name)


first = surfaces.get("ill-conditioned quadratic", 10)
ui.init_state(NS, {"surface": "ill-conditioned quadratic", "kappa": 10, "x0": first.start[0],
                   "y0": first.start[1], "steps": 200, "racers": ["SGD", "SGD + momentum", "RMSprop", "Adam", "Lion"],
                   **{f"lr.{n}": opt.default_lr(n, first) for n in NAMES},
                   **{f"knob.{n}": opt.OPTIMISERS[n].knob_default for n in NAMES},
                   **{f"netlr.{n}": opt.network_lr(n) for n in NAMES},
                   "net": ["SGD", "SGD + momentum", "Adam"], "batch": 32, "epochs": 8,
                   "schedule": "constant", "rt_opt": "Adam", "rt_steps": 200, "seed": 0})
state = st.session_state
cut_short = ui.recover_interrupted(NS)
if cut_short:  # Stop (or another widget) ended a network run: keep its curves, drop the queue
    state[k("queue")], state[k("net_runs")] = [], [*state.get(k("net_runs"), []), cut_short]


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
c1.selectbox("Surface", list(surfaces.SURFACES), key=k("surface"), on_change=reset_surface)
is_quad = state[k("surface")] == "ill-conditioned quadratic"
c2.slider("Condition number κ", 1, 100, key=k("kappa"), disabled=not is_quad, on_change=reset_surface)
c3.number_input("Start x", key=k("x0"), format="%.3f")
c4.number_input("Start y", key=k("y0"), format="%.3f")
surface = surfaces.get(state[k("surface")], state[k("kappa")])
st.latex(surface.latex)
st.caption(surface.story)
st.multiselect("Optimisers", NAMES, key=k("racers"))
st.number_input("Steps", 0, 2000, key=k("steps"))
with st.expander("Learning rate and momentum per optimiser", expanded=False):
    for name in state[k("racers")]:
        spec, (a, b) = opt.OPTIMISERS[name], st.columns(2)
        a.select_slider(f"{name}: learning rate η", opt.LR_CHOICES, key=k(f"lr.{name}"))
        if spec.knob:
            b.slider(f"{name}: {spec.knob_label}", 0.0, 0.999, key=k(f"knob.{name}"))
start, racers = (state[k("x0")], state[k("y0")]), state[k("racers")]
problem = ("Choose at least one optimiser to race." if not racers else
           "Zero steps: there is nothing to race. Set at least 1 step." if state[k("steps")] < 1 else
           f"The start {start} is outside the plotted range x ∈ {surface.x_range}, y ∈ {surface.y_range}; "
           "pick a start inside it." if not surface.contains(start) else "")
trajectories = []
if problem:
    st.warning(problem, icon=":material/warning:")
else:
    for name in racers:
        if state[k(f"lr.{name}")] == 0:
            st.warning(f"{name} has learning rate 0: every step is 0 × gradient, so it never moves.")
    field = [opt.Racer(n, state[k(f"lr.{n}")], state[k(f"knob.{n}")] if opt.OPTIMISERS[n].knob else None)
             for n in racers]
    race_key = (surface.name, start, state[k("steps")], tuple(field))
    if state.get(k("race_key")) != race_key:
        with st.spinner("Racing…"):
            state[k("race")] = opt.race(surface, field, start, state[k("steps")])
        state[k("race_key")], state[k("upto")] = race_key, state[k("steps")]
    trajectories = state[k("race")]
    longest = max(tr.steps_run for tr in trajectories)
    state[k("upto")] = min(state.get(k("upto"), longest), longest)
    if longest > 0:
        st.slider("Show the paths up to step", 0, longest, key=k("upto"))
    left, right = st.columns([1.1, 1])
    left.plotly_chart(oplots.paths_figure(surface, trajectories, state[k("upto")]), key=k("paths"))
    right.plotly_chart(oplots.loss_figure(surface, trajectories), key=k("race_loss"))
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
data = REAL["digits"](state[k("seed")])
st.caption(f"{data.description} Same 64 → 32 → 10 MLP, same seed and initial weights for every optimiser; "
           "20% held out.")
st.multiselect("Optimisers to compare (2–4)", NAMES, key=k("net"), max_selections=4)
cols = st.columns(max(1, len(state[k("net")])))
for col, name in zip(cols, state[k("net")]):
    col.select_slider(f"{name}: η", opt.LR_CHOICES, key=k(f"netlr.{name}"))
c1, c2, c3 = st.columns(3)
n_train = len(data.x) - round(0.2 * len(data.x))
c1.number_input(f"Batch size (1 = one example, {n_train} = full batch)", 1, 100_000, key=k("batch"))
c2.slider("Epochs", 1, 40, key=k("epochs"))
c3.selectbox("Learning-rate schedule", list(opt.SCHEDULES), key=k("schedule"))
batch = state[k("batch")]
if batch > n_train:
    st.warning(f"Batch size {batch} is larger than the {n_train} training examples; using the full batch ({n_train}).")
    batch = n_train
per_epoch = opt.steps_per_epoch(len(data.x), 0.2, batch)
total = per_epoch * state[k("epochs")]
st.latex(opt.SCHEDULES[state[k("schedule")]])
st.plotly_chart(oplots.schedule_figure(*opt.schedule_values(state[k("schedule")], 1.0, total),
                                       state[k("schedule")] + " (η = 1)", per_epoch), key=k("schedule_plot"))
if ui.train_button(NS, "Train all", disabled=not state[k("net")]):
    state[k("queue")], state[k("net_runs")] = list(state[k("net")]), []
view = st.empty()
if state.get(k("queue")):  # one optimiser per script run: train_live owns one Stop button per run
    name, lr = state[k("queue")][0], state[k(f"netlr.{state[k('queue')][0]}")]
    label, done = f"{name} (η {lr:g})", {r.label: r.history for r in state[k("net_runs")]}
    knob = opt.OPTIMISERS[name].knob_default if opt.OPTIMISERS[name].knob else None
    model = opt.build_network(name, opt.make_schedule(state[k("schedule")], lr, total), knob,
                              data.n_features, data.n_classes, seed=state[k("seed")])

    def render(update, tag):
        st.plotly_chart(plots.history_figure({**done, label: update.history}, planned_epochs=update.epochs),
                        key=tag)

    record = ui.train_live(NS, label, {"optimizer": name, "lr": lr, "batch": batch,
                                       "schedule": state[k("schedule")]}, model, data,
                           TrainConfig(state[k("epochs")], batch, 0.2, state[k("seed")]), view, render)
    state[k("queue")], state[k("net_runs")] = state[k("queue")][1:], [*state[k("net_runs")], record]
    st.rerun()
net_runs = state.get(k("net_runs"), [])
if net_runs:
    view.plotly_chart(plots.history_figure({r.label: r.history for r in net_runs}), key=k("net_curves"))
    for record in net_runs:
        ui.show_outcome(record)
else:
    view.info("Press **Train all** to train each chosen optimiser from the same initial weights.")

st.header("4 · Learning-rate range test")
c1, c2 = st.columns(2)
c1.selectbox("Optimiser", NAMES, key=k("rt_opt"))
c2.slider("Steps in the sweep (η from 1e-4 to 10)", 20, 500, key=k("rt_steps"))
if st.button("Run range test", key=k("rt_run"), icon=":material/trending_up:"):
    with st.spinner("Sweeping the learning rate…"):
        spec = opt.OPTIMISERS[state[k("rt_opt")]]
        state[k("range")] = opt.lr_range_test(state[k("rt_opt")], spec.knob_default if spec.knob else None,
                                              data, steps=state[k("rt_steps")], batch_size=batch,
                                              seed=state[k("seed")])
if k("range") in state:
    st.plotly_chart(oplots.range_figure(state[k("range")]), key=k("range_plot"))

st.header("5 · What it means")
st.markdown(opt.race_lesson(surface, trajectories))
if net_runs:
    st.markdown(opt.network_lesson(net_runs, batch, state[k("schedule")]))
if k("range") in state:
    st.markdown(opt.range_lesson(state[k("range")]))
