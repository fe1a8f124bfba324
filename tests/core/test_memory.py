"""nnkit.core.memory on this machine's glibc: the calls reach it and free memory goes back."""

import platform
import threading

import pytest

from nnkit.core import memory

glibc = pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="glibc's malloc only")


def _rss_mib() -> float:
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmRSS:")) / 1024


@glibc
def test_threads_freed_small_objects_go_back_to_the_system_after_a_trim():
    assert memory.limit_malloc_arenas()
    kept = []

    def allocate():  # a session's script thread: many small objects, then let go
        kept.append([str(i) * 3 for i in range(1_500_000)])

    worker = threading.Thread(target=allocate)
    worker.start()
    worker.join()
    before = _rss_mib()
    kept.clear()
    memory.give_back_freed_memory()
    assert _rss_mib() < before - 50  # ~150 MiB of strings were freed in that thread
