"""The fast paths give the answers of the plain ones: batch store writes, flow totals for the
API, and an events page served from rowid-keyed facts, a pool and a count in the same scan."""
from __future__ import annotations

import dataclasses
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from aidtrace.api import queries
from aidtrace.api.models import EventPageQuery
from aidtrace.flows import flow_totals, flows
from aidtrace.models import Document
from aidtrace.store import Store
from tests.api_data import EVENT_IDS, build_db, documents
from tests.fixtures.stories.loader import build_fixture_db

TABLES = {"articles": "ingested_at", "events": None, "event_items": None, "mentions": None}


def dump(store: Store) -> dict[str, list[tuple[Any, ...]]]:
    """Every stored row, in a fixed order, without the write times."""
    out = {}
    for table, skip in TABLES.items():
        columns = f"* EXCLUDE ({skip})" if skip else "*"
        out[table] = store.con.execute(f"SELECT {columns} FROM {table} ORDER BY ALL").fetchall()
    return out


# -- batch writes ------------------------------------------------------------------------------
def test_write_documents_stores_what_write_document_stores(tmp_path):
    docs = documents()
    with Store(tmp_path / "one.duckdb") as one, Store(tmp_path / "batch.duckdb") as batch:
        for doc in docs:
            one.write_document(doc, run_id="r1")
        batch.write_documents(docs, run_id="r1")
        assert dump(batch) == dump(one)
        assert len(dump(batch)["events"]) == len(EVENT_IDS)


def test_write_documents_replaces_and_the_later_document_wins(tmp_path):
    docs = documents()
    first, second = docs[0], docs[1]
    fewer = dataclasses.replace(first, events=first.events[:1])
    with Store(tmp_path / "a.duckdb") as store:
        store.write_documents(docs)
        # the same article twice in one batch: the later document is what is stored
        store.write_documents([first, fewer, Document(second.article)], duplicate_of={second.article.id: "art-1"})
        events = {r[0] for r in store.con.execute("SELECT id FROM events WHERE article_id IN ('art-1', 'art-2')"
                                                  ).fetchall()}
        assert events == {first.events[0].id}
        assert store.con.execute("SELECT count(*) FROM event_items WHERE event_id = ?",
                                 [first.events[1].id]).fetchone()[0] == 0
        assert store.article("art-2")["duplicate_of"] == "art-1"
        assert store.article("art-1")["duplicate_of"] is None
        assert store.counts()["articles"] == len(docs)


def test_write_ledger_in_bulk(tmp_path):
    from aidtrace.models import LedgerEntry

    entries = [LedgerEntry(origin=f"f.jsonl:{n}", status="stored", article_id=f"a{n}") for n in range(300)]
    with Store(tmp_path / "l.duckdb") as store:
        store.write_ledger(entries, run_id="r")
        store.write_ledger([], run_id="r")
        rows = store.ledger()
        assert len(rows) == 300 and {r["run_id"] for r in rows} == {"r"} and rows[0]["logged_at"] is not None


# -- flows for the API -------------------------------------------------------------------------
@pytest.fixture(scope="module")
def stories_db(tmp_path_factory) -> Path:
    return build_fixture_db(tmp_path_factory.mktemp("fast") / "fixture.duckdb")


@pytest.mark.parametrize("filters", [{}, {"source": "CHN"}, {"target": "MKD"}, {"item_class": "masks"},
                                     {"status": "pledged"}, {"since": "2020-04", "until": "2020-05"}])
@pytest.mark.parametrize("limit", [0, 3, 1000])
def test_flow_totals_are_the_flow_report(stories_db, filters, limit):
    with Store(stories_db, read_only=True) as store:
        report = flows(store, **filters).to_dict()
        totals = flow_totals(store, excluded_limit=limit, **filters)
    assert totals.rows == report["rows"]
    assert totals.excluded == report["excluded"][:limit]
    assert totals.excluded_total == len(report["excluded"])
    assert totals.excluded_by_reason == report["excluded_by_reason"]


# -- events pages ------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def events_db(tmp_path_factory) -> Path:
    return build_db(tmp_path_factory.mktemp("pages") / "api.duckdb")


def plain_page(store: Store, q: EventPageQuery, size: int) -> tuple[int, list[str]]:
    """The page as one straightforward query (count, then ORDER BY with the id tie-break)."""
    where = queries.event_where(q)
    total = store.con.execute("SELECT count(*) FROM events e" + where.sql, list(where.params)).fetchone()[0]
    ids = store.con.execute(
        f"SELECT e.id FROM events e JOIN articles a ON a.id = e.article_id{where.sql}"
        f"{queries.order_by(q.sort, q.order)} LIMIT ? OFFSET ?", [*where.params, size, (q.page - 1) * size]).fetchall()
    return total, [i for (i,) in ids]


@pytest.mark.parametrize("sort", ["published", "date", "id"])
@pytest.mark.parametrize("order", ["asc", "desc"])
@pytest.mark.parametrize("filters", [{}, {"item_class": "masks"}, {"item_class": "ventilators", "type": "AID"},
                                     {"item_class": "food"}, {"source": "CHN"}, {"since": "2020-04"}])
def test_event_page_fast_paths(events_db, sort, order, filters):
    with Store(events_db, read_only=True) as store, ThreadPoolExecutor(2) as pool:
        keys = queries.RowKeys(
            item_rowids=queries.rowids_with_item(store, filters["item_class"]) if "item_class" in filters else None,
            published=queries.published_by_rowid(store))
        for page in (1, 2, 3):
            q = EventPageQuery(**filters, sort=sort, order=order, page=page, size=3)
            total, expected = plain_page(store, q, 3)
            kw = dict(sort=sort, order=order, limit=3, offset=(page - 1) * 3)
            fast_total, fast = queries.event_page(store, q, with_total=True, pool=pool, keys=keys, **kw)
            slow_total, slow = queries.event_page(store, q, with_total=True, **kw)
            assert fast_total == slow_total == total
            assert [r["id"] for r in fast] == [r["id"] for r in slow] == expected
            assert fast == slow
            assert queries.event_page(store, q, keys=keys, **kw) == (None, fast)
            for row in fast:
                stored = store.event(row["id"])["items"]
                assert row["items"] == [{k: v for k, v in it.items() if k != "idx"} for it in stored]
