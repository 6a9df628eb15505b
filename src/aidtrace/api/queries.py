"""The read queries behind the HTTP API (events, timeline, actors, stats, downloads).

Every value that comes from a request reaches DuckDB as a bound parameter; the only SQL
text built from a request is chosen from fixed whitelists (sort columns, directions).
Flows and stories are not computed here: their logic lives in ``aidtrace.flows`` and
``aidtrace.stories`` and the API calls it.
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ..store import Store
from .models import EventFilter

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


def event_where(f: EventFilter) -> Where:
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
    if f.item_class:
        clauses.append("EXISTS (SELECT 1 FROM event_items i WHERE i.event_id = e.id AND i.item_class = ?)")
        params.append(f.item_class)
    if f.q:
        for word in f.q.split()[:MAX_WORDS]:
            clauses.append("e.sentence ILIKE ? ESCAPE '\\'")
            params.append(_like_word(word))
    return Where(" WHERE " + " AND ".join(clauses) if clauses else "", tuple(params))


def order_by(sort: str, order: str) -> str:
    # the id tie-break makes pages stable: no row is on two pages or on none
    return f" ORDER BY {SORT_COLUMNS[sort]} {DIRECTIONS[order]} NULLS LAST, e.id ASC"


def attach_items(store: Store, rows: list[dict[str, Any]]) -> None:
    if not rows:
        return
    by_event: dict[str, list[dict[str, Any]]] = {r["id"]: [] for r in rows}
    for item in store.query("SELECT event_id, item, item_class, quantity, unit, qualifier FROM event_items"
                            " WHERE event_id IN (SELECT unnest(?)) ORDER BY event_id, idx", [list(by_event)]):
        by_event[item.pop("event_id")].append(item)
    for r in rows:
        r["items"] = by_event[r["id"]]


def count_events(store: Store, f: EventFilter) -> int:
    where = event_where(f)
    return int(store.con.execute("SELECT count(*) FROM events e" + where.sql, list(where.params)).fetchone()[0])


def event_page(store: Store, f: EventFilter, *, sort: str, order: str, limit: int,
               offset: int) -> list[dict[str, Any]]:
    """One page of events, in two steps: the page's ids (a top-N over the filtered rows),
    then those rows, their articles and items by key. Joining the articles before the cut
    costs a hash join over every matching row; after it, a lookup of fifty keys."""
    where = event_where(f)
    join = " JOIN articles a ON a.id = e.article_id" if sort == "published" else ""
    ids = [r[0] for r in store.con.execute(f"SELECT e.id FROM events e{join}{where.sql}{order_by(sort, order)}"
                                           " LIMIT ? OFFSET ?", [*where.params, limit, offset]).fetchall()]
    if not ids:
        return []
    rows = {r["id"]: r for r in store.query("SELECT * FROM events WHERE id IN (SELECT unnest(?))", [ids])}
    articles = {r.pop("id"): r for r in store.query(
        "SELECT id, published, outlet, url, title FROM articles WHERE id IN (SELECT unnest(?))",
        [list({r["article_id"] for r in rows.values()})])}
    page = [{**rows[i], **articles[rows[i]["article_id"]]} for i in ids]
    attach_items(store, page)
    return page


def iter_events(store: Store, f: EventFilter, *, sort: str, order: str,
                batch: int = 5000) -> Iterator[dict[str, Any]]:
    """Every matching event with its items, streamed in batches (for downloads)."""
    where = event_where(f)
    items = ("(SELECT list({'item': i.item, 'item_class': i.item_class, 'quantity': i.quantity,"
             " 'unit': i.unit, 'qualifier': i.qualifier} ORDER BY i.idx) FROM event_items i"
             " WHERE i.event_id = e.id) AS items")
    cur = store.con.execute(f"SELECT e.*, {ARTICLE_COLUMNS}, {items} FROM events e"
                            f" JOIN articles a ON a.id = e.article_id{where.sql}{order_by(sort, order)}",
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
    monthly = "length(e.date) >= 7"
    joiner = " AND " if where.sql else " WHERE "
    rows = store.query(f"SELECT substr(e.date, 1, 7) AS month, e.type, count(*) AS events FROM events e"
                       f"{where.sql}{joiner}{monthly} GROUP BY ALL ORDER BY month, e.type", list(where.params))
    undated = store.con.execute(f"SELECT count(*) FROM events e{where.sql}{joiner}"
                                f"(e.date IS NULL OR NOT {monthly})", list(where.params)).fetchone()[0]
    return int(undated), rows


def actor_counts(store: Store, role: str) -> list[dict[str, Any]]:
    sources = "SELECT source_code AS code, 1 AS s, 0 AS t FROM events WHERE source_code IS NOT NULL"
    targets = "SELECT target_code AS code, 0 AS s, 1 AS t FROM events WHERE target_code IS NOT NULL"
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
    events, first, last = con.execute("SELECT count(*), min(date), max(date) FROM events").fetchone()
    by_type = dict(con.execute("SELECT type, count(*) FROM events GROUP BY type ORDER BY type").fetchall())
    stories = con.execute("SELECT count(*) FROM stories").fetchone()[0]
    return dict(as_of=as_of, articles=articles, events=events, stories=stories, events_by_type=by_type,
                first_event_date=first, last_event_date=last, schema_version=store.schema_version)


def event_detail(store: Store, event_id: str) -> dict[str, Any]:
    """One event with its evidence (trigger placed in the sentence) and its article's metadata."""
    row = store.event(event_id)
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


def article_detail(store: Store, article_id: str) -> dict[str, Any]:
    row = store.article(article_id)
    row["ingested_at"] = aware(row["ingested_at"])
    row["event_ids"] = [r["id"] for r in store.query(
        "SELECT id FROM events WHERE article_id = ? ORDER BY sentence_index, id", [article_id])]
    return row
