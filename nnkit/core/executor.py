"""The training executor: at most K runs train at once per process, the rest wait in line.

Why: a workshop presses Train within the same minute. On a 2-core box, twenty
runs sharing the CPU all finish after minutes; run two at a time and the
first learners get their result in seconds, the last no later than before
(FIFO, the box's own limit). Every page trains through `ui.train_live`, which
takes a turn here, so pages know nothing of the queue.

The seam is `turn` (a context manager: wait for a place, hold it) and `fit`
(train a compiled model with callbacks during that turn). `LocalExecutor` is
the in-process implementation; `nnkit.core.cluster.RayExecutor` trains on a
Ray cluster behind the same two calls. Instances are shared
by all sessions (`st.cache_resource`), so every method is thread-safe.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import statistics
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Callable, Iterator

SLOTS_ENV = "NNKIT_TRAINING_SLOTS"
DEFAULT_RUN_SECONDS = 10.0  # the estimate before any run has finished


def default_capacity(cores: int | None = None, workshop: bool | None = None) -> int:
    """K: NNKIT_TRAINING_SLOTS if set, else 1.

    One at a time is the safe default everywhere: Keras seeds initial weights,
    shuffling and dropout from process-wide generators, so two runs training
    at once draw from each other's streams and a twin run would no longer
    start from the same weights; and one small Keras fit already keeps two
    cores busy, so on a Community Cloud box a second slot adds little but
    memory. On a many-core server, set NNKIT_TRAINING_SLOTS (e.g. cores // 2)
    and accept that concurrent runs are not bit-for-bit reproducible.
    `cores` and `workshop` are accepted for callers that size K themselves.
    """
    setting = os.environ.get(SLOTS_ENV, "").strip()
    if setting.isdigit() and int(setting) > 0:
        return int(setting)
    return 1


@dataclass
class Ticket:
    """One learner's place: in line, training, or gone."""

    label: str
    number: int
    size: float = 1.0  # the share of `capacity` the run needs: 1 in-process, its CPUs on a cluster
    joined: float = field(default_factory=time.monotonic)
    started: float | None = None


class LocalExecutor:
    """FIFO admission of training runs in this process: runs train while their sizes
    fit in `capacity` (`capacity` runs at a time when every run is of size 1)."""

    def __init__(self, capacity: int) -> None:
        if capacity < 1:
            raise ValueError("capacity must be at least 1")
        self.capacity = capacity
        self._lock = threading.Condition()
        self._waiting: deque[Ticket] = deque()
        self._running: list[Ticket] = []
        self._durations: deque[float] = deque(maxlen=20)
        self._numbers = itertools.count(1)

    def join(self, label: str, size: float = 1.0) -> Ticket:
        """Take a place at the back of the line, for a run that needs `size` of the capacity."""
        with self._lock:
            ticket = Ticket(label, next(self._numbers), size)
            self._waiting.append(ticket)
            self._admit()
            return ticket

    def _admit(self) -> None:
        # Caller holds the lock: move the front of the line in while it fits. Strictly FIFO (a small
        # run never passes a big one, or big runs would starve), and a run bigger than the whole
        # capacity trains alone rather than never.
        while self._waiting and (not self._running or
                                 sum(t.size for t in self._running) + self._waiting[0].size <= self.capacity):
            ticket = self._waiting.popleft()
            ticket.started = time.monotonic()
            self._running.append(ticket)
        self._lock.notify_all()

    def wait_turn(self, ticket: Ticket, timeout: float) -> bool:
        """Block up to `timeout` seconds; True once `ticket` may train."""
        with self._lock:
            return self._lock.wait_for(lambda: ticket in self._running, timeout)

    def position(self, ticket: Ticket) -> int:
        """0 while training; n when n-1 runs wait ahead of it; -1 once it has left."""
        with self._lock:
            if ticket in self._running:
                return 0
            for place, other in enumerate(self._waiting, start=1):
                if other is ticket:
                    return place
            return -1

    def estimate(self, ticket: Ticket) -> float:
        """Seconds until `ticket` starts, from how long recent runs took."""
        with self._lock:
            typical = statistics.median(self._durations) if self._durations else DEFAULT_RUN_SECONDS
            ahead = next((i for i, t in enumerate(self._waiting) if t is ticket), None)
            if ahead is None:
                return 0.0
            now = time.monotonic()
            # Each free-up of a slot admits one run; runs ahead go first, as many at a time as fit.
            remaining = sorted(max(0.0, typical - (now - t.started)) for t in self._running)
            sizes = [t.size for t in (*self._running, *self._waiting)]
            at_once = max(1, int(self.capacity // (sum(sizes) / len(sizes))))
            rounds, slot = divmod(ahead, at_once)
            first_free = remaining[slot] if slot < len(remaining) else 0.0
            return first_free + rounds * typical

    def leave(self, ticket: Ticket) -> None:
        """Free the slot (or the place in line): finished, failed, cancelled or cut off."""
        with self._lock:
            if ticket in self._running:
                self._running.remove(ticket)
                if ticket.started is not None:
                    self._durations.append(time.monotonic() - ticket.started)
            elif ticket in self._waiting:
                self._waiting.remove(ticket)
            self._admit()

    def in_flight(self) -> int:
        with self._lock:
            return len(self._running)

    def waiting(self) -> int:
        with self._lock:
            return len(self._waiting)

    def fit(self, model, data, config, callbacks, place=None, build=None):
        """Train in this process, in the caller's thread, during its turn."""
        import nnkit  # the package's `train`, so a test can watch every run

        return nnkit.train(model, data, config, callbacks=callbacks)

    @contextlib.contextmanager
    def turn(self, label: str, while_waiting: Callable[[int, float], None] | None = None,
             poll: float = 0.5, heavy: bool = False) -> Iterator[Ticket]:
        """Wait for a slot (calling `while_waiting(position, eta)` every `poll` s), hold it
        for the block, and always give it back, whatever ends the block.

        `heavy` (a page of convolutions, recurrences or a pretrained network) sizes a
        cluster run's request; here every run takes one slot of this process's cores."""
        ticket = self.join(label)
        try:
            while not self.wait_turn(ticket, poll if while_waiting else None):
                while_waiting(self.position(ticket), self.estimate(ticket))
            yield ticket
        finally:
            self.leave(ticket)
