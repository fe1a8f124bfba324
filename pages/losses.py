"""Loss functions: what each loss rewards and punishes, and how that changes what a model learns."""

import pandas as pd
import streamlit as st

from nnkit import plots, ui
from nnkit.experiments.losses import by_hand, imbalance, lesson, outliers
from nnkit.experiments.losses import figures as loss_plots
from nnkit.experiments.losses import model as losses
from nnkit.experiments.losses import predict
from nnkit.experiments.losses.notebook import imbalance_notebook, outlier_notebook
from nnkit.experiments.losses.settings import SETTINGS

NS = "losses"        # settings, and experiment A's runs (its Train button is the page's main one)
B_NS = f"{NS}.b"     # experiment B's runs
SEED = 0             # every run starts from the same weights, so only the loss differs
controls = ui.page_settings(NS, SETTINGS)
ui.init_state(NS, {"hand_true": "1, 0, 1, 0", "hand_pred": "0.9, 0.2, 0.4, 1"})
s = controls.values()
for ns in (NS, B_NS):
    ui.recover_interrupted(ns)

st.title("Loss functions")
st.markdown(
    "A loss turns each prediction's error into one number, and its **gradient** tells training which "
    "way and how hard to push. Different losses punish different mistakes: squaring makes far-off "
    "points dominate, log loss makes confident mistakes very expensive. Here every curve and number "
    "comes from the real `keras.losses` functions, and two live experiments show what that does to a model.")

st.header("1 · Loss and gradient curves")
c1, c2, c3, c4 = st.columns(4)
controls("family", c1.radio, "Task")
controls("label", c2.radio, "True label y", horizontal=True, disabled=s["family"] == losses.REGRESSION)
controls("delta", c3.slider, "Huber δ", step=0.1)
controls("gamma", c4.slider, "Focal γ", step=0.5)
regression = s["family"] == losses.REGRESSION
x_title = "error ŷ − y" if regression else "prediction ŷ (probability; a score for hinge)"
ui.chart(loss_plots.loss_curves_figure(losses.family_curves(s["family"], s["label"], s["delta"], s["gamma"]),
                                       x_title, None if regression else 6.0), ui.key(NS, "curves"))
for spec in map(losses.LOSSES.get, losses.names(s["family"])):
    st.latex(spec.latex)
    st.caption(f"**{spec.name}** (`keras.losses.{spec.keras_name}`): {spec.punishes}")

st.header("2 · By hand")
st.markdown("Type true values and predictions; each row's term is worked out, and their mean is the loss.")
c1, c2, c3 = st.columns([1, 1, 1])
controls("hand_loss", c1.selectbox, "Loss")
c2.text_input("y_true", key=ui.key(NS, "hand_true"))
c3.text_input("y_pred", key=ui.key(NS, "hand_pred"))
spec, hand = losses.LOSSES[s["hand_loss"]], None
try:
    hand = by_hand.by_hand(spec.name, by_hand.parse_numbers(st.session_state[ui.key(NS, "hand_true")], "y_true"),
                           by_hand.parse_numbers(st.session_state[ui.key(NS, "hand_pred")], "y_pred"),
                           {"delta": s["delta"], "gamma": s["gamma"], None: None}[spec.param])
except by_hand.InputError as err:
    st.error(str(err), icon=":material/error:")
if hand is not None:
    for warning in hand.warnings:
        st.warning(warning, icon=":material/warning:")
    st.latex(spec.latex)
    table = pd.DataFrame(hand.rows, columns=hand.columns, index=pd.RangeIndex(1, len(hand.rows) + 1, name="entry"))
    st.dataframe(table.style.format("{:.8g}"), key=ui.key(NS, "hand_table"))
    st.markdown(lesson.hand_lesson(hand))


def outcomes(ns, runs, epochs_setting, notebook):
    """Each loss's outcome box with its diagnosis, then the downloads; returns the diagnoses by label."""
    found = {r.label: lesson.diagnosis(r, epochs_setting) for r in runs}
    for col, r in zip(st.columns(len(runs)), runs):
        with col:
            st.markdown(f"**{r.label}**")
            ui.show_outcome(r, found[r.label])
    st.caption("The notebook re-trains all three losses in plain Keras; the model file is the last loss trained.")
    ui.download_buttons(ns, notebook)
    return found


st.header("3 · Experiment A: outliers")
st.markdown("A straight line with noise, plus outliers pushed far upward. The same linear model, from the "
            "same initial weights, is fitted with MSE, MAE and Huber (δ from section 1).")
c1, c2, c3, c4 = st.columns(4)
controls("a_outliers", c1.slider, "Outliers", step=0.05, format="%.2f")
controls("a_points", c2.slider, "Points", step=50)
controls("a_epochs", c3.slider, "Epochs")
controls("a_lr", c4.select_slider, "Learning rate")
controls.publish()
a_set = {**{k: s[k] for k in ("a_outliers", "a_points", "a_epochs", "a_lr", "delta")}, "seed": SEED}


