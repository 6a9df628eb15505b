"""Parallel ingest: workers extract, one writer stores (``--workers N``, ``--dask ADDRESS``).

    main process (the only writer)                    workers (processes or Dask)
    iter_inputs, a chunk of ``shard_size`` items ──────>  language, fingerprints (prepare)
    dedup + ledger decisions, in input order     <──────
    cut a shard of the originals ──────────ShardTask──>  Pipeline.pipe -> Parquet shard
    load finished shards in input order         <─manifest─   (aidtrace.shards)
    (articles + dedup keys + events + ledger: one transaction per shard)

Reading and the duplicate decision stay in the main process, reusing ``aidtrace.ingest``:
the decision must see every article in input order for the result to equal a
single-process run's, and costs a key look-up per article. What an article's decision
needs that costs CPU — language detection, shingles, MinHash — is computed by the workers
first (``aidtrace.ingest.fingerprint.prepare``), so one writer can feed many workers, and
a store-only run (``--no-extract``) is parallel too. Shards are loaded in the order they
were cut for the same reason, and so that the ledger keeps the input order.

Shards are cut by input position, so rerunning the same command after a crash cuts the
same shards: the ones already loaded now hold only "already stored" articles and need no
worker, and a shard that finished before the crash has the same id and is loaded from
disk instead of being extracted again. The ``shards`` table records every load.

Memory stays flat: at most ``2 x slots`` chunks and ``2 x slots`` shards are in flight,
and no list of all articles or events is ever built; the dedup state lives in the store,
and the writer holds only what is judged and not yet loaded.
"""
from __future__ import annotations

import logging
import multiprocessing
import os
import shutil
import threading
import time
import uuid
from collections import Counter, deque
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import duckdb

from .config import Settings
from .errors import ConfigError, StoreError, WorkerError
from .ingest.dedup import STORE_ONLY, DedupIndex
from .ingest.fingerprint import Fingerprinted, Layout, Prepared, prepare
from .ingest.progress import reporter
from .ingest.run import Action, Batch, IngestSummary, PipelineLike
from .ingest.sources import iter_inputs
from .models import Article, LedgerEntry
from .shards import TABLES, ShardManifest, arrow_table, read_manifest, remove_partial, shard_dir, shard_id, write_shard
from .store import Store
from .store.db import ARTICLE_COLUMNS, LEDGER_COLUMNS, article_row, ledger_row
from .store.reviews import reattach

log = logging.getLogger(__name__)

SHARD_SIZE = 200  # input items per shard: ~1 min of parsing for news-length articles
# Dask workers sample the stack of the running task every 10 ms for their profiler; on
# these deep, pure-Python stacks that cost 10-20% of throughput here (benchmarks/README.md).
# Shard tasks are long and need no profile. Remote workers: see docs/scale.md.
DASK_CONFIG = {"distributed.worker.profile.enabled": False}
PipelineFactory = Callable[[Settings], PipelineLike]


# -- the worker side ----------------------------------------------------------------
@dataclass(frozen=True)
class ShardTask:
    """One shard's work, sent to a worker: everything it needs, and no database."""

    id: str
    articles: tuple[Article, ...]
    root: str
    version: str
    settings: Settings
    factory: PipelineFactory  # importable, so that it pickles by reference: Pipeline in production


_PIPELINES: dict[tuple[Any, Settings], PipelineLike] = {}
_LOCK = threading.Lock()


def worker_pipeline(factory: PipelineFactory, settings: Settings) -> PipelineLike:
    """This process's pipeline, built on first use and kept: loading it costs seconds."""
    with _LOCK:
        key = (factory, settings)
        if key not in _PIPELINES:
            _PIPELINES[key] = factory(settings)
        return _PIPELINES[key]


def extract_shard(task: ShardTask) -> ShardManifest:
    """Run in a worker: extract a shard's articles and write its Parquet files.

    A shard already on disk (finished before the writer crashed) is returned as is.
    """
    done = read_manifest(shard_dir(task.root, task.id))
    if done is not None:
        return done
    pipeline = worker_pipeline(task.factory, task.settings)
    # One extraction at a time per process: spaCy does not promise thread safety, and the
    # GIL would serialise threads anyway. Run Dask workers with one thread each.
    with _LOCK:
        # ingest's own per-article fallback (a text that breaks the NLP costs that article);
        # only Batch.extract is used, which touches neither store nor index
        results = Batch(None, pipeline, "", None).extract(list(task.articles))  # type: ignore[arg-type]
    return write_shard(task.root, task.id, task.version, zip(task.articles, results))


