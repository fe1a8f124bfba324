"""nnkit.ui.live: train_variants trains every variant, groups them, and keys every chart uniquely."""

from tests.helpers import page_test

PAGE = "tests/ui/variants_page.py"


def test_train_variants_trains_each_variant_into_one_comparison():
    at = page_test(PAGE).run()
    at.button(key="variants_test.train").click().run()
    assert not at.exception
    runs = at.session_state["variants_test.runs"]
    assert [r.label for r in runs] == ["2 units", "8 units"]
    assert {r.settings["_group"] for r in runs} == {1}
    assert [r.artifacts["params"] for r in runs] == [9, 33]  # keep() ran on each finished model
    drawn = at.session_state["drawn"]
    # the second variant's live redraws show the first, finished one beside it
    assert ["2 units", "8 units"] in drawn and ["2 units"] in drawn


def test_a_second_click_starts_a_new_comparison():
    at = page_test(PAGE).run()
    at.button(key="variants_test.train").click().run()
    at.button(key="variants_test.train").click().run()
    assert not at.exception
    runs = at.session_state["variants_test.runs"]
    assert [r.settings["_group"] for r in runs] == [1, 1, 2, 2]


def test_a_run_waits_in_line_for_a_busy_slot_then_starts_by_itself(monkeypatch):
    import threading
    import time

    from nnkit.core import executor
    from nnkit.ui import live

    monkeypatch.setenv(executor.SLOTS_ENV, "1")
    live.training_executor.clear()
    pool, _ = live.training_executor()
    try:
        other_learner = pool.join("someone else's run")
        seen_waiting = []

        def finish_other():  # once this page's run has joined the line behind it (however slow the box)
            deadline = time.monotonic() + 120
            while not pool.waiting() and time.monotonic() < deadline:
                time.sleep(0.05)
            time.sleep(1.0)  # the waiting page redraws its place in line meanwhile
            seen_waiting.append(pool.waiting())
            pool.leave(other_learner)

        at = page_test(PAGE).run()
        threading.Thread(target=finish_other, daemon=True).start()
        at.button(key="variants_test.train").click().run()
        assert not at.exception
        assert seen_waiting == [1]  # this page's first variant was in line behind the other run
        assert len(at.session_state["variants_test.runs"]) == 2
        assert pool.in_flight() == 0 and pool.waiting() == 0
    finally:
        live.training_executor.clear()


def test_an_unreachable_ray_cluster_falls_back_to_this_process_with_a_notice(monkeypatch):
    from nnkit.core.executor import LocalExecutor
    from nnkit.ui import live

    monkeypatch.setenv("NNKIT_RAY_ADDRESS", "127.0.0.1:9")  # nothing listens on the discard port
    live.training_executor.clear()
    try:
        at = page_test(PAGE).run()
        at.button(key="variants_test.train").click().run()
        assert not at.exception
        assert len(at.session_state["variants_test.runs"]) == 2  # trained here instead
        assert any("Training in this app's own process" in c.value and "127.0.0.1:9" in c.value
                   for c in at.caption)
        assert isinstance(live.training_executor()[0], LocalExecutor)
    finally:
        live.training_executor.clear()


def test_a_comparison_holds_one_turn_so_a_learner_who_joins_meanwhile_waits_for_all_of_it(monkeypatch):
    import nnkit
    from nnkit.core import executor
    from nnkit.ui import live

    monkeypatch.setenv(executor.SLOTS_ENV, "1")
    live.training_executor.clear()
    pool, _ = live.training_executor()
    train, joined, places = nnkit.train, [], []

    def watched_train(*args, **kwargs):
        if not joined:  # another learner presses Train while the first variant trains
            joined.append(pool.join("someone else's run"))
        places.append(pool.position(joined[0]))
        return train(*args, **kwargs)

    monkeypatch.setattr(nnkit, "train", watched_train)
    try:
        at = page_test(PAGE).run()
        at.button(key="variants_test.train").click().run()
        assert not at.exception
        assert places == [1, 1]  # still first in line while the second variant trains
        assert pool.position(joined[0]) == 0  # and training once the comparison is done
        pool.leave(joined[0])
    finally:
        live.training_executor.clear()


def test_a_run_that_raises_is_kept_as_failed_with_a_red_box_and_frees_its_slot():
    from nnkit.core.training import FAILED, FINISHED
    from nnkit.ui import live

    live.training_executor.clear()
    try:
        at = page_test(PAGE)
        at.session_state["fail_first"] = True
        at.run()
        at.button(key="variants_test.train").click().run()
        assert not at.exception
        runs = at.session_state["variants_test.runs"]
        assert [r.reason for r in runs] == [FAILED, FINISHED]  # the comparison went on after the failure
        assert runs[0].message.startswith("Training failed after 0 epochs: ")
        assert not any(b.label == "Stop" for b in at.button)  # no Stop or progress left behind
        pool, _ = live.training_executor()
        assert pool.in_flight() == 0 and pool.waiting() == 0
    finally:
        live.training_executor.clear()


def test_each_variants_callbacks_are_made_for_the_model_they_watch():
    at = page_test(PAGE)
    at.session_state["with_callbacks"] = True
    at.run().button(key="variants_test.train").click().run()
    assert not at.exception
    assert at.session_state["callbacks_on"] == [True, True]
