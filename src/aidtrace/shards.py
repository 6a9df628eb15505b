"""Parquet shards: the hand-off from extraction workers to the one process that writes.

DuckDB allows one writing process per file, so a worker never opens the database. It
writes what ``Store.write_document`` would insert for its articles — ``events``,
``event_items`` and ``mentions`` rows, built by the store's own row builders — as one
Parquet file per table in one directory per shard, with a ``shard.json`` manifest (counts
and the articles whose extraction failed). The writer inserts the files with DuckDB's
``read_parquet``. Column types come from the schema's migrations, run once in an
in-memory DuckDB, so a shard cannot disagree with the tables it is loaded into.

A shard directory appears whole or not at all: it is written under a temporary name and
renamed. A worker killed mid-write leaves only a temporary directory, which the next run
removes; a finished shard survives a crash of the writer and is loaded by the next run
instead of being extracted again (its id is the hash of what it was made from).
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import socket
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from .errors import InputError
from .models import Article, Document
from .store import content_hash
from .store.db import event_row, item_rows, mention_rows
from .store.schema import MIGRATIONS

TABLES = ("events", "event_items", "mentions")
MANIFEST = "shard.json"
TMP_MARK = ".tmp-"


@dataclass(frozen=True)
class ShardManifest:
    """What a finished shard holds; ``failed`` maps article id -> why extraction failed."""

    id: str
    version: str
    articles: int
    events: int
    worker: str
    failed: dict[str, str] = field(default_factory=dict)

    def to_json(self) -> str:
        return json.dumps({"id": self.id, "version": self.version, "articles": self.articles,
                           "events": self.events, "worker": self.worker, "failed": self.failed},
                          sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> "ShardManifest":
        d = json.loads(text)
        return cls(id=d["id"], version=d["version"], articles=d["articles"], events=d["events"],
                   worker=d["worker"], failed=dict(d["failed"]))


def shard_id(articles: Sequence[Article], version: str, config_hash: str) -> str:
    """Stable id of the work: the articles (every field extraction reads), pipeline, settings.

    The same articles judged the same way by a rerun give the same id, which is how a
    finished but unloaded shard is found again after a crash.
    """
    h = hashlib.sha1(f"{version}\x1f{config_hash}".encode())
    for a in articles:
        h.update(json.dumps([a.id, content_hash(a.text), len(a.text), a.url, a.title,
                             a.published.isoformat() if a.published else None, a.outlet, a.lang],
                            ensure_ascii=False).encode())
    return h.hexdigest()[:20]


@cache
def table_schemas() -> dict[str, pa.Schema]:
    """Arrow schemas of the shard tables, read from the migrations (the one definition)."""
    con = duckdb.connect()
    try:
        for sql in MIGRATIONS:
            con.execute(sql)
        return {t: con.sql(f"SELECT * FROM {t} LIMIT 0").to_arrow_table().schema for t in TABLES}
    finally:
        con.close()


def arrow_table(rows: Sequence[tuple[Any, ...]], schema: pa.Schema) -> pa.Table:
    """Row tuples (in table column order) -> an Arrow table of exactly ``schema``."""
    if not rows:
        return schema.empty_table()
    columns = list(zip(*rows))
    return pa.Table.from_arrays([pa.array(col, type=f.type) for col, f in zip(columns, schema)],
                                schema=schema)


def shard_dir(root: str | Path, sid: str) -> Path:
    return Path(root) / sid


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def write_shard(root: str | Path, sid: str, version: str,
                results: Iterable[tuple[Article, Document | InputError]]) -> ShardManifest:
    """Write one shard atomically; return its manifest.

    If the shard already exists (an earlier attempt finished it), the existing one wins:
    its content is the same by construction of the id.
    """
    rows: dict[str, list[tuple[Any, ...]]] = {t: [] for t in TABLES}
    failed: dict[str, str] = {}
    count = 0
    for article, result in results:
        count += 1
        if isinstance(result, InputError):
            failed[article.id] = result.reason
            continue
        rows["events"].extend(event_row(ev, None) for ev in result.events)  # run id set on load
        rows["event_items"].extend(item_rows(result.events))
        rows["mentions"].extend(mention_rows(result))
    manifest = ShardManifest(id=sid, version=version, articles=count, events=len(rows["events"]),
                             worker=worker_name(), failed=failed)
    final = shard_dir(root, sid)
    tmp = final.with_name(f"{sid}{TMP_MARK}{uuid.uuid4().hex[:8]}")
    tmp.mkdir(parents=True)
    try:
        schemas = table_schemas()
        for table in TABLES:
            pq.write_table(arrow_table(rows[table], schemas[table]), tmp / f"{table}.parquet")
        (tmp / MANIFEST).write_text(manifest.to_json(), encoding="utf-8")
        os.rename(tmp, final)
    except OSError:
        existing = read_manifest(final)
        if existing is None:
            raise
        return existing
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return manifest


def read_manifest(path: str | Path) -> ShardManifest | None:
    """The manifest of a finished shard directory, or None if there is none."""
    try:
        return ShardManifest.from_json((Path(path) / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None


def remove_partial(root: str | Path) -> int:
    """Delete temporary directories left by workers that died mid-write; how many."""
    root = Path(root)
    if not root.is_dir():
        return 0
    partial = [p for p in root.iterdir() if TMP_MARK in p.name]
    for p in partial:
        shutil.rmtree(p, ignore_errors=True)
    return len(partial)


__all__ = ["MANIFEST", "TABLES", "ShardManifest", "arrow_table", "read_manifest", "remove_partial",
           "shard_dir", "shard_id", "table_schemas", "write_shard"]
