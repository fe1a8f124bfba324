"""AppTest of the RNN page with tiny settings (a few KB, 16 units, 1 epoch), including every kind
of bad .keras upload (issue #26): each gets its message, no traceback, and the page keeps its model."""

import numpy as np
import pytest

from nnkit.core import models
from nnkit.core.saving import model_bytes
from nnkit.core.training import FINISHED
from nnkit.experiments.rnn_text import corpus as text
from nnkit.experiments.rnn_text import generation
from nnkit.experiments.rnn_text import model as rnn
from nnkit.experiments.rnn_text.sampling import MAX_GENERATE
from tests.experiments.rnn_text.test_model import text_like
from tests.helpers import page_test

PAGE = "pages/rnn_text.py"
TINY = {"kb": 5, "units": 16, "seq_len": 20, "epochs": 1, "batch": 64, "length": 40,
        "cmp_kb": 5, "cmp_seq": 20, "cmp_epochs": 1, "ts_epochs": 2, "ts_units": 8}


def _page(**settings):
    at = page_test(PAGE)
    for name, value in {**TINY, **settings}.items():
        at.session_state[f"rnn_text.{name}"] = value
    return at.run()


def test_loads_with_hints_and_no_model():
    at = _page()
    assert not at.exception
    assert any("Press **Train**" in i.value for i in at.info)
    assert any("Train a model in section 1" in i.value for i in at.info)


@pytest.mark.smoke
def test_train_then_generate_shows_samples_probabilities_and_text():
    at = _page()
    at.button(key="rnn_text.train").click().run()
    assert not at.exception
    record = at.session_state["rnn_text.runs"][-1]
    assert record.reason == FINISHED and len(record.history["loss"]) == 1
    assert len(record.artifacts["samples"]) == 1  # one epoch -> one sample entry at 3 temperatures
    assert set(record.artifacts["samples"][0]["samples"]) == set(generation.SAMPLE_TEMPERATURES)
    assert any("Epoch 1" in m.value for m in at.markdown)
    assert any("nats" in m.value for m in at.markdown)  # "What it means" from this run's numbers
    at.button(key="rnn_text.generate").click().run()
    assert not at.exception
    shown, ms = at.session_state["rnn_text.generated"]
    assert shown.startswith("Shall I compare thee") and len(shown) == len("Shall I compare thee") + 40
    assert ms > 0 and any("ms per character" in c.value for c in at.caption)
    assert at.code and at.code[0].value == shown
    # absurd generation settings on the same trained model: clamped with notices
    at.session_state["rnn_text.length"] = 1_000_000
    at.session_state["rnn_text.temperature"] = 0.0
    at.session_state["rnn_text.prompt"] = "Shall I ☃ thee"
    at.run()
    at.button(key="rnn_text.generate").click().run()
    assert not at.exception
    warnings = " ".join(w.value for w in at.warning)
    assert "capped" in warnings and "greedy" in warnings and "never saw" in warnings
    shown, _ = at.session_state["rnn_text.generated"]
    assert len(shown) == len("Shall I ☃ thee") + MAX_GENERATE


def test_a_ruinous_learning_rate_is_not_a_success_and_is_told_to_go_down():
    at = _page(lr=10.0)
    at.button(key="rnn_text.train").click().run()
    assert not at.exception and not at.success  # never a green box for a loss worse than guessing
    shown = " ".join(w.value for w in at.warning) + " ".join(m.value for m in at.markdown)
    assert "lower it" in shown and "raise the learning rate" not in shown


def test_bad_inputs_give_messages_not_tracebacks():
    at = _page(corpus=text.PASTE, pasted="a")
    assert not at.exception
    assert any("only 1 character" in e.value for e in at.error)
    assert at.button(key="rnn_text.train").disabled


