"""Training on a Ray cluster, behind the same seam as `LocalExecutor`.

Why: a workshop of a hundred outgrows one Streamlit process however well it
queues. Streamlit replicas serve pages; training, the heavy part, runs on Ray
workers. Set `NNKIT_RAY_ADDRESS` (`auto`, `host:port` or `ray://host:10001`)
and every page trains there; nothing changes for a laptop or Community Cloud.

How a run travels:
- Admission is one named Ray actor shared by every replica (`Admission`), so
  the place in line a learner sees is the cluster's, FIFO across replicas;
  its capacity is the cluster's CPUs (or GPUs) divided by one run's request.
- Each slot is a long-lived `Trainer` actor (warm imports, compiled caches);
  the compiled model travels to it pickled (Keras 3 models pickle as .keras
  bytes), so the remote run starts from exactly the page's initial weights.
- The remote fit streams each epoch's logs (and weights, throttled) and
  throttled batch logs; the page's own callbacks (its live view, GAN mode
  counts, filter snapshots: every nnkit callback) run here on the page's
  model with the streamed weights, so renders and artefacts work unchanged.
  Keras's own callbacks (EarlyStopping, ReduceLROnPlateau, ...) steer the
  fit, so they run remotely.
- Stop (or a rerun that abandons the script) tells the trainer to stop at
  the next epoch; a worker that dies ends the run as FAILED_ON_CLUSTER with
  the curves so far.
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
import uuid
from typing import Any, Callable, Iterator, Sequence

from nnkit.core.executor import LocalExecutor
from nnkit.core.training import FAILED_ON_CLUSTER

RAY_ADDRESS_ENV = "NNKIT_RAY_ADDRESS"
CPUS_ENV = "NNKIT_RAY_CPUS_PER_RUN"
NAMESPACE = "nnkit"
POLL_S = 0.1          # how often the page asks the trainer for news
WEIGHTS_EVERY_S = 0.25  # streamed weights at most this often (the live view redraws no faster)


class ClusterUnavailable(RuntimeError):
    """The configured cluster could not be reached; the caller trains in-process."""


class Admission:
    """The cluster-wide line (a Ray actor): FIFO tickets, each admitted run holding one slot.

    Plain Python around `LocalExecutor`'s queue, so its order and estimates
    are the ones the in-process executor is tested for; slots name which
    `Trainer` actor a run uses.
    """

    def __init__(self, capacity: int) -> None:
        self.queue = LocalExecutor(capacity)
        self.tickets: dict[int, Any] = {}
        self.slots: dict[int, int] = {}

    def join(self, label: str) -> int:
        ticket = self.queue.join(label)
        self.tickets[ticket.number] = ticket
        return ticket.number

    def status(self, number: int) -> tuple[int, float, int | None]:
        """(position, estimated wait, slot once admitted); position 0 means train now."""
        ticket = self.tickets.get(number)
        if ticket is None:
            return -1, 0.0, None
        place = self.queue.position(ticket)
        if place == 0 and number not in self.slots:
            taken = set(self.slots.values())
            self.slots[number] = next(i for i in range(self.queue.capacity) if i not in taken)
        return place, self.queue.estimate(ticket), self.slots.get(number)

    def leave(self, number: int) -> None:
        ticket = self.tickets.pop(number, None)
        self.slots.pop(number, None)
        if ticket is not None:
            self.queue.leave(ticket)


class Trainer:
    """One training slot on the cluster (a threaded Ray actor: `updates` and `stop`
    answer while `train` runs)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._updates: dict[str, list[dict[str, Any]]] = {}
        self._stops: set[str] = set()
        self._active = 0

    def pid(self) -> int:
        return os.getpid()

    def active(self) -> int:
        """Runs training on this slot now (0 once a stopped run has let go)."""
        with self._lock:
            return self._active

    def train(self, run: str, model, data, config, callbacks: Sequence, batch_updates: bool):
        """Fit like `nnkit.train` in-process; returns (TrainResult, final weights).

        `model` is the compiled model, or the page's zero-argument builder (it
        builds the same seeded weights here, and shipping it avoids
        serialising a model, which makes Keras import TensorFlow under JAX).
        """
        from nnkit.core.training import train

        if not hasattr(model, "fit"):
            model = model()
        with self._lock:
            self._active += 1
            self._updates[run] = []
        stream, stop = _stream_callbacks(self, run, batch_updates)
        try:
            result = train(model, data, config, callbacks=[*callbacks, stream], stop=stop)
        finally:
            with self._lock:
                self._active -= 1
                self._stops.discard(run)
        result.validation = None  # the page has its own copy of the data
        return result, model.get_weights()

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

    def stop(self, run: str) -> None:
        with self._lock:
            self._stops.add(run)


