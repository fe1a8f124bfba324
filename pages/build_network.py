"""Build your own network: the Keras workflow, layer by layer, on a real table."""

import pandas as pd
import streamlit as st

from nnkit import plots, ui
from nnkit.core.plaintext import quote
from nnkit.core.saving import ModelFileError
from nnkit.experiments.build_network import architecture as arch
from nnkit.experiments.build_network import csvfile, figures, lesson, tables
from nnkit.experiments.build_network import evaluation as ev
from nnkit.experiments.build_network import model as bn
from nnkit.experiments.build_network import predict
from nnkit.experiments.build_network.notebook import workflow_notebook

NS, CSV = "build_network", tables.CSV
controls = ui.page_settings(NS, bn.SETTINGS)
ui.recover_interrupted(NS)
controls.publish()  # widget values are in session state before the script runs
state, K = st.session_state, lambda name: ui.key(NS, name)

st.title("Build your own network")
st.markdown("The Keras workflow on a real table: choose the data, stack `Dense`, `Dropout` and "
            "`BatchNormalization` layers into a `Sequential` model, compile, fit with a validation set, then "
            "ask the one question that matters: does it beat a simple baseline on rows it has never seen?")

st.header("1 · The data")
c1, c2, c3 = st.columns(3)
controls("dataset", c1.selectbox, "Table")
mine = controls.value("dataset") == CSV
controls("task", c2.selectbox, "Task (your CSV)", disabled=not mine)
controls("standardise", c3.toggle, "Standardise features")
if mine:
    upload = st.file_uploader("Your CSV: a header row, numeric features, one target column (UTF-8)",
                              type=["csv", "txt"], key=K("upload"))
    if upload is not None and state.get(K("csv_id")) != upload.file_id:
        state[K("csv_id")], state[K("csv_blob")], state[K("csv_name")] = upload.file_id, upload.getvalue(), upload.name
    if state.get(K("csv_blob")) is None:
        st.info("Upload a CSV to train on it, or pick one of the built-in tables.", icon=":material/upload_file:")
        st.stop()
    names = csvfile.columns(state[K("csv_blob")])
    if names and state.get(K("target")) not in names:
        state[K("target")] = names[-1]
    target = st.selectbox("Target column (what to predict)", names, key=K("target")) if names else None
    try:
        table = csvfile.parse(state[K("csv_blob")], state[K("csv_name")], target, controls.value("task"))
    except csvfile.CSVError as error:
        st.error(str(error), icon=":material/error:")
        st.stop()
else:
    table = tables.builtin(controls.value("dataset"))
s = controls.values()
data = tables.prepared(table, s["standardise"], s["seed"])
st.caption(f"{table.description} {tables.describe_split(table, data)} Source: {table.source}.")
for note in table.notes:
    st.info(note, icon=":material/info:")
st.dataframe(tables.preview(table), hide_index=True)
with st.expander("Feature statistics (why standardising matters)", icon=":material/table:"):
    st.dataframe(tables.feature_stats(table), hide_index=True)

st.header("2 · The architecture")
builder, code = st.columns([1, 1.1])
locked = "layers" in controls.locked


def edit(op, *args, **fields):
    state[K("layers")] = arch.format_layers(op(arch.parse_layers(state[K("layers")]), *args, **fields))


def draw_layer(i: int, layer: arch.Layer) -> None:
    cols = builder.columns([1.3, 1.2, 1.3, 0.5, 0.5, 0.5], vertical_alignment="bottom")
    cols[0].markdown(f"**{i + 1}.** {arch.describe((layer,)).split('(')[0]}")
    most = arch.WORKSHOP_UNITS if controls.workshop else arch.MAX_UNITS
    fields = {arch.DENSE: [("units", cols[1].number_input, {"min_value": 1, "max_value": most}),
                           ("activation", cols[2].selectbox, {"options": arch.ACTIVATIONS})],
              arch.DROPOUT: [("rate", cols[1].slider, {"min_value": 0.0, "max_value": 0.9, "step": 0.05})]}
    for name, widget, kwargs in fields.get(layer.kind, []):
        state[K(f"layer.{i}.{name}")] = getattr(layer, name)
        widget(name, key=K(f"layer.{i}.{name}"), label_visibility="collapsed", disabled=locked,
               on_change=lambda n=name: edit(arch.changed, i, **{n: state[K(f"layer.{i}.{n}")]}), **kwargs)
    for col, icon, why, op, args in ((cols[3], "arrow_upward", "Move up", arch.moved, (i, -1)),
                                     (cols[4], "arrow_downward", "Move down", arch.moved, (i, 1)),
                                     (cols[5], "close", "Remove", arch.removed, (i,))):
        col.button("", icon=f":material/{icon}:", key=K(f"layer.{i}.{icon}"), on_click=edit, args=(op, *args),
                   disabled=locked, help=why)


layers = arch.parse_layers(state[K("layers")])
with builder:
    st.caption(f"Input: {len(table.features)} features → {arch.describe(layers)} → output layer")
    if "layers" not in controls.hidden:
        for index, layer in enumerate(layers):
            draw_layer(index, layer)
        a1, a2 = st.columns([2, 1], vertical_alignment="bottom")
        kind = a1.selectbox("Add a layer", arch.KINDS, key=K("add_kind"), disabled=locked)
        a2.button("Add", icon=":material/add:", key=K("add"), on_click=edit, args=(arch.added, kind), disabled=locked)
    o1, o2, o3 = st.columns(3)
    controls("output", o1.selectbox, "Output activation")
    controls("loss", o2.selectbox, "Loss")
    controls("metric", o3.selectbox, "Metric")
