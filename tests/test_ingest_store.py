"""ingest() into a real DuckDB file: ledger, duplicates, re-ingest, batches, failures."""
from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from pathlib import Path

import pytest

from aidtrace.config import Settings
from aidtrace.errors import RejectedInputsError
from aidtrace.ingest import STORE_ONLY, IngestSummary, ingest
from aidtrace.models import Actor, Article, Document, Event, Evidence
from aidtrace.store import Store, content_hash

from .test_ingest_readers import FRENCH, english


class FakePipeline:
    """The pipeline interface (``pipe`` in input order, ``version``) with one event an article."""

    version = "fake-1"

    def __init__(self, fail_on: str | None = None, crash_after: int | None = None) -> None:
        self.seen: list[str] = []
        self.fail_on = fail_on
        self.crash_after = crash_after

    def pipe(self, articles: Iterable[Article]) -> Iterator[Document]:
        for a in articles:
            if self.crash_after is not None and len(self.seen) >= self.crash_after:
                raise SystemExit("simulated crash")  # not an Exception: nothing may catch it
            self.seen.append(a.id)
            if self.fail_on and self.fail_on in a.text:
                raise ValueError("the parser choked")
            ev = Event(id=f"{a.id}-{content_hash(a.text)[:6]}", article=a.id, type="AID", mode="goods",
                       cameo="073", source=Actor("CHN"), target=Actor("ITA"),
                       evidence=Evidence(a.id, 0, 0, 10, a.text[:10], "sent", 0, 4))
            yield Document(a, events=(ev,))


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store(tmp_path / "t.duckdb") as s:
        yield s


SETTINGS = Settings()


def run(store: Store, sources: list[str], pipeline: object | None = None, **kw: object) -> IngestSummary:
    return ingest(sources, store=store, pipeline=pipeline, settings=SETTINGS, progress=False, **kw)  # type: ignore[arg-type]


def jsonl(path: Path, rows: list[dict[str, object]]) -> str:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return str(path)


def count(store: Store, sql: str, params: list[object] | None = None) -> int:
    return int(store.con.execute(sql, params or []).fetchone()[0])


def test_every_item_gets_one_ledger_row_and_a_summary(tmp_path: Path, store: Store) -> None:
    for n in range(3):
        (tmp_path / f"a{n}.txt").write_text(english(n))
    (tmp_path / "fr.txt").write_text(FRENCH)
    (tmp_path / "empty.txt").write_text("")
    pipe = FakePipeline()
    summary = run(store, [str(tmp_path / "*.txt")], pipe)
    assert (summary.stored, summary.duplicates, summary.skipped, summary.rejected) == (3, 0, 1, 1)
    assert summary.line() == "3 stored, 0 duplicates, 1 skipped, 1 rejected"
    ledger = store.ledger(run_id=summary.run_id)
    assert len(ledger) == 5 and {r["status"] for r in ledger} == {"stored", "skipped", "rejected"}
    assert count(store, "SELECT count(*) FROM events") == 3
    run_row = store.query("SELECT * FROM runs WHERE id = ?", [summary.run_id])[0]
    assert (run_row["stored"], run_row["skipped"], run_row["rejected"]) == (3, 1, 1)
    assert run_row["finished"] is not None and run_row["pipeline_version"] == "fake-1"


def test_reingest_is_a_duplicate_of_itself_and_rewrites_nothing(tmp_path: Path, store: Store) -> None:
    src = jsonl(tmp_path / "a.jsonl", [{"id": f"x{n}", "text": english(n)} for n in range(4)])
    run(store, [src], FakePipeline())
    before = store.query("SELECT id, ingested_at, run_id FROM articles ORDER BY id")
    pipe = FakePipeline()
    again = run(store, [src], pipe)
    assert (again.stored, again.duplicates) == (0, 4) and pipe.seen == []
    rows = store.ledger(run_id=again.run_id)
    assert {(r["reason"], r["duplicate_of"] == r["article_id"]) for r in rows} == {("already stored", True)}
    assert store.query("SELECT id, ingested_at, run_id FROM articles ORDER BY id") == before
    assert count(store, "SELECT count(*) FROM events") == 4


def test_changed_text_under_the_same_id_is_re_extracted(tmp_path: Path, store: Store) -> None:
    run(store, [jsonl(tmp_path / "a.jsonl", [{"id": "x", "text": english(1)}])], FakePipeline())
    summary = run(store, [jsonl(tmp_path / "b.jsonl", [{"id": "x", "text": english(2)}])], FakePipeline())
    assert summary.stored == 1
    assert store.ledger(run_id=summary.run_id)[0]["reason"] == "text changed; re-extracted"
    assert store.article("x")["text"] == english(2)
    [event] = store.events(article="x")
    assert event["id"] == f"x-{content_hash(english(2))[:6]}"


