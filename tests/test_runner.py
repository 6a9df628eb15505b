"""Parallel ingest (aidtrace.runner): workers and Dask give what a single process gives.

Real processes everywhere: spawned ``--workers`` pools, a real Dask LocalCluster (two
single-threaded worker processes, no dashboard), real DuckDB files. A light stand-in
pipeline (``Fake``, importable so that workers can unpickle it) keeps most tests fast; the
dev-corpus tests run the real spaCy pipeline and are marked slow.
"""
from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest

from aidtrace.config import Settings
from aidtrace.errors import WorkerError
from aidtrace.ingest import ingest
from aidtrace.models import Actor, Article, Document, Event, Evidence, Item, Mention
from aidtrace.runner import DaskExecutor, ProcessExecutor, run_ingest
from aidtrace.store import Store

from .conftest import DEV, ROOT
from .test_ingest_readers import FRENCH

SETTINGS = Settings()
MARK_FAIL = "PARSER-CHOKES"   # Fake raises on this article: it is rejected, the shard goes on
MARK_CRASH = "WORKER-DIES"    # Crashing kills its worker process on this article


class Fake:
    """The pipeline interface with rows in every table: one mention, one event with an item."""

    version = "fake-runner-1"
    delay = 0.0

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def pipe(self, articles: Iterable[Article], batch_size: int | None = None) -> Iterator[Document]:
        for a in articles:
            time.sleep(self.delay)
            if MARK_FAIL in a.text:
                raise ValueError("the parser choked")
            self.check(a)
            digest = hashlib.sha1(a.text.encode()).hexdigest()[:8]
            ev = Event(id=f"{a.id}-{digest}", article=a.id, type="AID", mode="goods", cameo="073",
                       source=Actor("CHN", "GOV", "China", "subject"), target=Actor("ITA"),
                       items=(Item("masks", "masks", float(len(a.text)), "pieces"),),
                       evidence=Evidence(a.id, 0, 0, 10, a.text[:10], "sent", 0, 4),
                       date=str(a.published) if a.published else None, confidence=0.75)
            yield Document(a, mentions=(Mention(0, 0, 5, a.text[:5], "CHN", "state", "GOV"),),
                           events=(ev,))

    def check(self, article: Article) -> None:
        """Hook for the crashing variant."""


class Slow(Fake):
    delay = 0.15


class Never(Fake):
    def check(self, article: Article) -> None:
        os._exit(14)


class Crashing(Fake):
    def check(self, article: Article) -> None:
        if MARK_CRASH in article.text:
            os._exit(13)  # a worker process dying mid-shard, as an OOM kill would


def body(n: int, extra: str = "") -> str:
    words = " ".join(f"w{n}x{j}" for j in range(50))
    return f"Report {n}. China sent masks to Italy. {words} {extra}".strip()


def corpus_rows() -> list[dict[str, Any]]:
    """Every ledger path: originals, exact and near copies, same URL, a changed version of
    an article, an extraction failure, a non-English text, an empty one."""
    rows: list[dict[str, Any]] = [{"id": f"a{n}", "url": f"https://news.example/{n}", "text": body(n),
                                   "published": f"2020-04-{n % 28 + 1:02d}"} for n in range(30)]
    rows.insert(5, dict(rows[2]))                                   # the same article again
    rows.insert(9, {"id": "copy", "text": body(4)})                 # same text, other id
    rows.insert(12, {"id": "sameurl", "url": "https://news.example/1", "text": body(99)})
    rows.insert(15, {"id": "near", "text": body(6) + " Updated."})  # a near copy
    rows.insert(17, {"id": "a7", "url": "https://news.example/7", "text": body(7, "Corrected.")})
    rows.insert(20, {"id": "bad", "text": body(50, MARK_FAIL)})
    rows.insert(22, {"id": "fr", "text": FRENCH})
    rows.insert(24, {"id": "empty", "text": ""})
    rows.append({"id": "last", "text": body(77)})
    return rows


def write_jsonl(path: Path, rows: list[dict[str, Any]]) -> str:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return str(path)


