"""A deep link as the very first request to a newly started server shows the app's own
navigation and the page with the link's settings applied (see nnkit/ui/frame.py)."""

from pathlib import Path

import pytest

from nnkit import catalog
from tests.e2e.server import ARTIFACTS, OutboundGuard, needs_chromium, serve

pytestmark = needs_chromium


@pytest.mark.parametrize("experiment", catalog.EXPERIMENTS, ids=lambda e: Path(e.path).stem)
def test_deep_link_on_a_fresh_server_shows_the_app_navigation(browser, experiment):
    name = Path(experiment.path).stem
    with serve(f"streamlit-fresh-{name}.log") as url:
        tab = browser.new_page(viewport={"width": 1366, "height": 768})
        tab.set_default_timeout(120_000)
        guard = OutboundGuard()
        guard.watch(tab)
        # An unknown parameter proves the page's own settings code read the link.
        tab.goto(f"{url}/{name}?seed=3&nosuch=1")
        tab.locator("h1").first.wait_for()  # the page's own title (it may be longer than the menu's)
        tab.get_by_text("Ignored unknown setting").first.wait_for()
        nav = tab.locator("[data-testid='stSidebarNav']")
        nav.wait_for()
        links = nav.inner_text()
        entries = [line.strip() for line in links.splitlines() if line.strip()]
        assert "Home" in entries and "Your first neuron" in entries  # the catalog's titles (long lists fold)
        assert not {"app", "first neuron", "cnn filters", "rnn text"} & set(entries)  # not raw file names (icons read as words)
        assert f"/{name}" in tab.url and "seed=3" in tab.url
        tab.screenshot(path=ARTIFACTS / f"fresh-{name}.png")
        assert guard.outbound == []
        tab.close()
