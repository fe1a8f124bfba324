"""The text a character model learns from: shipped corpora, pasted or uploaded
text (checked before anything trains on it), its vocabulary and its windows.

Why many-to-many windows: every window of `seq_len` characters is paired with
the same window shifted by one, so each window yields `seq_len`
next-character targets instead of one (many times more signal per second of
training than predicting only the last character).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

from nnkit.core.assets import ASSETS

CORPUS_DIR = ASSETS / "corpora"
CORPORA = {  # display name -> file in assets/corpora (provenance: assets/README.md)
    "Shakespeare: the Sonnets": "sonnets.txt",
    "Shakespeare: Macbeth": "macbeth.txt",
    "Shakespeare: A Midsummer Night's Dream": "midsummer_nights_dream.txt",
}
PASTE, UPLOAD, ALL = "Paste your own text", "Upload a text file", "All three plays/poems"
MIN_CHARS = 50                 # below this there is nothing to learn
MAX_CHARS = 1_000_000          # pasted/uploaded text is cut here (with a notice)


class TextError(ValueError):
    """Bad text input, with a message a learner can act on."""


def load_corpus(name: str, max_chars: int | None = None) -> str:
    """A shipped public-domain corpus, optionally cut to its first `max_chars`."""
    if name not in CORPORA:
        raise TextError(f"Unknown corpus {name!r}; choose one of: {', '.join(CORPORA)}.")
    text = (CORPUS_DIR / CORPORA[name]).read_text(encoding="utf-8")
    return text[:max_chars] if max_chars else text


def all_corpora(max_chars: int | None = None) -> str:
    """All shipped corpora joined, for a bigger training set."""
    text = "\n\n".join(load_corpus(name) for name in CORPORA)
    return text[:max_chars] if max_chars else text


def decode_upload(data: bytes) -> tuple[str, list[str]]:
    """Bytes of an uploaded file -> (clean text, notices). Raises TextError.

    Non-UTF-8 and binary files are refused with a message saying why, rather
    than decoded into garbage the network would then learn.
    """
    if not data:
        raise TextError("The uploaded file is empty.")
    if b"\x00" in data[:65536]:
        raise TextError("This looks like a binary file (it contains NUL bytes), not plain text. "
                        "Upload a .txt file.")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise TextError(f"The file is not UTF-8 text (invalid byte 0x{data[exc.start]:02x} at "
                        f"position {exc.start:,}). Save it as UTF-8 plain text and upload it again.") from None
    return clean_text(text)


def clean_text(text: str) -> tuple[str, list[str]]:
    """Normalise pasted/uploaded text and check it is usable. Raises TextError.

    Returns the text (newlines normalised, capped at MAX_CHARS) and notices
    about what was changed.
    """
    notes: list[str] = []
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise TextError("The text is empty. Paste or upload some text first.")
    controls = sum(1 for c in text[:100_000] if ord(c) < 32 and c not in "\n\t")
    if controls > 0.05 * min(len(text), 100_000):
        raise TextError("This looks like binary data (many control characters), not text.")
    if len(text) > MAX_CHARS:
        notes.append(f"The text has {len(text):,} characters; only the first {MAX_CHARS:,} are used.")
        text = text[:MAX_CHARS]
    if len(text) < MIN_CHARS:
        raise TextError(f"The text has only {len(text)} character{'s' * (len(text) != 1)}; a model "
                        f"needs at least {MIN_CHARS} to learn anything. Paste more text.")
    if len(set(text)) < 2:
        raise TextError("The text uses a single character over and over: there is nothing to predict.")
    return text, notes


# ---- vocabulary and windows --------------------------------------------------

@dataclass(frozen=True)
class CharVocab:
    """The characters a model knows, in a fixed order (index = class id)."""

    chars: str

    @classmethod
    def from_text(cls, text: str) -> "CharVocab":
        return cls("".join(sorted(set(text))))

    @property
    def size(self) -> int:
        return len(self.chars)

    def encode(self, text: str) -> np.ndarray:
        """Text -> int32 ids; raises TextError naming unknown characters."""
        index = {c: i for i, c in enumerate(self.chars)}
        unknown = sorted(set(text) - index.keys())
        if unknown:
            raise TextError(f"Characters not in the vocabulary: {' '.join(map(repr, unknown[:10]))}.")
        return np.fromiter((index[c] for c in text), dtype="int32", count=len(text))

    def decode(self, ids: Sequence[int]) -> str:
        return "".join(self.chars[int(i)] for i in ids)

    def split_known(self, text: str) -> tuple[str, list[str]]:
        """(text without unknown characters, the sorted unknown characters)."""
        known = set(self.chars)
        return "".join(c for c in text if c in known), sorted(set(text) - known)

    def __repr__(self) -> str:
        return f"CharVocab({self.size} characters)"


def make_windows(ids: np.ndarray, seq_len: int, step: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Input windows and the same windows shifted by one character.

    Example: ids for "hello!" with seq_len=3, step=3 give x = ["hel"],
    y = ["ell"]; the model learns to predict every next character at once.
    Raises TextError when the text is too short for even a few windows.
    """
    step = step or seq_len
    if seq_len < 2:
        raise TextError("Sequence length must be at least 2 characters.")
    count = (len(ids) - 1 - seq_len) // step + 1 if len(ids) > seq_len else 0
    if count < 4:
        raise TextError(f"The text has {len(ids):,} characters: too short for sequences of "
                        f"{seq_len}. Use more text or a shorter sequence length.")
    starts = np.arange(count) * step
    offsets = np.arange(seq_len)
    return ids[starts[:, None] + offsets], ids[starts[:, None] + offsets + 1]


