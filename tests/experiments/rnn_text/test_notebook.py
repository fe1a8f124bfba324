"""nnkit.experiments.rnn_text.notebook: the export runs in an empty folder and reproduces the run."""

import gzip

import pytest

from nnkit import notebook as export
from nnkit.experiments.rnn_text import corpus as text
from nnkit.experiments.rnn_text.notebook import char_model_notebook, corpus_code, run_text
from tests.helpers import run_notebook

EXPORT = {"corpus": "Shakespeare: the Sonnets", "kb": 5, "cell": "LSTM", "layers": 1, "units": 16,
          "seq_len": 20, "epochs": 1, "batch": 64, "lr": 0.01, "seed": 3}


def test_exported_notebook_reproduces_the_run_and_its_samples():
    import nnkit
    from nnkit.core.training import TrainConfig
    from nnkit.experiments.rnn_text import generation, model

    s = EXPORT
    prepared = text.prepare(s["corpus"], s["kb"] * 1000, s["seq_len"])
    net = model.build_text_model(model.TextModelConfig(s["cell"], s["layers"], s["units"],
                                                       learning_rate=s["lr"], seed=s["seed"]), prepared.vocab)
    log = generation.SampleLog(net, seed=s["seed"])
    result = nnkit.train(net, (prepared.x, prepared.y), TrainConfig(s["epochs"], s["batch"], 0.2, s["seed"]),
                         callbacks=[generation.sample_callback(log)])
    # In an empty folder (no assets/ to read from), without TensorFlow under JAX.
    losses, samples = run_notebook(char_model_notebook(s, result.message),
                                   '[history.history["loss"], {str(t): v for t, v in log.entries[-1]["samples"].items()}]')
    assert len(losses) == s["epochs"]
    assert losses[-1] == pytest.approx(result.history["loss"][-1], rel=0.05)
    # Same weights and the app's sampling code and seed: the same samples, character for character.
    assert samples == {str(t): v for t, v in log.entries[-1]["samples"].items()}


@pytest.mark.parametrize("corpus, own", [(text.ALL, None), (text.PASTE, "To be, or not to be:\n" * 20)])
def test_exported_notebook_is_valid_and_carries_its_text(corpus, own):
    import nbformat

    s = {**EXPORT, "corpus": corpus, "cell": "GRU", "layers": 2}
    blob = char_model_notebook(s, "ok", own)
    nbformat.validate(nbformat.reads(blob.decode(), as_version=4))
    code = export.code_cells(blob)
    compile(code, "notebook", "exec")
    assert "GRU" in code and "layers=2" in code and "nnkit" not in code.replace("exported from nnkit", "")
    assert "assets" not in code and "keras.utils.set_random_seed(3)" not in code and "set_seed(3)" in code
    # The notebook defines the app's own classes by their source, not a copy written as a string.
    assert "class CharGenerator" in code and "def build_text_model" in code
    if own:
        assert repr(own) in code
    namespace = {}
    exec("import base64, gzip\n" + corpus_code(run_text(s, own)), namespace)
    assert namespace["corpus"] == (own or text.all_corpora(s["kb"] * 1000))
    with pytest.raises(ValueError, match="needed"):
        char_model_notebook({**EXPORT, "corpus": text.UPLOAD}, "ok")


def test_long_text_is_compressed_short_text_stays_readable():
    long = text.load_corpus("Shakespeare: the Sonnets", 50_000)
    code = corpus_code(long)
    assert "gzip.decompress" in code and len(code) < len(long) and long[:200] not in code
    assert corpus_code("short text") == "corpus = 'short text'"
    assert gzip.compress(b"x", mtime=0) == gzip.compress(b"x", mtime=0)  # the export is reproducible
