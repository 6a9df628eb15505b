"""One ingest run: read every source, judge duplicates, extract, and store in atomic batches.

Crash safety rests on one rule: a batch's articles, their events and their ledger rows
are written in one DuckDB transaction. A run killed at any moment leaves whole batches
or nothing; running it again finds the stored articles by id and hash and records them
as duplicates of themselves ("already stored"), so every article ends up stored once.
NLP runs before the transaction opens, so the write lock is held only for the writes.
A batch's dedup keys are written in the same transaction, so the persisted dedup state
always agrees with the articles stored.
"""
from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from ..config import Settings
from ..errors import InputError, RejectedInputsError
from ..models import Article, Document, LedgerEntry
from ..store import Store
from .dedup import STORE_ONLY, DedupIndex, Known, article_keys
from .fingerprint import Fingerprinted, Prepared, prepare
from .progress import reporter, summary_line
from .sources import iter_inputs

log = logging.getLogger(__name__)


class PipelineLike(Protocol):
    """What ingest needs of ``aidtrace.pipeline.Pipeline`` (tests pass light stand-ins)."""

    version: str

    def pipe(self, articles: Iterable[Article]) -> Iterator[Document]: ...


@dataclass(frozen=True)
class IngestSummary:
    run_id: str
    stored: int = 0
    duplicates: int = 0
    skipped: int = 0
    rejected: int = 0

    @property
    def total(self) -> int:
        return self.stored + self.duplicates + self.skipped + self.rejected

    def line(self) -> str:
        """``N stored, N duplicates, N skipped, N rejected``: printed after every ingest."""
        return summary_line(Counter(stored=self.stored, duplicate=self.duplicates,
                                    skipped=self.skipped, rejected=self.rejected))

    @classmethod
    def finish(cls, run_id: str, counts: Mapping[str, int], *, strict: bool) -> "IngestSummary":
        """The summary of a run's counts; raises the --strict error when anything was rejected."""
        summary = cls(run_id=run_id, stored=counts.get("stored", 0),
                      duplicates=counts.get("duplicate", 0), skipped=counts.get("skipped", 0),
                      rejected=counts.get("rejected", 0))
        error = summary.strict_error() if strict else None
        if error is not None:
            raise error
        return summary

    def strict_error(self) -> RejectedInputsError | None:
        """The error a ``--strict`` run ends with, or None when nothing was rejected."""
        if not self.rejected:
            return None
        return RejectedInputsError(f"{self.rejected} input(s) rejected (--strict); see "
                                   f"`aidtrace ledger --status rejected --run {self.run_id}`")


@dataclass
class Action:
    """One article waiting for its batch to be written, at its ledger row ``entry``."""

    entry: int
    fingerprint: Fingerprinted
    duplicate_of: str | None  # None: an original, extracted and stored with its events
    replaces: bool            # an older version is stored under the same id
    known: Known              # its dedup entry, let go once it is written

    @property
    def article(self) -> Article:
        return self.fingerprint.article

    @property
    def keys(self) -> tuple[int, ...]:
        return article_keys(self.fingerprint, self.duplicate_of)


