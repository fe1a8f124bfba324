"""Workshop load test: N learners press Train at the same moment.

    python scripts/load_test.py --sessions 30 [--no-workshop] [--solo N] [--pages a,b] [--url http://127.0.0.1:8501]
    python scripts/load_test.py --sessions 0 --solo 3 --pages gans   # one page's click-to-result, alone
    python scripts/load_test.py --sessions 30 --replicas 2 --ray      # 2 replicas, training on local Ray

Starts `streamlit run app.py` on a free localhost port (unless --url is
given; in workshop mode unless --no-workshop), opens N headless Chromium
sessions (Debian's chromium via Playwright), each on a different experiment
page round-robin, and once every page is ready (or a third of --timeout has
passed) presses each page's primary (Train) button at once, then waits for
every run to end. The browsers run at `--browser-nice` (default 19): in a
workshop they are on the learners' laptops, here they share the server's
cores. It reports completed runs, the text of every exception and error box
shown on pages, the server's peak RSS and its trace, and per page the p50/p95
wait before a run starts (time in the training line, from the run store the
servers write) and click-to-result (as the browser sees it).

`--solo N` first runs each page alone N times, one after another, each as a
new learner on the same server: the first is a cold click, the last a warm
one (shared caches, compiled code), and the sum of each crowd page's quickest
solo click-to-result is the box's own limit for the crowd's last run. Only loopback
traffic; bounded in time.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

from playwright.async_api import TimeoutError as PlaywrightTimeout

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from tests.core import raycluster  # noqa: E402  (the same loopback head the tests start)
# Idle: no "Running" status widget, no element left stale by a rerun, and no
# training in progress (nnkit's Stop button shows only while a model trains).
IDLE = """() => !document.querySelector("[data-testid='stStatusWidget']")
              && !document.querySelector("[data-stale='true']")
              && ![...document.querySelectorAll("button")].some(b => b.innerText.trim().endsWith("Stop"))"""
# Watches the page from just before the click for Stop (a fast run may show it for less than a
# polling interval). How long the run waited in line comes from the servers' own run store.
WATCH = ("() => { const nn = window.nnkitLoad = {sawStop: false}; "
         "const check = () => { if (!nn.sawStop) nn.sawStop = "
         "[...document.querySelectorAll('button')].some(b => b.innerText.trim().endsWith('Stop')); }; "
         "new MutationObserver(check).observe(document.body, {subtree: true, childList: true, characterData: true}); }")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(port: int, workshop: bool, ray_address: str | None, data_dir: str) -> subprocess.Popen:
    # One run store for all replicas (as a deployment shares its database): `server_timeline` reads it.
    env = {**os.environ, "NNKIT_WORKSHOP": "1" if workshop else "0", "NNKIT_DATA_DIR": data_dir}
    env.pop("NNKIT_DB_URL", None)
    if ray_address:
        env["NNKIT_RAY_ADDRESS"] = ray_address
    server = subprocess.Popen([sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
                               "--server.address", "127.0.0.1", "--server.headless", "true"],
                              cwd=ROOT, stdout=subprocess.DEVNULL, env=env,
                              stderr=open(Path(data_dir) / f"server-{port}.log", "wb"))  # tracebacks of failed runs
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
    """Resident memory of one process, sampled twice a second: its peak, and every
    tenth sample for the report (when in the test the memory went up)."""

    def __init__(self, pid: int):
        super().__init__(daemon=True)
        self.pid, self.peak_mib, self.running, self.trace = pid, 0.0, True, []

    def run(self):
        started, count = time.monotonic(), 0
        while self.running:
            try:
                with open(f"/proc/{self.pid}/status") as status:
                    for line in status:
                        if line.startswith("VmRSS:"):
                            mib = int(line.split()[1]) / 1024
                            self.peak_mib = max(self.peak_mib, mib)
                            if count % 10 == 0:
                                self.trace.append((round(time.monotonic() - started), round(mib)))
                            count += 1
            except OSError:
                return
            time.sleep(0.5)


def _log(path: str, what: str) -> None:
    print(f"{time.strftime('%H:%M:%S')} {path}: {what}", file=sys.stderr, flush=True)


class Together:
    """The moment every learner's page is ready, so all of them press Train at once (a
    learner whose page failed to load counts as arrived; nobody waits past `deadline`)."""

    def __init__(self, learners: int, deadline: float):
        self.waiting, self.deadline, self.all_here = learners, deadline, asyncio.Event()
        self.ready_after_s, self.started = None, time.monotonic()

    def arrive(self) -> None:
        self.waiting -= 1
        if self.waiting <= 0 and not self.all_here.is_set():
            self.ready_after_s = round(time.monotonic() - self.started, 1)
            self.all_here.set()

    async def go(self) -> None:
        self.arrive()
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(self.all_here.wait(), max(0.0, self.deadline - time.monotonic()))


async def one_learner(browser, url: str, path: str, timeout_s: float, together: Together) -> dict:
    context = await browser.new_context(viewport={"width": 1400, "height": 1600})
    page = await context.new_page()
    page.set_default_timeout(timeout_s * 1000)
    result = {"page": path, "completed": False, "exceptions": 0, "error_boxes": 0, "seconds": None,
              "exception_texts": []}
    arrived = False
    try:
        await page.goto(f"{url}/{path}")
        train = page.locator("[data-testid='stBaseButton-primary']").first
        await train.wait_for()
        _log(path, "loaded")
        await page.wait_for_function(IDLE, polling=500)
        _log(path, "idle")
        arrived = True
        await together.go()
        await page.evaluate(WATCH)
        start = time.perf_counter()
        result["clicked_at"] = time.time()
        await train.click()
        with contextlib.suppress(PlaywrightTimeout):  # train_live draws Stop at once, also while in line
            await page.wait_for_function("() => window.nnkitLoad.sawStop", polling=250, timeout=30_000)
        await page.wait_for_function(IDLE, polling=500)
        result["seconds"] = round(time.perf_counter() - start, 1)
        result["ended_at"] = time.time()
        _log(path, f"result after {result['seconds']} s")
        exceptions = page.locator("[data-testid='stException']")
        result["exceptions"] = await exceptions.count()
        result["exception_texts"] = [(await exceptions.nth(i).inner_text())[:2000]
                                     for i in range(result["exceptions"])]
        errors = page.locator("[data-testid='stAlertContentError']")
        result["error_boxes"] = await errors.count()
        result["error_texts"] = [(await errors.nth(i).inner_text())[:500] for i in range(result["error_boxes"])]
        result["completed"] = result["exceptions"] == 0
    except Exception as error:  # a learner's failure is data for the report
        result["failure"] = f"{type(error).__name__}: {str(error)[:200]}"
        result["stuck_on"] = await _why_not_idle(page, path)
    finally:
        if not arrived:
            together.arrive()
        await context.close()
    return result


async def _why_not_idle(page, path: str) -> dict:
    """What still held the page when a learner gave up, and a screenshot of it."""
    with contextlib.suppress(Exception):
        shot = ROOT / "test-artifacts" / f"load-stuck-{path}-{time.strftime('%H%M%S')}.png"
        shot.parent.mkdir(exist_ok=True)
        await page.screenshot(path=str(shot), full_page=True)
        exceptions = page.locator("[data-testid='stException']")
        texts = [(await exceptions.nth(i).inner_text())[:4000] for i in range(await exceptions.count())]
        return {"screenshot": str(shot.relative_to(ROOT)), "exception_texts": texts, **await page.evaluate(STUCK_ON)}
    return {}


async def run(urls: list[str], paths: list[str], timeout_s: float, chromium: str) -> tuple[list[dict], float | None]:
    """One learner per entry of `paths`, spread over `urls`, all pressing Train at once when
    every page is ready (or `timeout_s` after they opened it); also how long that took."""
    from playwright.async_api import async_playwright

    together = Together(len(paths), time.monotonic() + timeout_s / 3)
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        results = await asyncio.gather(*(one_learner(browser, urls[i % len(urls)], path, timeout_s, together)
                                         for i, path in enumerate(paths)))
        await browser.close()
    return list(results), together.ready_after_s


def niced_chromium(folder: str, niceness: int) -> str:
    """Debian's chromium behind `nice`: in a workshop the browsers run on the learners' own
    laptops; here they share the server's cores, and should take only what the server leaves."""
    if niceness <= 0:
        return "/usr/bin/chromium"
    wrapper = Path(folder) / "chromium"
    wrapper.write_text(f'#!/bin/sh\nexec nice -n {niceness} /usr/bin/chromium "$@"\n')
    wrapper.chmod(0o755)
    return str(wrapper)


