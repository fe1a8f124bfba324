"""Training on a Ray cluster, behind the same seam as `LocalExecutor`.

Why: a workshop of a hundred outgrows one Streamlit process however well it
queues. Streamlit replicas serve pages; training, the heavy part, runs on Ray
workers. Set `NNKIT_RAY_ADDRESS` (`auto`, `host:port` or `ray://host:10001`)
and every page trains there; nothing changes for a laptop or Community Cloud.

How a run travels:
- Admission is one named Ray actor shared by every replica (`Admission`), so
  the place in line a learner sees is the cluster's, FIFO across replicas.
  Its capacity is the cluster's CPUs, and each run takes what it asks for.
- What a run asks for comes from its page's workload (`request`): a small
  dense net trains on one CPU and gains nothing from more; a page of
  convolutions, recurrences or a pretrained network (`catalog.Experiment.heavy`)
  asks for `NNKIT_RAY_CPUS_PER_RUN` CPUs (default 2) and, when the cluster has
  GPUs, one GPU.
- Each run is a Ray task with exactly that request, so Ray places it on a
  node with room; Ray keeps its worker processes warm between tasks. The
  builder (or the compiled model) travels to it pickled, so the remote run
  starts from exactly the page's initial weights.
- The remote fit streams each epoch's logs (and weights, throttled) and
  throttled batch logs through a `Channel` actor; the page's own callbacks
  (its live view, GAN mode counts, filter snapshots: every nnkit callback)
  run here on the page's model with the streamed weights, so renders and
  artefacts work unchanged. Keras's own callbacks (EarlyStopping,
  ReduceLROnPlateau, ...) steer the fit, so they run remotely.
- Stop (or a rerun that abandons the script) tells the run to stop at the
  next batch; a worker that dies ends the run as FAILED_ON_CLUSTER with the
  curves so far.
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
import uuid
from dataclasses import dataclass
from typing import Any, Callable, Iterator, Sequence

from nnkit.core.executor import LocalExecutor
from nnkit.core.training import FAILED_ON_CLUSTER

RAY_ADDRESS_ENV = "NNKIT_RAY_ADDRESS"
CPUS_ENV = "NNKIT_RAY_CPUS_PER_RUN"  # what a heavy run asks for; a light one asks for 1
HEAVY_CPUS = 2
NAMESPACE = "nnkit"
POLL_S = 0.1          # how often the page asks for news
WEIGHTS_EVERY_S = 0.25  # streamed weights at most this often (the live view redraws no faster)
STOP_CHECK_S = 0.1    # how often a remote fit asks whether Stop was pressed


class ClusterUnavailable(RuntimeError):
    """The configured cluster could not be reached; the caller trains in-process."""


@dataclass(frozen=True)
class Request:
    """What one run asks the cluster for."""

    cpus: float
    gpus: float = 0.0


def request(heavy: bool, cluster_cpus: float, cluster_gpus: float, heavy_cpus: float) -> Request:
    """A run's CPUs and GPUs from its page's workload, within what the cluster has."""
    if not heavy:
        return Request(1.0)
    return Request(max(1.0, min(heavy_cpus, cluster_cpus)), 1.0 if cluster_gpus >= 1 else 0.0)


@dataclass(frozen=True)
class Place:
    """A run's turn on the cluster: its ticket in the line and what it may use."""

    number: int
    request: Request


class Admission:
    """The cluster-wide line (a Ray actor): FIFO tickets, each admitted run holding its CPUs.

    Plain Python around `LocalExecutor`'s queue, so its order and estimates
    are the ones the in-process executor is tested for.
    """

    def __init__(self, capacity: float) -> None:
        self.queue = LocalExecutor(capacity)
        self.tickets: dict[int, Any] = {}

    def join(self, label: str, cpus: float = 1.0) -> int:
        ticket = self.queue.join(label, cpus)
        self.tickets[ticket.number] = ticket
        return ticket.number

    def status(self, number: int) -> tuple[int, float]:
        """(position, estimated wait); position 0 means train now."""
        ticket = self.tickets.get(number)
        if ticket is None:
            return -1, 0.0
        return self.queue.position(ticket), self.queue.estimate(ticket)

    def leave(self, number: int) -> None:
        ticket = self.tickets.pop(number, None)
        if ticket is not None:
            self.queue.leave(ticket)


class Channel:
    """Where remote runs and the pages watching them meet (a threaded Ray actor that holds
    no CPUs): updates flow to the page, Stop flows to the run."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._updates: dict[str, list[dict[str, Any]]] = {}
        self._stops: set[str] = set()
        self._pids: dict[str, int] = {}

    def begin(self, run: str, pid: int) -> None:
        with self._lock:
            self._pids[run] = pid
            self._updates.setdefault(run, [])

    def end(self, run: str, dead: bool = False) -> None:
        """The run is over; a stopped (or dead) run's page no longer reads its updates."""
        with self._lock:
            self._pids.pop(run, None)
            if run in self._stops or dead:
                self._updates.pop(run, None)
            self._stops.discard(run)

    def training(self) -> dict[str, int]:
        """Runs training now, with the process id of the worker training each."""
        with self._lock:
            return dict(self._pids)

    def push(self, run: str, update: dict[str, Any]) -> None:
        with self._lock:
            self._updates.setdefault(run, []).append(update)

    def stopping(self, run: str) -> bool:
        with self._lock:
            return run in self._stops

    def updates(self, run: str) -> list[dict[str, Any]]:
        """Everything streamed since the last call (and forget it)."""
        with self._lock:
            news, self._updates[run] = self._updates.get(run, []), []
            return news

    def forget(self, run: str) -> None:
        with self._lock:
            self._updates.pop(run, None)

    def stop(self, run: str) -> None:
        with self._lock:
            self._stops.add(run)


