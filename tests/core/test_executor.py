"""nnkit.core.executor: at most K in flight, FIFO, cancel while queued, slots freed whatever happens."""

import threading
import time

import pytest

from nnkit.core import executor
from nnkit.core.executor import LocalExecutor


def _run_all(pool: LocalExecutor, n: int, seconds: float, fail: set[int] = frozenset()):
    started, peak, lock = [], [0], threading.Lock()

    def run(i):
        try:
            with pool.turn(f"run {i}"):
                with lock:
                    started.append(i)
                    peak[0] = max(peak[0], pool.in_flight())
                time.sleep(seconds)
                if i in fail:
                    raise RuntimeError("training failed")
        except RuntimeError:
            pass

    threads = []
    for i in range(n):
        threads.append(threading.Thread(target=run, args=(i,)))
        threads[-1].start()
        time.sleep(0.02)  # join the line in order
    for thread in threads:
        thread.join(10)
    return started, peak[0]


def test_at_most_k_in_flight_and_first_come_first_served():
    pool = LocalExecutor(2)
    started, peak = _run_all(pool, 6, 0.1)
    assert peak == 2
    assert started == list(range(6))
    assert pool.in_flight() == 0 and pool.waiting() == 0


def test_a_failing_run_frees_its_slot():
    pool = LocalExecutor(1)
    started, _ = _run_all(pool, 3, 0.05, fail={0, 1})
    assert started == [0, 1, 2] and pool.in_flight() == 0


def test_place_in_line_estimate_and_cancel_while_queued():
    pool = LocalExecutor(1)
    running = pool.join("a")
    second, third = pool.join("b"), pool.join("c")
    assert [pool.position(t) for t in (running, second, third)] == [0, 1, 2]
    assert 0 < pool.estimate(second) <= pool.estimate(third)
    pool.leave(second)  # the learner pressed Stop while waiting
    assert pool.position(second) == -1 and pool.position(third) == 1
    pool.leave(running)
    assert pool.wait_turn(third, 1) and pool.position(third) == 0


def test_a_run_cut_off_mid_training_frees_its_slot():
    # Streamlit cuts a script off by raising inside it (a rerun); the slot must come back.
    class Rerun(BaseException):
        pass

    pool = LocalExecutor(1)
    with pytest.raises(Rerun):
        with pool.turn("cut off"):
            raise Rerun
    assert pool.in_flight() == 0
    with pool.turn("next"):
        assert pool.in_flight() == 1


def test_waiting_learners_hear_their_place():
    pool = LocalExecutor(1)
    first = pool.join("first")
    heard = []
    threading.Timer(0.3, pool.leave, args=(first,)).start()
    with pool.turn("second", lambda place, eta: heard.append(place), poll=0.05):
        pass
    assert heard and set(heard) == {1}


def test_capacity_is_one_unless_set(monkeypatch):
    monkeypatch.delenv(executor.SLOTS_ENV, raising=False)
    assert executor.default_capacity(cores=8, workshop=True) == 1
    assert executor.default_capacity(cores=2, workshop=False) == 1
    monkeypatch.setenv(executor.SLOTS_ENV, "3")
    assert executor.default_capacity() == 3
    monkeypatch.setenv(executor.SLOTS_ENV, "zero")
    assert executor.default_capacity() == 1
    with pytest.raises(ValueError):
        LocalExecutor(0)


def test_runs_of_different_sizes_share_the_capacity_in_line_order():
    pool = LocalExecutor(4)  # e.g. a cluster's four CPUs
    small, big, after = pool.join("1 CPU", 1), pool.join("3 CPUs", 3), pool.join("1 CPU more", 1)
    assert [pool.position(t) for t in (small, big, after)] == [0, 0, 1]  # 1 + 3 fill it
    pool.leave(small)
    assert pool.position(after) == 0  # 3 + 1 fit again
    huge = pool.join("8 CPUs", 8)
    assert pool.position(huge) == 1
    pool.leave(big)
    pool.leave(after)
    assert pool.position(huge) == 0  # bigger than the whole capacity: it trains alone, not never
    tiny = pool.join("1 CPU", 1)
    assert pool.position(tiny) == 1  # behind the big one, though a CPU is free
