"""Every reader, on files the tests write and pages served by a real server on 127.0.0.1."""
from __future__ import annotations

import gzip
import io
import json
import random
import threading
import time
from collections.abc import Iterator
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from aidtrace.config import Settings
from aidtrace.errors import ConfigError
from aidtrace.ingest import article_id, iter_inputs, normalise_url
from aidtrace.models import Article, LedgerEntry

COUNTRIES = ("China", "Italy", "Japan", "Germany", "Kenya", "Brazil", "Canada", "Nepal", "Haiti",
             "Serbia", "France", "India", "Peru", "Chile", "Ghana", "Spain")
ITEMS = ("masks", "ventilators", "test kits", "rice", "tents", "blankets", "vaccines", "medicines")
VERBS = ("sent", "delivered", "donated", "shipped", "pledged", "flew in")


def english(seed: int, sentences: int = 8) -> str:
    """A distinct English news text: random donors, items and numbers, so no two are copies."""
    rng = random.Random(seed)
    out = []
    for _ in range(sentences):
        a, b = rng.sample(COUNTRIES, 2)
        out.append(f"The government of {a} {rng.choice(VERBS)} {rng.randint(2, 9000)} tons of "
                   f"{rng.choice(ITEMS)} to {b} on {rng.choice(('Monday', 'Tuesday', 'Friday'))}, "
                   f"officials in the capital said after a meeting number {rng.randint(1, 500)}.")
    return " ".join(out)


FRENCH = ("La Chine a livré trente tonnes de masques à l'Italie mardi, a indiqué le ministère des "
          "Affaires étrangères dans un communiqué publié à Rome. Les autorités italiennes ont remercié "
          "leurs partenaires pour cette aide rapide pendant la crise sanitaire.")


def page(title: str, body: str, *, published: str | None = "2020-03-14", site: str = "Example News",
         canonical: str | None = None, charset: str = "utf-8") -> str:
    meta = f'<meta property="article:published_time" content="{published}T09:00:00Z">' if published else ""
    link = f'<link rel="canonical" href="{canonical}">' if canonical else ""
    paras = "".join(f"<p>{s}.</p>" for s in body.split(". "))
    return (f'<!doctype html><html><head><meta charset="{charset}"><title>{title} | {site}</title>'
            f'<meta property="og:site_name" content="{site}">{meta}{link}</head><body>'
            f"<nav><a href='/'>Home</a> | <a href='/world'>World</a></nav><article><h1>{title}</h1>"
            f"{paras}</article><footer>Copyright {site}</footer></body></html>")


def settings(**kw: object) -> Settings:
    return Settings(**{"fetch_timeout": 2.0, **kw})  # type: ignore[arg-type]


def read(sources: list[str], **kw: object) -> list[Article | LedgerEntry]:
    fmt = kw.pop("fmt", None)
    fields = kw.pop("fields", None)
    return list(iter_inputs(sources, settings(**kw), fmt=fmt, fields=fields))  # type: ignore[arg-type]


def articles(items: list[Article | LedgerEntry]) -> list[Article]:
    return [i for i in items if isinstance(i, Article)]


def entries(items: list[Article | LedgerEntry]) -> list[LedgerEntry]:
    return [i for i in items if isinstance(i, LedgerEntry)]


