"""From what the user typed (paths, directories, globs, URLs, ``-``) to readers.

The format of each source comes from ``--format`` when given, else from the file
extension or the HTTP content type, else from a look at its first bytes. Every source
gets at least one ledger row: an unreadable one is rejected with a reason, a container
with nothing in it is rejected as empty, a file of an unknown kind met while walking a
directory is skipped. Nothing here raises for bad input.
"""
from __future__ import annotations

import glob
import io
import logging
import os
import re
import sys
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import BinaryIO

from ..config import Settings
from ..errors import ConfigError, EmptyInputError, FetchError, InputError, MalformedError, TooLargeError
from ..models import Article, LedgerEntry
from .base import Read, ReadContext, rejected
from .decode import read_capped
from .feed import read_feed
from .fetch import FEED_TYPES, HTML_TYPES, TEXT_TYPES, XML_TYPES, fetch
from .html import read_html
from .language import detect_language
from .tables import SNIFF_BYTES, read_csv, read_jsonl
from .text import read_text
from .warc import read_warc

log = logging.getLogger(__name__)

FORMATS = ("txt", "html", "jsonl", "csv", "warc", "feed", "url")
EXTENSIONS = {
    ".txt": "txt", ".text": "txt", ".html": "html", ".htm": "html", ".xhtml": "html",
    ".jsonl": "jsonl", ".ndjson": "jsonl", ".csv": "csv", ".warc": "warc", ".warc.gz": "warc",
    ".rss": "feed", ".atom": "feed", ".xml": "feed",
}
STREAMED = frozenset({"jsonl", "csv", "warc", "url"})  # containers: read item by item
GLOB_CHARS = frozenset("*?[")
STDIN = "-"
URL_LINE_MAX = 1 << 16  # a longer "line" in a URL list is not a URL
FEED_START = re.compile(rb"(<\?xml[^>]*>\s*)?(<!--.*?-->\s*|<\?xml-stylesheet[^>]*>\s*)*<(rss|feed|rdf:rdf)\b", re.S)


def iter_inputs(sources: Sequence[str], settings: Settings, *, fmt: str | None = None,
                fields: Mapping[str, str] | None = None, screen: bool = True) -> Iterator[Read]:
    """Every readable item as an Article, every other one as a skipped/rejected LedgerEntry.

    Streams: items are read, judged and yielded one at a time. ``screen=False`` leaves the
    language screening (``screen_language``) to the caller, which ingest does in its
    workers. Raises ConfigError only for a bad ``fmt`` or ``fields`` (before reading
    anything), never for bad input.
    """
    if fmt is not None and fmt not in FORMATS:
        raise ConfigError(f"unknown format {fmt!r} (known: {', '.join(FORMATS)})")
    ctx = ReadContext(settings, fields)
    try:
        for source in sources:
            for item in guarded(source, read_source(source, ctx, fmt)):
                yield screen_language(item) if screen and isinstance(item, Article) else item
    finally:
        ctx.close()


def screen_language(article: Article) -> Read:
    """Non-English articles are skipped with their language as the reason, never dropped."""
    lang = detect_language(article.text)
    if lang not in (None, "en"):
        return LedgerEntry(origin=article.source or article.id, status="skipped",
                           reason=f"language {lang}", article_id=article.id)
    return replace(article, lang=lang)


def is_url(source: str) -> bool:
    return source.lower().startswith(("http://", "https://"))


def read_source(source: str, ctx: ReadContext, fmt: str | None) -> Iterator[Read]:
    if source == STDIN:
        stdin = sys.stdin.buffer
        reader = stdin if isinstance(stdin, io.BufferedReader) else io.BufferedReader(stdin)
        yield from guarded("stdin", read_stream(fmt or sniff(reader.peek(SNIFF_BYTES)), reader,
                                                "stdin", ctx))
        return
    if is_url(source):
        yield from guarded(source, read_url(source, ctx, fmt))
        return
    try:
        is_dir, exists = Path(source).is_dir(), Path(source).exists()
    except (OSError, ValueError) as exc:  # a name too long, a NUL byte in it
        yield rejected(source, InputError(f"not a usable path: {getattr(exc, 'strerror', None) or exc}"))
        return
    if is_dir:
        yield from read_dir(Path(source), ctx, fmt)
    elif exists:
        yield from read_file(Path(source), ctx, fmt, walking=False)
    elif GLOB_CHARS & set(source):
        matches = sorted(glob.glob(source, recursive=True))
        if not matches:
            yield rejected(source, InputError(f"no files match {source!r}"))
        for match in matches:
            path = Path(match)
            yield from read_dir(path, ctx, fmt) if path.is_dir() else read_file(path, ctx, fmt, walking=True)
    else:
        yield rejected(source, InputError(f"no such file, directory or URL: {source}"))


def read_dir(root: Path, ctx: ReadContext, fmt: str | None) -> Iterator[Read]:
    """Every non-hidden file under ``root``, in a stable (sorted) order."""
    unreadable: list[OSError] = []
    for folder, dirs, files in os.walk(root, onerror=unreadable.append):
        while unreadable:  # a sub-folder os.walk could not list
            error = unreadable.pop()
            yield rejected(str(error.filename or folder), InputError(f"cannot list: {error.strerror}"))
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            if not name.startswith("."):
                yield from read_file(Path(folder) / name, ctx, fmt, walking=True)
    for error in unreadable:
        yield rejected(str(error.filename or root), InputError(f"cannot list: {error.strerror}"))


