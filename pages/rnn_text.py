"""RNN text generation: from gibberish to Shakespeare-ish text, temperature, and an LSTM forecast."""

import time
from dataclasses import replace

import streamlit as st

from nnkit import plots, ui
from nnkit.core import series
from nnkit.core.settings import Setting
from nnkit.core.training import TrainConfig
from nnkit.experiments.rnn_text import figures as rnn_plots
from nnkit.experiments.rnn_text import model as text

NS = "rnn"
CMP = {"SimpleRNN": f"{NS}.cmp_simple", "LSTM": f"{NS}.cmp_lstm"}
TS = f"{NS}.series"
MAIN = ("corpus", "kb", "cell", "layers", "units", "seq_len", "epochs", "batch", "lr", "seed")  # section 1
SETTINGS = (
    Setting("corpus", "Shakespeare: the Sonnets", choices=(*text.CORPORA, text.ALL, text.PASTE, text.UPLOAD)),
    Setting("kb", 100, low=5, high=300, workshop_high=100),
    Setting("cell", "LSTM", choices=text.CELLS),
    Setting("layers", 1, low=1, high=3, workshop_high=2),
    Setting("units", 128, choices=(16, 32, 64, 128, 256), workshop_high=128),
    Setting("seq_len", 40, low=5, high=200),
    Setting("epochs", 2, low=1, high=20, workshop_high=5),
    Setting("batch", 32, choices=(16, 32, 64, 128)),
    Setting("lr", 0.01, choices=(0.0003, 0.001, 0.003, 0.01, 0.03, 0.1, 1.0, 10.0)),
    Setting("seed", 0, low=0, high=9999),
    Setting("temperature", 0.7, low=0.0, high=2.0),
    Setting("length", 300, low=0, high=1_000_000),  # clamped with a notice by text.check_request
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
ui.init_state(NS, {"pasted": "", "prompt": text.DEFAULT_PROMPT})  # free text: not part of a link
for ns in (NS, *CMP.values(), TS):
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
if s["corpus"] == text.PASTE:
    st.text_area("Your text", key=ui.key(NS, "pasted"), height=140)
elif s["corpus"] == text.UPLOAD:
    upload = st.file_uploader("A plain-text file (UTF-8)", key=ui.key(NS, "upload"))
corpus, vocab, error = "", None, None
try:
    corpus, notes = text.choose_corpus(s["corpus"], s["kb"] * 1000, state[ui.key(NS, "pasted")],
                                       upload.getvalue() if upload else None)
    vocab = text.CharVocab.from_text(corpus)
    x, y = text.make_windows(vocab.encode(corpus), s["seq_len"], max(1, s["seq_len"] // 2))
    for note in notes:
        st.info(note, icon=":material/info:")
    st.caption(f"{len(corpus):,} characters, {vocab.size} distinct. {len(x):,} half-overlapping windows "
               f"of {s['seq_len']}; the target is the same window shifted by one character, so every "
               "position predicts its next character. 20% of windows are held out for validation.")
except text.TextError as exc:
    error = str(exc)
    st.error(error, icon=":material/error:")
clicked = ui.train_button(NS, disabled=error is not None)
view = st.empty()


def draw(history, entries, epochs, tag, numbers=True):
    left, right = st.columns([1.3, 1])
    ui.chart(plots.history_figure({"this run": history}, planned_epochs=epochs), f"{tag}.curves", left,
             numbers=numbers)
    right.markdown("**Samples after each epoch** (newest first, prompt ⏎)\n\n" + text.log_markdown(entries)
                   if entries else "_Samples at T = 0.2, 0.7 and 1.2 appear after each epoch._")


config = text.TextModelConfig(s["cell"], s["layers"], s["units"], learning_rate=s["lr"], seed=s["seed"])
if clicked and error is None:  # a twin run can pick a text that is not usable
    model = text.build_text_model(config, vocab)
    for name in ("gen", "generated"):
        state.pop(ui.key(NS, name), None)
    log = text.SampleLog(model, seed=s["seed"])
    own_text = {} if s["corpus"] in (*text.CORPORA, text.ALL) else {"text": corpus}  # for the notebook
    ui.train_live(NS, f"{config.layers}×{config.cell}({config.units}), seq {s['seq_len']}",
                  {k: s[k] for k in MAIN}, model, (x, y), TrainConfig(s["epochs"], s["batch"], 0.2, s["seed"]),
                  view, lambda u, tag: draw(u.history, log.entries, u.epochs, tag, numbers=False),
                  batch_updates=True, callbacks=(text.sample_callback(log),),
                  artifacts=lambda: {"samples": log.entries, "vocab": vocab.size, "chars": len(corpus), **own_text})

record, model = ui.last_run(NS), state.get(ui.key(NS, "model"))
if record is None:
    view.info("Press **Train**: the loss curve grows and a sample of generated text is added after each epoch.")
else:
    with view.container():
        draw(record.history, record.artifacts.get("samples", []), record.epochs_run, f"{NS}.final")
        ui.show_outcome(record)
        # Not ui.download_buttons: section 5 already offers this model as .keras.
        st.download_button("Notebook (.ipynb)", file_name=f"nnkit-{NS}.ipynb", mime="application/x-ipynb+json",
                           data=lambda: text.char_model_notebook(record.settings, record.message,
                                                                 record.artifacts.get("text")),
                           icon=":material/description:", key=ui.key(NS, "download.notebook"), on_click="ignore")
        ui.twin_run(NS, controls, record)

st.header("2 · Generate")
gen = state.get(ui.key(NS, "gen"))
if model is None:
    st.info("Train a model in section 1 (or load one in section 5) to generate text.")
else:
    if gen is None or gen.model is not model:
        gen = state[ui.key(NS, "gen")] = text.CharGenerator(model)
    c1, c2, c3, c4 = st.columns([3, 2, 1, 1])
    prompt = c1.text_input("Prompt", key=ui.key(NS, "prompt"), max_chars=text.MAX_PROMPT)
    controls("temperature", c2.slider, "Temperature T", step=0.05)
    controls("length", c3.number_input, "Length", step=100)
    controls("gen_seed", c4.number_input, "Sampling seed", step=1)
    length, temperature, notes = text.check_request(s["length"], s["temperature"])
    _, unknown = gen.vocab.split_known(prompt)
    if unknown:
        notes.append("Characters the model never saw are skipped: " + " ".join(map(repr, unknown[:10])))
    for note in notes:
        st.warning(note, icon=":material/warning:")
    st.latex(r"p_i = \frac{e^{z_i / T}}{\sum_j e^{z_j / T}} \qquad z = \text{the model's scores (logits)}")
    left, right = st.columns([1.2, 1])
    try:
        rows = text.top_chars(gen.next_probs(prompt, temperature), gen.vocab, 10)
        reference = text.top_chars(gen.next_probs(prompt, 1.0), gen.vocab, gen.vocab.size)
        ui.chart(rnn_plots.next_char_figure(rows, temperature, reference), f"{NS}.next", right)
        right.caption("Low T sharpens the distribution towards the top character; high T flattens it.")
        out = left.empty()
        if left.button("Generate", key=ui.key(NS, "generate"), type="primary", icon=":material/edit_note:"):
            shown, last = prompt, 0.0
            for chunk in gen.stream(prompt, length, temperature, s["gen_seed"]):
                shown += chunk
                if time.perf_counter() - last > 0.05:
                    out.code(shown, language=None, wrap_lines=True)
                    last = time.perf_counter()
            state[ui.key(NS, "generated")] = (shown, gen.ms_per_char(200, prompt))
        if ui.key(NS, "generated") in state:
            shown, ms = state[ui.key(NS, "generated")]
            out.code(shown, language=None, wrap_lines=True)
            left.caption(f"Generation speed: **{ms:.2f} ms per character** ({1000 / ms:,.0f} characters/s), "
                         "one compiled single-step call per character, state carried between calls.")
    except text.TextError as exc:
        st.error(str(exc), icon=":material/error:")

st.header("3 · SimpleRNN vs LSTM")
st.markdown("Both cells on the same text, seed and settings, with longer sequences: a SimpleRNN's "
            "gradient fades over many steps back in time; an LSTM's gated cell state carries it further.")
c1, c2, c3 = st.columns(3)
controls("cmp_seq", c1.slider, "Sequence length")
controls("cmp_kb", c2.slider, "Corpus size (KB)", step=5)
controls("cmp_epochs", c3.slider, "Epochs")
twin_view = st.empty()
if ui.train_button(f"{NS}.cmp", "Train both", disabled=error is not None):
    try:
        part = corpus[:s["cmp_kb"] * 1000]
        cvocab = text.CharVocab.from_text(part)
        cx, cy = text.make_windows(cvocab.encode(part), s["cmp_seq"], max(1, s["cmp_seq"] // 2))
        done = {}
        for cell, ns in CMP.items():
            def render(u, tag, cell=cell):
                ui.chart(plots.history_figure({**done, cell: u.history}, planned_epochs=s["cmp_epochs"]),
                         f"{tag}.twin", numbers=False)
            rec = ui.train_live(ns, cell, {"seq_len": s["cmp_seq"], "kb": s["cmp_kb"]},
                                text.build_text_model(replace(config, cell=cell, layers=1), cvocab), (cx, cy),
                                TrainConfig(s["cmp_epochs"], s["batch"], 0.2, s["seed"]), twin_view, render,
                                batch_updates=True)
            done[cell] = rec.history
    except text.TextError as exc:
        st.error(str(exc), icon=":material/error:")
first, second = (ui.last_run(ns) for ns in CMP.values())
if first is None or second is None:
    twin_view.info("Press **Train both** to train a SimpleRNN and an LSTM with the same data and seed.")
else:
    with twin_view.container():
        ui.chart(plots.history_figure({"SimpleRNN": first.history, "LSTM": second.history}), f"{NS}.cmp.final")
        st.markdown(text.compare_lesson("SimpleRNN", first.history, "LSTM", second.history,
                                        second.settings["seq_len"]))

st.header("4 · Forecast a real time series")
c1, c2, c3, c4 = st.columns(4)
controls("ts_name", c1.selectbox, "Series")
controls("ts_window", c2.slider, "Window (past steps)")
controls("ts_units", c3.select_slider, "LSTM units")
controls("ts_epochs", c4.slider, "Epochs")
ser = series.load_series(s["ts_name"])
st.caption(ser.description + " The model sees the last values relative to the latest one and predicts "
           "the next change; the last 20% of the series is the test period.")
ts_view = st.empty()
try:
    windows = series.make_windows(ser, s["ts_window"])
except ValueError as exc:
    windows = None
    st.error(str(exc), icon=":material/error:")
if ui.train_button(TS, "Train forecaster", disabled=windows is None):
    fmodel = series.build_forecaster(s["ts_window"], s["ts_units"], seed=s["seed"])
    ui.train_live(TS, f"LSTM({s['ts_units']}) on {ser.name}", {"name": ser.name, "window": s["ts_window"]},
                  fmodel, (windows.x_train, windows.y_train), TrainConfig(s["ts_epochs"], 16, 0.2, s["seed"]),
                  ts_view, lambda u, tag: ui.chart(plots.history_figure({"forecaster": u.history}, ("loss", "mae"),
                                                                        u.epochs), f"{tag}.ts", numbers=False),
                  artifacts=lambda: {"forecast": series.forecast(fmodel, windows), "windows": windows})
ts = ui.last_run(TS)
if ts is None or "forecast" not in ts.artifacts:
    ts_view.info("Press **Train forecaster** to fit the LSTM; then its forecasts are drawn against the truth.")
else:
    w, fc, shown_ser = ts.artifacts["windows"], ts.artifacts["forecast"], series.load_series(ts.settings["name"])
    with ts_view.container():
        ui.chart(rnn_plots.forecast_figure(shown_ser.time, shown_ser.values, w.time_test, fc,
                                           series.naive_forecast(w), w.split_time, shown_ser.unit), f"{NS}.forecast")
        ui.show_outcome(ts)
        st.markdown(series.series_lesson(shown_ser.name, shown_ser.unit, series.mae(w.actual_test, fc),
                                         series.mae(w.actual_test, series.naive_forecast(w)),
                                         ts.settings["window"]))

st.header("5 · Save or load the text model")
c1, c2 = st.columns(2)
if model is not None:
    c1.download_button("Download .keras", data=lambda: text.save_bytes(model), key=ui.key(NS, "download"),
                       file_name=f"nnkit_char_{text.config_of(model)[0].cell.lower()}.keras",
                       mime="application/octet-stream", icon=":material/download:", on_click="ignore")
else:
    c1.caption("Train a model first; then you can download it as a .keras file.")
loaded = c2.file_uploader("Load a .keras text model saved here", key=ui.key(NS, "model_upload"))
if loaded is not None and state.get(ui.key(NS, "loaded_id")) != loaded.file_id:
    state[ui.key(NS, "loaded_id")] = loaded.file_id
    try:
        state[ui.key(NS, "model")] = text.load_bytes(loaded.getvalue())
        state.pop(ui.key(NS, "generated"), None)
        st.rerun()
    except text.TextError as exc:
        c2.error(str(exc), icon=":material/error:")
if model is not None and record is None:
    cfg, v = text.config_of(model)
    c2.success(f"Loaded: {cfg.layers}×{cfg.cell}({cfg.units}), {v.size} characters.")

if record is not None and record.artifacts.get("vocab"):
    st.header("6 · What it means")
    speed = state.get(ui.key(NS, "generated"), (None, None))[1]
    st.markdown(text.text_lesson(record.history, record.artifacts["vocab"], record.settings["cell"],
                                 record.artifacts["chars"], speed))