class Site:
    """A real HTTP server on 127.0.0.1 serving canned routes (no other network in tests)."""

    def __init__(self) -> None:
        self.routes: dict[str, dict[str, object]] = {}
        self.hits: dict[str, int] = {}
        self.agents: list[str] = []
        self.release = threading.Event()
        site = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802
                path = self.path.split("?")[0]
                site.hits[path] = site.hits.get(path, 0) + 1
                site.agents.append(self.headers.get("User-Agent", ""))
                route = site.routes.get(path)
                if route is None:
                    self.send_error(404)
                    return
                if route.get("block"):
                    route["arrived"].set()  # type: ignore[attr-defined]
                    site.release.wait(30)
                if route.get("redirect"):
                    self.send_response(302)
                    self.send_header("Location", str(route["redirect"]))
                    self.end_headers()
                    return
                body: bytes = route["body"]  # type: ignore[assignment]
                self.send_response(int(route.get("status", 200)))  # type: ignore[arg-type]
                self.send_header("Content-Type", str(route.get("type", "text/html; charset=utf-8")))
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                drip = float(route.get("drip", 0))  # type: ignore[arg-type]
                try:
                    if drip:
                        for i in range(0, len(body), 16):
                            self.wfile.write(body[i:i + 16])
                            self.wfile.flush()
                            time.sleep(drip)
                    else:
                        self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}{path}"

    def add(self, path: str, body: str | bytes = b"", **route: object) -> str:
        self.routes[path] = {"body": body.encode() if isinstance(body, str) else body, **route}
        return self.url(path)

    def close(self) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def site() -> Iterator[Site]:
    s = Site()
    yield s
    s.close()


# -- ids ------------------------------------------------------------------------------

@pytest.mark.parametrize("a, b", [
    ("https://Example.ORG/news/a/", "https://example.org/news/a"),
    ("https://example.org/news/a#comments", "https://example.org/news/a"),
    ("https://example.org/news/a?utm_source=tw&utm_medium=x&id=3", "https://example.org/news/a?id=3"),
    ("https://example.org:443/news/a", "https://example.org/news/a"),
    ("HTTP://example.org/a?fbclid=zz", "http://example.org/a"),
])
def test_url_normalisation_gives_one_id(a: str, b: str) -> None:
    assert normalise_url(a) == normalise_url(b)
    assert article_id(a, "one text") == article_id(b, "another text")


def test_id_from_text_ignores_whitespace_and_differs_by_url() -> None:
    assert article_id(None, "China sent  masks\nto Italy") == article_id(None, "China sent masks to Italy")
    assert article_id(None, "a b c") != article_id(None, "a b d")
    assert article_id("https://example.org/a", "x") != article_id("https://example.org/b", "x")
    assert article_id("https://example.org/a?id=1", "x") != article_id("https://example.org/a?id=2", "x")


# -- text -----------------------------------------------------------------------------

def test_header_txt_and_plain_txt(tmp_path: Path) -> None:
    body = english(1)
    (tmp_path / "corpus.txt").write_text(
        "url: https://example.org/a?utm_source=x\ntitle: Masks for Italy\npublished: 2020-03-14\n"
        f"licence: CC-BY\noutlet: Example News\n\n{body}\n")
    (tmp_path / "unknown.txt").write_text(f"url: https://example.org/b\npublished: unknown\n\n{english(2)}")
    (tmp_path / "plain.txt").write_text(f"Rome, 9 April 2020\n\n{english(3)}")
    (tmp_path / "note.txt").write_text(f"Note: this is not a header.\n{english(4)}")
    got = {Path(a.source or "").name: a for a in articles(read([str(tmp_path)]))}
    a = got["corpus.txt"]
    assert (a.title, a.published, a.outlet, a.licence, a.text, a.lang) == (
        "Masks for Italy", date(2020, 3, 14), "Example News", "CC-BY", body, "en")
    assert a.id == article_id("https://example.org/a", "")
    assert got["unknown.txt"].published is None
    assert got["plain.txt"].published == date(2020, 4, 9) and got["plain.txt"].url is None
    assert got["plain.txt"].id == article_id(None, got["plain.txt"].text)
    assert got["note.txt"].text.startswith("Note: this is not a header.")


def test_explicit_id_header_is_kept(tmp_path: Path) -> None:
    (tmp_path / "x.txt").write_text(f"id: p-123\nurl: https://example.org/a\n\n{english(5)}")
    assert articles(read([str(tmp_path / "x.txt")]))[0].id == "p-123"


