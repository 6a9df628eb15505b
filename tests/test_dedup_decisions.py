"""Duplicate decisions from the persisted dedup keys (issue 13), in every way ingest runs.

The expected verdicts are worked out here from the definitions, not by the code under
test: an article is a copy of the first stored original with the same whitespace-
normalised text, else the same URL (tracking parameters dropped), else of the original
whose word 5-shingles have the highest exact Jaccard similarity, if that reaches the
threshold. The corpus (tests/fixtures/dedup_corpus.py) has copies on both sides of the
threshold, within one run and across runs.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import duckdb
import pytest

from aidtrace.config import Settings
from aidtrace.ingest import ingest
from aidtrace.runner import DaskExecutor, ProcessExecutor, run_ingest
from aidtrace.store import Store

from .conftest import ROOT
from .fixtures.dedup_corpus import first_run, second_run
from .test_runner import Fake, write_jsonl

SETTINGS = Settings()
Verdicts = list[tuple[str, str, str | None]]  # (status, article id, duplicate of)


def shingle_set(text: str) -> set[str]:
    words = text.lower().split()
    return {" ".join(words[i:i + 5]) for i in range(max(1, len(words) - 4))}


def similarity(a: str, b: str) -> float:
    x, y = shingle_set(a), shingle_set(b)
    return len(x & y) / len(x | y)


def plain_url(url: str | None) -> str | None:
    if not url:
        return None
    parts = urlsplit(url)
    query = urlencode([(k, v) for k, v in parse_qsl(parts.query) if not k.startswith("utm_")])
    return urlunsplit((parts.scheme, parts.netloc, parts.path.rstrip("/"), query, ""))


class Expected:
    """Verdicts worked out from the definitions, run after run; ``why`` records which rule
    decided each copy and the similarities met, so the test can show the corpus covers them."""

    def __init__(self) -> None:
        self.originals: dict[str, tuple[str, str | None]] = {}  # id -> (text, url), stored order
        self.stored: dict[str, tuple[str, str | None]] = {}     # id -> (text, duplicate of)
        self.why: list[tuple[str, float]] = []

    def run(self, rows: list[dict[str, Any]], threshold: float) -> Verdicts:
        out: Verdicts = []
        for r in rows:
            aid, text, url = r["id"], " ".join(r["text"].split()), plain_url(r.get("url"))
            if aid in self.stored and self.stored[aid][0] == text:
                out.append(("duplicate", aid, self.stored[aid][1] or aid))
                self.why.append(("again", 1.0))
                continue
            others = {i: v for i, v in self.originals.items() if i != aid}
            same_text = [i for i, (t, _) in others.items() if t == text]
            same_url = [i for i, (_, u) in others.items() if url and u == url]
            near = max(((similarity(text, t), i) for i, (t, _) in others.items()), default=(0.0, ""))
            copy_of = (same_text or same_url or [near[1] if near[0] >= threshold else None])[0]
            self.why.append(("text" if same_text else "url" if same_url else "near", near[0]))
            self.originals.pop(aid, None)
            if copy_of is None:
                self.originals[aid] = (text, url)
            self.stored[aid] = (text, copy_of)
            out.append(("stored" if copy_of is None else "duplicate", aid, copy_of))
        return out

    def articles(self) -> list[tuple[str, str | None]]:
        return sorted((aid, copy_of) for aid, (_, copy_of) in self.stored.items())


def expected(thresholds: tuple[float, float] = (0.85, 0.85)) -> tuple[Verdicts, Verdicts, Expected]:
    model = Expected()
    return model.run(first_run(), thresholds[0]), model.run(second_run(), thresholds[1]), model


def decisions(db: Path, run_id: str) -> Verdicts:
    with Store(db, read_only=True) as store:
        return [tuple(r) for r in store.con.execute(  # type: ignore[misc]
            "SELECT status, article_id, duplicate_of FROM ledger WHERE run_id = ? ORDER BY rowid",
            [run_id]).fetchall()]


def stored_articles(db: Path) -> list[tuple[str, str | None]]:
    with Store(db, read_only=True) as store:
        return [tuple(r) for r in store.con.execute(  # type: ignore[misc]
            "SELECT id, duplicate_of FROM articles ORDER BY id").fetchall()]


@pytest.fixture
def sources(tmp_path: Path) -> tuple[str, str]:
    return (write_jsonl(tmp_path / "one.jsonl", first_run()),
            write_jsonl(tmp_path / "two.jsonl", second_run()))


def test_the_corpus_has_copies_on_both_sides_of_the_threshold() -> None:
    one, two, model = expected()
    assert {kind for kind, _ in model.why} == {"again", "text", "url", "near"}
    near = sorted(s for kind, s in model.why if kind == "near")
    assert [s for s in near if 0.75 <= s < 0.85], "no edit just below the threshold"
    assert len([s for s in near if 0.85 <= s < 0.95]) >= 2, "no paragraph cut above it"
    copies = [v for v in one + two if v[0] == "duplicate"]
    assert len(copies) == 10 and len(one + two) - len(copies) == 10


def single(db: Path, src: str, threshold: float = 0.85) -> str:
    with Store(db) as store:
        return ingest([src], store=store, pipeline=Fake(SETTINGS), progress=False, batch_size=4,
                      settings=Settings(near_duplicate_threshold=threshold)).run_id


def parallel(executor: Any) -> Callable[[Path, str], str]:
    def run(db: Path, src: str) -> str:
        with Store(db) as store:
            return run_ingest([src], store=store, settings=SETTINGS, executor=executor, factory=Fake,
                              shard_size=3, progress=False).run_id
    return run


def check_two_runs(db: Path, sources: tuple[str, str], run: Callable[[Path, str], str]) -> None:
    one, two, model = expected()
    assert decisions(db, run(db, sources[0])) == one
    assert decisions(db, run(db, sources[1])) == two
    assert stored_articles(db) == model.articles()


def test_single_process(tmp_path: Path, sources: tuple[str, str]) -> None:
    check_two_runs(tmp_path / "s.duckdb", sources, single)


def test_two_worker_processes(tmp_path: Path, sources: tuple[str, str]) -> None:
    executor = ProcessExecutor(2, SETTINGS, Fake)
    try:
        check_two_runs(tmp_path / "w.duckdb", sources, parallel(executor))
    finally:
        executor.close()


def test_dask_local_cluster(tmp_path: Path, sources: tuple[str, str], cluster: Any) -> None:
    check_two_runs(tmp_path / "d.duckdb", sources, parallel(DaskExecutor(cluster)))


def test_a_store_from_before_the_dedup_keys_is_backfilled(tmp_path: Path, sources: tuple[str, str]) -> None:
    """A store written by an older aidtrace (schema 3, no keys): the next ingest computes
    the stored articles' keys and judges against them as if they had always been there."""
    one, two, model = expected()
    db = tmp_path / "old.duckdb"
    assert decisions(db, single(db, sources[0])) == one
    con = duckdb.connect(str(db))
    con.execute("DROP TABLE dedup_keys; DROP TABLE dedup_pending; DROP TABLE dedup_layout;"
                " DROP VIEW corrected_events; DROP VIEW corrected_event_items; DROP TABLE reviews;"
                " DROP TABLE review_state; DROP TABLE review_state_items;"
                " ALTER TABLE stories DROP COLUMN confirmed;"  # what migration 5 (reviews) adds
                " DELETE FROM schema_version WHERE version > 3")
    con.close()
    with Store(db) as store:  # migration 4 queues every stored article
        assert store.con.execute("SELECT count(*) FROM dedup_pending").fetchone()[0] == len(one) - 1
    assert decisions(db, single(db, sources[1])) == two
    assert stored_articles(db) == model.articles()
    with Store(db, read_only=True) as store:
        assert store.con.execute("SELECT count(*) FROM dedup_pending").fetchone()[0] == 0


