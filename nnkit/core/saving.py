"""`.keras` files in and out: downloads, and uploads checked before any page uses them.

An uploaded file is hostile until proven otherwise: it may be truncated, not
a zip, carry a Lambda layer (code), or be a perfectly good model from another
page. Loading keeps Keras's `safe_mode` on, and `load_uploaded_model` turns
every failure into a `ModelFileError` whose message says what is wrong and
what the page expects, so a page shows it and keeps its earlier state.
"""

from __future__ import annotations

import os
import tempfile
import zipfile
from dataclasses import dataclass

from nnkit.core.limits import MAX_UPLOAD_MB


class ModelFileError(ValueError):
    """An uploaded model the page cannot use; the message is for the learner."""


def model_bytes(model) -> bytes:
    """The model as a `.keras` file's bytes (architecture, weights, optimizer)."""
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "model.keras")
        model.save(path)
        with open(path, "rb") as f:
            return f.read()


def load_model_bytes(blob: bytes, compile: bool = True):
    """A Keras model from `.keras` bytes we trust (our own downloads, tests)."""
    import keras

    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "model.keras")
        with open(path, "wb") as f:
            f.write(blob)
        return keras.saving.load_model(path, compile=compile, safe_mode=True)


def _first_sentences(text: str, limit: int = 400) -> str:
    """Keras's message without cutting a sentence in half (nor growing without bound)."""
    text = " ".join(str(text).split())
    if len(text) <= limit:
        return text
    cut = text[:limit]
    end = cut.rfind(". ")
    return (cut[:end + 1] if end > 0 else cut) + " …"


def load_uploaded_model(blob: bytes, expects: str):
    """A model from uploaded `.keras` bytes, or ModelFileError.

    `expects` says in a few words what the page needs ("a text model saved by
    this page"), and ends every message, so the learner knows what to upload.
    """
    if not blob:
        raise ModelFileError(f"The file is empty. This page expects {expects}.")
    if len(blob) > MAX_UPLOAD_MB * 1024 * 1024:
        raise ModelFileError(f"The file is larger than {MAX_UPLOAD_MB} MB. This page expects {expects}.")
    import keras

    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "upload.keras")
        with open(path, "wb") as f:
            f.write(blob)
        if not zipfile.is_zipfile(path):
            raise ModelFileError("This is not a .keras file (a .keras file is a zip archive). "
                                 f"This page expects {expects}.")
        try:
            return keras.saving.load_model(path, compile=True, safe_mode=True)
        except Exception as error:  # noqa: BLE001 - Keras raises many types for a bad file
            message = str(error)
            if "Lambda" in message or "safe_mode" in message:
                raise ModelFileError("The file contains a Lambda layer, i.e. Python code, and this app "
                                     "never runs code from an upload (Keras safe mode stays on). "
                                     f"This page expects {expects}.") from None
            raise ModelFileError(f"Keras could not load this file: {_first_sentences(message)} "
                                 f"This page expects {expects}.") from None


@dataclass(frozen=True)
class ModelShape:
    """What a page needs of a model: input shape (None for any size) and output units."""

    input_shape: tuple[int | None, ...]
    output_units: int | None = None


def shape_problems(model, need: ModelShape) -> list[str]:
    """Why `model` does not fit `need`, in words; empty when it fits."""
    problems = []
    inputs = getattr(model, "inputs", None) or []
    if len(inputs) != 1:
        return [f"it has {len(inputs)} inputs; this page feeds one"]
    got = tuple(inputs[0].shape[1:])
    if len(got) != len(need.input_shape) or any(
            want is not None and have is not None and want != have for have, want in zip(got, need.input_shape)):
        problems.append(f"its input shape is {got}; this page feeds {need.input_shape}")
    outputs = getattr(model, "outputs", None) or []
    if need.output_units is not None:
        if len(outputs) != 1:
            problems.append(f"it has {len(outputs)} outputs; this page reads one")
        elif outputs[0].shape[-1] != need.output_units:
            problems.append(f"its output has {outputs[0].shape[-1]} units; this page needs {need.output_units}")
    return problems
