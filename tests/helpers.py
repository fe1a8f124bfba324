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

    from nnkit import export

    code = export.code_cells(notebook) + f"\nimport json; print(json.dumps({report}))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=timeout,
                         env={**os.environ})
    assert out.returncode == 0, out.stderr[-3000:]
    return json.loads(out.stdout.strip().splitlines()[-1])


def page_with(path: str, ns: str, settings: dict):
    """Run a page once with some of its settings preset (keys without the namespace)."""
    at = page_test(path)
    for name, value in settings.items():
        at.session_state[f"{ns}.{name}"] = value
    return at.run()
