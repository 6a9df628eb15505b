"""Duplicates: the same article again, the same text under another address, or a near copy.

Exact duplicates share a normalised URL or a content hash. Near duplicates (a wire story
syndicated with a new headline and byline, a press release re-published with a paragraph
cut) are found with MinHash over word 5-shingles and LSH bands at
``settings.near_duplicate_threshold``; each LSH candidate is then confirmed by the exact
Jaccard similarity of the two texts, so a false LSH hit never hides an article.

Nothing of the store is loaded at start-up: every stored article is indexed in the store
under its dedup keys (``aidtrace.ingest.fingerprint``, table ``dedup_keys``, written in the
same transaction as the article), and the writer looks up the keys of a whole batch of
incoming articles in one indexed query (``prefetch``). What this run has judged but not
yet committed is held in memory (``pending``) and takes precedence over the store's rows
for the same ids; it is let go once its batch is written (``settle``), so memory follows
the work in flight, not the store. Candidate texts are read from the store only for LSH
hits.
"""
from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime

from ..models import Article
from ..store import Store
from .fingerprint import Fingerprinted, Layout, fingerprint, jaccard, layout_for, shingles
from .ids import normalise_url

log = logging.getLogger(__name__)

STORE_ONLY = "store-only"  # a run's pipeline_version when it stored without extracting
BACKFILL_CHUNK = 2000


@dataclass(frozen=True)
class Verdict:
    """What to do with one article: ``stored`` (extract and store it) or ``duplicate``."""

    status: str
    reason: str | None = None
    duplicate_of: str | None = None
    rewrite: bool = True  # False: the identical row is already stored; write nothing


@dataclass
class Known:
    """An article as dedup sees it. Entries of this run also keep the text and the keys they
    are indexed under, since their rows may not be in the store yet."""

    digest: str
    url: str | None
    duplicate_of: str | None
    extracted: bool
    text: str | None = None
    keys: tuple[int, ...] = ()
    ingested: datetime | None = None


def article_keys(fp: Fingerprinted, duplicate_of: str | None) -> tuple[int, ...]:
    """The keys an article is stored under: its id always, the rest only as an original
    (a copy points to its root and is never matched against)."""
    return (fp.id_key, *(fp.original_keys() if duplicate_of is None else ()))


