"""Loss functions: what each loss rewards and punishes, and how that changes what a model learns."""

import numpy as np
import pandas as pd
import streamlit as st

from nnkit import data, loss_plots, losses, plots, ui
from nnkit.training import FINISHED, TrainConfig

NS = "loss"
ui.init_state(NS, {"family": "regression", "label": 1, "delta": 1.0, "gamma": 2.0,
                   "hand_loss": "binary cross-entropy", "hand_true": "1, 0, 1, 0",
                   "hand_pred": "0.9, 0.2, 0.4, 1", "a_outliers": 0.15, "a_points": 200,
                   "a_epochs": 40, "a_lr": 0.1, "b_minority": 0.1, "b_points": 1000, "b_epochs": 20,
                   "b_lr": 0.03, "seed": 0})
state = st.session_state
for exp in ("a", "b"):
    state.setdefault(ui.key(NS, exp), {"settings": {}, "runs": {}})
    for i in range(3):  # one namespace per variant: each train_live has its own Stop button
        if (kept := ui.recover_interrupted(f"{NS}.{exp}{i}")) is not None:
            state[ui.key(NS, exp)]["runs"][kept.label] = kept


def s(name):
    return state[ui.key(NS, name)]


st.title("Loss functions")
st.markdown(
    "A loss turns each prediction's error into one number, and its **gradient** tells training which "
    "way and how hard to push. Different losses punish different mistakes: squaring makes far-off "
    "points dominate, log loss makes confident mistakes very expensive. Here every curve and number "
    "comes from the real `keras.losses` functions, and two live experiments show what that does to a model.")

st.header("1 · Loss and gradient curves")
c1, c2, c3, c4 = st.columns(4)
c1.radio("Task", [losses.REGRESSION, losses.CLASSIFICATION], key=ui.key(NS, "family"))
c2.radio("True label y", [1, 0], key=ui.key(NS, "label"), horizontal=True,
         disabled=s("family") == losses.REGRESSION)
c3.slider("Huber δ", 0.1, 3.0, step=0.1, key=ui.key(NS, "delta"))
c4.slider("Focal γ", 0.0, 5.0, step=0.5, key=ui.key(NS, "gamma"))
param = {"delta": s("delta"), "gamma": s("gamma"), None: None}
family = losses.names(s("family"))
curves = losses.family_curves(s("family"), s("label"), s("delta"), s("gamma"))
x_title = "error ŷ − y" if s("family") == losses.REGRESSION else "prediction ŷ (probability; a score for hinge)"
st.plotly_chart(loss_plots.loss_curves_figure(curves, x_title, 6.0 if s("family") == "classification" else None),
                key=ui.key(NS, "curves"))
for name in family:
    st.latex(losses.LOSSES[name].latex)
    st.caption(f"**{name}** (`keras.losses.{losses.LOSSES[name].keras_name}`): {losses.LOSSES[name].punishes}")

st.header("2 · By hand")
st.markdown("Type true values and predictions; each row's term is worked out, and their mean is the loss.")
c1, c2, c3 = st.columns([1, 1, 1])
c1.selectbox("Loss", losses.BY_HAND, key=ui.key(NS, "hand_loss"))
c2.text_input("y_true", key=ui.key(NS, "hand_true"))
c3.text_input("y_pred", key=ui.key(NS, "hand_pred"))
hand = None
try:
    spec = losses.LOSSES[s("hand_loss")]
    hand = losses.by_hand(spec.name, losses.parse_numbers(s("hand_true"), "y_true"),
                          losses.parse_numbers(s("hand_pred"), "y_pred"), param[spec.param])
except losses.InputError as err:
    st.error(str(err), icon=":material/error:")
if hand is not None:
    for warning in hand.warnings:
        st.warning(warning, icon=":material/warning:")
    st.latex(spec.latex)
    table = pd.DataFrame(hand.rows, columns=hand.columns, index=pd.RangeIndex(1, len(hand.rows) + 1, name="entry"))
    st.dataframe(table.style.format("{:.8g}"), key=ui.key(NS, "hand_table"))
    st.markdown(losses.hand_lesson(hand))


def compare(exp, variants, build, train_data, config, draw, artifacts, settings):
    """Train each loss from the same seed (same initial weights), one live run at a time."""
    record = state[ui.key(NS, exp)] = {"settings": settings, "runs": {}}
    view = st.empty()
    for i, (label, loss) in enumerate(variants.items()):
        model = build(loss)

        def render(update, tag, label=label, model=model):
            draw({**{k: r.history for k, r in record["runs"].items()}, label: update.history},
                 {label: model}, update.epochs, tag)

        record["runs"][label] = ui.train_live(f"{NS}.{exp}{i}", label, settings, model, train_data,
                                              config, view, render, artifacts=lambda m=model: artifacts(m))
    view.empty()


def outcomes(runs):
    for r in runs.values():
        if r.reason != FINISHED:
            ui.show_outcome(r)


st.header("3 · Experiment A: outliers")
st.markdown("A straight line with noise, plus outliers pushed far upward. The same linear model, from the "
            "same initial weights, is fitted with MSE, MAE and Huber (δ from section 1).")
c1, c2, c3, c4 = st.columns(4)
c1.slider("Outliers", 0.0, 0.4, step=0.05, key=ui.key(NS, "a_outliers"), format="%.2f")
c2.slider("Points", 50, 1000, step=50, key=ui.key(NS, "a_points"))
c3.slider("Epochs", 1, 200, key=ui.key(NS, "a_epochs"))
c4.select_slider("Learning rate", [0.001, 0.01, 0.03, 0.1, 0.3, 1.0, 10.0], key=ui.key(NS, "a_lr"))
a_set = {k: s(k) for k in ("a_outliers", "a_points", "a_epochs", "a_lr", "delta", "seed")}
line_x = np.linspace(-2, 2, 50, dtype="float32")


