"""Benchmark — incremental ingest into a big store (issue 13), and store-only scaling.

    python benchmarks/bench_incremental.py                                  # 0, 100k, 1M stored
    python benchmarks/bench_incremental.py --sizes 0,2000 --articles 20 --scaling-articles 100

For each size N a store of N synthetic store-only articles is built directly in DuckDB
(one INSERT ... SELECT over ``range(N)``, not through ingest, so that a million takes a
minute): short placeholder texts (~300 characters of hex words), and for each article
seven dedup keys, as ``aidtrace.ingest.fingerprint`` gives an original (id, content hash,
URL, one per LSH band), drawn as random 64-bit values — which is what the real keys of
unrelated articles are. Nothing in the dedup path reads a stored text unless an LSH key
matches, so the placeholder texts only make the file smaller than a real one.

Then, measured in this same run for every size:

- **start-up**: in a fresh process, open the store and the dedup index
  (``DedupIndex.open``) and judge the first 200 incoming articles (one ``prefetch``, the
  first queries on a cold index) — what an ingest does before its first write — with that
  process's peak RSS;
- **ingest with extraction** of the same 500 news articles (``gen_corpus.py --kind news``)
  by ``run_ingest`` on 2 worker processes, warmed up once (spaCy loaded) for all sizes:
  wall time, and the writer's (main process's) CPU per article: reading, the duplicate
  decision, and loading shards; the ratio of each size's time to the empty store's (the
  empty store is ingested first and last, and its mean is the reference: this shared
  machine's speed drifts);
- **store-only scaling**: ``run_ingest(extract=False)`` (``--no-extract --workers N``) of
  ``--scaling-articles`` news articles into an empty store with 1 and 2 workers, in 1-2-2-1
  order, and the single-process ``ingest()`` for reference.

Prints figures and a last ``RESULT {json}`` line; asserts nothing about time.
"""
from __future__ import annotations

import argparse
import multiprocessing
import resource
import time
from itertools import islice
from pathlib import Path
from typing import Any

from common import print_machine, result, timed, workdir
from gen_corpus import write_corpus

from aidtrace.config import Settings
from aidtrace.ingest import ingest, iter_inputs
from aidtrace.ingest.dedup import STORE_ONLY, DedupIndex
from aidtrace.ingest.fingerprint import Fingerprinted, layout_for, prepare
from aidtrace.ingest.language import detector
from aidtrace.runner import ProcessExecutor, run_ingest
from aidtrace.store import Store

STARTUP_BATCH = 200
KEYS_PER_ARTICLE = 3 + layout_for(Settings().near_duplicate_threshold).bands


def build_store(path: Path, n: int, settings: Settings) -> float:
    """A store of ``n`` synthetic store-only articles and their dedup keys; seconds taken."""
    started = time.perf_counter()
    with Store(path) as store:
        layout = layout_for(settings.near_duplicate_threshold)
        con = store.con
        con.execute("INSERT INTO dedup_layout VALUES (?, ?)", [layout.bands, layout.rows])
        if n:
            run_id = store.start_run("synthetic store", STORE_ONLY, settings.hash())
            con.execute("DROP INDEX dedup_keys_key")  # a bulk load builds the index once, after
            con.execute(
                "INSERT INTO articles (id, url, title, published, outlet, lang, source, text,"
                " content_hash, run_id)"
                " SELECT id, 'https://synthetic.example/' || i, 'Synthetic ' || i,"
                " DATE '2020-01-01' + (i % 1500)::INTEGER, 'outlet' || (i % 50), 'en', 'synthetic',"
                " text, sha1(text), ? FROM (SELECT i, printf('syn%013d', i) AS id,"
                " 'Stored article ' || i || '. ' || concat_ws(' ', md5(i::VARCHAR), md5((i + 1)::VARCHAR),"
                " md5((i + 2)::VARCHAR), md5((i + 3)::VARCHAR), md5((i + 4)::VARCHAR),"
                " md5((i + 5)::VARCHAR), md5((i + 6)::VARCHAR), md5((i + 7)::VARCHAR)) AS text"
                " FROM range(?) t(i))", [run_id, n])
            con.execute("INSERT INTO dedup_keys SELECT (hash(i, k) >> 1)::BIGINT, printf('syn%013d', i)"
                        " FROM range(?) t(i), range(?) r(k)", [n, KEYS_PER_ARTICLE])
            con.execute("CREATE INDEX dedup_keys_key ON dedup_keys(key)")
            store.finish_run(run_id, {"stored": n})
        con.execute("CHECKPOINT")
    return time.perf_counter() - started


