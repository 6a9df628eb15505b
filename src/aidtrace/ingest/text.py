"""Plain text and the corpus's header-style text (``url:``, ``title:`` ... lines, a blank
line, then the body). Hand-written: the header format is ours and five lines long."""
from __future__ import annotations

import re

from .base import ReadArticle, ReadContext
from .dates import date_from_text, parse_date
from .decode import decode

HEADER_KEYS = {"id": "id", "url": "url", "title": "title", "published": "published",
               "date": "published", "outlet": "outlet", "licence": "licence", "license": "licence"}
HEADER_LINE = re.compile(r"^(\w+):[ \t]*(.*)$")


def split_header(text: str) -> tuple[dict[str, str], str]:
    """Leading ``key: value`` lines with known keys, and the body after them.

    A text whose first line is not a known header key has no header, so a body that
    happens to start with "Note: ..." is left whole.
    """
    header: dict[str, str] = {}
    lines = text.lstrip("\n").split("\n")
    for i, line in enumerate(lines):
        match = HEADER_LINE.match(line.strip())
        key = HEADER_KEYS.get(match.group(1).lower()) if match else None
        if key is None:
            return (header, "\n".join(lines[i:])) if header else ({}, text)
        header.setdefault(key, match.group(2).strip())
    return header, ""


def read_text(data: bytes, origin: str, ctx: ReadContext, *, url: str | None = None,
              charset: str | None = None) -> ReadArticle:
    text, note = decode(data, declared=charset, cap=ctx.settings.max_bytes)
    header, body = split_header(text.replace("\r\n", "\n"))
    notes = [note]
    try:
        published = parse_date(header.get("published"))
    except ValueError as exc:
        published, notes = None, notes + [f"published: {exc}"]
    if published is None and "published" not in header:
        published = date_from_text(body)
    return ctx.article(origin=origin, text=body, url=header.get("url") or url,
                       title=header.get("title"), published=published,
                       outlet=header.get("outlet"), licence=header.get("licence"),
                       id=header.get("id"), notes=notes)
