"""The Ray executor against a real local head on loopback (no mock): the same curves as
in-process, Stop ends the remote run, a killed worker fails the run with its curves kept."""

from __future__ import annotations

import os
import signal
import threading
import time

import numpy as np
import pytest

pytest.importorskip("ray")

from nnkit.core import callbacks, cluster, data, training  # noqa: E402
from nnkit.core.settings import defaults  # noqa: E402
from nnkit.experiments.first_neuron import model as first  # noqa: E402
from tests.core import raycluster  # noqa: E402

SETTINGS = defaults(first.SETTINGS)
MOONS = data.TOY_2D["moons"](n_samples=300, noise=0.2, seed=0)


@pytest.fixture(scope="module")
def executor():
    with raycluster.head() as address:
        yield cluster.RayExecutor(address)


def _build():
    return first.build(SETTINGS)


def _fit(executor, epochs, sink=lambda update: None, build=_build, points=MOONS):
    live = callbacks.live_history(sink, min_interval=0.0)
    with executor.turn("test run") as slot:
        return executor.fit(build(), points, training.TrainConfig(epochs=epochs), [live], slot, build)


def test_a_run_on_the_cluster_has_the_same_curves_as_in_process(executor):
    seen = []
    remote = _fit(executor, 6, lambda update: seen.append(update.epoch))
    local = training.train(_build(), MOONS, training.TrainConfig(epochs=6))
    assert remote.reason == training.FINISHED and remote.epochs_run == 6
    for name in ("loss", "accuracy", "val_loss"):
        np.testing.assert_allclose(remote.history[name], local.history[name], rtol=1e-4)
    assert seen[-1] == 6 and len(seen) >= 2  # the page's live callback saw the epochs stream in
    assert remote.device.startswith("Ray cluster")


def test_the_trained_weights_come_back_to_the_page(executor):
    model = _build()
    before = [w.copy() for w in model.get_weights()]
    with executor.turn("weights") as slot:
        executor.fit(model, MOONS, training.TrainConfig(epochs=3), [], slot, _build)
    assert any(not np.allclose(a, b) for a, b in zip(before, model.get_weights()))
    accuracy = float(np.mean((model.predict(MOONS.x, verbose=0)[:, 0] > 0.5) == MOONS.y))
    assert accuracy > 0.7  # the page's figures read a trained model


class Rerun(Exception):
    """What Streamlit raises in a script cut off by a click (Stop, or any widget)."""


def test_stop_ends_the_remote_run_within_seconds(executor):
    big = data.TOY_2D["moons"](n_samples=3000, noise=0.2, seed=0)

    def stop_after_two(update):
        if update.epoch >= 2:
            raise Rerun()

    with pytest.raises(Rerun):
        _fit(executor, 300, stop_after_two, points=big)
    trainer = executor.trainer(0)
    stopped_at = time.monotonic()
    import ray

    while ray.get(trainer.active.remote()) and time.monotonic() - stopped_at < 10:
        time.sleep(0.1)
    assert ray.get(trainer.active.remote()) == 0
    assert time.monotonic() - stopped_at < 2.5


def test_a_killed_worker_fails_the_run_and_keeps_its_curves(executor):
    import ray

    big = data.TOY_2D["moons"](n_samples=3000, noise=0.2, seed=0)
    pid = ray.get(executor.trainer(0).pid.remote())
    killed = threading.Event()

    def kill_after_two(update):
        if update.epoch >= 2 and not killed.is_set():
            killed.set()
            os.kill(pid, signal.SIGKILL)

    result = _fit(executor, 300, kill_after_two, points=big)
    assert result.reason == training.FAILED_ON_CLUSTER
    assert len(result.history["loss"]) >= 2 and "failed after" in result.message
    assert _fit(executor, 2).reason == training.FINISHED  # the slot's trainer came back


def test_the_line_is_the_clusters_and_reports_places(executor):
    assert executor.capacity == 2  # two CPUs, one per run
    places, slots = [], []

    def third():
        with executor.turn("third", lambda place, eta: places.append(place), poll=0.05) as slot:
            slots.append(slot)

    with executor.turn("first") as a, executor.turn("second") as b:
        assert {a, b} == {0, 1}
        waiting = threading.Thread(target=third)
        waiting.start()
        time.sleep(1.5)
        assert slots == [] and places and set(places) == {1}  # first in line while both slots train
    waiting.join(30)
    assert slots and slots[0] in (0, 1)


def test_an_unreachable_cluster_is_reported_at_once():
    started = time.monotonic()
    with pytest.raises(cluster.ClusterUnavailable):
        cluster.RayExecutor("127.0.0.1:9")
    assert time.monotonic() - started < 10
