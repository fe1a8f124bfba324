"""RNN text generation: from gibberish to Shakespeare-ish text, temperature, and an LSTM forecast."""

from dataclasses import replace

import streamlit as st

from nnkit import plots, ui
from nnkit.core import series
from nnkit.core.diagnosis import diagnose
from nnkit.core.saving import ModelFileError
from nnkit.core.settings import Setting
from nnkit.core.training import FAILED, TrainConfig
from nnkit.experiments.rnn_text import corpus, figures, forecast, generation, lesson, model as rnn, predict
from nnkit.experiments.rnn_text.notebook import char_model_notebook
from nnkit.experiments.rnn_text.sampling import check_request

NS, CMP, TS = "rnn_text", "rnn_text.cmp", "rnn_text.series"  # main run, SimpleRNN vs LSTM, forecaster
MAIN = ("corpus", "kb", "cell", "layers", "units", "seq_len", "epochs", "batch", "lr", "seed")  # section 1
SETTINGS = (
    Setting("corpus", "Shakespeare: the Sonnets", choices=(*corpus.CORPORA, corpus.ALL, corpus.PASTE, corpus.UPLOAD)),
    Setting("kb", 100, low=5, high=300, workshop_high=100),
    Setting("cell", "LSTM", choices=rnn.CELLS),
    Setting("layers", 1, low=1, high=3, workshop_high=2),
    Setting("units", 128, choices=(16, 32, 64, 128, 256), workshop_high=128),
    Setting("seq_len", 40, low=5, high=200),
    Setting("epochs", 2, low=1, high=20, workshop_high=5),
    Setting("batch", 32, choices=(16, 32, 64, 128)),
    Setting("lr", 0.01, choices=(0.0003, 0.001, 0.003, 0.01, 0.03, 0.1, 1.0, 10.0)),
    Setting("seed", 0, low=0, high=9999),
    Setting("temperature", 0.7, low=0.0, high=2.0),
    Setting("length", 300, low=0, high=1_000_000),  # clamped with a notice by check_request
    Setting("gen_seed", 0, low=0, high=9999),
    Setting("cmp_seq", 80, low=10, high=200),
    Setting("cmp_kb", 30, low=5, high=100, workshop_high=30),
    Setting("cmp_epochs", 2, low=1, high=10, workshop_high=3),
    Setting("ts_name", "sunspots", choices=tuple(series.SERIES)),
    Setting("ts_window", 24, low=2, high=60),
    Setting("ts_units", 32, choices=(8, 16, 32, 64), workshop_high=32),
    Setting("ts_epochs", 20, low=2, high=100, workshop_high=50),
)
controls = ui.page_settings(NS, SETTINGS)
ui.init_state(NS, {"pasted": "", "prompt": generation.DEFAULT_PROMPT})  # free text: not part of a link
for ns in (NS, CMP, TS):
    ui.recover_interrupted(ns)
state = st.session_state

st.title("RNN text generation")
st.markdown(
    "A recurrent network reads text one character at a time and keeps a **state**, a running summary "
    "of what it has read, to predict the next character. Train one on Shakespeare and watch its "
    "samples turn from gibberish into words; then see how **temperature** reshapes its choices, why "
    "an LSTM remembers longer than a plain RNN, and how the same idea forecasts a real time series.")

st.header("1 · Train a character model")
c1, c2 = st.columns([2, 1])
controls("corpus", c1.selectbox, "Text")
controls("kb", c2.slider, "Corpus size (KB)", step=5)
c1, c2, c3, c4 = st.columns(4)
controls("cell", c1.selectbox, "Cell")
controls("layers", c2.slider, "Layers")
controls("units", c3.select_slider, "Units")
controls("seq_len", c4.slider, "Sequence length")
controls("epochs", c1.slider, "Epochs")
controls("batch", c2.select_slider, "Batch size")
controls("lr", c3.select_slider, "Learning rate")
controls("seed", c4.number_input, "Seed", step=1)
controls.publish()
s = controls.values()
upload = None
if s["corpus"] == corpus.PASTE:
    st.text_area("Your text", key=ui.key(NS, "pasted"), height=140)