def kind_of_path(path: Path) -> str | None:
    name = path.name.lower()
    return EXTENSIONS.get(".warc.gz" if name.endswith(".warc.gz") else path.suffix.lower())


def sniff(head: bytes) -> str:
    """The format of a file or stream without a telling name, from its first bytes."""
    start = head.lstrip()[:2048]
    lower = start.lower()
    if start.startswith(b"WARC/") or head.startswith(b"\x1f\x8b"):
        return "warc"
    if FEED_START.match(lower):
        return "feed"
    if lower.startswith(b"<") or b"<html" in lower or b"<body" in lower:
        return "html"
    if start.startswith(b"{"):
        return "jsonl"
    return "txt"


def read_file(path: Path, ctx: ReadContext, fmt: str | None, *, walking: bool) -> Iterator[Read]:
    origin = str(path)
    kind = fmt or kind_of_path(path)
    if kind is None and walking:
        yield LedgerEntry(origin=origin, status="skipped",
                          reason=f"unsupported file type {path.suffix or '(no extension)'}")
        return
    yield from guarded(origin, open_and_read(path, origin, kind, ctx))


def open_and_read(path: Path, origin: str, kind: str | None, ctx: ReadContext) -> Iterator[Read]:
    try:
        stream = open(path, "rb", buffering=SNIFF_BYTES)
    except OSError as exc:
        raise InputError(f"cannot open: {exc.strerror or exc}") from exc
    with stream:
        kind = kind or sniff(stream.peek(SNIFF_BYTES))
        if kind not in STREAMED and path.stat().st_size > ctx.settings.max_bytes:
            raise TooLargeError(f"{path.stat().st_size} bytes, over the size cap of "
                                f"{ctx.settings.max_bytes}")
        yield from read_stream(kind, stream, origin, ctx)


def read_stream(kind: str, stream: io.BufferedReader, origin: str, ctx: ReadContext) -> Iterator[Read]:
    if kind == "jsonl":
        yield from read_jsonl(stream, origin, ctx)
    elif kind == "csv":
        yield from read_csv(stream, origin, ctx)
    elif kind == "warc":
        yield from read_warc(stream, origin, ctx)
    elif kind == "url":
        yield from read_url_list(stream, origin, ctx)
    else:
        yield from read_bytes(kind, read_capped(stream, ctx.settings.max_bytes), origin, ctx)


def read_bytes(kind: str, data: bytes, origin: str, ctx: ReadContext, *, url: str | None = None,
               charset: str | None = None) -> Iterator[Read]:
    if kind == "txt":
        yield read_text(data, origin, ctx, url=url, charset=charset)
    elif kind == "html":
        yield read_html(data, origin, ctx, url=url, charset=charset)
    elif kind == "feed":
        yield from read_feed(data, origin, ctx, url=url)
    else:
        yield from read_stream(kind, io.BufferedReader(io.BytesIO(data)), origin, ctx)  # type: ignore[arg-type]


def kind_of_media(media_type: str, data: bytes) -> str | None:
    """The reader for a fetched body; servers often label feeds text/html, so look first."""
    if media_type in HTML_TYPES:
        return "feed" if sniff(data[:SNIFF_BYTES]) == "feed" else "html"
    if media_type in FEED_TYPES:
        return "feed"
    if media_type in TEXT_TYPES:
        return "txt"
    if media_type in XML_TYPES or not media_type:
        return sniff(data)
    return None


def read_url(url: str, ctx: ReadContext, fmt: str | None) -> Iterator[Read]:
    page = fetch(url, ctx)
    kind = fmt if fmt not in (None, "url") else kind_of_media(page.media_type, page.data)
    if kind is None:
        raise FetchError(f"not HTML (content-type {page.media_type}): {url}")
    yield from read_bytes(kind, page.data, url, ctx, url=page.url, charset=page.charset)


def read_url_list(stream: BinaryIO, origin: str, ctx: ReadContext) -> Iterator[Read]:
    """A file of URLs, one a line; blank lines and ``#`` comments are not items."""
    number = 0
    while raw := stream.readline(URL_LINE_MAX):
        number += 1
        line = raw.decode("utf-8", errors="replace").strip()
        if not line or line.startswith("#"):
            continue
        if is_url(line):
            yield from guarded(line, read_url(line, ctx, None))
        else:
            yield rejected(f"{origin}:{number}",
                           MalformedError(f"line {number}: not an http(s) URL: {line[:80]!r}"))


def guarded(origin: str, items: Iterator[Read]) -> Iterator[Read]:
    """Yield a source's items; turn a failure of the source itself into its ledger row."""
    count = 0
    try:
        for item in items:
            count += 1
            yield item
    except InputError as exc:
        count += 1
        yield rejected(origin, exc)
    except Exception as exc:  # noqa: BLE001  third-party parsers raise undocumented errors on
        # hostile input; one unreadable source must not stop the batch, so it is recorded instead
        log.warning("unexpected error reading %s", origin, exc_info=True)
        count += 1
        yield rejected(origin, InputError(f"unreadable: {type(exc).__name__}: {exc}"))
    if count == 0:
        yield rejected(origin, EmptyInputError("no articles in it"))