@pytest.mark.parametrize("data, code, words", [
    (b"", "A011", "empty"),
    (b"   \n\n  ", "A011", "empty"),
    (b"too short to be an article", "A011", "too short"),
    (b"\x00\x01\x02binary\x00" * 20, "A012", "NUL"),
    (b"%PDF-1.4\n" + bytes(range(256)) * 4, "A012", "PDF"),
    (b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "A012", "PNG"),
])
def test_bad_text_inputs_are_rejected_with_reason(tmp_path: Path, data: bytes, code: str, words: str) -> None:
    path = tmp_path / "bad.txt"
    path.write_bytes(data)
    [entry] = read([str(path)])
    assert isinstance(entry, LedgerEntry) and entry.status == "rejected"
    assert entry.origin == str(path) and entry.reason is not None
    assert code in entry.reason and words in entry.reason


def test_too_large_is_rejected_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "big.txt"
    path.write_text(english(6, 200))
    [entry] = read([str(path)], max_bytes=1000)
    assert isinstance(entry, LedgerEntry) and "A013" in (entry.reason or "")


def test_odd_charsets_are_decoded_and_noted(tmp_path: Path) -> None:
    text = ("Café owners in Zürich donated crêpes and soupe à l'oignon to the réfugiés, the "
            "mayor’s office said on Tuesday in a statement about the winter relief effort.")
    (tmp_path / "latin.txt").write_bytes(text.encode("cp1252"))
    (tmp_path / "utf16.txt").write_bytes(text.encode("utf-16"))
    (tmp_path / "bom8.txt").write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    broken = text.encode("utf-8").replace("ü".encode(), b"\xff")
    (tmp_path / "broken.txt").write_bytes(broken)
    got = {Path(a.source or "").name: a for a in articles(read([str(tmp_path)]))}
    assert got["latin.txt"].text == text and "not UTF-8" in (got["latin.txt"].note or "")  # type: ignore[attr-defined]
    assert got["utf16.txt"].text == text and "utf-16" in (got["utf16.txt"].note or "")  # type: ignore[attr-defined]
    assert got["bom8.txt"].text == text and got["bom8.txt"].note is None  # type: ignore[attr-defined]
    assert "Z" in got["broken.txt"].text and "byte" in (got["broken.txt"].note or "")  # type: ignore[attr-defined]


def test_non_english_is_skipped_with_language(tmp_path: Path) -> None:
    (tmp_path / "fr.txt").write_text(FRENCH)
    (tmp_path / "short.txt").write_text("Masques livrés à Rome mardi par la Chine, dit-on.")
    entry, short = read([str(tmp_path / "fr.txt"), str(tmp_path / "short.txt")])
    assert isinstance(entry, LedgerEntry)
    assert (entry.status, entry.reason) == ("skipped", "language fr")
    assert entry.article_id == article_id(None, FRENCH)
    assert isinstance(short, Article) and short.lang is None  # too short to tell: kept


# -- html -----------------------------------------------------------------------------

def test_html_main_text_and_metadata(tmp_path: Path) -> None:
    body = english(7)
    (tmp_path / "a.html").write_text(page("Masks for Italy", body, canonical="https://example.org/news/a"))
    (tmp_path / "b.htm").write_text(page("No date here", english(8), published=None))
    (tmp_path / "c.html").write_bytes(page("Zürich café aid", english(9), charset="windows-1252")
                                      .encode("cp1252"))
    got = {Path(a.source or "").name: a for a in articles(read([str(tmp_path)]))}
    a = got["a.html"]
    assert a.title == "Masks for Italy" and a.outlet == "Example News"
    assert a.published == date(2020, 3, 14) and a.url == "https://example.org/news/a"
    assert "Home" not in a.text and "Copyright" not in a.text
    assert body.split(". ")[0] in a.text
    assert got["b.htm"].published is None
    assert got["c.html"].title == "Zürich café aid"


