"""WARC and WARC.gz files (Common Crawl's CC-NEWS layout) with warcio.

Only ``response`` records are input items: an HTML 200 response is read as a page;
other responses (images, redirects, errors) are recorded as skipped. ``warcinfo``,
``request`` and ``metadata`` records describe the crawl, not articles, and are passed
over. A broken record ends the file: WARC has no resynchronisation marker, so what
follows it cannot be trusted; the ledger names the record's byte offset.
"""
from __future__ import annotations

import zlib
from collections.abc import Iterator
from typing import Any, BinaryIO

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

from ..errors import InputError, MalformedError, TooLargeError
from ..models import LedgerEntry
from .base import Read, ReadContext, rejected
from .fetch import HTML_TYPES
from .html import read_html

# what warcio and the stdlib raise on truncated or corrupt records and gzip members
BROKEN = (ArchiveLoadFailed, zlib.error, EOFError, ValueError, OSError, UnicodeDecodeError)


def read_warc(stream: BinaryIO, origin: str, ctx: ReadContext) -> Iterator[Read]:
    archive = ArchiveIterator(stream)
    records = iter(archive)
    while True:
        try:
            record = next(records)
        except StopIteration:
            return
        except BROKEN as exc:  # archive.offset: where the record that failed to parse starts
            yield rejected(f"{origin}@{archive.offset}", broken(archive.offset, exc))
            return
        if record.rec_type != "response":
            continue
        offset = archive.offset
        where = f"{origin}@{offset}"
        try:
            yield read_response(record, where, ctx)
        except InputError as exc:
            yield rejected(where, exc)
        except BROKEN as exc:
            yield rejected(where, broken(offset, exc))
            return


def broken(offset: int, exc: Exception) -> MalformedError:
    message = "".join(ch if ch.isprintable() else "?" for ch in str(exc)[:120])
    return MalformedError(f"broken WARC record at offset {offset}: {type(exc).__name__}: {message}")


def read_response(record: Any, where: str, ctx: ReadContext) -> Read:
    url = record.rec_headers.get_header("WARC-Target-URI")
    http = record.http_headers
    if http is None:
        raise MalformedError("response record without HTTP headers")
    status = http.get_statuscode()
    if status != "200":
        return LedgerEntry(origin=where, status="skipped", reason=f"HTTP {status} response for {url}")
    content_type = http.get_header("Content-Type") or ""
    media_type = content_type.split(";")[0].strip().lower()
    if media_type and media_type not in HTML_TYPES:
        return LedgerEntry(origin=where, status="skipped",
                           reason=f"not HTML (content-type {media_type}) for {url}")
    cap = ctx.settings.max_bytes
    data = record.content_stream().read(cap + 1)
    if len(data) > cap:
        raise TooLargeError(f"response for {url} is over the size cap of {cap} bytes")
    charset = None
    if "charset=" in content_type.lower():
        charset = content_type.lower().split("charset=")[1].split(";")[0].strip(" \"'") or None
    return read_html(data, where, ctx, url=url, charset=charset)
