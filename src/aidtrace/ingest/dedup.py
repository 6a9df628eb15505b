"""Duplicates: the same article again, the same text under another address, or a near copy.

Exact duplicates share a normalised URL or a content hash. Near duplicates (a wire story
syndicated with a new headline and byline, a press release re-published with a paragraph
cut) are found with MinHash over word 5-shingles and an LSH index at
``settings.near_duplicate_threshold``; each LSH candidate is then confirmed by the exact
Jaccard similarity of the two texts, so a false LSH hit never hides an article.

The index is rebuilt from the store's texts at the start of every ingest rather than
persisted: it needs no schema of its own, can never disagree with the articles table, and
lets shingles be hashed with Python's fast built-in ``hash`` (salted per process, which is
fine for an index that lives for one process). Cost: about a millisecond per stored
article at start-up.
"""
from __future__ import annotations

import zlib

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from datasketch import MinHash, MinHashLSH

from ..models import Article
from ..store import Store, content_hash
from .ids import normalise_url

SHINGLE_WORDS = 5
NUM_PERM = 64  # enough for a 0.85 threshold; half datasketch's default memory per article
SEED_PERMUTATIONS = MinHash(num_perm=NUM_PERM, seed=1, scheme="affine32").permutations  # made once, reused
STORE_ONLY = "store-only"  # a run's pipeline_version when it stored without extracting


@dataclass(frozen=True)
class Verdict:
    """What to do with one article: ``stored`` (extract and store it) or ``duplicate``."""

    status: str
    reason: str | None = None
    duplicate_of: str | None = None
    rewrite: bool = True  # False: the identical row is already stored; write nothing


@dataclass
class Known:
    digest: str
    url: str | None
    duplicate_of: str | None
    extracted: bool


def shingles(text: str) -> set[str]:
    words = text.lower().split()
    if len(words) <= SHINGLE_WORDS:
        return {" ".join(words)}
    return {" ".join(words[i:i + SHINGLE_WORDS]) for i in range(len(words) - SHINGLE_WORDS + 1)}


def _crc32(shingle: str) -> int:
    """A hash that is the same in every process (Python's hash() is salted per process,
    which made near-duplicate decisions vary from run to run)."""
    return zlib.crc32(shingle.encode("utf-8"))


def minhash(parts: set[str]) -> MinHash:
    m = MinHash(num_perm=NUM_PERM, permutations=SEED_PERMUTATIONS, scheme="affine32",
                hashfunc=_crc32)
    m.update_batch(list(parts))
    return m


def jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a or b else 1.0


class DedupIndex:
    """Every stored article's id, hash and URL, and an LSH index over the originals."""

    def __init__(self, threshold: float) -> None:
        self.threshold = threshold
        self.known: dict[str, Known] = {}
        self.by_hash: dict[str, str] = {}
        self.by_url: dict[str, str] = {}
        self.lsh = MinHashLSH(threshold=threshold, num_perm=NUM_PERM)
        self._last: tuple[str, set[str], MinHash] | None = None

    def _signature(self, text: str) -> tuple[set[str], MinHash]:
        """Shingles and MinHash of ``text``; the last one is kept, since an article that is
        checked is then added with the same text."""
        if self._last is None or self._last[0] is not text:
            parts = shingles(text)
            self._last = (text, parts, minhash(parts))
        return self._last[1], self._last[2]

    @classmethod
    def from_store(cls, store: Store, threshold: float, *, chunk: int = 2000) -> "DedupIndex":
        index = cls(threshold)
        cur = store.con.execute(
            "SELECT a.id, a.content_hash, a.url, a.duplicate_of, a.text,"
            " coalesce(r.pipeline_version, '') <> ? AS extracted"
            " FROM articles a LEFT JOIN runs r ON r.id = a.run_id ORDER BY a.ingested_at",
            [STORE_ONLY])
        while rows := cur.fetchmany(chunk):
            for aid, digest, url, duplicate_of, text, extracted in rows:
                index.add(aid, text, url=url, duplicate_of=duplicate_of, extracted=bool(extracted),
                          digest=digest)
        return index

    def add(self, aid: str, text: str, *, url: str | None, duplicate_of: str | None,
            extracted: bool, digest: str | None = None) -> None:
        digest = digest or content_hash(text)
        self.forget(aid)
        self.known[aid] = Known(digest, url, duplicate_of, extracted)
        if duplicate_of is None:  # only originals are matched against: a copy points to the root
            self.by_hash.setdefault(digest, aid)
            if url:
                self.by_url.setdefault(normalise_url(url), aid)
            self.lsh.insert(aid, self._signature(text)[1], check_duplication=False)

    def forget(self, aid: str) -> None:
        old = self.known.pop(aid, None)
        if old is None or old.duplicate_of is not None:
            return
        if self.by_hash.get(old.digest) == aid:
            del self.by_hash[old.digest]
        if old.url and self.by_url.get(normalise_url(old.url)) == aid:
            del self.by_url[normalise_url(old.url)]
        if aid in self.lsh:
            self.lsh.remove(aid)

    def check(self, article: Article, *, extracting: bool,
              text_of: Callable[[list[str]], Iterator[tuple[str, str]]]) -> Verdict:
        """Judge ``article`` against everything stored or accepted so far in this run.

        ``text_of(ids)`` yields (id, text) for LSH candidates, from the pending batch or
        the store, to confirm a near-duplicate by its exact similarity.
        """
        digest = content_hash(article.text)
        seen = self.known.get(article.id)
        if seen is not None and seen.digest == digest:
            if seen.extracted or not extracting or seen.duplicate_of is not None:
                return Verdict("duplicate", "already stored", seen.duplicate_of or article.id,
                               rewrite=False)
            return Verdict("stored", "extracted now (stored earlier without extraction)")
        original = self.by_hash.get(digest)
        if original is not None and original != article.id:
            return Verdict("duplicate", f"same text as {original}", original)
        original = self.by_url.get(normalise_url(article.url)) if article.url else None
        if original is not None and original != article.id:
            return Verdict("duplicate", f"same URL as {original}", original)
        near = self.nearest(article, text_of)
        if near is not None:
            return Verdict("duplicate", f"near-duplicate of {near[0]} (similarity {near[1]:.2f})",
                           near[0])
        return Verdict("stored", "text changed; re-extracted" if seen is not None else None)

    def nearest(self, article: Article,
                text_of: Callable[[list[str]], Iterator[tuple[str, str]]]) -> tuple[str, float] | None:
        parts, signature = self._signature(article.text)
        candidates = [c for c in self.lsh.query(signature) if c != article.id]
        if not candidates:
            return None
        scored = [(aid, jaccard(parts, shingles(text))) for aid, text in text_of(candidates)]
        best = max(scored, key=lambda pair: (pair[1], pair[0]), default=None)
        return best if best is not None and best[1] >= self.threshold else None


__all__ = ["DedupIndex", "Verdict", "STORE_ONLY", "shingles", "jaccard"]
