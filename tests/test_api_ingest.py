"""POST /api/ingest on a real server that holds the only writable connection.

Loads the spaCy pipeline once (on the server's writer thread), so it takes a few seconds.
"""
from __future__ import annotations

import json
import subprocess
import sys

import httpx
import pytest

from aidtrace.api import Database, create_app
from aidtrace.api.server import BackgroundServer
from aidtrace.config import Settings

from .api_data import build_db

TOKEN = "test-token-0123456789"
LIMIT = 4000  # bytes: small, so that the 413 is cheap to provoke
TEXT = ("Serbia received 200,000 face masks and 50 ventilators from China on Friday, the Serbian "
        "government said. President Vucic thanked the Chinese people for the help.")


@pytest.fixture(scope="module")
def writable(tmp_path_factory):
    path = build_db(tmp_path_factory.mktemp("ingest") / "ingest.duckdb")
    database = Database(str(path), Settings(db=str(path), max_bytes=LIMIT), writable=True)
    with BackgroundServer(create_app(database, token=TOKEN)) as server:
        yield server, path
    database.close()


def post(server, body: bytes | None = None, authorization: str | None = f"Bearer {TOKEN}", **kw) -> httpx.Response:
    headers = {"Content-Type": "application/x-ndjson"}
    if authorization is not None:
        headers["Authorization"] = authorization
    return httpx.post(f"{server.url}/api/ingest", content=body, headers=headers, timeout=120, **kw)


def error_of(response: httpx.Response, status: int, code: str) -> dict:
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert error["status"] == status and error["code"] == code and error["message"]
    return error


@pytest.mark.parametrize("authorization", [None, "Bearer wrong", f"Bearer {TOKEN}x", f"Basic {TOKEN}", TOKEN])
def test_bearer_token_is_required(writable, authorization):
    server, _ = writable
    response = post(server, b'{"text": "x"}\n', authorization=authorization)
    error_of(response, 401, "unauthorized")
    assert response.headers["www-authenticate"] == "Bearer"


def test_body_over_the_limit_is_413_by_header_and_by_stream(writable):
    server, _ = writable
    big = b'{"text": "' + b"a" * LIMIT + b'"}\n'
    error_of(post(server, big), 413, "payload_too_large")

    def chunks():  # no Content-Length: the limit is enforced while reading
        for _ in range(10):
            yield b"a" * (LIMIT // 4)

    error_of(post(server, chunks()), 413, "payload_too_large")


def test_empty_body_is_422(writable):
    server, _ = writable
    error_of(post(server, b"  \n"), 422, "invalid_request")


def test_ingest_stores_articles_and_keeps_the_ledger(writable):
    server, _ = writable
    before = httpx.get(f"{server.url}/api/stats").json()
    stories_before = httpx.get(f"{server.url}/api/stories", params={"size": 500}).json()["rows"]
    # answers are kept until the next write (api/responses.py): this one is asked again after it
    assert httpx.get(f"{server.url}/api/events", params={"article": "posted-1"}).json()["total"] == 0
    lines = [json.dumps({"id": "posted-1", "url": "https://example.org/posted/1", "title": "Masks for Serbia",
                         "published": "2020-03-21", "outlet": "Example", "text": TEXT}),
             json.dumps({"id": "posted-2", "text": "too short"}),
             "{not json"]
    response = post(server, ("\n".join(lines) + "\n").encode())
    assert response.status_code == 200, response.text
    result = response.json()
    assert result["counts"] == {"stored": 1, "duplicate": 0, "skipped": 0, "rejected": 2}
    assert [r["status"] for r in result["ledger"]] == ["stored", "rejected", "rejected"]
    article = httpx.get(f"{server.url}/api/articles/posted-1").json()
    assert article["text"] == TEXT and article["published"] == "2020-03-21"
    after = httpx.get(f"{server.url}/api/stats").json()
    assert after["articles"] == before["articles"] + 1
    assert after["as_of"] >= before["as_of"] and after["stories_current"] is True
    assert after["ingest_enabled"] is True and after["read_only"] is False
    events = httpx.get(f"{server.url}/api/events", params={"article": "posted-1"}).json()
    assert events["total"] == len(article["event_ids"])
    # story pages are cached until the next write: this one now counts the article's event
    assert len(article["event_ids"]) == 1
    stories = httpx.get(f"{server.url}/api/stories", params={"size": 500}).json()["rows"]
    assert stories != stories_before
    assert sum(s["events"] for s in stories) == sum(s["events"] for s in stories_before) + 1

    again = post(server, (lines[0] + "\n").encode()).json()  # the same article again
    assert again["counts"]["duplicate"] == 1 and again["counts"]["stored"] == 0


def test_writable_server_is_the_only_process_with_the_file(writable):
    _, path = writable
    code = f"import duckdb; duckdb.connect({str(path)!r}, read_only=True)"
    other = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert other.returncode != 0 and "lock" in other.stderr.lower()
