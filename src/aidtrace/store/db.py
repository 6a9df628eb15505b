"""The DuckDB store: the one place that opens the database file.

DuckDB allows one writing process per file. aidtrace keeps to that: ingest (local or
Dask) funnels every write through one ``Store`` in one process; readers (CLI queries,
the HTTP server) open it read-only.
"""
from __future__ import annotations

import hashlib
import uuid
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from ..errors import NotFoundError, StoreError
from ..models import Article, Document, Event, LedgerEntry
from .schema import MIGRATIONS, SCHEMA_VERSION

EVENT_COLUMNS = (
    "id", "article_id", "type", "mode", "cameo",
    "source_code", "source_sector", "source_text", "source_via",
    "target_code", "target_sector", "target_text", "target_via",
    "target_count", "target_count_qualifier", "target_group",
    "value_amount", "value_currency", "value_usd", "value_qualifier",
    "status", "transfer_mode", "granularity", "date", "date_precision", "date_text",
    "attributed_to", "claim_cue", "factuality",
    "sentence_index", "sentence_start", "sentence_end", "sentence",
    "trigger", "trigger_start", "trigger_end", "confidence", "extractor", "run_id",
)


def event_tables(as_extracted: bool = False) -> tuple[str, str]:
    """The events and items relations a read uses: the corrected view (reviews applied,
    see ``aidtrace.store.reviews``) unless the machine's own rows are asked for."""
    return ("events", "event_items") if as_extracted else ("corrected_events", "corrected_event_items")


def content_hash(text: str) -> str:
    return hashlib.sha1(" ".join(text.split()).encode("utf-8")).hexdigest()


def event_row(ev: Event, run_id: str | None) -> tuple[Any, ...]:
    s, t, v, c, e = ev.source, ev.target, ev.value, ev.claim, ev.evidence
    return (
        ev.id, ev.article, ev.type, ev.mode, ev.cameo,
        s.code if s else None, s.sector if s else None, s.text if s else None, s.via if s else None,
        t.code if t else None, t.sector if t else None, t.text if t else None, t.via if t else None,
        ev.target_count, ev.target_count_qualifier, ev.target_group,
        v.amount if v else None, v.currency if v else None, v.usd if v else None,
        v.qualifier if v else None,
        ev.status, ev.transfer_mode, ev.granularity, ev.date, ev.date_precision, ev.date_text,
        c.attributed_to.code if c.attributed_to else None, c.cue, c.factuality,
        e.sentence_index, e.start, e.end, e.sentence, e.trigger, e.trigger_start, e.trigger_end,
        ev.confidence, ev.extractor, run_id,
    )


ARTICLE_COLUMNS = ("id", "url", "title", "published", "outlet", "lang", "licence", "source", "text",
                   "content_hash", "duplicate_of", "run_id")
LEDGER_COLUMNS = ("origin", "status", "reason", "article_id", "duplicate_of", "run_id")
MENTION_COLUMNS = ("article_id", "sentence", "start_char", "end_char", "text", "code", "kind", "sector",
                   "antecedent")
ITEM_COLUMNS = ("event_id", "idx", "item", "item_class", "quantity", "unit", "qualifier")


# Row builders, shared by the Store's own writes and by the Parquet shards of the
# parallel runner (aidtrace.shards), so that both paths store identical rows.
def article_row(article: Article, duplicate_of: str | None, run_id: str | None) -> tuple[Any, ...]:
    """An ``articles`` row in ARTICLE_COLUMNS order."""
    return (article.id, article.url, article.title, article.published, article.outlet,
            article.lang, article.licence, article.source, article.text,
            content_hash(article.text), duplicate_of, run_id)


def mention_rows(doc: Document) -> list[tuple[Any, ...]]:
    """``mentions`` rows in table order."""
    aid = doc.article.id
    return [(aid, m.sentence, m.start, m.end, m.text, m.code, m.kind, m.sector, m.antecedent)
            for m in doc.mentions]


def item_rows(events: Iterable[Event]) -> list[tuple[Any, ...]]:
    """``event_items`` rows in table order."""
    return [(ev.id, i, it.item, it.item_class, it.quantity, it.unit, it.qualifier)
            for ev in events for i, it in enumerate(ev.items)]


def ledger_row(entry: LedgerEntry, run_id: str | None) -> tuple[Any, ...]:
    """A ``ledger`` row in LEDGER_COLUMNS order."""
    return (entry.origin, entry.status, entry.reason, entry.article_id, entry.duplicate_of, run_id)