def test_a_new_threshold_keys_the_store_again(tmp_path: Path, sources: tuple[str, str]) -> None:
    """Bands depend on the threshold: a run with another one re-keys every stored article."""
    one, two, model = expected((0.85, 0.8))
    assert two != expected()[1]  # the edit at 0.82 is a copy at 0.8
    db = tmp_path / "t.duckdb"
    assert decisions(db, single(db, sources[0])) == one
    assert decisions(db, single(db, sources[1], threshold=0.8)) == two
    assert stored_articles(db) == model.articles()


KILLED = """
import logging, sys
from aidtrace.config import Settings
from aidtrace.ingest import ingest
from aidtrace.runner import ProcessExecutor, run_ingest
from aidtrace.store import Store
from tests.test_runner import Slow

if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(name)s %(message)s")
    executor = ProcessExecutor(2, Settings(), Slow) if sys.argv[2] == "workers" else None
    with Store(sys.argv[1]) as store:
        for src in sys.argv[3:]:
            if executor is None:
                ingest([src], store=store, pipeline=Slow(Settings()), settings=Settings(),
                       progress=False, batch_size=2)
            else:
                run_ingest([src], store=store, settings=Settings(), factory=Slow, shard_size=2,
                           executor=executor, progress=False)
"""


@pytest.mark.parametrize("mode", ["single", "workers"])
def test_killed_mid_ingest_then_rerun(tmp_path: Path, sources: tuple[str, str], mode: str) -> None:
    one, two, model = expected()
    db = tmp_path / "k.duckdb"
    script = tmp_path / "ingest.py"
    script.write_text(KILLED)
    proc = subprocess.Popen([sys.executable, str(script), str(db), mode, *sources], cwd=ROOT,
                            stderr=subprocess.PIPE, text=True, start_new_session=True,
                            env=dict(os.environ, PYTHONPATH=str(ROOT)))
    committed = "items read" if mode == "single" else "loaded"
    try:
        assert proc.stderr is not None
        for line in proc.stderr:
            if committed in line and " 0 stored" not in line:
                break
        else:
            pytest.fail("the ingest ended before writing a batch")
    finally:
        os.killpg(proc.pid, signal.SIGKILL)  # mid-run: the writer (and its workers)
        proc.wait()
    with Store(db, read_only=True) as store:
        assert 0 < store.counts()["articles"] < len(model.articles())
    run = single if mode == "single" else parallel(executor := ProcessExecutor(2, SETTINGS, Fake))
    try:
        rerun = decisions(db, run(db, sources[0]))
        # the originals the killed run stored are "already stored" now; nothing else changed
        changed = [(want, got) for want, got in zip(one, rerun) if want != got]
        assert len(rerun) == len(one) and changed
        assert all(want == ("stored", got[1], None) and got == ("duplicate", got[1], got[1])
                   for want, got in changed)
        assert decisions(db, run(db, sources[1])) == two
    finally:
        if mode != "single":
            executor.close()
    assert stored_articles(db) == model.articles()