def test_compare_and_forecast_sections_train_and_explain():
    at = _page()
    at.button(key="rnn_text.cmp.train").click().run()
    assert not at.exception
    pair = at.session_state["rnn_text.cmp.runs"]
    assert [r.label for r in pair] == ["SimpleRNN", "LSTM"] and all(r.reason == FINISHED for r in pair)
    assert any("vanishing gradients" in m.value for m in at.markdown)
    at.button(key="rnn_text.series.train").click().run()
    assert not at.exception
    ts = at.session_state["rnn_text.series.runs"][-1]
    assert np.all(np.isfinite(ts.artifacts["forecast"]))
    assert any("naive" in m.value.lower() or "repeating the last value" in m.value for m in at.markdown)


def _upload(at, blob: bytes):
    """What the page's uploader hands on (AppTest cannot drive a file upload)."""
    at.session_state["rnn_text.model_blob"] = blob
    return at.run()


def test_a_loaded_model_can_generate():
    model = rnn.build_text_model(rnn.TextModelConfig(units=8), text.CharVocab.from_text("abc def\n"))
    at = page_test(PAGE)
    at.session_state["rnn_text.prompt"] = "abc"
    at.run()
    _upload(at, model_bytes(model))
    assert not at.exception
    assert any("Loaded: 1×LSTM(8), 8 characters" in s.value for s in at.success)
    assert at.get("plotly_chart")  # next-character bars


BAD_UPLOADS = {
    "mismatched vocabulary and embedding": (lambda: model_bytes(text_like("ab", 56, 2)),
                                            "saved vocabulary has 2 characters but its embedding has 56 rows"),
    "empty vocabulary": (lambda: model_bytes(text_like("", 56, 56)), "saved vocabulary is empty"),
    "wrong input shape": (lambda: model_bytes(text_like("abcd", 4, 4, input_shape=(None, 3))), "input shape"),
    "wrong output size": (lambda: model_bytes(text_like("abcd", 4, 5)), "output has 5 units"),
    "a Lambda layer": (lambda: model_bytes(_lambda_model()), "Lambda layer"),
    "a model from another page": (lambda: model_bytes(models.build_mlp(models.MLPConfig((4,)), 2, 2)),
                                  "not one score per character"),
    "a truncated file": (lambda: _truncated(), "This page expects"),
}


def _lambda_model():
    import keras

    tokens = keras.Input((None,), dtype="int32")
    return keras.Model(tokens, keras.layers.Lambda(lambda t: t + 1)(tokens))


