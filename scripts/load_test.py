"""Workshop load test: N learners press Train at the same moment.

    python scripts/load_test.py --sessions 10 [--url http://127.0.0.1:8501]

Starts `streamlit run app.py` on a free localhost port (unless --url is
given), opens N headless Chromium sessions (Debian's chromium via
Playwright), each on a different experiment page round-robin, presses each
page's primary (Train) button at once, and waits for every run to end. It
reports completed runs, exceptions and error boxes shown on pages, the
server's peak RSS and the slowest run. Only loopback traffic; bounded in time.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

from playwright.async_api import TimeoutError as PlaywrightTimeout

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
# Idle: no "Running" status widget, no element left stale by a rerun, and no
# training in progress (nnkit's Stop button shows only while a model trains).
IDLE = """() => !document.querySelector("[data-testid='stStatusWidget']")
              && !document.querySelector("[data-stale='true']")
              && ![...document.querySelectorAll("button")].some(b => b.innerText.trim().endsWith("Stop"))"""
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(port: int) -> subprocess.Popen:
    server = subprocess.Popen([sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
                               "--server.address", "127.0.0.1", "--server.headless", "true"],
                              cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2)
            return server
        except OSError:
            time.sleep(0.5)
    server.kill()
    raise SystemExit("streamlit did not start")


class RssSampler(threading.Thread):
    """Peak resident memory of one process, sampled twice a second."""

    def __init__(self, pid: int):
        super().__init__(daemon=True)
        self.pid, self.peak_mib, self.running = pid, 0.0, True

    def run(self):
        while self.running:
            try:
                with open(f"/proc/{self.pid}/status") as status:
                    for line in status:
                        if line.startswith("VmRSS:"):
                            self.peak_mib = max(self.peak_mib, int(line.split()[1]) / 1024)
            except OSError:
                return
            time.sleep(0.5)


def _log(path: str, what: str) -> None:
    print(f"{time.strftime('%H:%M:%S')} {path}: {what}", file=sys.stderr, flush=True)


async def one_learner(browser, url: str, path: str, timeout_s: float) -> dict:
    context = await browser.new_context(viewport={"width": 1400, "height": 1600})
    page = await context.new_page()
    page.set_default_timeout(timeout_s * 1000)
    result = {"page": path, "completed": False, "exceptions": 0, "error_boxes": 0, "seconds": None}
    try:
        await page.goto(f"{url}/{path}")
        train = page.locator("[data-testid='stBaseButton-primary']").first
        await train.wait_for()
        _log(path, "loaded")
        await page.wait_for_function(IDLE, polling=500)
        _log(path, "idle, pressing Train")
        start = time.perf_counter()
        await train.click()
        try:  # a quick rerun may end before the status widget shows
            await page.wait_for_selector("[data-testid='stStatusWidget']", state="attached", timeout=10_000)
        except PlaywrightTimeout:
            pass
        await page.wait_for_function(IDLE, polling=500)
        result["seconds"] = round(time.perf_counter() - start, 1)
        _log(path, f"run ended after {result['seconds']} s")
        result["exceptions"] = await page.locator("[data-testid='stException']").count()
        result["error_boxes"] = await page.locator("[data-testid='stAlertContentError']").count()
        result["completed"] = result["exceptions"] == 0
    except Exception as error:  # a learner's failure is data for the report
        result["failure"] = f"{type(error).__name__}: {str(error)[:200]}"
    finally:
        await context.close()
    return result


async def run(url: str, sessions: int, timeout_s: float) -> list[dict]:
    from playwright.async_api import async_playwright

    from nnkit import catalog

    paths = [Path(e.path).stem for e in catalog.EXPERIMENTS]
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        results = await asyncio.gather(*(one_learner(browser, url, paths[i % len(paths)], timeout_s)
                                         for i in range(sessions)))
        await browser.close()
    return list(results)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=10)
    parser.add_argument("--url", default=None)
    parser.add_argument("--timeout", type=float, default=600, help="seconds per learner, at most")
    args = parser.parse_args()
    port = free_port()
    server = None if args.url else start_server(port)
    url = args.url or f"http://127.0.0.1:{port}"
    sampler = RssSampler(server.pid) if server else None
    if sampler:
        sampler.start()
    try:
        results = asyncio.run(run(url, args.sessions, args.timeout))
    finally:
        if sampler:
            sampler.running = False
        if server:
            server.terminate()
            server.wait(timeout=30)
    times = [r["seconds"] for r in results if r["seconds"] is not None]
    report = {"sessions": args.sessions, "completed": sum(r["completed"] for r in results),
              "exceptions_on_pages": sum(r["exceptions"] for r in results),
              "error_boxes_on_pages": sum(r["error_boxes"] for r in results),
              "failures": [r for r in results if not r["completed"]],
              "slowest_run_s": max(times) if times else None,
              "server_peak_rss_mib": round(sampler.peak_mib) if sampler else None,
              "per_session": results}
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
