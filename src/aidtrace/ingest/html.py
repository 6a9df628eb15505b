"""HTML pages: main text, title, date and outlet with trafilatura.

trafilatura returns None on a page it cannot use and says nothing about why; this module
turns that into a reason (not HTML at all, unparseable, or no article text on the page).
"""
from __future__ import annotations

from datetime import date

import lxml.html
import trafilatura
from lxml import etree
from trafilatura.utils import load_html

from ..errors import EmptyInputError, MalformedError
from .base import ReadArticle, ReadContext
from .dates import date_from_text, parse_date
from .decode import declared_charset, decode

BLOCKS = ("p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre")
DATE_OPTIONS = {"original_date": True, "extensive_search": True}


def read_html(data: bytes, origin: str, ctx: ReadContext, *, url: str | None = None,
              charset: str | None = None) -> ReadArticle:
    text, note = decode(data, declared=charset or declared_charset(data), cap=ctx.settings.max_bytes)
    if "<" not in text:
        raise MalformedError("not HTML (no tags)")
    notes = [note]
    try:
        tree = load_html(text)
        if tree is None:  # trafilatura refuses fragments and broken pages; wrapping lets lxml recover
            tree = load_html(f"<html><body><div>{text}</div></body></html>")
            notes.append("malformed HTML: read as a fragment")
        if tree is None:
            raise MalformedError("unparseable HTML")
        doc = trafilatura.bare_extraction(tree, url=url, with_metadata=True, include_comments=False,
                                          date_extraction_params=DATE_OPTIONS)
    except (ValueError, TypeError, etree.LxmlError, RecursionError) as exc:
        raise MalformedError(f"unparseable HTML: {type(exc).__name__}: {exc}") from exc
    if doc is None or not (doc.text or "").strip():
        raise EmptyInputError("no article text found in the HTML")
    published: date | None = None
    try:
        published = parse_date(doc.date)
    except ValueError as exc:
        notes.append(f"date: {exc}")
    page_url = doc.url if (doc.url or "").startswith(("http://", "https://")) else None
    return ctx.article(origin=origin, text=doc.text, url=url or page_url, title=doc.title,
                       published=published or date_from_text(doc.text),
                       outlet=doc.sitename, notes=notes)


def fragment_text(html: str) -> str:
    """Text of an HTML fragment (a feed item's summary), keeping paragraph breaks.

    Hand-written because trafilatura needs a whole page and its ``html2txt`` joins
    paragraphs into one line, which breaks sentence splitting downstream.
    """
    if "<" not in html:
        return html
    try:
        root = lxml.html.fragment_fromstring(html, create_parent="div")
    except (etree.LxmlError, ValueError):
        return html
    for el in root.iter(*BLOCKS):
        el.tail = "\n\n" + (el.tail or "")
    lines = (" ".join(line.split()) for line in root.text_content().split("\n"))
    return "\n\n".join(line for line in lines if line)
