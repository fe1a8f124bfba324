"""Helpers shared by the page tests."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def page_test(path: str, timeout: float = 300):
    """An AppTest for one page file (AppTest cannot drive st.navigation)."""
    from streamlit.testing.v1 import AppTest

    return AppTest.from_file(str(ROOT / path), default_timeout=timeout)


def run_notebook(notebook: bytes, report: str = 'history.history["loss"]', timeout: float = 300):
    """Run an exported notebook's code in a fresh interpreter, as a learner
    would, and return the JSON value of `report` evaluated at its end."""
    import json
    import os
    import subprocess
    import sys

    from nnkit import notebook as export

    # The notebook must not drag in a second framework: under JAX, TensorFlow stays unloaded.
    code = export.code_cells(notebook) + (
        f"\nimport json, sys; assert os.environ['KERAS_BACKEND'] != 'jax' or 'tensorflow' not in sys.modules, "
        f"'the notebook imported TensorFlow under JAX'\nprint(json.dumps({report}))")
    import tempfile

    with tempfile.TemporaryDirectory() as empty:  # a learner's empty folder: no project files to lean on
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=timeout,
                             env={**os.environ}, cwd=empty)
    assert out.returncode == 0, out.stderr[-3000:]
    return json.loads(out.stdout.strip().splitlines()[-1])


def page_with(path: str, ns: str, settings: dict):
    """Run a page once with some of its settings preset (keys without the namespace)."""
    at = page_test(path)
    for name, value in settings.items():
        at.session_state[f"{ns}.{name}"] = value
    return at.run()
