"""Shared test set-up: the app root on sys.path and Keras imported once.

Importing Keras (and its backend) takes seconds; doing it here keeps that cost
out of AppTest's per-run timeout.
"""

import os
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
# Each test session stores its runs in a fresh SQLite file, never a developer's own.
os.environ.setdefault("NNKIT_DATA_DIR", tempfile.mkdtemp(prefix="nnkit-test-data-"))

import nnkit  # noqa: E402,F401  (sets KERAS_BACKEND before Keras loads)


@pytest.fixture(scope="session", autouse=True)
def _warm_keras():
    import keras  # noqa: F401

