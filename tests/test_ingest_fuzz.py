"""Thousands of malformed inputs through every reader: no unhandled exception, and every
input item accounted for (one Article or one ledger row each), end to end into the store."""
from __future__ import annotations

import csv
import io
import json
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, settings, strategies as st
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from aidtrace.config import Settings
from aidtrace.ingest import ingest, iter_inputs
from aidtrace.models import Article, LedgerEntry
from aidtrace.store import Store

from .test_ingest_readers import Site, english, page

PHASES = [Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink]  # no slow "explain" phase
FUZZ = settings(max_examples=150, deadline=None, derandomize=True, phases=PHASES,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
SETTINGS = Settings(fetch_timeout=2.0, max_bytes=4000, min_chars=40)
WORDS = st.sampled_from(["aid", "masks", "China", "Italy", "sent", "tons", "of", "the", "to", "\x00",
                         "é", "€", "<p>", "</div>", "&amp;", "\"", ",", "\n", "\r\n", "{", "}", "日本"])
TEXTY = st.lists(WORDS, max_size=60).map(" ".join)
ENCODINGS = st.sampled_from(["utf-8", "utf-16", "cp1252", "latin-1", "shift_jis", "koi8-r"])


def encoded(text: str, encoding: str) -> bytes:
    return text.encode(encoding, errors="replace")


# bytes that stress every decoder: raw noise, texts in odd charsets, damaged real articles
BLOBS = st.one_of(
    st.binary(max_size=400),
    st.builds(encoded, TEXTY, ENCODINGS),
    st.builds(lambda t, cut, junk: t.encode()[:cut] + junk + t.encode()[cut:],
              st.integers(0, 40).map(english), st.integers(0, 900), st.binary(max_size=20)),
    st.builds(lambda n: english(n, 120).encode(), st.integers(0, 5)),  # over the size cap
)


@pytest.fixture(scope="module")
def workdir() -> Iterator[Path]:
    with tempfile.TemporaryDirectory() as d:
        yield Path(d)


def accounted(items: list[Article | LedgerEntry]) -> None:
    for item in items:
        if isinstance(item, LedgerEntry):
            assert item.status in ("skipped", "rejected") and item.reason
        else:
            assert len(item.text) >= SETTINGS.min_chars and item.id


def read(path: Path, fmt: str | None = None) -> list[Article | LedgerEntry]:
    items = list(iter_inputs([str(path)], SETTINGS, fmt=fmt))
    accounted(items)
    return items


@settings(FUZZ, max_examples=100)
@given(blob=BLOBS, fmt=st.sampled_from(["txt", "html"]))
def test_single_document_readers(workdir: Path, blob: bytes, fmt: str) -> None:
    path = workdir / f"x.{fmt}"
    path.write_bytes(blob)
    assert len(read(path)) == 1


LINES = st.one_of(
    st.builds(lambda n: json.dumps({"text": english(n), "id": f"i{n}"}), st.integers(0, 50)),
    st.builds(lambda t, p, u: json.dumps({"text": t, "published": p, "url": u}), TEXTY, TEXTY,
              st.one_of(st.none(), TEXTY, st.integers())),
    st.builds(json.dumps, st.recursive(st.none() | st.integers() | TEXTY,
                                       lambda c: st.lists(c) | st.dictionaries(TEXTY, c), max_leaves=8)),
    st.builds(lambda b: b.decode("latin-1"), st.binary(max_size=80)),
    TEXTY,
)


@FUZZ
@given(lines=st.lists(LINES, max_size=25))
def test_jsonl_every_non_blank_line_is_one_item(workdir: Path, lines: list[str]) -> None:
    raw = [line.replace("\n", " ").replace("\r", " ").encode("utf-8", errors="surrogateescape")
           for line in lines]
    path = workdir / "x.jsonl"
    path.write_bytes(b"\n".join(raw))
    items = read(path)
    expected = sum(1 for line in raw if line.strip())
    assert len(items) == max(expected, 1)  # an empty file is itself one rejected input


CELLS = st.text(st.characters(blacklist_characters='",\r\n', blacklist_categories=("Cs",)), max_size=30)


@FUZZ
@given(header=st.lists(st.sampled_from(["id", "url", "text", "title", "published", "x"]),
                       min_size=1, max_size=5, unique=True),
       rows=st.lists(st.lists(st.one_of(CELLS, st.integers(0, 30).map(english)), max_size=6), max_size=20),
       encoding=st.sampled_from(["utf-8", "cp1252"]))
def test_csv_every_non_blank_row_is_one_item(workdir: Path, header: list[str], rows: list[list[str]],
                                             encoding: str) -> None:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    path = workdir / "x.csv"
    path.write_bytes(buf.getvalue().encode(encoding, errors="replace"))
    items = read(path)
    data_rows = [r for r in rows if any(c.strip() for c in r)]
    assert len(items) == (len(data_rows) if "text" in header and data_rows else 1)


@FUZZ
@given(blob=st.binary(max_size=600), fmt=st.sampled_from(["csv", "jsonl", "warc", "feed", "url"]))
def test_container_readers_on_noise(workdir: Path, blob: bytes, fmt: str) -> None:
    path = workdir / "noise"
    path.write_bytes(blob)
    assert len(read(path, fmt)) >= 1


RESPONSES = st.lists(st.tuples(
    st.sampled_from(["200 OK", "404 Not Found", "301 Moved"]),
    st.sampled_from(["text/html", "text/html; charset=cp1252", "image/png", "text/html; charset=nope", ""]),
    st.one_of(BLOBS, st.integers(0, 50).map(lambda n: page(f"T{n}", english(n)).encode()))),
    max_size=8)


def warc_bytes(responses: list[tuple[str, str, bytes]], gz: bool, site: str = "news.example") -> bytes:
    out = io.BytesIO()
    writer = WARCWriter(out, gzip=gz)
    writer.write_record(writer.create_warcinfo_record("f.warc", {"software": "fuzz"}))
    for n, (status, ctype, body) in enumerate(responses):
        headers = StatusAndHeaders(status, [("Content-Type", ctype)] if ctype else [], protocol="HTTP/1.1")
        writer.write_record(writer.create_warc_record(f"https://{site}/{n}", "response",
                                                      payload=io.BytesIO(body), http_headers=headers))
    return out.getvalue()


@FUZZ
@given(responses=RESPONSES, gz=st.booleans(),
       damage=st.one_of(st.none(), st.tuples(st.integers(0, 5000), st.binary(min_size=1, max_size=30))))
def test_warc_each_response_is_one_item_until_a_broken_record(workdir: Path, responses: list[tuple[str, str, bytes]],
                                                              gz: bool, damage: tuple[int, bytes] | None) -> None:
    data = warc_bytes(responses, gz)
    if damage is not None:
        at = damage[0] % max(len(data), 1)
        data = data[:at] + damage[1] + data[at + len(damage[1]):]
    path = workdir / ("x.warc.gz" if gz else "x.warc")
    path.write_bytes(data)
    items = read(path)
    if damage is None:
        assert len(items) == max(len(responses), 1)
    else:
        assert 1 <= len(items) <= len(responses) + 1


@pytest.fixture(scope="module")
def site() -> Iterator[Site]:
    s = Site()
    yield s
    s.close()


@settings(max_examples=40, deadline=None, derandomize=True, phases=PHASES,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(items=st.lists(st.tuples(st.one_of(TEXTY, st.none()), st.one_of(TEXTY, st.none()),
                                st.sampled_from(["page", "bytes", "missing", "none"]), BLOBS),
                      max_size=6),
       feed_type=st.sampled_from(["application/rss+xml", "text/xml", "text/html", "application/pdf"]))
def test_feeds_and_urls_each_item_is_one_row(workdir: Path, site: Site, items: list[tuple[str | None, str | None, str, bytes]],
                                             feed_type: str) -> None:
    entries = []
    for n, (title, desc, kind, blob) in enumerate(items):
        path = f"/fz/{n}-{abs(hash(blob)) % 10**8}"
        if kind == "page":
            site.add(path, page(title or "t", english(n)))
        elif kind == "bytes":
            site.add(path, blob, type="text/html")
        link = "" if kind == "none" else f"<link>{site.url(path)}</link>"
        esc = (lambda s: (s or "").replace("&", "&amp;").replace("<", "&lt;"))
        entries.append(f"<item><title>{esc(title)}</title>{link}<description>{esc(desc)}</description></item>")
    feed = ('<?xml version="1.0"?><rss version="2.0"><channel><title>F</title>'
            + "".join(entries) + "</channel></rss>")
    url = site.add("/fz/feed", feed, type=feed_type)
    got = list(iter_inputs([url], SETTINGS))
    accounted(got)
    if feed_type == "application/pdf":
        assert len(got) == 1 and isinstance(got[0], LedgerEntry)
    else:
        assert len(got) == max(len(items), 1)


def test_end_to_end_store_plus_ledger_equals_inputs(tmp_path: Path) -> None:
    """A directory of 500 bad and good files of every kind, ingested into DuckDB:
    the summary adds up to the items read, and the ledger has exactly one row for each."""
    import random

    rng = random.Random(7)
    folder = tmp_path / "in"
    folder.mkdir()
    kinds = ["txt", "html", "jsonl", "csv", "xml", "warc", "bin"]
    for n in range(500):
        kind = kinds[n % len(kinds)]
        good = english(n).encode()
        choice = rng.random()
        body = (good if choice < 0.3 else rng.randbytes(rng.randint(0, 300)) if choice < 0.6
                else good[: rng.randint(0, len(good))] + rng.randbytes(5) + good)
        if kind == "jsonl":
            body = b"\n".join([json.dumps({"text": english(n + 5000)}).encode(), body, b"{]"])
        if kind == "warc":
            body = warc_bytes([("200 OK", "text/html", body)], gz=bool(n % 2), site=f"s{n}.example")
        (folder / f"f{n:04d}.{kind}").write_bytes(body)
    expected = len(list(iter_inputs([str(folder)], SETTINGS)))
    with Store(tmp_path / "f.duckdb") as store:
        summary = ingest([str(folder)], store=store, pipeline=None, settings=SETTINGS, progress=False)
        assert summary.total == expected
        assert len(store.ledger(run_id=summary.run_id)) == expected
        # every id is distinct here, so each stored or duplicate row is one article row
        assert summary.stored + summary.duplicates == int(
            store.con.execute("SELECT count(*) FROM articles").fetchone()[0])
    assert summary.rejected > 50 and summary.stored > 50
