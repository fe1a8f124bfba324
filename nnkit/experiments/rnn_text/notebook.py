"""The character-model run as a notebook that runs anywhere, built from the app's own code.

The text the run used is embedded (gzip + base64 when it is long), so the
notebook needs no project folder; the vocabulary, windows, model builder,
sampling maths and one-step generator travel by their source, so the
notebook trains, samples and generates exactly as the app did.
"""

from __future__ import annotations

import base64
import gzip
import textwrap
from typing import Any

from nnkit import notebook
from nnkit.core import data
from nnkit.experiments.rnn_text import corpus, generation, model, sampling

INLINE_LIMIT = 5_000  # characters shown as a plain string; longer text is compressed


def corpus_code(text: str) -> str:
    """Code that sets `corpus` to `text`: a literal when short, else gzip + base64."""
    if len(text) <= INLINE_LIMIT:
        return f"corpus = {text!r}"
    packed = base64.b64encode(gzip.compress(text.encode("utf-8"), mtime=0)).decode("ascii")
    lines = "\n".join(f'    "{line}"' for line in textwrap.wrap(packed, 96))
    return (f"# The {len(text):,} characters the app trained on, gzip-compressed and base64-encoded.\n"
            f"CORPUS = (\n{lines}\n)\n"
            'corpus = gzip.decompress(base64.b64decode(CORPUS)).decode("utf-8")')


def run_text(settings: dict[str, Any], own_text: str | None = None) -> str:
    """The exact text a run trained on: the shipped slice, or the learner's own text."""
    if settings["corpus"] in (*corpus.CORPORA, corpus.ALL):
        return corpus.choose_corpus(settings["corpus"], settings["kb"] * 1000)[0]
    if own_text is None:
        raise ValueError(f"the text for {settings['corpus']!r} is needed to export this run")
    return own_text[:settings["kb"] * 1000]


def char_model_notebook(settings: dict[str, Any], result_line: str, own_text: str | None = None) -> bytes:
    """Reproduce a character-model run of the RNN page in plain Keras.

    Same text, windows, seeded split, architecture, seed and fit; the
    per-epoch samples come from the app's own `SampleLog`, so they match the
    app's character for character.
    """
    s = settings
    config = model.TextModelConfig(s["cell"], s["layers"], s["units"], learning_rate=s["lr"], seed=s["seed"])
    constants = "\n".join([f"CELLS = {model.CELLS!r}", f"VOCAB_PREFIX = {model.VOCAB_PREFIX!r}",
                           f"MAX_PROMPT = {generation.MAX_PROMPT!r}",
                           f"SAMPLE_TEMPERATURES = {generation.SAMPLE_TEMPERATURES!r}"])
    cells = [
        *notebook.setup_cells(f"A character-level {s['cell']} on {s['corpus']}, exported from nnkit",
                              f"Settings: `{settings}`\n\nIn the app this run ended: {result_line}",
                              "import base64\nimport gzip\nimport time\nfrom dataclasses import dataclass, field\n"
                              "from typing import Callable, Iterator, Sequence"),
        notebook.markdown(f"## The text\nThe {len(run_text(s, own_text)):,} characters the app trained on."),
        notebook.code(corpus_code(run_text(s, own_text)) + '\nprint(f"{len(corpus):,} characters")'),
        notebook.markdown("Every window of the text is paired with the same window shifted by one character, "
                          "so each position learns to predict its next character. Windows overlap by half; a "
                          "seeded random 20% of them is held out for validation."),
        notebook.code(notebook.source(corpus.TextError, corpus.CharVocab, corpus.make_windows, data.split)
                      + "\n\n\nvocab = CharVocab.from_text(corpus)\n"
                      f"x, y = make_windows(vocab.encode(corpus), {s['seq_len']}, {max(1, s['seq_len'] // 2)})\n"
                      f"(x_train, y_train), (x_val, y_val) = split(x, y, 0.2, seed={s['seed']})\n"
                      'print(f"{vocab.size} characters; {len(x_train):,} training, {len(x_val):,} validation windows")'),
        notebook.markdown("## The model\nThe app's own builder. The vocabulary is stored as the name of an "
                          "Identity layer, so a saved `.keras` file knows its characters. The seed fixes the "
                          "initial weights, so this starts where the app's run started."),
        notebook.code(constants + "\n\n\n" + notebook.source(model.TextModelConfig, model.vocab_layer_name,
                                                             model.vocabulary_of, model._rnn,
                                                             model.build_text_model, model.config_of)
                      + f"\n\n\nmodel = build_text_model({config!r}, vocab)\nmodel.summary()"),
        notebook.markdown("## Samples after each epoch\nEach character is drawn from softmax(logits / T): a low "
                          "temperature T picks the likeliest characters, a high one takes risks. A one-step copy "
                          "of the network, its states carried between calls, makes each character cheap."),
        notebook.code(notebook.source(sampling.sampling_probs, sampling.sample, generation.CharGenerator,
                                      generation.SampleLog, generation.sample_callback)
                      + f"\n\n\nlog = SampleLog(model, seed={s['seed']})"),
        *notebook.fit_cells(s["epochs"], s["batch"], s["seed"], extra="callbacks=[sample_callback(log)]"),
        notebook.code("for entry in log.entries:\n    print(f\"Epoch {entry['epoch']}\")\n"
                      "    for t, text in entry['samples'].items():\n        print(f'  T = {t}: {text!r}')"),
        notebook.history_plot_cell(),
        notebook.markdown("## Generate\nThe page's default prompt and temperature: change them and run again."),
        notebook.code(f"print(CharGenerator(model).generate({generation.DEFAULT_PROMPT!r}, 300, 0.7, seed=0))"),
    ]
    return notebook.notebook_bytes(cells)