# -- executors ----------------------------------------------------------------------
class Handle(Protocol):
    def done(self) -> bool: ...
    def result(self) -> Any: ...


class ShardExecutor(Protocol):
    """Where workers' tasks run: local processes or a Dask cluster."""

    def slots(self) -> int:
        """How many tasks can run at once."""
        ...

    def submit(self, fn: Callable[..., Any], *args: Any) -> Handle:
        """Run ``fn(*args)`` (an importable function: it pickles by reference) on a worker."""
        ...

    def cancel(self) -> None:
        """Drop queued shards when the run stops early (running ones may finish)."""
        ...


class ProcessExecutor:
    """``--workers N``: N processes on this machine, each with its own pipeline (none when
    ``factory`` is None: a store-only run)."""

    def __init__(self, workers: int, settings: Settings, factory: PipelineFactory | None) -> None:
        if workers < 1:
            raise ConfigError(f"--workers must be at least 1, not {workers}")
        self.workers = workers
        # spawn, not fork: a forked child would inherit the writer's open DuckDB connection
        # and its threads. The initializer loads the pipeline while the main process reads.
        preload: dict[str, Any] = {} if factory is None else \
            {"initializer": worker_pipeline, "initargs": (factory, settings)}
        self.pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"), **preload)

    def slots(self) -> int:
        return self.workers

    def submit(self, fn: Callable[..., Any], *args: Any) -> Handle:
        return self.pool.submit(fn, *args)

    def cancel(self) -> None:
        self.pool.shutdown(wait=False, cancel_futures=True)

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)


class DaskExecutor:
    """``--dask ADDRESS``: shards as tasks on a Dask cluster, through a ``distributed.Client``."""

    def __init__(self, client: Any) -> None:
        self.client = client
        self.futures: list[Any] = []

    def slots(self) -> int:
        return max(1, sum(self.client.nthreads().values()))

    def submit(self, fn: Callable[..., Any], *args: Any) -> Handle:
        # a fresh key per submission: a failed attempt kept by the scheduler is never reused
        future = self.client.submit(fn, *args, key=f"aidtrace-{fn.__name__}-{uuid.uuid4().hex[:12]}",
                                    pure=False, retries=1)
        self.futures = [f for f in self.futures if not f.done()] + [future]
        return future  # type: ignore[no-any-return]

    def cancel(self) -> None:
        if self.futures:
            self.client.cancel(self.futures)
        self.futures = []


@contextmanager
def open_executor(*, settings: Settings, workers: int | None = None, dask: str | None = None,
                  factory: PipelineFactory | None = None, extract: bool = True) -> Iterator[ShardExecutor]:
    """The executor the CLI options ask for: ``dask`` an address or "local", else processes.

    ``--dask local`` starts a LocalCluster of ``workers`` (default: one per CPU)
    single-threaded worker processes and stops it afterwards; an address connects to a
    running scheduler and leaves the cluster up. ``extract=False``: workers that only
    prepare articles for the duplicate decision, with no pipeline loaded.
    """
    factory = (factory or default_factory()) if extract else None
    if dask is None:
        executor = ProcessExecutor(workers or os.cpu_count() or 1, settings, factory)
        try:
            yield executor
        finally:
            executor.close()
        return
    import dask as dask_lib  # imported only when asked for: it is heavy
    from distributed import Client, LocalCluster

    cluster = None
    try:
        if dask == "local":
            with dask_lib.config.set(DASK_CONFIG):  # handed on to the worker processes
                cluster = LocalCluster(n_workers=workers or os.cpu_count() or 1, threads_per_worker=1,
                                       processes=True, dashboard_address=None)
            client = Client(cluster)
        else:
            client = Client(dask)
    except (OSError, TimeoutError) as exc:
        raise ConfigError(f"cannot reach the Dask scheduler at {dask}: {exc}") from exc
    try:
        yield DaskExecutor(client)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def default_factory() -> PipelineFactory:
    from .pipeline import Pipeline  # the spaCy import: only when a run starts

    return Pipeline


