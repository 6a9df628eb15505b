"""What the duplicate decision needs to know of one article, computed away from the writer.

An article's fingerprint is its content hash and its dedup keys: 64-bit integers the
store indexes every article under (table ``dedup_keys``), so that the writer finds what an
incoming article may duplicate with one indexed query instead of holding an index of the
whole store in memory. The keys are:

- the article id (every stored article, originals and copies: "seen before?");
- for originals only: the content hash, the normalised URL, and one key per LSH band of a
  MinHash over word 5-shingles (datasketch's band layout for the threshold: two texts share
  a band key exactly when ``MinHashLSH`` would make them candidates).

Every key is a keyed BLAKE2b of what it stands for, and shingles are hashed with crc32,
so a key is the same in every process, on every machine and in every run: workers compute
them, the writer and later runs look them up. A key match only nominates a candidate;
the writer confirms it on the full values (hash, URL, exact Jaccard of the shingles).

``prepare`` is what workers run (``--workers``, Dask): language screening and fingerprints.
"""
from __future__ import annotations

import hashlib
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from datasketch import MinHash, MinHashLSH

from ..models import Article, LedgerEntry
from ..store import content_hash
from .base import Read, ReadArticle, plain
from .ids import normalise_url
from .sources import screen_language

SHINGLE_WORDS = 5
NUM_PERM = 64  # enough for a 0.85 threshold; half datasketch's default memory per article
SEED_PERMUTATIONS = MinHash(num_perm=NUM_PERM, seed=1, scheme="affine32").permutations  # made once, reused


@dataclass(frozen=True)
class Layout:
    """How a signature is cut into LSH bands: ``bands`` x ``rows`` hash values."""

    bands: int
    rows: int


@lru_cache(maxsize=8)
def layout_for(threshold: float) -> Layout:
    """datasketch's own choice of bands for ``threshold``, so candidates are those it finds."""
    lsh = MinHashLSH(threshold=threshold, num_perm=NUM_PERM)
    return Layout(lsh.b, lsh.r)


@dataclass(frozen=True)
class Fingerprinted:
    """An article ready for the duplicate decision: its content hash and every key, all
    computed where it was prepared, so that the writer only looks them up."""

    article: Article
    digest: str
    id_key: int
    hash_key: int
    url_key: int | None
    bands: tuple[int, ...]
    note: str | None = None  # the reader's note for the ledger row

    def original_keys(self) -> tuple[int, ...]:
        """The keys this article is found under while it is stored as an original."""
        url = () if self.url_key is None else (self.url_key,)
        return (self.hash_key, *url, *self.bands)


Prepared = Fingerprinted | LedgerEntry


def key(kind: str, value: str | bytes) -> int:
    """A signed 64-bit key (DuckDB BIGINT) for ``value``, separate per ``kind``."""
    data = value.encode("utf-8") if isinstance(value, str) else value
    digest = hashlib.blake2b(data, digest_size=8, person=kind.encode()).digest()
    return int.from_bytes(digest, "big", signed=True)


def hash_key(digest: str) -> int:
    return key("hash", digest)


def url_key(url: str) -> int:
    return key("url", normalise_url(url))


def shingles(text: str) -> set[str]:
    words = text.lower().split()
    if len(words) <= SHINGLE_WORDS:
        return {" ".join(words)}
    return {" ".join(words[i:i + SHINGLE_WORDS]) for i in range(len(words) - SHINGLE_WORDS + 1)}


def _crc32(shingle: str) -> int:
    """A hash that is the same in every process (Python's hash() is salted per process)."""
    return zlib.crc32(shingle.encode("utf-8"))


def minhash(parts: set[str]) -> MinHash:
    m = MinHash(num_perm=NUM_PERM, permutations=SEED_PERMUTATIONS, scheme="affine32",
                hashfunc=_crc32)
    m.update_batch(list(parts))
    return m


def jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a or b else 1.0


def band_keys(text: str, layout: Layout) -> tuple[int, ...]:
    """One key per band: the band's index and its hash values, as datasketch compares them."""
    values = minhash(shingles(text)).hashvalues
    return tuple(key(f"band{i}", values[i * layout.rows:(i + 1) * layout.rows].tobytes())
                 for i in range(layout.bands))


def fingerprint(article: Article, layout: Layout, note: str | None = None) -> Fingerprinted:
    digest = content_hash(article.text)
    return Fingerprinted(article, digest, key("id", article.id), hash_key(digest),
                         url_key(article.url) if article.url else None,
                         band_keys(article.text, layout), note)


def prepare(items: Iterable[Read], layout: Layout) -> list[Prepared]:
    """Run where the work is cheap to spread (a worker): each article screened for language,
    then fingerprinted; ledger rows pass through. Order is kept."""
    out: list[Prepared] = []
    for item in items:
        if isinstance(item, LedgerEntry):
            out.append(item)
            continue
        note = item.note if isinstance(item, ReadArticle) else None
        screened = screen_language(item)
        out.append(screened if isinstance(screened, LedgerEntry)
                   else fingerprint(plain(screened), layout, note))
    return out


__all__ = ["Fingerprinted", "Layout", "Prepared", "fingerprint", "hash_key", "jaccard", "key",
           "layout_for", "prepare", "shingles", "url_key"]
