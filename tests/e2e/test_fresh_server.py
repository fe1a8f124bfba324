"""A deep link as the very first request to a newly started server shows the app's own
navigation and the page with the link's settings applied (see nnkit/ui/frame.py)."""

from pathlib import Path

import pytest

from nnkit import catalog
from tests.e2e.server import ARTIFACTS, OutboundGuard, needs_chromium, serve

pytestmark = needs_chromium


def _entries(tab) -> list[str]:
    nav = tab.locator("[data-testid='stSidebarNav']")
    nav.wait_for()
    return [line.strip() for line in nav.inner_text().splitlines() if line.strip()]


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
        entries = _entries(tab)
        assert "Home" in entries and "Your first neuron" in entries  # the catalog's titles (long lists fold)
        assert not {"app", "first neuron", "cnn filters", "rnn text"} & set(entries)  # not raw file names (icons read as words)
        assert f"/{name}" in tab.url and "seed=3" in tab.url
        tab.screenshot(path=ARTIFACTS / f"fresh-{name}.png")
        assert guard.outbound == []
        tab.close()


def test_a_workshop_opening_the_link_at_once_on_a_fresh_server_all_get_the_app_navigation(browser):
    """Runs that began before the first one left folder discovery must leave it too."""
    names = [Path(e.path).stem for e in catalog.EXPERIMENTS[:6]]
    with serve("streamlit-fresh-crowd.log") as url:
        context = browser.new_context(viewport={"width": 1366, "height": 768})
        tabs = [context.new_page() for _ in names]
        for tab, name in zip(tabs, names):  # each goto returns long before its first script run ends
            tab.set_default_timeout(180_000)
            tab.goto(f"{url}/{name}?seed=3")
        for tab, name in zip(tabs, names):
            tab.locator("h1").first.wait_for()
            entries = _entries(tab)
            assert "Home" in entries and "app" not in entries, (name, entries)
            assert f"/{name}" in tab.url
        context.close()