class Batch:
    """Items read since the last commit, in input order, judged together when it is written:
    one store look-up for the whole batch (``DedupIndex.prefetch``)."""

    def __init__(self, store: Store, pipeline: PipelineLike | None, run_id: str, index: DedupIndex) -> None:
        self.store, self.pipeline, self.run_id, self.index = store, pipeline, run_id, index
        self.items: list[Prepared] = []

    def __len__(self) -> int:
        return len(self.items)

    def add(self, item: Prepared) -> None:
        self.items.append(item)

    def judge(self) -> tuple[list[LedgerEntry], list[Action]]:
        """The batch's ledger rows and writes, in input order; the batch is empty after."""
        items, self.items = self.items, []
        extracting = self.pipeline is not None
        self.index.prefetch(item for item in items if isinstance(item, Fingerprinted))
        entries: list[LedgerEntry] = []
        actions: list[Action] = []
        for item in items:
            if isinstance(item, LedgerEntry):
                entries.append(item)
                continue
            article = item.article
            verdict = self.index.check(item, extracting=extracting)
            if verdict.rewrite:
                replaces = self.index.known(article.id) is not None
                known = self.index.add(item, duplicate_of=verdict.duplicate_of, extracted=extracting)
                actions.append(Action(len(entries), item, verdict.duplicate_of, replaces, known))
            reason = "; ".join(r for r in (verdict.reason, item.note) if r) or None
            entries.append(LedgerEntry(origin=article.source or article.id, status=verdict.status,  # type: ignore[arg-type]
                                       reason=reason, article_id=article.id,
                                       duplicate_of=verdict.duplicate_of))
        return entries, actions

    def flush(self) -> Counter[str]:
        entries, actions = self.judge()
        docs = iter(self.extract([a.article for a in actions if a.duplicate_of is None]))
        # what each article's rows become: every write replaces all that is stored for its id
        # (an id seen earlier in the run is a replacement), so the batch is written at once
        writes: list[Document] = []
        copies: dict[str, str] = {}
        keys: dict[str, tuple[int, ...]] = {}
        replaced: set[str] = set()
        for action in actions:
            aid = action.article.id
            if action.duplicate_of is None:
                doc = next(docs)  # extract() returns one result per original, in order
                if isinstance(doc, InputError):
                    entries[action.entry] = LedgerEntry(
                        origin=entries[action.entry].origin, status="rejected",
                        reason=doc.reason, article_id=aid)
                    self.index.forget(aid)
                    continue
                copies.pop(aid, None)
                writes.append(doc)
            else:
                copies[aid] = action.duplicate_of
                writes.append(Document(action.article))
            keys[aid] = action.keys
            if action.replaces:
                replaced.add(aid)
        with self.store.transaction():
            self.store.write_documents(writes, run_id=self.run_id, duplicate_of=copies, keys=keys,
                                       replaced=replaced)
            self.store.write_ledger(entries, run_id=self.run_id)
        for action in actions:
            self.index.settle(action.article.id, action.known)
        return Counter(e.status for e in entries)

    def extract(self, articles: list[Article]) -> list[Document | InputError]:
        """One Document per article, or the reason its extraction failed.

        A pipeline that fails on a batch is retried one article at a time, so that one
        text that breaks the NLP costs that article, not the batch.
        """
        if self.pipeline is None:
            return [Document(article) for article in articles]
        if not articles:
            return []
        try:
            docs: list[Document | InputError] = list(self.pipeline.pipe(articles))
            if len(docs) == len(articles):
                return docs
            log.warning("pipeline returned %d documents for %d articles; retrying one by one",
                        len(docs), len(articles))
        except Exception:  # noqa: BLE001  any NLP failure: fall back to finding the one article
            log.warning("pipeline failed on a batch; retrying one article at a time", exc_info=True)
        out: list[Document | InputError] = []
        for article in articles:
            try:
                out.append(next(iter(self.pipeline.pipe([article]))))
            except Exception as exc:  # noqa: BLE001  recorded in the ledger, the batch goes on
                log.warning("extraction failed for %s", article.source or article.id, exc_info=True)
                out.append(InputError(f"extraction failed: {type(exc).__name__}: {exc}"))
        return out


def ingest(sources: Sequence[str], *, store: Store, pipeline: PipelineLike | None, settings: Settings,
           fmt: str | None = None, fields: Mapping[str, str] | None = None, strict: bool = False,
           progress: bool | None = None, batch_size: int = 64) -> IngestSummary:
    """Read, de-duplicate, extract and store every item of ``sources``; one ledger row each.

    ``pipeline`` is anything with ``.pipe(articles) -> Iterator[Document]`` (in input
    order) and ``.version``; None stores articles without extracting ("store only,
    extract later": ingesting the same sources again with a pipeline extracts them).
    ``progress``: True a progress bar, False log lines, None a bar only on a terminal.
    Raises RejectedInputsError after the run when ``strict`` and anything was rejected.
    """
    version = pipeline.version if pipeline is not None else STORE_ONLY
    run_id = store.start_run(("ingest " + " ".join(sources))[:1000], version, settings.hash())
    index = DedupIndex.open(store, settings.near_duplicate_threshold)
    batch = Batch(store, pipeline, run_id, index)
    counts: Counter[str] = Counter()
    with reporter(progress) as report:
        for item in iter_inputs(sources, settings, fmt=fmt, fields=fields, screen=False):
            batch.add(prepare([item], index.layout)[0])
            report.item()
            if len(batch) >= batch_size:
                counts += batch.flush()
                report.batch(counts)
        counts += batch.flush()
        report.batch(counts)
    store.finish_run(run_id, counts)
    return IngestSummary.finish(run_id, counts, strict=strict)