class Store:
    """A DuckDB file with aidtrace's schema. Use as a context manager."""

    def __init__(self, path: str | Path = "aidtrace.duckdb", *, read_only: bool = False) -> None:
        self.path = str(path)
        self.read_only = read_only
        try:
            if read_only and not Path(self.path).exists():
                raise StoreError(f"no database at {self.path}: run `aidtrace ingest` first")
            self.con = duckdb.connect(self.path, read_only=read_only)
        except duckdb.Error as exc:
            raise StoreError(f"cannot open {self.path}: {exc}") from exc
        if not read_only:
            self._migrate()

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.con.close()

    def cursor(self) -> "Store":
        """A Store on a new cursor of the same open database, for use on another thread.

        A DuckDB connection must not be shared between threads; its cursors may be, one
        each (the HTTP server gives every request its own). Closing it closes the cursor only.
        """
        view = object.__new__(Store)
        view.path, view.read_only, view.con = self.path, self.read_only, self.con.cursor()
        return view

    # -- schema -------------------------------------------------------------------
    def _migrate(self) -> None:
        self.con.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER)")
        row = self.con.execute("SELECT max(version) FROM schema_version").fetchone()
        current = row[0] or 0 if row else 0
        for number, sql in enumerate(MIGRATIONS[current:], start=current + 1):
            with self.transaction():
                self.con.execute(sql)
                self.con.execute("INSERT INTO schema_version VALUES (?)", [number])

    @property
    def schema_version(self) -> int:
        return int(self.con.execute("SELECT max(version) FROM schema_version").fetchone()[0])

    @contextmanager
    def transaction(self) -> Iterator[None]:
        self.con.execute("BEGIN TRANSACTION")
        try:
            yield
        except BaseException:
            self.con.execute("ROLLBACK")
            raise
        self.con.execute("COMMIT")

    # -- runs ---------------------------------------------------------------------
    def start_run(self, command: str, pipeline_version: str, config_hash: str) -> str:
        run_id = uuid.uuid4().hex[:12]
        self.con.execute(
            "INSERT INTO runs (id, command, started, pipeline_version, config_hash) VALUES (?,?,?,?,?)",
            [run_id, command, datetime.now(timezone.utc), pipeline_version, config_hash])
        return run_id

    def finish_run(self, run_id: str, counts: dict[str, int]) -> None:
        self.con.execute(
            "UPDATE runs SET finished=?, stored=?, duplicates=?, skipped=?, rejected=? WHERE id=?",
            [datetime.now(timezone.utc), counts.get("stored", 0), counts.get("duplicate", 0),
             counts.get("skipped", 0), counts.get("rejected", 0), run_id])

    # -- writes -------------------------------------------------------------------
    def has_article(self, article_id: str) -> bool:
        return self.con.execute("SELECT 1 FROM articles WHERE id=?", [article_id]).fetchone() is not None

    def find_by_hash(self, digest: str) -> str | None:
        row = self.con.execute(
            "SELECT id FROM articles WHERE content_hash=? AND duplicate_of IS NULL LIMIT 1",
            [digest]).fetchone()
        return row[0] if row else None

    def write_article(self, article: Article, *, duplicate_of: str | None = None,
                      run_id: str | None = None) -> None:
        """Insert or replace one article row (its events are written by write_document)."""
        self.con.execute("DELETE FROM articles WHERE id=?", [article.id])
        self.con.execute(
            f"INSERT INTO articles ({','.join(ARTICLE_COLUMNS)}) VALUES ({','.join('?' * len(ARTICLE_COLUMNS))})",
            list(article_row(article, duplicate_of, run_id)))
        self.write_keys({}, replaced=[article.id], pending=[article.id])

    def write_document(self, doc: Document, *, run_id: str | None = None) -> None:
        """Replace everything stored for ``doc.article`` with this document's rows.

        Not a transaction by itself: callers group documents into one atomic batch.
        """
        self.write_documents([doc], run_id=run_id)

    def write_documents(self, docs: Iterable[Document], *, run_id: str | None = None,
                        duplicate_of: Mapping[str, str] | None = None,
                        keys: Mapping[str, Sequence[int]] | None = None,
                        replaced: Collection[str] = ()) -> None:
        """Replace everything stored for each document's article with that document's rows.

        A batch costs a few statements whatever its size: one DELETE per table for all its
        articles, then one bulk INSERT per table through Arrow (DuckDB's executemany costs
        about a millisecond per row). Reviews of these articles are re-attached to the new
        events (``aidtrace.store.reviews.reattach``). Articles in ``duplicate_of`` (id -> original) are
        stored as copies of it. When one article comes twice, the later document is the one
        stored. ``keys`` (id -> dedup keys, from ingest) are stored as the articles' dedup
        state, replacing those of the ``replaced`` ids; without ``keys`` the articles are
        queued for the next ingest to compute theirs. Not a transaction by itself: callers
        group documents into one atomic batch.
        """
        latest = {doc.article.id: doc for doc in docs}
        if not latest:
            return
        ids = list(latest)
        copies = duplicate_of or {}
        # with keys, ingest has looked every id up: only the replaced ones can be stored
        stale = ids if keys is None else [i for i in ids if i in replaced]
        if stale:
            self.con.execute("DELETE FROM event_items WHERE event_id IN"
                             " (SELECT id FROM events WHERE article_id IN (SELECT unnest(?)))", [stale])
            for table, column in (("events", "article_id"), ("mentions", "article_id"), ("articles", "id")):
                self.con.execute(f"DELETE FROM {table} WHERE {column} IN (SELECT unnest(?))", [stale])
        batch = list(latest.values())
        events = [ev for doc in batch for ev in doc.events]
        self.insert_rows("articles", ARTICLE_COLUMNS,
                     [article_row(d.article, copies.get(d.article.id), run_id) for d in batch])
        self.insert_rows("mentions", MENTION_COLUMNS, [row for d in batch for row in mention_rows(d)])
        self.insert_rows("events", EVENT_COLUMNS, [event_row(ev, run_id) for ev in events])
        self.insert_rows("event_items", ITEM_COLUMNS, item_rows(events))
        from .reviews import reattach  # reviews builds on this module

        reattach(self, ids)  # the reviews of re-extracted articles follow their events
        if keys is None:
            self.write_keys({}, replaced=ids, pending=ids)
        else:
            self.write_keys(keys, replaced=replaced)

    def write_keys(self, keys: Mapping[str, Sequence[int]], *, replaced: Collection[str] = (),
                   pending: Collection[str] = ()) -> None:
        """Store articles' dedup keys (``aidtrace.ingest.fingerprint``) after deleting those of
        the ``replaced`` ids; ``pending`` ids wait for the next ingest to compute theirs.

        Deleting costs a scan of the keys table, so callers name only the ids that may have
        keys stored (articles replaced under the same id), not every article they write.
        """
        if replaced:
            self.con.execute("DELETE FROM dedup_keys WHERE article_id IN (SELECT unnest(?))", [list(replaced)])
        if pending:
            self.con.execute("INSERT OR IGNORE INTO dedup_pending SELECT unnest(?)", [list(pending)])
        self.insert_rows("dedup_keys", ("key", "article_id"),
                         [(k, aid) for aid, article_keys in keys.items() for k in article_keys])

    def write_ledger(self, entries: Iterable[LedgerEntry], run_id: str | None = None) -> None:
        self.insert_rows("ledger", LEDGER_COLUMNS, [ledger_row(e, run_id) for e in entries])

    def insert_rows(self, table: str, columns: tuple[str, ...], rows: list[tuple[Any, ...]]) -> None:
        """Append rows (tuples in ``columns`` order) in one INSERT through an Arrow table."""
        if not rows:
            return
        data = pa.Table.from_arrays([pa.array(list(col)) for col in zip(*rows)], names=list(columns))
        view = f"_new_{table}"
        self.con.register(view, data)
        try:
            names = ",".join(columns)
            self.con.execute(f"INSERT INTO {table} ({names}) SELECT {names} FROM {view}")
        finally:
            self.con.unregister(view)

    # -- reads --------------------------------------------------------------------
    def query(self, sql: str, params: list[Any] | None = None) -> list[dict[str, Any]]:
        cur = self.con.execute(sql, params or [])
        cols = [d[0] for d in cur.description]
        return [dict(zip(cols, row)) for row in cur.fetchall()]

    def events(self, *, type: str | None = None, source: str | None = None,
               target: str | None = None, since: str | None = None, until: str | None = None,
               item: str | None = None, article: str | None = None,
               limit: int | None = None, as_extracted: bool = False) -> list[dict[str, Any]]:
        """Events with their items, filtered; every filter is a bound parameter.

        The corrected view by default, each row saying who confirmed it (``reviewed_by``);
        ``as_extracted`` reads the machine's rows as extracted.
        """
        events, items = event_tables(as_extracted)
        where, params = [], []
        for col, val in (("e.type", type), ("e.source_code", source), ("e.target_code", target),
                         ("e.article_id", article)):
            if val:
                where.append(f"{col} = ?")
                params.append(val.upper() if col != "e.article_id" else val)
        if since:
            where.append("e.date >= ?")
            params.append(since)
        if until:
            where.append("e.date <= ?")
            params.append(until + "~")  # "2020-03" <= "2020-03~" includes 2020-03-31
        if item:
            where.append(f"EXISTS (SELECT 1 FROM {items} i WHERE i.event_id = e.id"
                         " AND i.item_class = ?)")
            params.append(item)
        sql = (f"SELECT e.*, a.published, a.url, a.title, a.outlet FROM {events} e"
               " JOIN articles a ON a.id = e.article_id")
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY e.date NULLS LAST, e.article_id, e.sentence_index, e.id"
        if limit:
            sql += f" LIMIT {int(limit)}"
        rows = self.query(sql, params)
        self._attach_items(rows, items)
        return self._marked(rows, as_extracted)

    def _marked(self, rows: list[dict[str, Any]], as_extracted: bool) -> list[dict[str, Any]]:
        from .reviews import mark  # reviews builds on this module

        return mark(self, rows, as_extracted=as_extracted)

    def _attach_items(self, rows: list[dict[str, Any]], table: str = "event_items") -> None:
        if not rows:
            return
        ids = [r["id"] for r in rows]
        items: dict[str, list[dict[str, Any]]] = {i: [] for i in ids}
        for it in self.query(f"SELECT * FROM {table} WHERE event_id IN (SELECT unnest(?))"
                             " ORDER BY event_id, idx", [ids]):
            items[it.pop("event_id")].append(it)
        for r in rows:
            r["items"] = items[r["id"]]

    def event(self, event_id: str, *, as_extracted: bool = False) -> dict[str, Any]:
        """One event with its items: as corrected by reviews unless ``as_extracted``."""
        events, items = event_tables(as_extracted)
        rows = self.query(f"SELECT e.*, a.published, a.url, a.title, a.outlet FROM {events} e"
                          " JOIN articles a ON a.id = e.article_id WHERE e.id = ?", [event_id])
        if not rows:
            hidden = None if as_extracted else self.con.execute(
                "SELECT reviewer FROM review_state WHERE id = ? AND hidden", [event_id]).fetchone()
            if hidden:
                raise NotFoundError(f"event {event_id!r} was rejected by reviewer {hidden[0]!r}"
                                    " (the machine's view, --as-extracted, still shows it)")
            raise NotFoundError(f"no event {event_id!r}")
        self._attach_items(rows, items)
        return self._marked(rows, as_extracted)[0]

    def resolve_event_id(self, prefix: str) -> str:
        """A full event id from a unique prefix (ids are shown shortened in tables): of the
        machine's events or of the events reviewers added."""
        rows = self.con.execute("SELECT id FROM events WHERE starts_with(id, ?) UNION"
                                " SELECT id FROM review_state WHERE starts_with(id, ?) LIMIT 2",
                                [prefix, prefix]).fetchall()
        if not rows:
            raise NotFoundError(f"no event {prefix!r}")
        if len(rows) > 1:
            raise NotFoundError(f"event id prefix {prefix!r} is ambiguous; give more characters")
        return str(rows[0][0])

    def article(self, article_id: str) -> dict[str, Any]:
        rows = self.query("SELECT * FROM articles WHERE id = ?", [article_id])
        if not rows:
            raise NotFoundError(f"no article {article_id!r}")
        return rows[0]

    def ledger(self, *, status: str | None = None, run_id: str | None = None,
               limit: int | None = None) -> list[dict[str, Any]]:
        where, params = [], []
        if status:
            where.append("status = ?")
            params.append(status)
        if run_id:
            where.append("run_id = ?")
            params.append(run_id)
        sql = "SELECT * FROM ledger" + (" WHERE " + " AND ".join(where) if where else "")
        sql += " ORDER BY logged_at, origin"
        if limit:
            sql += f" LIMIT {int(limit)}"
        return self.query(sql, params)

    def counts(self) -> dict[str, int]:
        out = {}
        for table in ("articles", "events", "event_items", "mentions", "ledger", "runs"):
            out[table] = int(self.con.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
        return out


__all__ = ["Store", "SCHEMA_VERSION", "event_tables", "ARTICLE_COLUMNS", "EVENT_COLUMNS", "ITEM_COLUMNS", "LEDGER_COLUMNS",
           "MENTION_COLUMNS", "article_row", "content_hash", "event_row", "item_rows", "ledger_row", "mention_rows"]