def choose_corpus(choice: str, max_chars: int, pasted: str = "",
                  uploaded: bytes | None = None) -> tuple[str, list[str]]:
    """The training text for a page choice, cut to `max_chars`. Raises TextError."""
    if choice == PASTE:
        text, notes = clean_text(pasted)
    elif choice == UPLOAD:
        if uploaded is None:
            raise TextError("Choose a .txt file to upload first.")
        text, notes = decode_upload(uploaded)
    elif choice == ALL:
        text, notes = all_corpora(), []
    else:
        text, notes = load_corpus(choice), []
    if len(text) > max_chars:
        notes.append(f"Using the first {max_chars:,} of {len(text):,} characters (corpus size slider).")
        text = text[:max_chars]
    return text, notes


@dataclass(frozen=True)
class Prepared:
    """A text ready to train on: its vocabulary and half-overlapping windows."""

    text: str
    vocab: CharVocab
    x: np.ndarray
    y: np.ndarray
    notes: tuple[str, ...] = ()

    def caption(self, seq_len: int) -> str:
        return (f"{len(self.text):,} characters, {self.vocab.size} distinct. {len(self.x):,} half-overlapping "
                f"windows of {seq_len}; the target is the same window shifted by one character, so every "
                "position predicts its next character. 20% of windows are held out for validation.")


def windowed(text: str, seq_len: int, notes: tuple[str, ...] = ()) -> Prepared:
    """`text` as windows of `seq_len` (overlapping by half) over its own vocabulary. Raises TextError."""
    vocab = CharVocab.from_text(text)
    x, y = make_windows(vocab.encode(text), seq_len, max(1, seq_len // 2))
    return Prepared(text, vocab, x, y, notes)


def prepare(choice: str, max_chars: int, seq_len: int, pasted: str = "",
            uploaded: bytes | None = None) -> Prepared:
    """The page's training text for a choice, cut to `max_chars` and windowed. Raises TextError."""
    text, notes = choose_corpus(choice, max_chars, pasted, uploaded)
    return windowed(text, seq_len, tuple(notes))
