"""Loss functions: what each loss rewards and punishes, and how that changes what a model learns."""

import numpy as np
import pandas as pd
import streamlit as st

from nnkit import plots, ui
from nnkit.core import data
from nnkit.core.settings import Setting
from nnkit.core.training import FINISHED
from nnkit.experiments.losses import figures as loss_plots
from nnkit.experiments.losses import model as losses

NS = "loss"          # settings, and experiment A's runs (its Train button is the page's main one)
B_NS = f"{NS}.b"     # experiment B's runs
SEED = 0             # every run starts from the same weights, so only the loss differs
SETTINGS = (
    Setting("family", losses.REGRESSION, choices=(losses.REGRESSION, losses.CLASSIFICATION)),
    Setting("label", 1, choices=(1, 0)),
    Setting("delta", 1.0, low=0.1, high=3.0),
    Setting("gamma", 2.0, low=0.0, high=5.0),
    Setting("hand_loss", "binary cross-entropy", choices=tuple(losses.BY_HAND)),
    Setting("a_outliers", 0.15, low=0.0, high=0.4),
    Setting("a_points", 200, low=50, high=1000, workshop_high=500),
    Setting("a_epochs", 40, low=1, high=200, workshop_high=60),
    Setting("a_lr", 0.1, choices=(0.001, 0.01, 0.03, 0.1, 0.3, 1.0, 10.0)),
    Setting("b_minority", 0.1, low=0.02, high=0.5),
    Setting("b_points", 1000, low=200, high=3000, workshop_high=1500),
    Setting("b_epochs", 20, low=1, high=100, workshop_high=40),
    Setting("b_lr", 0.03, choices=(0.001, 0.01, 0.03, 0.1, 0.3, 1.0)),
)
controls = ui.page_settings(NS, SETTINGS)
ui.init_state(NS, {"hand_true": "1, 0, 1, 0", "hand_pred": "0.9, 0.2, 0.4, 1"})
s = controls.values()
state = st.session_state
for exp, ns in (("a", NS), ("b", B_NS)):
    state.setdefault(ui.key(NS, exp), {"settings": {}, "runs": {}})
    if (kept := ui.recover_interrupted(ns)) is not None:
        state[ui.key(NS, exp)]["runs"][kept.label] = kept


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
param = {"delta": s["delta"], "gamma": s["gamma"], None: None}
family = losses.names(s["family"])
curves = losses.family_curves(s["family"], s["label"], s["delta"], s["gamma"])
x_title = "error ŷ − y" if s["family"] == losses.REGRESSION else "prediction ŷ (probability; a score for hinge)"
ui.chart(loss_plots.loss_curves_figure(curves, x_title, 6.0 if s["family"] == losses.CLASSIFICATION else None),
         ui.key(NS, "curves"))
for name in family:
    st.latex(losses.LOSSES[name].latex)
    st.caption(f"**{name}** (`keras.losses.{losses.LOSSES[name].keras_name}`): {losses.LOSSES[name].punishes}")

st.header("2 · By hand")
st.markdown("Type true values and predictions; each row's term is worked out, and their mean is the loss.")
c1, c2, c3 = st.columns([1, 1, 1])
controls("hand_loss", c1.selectbox, "Loss")
c2.text_input("y_true", key=ui.key(NS, "hand_true"))
c3.text_input("y_pred", key=ui.key(NS, "hand_pred"))
hand = None
try:
    spec = losses.LOSSES[s["hand_loss"]]
    hand = losses.by_hand(spec.name, losses.parse_numbers(state[ui.key(NS, "hand_true")], "y_true"),
                          losses.parse_numbers(state[ui.key(NS, "hand_pred")], "y_pred"), param[spec.param])
except losses.InputError as err:
    st.error(str(err), icon=":material/error:")
if hand is not None:
    for warning in hand.warnings:
        st.warning(warning, icon=":material/warning:")
    st.latex(spec.latex)
    table = pd.DataFrame(hand.rows, columns=hand.columns, index=pd.RangeIndex(1, len(hand.rows) + 1, name="entry"))
    st.dataframe(table.style.format("{:.8g}"), key=ui.key(NS, "hand_table"))
    st.markdown(losses.hand_lesson(hand))


def compare(exp, ns, variants, build, train_data, config, draw, artifacts, settings):
    """Train each loss from the same seed (same initial weights), one live run at a time."""
    record = state[ui.key(NS, exp)] = {"settings": settings, "runs": {}}
    view = st.empty()
    for i, (label, loss) in enumerate(variants.items()):
        model = build(loss)

        def render(update, tag, i=i, label=label, model=model):
            # train_live's tag repeats across the variants of one click: add the variant.
            draw({**{k: r.history for k, r in record["runs"].items()}, label: update.history},
                 {label: model}, update.epochs, f"{tag}.{i}", numbers=False)

        record["runs"][label] = ui.train_live(ns, label, settings, model, train_data, config, view, render,
                                              artifacts=lambda m=model: artifacts(m))
    view.empty()


def outcomes(runs):
    for r in runs.values():
        if r.reason != FINISHED:
            ui.show_outcome(r)