def _quantiles(values: list[float]) -> dict[str, float | None]:
    if not values:
        return {"p50": None, "p95": None}
    if len(values) == 1:
        return {"p50": values[0], "p95": values[0]}
    cuts = statistics.quantiles(values, n=20, method="inclusive")
    return {"p50": round(statistics.median(values), 1), "p95": round(cuts[18], 1)}


def per_page(results: list[dict]) -> dict[str, dict]:
    pages = {}
    for path in dict.fromkeys(r["page"] for r in results):
        mine = [r for r in results if r["page"] == path]
        pages[path] = {"learners": len(mine), "completed": sum(r["completed"] for r in mine),
                       "click_to_result_s": _quantiles([r["seconds"] for r in mine if r["seconds"] is not None])}
    return pages


def server_timeline(data_dir: str, since: float) -> dict:
    """What the servers saw, from the run store they wrote: each learner's time in the training
    line and with a slot, and whether slots went out in the order learners joined (FIFO).

    Browser-side times include the tabs' own delays (thirty of them share this box's cores);
    these do not. A learner's click may train several models (a comparison): the click joins
    the line once, so each learner counts once, from its first run's join to its last run's end.
    """
    import sqlite3

    with contextlib.closing(sqlite3.connect(Path(data_dir) / "runs.sqlite3")) as db:
        rows = db.execute("SELECT learner, MIN(created), MIN(started), MAX(ended), MIN(page) FROM runs "
                          "WHERE started IS NOT NULL AND created >= ? GROUP BY learner ORDER BY MIN(created)",
                          (since,)).fetchall()
    if not rows:
        return {"learners": 0}
    by_start = sorted(range(len(rows)), key=lambda i: rows[i][2])
    per_page = {}
    for _, joined, started, _, page in rows:
        per_page.setdefault(page, []).append(round(started - joined, 1))
    return {"learners": len(rows),
            "wait_in_line_s": _quantiles([round(started - joined, 1) for _, joined, started, _, _ in rows]),
            "wait_in_line_s_per_page": {page: _quantiles(waits) for page, waits in per_page.items()},
            "slot_held_s": _quantiles([round(ended - started, 1) for _, _, started, ended, _ in rows if ended]),
            "slots_given_out_of_join_order": sum(a > b for a, b in zip(by_start, by_start[1:])),
            "first_join_to_last_end_s": round(max(r[3] or r[2] for r in rows) - rows[0][1], 1)}


