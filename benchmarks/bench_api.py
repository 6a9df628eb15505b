"""Benchmark of the HTTP API over a large synthetic store.

    python benchmarks/bench_api.py                       # 1,000,000 events (a few minutes)
    python benchmarks/bench_api.py --events 20000 --load-seconds 3   # CI smoke size

1. Builds a DuckDB file of N synthetic events in SQL (no Python loop per row): articles,
   events, items, and one story per event with its displayed figure, so that flows and
   stories have their real inputs. The stories are synthetic too (building them with
   ``aidtrace.stories`` over a million events is its own benchmark, not this one).
2. Starts the real server, ``aidtrace serve --workers N`` (read-only, uvicorn on
   127.0.0.1, with its start-up warm-up; N is the number of cores unless told), and
   measures sequential latency of a filtered ``/api/events`` page and of ``/api/flows``;
   the cold (first) flows request for a filter is reported apart, because flows are
   computed once per filter and cached until the next write.
3. A request mix as dashboards ask it (events pages, timeline, flows, the map's pairs,
   stories, stats...), each request asked once so that both runs below meet the same
   caches; then p50/p95/p99 per endpoint of the mix sequentially, one request at a time,
   and under load: many concurrent clients on loopback for a bounded time, with
   requests/s and errors (non-2xx or transport errors). The concurrency efficiency is
   load requests/s ÷ (cores ÷ sequential mean latency), both from this run: 1.0 means
   every core busy with requests that cost what they cost alone. The server's CPU a
   request is measured in both runs too: on a shared machine the server may obtain less
   than the cores, which caps the efficiency, while a request that costs more CPU under
   load than alone is the server's own doing.
4. The mix's requests are asked again and again, so they meet whatever the server keeps;
   a last load run asks events pages that nobody asked before, each once, with the same
   efficiency against the filtered page's sequential mean of step 2.
The measured requests go through :class:`Connection`, a few lines of HTTP/1.1 over asyncio
streams, in both runs: the clients share the server's cores, and httpx spent ~2.3 ms of
CPU a request under load (measured 2026-12-04), more than a cached answer costs the server.
Prints figures; asserts nothing about time.
"""
from __future__ import annotations

import argparse
import asyncio
import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

import httpx
import psutil

from aidtrace.api.server import free_port
from aidtrace.config import Settings
from aidtrace.models import ITEM_CLASSES
from aidtrace.store import Store
from aidtrace.stories import fingerprint

DONORS = ["CHN", "USA", "RUS", "EU", "JPN", "DEU", "GBR", "FRA", "TUR", "ARE", "KOR", "IND", "WHO", "UN",
          "CAN", "AUS", "ITA", "ESP", "NLD", "SWE", "NOR", "CHE", "QAT", "SAU", "CUB", "BRA", "WORLD_BANK", "IMF"]
RECIPIENTS = ["ITA", "SRB", "IRN", "ESP", "USA", "PAK", "ETH", "NGA", "KEN", "ZAF", "BRA", "PER", "VEN", "PHL",
              "IDN", "KHM", "LAO", "MMR", "NPL", "BGD", "AFG", "IRQ", "SYR", "LBN", "JOR", "EGY", "TUN", "DZA",
              "MAR", "SEN", "GHA", "CMR", "COD", "AGO", "ZWE", "MOZ", "UKR", "BLR", "MDA", "GEO", "ARM", "KAZ",
              "UZB", "MNG", "VNM", "THA", "MYS", "LKA", "HTI", "CUB", "MEX", "COL", "ECU", "BOL", "ARG", "CHL",
              "FRA", "GRC", "POL", "HUN", "CZE", "BIH", "MKD", "ALB", "MNE", "KOS", "SOM", "SDN", "YEM", "PSE"]
TYPES = ["AID"] * 40 + ["TRADE"] * 8 + ["AGREE"] * 10 + ["CONSULT"] * 15 + ["SUPPORT"] * 12 + \
        ["COOPERATE"] * 5 + ["REQUEST"] * 4 + ["REJECT"] * 1 + ["ACCUSE"] * 3 + ["THREATEN"] * 1 + ["SANCTION"] * 1
STATUSES = ["delivered", "shipped", "pledged", "unknown"]
UNITS = {"masks": "pieces", "ppe": "pieces", "ventilators": "pieces", "test_kits": "pieces", "vaccines": "doses",
         "medicines": "tons", "medical_supplies": "tons", "food": "tons", "shelter": "sets", "water": "tons",
         "personnel": "people", "equipment": "sets", "other": "tons"}