def _stream_callbacks(trainer: Trainer, run: str, batch_updates: bool):
    """The remote side's two callbacks: one streams logs and weights, one stops on request."""
    import keras

    from nnkit.core.callbacks import StopRequest

    class Stream(keras.callbacks.Callback):
        def on_train_begin(self, logs=None):
            self._weights_sent = 0.0
            self._batch_sent = time.perf_counter()
            trainer.push(run, {"params": dict(self.params)})

        def on_epoch_end(self, epoch, logs=None):
            update = {"epoch": epoch, "logs": {k: float(v) for k, v in (logs or {}).items()}}
            if time.perf_counter() - self._weights_sent >= WEIGHTS_EVERY_S or epoch + 1 >= self.params["epochs"]:
                update["weights"] = self.model.get_weights()
                self._weights_sent = time.perf_counter()
            trainer.push(run, update)

        def on_train_batch_end(self, batch, logs=None):
            if batch_updates and time.perf_counter() - self._batch_sent >= WEIGHTS_EVERY_S:
                self._batch_sent = time.perf_counter()
                trainer.push(run, {"batch": batch, "logs": {k: float(v) for k, v in (logs or {}).items()}})
            if trainer.stopping(run):
                self.model.stop_training = True

    class RemoteStop(StopRequest):
        @property
        def requested(self) -> bool:
            return trainer.stopping(run)

        @requested.setter
        def requested(self, value: bool) -> None:
            pass  # set by StopRequest.__init__; the trainer's stop list is the truth

    if not batch_updates:  # a batch hook costs Keras its async dispatch; epochs are short here
        del Stream.on_train_batch_end
    return Stream(), RemoteStop()


def runs_here(callback) -> bool:
    """nnkit's own callbacks watch the run (live view, snapshots): they run beside the page.
    Keras's callbacks steer it (stop early, change the rate): they run on the cluster."""
    return type(callback).__module__.startswith("nnkit")


class RayExecutor:
    """Admission and training on a Ray cluster; the same `turn` as `LocalExecutor`, plus `fit`."""

    def __init__(self, address: str, cpus_per_run: float | None = None) -> None:
        import ray

        from nnkit.core import backend

        self.address = address
        self.cpus_per_run = cpus_per_run or float(os.environ.get(CPUS_ENV, "1") or 1)
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
        self.gpus_per_run = 1 if resources.get("GPU", 0) >= 1 else 0
        by_cpu = int(resources.get("CPU", 1) // self.cpus_per_run)
        self.capacity = max(1, int(resources["GPU"]) if self.gpus_per_run else by_cpu)
        self._ray = ray
        self._admission = ray.remote(Admission).options(
            name="nnkit-admission", get_if_exists=True, lifetime="detached", num_cpus=0).remote(self.capacity)

    @contextlib.contextmanager
    def turn(self, label: str, while_waiting: Callable[[int, float], None] | None = None,
             poll: float = 0.5) -> Iterator[int]:
        """Wait for a cluster slot (reporting place and estimate), hold it, always give it back."""
        ray = self._ray
        number = ray.get(self._admission.join.remote(label))
        try:
            while True:
                place, eta, slot = ray.get(self._admission.status.remote(number))
                if place == 0:
                    break
                if while_waiting:
                    while_waiting(place, eta)
                time.sleep(poll)
            yield slot
        finally:
            self._admission.leave.remote(number)

    def trainer(self, slot: int, ready_within: float = 120.0):
        """The warm actor behind `slot`: created on first use, restarted by Ray if its
        worker died, and answering before a run is handed to it."""
        ray = self._ray
        trainer = ray.remote(Trainer).options(
            name=f"nnkit-trainer-{slot}", get_if_exists=True, lifetime="detached", max_restarts=-1,
            max_concurrency=4, num_cpus=self.cpus_per_run, num_gpus=self.gpus_per_run).remote()
        deadline = time.monotonic() + ready_within
        while True:
            try:
                ray.get(trainer.pid.remote(), timeout=ready_within)
                return trainer
            except ray.exceptions.RayError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.5)  # restarting after its worker died

    def fit(self, model, data, config, callbacks: Sequence, place: int, build: Callable | None = None):
        """Train `model` remotely; the page's callbacks see it here as if it trained in-process.

        `build` is the page's builder of `model`, shipped instead of the model when it pickles."""
        from nnkit.core.callbacks import LiveBatchHistory

        ray = self._ray
        here = [c for c in callbacks if runs_here(c)]
        there = [c for c in callbacks if not runs_here(c)]
        run = uuid.uuid4().hex
        batch_updates = any(isinstance(c, LiveBatchHistory) for c in here)
        mirror = _Mirror(model, here)
        try:
            trainer = self.trainer(place)
        except ray.exceptions.RayError as error:
            return mirror.failed(error, config)
        pending = trainer.train.remote(run, _shippable(build, model), data, config, there, batch_updates)
        try:
            while True:
                done, _ = ray.wait([pending], timeout=POLL_S)
                mirror.apply(ray.get(trainer.updates.remote(run)))
                if done:
                    break
            result, weights = ray.get(pending)
        except ray.exceptions.RayError as error:
            return mirror.failed(error, config)
        except BaseException:
            trainer.stop.remote(run)  # Stop or a rerun cut this script off: end the remote fit too
            raise
        mirror.apply(ray.get(trainer.updates.remote(run)))
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