elif s["corpus"] == corpus.UPLOAD:
    upload = st.file_uploader("A plain-text file (UTF-8)", key=ui.key(NS, "upload"))
try:
    text = corpus.prepare(s["corpus"], s["kb"] * 1000, s["seq_len"], state[ui.key(NS, "pasted")],
                          upload.getvalue() if upload else None)
    for note in text.notes:
        st.info(note, icon=":material/info:")
    st.caption(text.caption(s["seq_len"]))
except corpus.TextError as exc:
    text = None
    st.error(str(exc), icon=":material/error:")
clicked = ui.train_button(NS, disabled=text is None)
view = ui.live_view(NS)


def draw(history, entries, epochs, tag, numbers=True):
    left, right = st.columns([1.3, 1])
    ui.chart(plots.history_figure({"this run": history}, planned_epochs=epochs), f"{tag}.curves", left,
             numbers=numbers)
    right.markdown("**Samples after each epoch** (newest first, prompt ⏎)\n\n" + generation.log_markdown(entries)
                   if entries else "_Samples at T = 0.2, 0.7 and 1.2 appear after each epoch._")


config = rnn.TextModelConfig(s["cell"], s["layers"], s["units"], learning_rate=s["lr"], seed=s["seed"])
if clicked and text is not None:  # a twin run can pick a text that is not usable
    for name in ("text_model", "generated", "gen"):
        state.pop(ui.key(NS, name), None)
    built = {}

    def build():
        """The model and its sample log, made once the run has its training slot (seeding never
        interleaves with another learner's run)."""
        built["model"] = rnn.build_text_model(config, text.vocab)
        built["log"] = generation.SampleLog(built["model"], seed=s["seed"])
        return built["model"]

    own = {} if s["corpus"] in (*corpus.CORPORA, corpus.ALL) else {"text": text.text}  # for the notebook
    done = ui.train_live(NS, f"{config.layers}×{config.cell}({config.units}), seq {s['seq_len']}",
                         {k: s[k] for k in MAIN}, build, (text.x, text.y),
                         TrainConfig(s["epochs"], s["batch"], 0.2, s["seed"]),
                         view, lambda u, tag: draw(u.history, built["log"].entries, u.epochs, tag, numbers=False),
                         batch_updates=True, callbacks=lambda: (generation.sample_callback(built["log"]),),
                         artifacts=lambda: {"samples": built["log"].entries, "vocab": text.vocab.size,
                                            "chars": len(text.text), **own})
    if done.reason != FAILED:  # a model whose training raised cannot generate
        state[ui.key(NS, "text_model")], state[ui.key(NS, "text_model_loaded")] = built["model"], False

record = ui.last_run(NS)
if record is None:
    view.info("Press **Train**: the loss curve grows and a sample of generated text is added after each epoch.")
else:
    with view.container():
        draw(record.history, record.artifacts.get("samples", []), record.epochs_run, f"{NS}.final")
        ui.show_outcome(record, lesson.record_diagnosis(record))
        ui.show_prediction(NS, [record], predict.answer)
        ui.download_buttons(NS, lambda: char_model_notebook(record.settings, record.message,
                                                            record.artifacts.get("text")))
        ui.twin_run(NS, controls, record)

st.header("2 · Generate")
model, gen = state.get(ui.key(NS, "text_model")), state.get(ui.key(NS, "gen"))
if model is None:
    st.info("Train a model in section 1 (or load one in section 5) to generate text.")