def main() -> None:
    from nnkit import catalog

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=10)
    parser.add_argument("--url", default=None)
    parser.add_argument("--no-workshop", action="store_true", help="serve without workshop caps")
    parser.add_argument("--solo", type=int, default=0, metavar="N",
                        help="first time each page alone N times, each a new learner (1st = cold click)")
    parser.add_argument("--timeout", type=float, default=900, help="seconds per learner, at most")
    parser.add_argument("--replicas", type=int, default=1, help="Streamlit replicas to start")
    parser.add_argument("--ray", action="store_true", help="train on a local Ray head started for the test")
    parser.add_argument("--pages", default="", help="comma-separated page names (default: every experiment)")
    parser.add_argument("--browser-nice", type=int, default=19, metavar="N",
                        help="run the browsers at this niceness (0: as the server); learners' browsers are "
                             "not on the server in a workshop")
    args = parser.parse_args()
    experiments = [p for p in args.pages.split(",") if p] or [Path(e.path).stem for e in catalog.EXPERIMENTS]
    crowd = [experiments[i % len(experiments)] for i in range(args.sessions)]
    data_dir = tempfile.mkdtemp(prefix="nnkit-load-")
    chromium = niced_chromium(data_dir, args.browser_nice)
    with contextlib.ExitStack() as stack:
        ray_address = stack.enter_context(raycluster.head(os.cpu_count() or 2)) if args.ray else None
        ports = [] if args.url else [free_port() for _ in range(args.replicas)]
        servers = [start_server(port, not args.no_workshop, ray_address, data_dir) for port in ports]
        urls = [args.url] if args.url else [f"http://127.0.0.1:{port}" for port in ports]
        samplers = [RssSampler(server.pid) for server in servers]
        for sampler in samplers:
            sampler.start()
        solo = {}
        try:
            for path in dict.fromkeys(crowd or experiments) if args.solo else ():
                solo[path] = [asyncio.run(run(urls, [path], args.timeout, chromium))[0][0]["seconds"]
                              for _ in range(args.solo)]
            crowd_from = time.time()  # the solo runs before it are in the same store
            results, all_ready_s = asyncio.run(run(urls, crowd, args.timeout, chromium)) if args.sessions else ([], None)
        finally:
            for sampler in samplers:
                sampler.running = False
            for server in servers:
                server.terminate()
                server.wait(timeout=30)
    times = [r["seconds"] for r in results if r["seconds"] is not None]
    spans = [r["ended_at"] for r in results if r.get("ended_at")], [r["clicked_at"] for r in results if r.get("clicked_at")]
    report = {"sessions": args.sessions, "workshop_mode": not args.no_workshop, "browser_nice": args.browser_nice,
              "every_page_ready_after_s": all_ready_s,
              "completed": sum(r["completed"] for r in results),
              "exceptions_on_pages": sum(r["exceptions"] for r in results),
              "error_boxes_on_pages": sum(r["error_boxes"] for r in results),
              "exception_texts": [t for r in results for t in r["exception_texts"]],
              "failures": [r for r in results if not r["completed"]],
              "click_to_result_s": _quantiles(times),
              "first_click_to_last_result_s": round(max(spans[0]) - min(spans[1]), 1) if spans[0] else None,
              "server_side": server_timeline(data_dir, crowd_from) if servers else None,
              "replicas": len(urls), "training_on": "Ray (local head)" if args.ray else "each replica's process",
              "server_peak_rss_mib": [round(sampler.peak_mib) for sampler in samplers] or None,
              "server_rss_mib_every_5_s": [sampler.trace for sampler in samplers] or None,
              "per_page": per_page(results), "server_logs": data_dir}
    if solo:
        # A page's quickest solo click is what its run costs the box (the slower ones are a cold
        # start, or a click the browser was slow to take, e.g. a lost one that waited 30 s for Stop).
        limit = sum(min(s for s in solo[path] if s is not None) for path in crowd if any(solo[path]))
        report.update({"solo_click_to_result_s": {p: {"first": s[0], "later": s[-1]} for p, s in solo.items()},
                       "solo_sum_of_the_same_runs_s": round(limit, 1),
                       "last_result_over_solo_sum": round((max(spans[0]) - min(spans[1])) / limit, 2)
                       if spans[0] and limit else None})
    report["per_session"] = results
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