def sql_list(values: list[str]) -> str:
    return "[" + ", ".join(f"'{v}'" for v in values) + "]"  # constants of this file, not input


def build(path: Path, n: int) -> float:
    """Fill a new aidtrace database with ``n`` synthetic events; returns seconds taken."""
    started = time.perf_counter()
    units = "MAP {" + ", ".join(f"'{k}': '{v}'" for k, v in UNITS.items()) + "}"
    with Store(path) as store:
        con = store.con
        articles = max(1, n // 5)
        con.execute(f"""
            INSERT INTO articles (id, url, title, published, outlet, lang, text, content_hash)
            SELECT 'a' || i, 'https://example.org/news/' || i, 'Synthetic report ' || i,
                   DATE '2020-01-01' + CAST(i % 730 AS INTEGER),
                   ['Xinhua', 'Reuters', 'AP', 'ANSA', 'TASS', 'BBC', 'Al Jazeera', 'AFP'][1 + i % 8], 'en',
                   'Synthetic report ' || i || '.', md5('a' || i)
            FROM range({articles}) t(i)""")
        # u1..u4: independent uniforms from one hash per row; squares skew the actors
        con.execute(f"""
            CREATE TEMP TABLE draws AS
            SELECT i, hash(i) AS h,
                   (hash(i * 7 + 1) % 1000000) / 1000000.0 AS u1, (hash(i * 7 + 2) % 1000000) / 1000000.0 AS u2,
                   (hash(i * 7 + 3) % 1000000) / 1000000.0 AS u3, (hash(i * 7 + 4) % 1000000) / 1000000.0 AS u4
            FROM range({n}) t(i)""")
        con.execute(f"""
            CREATE TEMP TABLE synth AS
            SELECT i, 'e' || i AS id, 'a' || (i // 5) AS article_id,
                   {sql_list(TYPES)}[1 + CAST(h % {len(TYPES)} AS INTEGER)] AS type,
                   {sql_list(DONORS)}[1 + CAST(floor(u1 * u1 * {len(DONORS)}) AS INTEGER)] AS source,
                   {sql_list(RECIPIENTS)}[1 + CAST(floor(u2 * u2 * {len(RECIPIENTS)}) AS INTEGER)] AS target,
                   {sql_list(list(ITEM_CLASSES))}[1 + CAST(floor(u3 * u3 * {len(ITEM_CLASSES)}) AS INTEGER)]
                       AS item_class,
                   {sql_list(STATUSES)}[1 + CAST((h >> 8) % 4 AS INTEGER)] AS status,
                   (h >> 16) % 100 < 4 AS cumulative,
                   DATE '2020-01-01' + CAST(floor(u4 * 730) AS INTEGER) AS day,
                   (h >> 24) % 10 = 0 AS month_only,
                   1 + (h >> 32) % 500 AS qty
            FROM draws""")
        con.execute(f"""
            INSERT INTO events (id, article_id, type, mode, cameo, source_code, source_sector, source_text,
                target_code, target_sector, target_text, target_count, target_count_qualifier,
                value_amount, value_currency, value_usd, status, transfer_mode, granularity, date,
                date_precision, date_text, factuality, sentence_index, sentence_start, sentence_end,
                sentence, trigger, trigger_start, trigger_end, confidence, extractor)
            SELECT id, article_id, type, CASE WHEN item_class = 'money' THEN 'money' ELSE 'goods' END, '073',
                   source, 'GOV', source, CASE WHEN cumulative THEN NULL ELSE target END, 'GOV',
                   CASE WHEN cumulative THEN NULL ELSE target END,
                   CASE WHEN cumulative THEN 100 END, CASE WHEN cumulative THEN 'at_least' END,
                   CASE WHEN item_class = 'money' THEN qty * 100000 END,
                   CASE WHEN item_class = 'money' THEN 'USD' END,
                   CASE WHEN item_class = 'money' THEN qty * 100000 END,
                   CASE WHEN type IN ('AID', 'TRADE') THEN status ELSE 'unknown' END,
                   CASE WHEN type = 'AID' THEN 'donation' WHEN type = 'TRADE' THEN 'sale' ELSE 'unknown' END,
                   CASE WHEN cumulative THEN 'cumulative' ELSE 'single' END,
                   CASE WHEN month_only THEN strftime(day, '%Y-%m') ELSE strftime(day, '%Y-%m-%d') END,
                   CASE WHEN month_only THEN 'month' ELSE 'day' END, strftime(day, '%B %d'), 'asserted',
                   i % 5, 0, 80,
                   source || ' delivered ' || qty || ' ' || item_class || ' to ' || target || ' on ' ||
                       strftime(day, '%B %d') || ', officials said.',
                   'delivered', length(source) + 1, length(source) + 10, 0.8, 'synthetic'
            FROM synth""")
        con.execute(f"""
            INSERT INTO event_items
            SELECT id, 0, item_class, item_class,
                   CASE WHEN item_class = 'money' THEN NULL ELSE qty * 1000 END,
                   CASE WHEN item_class = 'money' THEN NULL ELSE {units}[item_class] END, NULL
            FROM synth WHERE type IN ('AID', 'TRADE')""")
        # one story per event, with the figure it displays: what aidtrace.stories would write
        con.execute("""
            INSERT INTO stories
            SELECT 's' || e.id, 's' || e.id, e.type, e.mode, e.source_code, e.target_code, e.target_count, NULL,
                   e.status, CASE WHEN e.type IN ('AID', 'TRADE') THEN
                       CASE WHEN e.status = 'pledged' THEN 'pledge' ELSE 'transfer' END END,
                   e.granularity, 'asserted',
                   (SELECT list(i.item_class) FROM event_items i WHERE i.event_id = e.id),
                   e.date, e.date_precision, e.date, e.date, a.published, a.published, 1, 1, 1, 1, 0, false, '', 0
            FROM events e JOIN articles a ON a.id = e.article_id""")
        con.execute("INSERT INTO story_events SELECT 's' || id, id, article_id, article_id FROM events")
        con.execute("""
            INSERT INTO story_display
            SELECT 's' || e.id, 'quantity', i.item_class, i.unit, NULL, i.quantity, i.quantity, NULL, NULL,
                   'media', e.id, false
            FROM events e JOIN event_items i ON i.event_id = e.id
            WHERE e.type = 'AID' AND i.quantity IS NOT NULL
            UNION ALL
            SELECT 's' || id, 'value', NULL, NULL, value_currency, value_amount, value_amount, value_usd,
                   value_usd, 'media', id, false
            FROM events WHERE type = 'AID' AND value_amount IS NOT NULL""")
        con.execute("INSERT INTO story_meta VALUES (?, ?, now())",
                    [fingerprint(store), Settings().story_window_days])
        con.execute("CHECKPOINT")
    return time.perf_counter() - started


def percentile(ms: list[float], p: float) -> float:
    """Nearest rank of sorted ``ms``."""
    return ms[min(len(ms) - 1, int(round(p * (len(ms) - 1))))]


def percentiles(samples: list[float]) -> str:
    ms = sorted(s * 1000 for s in samples)
    return (f"p50 {statistics.median(ms):7.1f}  p95 {percentile(ms, 0.95):7.1f}  p99 {percentile(ms, 0.99):7.1f}"
            f"  mean {statistics.fmean(ms):7.1f} ms  (n={len(ms)})")


def event_filter(rng: random.Random) -> dict[str, str]:
    """Filters as an analyst would set them: a type, a donor or a recipient, an item, a period."""
    q = {"type": rng.choice(["AID", "AID", "TRADE", "CONSULT"]), "since": f"2020-{rng.randint(1, 12):02d}"}
    side = rng.choice(["source", "target"])
    q[side] = rng.choice(DONORS[:8] if side == "source" else RECIPIENTS[:8])
    if rng.random() < 0.5:
        q["item_class"] = rng.choice(["masks", "vaccines", "food", "ventilators"])
    return q


def event_queries(rng: random.Random, k: int) -> list[dict[str, str]]:
    """Filtered pages: a filter, a page and a sort."""
    return [{**event_filter(rng), "page": str(rng.randint(1, 5)), "size": "50",
             "sort": rng.choice(["date", "published"]), "order": rng.choice(["asc", "desc"])} for _ in range(k)]


Request = tuple[str, dict[str, str]]


def request_mix(rng: random.Random, k: int = 24) -> list[Request]:
    """What dashboards and scripts ask, in proportion: per filter a dashboard refresh asks for
    an events page, the timeline, a flows page and the map's pairs; beside it story pages,
    an event, the actors and the stats. ``k`` filters fit the server's flows caches (32 per
    kind), so that the runs measure serving, not recomputing evicted flows."""
    out: list[Request] = []
    for _ in range(k):
        f = event_filter(rng)
        flow_filter = {key: f[key] for key in ("source", "target", "item_class") if key in f}
        out += [("/api/events", {**f, "page": str(rng.randint(1, 5)), "size": "50",
                                 "sort": rng.choice(["date", "published"]), "order": rng.choice(["asc", "desc"])}),
                ("/api/timeline", f), ("/api/flows", flow_filter), ("/api/flows/pairs", flow_filter),
                ("/api/stories", {**{key: f[key] for key in ("type", "source", "target") if key in f},
                                  "page": str(rng.randint(1, 3))}),
                ("/api/stories", {"status": rng.choice(STATUSES)})]
    return out + [("/api/flows", {}), ("/api/flows/pairs", {}), ("/api/timeline", {}), ("/api/stats", {}),
                  ("/api/events/e0", {}), ("/api/actors", {})]


def wait_until_up(client: httpx.Client, server: subprocess.Popen[bytes], timeout: float = 600) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            client.get("/api/stats", timeout=5).raise_for_status()
            return
        except httpx.TransportError:
            if server.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"aidtrace serve did not start (exit code {server.poll()})") from None
            time.sleep(0.2)