# -- the main process ---------------------------------------------------------------
@dataclass
class Shard:
    """A slice of the input, cut in order: its ledger rows, writes and (maybe) a worker's job."""

    id: str | None  # None: nothing to extract (duplicates, rejected items, a store-only run)
    entries: list[LedgerEntry]
    actions: list[Action]
    handle: Handle | None = None

    def done(self) -> bool:
        return self.handle is None or self.handle.done()


@dataclass(frozen=True)
class Remote:
    """The workers' pipeline as the main process sees it: dedup needs to know that articles
    will be extracted, and by which version; the extraction itself happens elsewhere."""

    version: str


class ShardBatch(Batch):
    """ingest's Batch (dedup verdicts, ledger rows), cut into shards instead of flushed.
    ``version`` None: a store-only run, whose shards need no worker."""

    def __init__(self, store: Store, version: str | None, run_id: str, index: DedupIndex) -> None:
        super().__init__(store, Remote(version) if version else None, run_id, index)  # type: ignore[arg-type]
        self.ids: set[str] = set()

    def holds(self, item: Prepared) -> bool:
        """True if ``item`` is an article this batch already has: it starts a new shard,
        so that one shard never writes two versions of one article."""
        return isinstance(item, Fingerprinted) and item.article.id in self.ids

    def add(self, item: Prepared) -> None:
        super().add(item)
        if isinstance(item, Fingerprinted):
            self.ids.add(item.article.id)

    def cut(self, config_hash: str) -> Shard:
        entries, actions = self.judge()
        self.ids = set()
        if self.pipeline is None:
            return Shard(None, entries, actions)
        originals = [a.article for a in actions if a.duplicate_of is None]
        sid = shard_id(originals, self.pipeline.version, config_hash) if originals else None
        return Shard(sid, entries, actions)


def prepared(reads: Iterator[Article | LedgerEntry], executor: ShardExecutor, layout: Layout, *,
             chunk: int) -> Iterator[Prepared]:
    """``reads`` screened and fingerprinted by the workers, ``chunk`` items a task, in input
    order; at most ``2 x slots`` chunks in flight."""
    inflight: deque[Handle] = deque()

    def result(handle: Handle) -> list[Prepared]:
        try:
            return handle.result()  # type: ignore[no-any-return]
        except Exception as exc:  # noqa: BLE001  whatever killed the worker, the run stops here
            raise WorkerError(f"a worker failed preparing articles ({type(exc).__name__}: {exc}); "
                              "earlier shards are stored: run the same command again to resume") from exc

    part: list[Article | LedgerEntry] = []
    for item in reads:
        part.append(item)
        if len(part) < chunk:
            continue
        inflight.append(executor.submit(prepare, part, layout))
        part = []
        while inflight and (len(inflight) > 2 * executor.slots() or inflight[0].done()):
            yield from result(inflight.popleft())
    if part:
        inflight.append(executor.submit(prepare, part, layout))
    while inflight:
        yield from result(inflight.popleft())


