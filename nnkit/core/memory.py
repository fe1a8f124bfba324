"""Keeping a shared server's memory near what its sessions really use (glibc only; elsewhere
these do nothing), and its garbage collections short.

Why: every Streamlit session's script runs in its own thread, and glibc gives threads their
own malloc arenas and keeps what they free there for reuse. After a workshop's first minute
the server's resident memory then stays near its peak although much of it is free, and on a
box with a hard memory cap (Community Cloud's ~2.7 GB stops the app for everyone) the
resident figure is what counts.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import functools
import gc
import threading

M_ARENA_MAX = -8  # glibc's mallopt parameter number
ARENAS = 2


@functools.cache  # find_library runs ldconfig: once per process, not after every run
def _libc():
    return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")


def limit_malloc_arenas(arenas: int = ARENAS) -> bool:
    """Let threads started from now on share `arenas` malloc arenas (what MALLOC_ARENA_MAX does
    at start-up); True where glibc took it."""
    with contextlib.suppress(OSError, AttributeError, TypeError):
        return bool(_libc().mallopt(M_ARENA_MAX, arenas))
    return False


def give_back_freed_memory() -> None:
    """Return memory Python has freed to the operating system (glibc's malloc_trim)."""
    with contextlib.suppress(OSError, AttributeError, TypeError):
        _libc().malloc_trim(0)


def freeze_startup_objects() -> None:
    """Take every object alive now (imported modules, Keras, JAX) out of the garbage
    collector's walks, once per process.

    Why: a full collection walks every tracked object, and a server with Keras and JAX
    imported holds over 300,000 of them before any learner arrives: 0.3-0.5 s a collection
    on a 2-core box, with the GIL held, so the run training in another session stops
    meanwhile. Those objects live as long as the process; frozen, the collection after each
    run (`ui.train_live`) walks only what the sessions made since.
    """
    if gc.get_freeze_count():
        return
    gc.collect()
    gc.freeze()


def resident_mib() -> float | None:
    """This process's resident memory now, in MiB; None where /proc cannot tell."""
    with contextlib.suppress(OSError, ValueError, IndexError):
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * _page_size() / 2**20
    return None


@functools.cache
def _page_size() -> int:
    import os

    return os.sysconf("SC_PAGE_SIZE")


class Collector:
    """A full garbage collection (and memory given back) once the process has grown
    `growth_mib` since the last one, rather than after every training run.

    Why: finished models sit in reference cycles (layers and model, callbacks and
    model) until a full collection, so one is needed to keep a workshop's server
    under its memory cap; but each costs 0.3-0.5 s with the GIL held on a busy
    server, a seventh of the Python time of a 20-learner load test when it ran after
    every run, while the next learner's run trained. Growth is the sign that there
    is something to collect. Shared by all sessions; thread-safe.
    """

    def __init__(self, growth_mib: float = 100.0) -> None:
        self.growth_mib = growth_mib
        self._lock = threading.Lock()
        self._after_last = resident_mib()

    def collect_if_grown(self) -> bool:
        """Collect now if the process grew enough since the last collection; True if it did."""
        with self._lock:
            now = resident_mib()
            if now is not None and self._after_last is not None and now - self._after_last < self.growth_mib:
                return False
            gc.collect()
            give_back_freed_memory()
            self._after_last = resident_mib()
            return True