@dataclass
class DedupIndex:
    """The duplicate decision for one run: the store's dedup keys plus this run's pending work."""

    store: Store
    threshold: float
    pending: dict[str, Known] = field(default_factory=dict)
    by_key: dict[int, dict[str, None]] = field(default_factory=dict)  # pending originals, in order
    stored: dict[str, Known] = field(default_factory=dict)           # prefetched store rows
    stored_keys: dict[int, list[str]] = field(default_factory=dict)

    @property
    def layout(self) -> Layout:
        return layout_for(self.threshold)

    @classmethod
    def open(cls, store: Store, threshold: float) -> "DedupIndex":
        """The index of ``store``: cheap whatever the store holds, once every article has keys
        (those written before the keys existed, or without them, get theirs here, once)."""
        index = cls(store, threshold)
        index.sync_layout()
        index.backfill()
        return index

    def sync_layout(self) -> None:
        """A changed threshold changes the LSH bands: then every article is keyed again."""
        con, layout = self.store.con, self.layout
        rows = con.execute("SELECT bands, band_rows FROM dedup_layout").fetchall()
        row = rows[0] if rows else None
        if row == (layout.bands, layout.rows):
            return
        with self.store.transaction():
            if row is not None:
                log.info("near-duplicate threshold changed: computing every article's dedup keys again")
                con.execute("DELETE FROM dedup_keys")
                con.execute("INSERT OR IGNORE INTO dedup_pending SELECT id FROM articles")
            con.execute("DELETE FROM dedup_layout")
            con.execute("INSERT INTO dedup_layout VALUES (?, ?)", [layout.bands, layout.rows])

    def backfill(self) -> None:
        """Compute and store the keys of the articles queued in ``dedup_pending``."""
        con = self.store.con
        if not self.pending_count():
            return  # the usual case: checked without touching the articles table
        con.execute("DELETE FROM dedup_pending WHERE article_id NOT IN (SELECT id FROM articles)")
        log.info("computing dedup keys of %d stored articles (once)", self.pending_count())
        while rows := con.execute("SELECT a.id, a.url, a.text, a.duplicate_of FROM dedup_pending p"
                                  " JOIN articles a ON a.id = p.article_id LIMIT ?",
                                  [BACKFILL_CHUNK]).fetchall():
            keys = {aid: article_keys(fingerprint(Article(aid, text, url=url), self.layout), dup)
                    for aid, url, text, dup in rows}
            with self.store.transaction():
                self.store.write_keys(keys, replaced=list(keys))
                con.execute("DELETE FROM dedup_pending WHERE article_id IN (SELECT unnest(?))",
                            [list(keys)])

    def pending_count(self) -> int:
        return int(self.store.con.execute("SELECT count(*) FROM dedup_pending").fetchall()[0][0])

    # -- the store side ---------------------------------------------------------------
    def prefetch(self, items: Iterable[Fingerprinted]) -> None:
        """Look up in the store, at once, every key the next ``items`` will be judged by."""
        wanted = {k for fp in items for k in (fp.id_key, *fp.original_keys())}
        self.stored, self.stored_keys = {}, {}
        if not wanted:
            return
        # integer literals, not a bound list: DuckDB probes the ART index for a constant
        # IN list, and scans the whole table for a list parameter
        rows = self.store.con.execute("SELECT key, article_id FROM dedup_keys WHERE key IN ("
                                      + ",".join(str(int(k)) for k in wanted) + ")").fetchall()
        for k, aid in rows:
            self.stored_keys.setdefault(k, []).append(aid)
        ids = sorted({aid for _, aid in rows})
        if ids:
            for aid, digest, url, dup, extracted, ingested in self.store.con.execute(
                    "SELECT a.id, a.content_hash, a.url, a.duplicate_of,"
                    " coalesce(r.pipeline_version, '') <> ?, a.ingested_at"
                    " FROM articles a LEFT JOIN runs r ON r.id = a.run_id"
                    f" WHERE a.id IN ({','.join('?' * len(ids))})", [STORE_ONLY, *ids]).fetchall():
                self.stored[aid] = Known(digest, url, dup, bool(extracted), ingested=ingested)

    def known(self, aid: str) -> Known | None:
        """This run's entry for ``aid`` if it has one, else the store's."""
        return self.pending[aid] if aid in self.pending else self.stored.get(aid)

    def originals(self, k: int) -> list[str]:
        """Ids of the originals indexed under key ``k``: the store's in the order they were
        stored, then this run's in the order they were judged."""
        store = [aid for aid in self.stored_keys.get(k, ()) if aid not in self.pending
                 and aid in self.stored and self.stored[aid].duplicate_of is None]
        store.sort(key=lambda aid: (self.stored[aid].ingested or datetime.min, aid))
        return store + list(self.by_key.get(k, ()))

    def first_original(self, k: int, aid: str, same: Callable[[Known], bool]) -> str | None:
        for other in self.originals(k):
            entry = self.known(other)
            if other != aid and entry is not None and same(entry):
                return other
        return None

    # -- this run ---------------------------------------------------------------------
    def add(self, fp: Fingerprinted, *, duplicate_of: str | None, extracted: bool) -> Known:
        """Record ``fp``'s article as judged; returned so that ``settle`` can let it go."""
        aid = fp.article.id
        self.forget(aid)
        entry = Known(fp.digest, fp.article.url, duplicate_of, extracted, fp.article.text,
                      fp.original_keys() if duplicate_of is None else ())
        self.pending[aid] = entry
        for k in entry.keys:
            self.by_key.setdefault(k, {})[aid] = None
        return entry

    def forget(self, aid: str) -> None:
        """Drop this run's entry for ``aid`` (its extraction failed, or it is judged again):
        the store's row, if any, is what counts again."""
        old = self.pending.pop(aid, None)
        for k in old.keys if old else ():
            ids = self.by_key.get(k)
            if ids is not None:
                ids.pop(aid, None)
                if not ids:
                    del self.by_key[k]

    def settle(self, aid: str, entry: Known) -> None:
        """``entry`` is written (its batch committed): the store holds it from now on."""
        if self.pending.get(aid) is entry:
            self.forget(aid)

    # -- the decision -----------------------------------------------------------------
    def check(self, fp: Fingerprinted, *, extracting: bool) -> Verdict:
        """Judge ``fp``'s article against everything stored or judged so far in this run
        (``prefetch`` must have looked up its keys)."""
        article = fp.article
        seen = self.known(article.id)
        if seen is not None and seen.digest == fp.digest:
            if seen.extracted or not extracting or seen.duplicate_of is not None:
                return Verdict("duplicate", "already stored", seen.duplicate_of or article.id,
                               rewrite=False)
            return Verdict("stored", "extracted now (stored earlier without extraction)")
        original = self.first_original(fp.hash_key, article.id, lambda k: k.digest == fp.digest)
        if original is not None:
            return Verdict("duplicate", f"same text as {original}", original)
        if article.url and fp.url_key is not None:
            url = article.url
            original = self.first_original(  # URLs normalised only for a key match
                fp.url_key, article.id,
                lambda k: k.url is not None and normalise_url(k.url) == normalise_url(url))
            if original is not None:
                return Verdict("duplicate", f"same URL as {original}", original)
        near = self.nearest(fp)
        if near is not None:
            return Verdict("duplicate", f"near-duplicate of {near[0]} (similarity {near[1]:.2f})",
                           near[0])
        return Verdict("stored", "text changed; re-extracted" if seen is not None else None)

    def nearest(self, fp: Fingerprinted) -> tuple[str, float] | None:
        candidates = {aid for k in fp.bands for aid in self.originals(k) if aid != fp.article.id}
        if not candidates:
            return None
        parts = shingles(fp.article.text)
        scored = [(aid, jaccard(parts, shingles(text))) for aid, text in self.texts(sorted(candidates))]
        best = max(scored, key=lambda pair: (pair[1], pair[0]), default=None)
        return best if best is not None and best[1] >= self.threshold else None

    def texts(self, ids: list[str]) -> Iterator[tuple[str, str]]:
        """Texts of near-duplicate candidates: this run's from memory, the rest from the store."""
        stored = []
        for aid in ids:
            entry = self.pending.get(aid)
            if entry is not None and entry.text is not None:
                yield aid, entry.text
            else:
                stored.append(aid)
        if stored:
            yield from self.store.con.execute(
                f"SELECT id, text FROM articles WHERE id IN ({','.join('?' * len(stored))})",
                stored).fetchall()


__all__ = ["DedupIndex", "Known", "STORE_ONLY", "Verdict", "article_keys"]
