"""JSONL and CSV inputs: one article per line or row, field names configurable.

Both stream (a row is read, judged and passed on), so a multi-gigabyte export never sits
in memory; each bad row is rejected with its line number and the rows after it are read.
"""
from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator, Mapping
from typing import Any, BinaryIO

from ..errors import EmptyInputError, InputError, MalformedError, TooLargeError
from .base import Read, ReadArticle, ReadContext, attempt, rejected
from .dates import parse_date
from .decode import check_binary, decode, guess_charset

SNIFF_BYTES = 1 << 16


def record_article(record: Mapping[str, Any], origin: str, ctx: ReadContext,
                   notes: list[str | None]) -> ReadArticle:
    """An article from one JSON object or CSV row, under the configured field names."""
    names = ctx.fields
    text = record.get(names["text"])
    if not isinstance(text, str):
        what = "missing" if text is None else f"a {type(text).__name__}, not text"
        raise MalformedError(f"field {names['text']!r} is {what}")
    values: dict[str, str | None] = {}
    for name in ("id", "url", "title", "outlet", "licence", "published"):
        value = record.get(names[name])
        if value is not None and not isinstance(value, (str, int, float)):
            raise MalformedError(f"field {names[name]!r} is a {type(value).__name__}, not text")
        values[name] = None if value is None or value == "" else str(value)
    try:
        published = parse_date(values["published"])
    except ValueError as exc:
        published, notes = None, notes + [f"published: {exc}"]
    return ctx.article(origin=origin, text=text, url=values["url"], title=values["title"],
                       published=published, outlet=values["outlet"], licence=values["licence"],
                       id=values["id"], notes=notes)


def read_jsonl(stream: BinaryIO, origin: str, ctx: ReadContext) -> Iterator[Read]:
    cap = ctx.settings.max_bytes
    number = 0
    while line := stream.readline(cap + 1):
        number += 1
        where = f"{origin}:{number}"
        if len(line) > cap:
            while line and not line.endswith(b"\n"):  # skip the rest of the oversized line
                line = stream.readline(SNIFF_BYTES)
            yield rejected(where, TooLargeError(f"line {number}: over the size cap of {cap} bytes"))
            continue
        if not line.strip():
            continue
        yield attempt(where, lambda: json_article(line, where, ctx), prefix=f"line {number}: ")


def json_article(line: bytes, where: str, ctx: ReadContext) -> ReadArticle:
    text, note = decode(line)
    try:
        record = json.loads(text)
    except json.JSONDecodeError as exc:
        raise MalformedError(f"invalid JSON: {exc.msg} at column {exc.colno}") from exc
    except RecursionError as exc:
        raise MalformedError("invalid JSON: nested too deeply") from exc
    if not isinstance(record, dict):
        raise MalformedError(f"a JSON {type(record).__name__}, not an object")
    return record_article(record, where, ctx, [note])


def sniff_encoding(sample: bytes) -> tuple[str, str | None]:
    """The encoding to read a CSV with, and a ledger note when it is not UTF-8."""
    try:
        sample.decode("utf-8")
        return "utf-8-sig", None
    except UnicodeDecodeError as exc:
        if exc.reason == "unexpected end of data":  # a character cut by the end of the sample
            return "utf-8-sig", None
    encoding = guess_charset(sample)
    if encoding is None:
        return "utf-8", "invalid UTF-8; undecodable bytes replaced"
    return encoding, f"not UTF-8; decoded as {encoding}"


def read_csv(stream: io.BufferedReader, origin: str, ctx: ReadContext) -> Iterator[Read]:
    sample = stream.peek(SNIFF_BYTES)[:SNIFF_BYTES]
    if not sample.strip():
        yield rejected(origin, EmptyInputError("empty input"))
        return
    try:
        check_binary(sample)
    except InputError as exc:
        yield rejected(origin, exc)
        return
    encoding, note = sniff_encoding(sample)
    # the csv module's field limit is process-wide; raise it to our own cap, never lower it
    csv.field_size_limit(max(csv.field_size_limit(), ctx.settings.max_bytes))
    text_stream = io.TextIOWrapper(stream, encoding=encoding, errors="replace", newline="")
    try:
        yield from read_rows(csv.reader(text_stream), origin, ctx, note)
    finally:
        text_stream.detach()  # leave the byte stream (maybe stdin) to whoever opened it


def read_rows(reader: Any, origin: str, ctx: ReadContext, note: str | None) -> Iterator[Read]:
    try:
        header = [name.strip() for name in next(reader)]
    except (csv.Error, StopIteration) as exc:
        yield rejected(origin, MalformedError(f"no CSV header: {exc}"))
        return
    if ctx.fields["text"] not in header:
        yield rejected(origin, MalformedError(
            f"no {ctx.fields['text']!r} column (columns: {', '.join(header)[:200]}); "
            f"name it with --field text=COLUMN"))
        return
    while True:
        start = reader.line_num + 1
        where = f"{origin}:{start}"
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            error: InputError = (TooLargeError if "field larger" in str(exc) else MalformedError)(
                f"line {start}: {exc}")
            yield rejected(where, error)
            continue
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            yield rejected(where, MalformedError(
                f"line {start}: {len(row)} fields, expected {len(header)}"))
            continue
        notes = [note, "undecodable bytes replaced" if note is None and any(
            "\ufffd" in cell for cell in row) else None]
        record = dict(zip(header, row))
        yield attempt(where, lambda: record_article(record, where, ctx, notes), prefix=f"line {start}: ")