def train_remotely(channel, run: str, model, data, config, callbacks: Sequence, batch_updates: bool):
    """The Ray task: fit like `nnkit.train` in-process; returns (TrainResult, final weights).

    `model` is the compiled model, or the page's zero-argument builder (it
    builds the same seeded weights here, and shipping it avoids
    serialising a model, which makes Keras import TensorFlow under JAX).
    """
    import ray

    from nnkit.core.training import train

    ray.get(channel.begin.remote(run, os.getpid()))
    try:
        if not hasattr(model, "fit"):
            model = model()
        stream, stop = _stream_callbacks(channel, run, batch_updates)
        result = train(model, data, config, callbacks=[*callbacks, stream], stop=stop)
    finally:
        ray.get(channel.end.remote(run))
    result.validation = None  # the page has its own copy of the data
    return result, model.get_weights()


def _stream_callbacks(channel, run: str, batch_updates: bool):
    """The remote side's two callbacks: one streams logs and weights, one stops on request."""
    import keras
    import ray

    from nnkit.core.callbacks import StopRequest

    asked = {"at": 0.0, "stop": False}

    def stopping() -> bool:  # asked at most every STOP_CHECK_S: a batch may take a millisecond
        if not asked["stop"] and time.perf_counter() - asked["at"] >= STOP_CHECK_S:
            asked.update(at=time.perf_counter(), stop=ray.get(channel.stopping.remote(run)))
        return asked["stop"]

    def push(update) -> None:  # waited for, so updates arrive in order
        ray.get(channel.push.remote(run, update))

    class Stream(keras.callbacks.Callback):
        def on_train_begin(self, logs=None):
            self._weights_sent = 0.0
            self._batch_sent = time.perf_counter()
            push({"params": dict(self.params)})

        def on_epoch_end(self, epoch, logs=None):
            update = {"epoch": epoch, "logs": {k: float(v) for k, v in (logs or {}).items()}}
            if time.perf_counter() - self._weights_sent >= WEIGHTS_EVERY_S or epoch + 1 >= self.params["epochs"]:
                update["weights"] = self.model.get_weights()
                self._weights_sent = time.perf_counter()
            push(update)

        def on_train_batch_end(self, batch, logs=None):
            if batch_updates and time.perf_counter() - self._batch_sent >= WEIGHTS_EVERY_S:
                self._batch_sent = time.perf_counter()
                push({"batch": batch, "logs": {k: float(v) for k, v in (logs or {}).items()}})
            if stopping():
                self.model.stop_training = True

    class RemoteStop(StopRequest):
        @property
        def requested(self) -> bool:
            return stopping()

        @requested.setter
        def requested(self, value: bool) -> None:
            pass  # set by StopRequest.__init__; the channel's stop list is the truth

    return Stream(), RemoteStop()


def runs_here(callback) -> bool:
    """nnkit's own callbacks watch the run (live view, snapshots): they run beside the page.
    Keras's callbacks steer it (stop early, change the rate): they run on the cluster."""
    return type(callback).__module__.startswith("nnkit")


