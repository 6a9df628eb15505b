"""The read queries behind the HTTP API (events, timeline, actors, stats, downloads).

Every value that comes from a request reaches DuckDB as a bound parameter; the only SQL
text built from a request is chosen from fixed whitelists (sort columns, directions).
Flows and stories are not computed here: their logic lives in ``aidtrace.flows`` and
``aidtrace.stories`` and the API calls it.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from concurrent.futures import Executor
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

import pyarrow as pa

from ..store import Store
from ..store.db import EVENT_COLUMNS, event_tables
from ..store.reviews import mark
from .models import EventFilter, EventOut

T = TypeVar("T")

# The whitelist: request values pick one of these, they never become SQL themselves.
SORT_COLUMNS = {"date": "e.date", "published": "a.published", "type": "e.type",
                "source": "e.source_code", "target": "e.target_code", "status": "e.status",
                "confidence": "e.confidence", "id": "e.id"}
DIRECTIONS = {"asc": "ASC", "desc": "DESC"}
ARTICLE_COLUMNS = "a.published, a.outlet, a.url, a.title"
MAX_WORDS = 10  # words of a text search; more would only slow the scan down


@dataclass(frozen=True)
class Where:
    """A WHERE clause over ``events e`` and its bound parameters."""

    sql: str
    params: tuple[Any, ...]


def _like_word(word: str) -> str:
    return "%" + re.sub(r"([\\%_])", r"\\\1", word) + "%"


def event_where(f: EventFilter, *, item_rowids: str | None = None) -> Where:
    """The filters as SQL; ``item_rowids`` names a registered table of the rowids of the
    events that have an item of ``f.item_class`` (see :class:`RowKeys`), used instead of the
    semi-join on ``event_items``."""
    clauses: list[str] = []
    params: list[Any] = []
    for column, value in (("e.type", f.type), ("e.source_code", f.source and f.source.upper()),
                          ("e.target_code", f.target and f.target.upper()), ("e.status", f.status),
                          ("e.article_id", f.article)):
        if value is not None:
            clauses.append(f"{column} = ?")
            params.append(value)
    if f.since:
        clauses.append("e.date >= ?")
        params.append(f.since)
    if f.until:
        clauses.append("e.date <= ?")
        params.append(f.until + "~")  # "2020-03" <= "2020-03~" keeps every day of March
    if f.item_class and item_rowids:
        clauses.append(f"e.rowid IN (SELECT rid FROM {item_rowids})")
    elif f.item_class:
        items = event_tables(f.as_extracted)[1]
        clauses.append(f"EXISTS (SELECT 1 FROM {items} i WHERE i.event_id = e.id AND i.item_class = ?)")
        params.append(f.item_class)
    if f.q:
        for word in f.q.split()[:MAX_WORDS]:
            clauses.append("e.sentence ILIKE ? ESCAPE '\\'")
            params.append(_like_word(word))
    return Where(" WHERE " + " AND ".join(clauses) if clauses else "", tuple(params))


def order_by(sort: str, order: str) -> str:
    # the id tie-break makes pages stable: no row is on two pages or on none
    return f" ORDER BY {SORT_COLUMNS[sort]} {DIRECTIONS[order]} NULLS LAST, e.id ASC"


# What a page shows of an event row (the model leaves out offsets and the run id): every
# column fetched by key costs DuckDB a decode per row.
PAGE_COLUMNS = ", ".join(c for c in EVENT_COLUMNS if c in EventOut.model_fields)


@dataclass(frozen=True)
class RowKeys:
    """Per-event facts keyed by the events' DuckDB rowid, for a store that nothing writes.

    An events page filtered by item class, or sorted by publication date, otherwise joins
    on the events' string ids or article ids: DuckDB then decodes those strings for every
    matching row, which costs more than the rest of the page. Keyed by rowid (free to read)
    the same filter and sort cost little. Rowids stay put only while nothing writes to the
    file, so these are built only by a read-only server, once, and kept until it stops.
    """

    item_rowids: pa.Table | None = None  # (rid), for the filter's item class
    published: pa.Table | None = None  # (rid, published), for sort=published


def rowids_with_item(store: Store, item_class: str) -> pa.Table:
    """The rowids of the events with an item of this class, as a pyarrow Table (rid)."""
    return store.con.sql("SELECT DISTINCT e.rowid AS rid FROM events e WHERE EXISTS"
                         " (SELECT 1 FROM event_items i WHERE i.event_id = e.id AND i.item_class = ?)",
                         params=[item_class]).to_arrow_table()


def published_by_rowid(store: Store) -> pa.Table:
    """Every event's rowid and its article's publication date, as a pyarrow Table."""
    return store.con.sql("SELECT e.rowid AS rid, a.published FROM events e"
                         " JOIN articles a ON a.id = e.article_id").to_arrow_table()


def event_page(store: Store, f: EventFilter, *, sort: str, order: str, limit: int, offset: int,
               with_total: bool = False, pool: Executor | None = None,
               keys: RowKeys | None = None) -> tuple[int | None, list[dict[str, Any]]]:
    """One page of events, and with ``with_total`` the number of matching events.

    Two steps: the page's keys (a top-N over the filtered rows, which also counts them when
    asked, so that a new filter scans the table once), then the page's rows, articles and
    items by key. Joining the articles before the cut would cost a hash join over every
    matching row; after it, they are a lookup of fifty keys. Given a ``pool``, the items
    are looked up beside the rows, on their own cursor.
    ``keys`` (read-only stores) replace the item semi-join and the article join; they are
    rowids of the machine's rows, given only when that is the view asked for or nothing is reviewed.
    """
    views: dict[str, pa.Table] = {}
    if keys is not None and keys.item_rowids is not None and f.item_class:
        views["page_item_rowids"] = keys.item_rowids
    if keys is not None and keys.published is not None and sort == "published":
        views["page_published"] = keys.published
    where = event_where(f, item_rowids="page_item_rowids" if "page_item_rowids" in views else None)
    if "page_published" in views:
        join, column = " JOIN page_published p ON p.rid = e.rowid", "p.published"
    else:
        join = " JOIN articles a ON a.id = e.article_id" if sort == "published" else ""
        column = SORT_COLUMNS[sort]
    direction = f"{DIRECTIONS[order]} NULLS LAST"
    # only the sort key and the id: every other column read here is decoded for every matching row
    # rowid keys exist only where the two views agree (nothing reviewed, or the machine's asked for)
    events = event_tables(f.as_extracted or keys is not None)[0]
    matching = f"SELECT e.id, {column} AS k FROM {events} e{join}{where.sql}"
    for name, table in views.items():
        store.con.register(name, table)
    try:
        if with_total:
            found = store.con.execute(
                f"WITH matching AS MATERIALIZED ({matching}), n AS (SELECT count(*) AS total FROM matching)"
                f" SELECT n.total, p.id FROM n LEFT JOIN (SELECT * FROM matching"
                f" ORDER BY k {direction}, id LIMIT ? OFFSET ?) p ON true ORDER BY p.k {direction}, p.id",
                [*where.params, limit, offset]).fetchall()
            total: int | None = int(found[0][0])
            ids = [i for _, i in found if i is not None]
        else:
            total = None
            ids = [i for (i,) in store.con.execute(
                f"SELECT id FROM ({matching}) ORDER BY k {direction}, id LIMIT ? OFFSET ?",
                [*where.params, limit, offset]).fetchall()]
    finally:
        for name in views:
            store.con.unregister(name)
    return total, page_rows(store, f, ids, pool=pool, machine=keys is not None)


def page_rows(store: Store, f: EventFilter, ids: list[str], *, pool: Executor | None = None,
              machine: bool = False, article_ids: list[str] | None = None) -> list[dict[str, Any]]:
    """The rows of a page's event ids, in their order, with their articles and items.

    ``machine``: read the machine's rows whatever view ``f`` asks, and mark no reviews; the
    caller knows they agree (the machine's view is asked, or nothing is reviewed). Given a
    ``pool``, the items are looked up beside the rows on their own cursor, and so are the
    articles when their ids are known beforehand (``article_ids``).
    """
    if not ids:
        return []
    events, items_table = event_tables(f.as_extracted or machine)
    if pool is None:
        rows, items = _rows_by_id(store, events, ids), _items_by_event(store, items_table, ids)
        articles = _articles_by_id(store, sorted({r["article_id"] for r in rows.values()}))
    else:
        items_future = pool.submit(_closing, store.cursor(), _items_by_event, items_table, ids)
        articles_future = (pool.submit(_closing, store.cursor(), _articles_by_id, sorted(set(article_ids)))
                           if article_ids is not None else None)
        rows = _rows_by_id(store, events, ids)
        articles = (articles_future.result() if articles_future is not None else
                    _articles_by_id(store, sorted({r["article_id"] for r in rows.values()})))
        items = items_future.result()
    page = [{**rows[i], **articles[rows[i]["article_id"]], "items": items.get(i, [])} for i in ids]
    return mark(store, page, as_extracted=f.as_extracted or machine)


def _in_list(values: list[str]) -> str:
    # a list of bound parameters, not unnest(?): DuckDB answers it from the key's index
    return "(" + ",".join("?" * len(values)) + ")"


def _closing(own: Store, fn: Callable[..., T], *args: Any) -> T:
    """``fn(own, *args)`` on a cursor of its own (a DuckDB connection serves one thread at
    a time), opened by the caller's thread and closed here."""
    with own:
        return fn(own, *args)


def _rows_by_id(store: Store, table: str, ids: list[str]) -> dict[str, dict[str, Any]]:
    return {r["id"]: r for r in store.query(f"SELECT {PAGE_COLUMNS} FROM {table} WHERE id IN {_in_list(ids)}", ids)}


def _articles_by_id(store: Store, ids: list[str]) -> dict[str, dict[str, Any]]:
    return {r.pop("id"): r for r in store.query(
        f"SELECT id, published, outlet, url, title FROM articles WHERE id IN {_in_list(ids)}", ids)}


def _items_by_event(store: Store, table: str, ids: list[str]) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for item in store.query(f"SELECT event_id, item, item_class, quantity, unit, qualifier FROM {table}"
                            f" WHERE event_id IN {_in_list(ids)} ORDER BY event_id, idx", ids):
        out.setdefault(item.pop("event_id"), []).append(item)
    return out


def iter_events(store: Store, f: EventFilter, *, sort: str, order: str,
                batch: int = 5000) -> Iterator[dict[str, Any]]:
    """Every matching event with its items, streamed in batches (for downloads)."""
    where = event_where(f)
    events, item_table = event_tables(f.as_extracted)
    items = ("(SELECT list({'item': i.item, 'item_class': i.item_class, 'quantity': i.quantity,"
             f" 'unit': i.unit, 'qualifier': i.qualifier}} ORDER BY i.idx) FROM {item_table} i"
             " WHERE i.event_id = e.id) AS items")
    marks = ("NULL AS reviewed_by, NULL AS reviewed_at, NULL AS review" if f.as_extracted else
             "r.reviewer AS reviewed_by, r.reviewed_at, r.action AS review")
    reviewed = "" if f.as_extracted else " LEFT JOIN review_state r ON r.id = e.id AND NOT r.hidden"
    cur = store.con.execute(f"SELECT e.*, {ARTICLE_COLUMNS}, {items}, {marks} FROM {events} e"
                            f" JOIN articles a ON a.id = e.article_id{reviewed}{where.sql}{order_by(sort, order)}",
                            list(where.params))
    columns = [d[0] for d in cur.description]
    while chunk := cur.fetchmany(batch):
        for row in chunk:
            out = dict(zip(columns, row))
            out["items"] = out["items"] or []
            yield out


def timeline(store: Store, f: EventFilter) -> tuple[int, list[dict[str, Any]]]:
    """Events per month and type; events dated only to a year (or undated) are counted apart."""
    where = event_where(f)
    events = event_tables(f.as_extracted)[0]
    monthly = "length(e.date) >= 7"
    joiner = " AND " if where.sql else " WHERE "
    rows = store.query(f"SELECT substr(e.date, 1, 7) AS month, e.type, count(*) AS events FROM {events} e"
                       f"{where.sql}{joiner}{monthly} GROUP BY ALL ORDER BY month, e.type", list(where.params))
    undated = store.con.execute(f"SELECT count(*) FROM {events} e{where.sql}{joiner}"
                                f"(e.date IS NULL OR NOT {monthly})", list(where.params)).fetchone()[0]
    return int(undated), rows


def actor_counts(store: Store, role: str) -> list[dict[str, Any]]:
    sources = "SELECT source_code AS code, 1 AS s, 0 AS t FROM corrected_events WHERE source_code IS NOT NULL"
    targets = "SELECT target_code AS code, 0 AS s, 1 AS t FROM corrected_events WHERE target_code IS NOT NULL"
    union = {"source": sources, "target": targets, "any": f"{sources} UNION ALL {targets}"}[role]
    return store.query(f"SELECT code, sum(s)::BIGINT AS as_source, sum(t)::BIGINT AS as_target"
                       f" FROM ({union}) GROUP BY code ORDER BY as_source + as_target DESC, code")


def aware(moment: datetime | None) -> datetime | None:
    """``ingested_at`` is stored without a zone, in the writing machine's local time
    (DuckDB's default session time zone); report it with that offset, as RFC 3339 wants."""
    return moment.astimezone() if moment is not None and moment.tzinfo is None else moment


def stats(store: Store) -> dict[str, Any]:
    con = store.con
    as_of, articles = con.execute("SELECT max(ingested_at), count(*) FROM articles").fetchone()
    as_of = aware(as_of)
    events, first, last = con.execute("SELECT count(*), min(date), max(date) FROM corrected_events").fetchone()
    by_type = dict(con.execute("SELECT type, count(*) FROM corrected_events GROUP BY type ORDER BY type").fetchall())
    reviewed = con.execute("SELECT count(*) FILTER (WHERE NOT hidden), count(*) FILTER (WHERE hidden)"
                           " FROM review_state").fetchone()
    stories = con.execute("SELECT count(*) FROM stories").fetchone()[0]
    return dict(as_of=as_of, articles=articles, events=events, stories=stories, events_by_type=by_type,
                first_event_date=first, last_event_date=last, schema_version=store.schema_version,
                confirmed_events=reviewed[0], rejected_events=reviewed[1])


def event_detail(store: Store, event_id: str, *, as_extracted: bool = False) -> dict[str, Any]:
    """One event with its evidence (trigger placed in the sentence) and its article's metadata."""
    row = store.event(event_id, as_extracted=as_extracted)
    article = store.query("SELECT id, url, title, outlet, published, lang, licence, source, duplicate_of,"
                          " ingested_at FROM articles WHERE id = ?", [row["article_id"]])[0]
    article["ingested_at"] = aware(article["ingested_at"])
    row["article"] = article
    row["evidence"] = dict(article_id=row["article_id"], sentence_index=row["sentence_index"],
                           sentence_start=row["sentence_start"], sentence_end=row["sentence_end"],
                           sentence=row["sentence"], trigger=row["trigger"],
                           trigger_start=row["trigger_start"], trigger_end=row["trigger_end"],
                           highlight=highlight(row))
    return row


def highlight(row: dict[str, Any]) -> tuple[int, int] | None:
    """The trigger's span within the sentence, from the article offsets the store keeps.

    Checked against the trigger text. The stored sentence is stripped of surrounding
    whitespace while its start offset is not, so when the offsets miss, the occurrence of
    the trigger nearest to where they point is taken; no occurrence means no highlight
    (never the wrong words).
    """
    sentence, trigger = row["sentence"], row["trigger"]
    start, t0, t1 = row["sentence_start"], row["trigger_start"], row["trigger_end"]
    if not sentence or not trigger or None in (start, t0, t1):
        return None
    lo = t0 - start
    if sentence[lo:lo + len(trigger)] == trigger and lo >= 0:
        return lo, lo + len(trigger)
    found = [m.start() for m in re.finditer(re.escape(trigger), sentence)]
    if not found:
        return None
    best = min(found, key=lambda i: abs(i - lo))
    return best, best + len(trigger)


def article_detail(store: Store, article_id: str, *, as_extracted: bool = False) -> dict[str, Any]:
    row = store.article(article_id)
    row["ingested_at"] = aware(row["ingested_at"])
    row["event_ids"] = [r["id"] for r in store.query(
        f"SELECT id FROM {event_tables(as_extracted)[0]} WHERE article_id = ? ORDER BY sentence_index, id",
        [article_id])]
    return row
