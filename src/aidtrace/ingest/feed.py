"""RSS and Atom feeds with feedparser: each item's link is fetched and read as a page.

When the link cannot be read, the item's own content or summary is used instead if it
looks like the whole article (long enough, not a teaser ending in "..." or "Read more");
the ledger row says which text was stored.
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from typing import Any

import feedparser

from ..errors import EmptyInputError, FetchError, InputError, MalformedError
from .base import Read, ReadArticle, ReadContext, attempt, rejected
from .dates import plausible
from .fetch import HTML_TYPES, TEXT_TYPES, fetch
from .html import fragment_text, read_html
from .text import read_text

TEASER_END = re.compile(r"(\.\.\.|…|\[…\]|\[\.\.\.\]|\bread more|\bcontinue reading|\bmore\s*»)\W*$", re.I)


def read_feed(data: bytes, origin: str, ctx: ReadContext, *, url: str | None = None) -> Iterator[Read]:
    """One ledger row or article per feed item; one rejected row if it is not a feed."""
    headers = {"content-location": url} if url else {}
    # bytes, never str: given a str, feedparser would treat it as a URL or path and open it
    parsed = feedparser.parse(data, response_headers=headers)
    if not parsed.entries:
        if parsed.bozo and not parsed.feed:
            error: InputError = MalformedError(f"not an RSS/Atom feed: {parsed.get('bozo_exception')}")
        else:
            error = EmptyInputError("feed has no items")
        yield rejected(origin, error)
        return
    outlet = parsed.feed.get("title")
    for number, entry in enumerate(parsed.entries, start=1):
        where = f"{origin}#{number}"
        yield attempt(where, lambda: read_item(entry, where, ctx, outlet=outlet))


def entry_date(entry: Any) -> date | None:
    parsed = entry.get("published_parsed") or entry.get("updated_parsed")
    if not parsed:
        return None
    try:
        return plausible(date(parsed.tm_year, parsed.tm_mon, parsed.tm_mday))
    except (ValueError, TypeError):
        return None


def entry_text(entry: Any) -> str:
    """The longest text the item itself carries (full content beats the summary)."""
    texts = [c.get("value", "") for c in entry.get("content", []) or []]
    texts.append(entry.get("summary", "") or "")
    return max((fragment_text(t).strip() for t in texts), key=len, default="")


def read_item(entry: Any, origin: str, ctx: ReadContext, *, outlet: str | None) -> ReadArticle:
    link = entry.get("link") or None
    title = entry.get("title")
    published = entry_date(entry)
    failure: InputError
    if link and link.startswith(("http://", "https://")):
        try:
            page = fetch(link, ctx)
            if page.media_type in TEXT_TYPES:
                article = read_text(page.data, origin, ctx, url=page.url, charset=page.charset)
            elif page.media_type in HTML_TYPES or not page.media_type:
                article = read_html(page.data, origin, ctx, url=page.url, charset=page.charset)
            else:
                raise FetchError(f"{page.url} is not HTML (content-type {page.media_type})")
            # the feed's own date is the publisher's metadata: it beats a date read off the page
            return replace(article, title=article.title or title,
                           published=published or article.published, outlet=article.outlet or outlet)
        except InputError as exc:
            failure = exc
    else:
        failure = FetchError(f"item has no usable link ({link!r})")
    text = entry_text(entry)
    if len(text) < ctx.settings.min_chars or TEASER_END.search(text[-40:]):
        raise type(failure)(f"{failure.args[0] if failure.args else failure}; "
                            f"the item itself carries only a teaser")
    return ctx.article(origin=origin, text=text, url=link, title=title, published=published,
                       outlet=outlet, notes=[f"feed text used: {failure.reason}"])
