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
    with executor.turn("test run") as place:
        return executor.fit(build(), points, training.TrainConfig(epochs=epochs), [live], place, build)


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
    with executor.turn("weights") as place:
        executor.fit(model, MOONS, training.TrainConfig(epochs=3), [], place, _build)
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

    import ray

    with pytest.raises(Rerun):
        _fit(executor, 300, stop_after_two, points=big)
    stopped_at = time.monotonic()
    while ray.get(executor.channel.training.remote()) and time.monotonic() - stopped_at < 10:
        time.sleep(0.1)
    assert ray.get(executor.channel.training.remote()) == {}  # the remote fit let go
    assert time.monotonic() - stopped_at < 2.5


def test_a_killed_worker_fails_the_run_and_keeps_its_curves(executor):
    import ray

    big = data.TOY_2D["moons"](n_samples=3000, noise=0.2, seed=0)
    killed = threading.Event()

    def kill_after_two(update):
        if update.epoch >= 2 and not killed.is_set():
            killed.set()
            (pid,) = ray.get(executor.channel.training.remote()).values()  # the worker training it
            os.kill(pid, signal.SIGKILL)

    result = _fit(executor, 300, kill_after_two, points=big)
    assert result.reason == training.FAILED_ON_CLUSTER
    assert len(result.history["loss"]) >= 2 and "failed after" in result.message
    assert _fit(executor, 2).reason == training.FINISHED  # the next run gets a fresh worker


def test_the_line_is_the_clusters_and_reports_places(executor):
    assert executor.capacity == 2  # two CPUs; a light run takes one
    places, turns = [], []

    def third():
        with executor.turn("third", lambda place, eta: places.append(place), poll=0.05) as place:
            turns.append(place)

    with executor.turn("first") as a, executor.turn("second") as b:
        assert a.number != b.number and a.request == b.request == cluster.Request(1.0)
        waiting = threading.Thread(target=third)
        waiting.start()
        time.sleep(1.5)
        assert turns == [] and places and set(places) == {1}  # first in line while both train
    waiting.join(30)
    assert turns


def test_a_heavy_page_asks_for_more_cpus_and_a_gpu_where_there_is_one(executor):
    assert cluster.request(False, 8, 1, 2) == cluster.Request(1.0)  # a small dense net: one CPU, no GPU
    assert cluster.request(True, 8, 1, 2) == cluster.Request(2.0, 1.0)
    assert cluster.request(True, 8, 0, 4) == cluster.Request(4.0)
    assert cluster.request(True, 1, 0, 4) == cluster.Request(1.0)  # never more than the cluster has
    places, trained = [], []

    def light():
        with executor.turn("a dense net", lambda place, eta: places.append(place), poll=0.05):
            trained.append(True)

    with executor.turn("a CNN", heavy=True) as big:  # both of this cluster's CPUs
        assert big.request == cluster.Request(2.0)
        waiting = threading.Thread(target=light)
        waiting.start()
        time.sleep(1.0)
        assert not trained and places and set(places) == {1}  # no CPU left for it while the CNN trains
    waiting.join(30)
    assert trained


def test_an_unreachable_cluster_is_reported_at_once():
    started = time.monotonic()
    with pytest.raises(cluster.ClusterUnavailable):
        cluster.RayExecutor("127.0.0.1:9")
    assert time.monotonic() - started < 10