def timed(client: httpx.Client, path: str, params: dict[str, str] | None = None) -> float:
    t0 = time.perf_counter()
    response = client.get(path, params=params)
    elapsed = time.perf_counter() - t0
    response.raise_for_status()
    return elapsed


class Connection:
    """One keep-alive HTTP/1.1 connection to the server, its requests written by hand.

    ``get`` reads the whole answer (Content-Length or chunked) and returns its status; a
    transport error raises and the next request opens a new connection.
    """

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.streams: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None

    async def get(self, target: str) -> int:
        if self.streams is None:
            self.streams = await asyncio.open_connection(self.host, self.port)
        reader, writer = self.streams
        try:
            writer.write(f"GET {target} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n\r\n".encode())
            head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").lower().split("\r\n")
            status = int(head[0].split()[1])
            headers = {k.strip(): v.strip() for k, v in (line.split(":", 1) for line in head[1:] if ":" in line)}
            if "content-length" in headers:
                await reader.readexactly(int(headers["content-length"]))
            elif "chunked" in headers.get("transfer-encoding", ""):
                while size := int((await reader.readuntil(b"\r\n")).split(b";")[0], 16):
                    await reader.readexactly(size + 2)
                await reader.readuntil(b"\r\n")
            if "close" in headers.get("connection", ""):
                self.close()
            return status
        except TRANSPORT_ERRORS:
            self.close()
            raise

    def close(self) -> None:
        if self.streams is not None:
            self.streams[1].close()
            self.streams = None


