"""Stable article ids: the same article gets the same id on every run and every machine.

The id comes from the normalised URL when there is one (so a page fetched twice, or
shared with ``?utm_source=...``, is one article), else from the normalised text. Hand-written
rather than courlan's ``normalize_url`` because ours must never change between library
versions: a changed id would turn every stored article into a new one.
"""
from __future__ import annotations

import hashlib
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from ..store import content_hash

ID_LENGTH = 16  # hex digits: 64 bits, no collision in any corpus this tool will see
TRACKING_PARAMS = frozenset({"fbclid", "gclid", "dclid", "msclkid", "mc_cid", "mc_eid", "igshid"})
DEFAULT_PORTS = {"http": 80, "https": 443}


def normalise_url(url: str) -> str:
    """Lower-case scheme and host, no default port, fragment, tracking params or trailing slash."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    try:
        port = parts.port
    except ValueError:  # a non-numeric port: keep the URL recognisable rather than fail
        port = None
    netloc = host if port in (None, DEFAULT_PORTS.get(scheme)) else f"{host}:{port}"
    if parts.username:
        netloc = f"{parts.username}@{netloc}"
    query = urlencode([(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
                       if not k.lower().startswith("utm_") and k.lower() not in TRACKING_PARAMS])
    path = parts.path.rstrip("/")
    return urlunsplit((scheme, netloc, path, query, ""))


def article_id(url: str | None, text: str) -> str:
    """The id an article is stored under: a hash of its normalised URL, else of its text."""
    if url and urlsplit(url.strip()).netloc:  # "unknown" or "n/a" in a header is not a URL
        return hashlib.sha1(normalise_url(url).encode("utf-8")).hexdigest()[:ID_LENGTH]
    return content_hash(text)[:ID_LENGTH]