@pytest.mark.parametrize("html, code", [
    (b"<html><body><nav>Home</nav></body></html>", "A011"),
    (b"just words without any markup at all but long enough to be more than min chars", "A015"),
    (b"<html><body>" + b"<div>" * 5000 + b"</body>", "A01"),
])
def test_unusable_html_is_rejected(tmp_path: Path, html: bytes, code: str) -> None:
    path = tmp_path / "x.html"
    path.write_bytes(html)
    [entry] = read([str(path)])
    assert isinstance(entry, LedgerEntry) and entry.status == "rejected"
    assert code in (entry.reason or "")


# -- JSONL and CSV --------------------------------------------------------------------

def test_jsonl_rows_and_bad_rows_with_line_numbers(tmp_path: Path) -> None:
    good = {"id": "j1", "url": "https://example.org/j1", "title": "T", "published": "2021-02-25",
            "outlet": "O", "text": english(10)}
    lines = [json.dumps(good), "", "{not json", json.dumps([1, 2]), json.dumps({"id": "j2"}),
             json.dumps({"text": 5}), json.dumps({"text": english(11), "published": "soon-ish"}),
             json.dumps({"text": english(12), "title": {"a": 1}})]
    path = tmp_path / "a.jsonl"
    path.write_text("\n".join(lines) + "\n")
    items = read([str(path)])
    assert len(items) == 7  # the blank line is not an item
    first = items[0]
    assert isinstance(first, Article) and first.id == "j1" and first.published == date(2021, 2, 25)
    bad = {e.origin: e.reason for e in entries(items)}
    assert set(bad) == {f"{path}:3", f"{path}:4", f"{path}:5", f"{path}:6", f"{path}:8"}
    assert "line 3: invalid JSON" in bad[f"{path}:3"]
    assert "not an object" in bad[f"{path}:4"]
    assert "'text' is missing" in bad[f"{path}:5"]
    assert "int, not text" in bad[f"{path}:6"]
    seventh = items[5]
    assert isinstance(seventh, Article) and seventh.published is None
    assert "not a date" in (seventh.note or "")  # type: ignore[attr-defined]


def test_jsonl_field_names_and_oversized_line(tmp_path: Path) -> None:
    path = tmp_path / "a.jsonl"
    path.write_text(json.dumps({"body": english(13), "link": "https://example.org/x", "headline": "H"})
                    + "\n" + json.dumps({"body": english(14, 400)}) + "\n"
                    + json.dumps({"body": english(15)}) + "\n")
    items = read([str(path)], fields={"text": "body", "url": "link", "title": "headline"},
                 max_bytes=5000)
    assert isinstance(items[0], Article) and items[0].title == "H"
    assert items[0].id == article_id("https://example.org/x", "")
    assert isinstance(items[1], LedgerEntry) and "A013" in (items[1].reason or "")
    assert items[1].origin == f"{path}:2"
    assert isinstance(items[2], Article)


def test_unknown_field_or_format_is_a_config_error() -> None:
    with pytest.raises(ConfigError):
        read(["x"], fields={"body": "text"})
    with pytest.raises(ConfigError):
        read(["x"], fmt="pdf")


