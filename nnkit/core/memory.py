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
import gc

M_ARENA_MAX = -8  # glibc's mallopt parameter number
ARENAS = 2


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