class RayExecutor:
    """Admission and training on a Ray cluster; the same `turn` as `LocalExecutor`, plus `fit`."""

    def __init__(self, address: str, heavy_cpus: float | None = None) -> None:
        import ray

        from nnkit.core import backend

        self.address = address
        self.heavy_cpus = heavy_cpus or float(os.environ.get(CPUS_ENV, "") or HEAVY_CPUS)
        env = {"KERAS_BACKEND": backend.name(), "PYTHONPATH": _project_root()}
        try:
            _check_reachable(address)
            if not ray.is_initialized():
                ray.init(address=address, namespace=NAMESPACE, log_to_driver=False,
                         runtime_env={"env_vars": env}, _node_ip_address=None)
            resources = ray.cluster_resources()
        except Exception as error:  # noqa: BLE001 - any failure to connect means: train here instead
            with contextlib.suppress(Exception):
                ray.shutdown()
            raise ClusterUnavailable(f"the Ray cluster at {address} could not be reached ({error})") from error
        self.cpus, self.gpus = float(resources.get("CPU", 1)), float(resources.get("GPU", 0))
        self.capacity = self.cpus
        self._ray = ray
        self._admission = ray.remote(Admission).options(
            name="nnkit-admission", get_if_exists=True, lifetime="detached", num_cpus=0).remote(self.capacity)
        self.channel = ray.remote(Channel).options(
            name="nnkit-channel", get_if_exists=True, lifetime="detached", num_cpus=0,
            max_concurrency=64).remote()
        self._task = ray.remote(max_retries=0)(train_remotely)

    def request(self, heavy: bool) -> Request:
        return request(heavy, self.cpus, self.gpus, self.heavy_cpus)

    @contextlib.contextmanager
    def turn(self, label: str, while_waiting: Callable[[int, float], None] | None = None,
             poll: float = 0.5, heavy: bool = False) -> Iterator[Place]:
        """Wait for room on the cluster (reporting place and estimate), hold it, always give it back."""
        ray = self._ray
        wanted = self.request(heavy)
        number = ray.get(self._admission.join.remote(label, wanted.cpus))
        try:
            while True:
                place, eta = ray.get(self._admission.status.remote(number))
                if place == 0:
                    break
                if while_waiting:
                    while_waiting(place, eta)
                time.sleep(poll)
            yield Place(number, wanted)
        finally:
            self._admission.leave.remote(number)

    def fit(self, model, data, config, callbacks: Sequence, place: Place, build: Callable | None = None):
        """Train `model` remotely; the page's callbacks see it here as if it trained in-process.

        `build` is the page's builder of `model`, shipped instead of the model when it pickles."""
        from nnkit.core.callbacks import LiveBatchHistory

        ray = self._ray
        here = [c for c in callbacks if runs_here(c)]
        there = [c for c in callbacks if not runs_here(c)]
        run = uuid.uuid4().hex
        batch_updates = any(isinstance(c, LiveBatchHistory) for c in here)
        mirror = _Mirror(model, here)
        pending = self._task.options(num_cpus=place.request.cpus, num_gpus=place.request.gpus).remote(
            self.channel, run, _shippable(build, model), data, config, there, batch_updates)
        try:
            while True:
                done, _ = ray.wait([pending], timeout=POLL_S)
                mirror.apply(ray.get(self.channel.updates.remote(run)))
                if done:
                    break
            result, weights = ray.get(pending)
        except ray.exceptions.RayError as error:
            mirror.apply(ray.get(self.channel.updates.remote(run)))
            ray.get(self.channel.end.remote(run, dead=True))  # the worker is gone: so is what it sent
            return mirror.failed(error, config)
        except BaseException:
            self.channel.stop.remote(run)  # Stop or a rerun cut this script off: end the remote fit too
            raise
        mirror.apply(ray.get(self.channel.updates.remote(run)))
        self.channel.forget.remote(run)
        model.set_weights(weights)
        mirror.end()
        result.history = mirror.history or result.history  # with what local callbacks logged
        result.device = f"Ray cluster ({result.device})"
        return result


class _Mirror:
    """Replays the remote fit's stream on the page's model and callbacks."""

    def __init__(self, model, callbacks: Sequence) -> None:
        self.model, self.callbacks = model, callbacks
        self.history: dict[str, list[float]] = {}
        self.began = False
        for callback in callbacks:
            callback.set_model(model)

    def apply(self, updates: list[dict[str, Any]]) -> None:
        for update in updates:
            if "params" in update:
                self.began = True
                for callback in self.callbacks:
                    callback.set_params(update["params"])
                    callback.on_train_begin()
            elif "batch" in update:
                for callback in self.callbacks:
                    callback.on_train_batch_end(update["batch"], dict(update["logs"]))
            else:
                if "weights" in update:
                    self.model.set_weights(update["weights"])
                logs = dict(update["logs"])
                for callback in self.callbacks:
                    callback.on_epoch_end(update["epoch"], logs)  # may add to logs (e.g. mode counts)
                for name, value in logs.items():
                    self.history.setdefault(name, []).append(float(value))

    def end(self) -> None:
        for callback in self.callbacks if self.began else ():
            callback.on_train_end()

    def failed(self, error: Exception, config):
        from nnkit.core.training import TrainResult

        ran = len(next(iter(self.history.values()), []))
        self.end()
        message = (f"The cluster worker training this run failed after {ran} of {config.epochs} epochs "
                   f"({type(error).__name__}); the curves so far are kept. Press Train to try again.")
        return TrainResult(self.history, FAILED_ON_CLUSTER, ran, 0.0, 0.0, 0.0, 0.0, "Ray cluster", message)


def _check_reachable(address: str, timeout: float = 3.0) -> None:
    """Fail in seconds, not minutes, when a host:port names nothing that listens."""
    import socket

    host_port = address.removeprefix("ray://")
    if ":" not in host_port:
        return  # "auto" and friends: Ray itself finds the local cluster or says there is none
    host, port = host_port.rsplit(":", 1)
    with socket.create_connection((host, int(port)), timeout=timeout):
        pass


def _shippable(build: Callable | None, model):
    """The builder if it can travel (cloudpickle), else the model itself."""
    if build is not None:
        from ray import cloudpickle

        try:
            cloudpickle.dumps(build)
            return build
        except Exception:  # noqa: BLE001 - a closure over something unpicklable: send the model
            pass
    return model


def _project_root() -> str:
    """So workers on this machine import the same nnkit (a cluster elsewhere installs it)."""
    return os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
