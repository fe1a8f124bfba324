"""End to end: a real `streamlit run`, driven by Debian's chromium via Playwright.

The test starts the server on a free localhost port, clicks from the home page
to the first experiment, trains on every page in a laptop-sized window
(1366×768) and checks the live chart comes into sight within 2 s of pressing
Train, and saves screenshots to test-artifacts/ (live-<page>.png is the
screen as the learner sees it while the run starts).
"""

from pathlib import Path

import pytest

from nnkit import catalog
from tests.e2e.server import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, OutboundGuard, needs_chromium, serve

pytestmark = needs_chromium


@pytest.fixture(scope="module")
def app_url():
    with serve() as url:
        yield url


@pytest.fixture(scope="module")
def page(app_url):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        tab = browser.new_page(viewport=LAPTOP)
        tab.set_default_timeout(120_000)
        OUTBOUND.watch(tab)
        yield tab
        browser.close()


OUTBOUND = OutboundGuard()  # every request of the tour; checked by the last test
LAPTOP = {"width": 1366, "height": 768}
IN_SIGHT = """(name) => {
    const chart = document.querySelector(`.st-key-${name}-view [data-testid="stPlotlyChart"]`);
    if (!chart) return false;
    const box = chart.getBoundingClientRect();
    return box.height > 0 && box.top >= 0 && box.bottom <= window.innerHeight;
}"""


def _train_in_sight(page, name: str) -> None:
    """Press the page's Train as a learner does (scrolled to it), and find the
    live chart wholly inside the laptop-sized viewport within 2 s."""
    train = page.locator(f".st-key-{name}-train button")
    page.wait_for_function("() => window.nnkitPlotly", timeout=60_000)  # fetched while the learner reads
    train.scroll_into_view_if_needed()
    train.click()
    page.wait_for_function(IN_SIGHT, arg=name, timeout=2_000, polling=100)
    page.screenshot(path=ARTIFACTS / f"live-{name}.png")


def test_home_to_first_neuron_trains_live(app_url, page):
    page.goto(app_url)
    page.get_by_role("heading", name="nnkit: neural networks, hands on").wait_for()
    page.screenshot(path=ARTIFACTS / "home.png", full_page=True)

    page.get_by_role("link", name="Your first neuron").first.click()
    page.get_by_role("heading", name="Your first neuron").wait_for()
    _wait_idle(page)
    _train_in_sight(page, "first_neuron")

    page.get_by_text("Finished", exact=False).first.wait_for(timeout=180_000)
    charts = page.locator(".js-plotly-plot")
    charts.nth(1).wait_for()
    assert charts.count() >= 2  # decision boundary + training curves
    assert page.locator("[data-testid='stException']").count() == 0
    page.get_by_text("What it means").scroll_into_view_if_needed()
    page.screenshot(path=ARTIFACTS / "first_neuron.png", full_page=True)


IDLE = """() => !document.querySelector("[data-testid='stStatusWidget']")
              && !document.querySelector("[data-stale='true']")
              && ![...document.querySelectorAll("button")].some(b => b.innerText.trim().endsWith("Stop"))"""


def _wait_idle(page) -> None:
    # Idle: no "Running" status widget, no element left stale by a rerun, and no
    # training in progress (nnkit's Stop button shows only while a model trains).
    page.wait_for_function(IDLE, timeout=300_000, polling=500)


def test_a_shared_link_applies_and_locks_settings(app_url, page):
    page.goto(f"{app_url}/first_neuron?epochs=7&activation=relu&lock=epochs")
    page.get_by_role("heading", name="Your first neuron").wait_for()
    _wait_idle(page)
    epochs = page.get_by_role("slider", name="Epochs")
    assert epochs.get_attribute("aria-valuetext") == "7"
    assert epochs.is_disabled()
    activation = page.locator("[data-testid='stSelectbox']").filter(has_text="Activation")
    assert "relu" in activation.inner_text() + activation.locator("input").first.input_value()
    assert "epochs=7" in page.url


@pytest.mark.parametrize("path", [Path(e.path).stem for e in catalog.EXPERIMENTS
                                  if e.path != "pages/first_neuron.py"])
def test_every_experiment_trains_in_the_browser(app_url, page, path):
    page.goto(f"{app_url}/{path}")
    page.locator(f".st-key-{path}-train button").wait_for()
    _wait_idle(page)
    _train_in_sight(page, path)
    _wait_idle(page)
    page.screenshot(path=ARTIFACTS / f"{path}.png", full_page=True)
    exceptions = page.locator("[data-testid='stException']")
    assert exceptions.count() == 0, exceptions.first.inner_text()[:1000]
    assert page.locator(".js-plotly-plot").count() >= 1


def test_no_request_left_the_machine(page):
    # Runs last: the whole tour above (home, every page trained, a shared link)
    # must not have made the browser ask any host but this one (offline first).
    assert OUTBOUND.seen, "the guard saw no request at all: it is not watching"
    assert OUTBOUND.outbound == []
