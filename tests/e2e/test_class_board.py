"""Browser: two learners of one workshop train; the instructor's board shows both, live."""

from nnkit.core.store import RunStore
from tests.e2e.server import ARTIFACTS, OutboundGuard, needs_chromium, serve
from tests.e2e.test_browser import IDLE

pytestmark = needs_chromium


def test_two_learners_train_and_the_board_shows_both(browser):
    code, key = RunStore().create_workshop("first_neuron")  # the server reads the same database
    with serve("streamlit-board.log") as url:
        guard = OutboundGuard()
        learners = []
        for _ in range(2):
            tab = browser.new_context(viewport={"width": 1366, "height": 900}).new_page()
            tab.set_default_timeout(180_000)
            guard.watch(tab)
            tab.goto(f"{url}/first_neuron?workshop={code}&epochs=3&points=200")
            tab.get_by_role("heading", name="Your first neuron").wait_for()
            tab.wait_for_function(IDLE, polling=500)
            learners.append(tab)
        for tab in learners:
            tab.get_by_role("button", name="Train").click()
        for tab in learners:
            tab.wait_for_timeout(1000)
            tab.wait_for_function(IDLE, polling=500, timeout=300_000)
            assert tab.locator("[data-testid='stException']").count() == 0
        board = browser.new_page(viewport={"width": 1366, "height": 1200})
        guard.watch(board)
        board.goto(f"{url}/class_board?workshop={code}&instructor={key}")
        board.get_by_role("heading", name="Your first neuron").wait_for(timeout=60_000)
        learners_metric = board.locator("[data-testid='stMetric']").filter(has_text="Learners")
        learners_metric.get_by_text("2", exact=True).wait_for(timeout=30_000)
        assert board.locator("[data-testid='stException']").count() == 0
        board.screenshot(path=ARTIFACTS / "class_board.png", full_page=True)
        assert guard.outbound == []