def draw_a(histories, models_or_fits, epochs, tag, settings=a_set):
    pts = losses.outlier_data(settings["a_points"], settings["a_outliers"], seed=settings["seed"])
    fits = {**{k: r.artifacts["fit"] for k, r in state[ui.key(NS, "a")]["runs"].items() if "fit" in r.artifacts},
            **{k: v if isinstance(v, np.ndarray) else losses.predict(v, line_x[:, None])
               for k, v in models_or_fits.items()}}
    left, right = st.columns(2)
    left.plotly_chart(loss_plots.fit_figure(pts.x, pts.y, pts.outlier, line_x, pts.true_line(line_x), fits),
                      key=f"{tag}.fit")
    right.plotly_chart(plots.history_figure(histories, ("loss", "mae"), epochs), key=f"{tag}.curves")


if ui.train_button(f"{NS}.a", "Train MSE, MAE and Huber"):
    pts = losses.outlier_data(s("a_points"), s("a_outliers"), seed=s("seed"))
    compare("a", {n: losses.regression_loss(n, s("delta")) for n in ("MSE", "MAE", "Huber")},
            lambda loss: losses.build_model(1, (), None, loss, s("a_lr"), s("seed"), ["mae"]),
            (pts.x, pts.y), TrainConfig(s("a_epochs"), 32, 0.0, s("seed")), draw_a,
            lambda m: {"fit": losses.predict(m, line_x[:, None]),
                       "rmse": losses.clean_rmse(pts, losses.predict(m, pts.x))}, a_set)
a = state[ui.key(NS, "a")]
if a["runs"]:
    draw_a({k: r.history for k, r in a["runs"].items()}, {}, a["settings"].get("a_epochs"), f"{NS}.a.final", a["settings"])
    outcomes(a["runs"])
    a_rmse = {k: r.artifacts["rmse"] for k, r in a["runs"].items() if "rmse" in r.artifacts}
    st.dataframe(pd.DataFrame({"loss": list(a_rmse), "RMSE to true line (clean points)": list(a_rmse.values())}),
                 hide_index=True, key=ui.key(NS, "a_table"))

st.header("4 · Experiment B: class imbalance")
st.markdown("Two overlapping clusters where class 1 is rare. The same small network (2 → 8 → 1, sigmoid), "
            "same initial weights, trained with BCE, class-weighted BCE and focal loss (γ from section 1).")
st.latex(losses.WEIGHTED_BCE_LATEX)
c1, c2, c3, c4 = st.columns(4)
c1.slider("Share of class 1", 0.02, 0.5, step=0.01, key=ui.key(NS, "b_minority"), format="%.2f")
c2.slider("Points", 200, 3000, step=100, key=ui.key(NS, "b_points"))
c3.slider("Epochs", 1, 100, key=ui.key(NS, "b_epochs"))
c4.select_slider("Learning rate", [0.001, 0.01, 0.03, 0.1, 0.3, 1.0], key=ui.key(NS, "b_lr"))
b_set = {k: s(k) for k in ("b_minority", "b_points", "b_epochs", "b_lr", "gamma", "seed")}


def draw_b(histories, _models, epochs, tag):
    st.plotly_chart(plots.history_figure(histories, ("loss", "accuracy"), epochs), key=f"{tag}.curves")


if ui.train_button(f"{NS}.b", "Train BCE, weighted BCE and focal"):
    bx, by = losses.imbalanced_data(s("b_points"), s("b_minority"), s("seed"))
    (train_x, train_y), (val_x, val_y) = data.split(bx, by, 0.2, s("seed"))
    compare("b", losses.imbalance_losses(train_y, s("gamma")),
            lambda loss: losses.build_model(2, (8,), "sigmoid", loss, s("b_lr"), s("seed"), ["accuracy"]),
            (bx, by), TrainConfig(s("b_epochs"), 32, 0.2, s("seed")), draw_b,
            lambda m: {"metrics": losses.classification_metrics(val_y, losses.predict(m, val_x))}, b_set)
b = state[ui.key(NS, "b")]
if b["runs"]:
    draw_b({k: r.history for k, r in b["runs"].items()}, {}, b["settings"].get("b_epochs"), f"{NS}.b.final")
    outcomes(b["runs"])
    b_metrics = {k: r.artifacts["metrics"] for k, r in b["runs"].items() if "metrics" in r.artifacts}
    if b_metrics:
        st.dataframe(pd.DataFrame([{"loss": k, **{m: v[m] for m in ("precision", "recall", "f1")}}
                                   for k, v in b_metrics.items()]), hide_index=True, key=ui.key(NS, "b_table"))
        st.plotly_chart(loss_plots.confusion_figure({k: v["confusion"] for k, v in b_metrics.items()}),
                        key=ui.key(NS, "confusion"))

st.header("5 · What just happened")
if hand is not None:
    st.markdown(f"**By hand ({spec.name}).** " + losses.hand_lesson(hand))
if a["runs"]:
    st.markdown("**Outliers.** " + losses.outlier_lesson(
        a_rmse, a["settings"].get("a_outliers", 0), {k: r.reason for k, r in a["runs"].items()}))
if b["runs"]:
    st.markdown("**Imbalance.** " + losses.imbalance_lesson(
        b_metrics, b["settings"].get("b_minority", 0), {k: r.reason for k, r in b["runs"].items()}))
if not (a["runs"] or b["runs"]):
    st.info("Train experiment A or B to see what the choice of loss did to a real model.")