def draw_a(results, epochs, tag, numbers=True, settings=a_set):
    pts = outliers.outlier_data(settings["a_points"], settings["a_outliers"], seed=settings["seed"])
    fits = {k: r["fit"] for k, r in results.items() if "fit" in r}
    left, right = st.columns(2)
    ui.chart(loss_plots.fit_figure(pts.x, pts.y, pts.outlier, outliers.LINE_X, pts.true_line(outliers.LINE_X),
                                   fits), f"{tag}.fit", left, numbers=numbers)
    ui.chart(plots.history_figure({k: r["history"] for k, r in results.items()}, ("loss", "mae"), epochs),
             f"{tag}.curves", right, numbers=numbers)


view_a = ui.live_view(NS)
if ui.train_button(NS, "Train MSE, MAE and Huber"):
    ui.train_variants(NS, [ui.Variant(settings=a_set, **v) for v in outliers.variants(a_set)], view_a, draw_a)
a_runs, a_dx = ui.comparison_runs(NS), {}
if a_runs:
    a_settings = a_runs[0].settings
    with view_a.container():
        draw_a(ui.results(a_runs), a_settings["a_epochs"], f"{NS}.a.final", settings=a_settings)
    a_rmse = {r.label: r.artifacts["rmse"] for r in a_runs if "rmse" in r.artifacts}
    st.dataframe(pd.DataFrame({"loss": list(a_rmse), "RMSE to true line (clean points)": list(a_rmse.values())}),
                 hide_index=True, key=ui.key(NS, "a_table"))
    a_dx = outcomes(NS, a_runs, "a_epochs", lambda: outlier_notebook(a_settings))
    ui.show_prediction(NS, a_runs, predict.answer)
    ui.twin_run(NS, controls, a_runs[0])

st.header("4 · Experiment B: class imbalance")
st.markdown("Two overlapping clusters where class 1 is rare. The same small network (2 → 8 → 1, sigmoid), "
            "same initial weights, trained with BCE, class-weighted BCE and focal loss (γ from section 1).")
st.latex(imbalance.WEIGHTED_BCE_LATEX)
c1, c2, c3, c4 = st.columns(4)
controls("b_minority", c1.slider, "Share of class 1", step=0.01, format="%.2f")
controls("b_points", c2.slider, "Points", step=100)
controls("b_epochs", c3.slider, "Epochs")
controls("b_lr", c4.select_slider, "Learning rate")
b_set = {**{k: s[k] for k in ("b_minority", "b_points", "b_epochs", "b_lr", "gamma")}, "seed": SEED}


def draw_b(results, epochs, tag, numbers=True):
    ui.chart(plots.history_figure({k: r["history"] for k, r in results.items()}, ("loss", "accuracy"), epochs),
             f"{tag}.curves", numbers=numbers)


view_b = ui.live_view(B_NS)
if ui.train_button(B_NS, "Train BCE, weighted BCE and focal"):
    ui.train_variants(B_NS, [ui.Variant(settings=b_set, **v) for v in imbalance.variants(b_set)], view_b, draw_b)
b_runs, b_dx = ui.comparison_runs(B_NS), {}
if b_runs:
    b_settings = b_runs[0].settings
    with view_b.container():
        draw_b(ui.results(b_runs), b_settings["b_epochs"], f"{NS}.b.final")
    b_metrics = {r.label: r.artifacts["metrics"] for r in b_runs if "metrics" in r.artifacts}
    if b_metrics:
        st.dataframe(pd.DataFrame([{"loss": k, **{m: v[m] for m in ("precision", "recall", "f1")}}
                                   for k, v in b_metrics.items()]), hide_index=True, key=ui.key(NS, "b_table"))
        ui.chart(loss_plots.confusion_figure({k: v["confusion"] for k, v in b_metrics.items()}),
                 ui.key(NS, "confusion"))
    b_dx = outcomes(B_NS, b_runs, "b_epochs", lambda: imbalance_notebook(b_settings))

st.header("5 · What just happened")
if hand is not None:
    st.markdown(f"**By hand ({spec.name}).** " + lesson.hand_lesson(hand))
if a_runs:
    st.markdown("**Outliers.** " + lesson.outlier_lesson(
        {r.label: r.artifacts["fit"] for r in a_runs if "fit" in r.artifacts}, a_rmse, a_settings["a_outliers"], a_dx))
if b_runs:
    st.markdown("**Imbalance.** " + lesson.imbalance_lesson(b_metrics, b_settings["b_minority"], b_dx))
if not (a_runs or b_runs):
    st.info("Train experiment A or B to see what the choice of loss did to a real model.")
