"""The server's one handle on the DuckDB file, and how it keeps DuckDB's single-writer rule.

What DuckDB 2.0 does (checked with duckdb 2.0.0 on the same file from two processes):
- any number of processes may open a file read-only at the same time;
- a process that opens it for writing takes an exclusive lock: while it is open, another
  process can open it neither for writing nor read-only ("Conflicting lock is held");
- while a process holds it read-only, no other process can open it for writing;
- inside one process every connection to a file must have the same configuration, so a
  server cannot hold a read-only and a writable connection side by side.

What the server does with that. It opens the file once, at start, and holds it:
- Read-only (the default). Several servers, `aidtrace events` and other readers can run
  side by side; `aidtrace ingest` into the same file fails with the lock error until the
  server stops. Reopening the file per request would let an ingest slip in between
  requests, but every request would then pay the open and lose DuckDB's block cache,
  a running ingest would turn every request into a 503, and an ingest could still fail
  on an in-flight request. Stopping the server for a batch ingest, or enabling
  ``POST /api/ingest``, is the simpler and predictable contract.
- Writable, when ``POST /api/ingest`` is enabled (``AIDTRACE_TOKEN`` is set). The server
  is then the file's single writer. Every write runs on one worker thread fed by a queue
  (datasette's write thread), so writes are serialised; reads keep going on their own
  cursors and see each write once it commits (DuckDB's MVCC). No other process can open
  the file while this server runs.
Each request reads through its own cursor of the one connection: a DuckDB connection is
not thread-safe, its cursors are cheap (a few microseconds) and share the block cache.
"""
from __future__ import annotations

import asyncio
import logging
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any, TypeVar

import duckdb

from ..config import Settings
from ..errors import StoreError
from ..store import Store
from ..store.schema import SCHEMA_VERSION
from ..stories import ensure_stories, stories_current

T = TypeVar("T")
log = logging.getLogger(__name__)
# Cached results kept per kind (the first element of a cache key), least recently used out first.
CACHE_SIZES: dict[str | None, int] = {"flows": 32, "flows-sorted": 64, "flow-pairs": 32, "count": 4096,
                                      "timeline": 1024, "stories": 1024, "row-keys": 32, "event-index": 64,
                                      None: 64}
LOOKUP_THREADS = 8


