"""Benchmark of the review page's round trip on a large store: key press to the next event shown.

    python benchmarks/bench_review.py                      # 100,000 events (about a minute)
    python benchmarks/bench_review.py --events 5000 --reviews 20   # smoke size

1. Builds a DuckDB file of N synthetic events in SQL (bench_api's generator).
2. Starts the real ``aidtrace serve`` in its own process with a write token (so it holds
   the file writable, as a review deployment does).
3. Drives the real review page (/review) in headless Chromium: for each of ``--reviews``
   events, presses ``a`` or ``r`` and waits until the next event is shown; the page records
   each round trip (key press -> review committed -> next event rendered) with
   ``performance.now()``.
4. In the same run, times the review POST alone (httpx, no browser) and a plain
   ``/api/stats`` request, so that the page's share of the round trip can be read off.

Prints p50/p95/max of each and their ratios; asserts nothing about time.
"""
from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from aidtrace.api.server import free_port
from bench_api import build, wait_until_up
from common import print_machine, result

CHROMIUM = Path("/usr/bin/chromium")
TOKEN = "bench-review-token"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]


def summary(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {"p50_ms": round(statistics.median(ordered), 1),
            "p95_ms": round(ordered[max(0, int(0.95 * len(ordered)) - 1)], 1), "max_ms": round(ordered[-1], 1)}


def browser_round_trips(url: str, reviews: int) -> list[float]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw, tempfile.TemporaryDirectory() as profile:
        context = pw.chromium.launch_persistent_context(profile, executable_path=str(CHROMIUM), headless=True,
                                                        args=ARGS, viewport={"width": 1400, "height": 1000})
        page = context.new_page()
        page.goto(f"{url}/review")
        page.wait_for_selector("body[data-ready=true]", timeout=120_000)
        page.fill("#review-who [name=reviewer]", "bench")
        page.fill("#review-who [name=token]", TOKEN)
        page.press("#review-who [name=token]", "Tab")
        page.click("#review-sentence")
        for i in range(reviews):
            before = page.locator("#review-event").get_attribute("data-id")
            page.keyboard.press("a" if i % 2 == 0 else "r")
            page.wait_for_function(f"document.querySelector('#review-event').dataset.id !== {json.dumps(before)}",
                                   timeout=60_000)
        error = page.locator("#review-error").inner_text()
        if error:
            raise SystemExit(f"the review page reported: {error}")
        timings: list[float] = page.evaluate("window.reviewTimings.slice()")
        context.close()
    return timings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=100_000, help="synthetic events (default 100,000)")
    parser.add_argument("--reviews", type=int, default=50, help="reviews through the page (default 50)")
    args = parser.parse_args(argv)
    if not CHROMIUM.exists():
        raise SystemExit("needs Debian's chromium at /usr/bin/chromium")
    machine = print_machine()
    folder = tempfile.TemporaryDirectory(prefix="aidtrace-bench-review-")
    path = Path(folder.name) / "review.duckdb"
    seconds = build(path, args.events)
    print(f"built {args.events:,} events in {seconds:.1f} s")

    port = free_port()
    command = [str(Path(sys.executable).with_name("aidtrace")), "serve", "--db", str(path), "--port", str(port)]
    server = subprocess.Popen(command, env={**os.environ, "AIDTRACE_TOKEN": TOKEN}, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        with httpx.Client(base_url=url, timeout=600) as client:
            wait_until_up(client, server)
            client.get("/api/flows")  # the start-up warm-up
            page = browser_round_trips(url, args.reviews)
            queue = client.get("/api/reviews/queue", params={"size": args.reviews * 2}).json()["rows"]
            posts, stats = [], []
            for i, row in enumerate(queue[args.reviews:]):
                started = time.perf_counter()
                client.post(f"/api/reviews/{row['id']}/{'accept' if i % 2 == 0 else 'reject'}",
                            json={"reviewer": "bench"}, headers={"Authorization": f"Bearer {TOKEN}"}
                            ).raise_for_status()
                posts.append((time.perf_counter() - started) * 1000)
                started = time.perf_counter()
                client.get("/api/stats").raise_for_status()
                stats.append((time.perf_counter() - started) * 1000)
    finally:
        server.send_signal(signal.SIGINT)
        server.wait(timeout=60)
        folder.cleanup()
    figures = {"events": args.events, "reviews": len(page), "page": summary(page), "post": summary(posts),
               "stats": summary(stats), "load": machine.get("load_avg_1m")}
    figures["page_over_post_p95"] = round(figures["page"]["p95_ms"] / figures["post"]["p95_ms"], 2)
    print(f"review page round trip (key -> next event shown): {figures['page']}")
    print(f"review POST alone (httpx):                         {figures['post']}")
    print(f"GET /api/stats (same server, same run):            {figures['stats']}")
    print(f"page p95 / POST p95: {figures['page_over_post_p95']}")
    result("review", figures)
    return 0


if __name__ == "__main__":
    sys.exit(main())