def downloads(ns, notebook):
    st.caption("The notebook re-trains all three losses in plain Keras; the model file is the last loss trained.")
    ui.download_buttons(ns, notebook)


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
line_x = np.linspace(-2, 2, 50, dtype="float32")


def draw_a(histories, models_or_fits, epochs, tag, settings=a_set, numbers=True):
    pts = losses.outlier_data(settings["a_points"], settings["a_outliers"], seed=settings["seed"])
    fits = {**{k: r.artifacts["fit"] for k, r in state[ui.key(NS, "a")]["runs"].items() if "fit" in r.artifacts},
            **{k: v if isinstance(v, np.ndarray) else losses.predict(v, line_x[:, None])
               for k, v in models_or_fits.items()}}
    left, right = st.columns(2)
    ui.chart(loss_plots.fit_figure(pts.x, pts.y, pts.outlier, line_x, pts.true_line(line_x), fits),
             f"{tag}.fit", left, numbers=numbers)
    ui.chart(plots.history_figure(histories, ("loss", "mae"), epochs), f"{tag}.curves", right, numbers=numbers)


if ui.train_button(NS, "Train MSE, MAE and Huber"):
    pts = losses.outlier_data(s["a_points"], s["a_outliers"], seed=SEED)
    compare("a", NS, {n: losses.regression_loss(n, s["delta"]) for n in losses.OUTLIER_LOSSES},
            lambda loss: losses.OUTLIERS.model(loss, s["a_lr"], SEED), (pts.x, pts.y),
            losses.OUTLIERS.train_config(s["a_epochs"], SEED), draw_a,
            lambda m: {"fit": losses.predict(m, line_x[:, None]),
                       "rmse": losses.clean_rmse(pts, losses.predict(m, pts.x))}, a_set)
a = state[ui.key(NS, "a")]
if a["runs"]:
    draw_a({k: r.history for k, r in a["runs"].items()}, {}, a["settings"].get("a_epochs"), f"{NS}.a.final", a["settings"])
    outcomes(a["runs"])
    a_rmse = {k: r.artifacts["rmse"] for k, r in a["runs"].items() if "rmse" in r.artifacts}
    st.dataframe(pd.DataFrame({"loss": list(a_rmse), "RMSE to true line (clean points)": list(a_rmse.values())}),
                 hide_index=True, key=ui.key(NS, "a_table"))
    downloads(NS, lambda: losses.outlier_notebook(a["settings"]))
    ui.twin_run(NS, controls, next(iter(a["runs"].values())))

st.header("4 · Experiment B: class imbalance")
st.markdown("Two overlapping clusters where class 1 is rare. The same small network (2 → 8 → 1, sigmoid), "
            "same initial weights, trained with BCE, class-weighted BCE and focal loss (γ from section 1).")
st.latex(losses.WEIGHTED_BCE_LATEX)
c1, c2, c3, c4 = st.columns(4)
controls("b_minority", c1.slider, "Share of class 1", step=0.01, format="%.2f")
controls("b_points", c2.slider, "Points", step=100)
controls("b_epochs", c3.slider, "Epochs")
controls("b_lr", c4.select_slider, "Learning rate")
b_set = {**{k: s[k] for k in ("b_minority", "b_points", "b_epochs", "b_lr", "gamma")}, "seed": SEED}


def draw_b(histories, _models, epochs, tag, numbers=True):
    ui.chart(plots.history_figure(histories, ("loss", "accuracy"), epochs), f"{tag}.curves", numbers=numbers)


if ui.train_button(B_NS, "Train BCE, weighted BCE and focal"):
    bx, by = losses.imbalanced_data(s["b_points"], s["b_minority"], SEED)
    (train_x, train_y), (val_x, val_y) = data.split(bx, by, losses.IMBALANCE.validation, SEED)
    compare("b", B_NS, losses.imbalance_losses(train_y, s["gamma"]),
            lambda loss: losses.IMBALANCE.model(loss, s["b_lr"], SEED), (bx, by),
            losses.IMBALANCE.train_config(s["b_epochs"], SEED), draw_b,
            lambda m: {"metrics": losses.classification_metrics(val_y, losses.predict(m, val_x))}, b_set)
b = state[ui.key(NS, "b")]
if b["runs"]:
    draw_b({k: r.history for k, r in b["runs"].items()}, {}, b["settings"].get("b_epochs"), f"{NS}.b.final")
    outcomes(b["runs"])
    b_metrics = {k: r.artifacts["metrics"] for k, r in b["runs"].items() if "metrics" in r.artifacts}
    if b_metrics:
        st.dataframe(pd.DataFrame([{"loss": k, **{m: v[m] for m in ("precision", "recall", "f1")}}
                                   for k, v in b_metrics.items()]), hide_index=True, key=ui.key(NS, "b_table"))
        ui.chart(loss_plots.confusion_figure({k: v["confusion"] for k, v in b_metrics.items()}),
                 ui.key(NS, "confusion"))
    downloads(B_NS, lambda: losses.imbalance_notebook(b["settings"]))

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