@dataclass
class Writer:
    """Loads shards into the store: one transaction per shard, nothing else writes."""

    store: Store
    run_id: str
    index: DedupIndex
    root: Path
    keep: bool = False
    schemas: dict[str, Any] = field(init=False)

    def __post_init__(self) -> None:
        con = self.store.con
        self.schemas = {
            "articles": con.sql(f"SELECT {','.join(ARTICLE_COLUMNS)} FROM articles LIMIT 0").to_arrow_table().schema,
            "ledger": con.sql(f"SELECT {','.join(LEDGER_COLUMNS)} FROM ledger LIMIT 0").to_arrow_table().schema,
        }

    def load(self, shard: Shard) -> Counter[str]:
        manifest = self.result(shard)
        failed = manifest.failed if manifest else {}
        articles, replaced, keys, written = [], [], {}, []
        for action in shard.actions:
            aid = action.article.id
            if action.duplicate_of is None and aid in failed:  # as Batch.flush does
                shard.entries[action.entry] = LedgerEntry(
                    origin=shard.entries[action.entry].origin, status="rejected",
                    reason=failed[aid], article_id=aid)
                self.index.forget(aid)
                continue
            if action.replaces:
                replaced.append(aid)
            articles.append(article_row(action.article, action.duplicate_of, self.run_id))
            keys[aid] = action.keys
            written.append(action)
        path = shard_dir(self.root, shard.id) if shard.id else None
        con = self.store.con
        with self.store.transaction():
            if replaced:  # the rows of the versions these articles replace (only those exist)
                con.execute("DELETE FROM event_items WHERE event_id IN (SELECT id FROM events"
                            " WHERE article_id IN (SELECT unnest(?)))", [replaced])
                for table, column in (("events", "article_id"), ("mentions", "article_id"), ("articles", "id")):
                    con.execute(f"DELETE FROM {table} WHERE {column} IN (SELECT unnest(?))", [replaced])
            self.insert("articles", articles)
            self.store.write_keys(keys, replaced=replaced)
            if manifest is not None and path is not None:
                self.insert_shard(path)
                con.execute("INSERT OR REPLACE INTO shards (id, run_id, articles, events, failed, worker)"
                            " VALUES (?,?,?,?,?,?)", [manifest.id, self.run_id, manifest.articles,
                                                      manifest.events, len(failed), manifest.worker])
            self.insert("ledger", [ledger_row(e, self.run_id) for e in shard.entries])
            reattach(self.store, [row[0] for row in articles])  # reviews follow re-extracted events
        for action in written:
            self.index.settle(action.article.id, action.known)
        if path is not None and not self.keep:
            shutil.rmtree(path, ignore_errors=True)
        if manifest is not None:
            log.info("shard %s loaded: %d articles, %d events, %d failed (%s)", manifest.id,
                     manifest.articles, manifest.events, len(failed), manifest.worker)
        return Counter(e.status for e in shard.entries)

    def result(self, shard: Shard) -> ShardManifest | None:
        if shard.handle is None:
            return None
        try:
            return shard.handle.result()
        except Exception as exc:  # noqa: BLE001  whatever killed the worker, the run stops here
            raise WorkerError(f"shard {shard.id} failed in a worker ({type(exc).__name__}: {exc}); "
                              "earlier shards are stored: run the same command again to resume") from exc

    def insert_shard(self, path: Path) -> None:
        """The shard's Parquet rows, with this run's id (a shard may come from a crashed run)."""
        for table in TABLES:
            replace = " REPLACE (CAST(? AS VARCHAR) AS run_id)" if table == "events" else ""
            try:
                self.store.con.execute(
                    f"INSERT INTO {table} BY NAME SELECT *{replace} FROM read_parquet(?)",
                    ([self.run_id] if replace else []) + [str(path / f"{table}.parquet")])
            except duckdb.IOException as exc:
                raise StoreError(f"cannot read shard {path.name} from {path.parent}: {exc}; the "
                                 "shard directory must be on storage the workers and this "
                                 "process share (--shard-dir)") from exc

    def insert(self, table: str, rows: list[tuple[Any, ...]]) -> None:
        """Bulk insert through Arrow: ~10x faster than executemany, which the writer feels."""
        if not rows:
            return
        name = f"_aidtrace_{table}"
        self.store.con.register(name, arrow_table(rows, self.schemas[table]))
        try:
            self.store.con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM {name}")
        finally:
            self.store.con.unregister(name)


def default_shard_root(store: Store) -> Path:
    """``<db>.shards`` next to the database (on a cluster: point it at shared storage)."""
    return Path(f"{store.path}.shards")


def remove_loaded(store: Store, root: Path) -> None:
    """Shard directories whose load committed before the writer could delete them."""
    if not root.is_dir():
        return
    loaded = {row[0] for row in store.con.execute("SELECT id FROM shards").fetchall()}
    for path in root.iterdir():
        if path.name in loaded:
            shutil.rmtree(path, ignore_errors=True)


