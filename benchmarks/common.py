"""What every scale benchmark shares: the machine description, timers, RSS of a process tree.

Each benchmark prints readable lines and, last, one ``RESULT {json}`` line that
``run_all.py`` collects; figures are measured in the same run they are compared in.
"""
from __future__ import annotations

import atexit
import json
import os
import platform
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psutil

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))  # gen_corpus, when a benchmark runs as a script


def workdir() -> Path:
    """A temporary directory for a benchmark's corpus and databases, removed at exit."""
    path = Path(tempfile.mkdtemp(prefix="aidtrace-bench-"))
    atexit.register(shutil.rmtree, path, True)
    return path


def machine() -> dict[str, Any]:
    """CPU count and model, RAM, load average (this machine is shared: say how busy it was)."""
    model = platform.processor() or "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    import duckdb
    import spacy

    return {"cpus": os.cpu_count(), "cpu_model": model,
            "ram_gb": round(psutil.virtual_memory().total / 2**30, 1),
            "load_avg_1m": round(os.getloadavg()[0], 2), "python": platform.python_version(),
            "spacy": spacy.__version__, "duckdb": duckdb.__version__}


def print_machine() -> dict[str, Any]:
    m = machine()
    print(f"machine: {m['cpus']} CPUs ({m['cpu_model']}), {m['ram_gb']} GB RAM, "
          f"load average {m['load_avg_1m']} at start; Python {m['python']}, spaCy {m['spacy']}, "
          f"DuckDB {m['duckdb']}")
    return m


def result(name: str, figures: dict[str, Any]) -> None:
    """The machine-readable last line of a benchmark."""
    print("RESULT " + json.dumps({"bench": name, **figures}, default=str), flush=True)


@dataclass
class Clock:
    wall: float = 0.0
    cpu: float = 0.0  # this process's CPU time: robust to other work on a shared machine


@contextmanager
def timed() -> Iterator[Clock]:
    clock = Clock()
    w, c = time.perf_counter(), time.process_time()
    try:
        yield clock
    finally:
        clock.wall = time.perf_counter() - w
        clock.cpu = time.process_time() - c


def tree_rss(proc: psutil.Process) -> tuple[int, int]:
    """(RSS of ``proc`` itself, RSS of it and all its descendants), in bytes."""
    try:
        own = proc.memory_info().rss
    except psutil.Error:
        return 0, 0
    total = own
    for child in proc.children(recursive=True):
        try:
            total += child.memory_info().rss
        except psutil.Error:
            pass
    return own, total


@dataclass
class PeakRSS:
    """Samples a process tree's RSS on a thread until stopped; keeps the peaks."""

    pid: int
    interval: float = 0.2
    own: int = 0
    total: int = 0
    samples: int = 0
    _stop: threading.Event = field(default_factory=threading.Event)

    def __enter__(self) -> "PeakRSS":
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        proc = psutil.Process(self.pid)
        while not self._stop.is_set():
            own, total = tree_rss(proc)
            self.own, self.total = max(self.own, own), max(self.total, total)
            self.samples += 1
            self._stop.wait(self.interval)


def mb(n: float) -> float:
    return round(n / 2**20, 1)
