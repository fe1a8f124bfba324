"""The JAX compilation cache is on, in a writable folder, before JAX loads."""

import os
import subprocess
import sys

import pytest

from tests.helpers import ROOT


@pytest.mark.skipif(os.environ.get("KERAS_BACKEND", "jax") != "jax", reason="a JAX feature")
def test_a_fit_writes_the_persistent_cache_that_jax_reads(tmp_path):
    code = ("import nnkit, jax\n"
            "from nnkit.core import data, models\nfrom nnkit.core.training import TrainConfig\n"
            "print(jax.config.jax_compilation_cache_dir)\n"
            "ds = data.TOY_2D['moons'](n_samples=64, noise=0.2, seed=0)\n"
            "nnkit.train(models.build_mlp(models.MLPConfig((4,)), 2, 2), ds, TrainConfig(1, 32, 0.2, 0))\n")
    env = {**os.environ, "TMPDIR": str(tmp_path)}
    env.pop("JAX_COMPILATION_CACHE_DIR", None)
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
                         timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    cache = tmp_path / "nnkit-jax-cache"
    assert out.stdout.splitlines()[0] == str(cache)
    assert any(cache.iterdir())  # the compiled train step landed there