TRANSPORT_ERRORS = (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError)


def target(path: str, params: dict[str, str] | None = None) -> str:
    return f"{path}?{urlencode(params)}" if params else path


def one_at_a_time(port: int, requests: list[Request]) -> list[float]:
    """Each request on one keep-alive connection, one after the other: their latencies."""
    async def run() -> list[float]:
        connection = Connection("127.0.0.1", port)
        out = []
        try:
            for path, params in requests:
                t0 = time.perf_counter()
                status = await connection.get(target(path, params))
                out.append(time.perf_counter() - t0)
                if status >= 400:
                    raise SystemExit(f"{target(path, params)} answered {status}")
        finally:
            connection.close()
        return out

    return asyncio.run(run())


async def load(port: int, mix: list[Request], *, clients: int,
               seconds: float) -> tuple[int, int, float, dict[str, list[float]]]:
    """``clients`` concurrent clients for ``seconds``: (requests, errors, elapsed, latencies by path)."""
    deadline = time.perf_counter() + seconds
    done = errors = 0
    latencies: dict[str, list[float]] = {}
    targets = [(path, target(path, params)) for path, params in mix]

    async def client_loop(seed: int) -> None:
        nonlocal done, errors
        local = random.Random(seed)
        connection = Connection("127.0.0.1", port)
        while time.perf_counter() < deadline:
            path, where = local.choice(targets)
            t0 = time.perf_counter()
            try:
                if await connection.get(where) >= 400:
                    errors += 1
            except TRANSPORT_ERRORS:
                errors += 1
            latencies.setdefault(path, []).append(time.perf_counter() - t0)
            done += 1
        connection.close()

    started = time.perf_counter()
    await asyncio.gather(*(client_loop(i) for i in range(clients)))
    return done, errors, time.perf_counter() - started, latencies