def snapshot(db: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Everything a run stores, minus what differs by run (run ids, timestamps)."""
    queries = {
        "articles": "SELECT * EXCLUDE (ingested_at, run_id) FROM articles ORDER BY id",
        "events": "SELECT * EXCLUDE (run_id) FROM events ORDER BY id",
        "event_items": "SELECT * FROM event_items ORDER BY event_id, idx",
        "mentions": "SELECT * FROM mentions ORDER BY ALL",
        "ledger": "SELECT * EXCLUDE (logged_at, run_id) FROM ledger ORDER BY rowid",
    }
    with Store(db, read_only=True) as store:
        return {t: store.con.execute(q).fetchall() for t, q in queries.items()}


def single(db: Path, sources: list[str], pipeline: Any) -> dict[str, list[tuple[Any, ...]]]:
    with Store(db) as store:
        ingest(sources, store=store, pipeline=pipeline, settings=SETTINGS, progress=False)
    return snapshot(db)


def parallel(db: Path, sources: list[str], executor: Any, factory: Any = Fake, **kw: Any) -> Any:
    with Store(db) as store:
        return run_ingest(sources, store=store, settings=SETTINGS, executor=executor, factory=factory,
                          progress=False, **kw)


@pytest.fixture
def fake_corpus(tmp_path: Path) -> tuple[str, dict[str, list[tuple[Any, ...]]]]:
    src = write_jsonl(tmp_path / "in.jsonl", corpus_rows())
    return src, single(tmp_path / "single.duckdb", [src], Fake(SETTINGS))


def test_the_fake_corpus_exercises_every_ledger_path(fake_corpus: tuple[str, Any]) -> None:
    _, want = fake_corpus
    reasons = " | ".join(str(r) for r in want["ledger"])
    for needle in ("already stored", "same text as", "same URL as", "near-duplicate of",
                   "text changed", "extraction failed", "language fr", "too short"):
        assert needle in reasons


def test_two_worker_processes_store_what_one_process_stores(tmp_path: Path, fake_corpus: tuple[str, Any]) -> None:
    src, want = fake_corpus
    executor = ProcessExecutor(2, SETTINGS, Fake)
    try:
        summary = parallel(tmp_path / "p.duckdb", [src], executor, shard_size=4)
    finally:
        executor.close()
    assert snapshot(tmp_path / "p.duckdb") == want
    assert summary.total == len(corpus_rows())
    with Store(tmp_path / "p.duckdb", read_only=True) as store:
        shards = store.query("SELECT * FROM shards")
        assert len(shards) >= 5 and all(s["run_id"] == summary.run_id for s in shards)
        assert sum(s["failed"] for s in shards) == 1
    assert not (tmp_path / "p.duckdb.shards").exists()  # loaded shards are cleaned up


def test_dask_cluster_stores_what_one_process_stores(tmp_path: Path, cluster: Any,
                                                     fake_corpus: tuple[str, Any]) -> None:
    src, want = fake_corpus
    parallel(tmp_path / "d.duckdb", [src], DaskExecutor(cluster), shard_size=3)
    assert snapshot(tmp_path / "d.duckdb") == want


def test_rerun_after_a_complete_run_stores_nothing_twice(tmp_path: Path, cluster: Any,
                                                         fake_corpus: tuple[str, Any]) -> None:
    src, want = fake_corpus
    parallel(tmp_path / "d.duckdb", [src], DaskExecutor(cluster), shard_size=5)
    again = parallel(tmp_path / "d.duckdb", [src], DaskExecutor(cluster), shard_size=5)
    with Store(tmp_path / "s.duckdb") as store:
        ingest([src], store=store, pipeline=Fake(SETTINGS), settings=SETTINGS, progress=False)
        single_again = ingest([src], store=store, pipeline=Fake(SETTINGS), settings=SETTINGS,
                              progress=False)
    # a rerun re-judges every item as a single-process rerun does: "already stored" for
    # nearly all, the failed article tried again, the two versions of a7 swapped back
    assert (again.stored, again.duplicates, again.skipped, again.rejected) == \
           (single_again.stored, single_again.duplicates, single_again.skipped, single_again.rejected)
    assert again.stored <= 2
    assert snapshot(tmp_path / "d.duckdb") == snapshot(tmp_path / "s.duckdb")


def test_finished_shards_on_disk_are_loaded_not_extracted_again(
        tmp_path: Path, cluster: Any, fake_corpus: tuple[str, Any]) -> None:
    src, want = fake_corpus
    root = tmp_path / "shards"
    parallel(tmp_path / "a.duckdb", [src], DaskExecutor(cluster), shard_size=4, shard_root=root,
             keep_shards=True)
    assert len(list(root.iterdir())) >= 5
    # a fresh database, the same shard directory, and workers that die if asked to extract
    parallel(tmp_path / "b.duckdb", [src], DaskExecutor(cluster), factory=Never, shard_size=4,
             shard_root=root)
    assert snapshot(tmp_path / "b.duckdb") == want
    assert not root.exists()


def test_a_worker_dying_on_one_shard_stops_the_run_and_a_rerun_resumes(
        tmp_path: Path, cluster: Any, fake_corpus: tuple[str, Any]) -> None:
    _, want = fake_corpus
    rows = corpus_rows()
    crash_at = 16
    rows[crash_at] = dict(rows[crash_at], text=rows[crash_at]["text"] + " " + MARK_CRASH)
    src = write_jsonl(tmp_path / "crash.jsonl", rows)
    expected = single(tmp_path / "single-crash.duckdb", [src], Fake(SETTINGS))
    db = tmp_path / "d.duckdb"
    with pytest.raises(WorkerError, match="run the same command again"):
        parallel(db, [src], DaskExecutor(cluster), factory=Crashing, shard_size=4)
    first = snapshot(db)
    assert 0 < len(first["articles"]) < len(expected["articles"])

    # a shard that finished after the lost one is on disk: the rerun must load it, not redo it.
    # Dask may also re-run a task whose result died with the worker, writing again the
    # directory of a shard the first run already loaded: that one holds stored articles only.
    with Store(db, read_only=True) as store:
        loaded = {r["id"] for r in store.query("SELECT id FROM shards")}
    root = Path(f"{db}.shards")
    finished = [p for p in root.iterdir() if (p / "shard.json").exists() and p.name not in loaded] \
        if root.exists() else []
    for p in finished:
        manifest = json.loads((p / "shard.json").read_text())
        (p / "shard.json").write_text(json.dumps(dict(manifest, worker="from-disk")))

    summary = parallel(db, [src], DaskExecutor(cluster), factory=Fake, shard_size=4)
    after = snapshot(db)
    for table in ("articles", "events", "event_items", "mentions"):
        assert after[table] == expected[table], table
    with Store(db, read_only=True) as store:
        ledger = store.ledger(run_id=summary.run_id)
        assert len(ledger) == len(rows)  # the rerun accounts for every input item again
        assert {r["article_id"] for r in ledger if r["reason"] == "already stored"} == \
               {row[0] for row in first["articles"]}
        reused = store.query("SELECT id FROM shards WHERE worker = 'from-disk'")
    assert {r["id"] for r in reused} == {p.name for p in finished}
    assert not root.exists() or not any(root.iterdir())  # no shard left behind on disk


SCRIPT = """
import logging, sys
from aidtrace.config import Settings
from aidtrace.runner import ProcessExecutor, run_ingest
from aidtrace.store import Store
from tests.test_runner import Slow

if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(name)s %(message)s")
    executor = ProcessExecutor(2, Settings(), Slow)
    with Store(sys.argv[1]) as store:
        run_ingest([sys.argv[2]], store=store, settings=Settings(), executor=executor,
                   factory=Slow, shard_size=3, progress=False)
"""


def test_writer_killed_between_shards_resumes_without_duplicates(
        tmp_path: Path, fake_corpus: tuple[str, Any]) -> None:
    src, want = fake_corpus
    db = tmp_path / "k.duckdb"
    script = tmp_path / "writer.py"
    script.write_text(SCRIPT)
    proc = subprocess.Popen([sys.executable, str(script), str(db), src], cwd=ROOT,
                            stderr=subprocess.PIPE, text=True, start_new_session=True,
                            env=dict(os.environ, PYTHONPATH=str(ROOT)))
    try:
        assert proc.stderr is not None
        for line in proc.stderr:
            if "aidtrace.runner shard" in line and "loaded" in line:
                break
        else:
            pytest.fail("the writer ended before loading a shard")
    finally:
        os.killpg(proc.pid, signal.SIGKILL)  # the writer and its workers, mid-run
        proc.wait()
    with Store(db, read_only=True) as store:
        assert 0 < store.counts()["articles"] < len(want["articles"])
    executor = ProcessExecutor(2, SETTINGS, Fake)
    try:
        parallel(db, [src], executor, shard_size=3)
    finally:
        executor.close()
    after = snapshot(db)
    for table in ("articles", "events", "event_items", "mentions"):
        assert after[table] == want[table], table


# -- the real pipeline on the dev corpus ---------------------------------------------
@pytest.fixture(scope="module")
def dev_single(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[tuple[Any, ...]]]:
    if not (DEV / "articles.jsonl").exists():
        pytest.skip(f"dev corpus not found at {DEV}")
    from aidtrace.pipeline import Pipeline

    db = tmp_path_factory.mktemp("dev") / "single.duckdb"
    return single(db, [str(DEV / "articles.jsonl")], Pipeline(SETTINGS))


@pytest.mark.slow
def test_dev_corpus_on_dask_equals_single_process(tmp_path: Path, cluster: Any,
                                                  dev_single: dict[str, Any]) -> None:
    from aidtrace.pipeline import Pipeline

    parallel(tmp_path / "d.duckdb", [str(DEV / "articles.jsonl")], DaskExecutor(cluster),
             factory=Pipeline, shard_size=8)
    got = snapshot(tmp_path / "d.duckdb")
    assert len(got["events"]) > 50
    assert got == dev_single


@pytest.mark.slow
def test_cli_with_two_workers_equals_single_process(tmp_path: Path, dev_single: dict[str, Any]) -> None:
    db = tmp_path / "w.duckdb"
    proc = subprocess.run([str(Path(sys.executable).parent / "aidtrace"), "ingest",
                           str(DEV / "articles.jsonl"), "--workers", "2", "--db", str(db)],
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip().splitlines()[-1] == \
        f"{len(dev_single['articles'])} stored, 0 duplicates, 0 skipped, 0 rejected"
    assert snapshot(db) == dev_single


def test_cli_store_only_with_two_workers_equals_single_process(tmp_path: Path) -> None:
    """``--no-extract --workers 2``: workers screen and fingerprint, the writer stores what a
    single-process store-only run stores (issue 13: store-only ingest is parallel too)."""
    from typer.testing import CliRunner

    from aidtrace.cli import app

    rows = [r for r in corpus_rows() if MARK_FAIL not in r["text"]]
    src = write_jsonl(tmp_path / "in.jsonl", rows)
    want = single(tmp_path / "one.duckdb", [src], None)
    out = CliRunner().invoke(app, ["ingest", src, "--workers", "2", "--no-extract",
                                   "--db", str(tmp_path / "x.duckdb")])
    assert out.exit_code == 0, out.output
    assert snapshot(tmp_path / "x.duckdb") == want
    assert want["ledger"] and not want["events"]


def test_benchmarks_smoke(tmp_path: Path) -> None:
    """CI runs the five scale benchmarks at tiny sizes (``run_all.py --quick``): each must run
    to the end and report its figures. No timing is asserted."""
    out = tmp_path / "bench.json"
    proc = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "run_all.py"), "--quick",
                           "--json", str(out)], capture_output=True, text=True, timeout=900,
                          cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    figures = json.loads(out.read_text())
    assert set(figures) == {"overhead", "scaling", "memory", "store", "incremental"}
    assert figures["overhead"]["extract_ratio"] > 0 and figures["overhead"]["stored"] == 12
    assert figures["scaling"]["efficiency_2"] > 0
    assert all(run["peak_rss_total_mb"] > 0 for run in figures["memory"]["runs"])
    assert figures["store"]["events"] == 5000 and figures["store"]["db_mb"] > 0
    inc = figures["incremental"]  # every size ingested the same 12 articles, all stored
    assert [r["stored_before"] for r in inc["sizes"]] == [0, 2000, 0]
    assert all(r["stored"] == 12 and r["ratio_to_empty"] > 0 for r in inc["sizes"])
    assert inc["scaling"]["speedup_2"] > 0
