"""End to end: a real `streamlit run`, driven by Debian's chromium via Playwright.

The test starts the server on a free localhost port, clicks from the home page
to the first experiment, trains, and saves screenshots to test-artifacts/.
"""

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from nnkit import catalog

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]

# Skipped on a laptop without Debian's chromium; in CI (.ci/run installs it) a
# missing browser must fail, not skip.
pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists() and not os.environ.get("CI"),
                                reason="Debian chromium not installed (apt-get install chromium)")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def app_url():
    port = _free_port()
    ARTIFACTS.mkdir(exist_ok=True)
    log = open(ARTIFACTS / "streamlit.log", "w")
    server = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true"],
        cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, env={**os.environ})
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(url, server)
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


def _wait_healthy(url: str, server: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError("streamlit exited early; see test-artifacts/streamlit.log")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise TimeoutError("streamlit did not become healthy")


@pytest.fixture(scope="module")
def page(app_url):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        tab = browser.new_page(viewport={"width": 1400, "height": 2400})
        tab.set_default_timeout(120_000)
        yield tab
        browser.close()


def test_home_to_first_neuron_trains_live(app_url, page):
    page.goto(app_url)
    page.get_by_role("heading", name="nnkit: neural networks, hands on").wait_for()
    page.screenshot(path=ARTIFACTS / "home.png", full_page=True)

    page.get_by_role("link", name="Your first neuron").first.click()
    page.get_by_role("heading", name="Your first neuron").wait_for()
    page.get_by_role("button", name="Train").click()

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


def _click_and_wait(page, button) -> None:
    button.click()
    try:  # a quick rerun may finish before the status widget ever shows
        page.wait_for_selector("[data-testid='stStatusWidget']", state="attached", timeout=10_000)
    except PlaywrightTimeout:
        pass
    _wait_idle(page)


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
    train = page.locator("[data-testid='stBaseButton-primary']").first
    train.wait_for()
    _wait_idle(page)
    _click_and_wait(page, train)
    page.screenshot(path=ARTIFACTS / f"{path}.png", full_page=True)
    exceptions = page.locator("[data-testid='stException']")
    assert exceptions.count() == 0, exceptions.first.inner_text()[:1000]
    assert page.locator(".js-plotly-plot").count() >= 1