def test_exact_duplicates_by_hash_and_url(tmp_path: Path, store: Store) -> None:
    text = english(5)
    src = jsonl(tmp_path / "a.jsonl", [
        {"id": "orig", "url": "https://example.org/story", "text": text},
        {"id": "copy", "url": "https://mirror.example/story", "text": "  " + text.replace(" ", "\n", 3)},
        {"id": "tracked", "url": "https://EXAMPLE.org/story/?utm_source=x", "text": english(6)},
    ])
    pipe = FakePipeline()
    summary = run(store, [src], pipe)
    assert (summary.stored, summary.duplicates) == (1, 2) and pipe.seen == ["orig"]
    reasons = {r["article_id"]: (r["status"], r["reason"], r["duplicate_of"]) for r in store.ledger()}
    assert reasons["copy"] == ("duplicate", "same text as orig", "orig")
    assert reasons["tracked"] == ("duplicate", "same URL as orig", "orig")
    assert store.article("copy")["duplicate_of"] == "orig"
    assert store.events(article="copy") == []


def wire_copy(text: str) -> str:
    """A syndicated copy: new byline, one sentence reworded, the last sentence cut."""
    sentences = text.split(". ")
    sentences[2] = sentences[2].replace("officials", "ministers")
    return "By Staff Reporter (Wire). " + ". ".join(sentences[:-1]) + "."


def test_near_duplicates_within_and_across_runs(tmp_path: Path, store: Store) -> None:
    base = english(7, 30)
    first = run(store, [jsonl(tmp_path / "a.jsonl", [
        {"id": "orig", "text": base}, {"id": "copy1", "text": wire_copy(base)},
        {"id": "other", "text": english(8, 30)}])], FakePipeline())
    assert (first.stored, first.duplicates) == (2, 1)
    [row] = store.ledger(status="duplicate")
    assert row["article_id"] == "copy1" and row["duplicate_of"] == "orig"
    assert row["reason"].startswith("near-duplicate of orig (similarity 0.")
    # a later run rebuilds the index from the store and still finds the original
    second = run(store, [jsonl(tmp_path / "b.jsonl", [
        {"id": "copy2", "text": wire_copy(base).replace("Staff Reporter", "Desk")}])], FakePipeline())
    assert second.duplicates == 1
    assert store.article("copy2")["duplicate_of"] == "orig"


def test_store_only_then_extract_later(tmp_path: Path, store: Store) -> None:
    src = jsonl(tmp_path / "a.jsonl", [{"id": f"x{n}", "text": english(n)} for n in range(3)])
    first = run(store, [src], None)
    assert first.stored == 3 and count(store, "SELECT count(*) FROM events") == 0
    assert store.query("SELECT pipeline_version FROM runs WHERE id=?", [first.run_id])[0][
        "pipeline_version"] == STORE_ONLY
    assert run(store, [src], None).duplicates == 3
    later = run(store, [src], FakePipeline())
    assert later.stored == 3 and count(store, "SELECT count(*) FROM events") == 3
    assert {r["reason"] for r in store.ledger(run_id=later.run_id)} == {
        "extracted now (stored earlier without extraction)"}
    assert run(store, [src], FakePipeline()).duplicates == 3


def test_a_text_that_breaks_the_pipeline_costs_only_itself(tmp_path: Path, store: Store) -> None:
    rows = [{"id": f"x{n}", "text": english(n)} for n in range(5)]
    rows[2]["text"] = english(2) + " BOOM."
    summary = run(store, [jsonl(tmp_path / "a.jsonl", rows)], FakePipeline(fail_on="BOOM"))
    assert (summary.stored, summary.rejected) == (4, 1)
    [bad] = store.ledger(status="rejected")
    assert bad["article_id"] == "x2" and "extraction failed: ValueError: the parser choked" in bad["reason"]
    assert not store.has_article("x2")
    # once the pipeline is fixed, the same input is stored
    assert run(store, [jsonl(tmp_path / "a.jsonl", rows)], FakePipeline()).stored == 1


def test_batches_are_atomic_and_a_rerun_stores_each_article_once(tmp_path: Path, store: Store) -> None:
    src = jsonl(tmp_path / "a.jsonl", [{"id": f"x{n:03d}", "text": english(n)} for n in range(50)])
    with pytest.raises(SystemExit):
        run(store, [src], FakePipeline(crash_after=20), batch_size=8)
    # whole batches only: 16 of the 20 extracted articles had their batch committed
    assert count(store, "SELECT count(*) FROM articles") == 16
    assert count(store, "SELECT count(*) FROM ledger") == 16
    assert count(store, "SELECT count(*) FROM events") == 16
    summary = run(store, [src], FakePipeline(), batch_size=8)
    assert (summary.stored, summary.duplicates) == (34, 16)
    assert count(store, "SELECT count(DISTINCT id) FROM articles") == 50
    assert count(store, "SELECT count(*) FROM events") == 50


def test_strict_raises_after_storing_the_rest(tmp_path: Path, store: Store) -> None:
    (tmp_path / "good.txt").write_text(english(1))
    (tmp_path / "bad.txt").write_bytes(b"\x00\x01\x02" * 50)
    with pytest.raises(RejectedInputsError) as info:
        run(store, [str(tmp_path)], None, strict=True)
    assert info.value.exit_code == 4 and "1 input(s) rejected" in str(info.value)
    assert count(store, "SELECT count(*) FROM articles") == 1
    assert run(store, [str(tmp_path / "good.txt")], None, strict=True).duplicates == 1


def test_progress_bar_mode_runs(tmp_path: Path, store: Store, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "a.txt").write_text(english(1))
    summary = ingest([str(tmp_path)], store=store, pipeline=None, settings=SETTINGS, progress=True)
    assert summary.stored == 1
