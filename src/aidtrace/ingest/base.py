"""What every reader shares: the context it reads with and the two things it may yield.

A reader turns one source into ``Article``s (readable items) and ``LedgerEntry``s
(rejected items, with the reason). Readers raise ``InputError`` for a single-item source
that cannot be read; container readers (JSONL, CSV, WARC, feeds) catch it per item so
that one bad row never hides the rows after it.
"""
from __future__ import annotations

import logging
import ssl
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, fields
from datetime import date
from functools import lru_cache
from typing import Union

import httpx

from ..config import Settings
from ..errors import ConfigError, EmptyInputError, InputError
from ..models import Article, LedgerEntry
from .ids import article_id

log = logging.getLogger(__name__)
FIELD_NAMES = ("id", "url", "title", "published", "outlet", "licence", "text")


@dataclass(frozen=True)
class ReadArticle(Article):
    """An Article plus the reader's note for its ledger row (how it was decoded, which
    fallback was used). ``ingest`` moves the note to the ledger and passes ``plain``
    Articles to the pipeline and the store."""

    note: str | None = None


Read = Union[Article, LedgerEntry]


def plain(article: Article) -> Article:
    """The bare Article, without reader notes: what the pipeline and the store receive."""
    if type(article) is Article:
        return article
    return Article(**{f.name: getattr(article, f.name) for f in fields(Article)})


def rejected(origin: str, error: InputError) -> LedgerEntry:
    return LedgerEntry(origin=origin, status="rejected", reason=error.reason)


def attempt(where: str, read: Callable[[], Read], *, prefix: str = "") -> Read:
    """Read one item of a container; any failure becomes that item's rejected row.

    ``prefix`` ("line 12: ") goes in front of the reason, so a row can be found again.
    """
    try:
        return read()
    except InputError as exc:
        return rejected(where, type(exc)(prefix + (str(exc.args[0]) if exc.args else "")))
    except Exception as exc:  # noqa: BLE001  parsers raise undocumented errors on hostile
        # input; one bad row must cost that row only, not the rows after it
        log.warning("unexpected error reading %s", where, exc_info=True)
        return rejected(where, InputError(f"{prefix}unreadable: {type(exc).__name__}: {exc}"))


def field_map(overrides: Mapping[str, str] | None) -> dict[str, str]:
    """Article field -> column/key name in JSONL and CSV inputs (``--field text=body``)."""
    names = {name: name for name in FIELD_NAMES}
    for key, column in (overrides or {}).items():
        if key not in names:
            raise ConfigError(f"unknown field {key!r} in --field (known: {', '.join(FIELD_NAMES)})")
        names[key] = column
    return names


@lru_cache(maxsize=1)
def tls_context() -> ssl.SSLContext:
    """httpx's default TLS context, built once: loading the CA bundle costs ~0.1 s a client."""
    return httpx.create_ssl_context()


class ReadContext:
    """Settings, field names and one HTTP client shared by all readers of one ingest."""

    def __init__(self, settings: Settings, fields: Mapping[str, str] | None = None) -> None:
        self.settings = settings
        self.fields = field_map(fields)
        self._client: httpx.Client | None = None

    @property
    def client(self) -> httpx.Client:
        if self._client is None:
            self._client = httpx.Client(
                timeout=self.settings.fetch_timeout, follow_redirects=True, max_redirects=5,
                headers={"User-Agent": self.settings.user_agent}, verify=tls_context())
        return self._client

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None

    def article(self, *, origin: str, text: str, url: str | None = None, title: str | None = None,
                published: date | None = None, outlet: str | None = None,
                licence: str | None = None, id: str | None = None,
                notes: Iterable[str | None] = ()) -> ReadArticle:
        """Build the article, or raise EmptyInputError if its body is too short to be one."""
        body = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "").strip()
        if len(body) < self.settings.min_chars:
            raise EmptyInputError(f"text too short ({len(body)} characters, minimum "
                                  f"{self.settings.min_chars})")
        note = "; ".join(n for n in notes if n) or None
        return ReadArticle(id=id or article_id(url, body), text=body, url=url or None,
                           title=(title or "").strip() or None, published=published,
                           outlet=(outlet or "").strip() or None,
                           licence=(licence or "").strip() or None, source=origin, note=note)