async def load_once(port: int, requests: list[Request], *, clients: int,
                    seconds: float) -> tuple[int, int, float, list[float]]:
    """``clients`` concurrent clients for ``seconds``, each request of ``requests`` asked at
    most once: (requests, errors, elapsed, latencies)."""
    deadline = time.perf_counter() + seconds
    done = errors = 0
    latencies: list[float] = []
    queue = iter([target(path, params) for path, params in requests])

    async def client_loop() -> None:
        nonlocal done, errors
        connection = Connection("127.0.0.1", port)
        for where in queue:
            if time.perf_counter() >= deadline:
                break
            t0 = time.perf_counter()
            try:
                if await connection.get(where) >= 400:
                    errors += 1
            except TRANSPORT_ERRORS:
                errors += 1
            latencies.append(time.perf_counter() - t0)
            done += 1
        connection.close()

    started = time.perf_counter()
    await asyncio.gather(*(client_loop() for _ in range(clients)))
    return done, errors, time.perf_counter() - started, latencies


def sequential(port: int, mix: list[Request], n: int, rng: random.Random) -> dict[str, list[float]]:
    """``n`` requests drawn from the mix, one at a time: latencies by path."""
    drawn = [rng.choice(mix) for _ in range(n)]
    out: dict[str, list[float]] = {}
    for (path, _), elapsed in zip(drawn, one_at_a_time(port, drawn)):
        out.setdefault(path, []).append(elapsed)
    return out