def run_ingest(sources: Sequence[str], *, store: Store, settings: Settings, executor: ShardExecutor,
               fmt: str | None = None, fields: Mapping[str, str] | None = None, strict: bool = False,
               progress: bool | None = None, shard_size: int = SHARD_SIZE,
               shard_root: str | Path | None = None, factory: PipelineFactory | None = None,
               keep_shards: bool = False, extract: bool = True) -> IngestSummary:
    """``aidtrace.ingest.ingest`` with the work on ``executor``; the same result, in parallel.

    Every input item gets its ledger row, duplicates are judged exactly as in a
    single-process run, and the stored articles, events and mentions are identical.
    ``factory`` (default ``aidtrace.pipeline.Pipeline``) is called with ``settings`` once
    in each worker process; its ``version`` attribute is read here. ``extract=False``
    stores without extracting (``--no-extract``): the workers then only prepare articles.
    Raises WorkerError if a worker loses a whole shard (earlier shards stay stored; a
    rerun resumes), and RejectedInputsError after the run when ``strict`` and anything was
    rejected.
    """
    if shard_size < 1:
        raise ConfigError(f"shard size must be at least 1, not {shard_size}")
    started = time.monotonic()
    version = STORE_ONLY
    if extract:
        factory = factory or default_factory()
        version = factory.version_for(settings) if hasattr(factory, "version_for") \
            else factory.version  # type: ignore[attr-defined]
    root = (Path(shard_root) if shard_root is not None else default_shard_root(store)).absolute()
    if remove_partial(root):
        log.info("removed partial shards left by a crashed run in %s", root)
    remove_loaded(store, root)
    run_id = store.start_run(("ingest " + " ".join(sources))[:1000], version, settings.hash())
    index = DedupIndex.open(store, settings.near_duplicate_threshold)
    inflight: deque[Shard] = deque()
    batch = ShardBatch(store, version if extract else None, run_id, index)
    writer = Writer(store, run_id, index, root, keep=keep_shards)
    config_hash = settings.hash()
    counts: Counter[str] = Counter()
    log.info("ingest run %s: started in %.2f s", run_id, time.monotonic() - started)

    def submit(shard: Shard) -> None:
        if shard.id is not None:
            originals = tuple(a.article for a in shard.actions if a.duplicate_of is None)
            shard.handle = executor.submit(extract_shard, ShardTask(shard.id, originals, str(root),
                                                                    version, settings, factory))  # type: ignore[arg-type]
        inflight.append(shard)

    try:
        with reporter(progress) as report:
            reads = iter_inputs(sources, settings, fmt=fmt, fields=fields, screen=False)
            for item in prepared(reads, executor, index.layout, chunk=shard_size):
                if len(batch) >= shard_size or batch.holds(item):
                    submit(batch.cut(config_hash))
                    limit = 2 * executor.slots()
                    while inflight and (len(inflight) > limit or inflight[0].done()):
                        counts += writer.load(inflight.popleft())
                        report.batch(counts)
                batch.add(item)
                report.item()
            if len(batch):
                submit(batch.cut(config_hash))
            while inflight:
                counts += writer.load(inflight.popleft())
                report.batch(counts)
    except BaseException:
        executor.cancel()
        raise
    store.finish_run(run_id, counts)
    if not keep_shards:  # a task the cluster re-ran may have written a loaded shard again
        remove_loaded(store, root)
    if root.is_dir() and not any(root.iterdir()):
        root.rmdir()
    log.info("ingest run %s: %d items in %.1f s", run_id, sum(counts.values()), time.monotonic() - started)
    return IngestSummary.finish(run_id, counts, strict=strict)


def ingest_in_parallel(sources: Sequence[str], *, settings: Settings, workers: int | None = None,
                       dask: str | None = None, shard_dir: str | None = None, fmt: str | None = None,
                       fields: Mapping[str, str] | None = None, no_extract: bool = False,
                       progress: bool | None = None) -> IngestSummary:
    """``aidtrace ingest --workers N`` / ``--dask ADDRESS|local``: open the store and the
    executor, run, close both. Strictness is left to the caller (the CLI prints first)."""
    with open_executor(settings=settings, workers=workers, dask=dask, extract=not no_extract) as executor, \
            Store(settings.db) as store:
        return run_ingest(sources, store=store, settings=settings, executor=executor, fmt=fmt,
                          fields=fields, progress=progress, shard_root=shard_dir, extract=not no_extract)


__all__ = ["DASK_CONFIG", "DaskExecutor", "ProcessExecutor", "SHARD_SIZE", "ShardExecutor", "ShardTask",
           "extract_shard", "ingest_in_parallel", "open_executor", "run_ingest", "worker_pipeline"]
