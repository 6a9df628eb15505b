"""Benchmark 3 — memory: peak RSS of a parallel ingest, small corpus vs a 20x larger one.

    python benchmarks/bench_memory.py --size 1000,20000     # about ten minutes on 2 cores
    python benchmarks/bench_memory.py --size 30,120         # smoke size

For each size a corpus of small generated articles (2-4 sentences) is ingested by
``run_ingest`` with 2 worker processes, in a fresh child process so that every size
starts from nothing. The parent samples the RSS of the child and all its descendants
(psutil, every 0.2 s) and reports the peaks: the whole tree, and the writer (main)
process alone. Streaming means the largest size should peak within 10% of the smallest.
What does grow is printed too: the writer's RSS slope in bytes per article (the dedup
index keeps one small entry per stored article), projected to a million articles.
"""
from __future__ import annotations

import argparse
import subprocess
import sys
import time

from common import PeakRSS, mb, print_machine, result, workdir
from gen_corpus import write_corpus


def child(db: str, corpus: str, workers: int) -> None:
    from aidtrace.config import Settings
    from aidtrace.runner import open_executor, run_ingest
    from aidtrace.store import Store

    settings = Settings(db=db)
    with Store(db) as store, open_executor(settings=settings, workers=workers) as executor:
        summary = run_ingest([corpus], store=store, settings=settings, executor=executor, progress=False)
    print(summary.line(), flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--size", default="1000,20000", help="comma-separated article counts")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--child", nargs=2, metavar=("DB", "CORPUS"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(args.child[0], args.child[1], args.workers)
        return
    m = print_machine()
    sizes = [int(s) for s in args.size.split(",")]
    work = workdir()
    rows = []
    for n in sizes:
        corpus = work / f"small-{n}.jsonl"
        stats = write_corpus(corpus, n, kind="small", seed=3)
        db = work / f"mem-{n}.duckdb"
        started = time.perf_counter()
        proc = subprocess.Popen([sys.executable, __file__, "--workers", str(args.workers),
                                 "--child", str(db), str(corpus)], stdout=subprocess.PIPE, text=True)
        with PeakRSS(proc.pid) as peak:
            out, _ = proc.communicate()
        seconds = time.perf_counter() - started
        if proc.returncode != 0:
            raise SystemExit(f"ingest of {n} articles failed (exit {proc.returncode})")
        row = {"articles": n, "words": stats["words"], "seconds": round(seconds, 1),
               "peak_rss_total_mb": mb(peak.total), "peak_rss_writer_mb": mb(peak.own),
               "samples": peak.samples, "summary": out.strip()}
        rows.append(row)
        print(f"{n:>7,} articles ({stats['words']:,} words) in {seconds:6.1f} s: peak RSS "
              f"{row['peak_rss_total_mb']:,} MB (writer + {args.workers} workers), writer alone "
              f"{row['peak_rss_writer_mb']:,} MB — {row['summary']}")
    small, large = rows[0], rows[-1]
    ratio = large["peak_rss_total_mb"] / small["peak_rss_total_mb"]
    growth = (large["peak_rss_writer_mb"] - small["peak_rss_writer_mb"]) * 2**20
    per_article = growth / max(large["articles"] - small["articles"], 1)
    print(f"memory: peak RSS {large['articles']:,} vs {small['articles']:,} articles = {ratio:.3f} "
          f"(target within 10%: <= 1.10); writer grows ~{per_article:,.0f} bytes/article "
          f"(~{per_article * 1e6 / 2**30:.1f} GB at 1,000,000 articles)")
    result("memory", {"machine": m, "workers": args.workers, "runs": rows, "ratio": round(ratio, 3),
                      "writer_bytes_per_article": round(per_article)})


if __name__ == "__main__":
    main()