class Database:
    """One open DuckDB file: read cursors for requests, and (if writable) one writer thread."""

    def __init__(self, path: str, settings: Settings, *, writable: bool = False) -> None:
        self.path = path
        self.settings = settings
        self.writable = writable
        self.store = Store(path, read_only=not writable)  # a writable open also migrates
        try:
            version = self.store.schema_version
        except (duckdb.Error, TypeError) as exc:  # no schema_version table, or an empty one
            self.store.close()
            raise StoreError(f"{path} is not an aidtrace database: {exc}") from exc
        if version != SCHEMA_VERSION:
            self.store.close()
            raise StoreError(f"{path} has schema version {version}, this aidtrace reads {SCHEMA_VERSION}:"
                             " open it once with a writing command (e.g. `aidtrace ingest`) to migrate it")
        if writable:  # the story tables are derived from events: rebuild them if events changed
            ensure_stories(self.store, settings)
        self._writer = (ThreadPoolExecutor(max_workers=1, thread_name_prefix="aidtrace-writer")
                        if writable else None)
        # threads for the independent key lookups of one request (an events page's articles and
        # items beside its rows); each runs on its own cursor
        self.lookups = ThreadPoolExecutor(max_workers=LOOKUP_THREADS, thread_name_prefix="aidtrace-lookup")
        self._write_store: Store | None = None
        self._lock = threading.Lock()
        self._generation = 0  # bumped after every write: the key of everything cached
        self._cache: dict[Any, OrderedDict[Any, Any]] = {}
        self._flights: dict[Any, threading.Lock] = {}
        self._later: dict[str, threading.Timer] = {}
        self._background = (ThreadPoolExecutor(max_workers=1, thread_name_prefix="aidtrace-background")
                            if writable else None)
        self._closing = False

    @property
    def generation(self) -> int:
        """Bumped after every write: a result computed under one generation holds until it changes."""
        return self._generation

    @contextmanager
    def reader(self) -> Iterator[Store]:
        """A Store on a fresh cursor, for one request (closed when the request ends)."""
        view = self.store.cursor()
        try:
            yield view
        finally:
            view.close()

    def cached(self, key: Any, compute: Callable[[], T]) -> T:
        """``compute()`` once per key until the next write (the data cannot change in between).

        Single-flight: concurrent requests for the same key wait for one computation
        instead of each starting their own (unfiltered flows over a million events take
        about a second).
        """
        kind = key[0] if isinstance(key, tuple) else key
        with self._lock:
            full = (self._generation, key)
            shelf = self._cache.setdefault(kind, OrderedDict())
            if full in shelf:
                shelf.move_to_end(full)
                return shelf[full]  # type: ignore[no-any-return]
            flight = self._flights.setdefault(full, threading.Lock())
        with flight:
            with self._lock:
                if full in shelf:
                    return shelf[full]  # type: ignore[no-any-return]
            value = compute()
            with self._lock:
                self._flights.pop(full, None)
                if full[0] == self._generation:
                    shelf[full] = value
                    # least recently used out first, per kind: a burst of distinct event
                    # filters must not push out the flows, the costliest results
                    while len(shelf) > CACHE_SIZES.get(kind, CACHE_SIZES[None]):
                        shelf.popitem(last=False)
        return value

    def stories_current(self) -> bool:
        with self.reader() as store:
            return self.cached("stories_current", lambda: stories_current(store, self.settings))

    async def write(self, job: Callable[[Store], T]) -> T:
        """Run ``job(store)`` on the writer thread, after every write queued before it."""
        if self._writer is None:
            raise StoreError("this server opened the database read-only")
        return await asyncio.wrap_future(self._writer.submit(self._run_write, job))

    def write_later(self, key: str, job: Callable[[Store], Any], delay: float) -> None:
        """Run ``job`` once no ``write_later`` of the same key has come for ``delay`` seconds
        (a debounce: a reviewer's burst of writes costs one story rebuild).

        It runs on a background thread with its own cursor, not on the writer thread, so that
        a long job (stories over 100k events take seconds) never holds up the writes queued
        behind it: DuckDB runs the two transactions side by side (MVCC). If the job conflicts
        with a write that touched the same tables, it is tried again later.
        """
        with self._lock:
            pending = self._later.pop(key, None)
            if pending is not None:
                pending.cancel()
            if self._background is None or self._closing:
                return
            timer = threading.Timer(delay, self._fire_later, args=(key, job, delay))
            timer.daemon = True
            self._later[key] = timer
            timer.start()

    def _fire_later(self, key: str, job: Callable[[Store], Any], delay: float) -> None:
        with self._lock:
            self._later.pop(key, None)
            if self._background is None or self._closing:
                return
            self._background.submit(self._run_later, key, job, delay)

    def _run_later(self, key: str, job: Callable[[Store], Any], delay: float) -> None:
        try:
            with self.store.cursor() as store:
                job(store)
        except duckdb.TransactionException as exc:
            log.info("background %s conflicted with a write (%s): trying again", key, exc)
            self.write_later(key, job, delay)
        except Exception:  # a background job has no caller to tell: the log says it
            log.exception("background %s failed", key)
        finally:
            with self._lock:
                self._generation += 1
                self._cache.clear()

    def _run_write(self, job: Callable[[Store], T]) -> T:
        if self._write_store is None:  # created on, and only ever used by, the writer thread
            self._write_store = self.store.cursor()
        try:
            return job(self._write_store)
        finally:
            with self._lock:
                self._generation += 1
                self._cache.clear()

    def close(self) -> None:
        with self._lock:
            self._closing = True
            later = list(self._later.values())
            self._later.clear()
        for timer in later:  # a pending story rebuild is dropped: the next writable open does it
            timer.cancel()
        self.lookups.shutdown(wait=True)
        if self._background is not None:
            self._background.shutdown(wait=True)
        if self._writer is not None:
            self._writer.shutdown(wait=True)
            if self._write_store is not None:
                self._write_store.close()
        self.store.close()