else:
    if gen is None or gen.model is not model:
        gen = state[ui.key(NS, "gen")] = generation.CharGenerator(model)
    c1, c2, c3, c4 = st.columns([3, 2, 1, 1])
    prompt = c1.text_input("Prompt", key=ui.key(NS, "prompt"), max_chars=generation.MAX_PROMPT)
    controls("temperature", c2.slider, "Temperature T", step=0.05)
    controls("length", c3.number_input, "Length", step=100)
    controls("gen_seed", c4.number_input, "Sampling seed", step=1)
    length, temperature, notes = check_request(s["length"], s["temperature"])
    _, unknown = gen.vocab.split_known(prompt)
    if unknown:
        notes.append("Characters the model never saw are skipped: " + " ".join(map(repr, unknown[:10])))
    for note in notes:
        st.warning(note, icon=":material/warning:")
    st.latex(r"p_i = \frac{e^{z_i / T}}{\sum_j e^{z_j / T}} \qquad z = \text{the model's scores (logits)}")
    left, right = st.columns([1.2, 1])
    try:
        rows, reference = generation.next_char_rows(gen, prompt, temperature)
        ui.chart(figures.next_char_figure(rows, temperature, reference), f"{NS}.next", right)
        right.caption("Low T sharpens the distribution towards the top character; high T flattens it.")
        out = left.empty()
        if left.button("Generate", key=ui.key(NS, "generate"), type="primary", icon=":material/edit_note:"):
            for shown in generation.growing(prompt, gen.stream(prompt, length, temperature, s["gen_seed"])):
                out.code(shown, language=None, wrap_lines=True)
            state[ui.key(NS, "generated")] = (shown, gen.ms_per_char(200, prompt))
        if ui.key(NS, "generated") in state:
            shown, ms = state[ui.key(NS, "generated")]
            out.code(shown, language=None, wrap_lines=True)
            left.caption(f"Generation speed: **{ms:.2f} ms per character** ({1000 / ms:,.0f} characters/s), "
                         "one compiled single-step call per character, state carried between calls.")
    except corpus.TextError as exc:
        st.error(str(exc), icon=":material/error:")

st.header("3 · SimpleRNN vs LSTM")
st.markdown("Both cells on the same text, seed and settings, with longer sequences: a SimpleRNN's "
            "gradient fades over many steps back in time; an LSTM's gated cell state carries it further.")
c1, c2, c3 = st.columns(3)
controls("cmp_seq", c1.slider, "Sequence length")
controls("cmp_kb", c2.slider, "Corpus size (KB)", step=5)
controls("cmp_epochs", c3.slider, "Epochs")
cmp_view = ui.live_view(CMP)


def draw_pair(results, epochs, tag, numbers=True):
    ui.chart(plots.history_figure({cell: r["history"] for cell, r in results.items()}, planned_epochs=epochs),
             f"{tag}.pair", numbers=numbers)


if ui.train_button(CMP, "Train both", disabled=text is None):
    try:
        part = corpus.windowed(text.text[:s["cmp_kb"] * 1000], s["cmp_seq"])
        ui.train_variants(CMP, [ui.Variant(cell, {"seq_len": s["cmp_seq"], "kb": s["cmp_kb"], "epochs": s["cmp_epochs"]},
                                           lambda cell=cell: rnn.build_text_model(replace(config, cell=cell, layers=1),
                                                                                  part.vocab),
                                           (part.x, part.y), TrainConfig(s["cmp_epochs"], s["batch"], 0.2, s["seed"]),
                                           batch_updates=True) for cell in ("SimpleRNN", "LSTM")], cmp_view, draw_pair)
    except corpus.TextError as exc:
        st.error(str(exc), icon=":material/error:")
pair = ui.comparison_runs(CMP)
if len(pair) < 2:
    cmp_view.info("Press **Train both** to train a SimpleRNN and an LSTM with the same data and seed.")
else:
    with cmp_view.container():
        draw_pair(ui.results(pair), pair[0].epochs_run, f"{CMP}.final")
        for run in pair:
            ui.show_outcome(run, lesson.record_diagnosis(run))
        st.markdown(lesson.compare_lesson("SimpleRNN", pair[0].history, "LSTM", pair[1].history,
                                          pair[1].settings["seq_len"]))