try:
    recipe = bn.recipe(s, len(table.features), table.task, table.n_classes)
except bn.Mismatch as problem:
    recipe = None
    builder.error(str(problem), icon=":material/error:")
if recipe is not None:
    code.code(recipe.code(), language="python")
    summary = pd.DataFrame(bn.summary_rows(recipe.build(compiled=False)))
    builder.dataframe(summary, hide_index=True)
    builder.caption(f"Total: {summary['parameters'].sum():,} parameters (weights, biases and "
                    "BatchNormalization statistics), as `model.count_params()` counts them.")

st.header("3 · Compile and fit")
c1, c2, c3 = st.columns(3)
controls("optimizer", c1.selectbox, "Optimiser")
controls("lr", c2.select_slider, "Learning rate")
controls("batch", c3.select_slider, "Batch size")
controls("epochs", c1.slider, "Epochs")
controls("early_stop", c2.toggle, "EarlyStopping (patience 5, best weights restored)")
controls("seed", c3.number_input, "Seed (same seed, same starting weights)", step=1)
clicked = ui.train_button(NS, disabled=recipe is None)
view = ui.live_view(NS)
metric = recipe.compile.metrics[0] if recipe else "accuracy"


def draw(history, epochs, tag, numbers=True):
    ui.chart(figures.curves_figure(history, metric, epochs), f"{tag}.curves", numbers=numbers)


if clicked and recipe is not None:
    model = ui.Built(recipe.build)
    ui.train_live(NS, bn.run_label(s), s, model, (data["x_fit"], data["y_fit"]), recipe.train_config(), view,
                  lambda update, tag: draw(update.history, update.epochs, tag, False),
                  artifacts=lambda: ev.evaluate(model.model, data, table), callbacks=recipe.callbacks())

record = ui.last_run(NS)
if record is None or recipe is None or not bn.belongs(record, table, s):
    view.info("Press **Train** to fit this model; the curves update as it learns." if record is None else
              "Your last run was on other data or settings: press **Train** for this table.")
    st.stop()
diagnosis = lesson.diagnosis_of(record, data, table.task, table.n_classes)
with view.container():
    draw(record.history, record.settings["epochs"], f"{NS}.final")
    ui.show_outcome(record, diagnosis)
    ui.show_prediction(NS, [record], lambda runs: predict.answer(runs, diagnosis))
    ui.twin_run(NS, controls, record)

scores, baselines = record.artifacts.get("scores"), record.artifacts.get("baselines")
if scores is not None:  # a run cut off by Stop keeps its curves but no model to evaluate
    st.header("4 · Evaluate and predict")
    st.dataframe(pd.DataFrame(ev.comparison_rows(scores, baselines)), hide_index=True)
    st.markdown(ev.verdict(scores, baselines, table.regression))
    left, right = st.columns(2)
    ui.chart(figures.comparison_figure({"your network": scores, **baselines}, ev.HEADLINE[table.regression]),
             f"{NS}.compare_baselines", left)
    ui.chart(figures.scatter_figure(data["y_test"], record.artifacts["guess"], table.target) if table.regression
             else figures.confusion_figure(scores["confusion"], table.class_names), f"{NS}.test", right)
    st.subheader("Predict one row")
    row = st.data_editor(tables.editable_row(table, data), key=K("row"), hide_index=True)
    trained = bn.trained_model(record.settings, table, record.artifacts["weights"])
    st.dataframe(pd.DataFrame([ev.predict_row(trained, row.iloc[0].to_numpy(), data, table.regression,
                                              table.class_names)]), hide_index=True)

st.header("5 · Save and load")
ui.download_buttons(NS, lambda: workflow_notebook(record.settings, table, bn.recipe(
    record.settings, len(table.features), table.task, table.n_classes), record.message))
loaded = st.file_uploader("Evaluate a .keras model on the same test rows", key=K("model_upload"))
if loaded is not None and state.get(K("loaded_id")) != loaded.file_id:
    state[K("loaded_id")], state[K("model_name")] = loaded.file_id, loaded.name
    state[K("model_blob")] = loaded.getvalue()
if (blob := state.pop(K("model_blob"), None)) is not None:  # AppTest sets this key directly
    name = quote(state.get(K("model_name"), "your file"))
    try:
        uploaded = ev.load_for_table(blob, len(table.features), table.task, table.n_classes)
        state[K("uploaded")] = (name, ev.score_on_test(uploaded, data, table.regression, table.n_classes)[0])
    except ModelFileError as error:  # the earlier upload's scores stay shown
        st.error(f"{name}: {error}", icon=":material/error:")
if (shown := state.get(K("uploaded"))) is not None:
    st.success(ev.upload_summary(*shown), icon=":material/check_circle:")

st.header("6 · What it means")
st.markdown(lesson.meaning(record, diagnosis, scores, baselines, table.regression))
st.header("Your runs")
st.caption("Tick runs to overlay their curves. Runs live only in this browser session.")
if chosen := ui.runs_table(NS):
    ui.chart(plots.history_figure({f"{i + 1}. {r.label}": r.history for i, r in enumerate(chosen)}), f"{NS}.runs")