def incoming(corpus: Path, threshold: float) -> list[Fingerprinted]:
    """The first batch of the incoming articles as the workers hand them to the writer."""
    reads = iter_inputs([str(corpus)], Settings(near_duplicate_threshold=threshold), screen=False)
    return [p for p in prepare(list(islice(reads, STARTUP_BATCH)), layout_for(threshold))
            if isinstance(p, Fingerprinted)]


def startup(db: str, items: list[Fingerprinted], threshold: float) -> dict[str, float]:
    """Run in a fresh process: open the store and the dedup index, judge the first batch;
    the process's peak RSS is that of the start-up (and the imports)."""
    started = time.perf_counter()
    with timed() as t:
        store = Store(db)
        index = DedupIndex.open(store, threshold)
        opened = time.perf_counter() - started
        index.prefetch(items)
        verdicts = [index.check(fp, extracting=True) for fp in items]
    store.close()
    return {"seconds": t.wall, "cpu": t.cpu, "open_seconds": opened, "judged": len(verdicts),
            "peak_rss_mb": peak_rss_mb()}


def peak_rss_mb() -> float:
    """This process's peak RSS. VmHWM, not ru_maxrss: on Linux ru_maxrss of a spawned child
    keeps the peak of the parent image it was forked from (the kernel carries it over exec)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def in_fresh_process(fn: Any, *args: Any) -> Any:
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        return pool.apply(fn, args)


def warm_prepare() -> bool:
    """Run in each worker: load the language detector now, outside the timings."""
    detector()
    time.sleep(0.5)  # hold this worker so that the next warm-up task goes to another
    return True


def warm(executor: ProcessExecutor, workers: int) -> None:
    for f in [executor.submit(warm_prepare) for _ in range(workers)]:
        f.result()


def fresh(path: Path) -> Path:
    for stale in (path, path.with_name(path.name + ".wal")):
        stale.unlink(missing_ok=True)
    return path


def incremental(sizes: list[int], corpus: Path, work: Path, settings: Settings, articles: int) -> list[dict[str, Any]]:
    from aidtrace.pipeline import Pipeline

    rows = []
    dbs = {}
    for n in sizes:
        dbs[n] = work / f"stored-{n}.duckdb"
        seconds = build_store(dbs[n], n, settings)
        mb_on_disk = dbs[n].stat().st_size / 2**20
        print(f"built a store of {n:>9,} synthetic articles in {seconds:6.1f} s ({mb_on_disk:,.0f} MB)", flush=True)
    executor = ProcessExecutor(2, settings, Pipeline)
    try:
        from bench_scaling import warm as warm_pipeline
        for f in [executor.submit(warm_pipeline, settings) for _ in range(2)]:
            f.result()
        warm_corpus = work / "warm-up.jsonl"
        write_corpus(warm_corpus, 10, kind="news", seed=99)
        with Store(work / "warm-up.duckdb") as store:  # the writer's own first-use costs, untimed
            run_ingest([str(warm_corpus)], store=store, settings=settings, executor=executor,
                       factory=Pipeline, progress=False)
        first = incoming(corpus, settings.near_duplicate_threshold)
        order = sizes + ([0] if 0 in sizes else [])
        for i, n in enumerate(order):
            db = dbs[n]
            if i and n == 0:
                db = fresh(work / "stored-0-again.duckdb")
                build_store(db, 0, settings)
            start = in_fresh_process(startup, str(db), first, settings.near_duplicate_threshold)
            with Store(db) as store, timed() as t:
                summary = run_ingest([str(corpus)], store=store, settings=settings, executor=executor,
                                     factory=Pipeline, progress=False)
            row = {"stored_before": n, "startup_s": round(start["seconds"], 3),
                   "startup_open_s": round(start["open_seconds"], 3),
                   "startup_peak_rss_mb": round(start["peak_rss_mb"]), "ingest_s": round(t.wall, 2),
                   "writer_cpu_ms_per_article": round(t.cpu / articles * 1000, 3),
                   "stored": summary.stored, "duplicates": summary.duplicates}
            rows.append(row)
            print(f"{n:>9,} stored: start-up {row['startup_s']:.3f} s (open {row['startup_open_s']:.3f} s, "
                  f"peak RSS {row['startup_peak_rss_mb']} MB); ingest of {articles} with extraction "
                  f"{row['ingest_s']:.1f} s, writer CPU {row['writer_cpu_ms_per_article']:.3f} ms/article "
                  f"({summary.line()})", flush=True)
    finally:
        executor.close()
    empty = [r["ingest_s"] for r in rows if r["stored_before"] == 0]
    reference = sum(empty) / len(empty)
    for r in rows:
        r["ratio_to_empty"] = round(r["ingest_s"] / reference, 3)
    print("end-to-end time ÷ empty store (mean of the first and last empty runs, "
          f"{reference:.1f} s): " + ", ".join(f"{r['stored_before']:,}: {r['ratio_to_empty']:.3f}" for r in rows))
    return rows


def scaling(corpus: Path, work: Path, settings: Settings, articles: int) -> dict[str, Any]:
    executors = {n: ProcessExecutor(n, settings, None) for n in (1, 2)}
    seconds = {1: 0.0, 2: 0.0}
    writer_cpu = {1: 0.0, 2: 0.0}
    try:
        for n, executor in executors.items():
            warm(executor, n)
        for i, n in enumerate((1, 2, 2, 1)):
            with Store(fresh(work / f"scale-{i}.duckdb")) as store, timed() as t:
                summary = run_ingest([str(corpus)], store=store, settings=settings, executor=executors[n],
                                     extract=False, progress=False)
            seconds[n] += t.wall
            writer_cpu[n] += t.cpu
            print(f"  store-only, {n} worker(s): {t.wall:6.2f} s, {articles / t.wall:7.1f} articles/s, "
                  f"writer CPU {t.cpu / articles * 1000:.2f} ms/article ({summary.line()})", flush=True)
    finally:
        for executor in executors.values():
            executor.close()
    detector()
    with Store(fresh(work / "scale-single.duckdb")) as store, timed() as t:
        ingest([str(corpus)], store=store, pipeline=None, settings=settings, progress=False)
    print(f"  store-only, single process (reference): {t.wall:6.2f} s, {articles / t.wall:7.1f} articles/s, "
          f"CPU {t.cpu / articles * 1000:.2f} ms/article", flush=True)
    speedup = seconds[1] / seconds[2]
    print(f"store-only throughput, 2 workers ÷ 1 worker (1-2-2-1): {speedup:.2f}")
    return {"articles": articles, "seconds_1": round(seconds[1] / 2, 2), "seconds_2": round(seconds[2] / 2, 2),
            "speedup_2": round(speedup, 3), "single_process_s": round(t.wall, 2),
            "writer_cpu_ms_per_article_1": round(writer_cpu[1] / 2 / articles * 1000, 3),
            "writer_cpu_ms_per_article_2": round(writer_cpu[2] / 2 / articles * 1000, 3)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", default="0,100000,1000000", help="stored articles, comma-separated")
    ap.add_argument("--articles", type=int, default=500, help="articles ingested with extraction")
    ap.add_argument("--scaling-articles", type=int, default=3000, help="articles of the store-only runs")
    args = ap.parse_args()
    sizes = sorted({int(s) for s in args.sizes.split(",")} | {0})
    machine = print_machine()
    work = workdir()
    settings = Settings()
    corpus = work / "incoming.jsonl"
    write_corpus(corpus, args.articles, kind="news", seed=13)
    scale_corpus = work / "store-only.jsonl"
    write_corpus(scale_corpus, args.scaling_articles, kind="news", seed=14)
    rows = incremental(sizes, corpus, work, settings, args.articles)
    scale = scaling(scale_corpus, work, settings, args.scaling_articles)
    result("incremental", {"machine": machine, "articles": args.articles, "sizes": rows, "scaling": scale})


if __name__ == "__main__":
    main()
