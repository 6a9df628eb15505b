"""Fetching one URL with httpx: a clear user agent, redirects, a time limit and a size cap.

``settings.fetch_timeout`` bounds each network wait and also the whole download, so a
server that drips one byte a second is cut off as slow rather than holding the batch.
"""
from __future__ import annotations

import time
from dataclasses import dataclass

import httpx

from ..errors import FetchError, TooLargeError
from .base import ReadContext

HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
FEED_TYPES = frozenset({"application/rss+xml", "application/atom+xml", "application/rdf+xml",
                        "application/feed+json"})
XML_TYPES = frozenset({"application/xml", "text/xml"})
TEXT_TYPES = frozenset({"text/plain"})


@dataclass(frozen=True)
class Fetched:
    url: str            # after redirects: the address the text really came from
    data: bytes
    media_type: str     # "text/html", lower-case, without parameters ("" if not sent)
    charset: str | None


def fetch(url: str, ctx: ReadContext) -> Fetched:
    """GET ``url``; raise FetchError (unreachable, slow, HTTP error) or TooLargeError."""
    limit, cap = ctx.settings.fetch_timeout, ctx.settings.max_bytes
    deadline = time.monotonic() + limit
    try:
        with ctx.client.stream("GET", url) as resp:
            if resp.status_code >= 400:
                raise FetchError(f"HTTP {resp.status_code} from {url}")
            declared = resp.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > cap:
                raise TooLargeError(f"{url} is {declared} bytes, over the size cap of {cap}")
            chunks, size = [], 0
            for chunk in resp.iter_bytes():
                size += len(chunk)
                if size > cap:
                    raise TooLargeError(f"{url} is over the size cap of {cap} bytes")
                if time.monotonic() > deadline:
                    raise FetchError(f"too slow: {url} did not arrive within {limit:g}s")
                chunks.append(chunk)
            media_type = resp.headers.get("content-type", "").split(";")[0].strip().lower()
            return Fetched(url=str(resp.url), data=b"".join(chunks), media_type=media_type,
                           charset=resp.charset_encoding)
    except httpx.TimeoutException as exc:
        raise FetchError(f"timed out after {limit:g}s: {url}") from exc
    except httpx.TooManyRedirects as exc:
        raise FetchError(f"too many redirects: {url}") from exc
    except (httpx.InvalidURL, httpx.UnsupportedProtocol) as exc:
        raise FetchError(f"invalid URL {url!r}: {exc}") from exc
    except httpx.HTTPError as exc:
        raise FetchError(f"unreachable: {url}: {type(exc).__name__}: {exc}") from exc
