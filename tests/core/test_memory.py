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


def test_objects_alive_at_start_up_leave_the_collectors_walks_and_later_garbage_is_still_collected():
    import subprocess
    import sys

    # A fresh interpreter: freezing is once per process, and this one's heap is pytest's.
    script = """
import gc, weakref
from nnkit.core import memory

class Node:
    pass

startup = [Node() for _ in range(1000)]
memory.freeze_startup_objects()
frozen = gc.get_freeze_count()
memory.freeze_startup_objects()  # once per process: nothing more is frozen
assert gc.get_freeze_count() == frozen >= 1000, (frozen, gc.get_freeze_count())
a, b = Node(), Node()
a.other, b.other = b, a  # a cycle made after start-up, as a finished run's models are
gone = weakref.ref(a)
del a, b
gc.collect()
assert gone() is None
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr


def test_a_collection_runs_once_the_process_has_grown_and_not_before():
    import gc
    import weakref

    class Node:
        pass

    collector = memory.Collector(growth_mib=40)
    assert memory.resident_mib() > 10
    assert not collector.collect_if_grown()  # nothing grew since it was made
    gc.disable()  # only the collector may collect here
    try:
        head = Node()
        head.other, head.payload = head, bytearray(80 * 2**20)  # a finished model: big, in a cycle
        for page in range(0, len(head.payload), 4096):
            head.payload[page] = 1  # resident, not just reserved
        gone = weakref.ref(head)
        del head
        assert gone() is not None  # the cycle keeps it until a full collection
        assert collector.collect_if_grown()
        assert gone() is None
        assert not collector.collect_if_grown()  # measured again after collecting
    finally:
        gc.enable()
