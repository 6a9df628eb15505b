"""Run the five scale benchmarks, each in its own process, and print their figures together.

    python benchmarks/run_all.py            # the sizes behind benchmarks/README.md (long: incremental builds stores of 100k and 1M articles)
    python benchmarks/run_all.py --quick    # CI smoke test (tests/test_runner.py): tiny sizes, 2-3 minutes
    python benchmarks/run_all.py --only overhead,store --json out/bench.json

Nothing here asserts a timing: ``--quick`` checks that every benchmark runs to the end
and prints its RESULT line; the exit status is non-zero if one did not.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
FULL = {
    "overhead": ["--articles", "200", "--rounds", "3"],
    "scaling": ["--articles", "400"],
    "memory": ["--size", "1000,20000"],
    "store": ["--events", "1000000", "--sample", "500"],
    "incremental": [],  # 0, 100k and 1M stored: long (building the 1M store alone ~1 min)
}
QUICK = {
    "overhead": ["--articles", "12", "--rounds", "1"],
    "scaling": ["--articles", "16", "--no-dask"],
    "memory": ["--size", "30,120"],
    "store": ["--events", "5000", "--sample", "50"],
    "incremental": ["--sizes", "0,2000", "--articles", "12", "--scaling-articles", "24"],
}


def run(name: str, args: list[str]) -> dict[str, Any] | None:
    print(f"== {name} ==", flush=True)
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, str(BENCH / f"bench_{name}.py"), *args],
                            stdout=subprocess.PIPE, text=True)
    found = None
    assert proc.stdout is not None
    for line in proc.stdout:
        if line.startswith("RESULT "):
            found = json.loads(line[len("RESULT "):])
        else:
            print(line, end="", flush=True)
    proc.wait()
    print(f"   ({time.perf_counter() - started:.0f} s, exit {proc.returncode})\n", flush=True)
    return found if proc.returncode == 0 else None


def summary(results: dict[str, dict[str, Any]]) -> None:
    print("== summary ==")
    if "overhead" in results:
        r = results["overhead"]
        print(f"1. overhead   extract/raw {r['extract_ratio']:.3f} (CPU {r['extract_ratio_cpu']:.3f}), "
              f"end-to-end ingest/raw {r['ingest_ratio']:.3f}; raw {r['raw_words_per_s']:,} words/s")
    if "scaling" in results:
        r = results["scaling"]
        print(f"2. scaling    2 workers vs 1: speedup {r['speedup_2']:.2f}, efficiency {r['efficiency_2']:.2f}"
              + (f"; Dask 2 vs 1: {r['dask_efficiency_2']:.2f}" if "dask_efficiency_2" in r else ""))
    if "memory" in results:
        r = results["memory"]
        sizes = " vs ".join(f"{run['articles']:,}" for run in r["runs"])
        peaks = " vs ".join(f"{run['peak_rss_total_mb']:,} MB" for run in r["runs"])
        print(f"3. memory     peak RSS {sizes} articles: {peaks} (ratio {r['ratio']:.3f})")
    if "store" in results:
        r = results["store"]
        print(f"4. store      {r['events']:,} events loaded in {r['load_s']} s "
              f"({r['load_events_per_s']:,} events/s), {r['db_mb']:,} MB on disk")
    if "incremental" in results:
        r = results["incremental"]
        big = max(r["sizes"], key=lambda row: row["stored_before"])
        print(f"5. increment  at {big['stored_before']:,} stored: start-up {big['startup_s']} s, writer CPU "
              f"{big['writer_cpu_ms_per_article']} ms/article, time vs empty {big['ratio_to_empty']}; "
              f"store-only 2 workers vs 1: {r['scaling']['speedup_2']:.2f}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="tiny sizes, for CI")
    ap.add_argument("--only", help="comma-separated subset of: " + ", ".join(FULL))
    ap.add_argument("--json", help="also write the collected figures to this file")
    args = ap.parse_args()
    plan = QUICK if args.quick else FULL
    names = args.only.split(",") if args.only else list(plan)
    unknown = set(names) - set(plan)
    if unknown:
        ap.error(f"unknown benchmark(s): {', '.join(sorted(unknown))}")
    results, failed = {}, []
    for name in names:
        found = run(name, plan[name])
        if found is None:
            failed.append(name)
        else:
            results[name] = found
    summary(results)
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps(results, indent=1))
    if failed:
        raise SystemExit(f"benchmarks that did not finish: {', '.join(failed)}")


if __name__ == "__main__":
    main()