def report(title: str, latencies: dict[str, list[float]]) -> None:
    print(title)
    for name, samples in sorted(latencies.items()):
        print(f"  {name:18s} {percentiles(samples)}")
    print(f"  {'all':18s} {percentiles([x for samples in latencies.values() for x in samples])}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=1_000_000, help="synthetic events (default 1,000,000)")
    parser.add_argument("--samples", type=int, default=200, help="sequential requests per latency figure")
    parser.add_argument("--clients", type=int, default=32, help="concurrent clients in the load run")
    parser.add_argument("--load-seconds", type=float, default=20.0, help="length of the load run")
    parser.add_argument("--workers", type=int, default=psutil.cpu_count() or 1,
                        help="server processes, `aidtrace serve --workers` (default: the cores)")
    parser.add_argument("--db", help="keep the database here (default: a temporary folder)")
    parser.add_argument("--reuse", action="store_true", help="serve the --db file as it is, without rebuilding")
    args = parser.parse_args(argv)
    rng = random.Random(7)

    folder = tempfile.TemporaryDirectory(prefix="aidtrace-bench-")
    path = Path(args.db) if args.db else Path(folder.name) / "bench.duckdb"
    if args.reuse and path.exists():
        print(f"reusing {path} ({path.stat().st_size / 1e6:,.0f} MB)")
    else:
        if path.exists():
            path.unlink()
        seconds = build(path, args.events)
        print(f"built {args.events:,} events in {seconds:.1f} s ({path.stat().st_size / 1e6:,.0f} MB): {path}")

    port = free_port()
    env = {k: v for k, v in os.environ.items() if k != "AIDTRACE_TOKEN"}  # read-only, as deployed
    command = [str(Path(sys.executable).with_name("aidtrace")), "serve", "--db", str(path), "--port", str(port)]
    command += ["--workers", str(args.workers)] if args.workers > 1 else []  # older servers have no --workers
    started = time.perf_counter()
    server = subprocess.Popen(command, env=env, stderr=subprocess.DEVNULL)  # the real `aidtrace serve`
    url = f"http://127.0.0.1:{port}"
    try:
        with httpx.Client(base_url=url, timeout=600) as client:
            wait_until_up(client, server)
            print(f"serve: answering after {time.perf_counter() - started:.1f} s")
            timed(client, "/api/flows")  # waits for the start-up warm-up if it is still running
            print(f"serve: unfiltered flows ready (warm-up) after {time.perf_counter() - started:.1f} s")
            cold = timed(client, "/api/flows", {"source": "USA"})
            print(f"/api/flows?source=USA cold (computed, then cached): {cold * 1000:,.0f} ms")

            queries = event_queries(rng, args.samples)
            one_at_a_time(port, [("/api/events", queries[0])])
            pages = one_at_a_time(port, [("/api/events", q) for q in queries])
            print(f"/api/events filtered page:   {percentiles(pages)}")
            flows = one_at_a_time(port, [("/api/flows", {})] * args.samples)
            print(f"/api/flows (cached):         {percentiles(flows)}")
            body = client.get("/api/flows").json()
            print(f"  flows: {body['total']:,} rows, {body['excluded_total']:,} AID events excluded")

            mix = request_mix(rng)
            started = time.perf_counter()
            # every cache the load run will meet, filled first in every server process: a new
            # connection goes to whichever process accepts it first, so each request is asked
            # on new connections often enough to reach all of them
            passes = 1 if args.workers == 1 else 4 * args.workers
            with httpx.Client(base_url=url, timeout=600, limits=httpx.Limits(max_keepalive_connections=0)) as fresh:
                for _ in range(passes):
                    for path, params in mix:
                        timed(fresh, path, params)
            print(f"mix: {len(mix)} distinct requests, each asked {passes} times first (caches filled) in "
                  f"{time.perf_counter() - started:.1f} s")

        served = psutil.Process(server.pid)
        processes = [served, *served.children(recursive=True)]  # the worker processes

        def server_cpu() -> float:
            return sum(sum(p.cpu_times()[:2]) for p in processes)

        before = server_cpu()
        alone = sequential(port, mix, args.samples * 5, rng)
        cpu_alone = (server_cpu() - before) / (args.samples * 5)
        report(f"sequential, {args.samples * 5} requests of the mix, one at a time:", alone)

        before, own = server_cpu(), psutil.Process().cpu_times()
        each = [sum(p.cpu_times()[:2]) for p in processes]
        done, errors, elapsed, latencies = asyncio.run(load(port, mix, clients=args.clients,
                                                            seconds=args.load_seconds))
        rate = done / elapsed
        cpu, own_after = server_cpu() - before, psutil.Process().cpu_times()
        clients_cpu = own_after.user + own_after.system - own.user - own.system
        report(f"load: {args.clients} clients for {elapsed:.1f} s: {done:,} requests, {rate:,.1f} req/s, "
               f"{errors} errors", latencies)
        mean_alone = statistics.fmean(x for samples in alone.values() for x in samples)
        mean_load = statistics.fmean(x for samples in latencies.values() for x in samples)
        cores = psutil.cpu_count() or 1
        print(f"concurrency efficiency: {rate:,.1f} req/s / ({cores} cores / {mean_alone * 1000:.1f} ms sequential "
              f"mean) = {rate * mean_alone / cores:.2f}")
        worst = max(percentile(sorted(samples), 0.99) for samples in latencies.values())
        print(f"starvation: worst endpoint p99 under load {worst * 1000:,.0f} ms = "
              f"{worst / mean_load:.1f} x the mean under load ({mean_load * 1000:,.0f} ms)")
        print(f"server CPU a request: {cpu_alone * 1000:.2f} ms alone, {cpu / done * 1000:.2f} ms under load; "
              f"under load the server obtained {cpu / elapsed:.2f} cores, the clients {clients_cpu / elapsed:.2f}"
              f" ({clients_cpu / done * 1000:.2f} ms a request); load average {os.getloadavg()[0]:.1f}")
        split = [sum(p.cpu_times()[:2]) - b for p, b in zip(processes, each)]
        print("  per server process under load: " + ", ".join(f"{c / elapsed:.2f}" for c in split if c > 0.05 * elapsed)
              + " cores (a process that gets most of the connections leaves the others idle)")

        # the same under load for pages nobody asked before: no kept answer, the page found anew
        fresh = [("/api/events", q) for q in event_queries(random.Random(99), 50_000)]
        mean_fresh = statistics.fmean(pages)
        before = server_cpu()
        done, errors, elapsed, latencies = asyncio.run(load_once(port, fresh, clients=args.clients,
                                                                 seconds=args.load_seconds / 2))
        rate, cpu = done / elapsed, server_cpu() - before
        under = sorted(latencies)
        print(f"new events pages under load: {args.clients} clients for {elapsed:.1f} s, each page asked once: "
              f"{done:,} requests, {rate:,.1f} req/s, {errors} errors; {percentiles(under)}")
        print(f"  efficiency against the filtered page's sequential mean ({mean_fresh * 1000:.1f} ms): "
              f"{rate * mean_fresh / cores:.2f}; p99 / mean under load {percentile(under, 0.99) / statistics.fmean(under):.1f};"
              f" server CPU {cpu / done * 1000:.1f} ms a page, {cpu / elapsed:.2f} cores")
        print(f"server RSS at the end: {sum(p.memory_info().rss for p in processes) / 1e6:,.0f} MB"
              f" in {len(processes)} processes")
    finally:
        server.send_signal(signal.SIGINT)
        server.wait(timeout=60)
        folder.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
