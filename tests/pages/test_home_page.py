import json
import subprocess
import sys

from nnkit import catalog
from tests.helpers import ROOT, page_test

HEAVY = ("tensorflow", "jax", "keras", "torch")


def test_home_lists_every_experiment_with_a_try_this():
    at = page_test("pages/home.py", timeout=30).run()
    assert not at.exception
    text = " ".join(m.value for m in at.markdown) + " ".join(c.value for c in at.caption)
    for experiment in catalog.EXPERIMENTS:
        assert experiment.teaches in text and experiment.try_this in text


def test_home_page_loads_no_deep_learning_framework():
    # A fresh interpreter: the frame's imports plus a full render of the home page.
    script = f"""
import sys, json, time
sys.path.insert(0, {str(ROOT)!r})
start = time.perf_counter()
import streamlit, nnkit, nnkit.catalog, nnkit.core.device, nnkit.ui
from streamlit.testing.v1 import AppTest
at = AppTest.from_file({str(ROOT / "pages/home.py")!r}).run()
print(json.dumps({{"heavy": [m for m in {HEAVY!r} if m in sys.modules],
                   "exception": bool(at.exception)}}))
"""
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    report = json.loads(out.stdout.strip().splitlines()[-1])
    assert report == {"heavy": [], "exception": False}, out.stderr[-2000:]


def test_every_catalog_page_exists():
    for experiment in catalog.EXPERIMENTS:
        assert (ROOT / experiment.path).is_file(), experiment.path
