"""TensorFlow stays first-class: the smoke tests run again under it."""

import os
import subprocess
import sys

from tests.helpers import ROOT


def test_smoke_suite_passes_on_tensorflow():
    env = {**os.environ, "KERAS_BACKEND": "tensorflow"}
    out = subprocess.run([sys.executable, "-m", "pytest", "-m", "smoke", "-q", "-p", "no:cacheprovider",
                          "tests/core", "tests/experiments", "tests/pages"],
                         cwd=ROOT, env=env, capture_output=True, text=True, timeout=1500)
    assert out.returncode == 0, out.stdout[-4000:]
    assert " passed" in out.stdout.splitlines()[-1]