st.header("4 · Forecast a real time series")
c1, c2, c3, c4 = st.columns(4)
controls("ts_name", c1.selectbox, "Series")
controls("ts_window", c2.slider, "Window (past steps)")
controls("ts_units", c3.select_slider, "LSTM units")
controls("ts_epochs", c4.slider, "Epochs")
ser = series.load_series(s["ts_name"])
st.caption(ser.description + " The model sees the last values relative to the latest one and predicts "
           "the next change; the last 20% of the series is the test period.")
ts_view = ui.live_view(TS)
try:
    windows = forecast.make_windows(ser, s["ts_window"])
except ValueError as exc:
    windows = None
    st.error(str(exc), icon=":material/error:")
if ui.train_button(TS, "Train forecaster", disabled=windows is None):
    fbuilt = ui.Built(lambda: forecast.build_forecaster(s["ts_window"], s["ts_units"], seed=s["seed"]))
    ui.train_live(TS, f"LSTM({s['ts_units']}) on {ser.name}", {"name": ser.name, "window": s["ts_window"],
                                                               "epochs": s["ts_epochs"]}, fbuilt,
                  (windows.x_train, windows.y_train), TrainConfig(s["ts_epochs"], 16, 0.2, s["seed"]),
                  ts_view, lambda u, tag: ui.chart(plots.history_figure({"forecaster": u.history}, ("loss", "mae"),
                                                                        u.epochs), f"{tag}.ts", numbers=False),
                  artifacts=lambda: {"forecast": forecast.forecast(fbuilt.model, windows), "windows": windows})
ts = ui.last_run(TS)
if ts is None or "forecast" not in ts.artifacts:
    ts_view.info("Press **Train forecaster** to fit the LSTM; then its forecasts are drawn against the truth.")
else:
    w, fc, shown_ser = ts.artifacts["windows"], ts.artifacts["forecast"], series.load_series(ts.settings["name"])
    naive = forecast.naive_forecast(w)
    with ts_view.container():
        ui.chart(figures.forecast_figure(shown_ser.time, shown_ser.values, w.time_test, fc, naive, w.split_time,
                                         shown_ser.unit), f"{NS}.forecast")
        ui.show_outcome(ts, diagnose(ts.history, ts.reason, forecast.naive_baseline(w), ts.settings["epochs"], None))
        st.markdown(lesson.series_lesson(shown_ser.name, shown_ser.unit, forecast.mae(w.actual_test, fc),
                                         forecast.mae(w.actual_test, naive), ts.settings["window"]))

st.header("5 · Load a text model")
loaded = st.file_uploader("Load a .keras text model saved here", key=ui.key(NS, "model_upload"))
if loaded is not None and state.get(ui.key(NS, "loaded_id")) != loaded.file_id:
    state[ui.key(NS, "loaded_id")], state[ui.key(NS, "model_blob")] = loaded.file_id, loaded.getvalue()
if (blob := state.pop(ui.key(NS, "model_blob"), None)) is not None:  # AppTest sets this key directly
    try:
        state[ui.key(NS, "text_model")], state[ui.key(NS, "text_model_loaded")] = rnn.load_text_model(blob), True
        state.pop(ui.key(NS, "generated"), None)
        st.rerun()
    except ModelFileError as error:  # the earlier model stays in use
        st.error(str(error), icon=":material/error:")
if state.get(ui.key(NS, "text_model_loaded")):
    st.success(f"Loaded: {rnn.describe(state[ui.key(NS, 'text_model')])}.", icon=":material/check_circle:")

if record is not None and record.artifacts.get("vocab"):
    st.header("6 · What it means")
    speed = state.get(ui.key(NS, "generated"), (None, None))[1]
    st.markdown(lesson.text_lesson(record.history, record.artifacts["vocab"], record.settings["cell"],
                                   record.artifacts["chars"], speed, record.reason, record.settings["epochs"]))