def _truncated() -> bytes:
    blob = model_bytes(rnn.build_text_model(rnn.TextModelConfig(units=4), text.CharVocab("ab")))
    return blob[: len(blob) // 2]


def test_every_bad_upload_gets_its_message_and_the_page_keeps_its_model():
    good = rnn.build_text_model(rnn.TextModelConfig(units=8), text.CharVocab.from_text("abc def\n"))
    at = page_test(PAGE)
    at.run()
    _upload(at, model_bytes(good))
    kept = at.session_state["rnn_text.text_model"]
    for case, (blob, reason) in BAD_UPLOADS.items():
        _upload(at, blob())
        assert not at.exception, case
        errors = " ".join(e.value for e in at.error)
        assert reason in errors and "This page expects" in errors, case
        assert at.session_state["rnn_text.text_model"] is kept, case  # the earlier model stays in use
        assert any("Loaded: 1×LSTM(8)" in s.value for s in at.success), case


def test_a_shared_link_sets_up_the_page_and_bad_parameters_get_a_notice():
    at = page_test(PAGE)
    at.query_params.update({"epochs": "5", "lr": "0.003", "cell": "GRU", "corpus": text.ALL,
                            "ts_name": "co2", "units": "99", "bogus": "1", "lock": "epochs,cell"})
    at.run()
    assert not at.exception
    epochs = at.slider(key="rnn_text.epochs")
    assert epochs.value == 5 and epochs.disabled
    assert at.selectbox(key="rnn_text.cell").value == "GRU" and at.selectbox(key="rnn_text.cell").disabled
    assert at.select_slider(key="rnn_text.lr").value == 0.003
    assert at.selectbox(key="rnn_text.corpus").value == text.ALL
    assert at.selectbox(key="rnn_text.ts_name").value == "co2"
    assert at.select_slider(key="rnn_text.units").value == 128  # the malformed value is ignored
    warnings = " ".join(w.value for w in at.warning)
    assert "units=99" in warnings and "bogus" in warnings


def test_changed_settings_are_written_back_to_the_link():
    at = page_test(PAGE).run()
    assert dict(at.query_params) == {}
    at.slider(key="rnn_text.seq_len").set_value(60).run()
    at.select_slider(key="rnn_text.ts_units").set_value(16).run()
    assert dict(at.query_params) == {"seq_len": "60", "ts_units": "16"}


def test_workshop_mode_caps_the_controls(monkeypatch):
    monkeypatch.setenv("NNKIT_WORKSHOP", "1")
    at = page_test(PAGE).run()
    assert not at.exception
    assert at.slider(key="rnn_text.epochs").max == 5 and at.slider(key="rnn_text.kb").max == 100
    assert at.select_slider(key="rnn_text.units").options == ["16", "32", "64", "128"]
    assert any("Workshop mode" in c.value for c in at.caption)


def test_notebook_download_and_twin_run_from_the_same_weights():
    at = _page()
    at.button(key="rnn_text.train").click().run()
    labels = [b.label for b in at.get("download_button")]
    assert labels == ["Notebook (.ipynb)", "Trained model (.keras)"]  # one .keras download, not two
    at.selectbox(key="rnn_text.twin.name").set_value("lr").run()
    at.selectbox(key="rnn_text.twin.lr").set_value(0.03).run()
    at.button(key="rnn_text.twin.go").click().run()
    assert not at.exception
    first, twin = at.session_state["rnn_text.runs"]
    assert {k for k in first.settings if first.settings[k] != twin.settings[k]} == {"lr"}
    assert at.select_slider(key="rnn_text.lr").value == 0.03
    # A twin on text that is not usable (nothing pasted yet) explains instead of crashing.
    at.selectbox(key="rnn_text.twin.name").set_value("corpus").run()
    at.selectbox(key="rnn_text.twin.corpus").set_value(text.PASTE).run()
    at.button(key="rnn_text.twin.go").click().run()
    assert not at.exception and any("empty" in e.value for e in at.error)
    assert len(at.session_state["rnn_text.runs"]) == 2
    # Same seed and architecture: the twin started from the first run's initial weights.
    vocab = text.CharVocab.from_text(text.load_corpus("Shakespeare: the Sonnets", 5000))
    a, b = (rnn.build_text_model(rnn.TextModelConfig(units=16, learning_rate=lr), vocab).get_weights()
            for lr in (0.01, 0.03))
    assert len(a) == len(at.session_state["rnn_text.text_model"].get_weights())
    assert all((x == y).all() for x, y in zip(a, b))


def test_a_prediction_is_judged_by_the_held_out_loss_against_guessing():
    import math

    from nnkit.experiments.rnn_text import predict

    at = _page(lr=10.0)  # a ruinous learning rate: the loss ends far above guessing's ln k
    guess = predict.QUESTION.options[2]
    at.radio(key="rnn_text.guess").set_value(guess).run()
    at.button(key="rnn_text.train").click().run()
    assert not at.exception
    record = at.session_state["rnn_text.runs"][-1]
    assert record.guess == guess and record.guessed_right is False
    verdict = [w.value for w in at.warning if "You predicted" in w.value]
    assert verdict and f"{record.history['val_loss'][-1]:.2f} nats" in verdict[0]
    assert f"{math.log(record.artifacts['vocab']):.2f}" in verdict[0] and predict.QUESTION.options[0] in verdict[0]