def test_csv_rows_bad_rows_and_charset(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    rows = ["id,url,title,published,outlet,text",
            f'c1,https://example.org/c1,Title one,2020-04-02,Outlet,"{english(16)}"',
            "c2,https://example.org/c2,too,few",
            "",
            f'c3,,"Multi\nline title",,,"{english(17)}"',
            f'c4,,,,,"{english(18)[:20]}"',
            f'c5,,,,,"{english(19)} Café."']
    path.write_bytes("\n".join(rows).encode("cp1252"))
    items = read([str(path)])
    assert [type(i).__name__ for i in items] == ["ReadArticle", "LedgerEntry", "ReadArticle",
                                                 "LedgerEntry", "ReadArticle"]
    assert items[0].id == "c1" and items[0].published == date(2020, 4, 2)  # type: ignore[union-attr]
    assert items[1].origin == f"{path}:3" and "line 3: 4 fields, expected 6" in (items[1].reason or "")
    assert items[2].title == "Multi\nline title"  # type: ignore[union-attr]
    assert items[3].origin == f"{path}:7" and "too short" in (items[3].reason or "")
    assert items[4].text.endswith("Café.")  # type: ignore[union-attr]


def test_csv_without_text_column_is_one_rejection(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("a,b\n1,2\n")
    [entry] = read([str(path)])
    assert isinstance(entry, LedgerEntry) and "no 'text' column" in (entry.reason or "")
    items = read([str(path)], fields={"text": "b"})
    assert "too short" in (entries(items)[0].reason or "")


# -- WARC -----------------------------------------------------------------------------

def write_warc(path: Path, records: list[tuple[str, str, bytes, str]], *, gz: bool = True) -> list[int]:
    """CC-NEWS layout: a warcinfo record, then request/response pairs. Returns response offsets."""
    offsets = []
    with open(path, "wb") as fh:
        writer = WARCWriter(fh, gzip=gz)
        writer.write_record(writer.create_warcinfo_record(path.name, {"software": "test"}))
        for url, status, body, ctype in records:
            req = writer.create_warc_record(url, "request", payload=io.BytesIO(b"GET / HTTP/1.1\r\n\r\n"))
            writer.write_record(req)
            offsets.append(fh.tell())
            headers = StatusAndHeaders(status, [("Content-Type", ctype)], protocol="HTTP/1.1")
            writer.write_record(writer.create_warc_record(url, "response", payload=io.BytesIO(body),
                                                          http_headers=headers))
    return offsets


@pytest.mark.parametrize("gz", [True, False])
def test_warc_html_responses_only(tmp_path: Path, gz: bool) -> None:
    path = tmp_path / ("crawl.warc.gz" if gz else "crawl.warc")
    offsets = write_warc(path, [
        ("https://news.example/a", "200 OK", page("A", english(20)).encode(), "text/html; charset=utf-8"),
        ("https://news.example/logo.png", "200 OK", b"\x89PNG....", "image/png"),
        ("https://news.example/old", "301 Moved", b"", "text/html"),
        ("https://news.example/b", "200 OK", page("B", english(21)).encode("cp1252"), "text/html; charset=cp1252"),
    ], gz=gz)
    items = read([str(path)])
    assert [i.origin if isinstance(i, LedgerEntry) else i.source for i in items] == [
        f"{path}@{o}" for o in offsets]
    a, png, moved, b = items
    assert isinstance(a, Article) and a.url == "https://news.example/a" and a.title == "A"
    assert isinstance(png, LedgerEntry) and png.status == "skipped" and "image/png" in (png.reason or "")
    assert isinstance(moved, LedgerEntry) and moved.status == "skipped" and "HTTP 301" in (moved.reason or "")
    assert isinstance(b, Article) and b.published == date(2020, 3, 14)


def test_broken_warc_record_is_rejected_with_offset(tmp_path: Path) -> None:
    path = tmp_path / "crawl.warc"
    offsets = write_warc(path, [(f"https://news.example/{i}", "200 OK", page(f"T{i}", english(30 + i)).encode(),
                                 "text/html") for i in range(3)], gz=False)
    data = bytearray(path.read_bytes())
    data[offsets[1]:offsets[1] + 8] = b"GARBAGE!"
    path.write_bytes(bytes(data))
    items = read([str(path)])
    assert isinstance(items[0], Article)
    assert isinstance(items[1], LedgerEntry) and items[1].origin == f"{path}@{offsets[1]}"
    assert "A015" in (items[1].reason or "") and f"offset {offsets[1]}" in (items[1].reason or "")
    assert len(items) == 2


def test_not_a_warc_and_empty_warc(tmp_path: Path) -> None:
    (tmp_path / "a.warc.gz").write_bytes(gzip.compress(b"hello, not a warc\n" * 10))
    (tmp_path / "b.warc").write_bytes(b"")
    items = read([str(tmp_path)])
    assert all(isinstance(i, LedgerEntry) and i.status == "rejected" for i in items) and len(items) == 2


# -- URLs and feeds -------------------------------------------------------------------

def test_urls_redirects_and_failures(site: Site) -> None:
    ok = site.add("/a", page("Fetched", english(40)))
    moved = site.add("/moved", redirect=site.url("/a"))
    missing = site.url("/missing")
    pdf = site.add("/doc.pdf", b"%PDF-1.4 ...", type="application/pdf")
    slow = site.add("/slow", page("Slow", english(41)), drip=0.3)
    big = site.add("/big", page("Big", english(42, 400)))
    loop = site.add("/loop", redirect=site.url("/loop"))
    items = read([ok, moved, missing, pdf, slow, big, loop, "http://127.0.0.1:1/none"],
                 fetch_timeout=0.5, max_bytes=20_000)
    a, b = items[0], items[1]
    assert isinstance(a, Article) and a.url == ok and a.title == "Fetched" and a.source == ok
    assert isinstance(b, Article) and b.id == a.id  # redirected to the same page: same article
    reasons = {e.origin: e.reason or "" for e in entries(items)}
    assert "HTTP 404" in reasons[missing]
    assert "not HTML" in reasons[pdf] and "application/pdf" in reasons[pdf]
    assert "A016" in reasons[slow] and ("too slow" in reasons[slow] or "timed out" in reasons[slow])
    assert "A013" in reasons[big]
    assert "redirects" in reasons[loop]
    assert "unreachable" in reasons["http://127.0.0.1:1/none"]
    assert len(items) == 8


def test_user_agent_is_sent(site: Site) -> None:
    read([site.add("/ua", page("UA", english(43)))], user_agent="aidtrace-test/1.0 (+contact)")
    assert site.agents == ["aidtrace-test/1.0 (+contact)"]


def rss(items: list[tuple[str, str | None, str]]) -> str:
    out = "".join(
        f"<item><title>{title}</title>{f'<link>{link}</link>' if link else ''}"
        f"<pubDate>Tue, 24 Mar 2020 10:00:00 GMT</pubDate><description><![CDATA[{desc}]]></description></item>"
        for title, link, desc in items)
    return (f'<?xml version="1.0"?><rss version="2.0"><channel><title>Wire Feed</title>'
            f"<link>https://wire.example</link>{out}</channel></rss>")


def test_feed_follows_links_and_falls_back_to_full_item_text(site: Site) -> None:
    full = english(50)
    feed = site.add("/feed.xml", rss([
        ("Linked", site.add("/story1", page("Story one", english(51), published=None)), "teaser…"),
        ("Gone but full", site.url("/gone"), f"<p>{full}</p>"),
        ("Gone teaser", site.url("/gone2"), "Only the first lines of the story. Read more"),
        ("No link", None, f"<p>{english(52)}</p>"),
    ]), type="application/rss+xml")
    items = read([feed])
    assert [i.source if isinstance(i, Article) else i.origin for i in items] == [
        f"{feed}#{n}" for n in (1, 2, 3, 4)]
    one, two, three, four = items
    assert isinstance(one, Article) and one.title == "Story one" and one.outlet == "Example News"
    assert one.published == date(2020, 3, 24)  # the feed's date when the page has none
    assert isinstance(two, Article) and two.text == full and two.outlet == "Wire Feed"
    assert "feed text used" in (two.note or "") and "HTTP 404" in (two.note or "")  # type: ignore[attr-defined]
    assert isinstance(three, LedgerEntry) and three.status == "rejected"
    assert "HTTP 404" in (three.reason or "") and "teaser" in (three.reason or "")
    assert isinstance(four, Article) and four.url is None


def test_atom_feed_file_and_bad_feeds(tmp_path: Path, site: Site) -> None:
    link = site.add("/atom1", page("Atom story", english(53)))
    (tmp_path / "a.atom").write_text(
        '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
        f'<title>Atom Wire</title><entry><title>E</title><link href="{link}"/>'
        "<updated>2021-02-25T00:00:00Z</updated><summary>s</summary></entry></feed>")
    (tmp_path / "empty.rss").write_text('<?xml version="1.0"?><rss><channel><title>x</title></channel></rss>')
    (tmp_path / "junk.xml").write_bytes(b"<<<not xml at all")
    got = {(i.source if isinstance(i, Article) else i.origin): i for i in read([str(tmp_path)])}
    atom = got[f"{tmp_path / 'a.atom'}#1"]
    assert isinstance(atom, Article) and atom.title == "Atom story" and atom.published == date(2021, 2, 25)
    assert "no items" in (got[str(tmp_path / "empty.rss")].reason or "")  # type: ignore[union-attr]
    assert got[str(tmp_path / "junk.xml")].status == "rejected"  # type: ignore[union-attr]


def test_url_list_and_feed_by_content_sniffing(tmp_path: Path, site: Site) -> None:
    a = site.add("/l1", page("L1", english(60)))
    feed = site.add("/rss", rss([("x", site.add("/l2", page("L2", english(61))), "t")]),
                    type="application/xml")
    path = tmp_path / "urls.lst"
    path.write_text(f"# my list\n{a}\n\nnot a url\n{feed}\n")
    items = read([str(path)], fmt="url")
    assert isinstance(items[0], Article) and items[0].title == "L1"
    assert isinstance(items[1], LedgerEntry) and items[1].origin == f"{path}:4"
    assert isinstance(items[2], Article) and items[2].title == "L2" and items[2].source == f"{feed}#1"


# -- directories, globs, stdin --------------------------------------------------------

def test_directories_recurse_skip_hidden_and_unknown(tmp_path: Path) -> None:
    (tmp_path / "sub" / "deeper").mkdir(parents=True)
    (tmp_path / ".git").mkdir()
    (tmp_path / "sub" / "deeper" / "a.txt").write_text(english(70))
    (tmp_path / "b.html").write_text(page("B", english(71)))
    (tmp_path / ".hidden.txt").write_text(english(72))
    (tmp_path / ".git" / "c.txt").write_text(english(73))
    (tmp_path / "style.css").write_text("body { color: red }")
    items = read([str(tmp_path)])
    assert sorted(Path(i.source or "").name for i in articles(items)) == ["a.txt", "b.html"]
    [css] = entries(items)
    assert css.status == "skipped" and "unsupported file type .css" in (css.reason or "")


def test_globs_and_missing_paths(tmp_path: Path) -> None:
    for n in range(3):
        (tmp_path / f"n{n}.txt").write_text(english(80 + n))
    items = read([str(tmp_path / "n*.txt"), str(tmp_path / "zz*.txt"), str(tmp_path / "nope.txt")])
    assert len(articles(items)) == 3
    assert [e.reason for e in entries(items)] == [
        f"[A010] no files match '{tmp_path / 'zz*.txt'}'",
        f"[A010] no such file, directory or URL: {tmp_path / 'nope.txt'}"]


def test_stdin_jsonl_and_text(monkeypatch: pytest.MonkeyPatch) -> None:
    data = (json.dumps({"id": "s1", "text": english(90)}) + "\n" + "{bad\n").encode()
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BufferedReader(io.BytesIO(data))))
    items = read(["-"])
    assert isinstance(items[0], Article) and items[0].id == "s1" and items[0].source == "stdin:1"
    assert isinstance(items[1], LedgerEntry) and items[1].origin == "stdin:2"
    text = english(91).encode()
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BufferedReader(io.BytesIO(text))))
    [a] = read(["-"])
    assert isinstance(a, Article) and a.source == "stdin"
