"""Memory hygiene check: many consecutive runs in one session must not grow
memory without bound (old runs keep curves, not models).

    python scripts/memory_soak.py [--page pages/cnn_filters.py] [--runs 30]
    python scripts/memory_soak.py --sessions 4 [--page pages/cnn_filters.py]   # RSS a session adds

Drives the page with AppTest in this process, presses Train `--runs` times
with the page's default settings, and prints RSS after each run plus the peak
growth after the first (warm-up) run. With `--sessions N` it instead opens the
page as N learners (each its own session state, all kept open, as a workshop's
server keeps them), each pressing Train once, and reports the RSS each learner
after the first adds: what a workshop's server needs per learner on that page.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def rss_mib() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--page", default="pages/first_neuron.py")
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--sessions", type=int, default=0, help="N learners, one run each, all kept open")
    parser.add_argument("--button", default=None, help="train button key (default: <ns>.train)")
    args = parser.parse_args()

    import nnkit  # noqa: F401  (backend)

    if args.sessions:
        return per_session(args.page, args.sessions, args.button)
    at, train = opened(args.page, args.button)
    samples, start = [], time.perf_counter()
    for i in range(args.runs):
        at.button(key=train).click().run()
        if at.exception:
            raise SystemExit(f"run {i + 1} raised: {at.exception[0].message}")
        samples.append(rss_mib())
        print(f"run {i + 1:2d}: RSS {samples[-1]:.0f} MiB", flush=True)
    report = {"page": args.page, "runs": args.runs, "rss_after_first_mib": round(samples[0]),
              "rss_after_last_mib": round(samples[-1]), "peak_rss_mib": round(max(samples)),
              "growth_after_first_mib": round(max(samples) - samples[0]),
              "max_rss_kernel_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
              "seconds": round(time.perf_counter() - start, 1)}
    print(json.dumps(report, indent=2))


def opened(page: str, button: str | None):
    """The page as a new learner sees it, and its Train button's key."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / page), default_timeout=600).run()
    return at, button or next(b.key for b in at.button if b.key and b.key.endswith(".train"))


def per_session(page: str, sessions: int, button: str | None) -> None:
    learners, samples = [], []
    for i in range(sessions):
        at, train = opened(page, button)
        at.button(key=train).click().run()
        if at.exception:
            raise SystemExit(f"learner {i + 1} raised: {at.exception[0].message}")
        learners.append(at)  # kept open, as the server keeps a learner's session
        samples.append(rss_mib())
        print(f"learner {i + 1:2d}: RSS {samples[-1]:.0f} MiB", flush=True)
    added = [b - a for a, b in zip(samples, samples[1:])]
    print(json.dumps({"page": page, "sessions": sessions, "rss_after_first_mib": round(samples[0]),
                      "rss_after_last_mib": round(samples[-1]),
                      "mib_per_later_learner": round(statistics.median(added), 1) if added else None,
                      "max_rss_kernel_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)},
                     indent=2))


if __name__ == "__main__":
    main()
