"""The review endpoints on a real server on loopback that holds the only writable connection."""
from __future__ import annotations

import threading
import time

import httpx
import pytest

from aidtrace.api import Database, create_app
from aidtrace.api.server import BackgroundServer
from aidtrace.config import Settings
from aidtrace.store import Store

from .api_data import build_db

TOKEN = "review-token-0123456789"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


def serve(path, token=TOKEN):
    database = Database(str(path), Settings(db=str(path)), writable=token is not None)
    return database, BackgroundServer(create_app(database, token=token))


@pytest.fixture
def db_path(tmp_path):
    path = build_db(tmp_path / "reviews.duckdb")
    with Store(path) as store:  # distinct confidences, so that the queue's order shows
        store.con.execute("UPDATE events SET confidence = 0.3 WHERE id = 'ev-call'")
        store.con.execute("UPDATE events SET confidence = 0.5 WHERE id = 'ev-accuse'")
    return path


@pytest.fixture
def server(db_path):
    database, srv = serve(db_path)
    with srv:
        yield srv
    database.close()


def post(server, path, body, headers=AUTH, **kw):
    return httpx.post(f"{server.url}/api/reviews{path}", json=body, headers=headers, timeout=30, **kw)


def get(server, path, **params):
    return httpx.get(f"{server.url}{path}", params=params, timeout=30)


def error_of(response, status, code):
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert error["code"] == code and error["message"]
    return error


def test_writes_need_the_token_and_a_json_body_from_this_origin(server):
    body = {"reviewer": "ann"}
    error_of(post(server, "/ev-call/accept", body, headers={}), 401, "unauthorized")
    error_of(post(server, "/ev-call/accept", body, headers={"Authorization": "Bearer wrong"}), 401, "unauthorized")
    # a cross-site form post: no JSON, and the browser says where it comes from
    form = httpx.post(f"{server.url}/api/reviews/ev-call/reject", data={"reviewer": "ann"},
                      headers={**AUTH, "Origin": "https://evil.example"}, timeout=30)
    error_of(form, 415, "unsupported_media_type")
    error_of(post(server, "/ev-call/reject", body, headers={**AUTH, "Origin": "https://evil.example"}),
             403, "cross_origin")
    assert get(server, "/api/events/ev-call").json()["reviewed_by"] is None  # nothing was written
    same = post(server, "/ev-call/accept", body, headers={**AUTH, "Origin": server.url})
    assert same.status_code == 200, same.text


def test_a_read_only_server_refuses_reviews(db_path):
    database, srv = serve(db_path, token=None)
    with srv:
        error_of(post(srv, "/ev-call/accept", {"reviewer": "ann"}), 403, "ingest_disabled")
    database.close()


def test_accept_reject_edit_add_then_every_read_shows_the_corrected_view(server):
    assert post(server, "/ev-aid-ita/accept", {"reviewer": "ann"}).status_code == 200
    rejected = post(server, "/ev-accuse/reject", {"reviewer": "ann", "note": "a report"}).json()
    assert rejected["action"] == "reject" and rejected["corrected"] is None
    assert rejected["extracted"]["type"] == "ACCUSE"
    edited = post(server, "/ev-eu-srb/edit", {"reviewer": "bob", "fields": {"target": "mne", "status": "delivered"}})
    assert edited.status_code == 200, edited.text
    assert edited.json()["corrected"]["target_code"] == "MNE"
    text = get(server, "/api/articles/art-2").json()["text"]
    start = text.index("Prime Minister Conte")
    added = post(server, "/add", {"reviewer": "cy", "event": {
        "article_id": "art-2", "start": start, "end": start + len("Prime Minister Conte spoke by phone"),
        "type": "SUPPORT", "source": "ITA", "target": "CHN"}})
    assert added.status_code == 200, added.text
    new_id = added.json()["event_id"]

    rows = {r["id"]: r for r in get(server, "/api/events", size=100).json()["rows"]}
    assert "ev-accuse" not in rows and rows["ev-eu-srb"]["target_code"] == "MNE"
    assert (rows["ev-eu-srb"]["reviewed_by"], rows["ev-eu-srb"]["review"]) == ("bob", "edit")
    assert rows[new_id]["review"] == "add" and rows[new_id]["sentence"] == "Prime Minister Conte spoke by phone"
    machine = {r["id"]: r for r in get(server, "/api/events", size=100, as_extracted=1).json()["rows"]}
    assert "ev-accuse" in machine and new_id not in machine and machine["ev-eu-srb"]["target_code"] == "SRB"
    assert all(r["reviewed_by"] is None for r in machine.values())
    error_of(get(server, "/api/events/ev-accuse"), 404, "not_found")
    assert get(server, "/api/events/ev-accuse", as_extracted=1).json()["type"] == "ACCUSE"
    assert get(server, "/api/events.json", target="MNE").json()[0]["reviewed_by"] == "bob"
    stats = get(server, "/api/stats").json()
    assert (stats["confirmed_events"], stats["rejected_events"]) == (3, 1)
    # stories and flows follow once the reviews pause (debounced rebuild on the writer thread)
    deadline = time.monotonic() + 60
    while not get(server, "/api/flows").json()["stories_current"] and time.monotonic() < deadline:
        time.sleep(0.2)
    flows = get(server, "/api/flows").json()
    assert flows["stories_current"]
    assert ("EU", "MNE") in {(r["source"], r["target"]) for r in flows["rows"]}
    assert {(r["source"], r["target"]): r["confirmed"] for r in flows["rows"]}[("EU", "MNE")] == 1
    machine_flows = get(server, "/api/flows", as_extracted=1).json()
    assert ("EU", "SRB") in {(r["source"], r["target"]) for r in machine_flows["rows"]}
    stories = get(server, "/api/stories", size=100).json()["rows"]
    assert "ACCUSE" not in {s["type"] for s in stories} and sum(s["confirmed"] for s in stories) == 3
    log = get(server, "/api/reviews").json()["rows"]
    assert [r["action"] for r in log] == ["accept", "reject", "edit", "add"]


@pytest.mark.parametrize("path, body, where, words", [
    ("/ev-call/edit", {"reviewer": "a", "fields": {"target": "XXQ"}}, "fields.target", "unknown actor code"),
    ("/ev-call/edit", {"reviewer": "a", "fields": {"date": "2020-02-30"}}, "fields.date", "not a calendar date"),
    ("/ev-call/edit", {"reviewer": "a", "fields": {"items": [{"item_class": "hats"}]}}, "fields.items.0.item_class",
     "Input should be"),
    ("/ev-call/edit", {"reviewer": "a", "fields": {"type": "GIFT"}}, "fields.type", "Input should be"),
    ("/ev-call/edit", {"reviewer": "a", "fields": {"value": {"amount": 3, "currency": "$"}}}, "fields.value.currency",
     "ISO 4217"),
    ("/ev-call/edit", {"reviewer": "a", "fields": {"colour": "red"}}, "fields.colour", "Extra inputs"),
    ("/ev-call/accept", {}, "reviewer", "Field required"),
    ("/add", {"reviewer": "a", "event": {"article_id": "art-1", "start": 9, "end": 3, "type": "AID", "source": "CHN"}},
     "event", "is empty"),
])
def test_bad_fields_are_clear_422s(server, path, body, where, words):
    error = error_of(post(server, path, body), 422, "invalid_request")
    assert where in error["message"] and words in error["message"], error["message"]
    assert get(server, "/api/reviews").json()["rows"] == []


def test_refused_reviews_are_422s_and_unknown_events_404s(server):
    error = error_of(post(server, "/ev-call/edit", {"reviewer": "a", "fields": {}}), 422, "invalid_review")
    assert "at least one field" in error["message"]
    error = error_of(post(server, "/add", {"reviewer": "a", "event": {
        "article_id": "art-1", "start": 0, "end": 100_000, "type": "AID", "source": "CHN"}}), 422, "invalid_review")
    assert "past the end" in error["message"]
    error_of(post(server, "/nope/accept", {"reviewer": "a"}), 404, "not_found")
    error_of(post(server, "/add", {"reviewer": "a", "event": {
        "article_id": "nope", "start": 0, "end": 4, "type": "AID", "source": "CHN"}}), 404, "not_found")


def test_the_queue_is_lowest_confidence_first_and_skips_what_was_reviewed(server):
    ids = [r["id"] for r in get(server, "/api/reviews/queue").json()["rows"]]
    assert ids[:2] == ["ev-call", "ev-accuse"] and len(ids) == 8
    assert [r["id"] for r in get(server, "/api/reviews/queue", after="ev-call", size=1).json()["rows"]] == ["ev-accuse"]
    assert [r["id"] for r in get(server, "/api/reviews/queue", type="AID").json()["rows"]][0] == "ev-aid-ita"
    assert [r["id"] for r in get(server, "/api/reviews/queue", max_confidence=0.4).json()["rows"]] == ["ev-call"]
    post(server, "/ev-call/reject", {"reviewer": "ann"})
    assert get(server, "/api/reviews/queue").json()["rows"][0]["id"] == "ev-accuse"
    error_of(get(server, "/api/reviews/queue", colour="red"), 422, "invalid_request")


def test_reads_go_on_while_reviews_are_written(server):
    """Readers on their own cursors while the writer thread commits reviews: no read fails or
    sees half a review (an event is either machine-only or reviewed with its reviewer)."""
    failures, stop = [], threading.Event()

    def read():
        with httpx.Client(timeout=30) as client:
            while not stop.is_set():
                r = client.get(f"{server.url}/api/events", params={"size": 100})
                if r.status_code != 200:
                    failures.append(r.text)
                    continue
                for row in r.json()["rows"]:
                    if (row["review"] is None) != (row["reviewed_by"] is None):
                        failures.append(row)

    readers = [threading.Thread(target=read) for _ in range(2)]
    for t in readers:
        t.start()
    try:
        for i in range(10):
            reviewer = f"r{i}"
            assert post(server, "/ev-call/edit", {"reviewer": reviewer, "fields": {"date": f"2020-03-{i + 10}"}}
                        ).status_code == 200
            assert post(server, "/ev-aid-ita/accept", {"reviewer": reviewer}).status_code == 200
    finally:
        stop.set()
        for t in readers:
            t.join()
    assert failures == []
    assert get(server, "/api/events/ev-call").json()["date"] == "2020-03-19"


def test_reviews_survive_a_server_restart(db_path):
    database, srv = serve(db_path)
    with srv:
        post(srv, "/ev-eu-srb/edit", {"reviewer": "bob", "fields": {"target": "MNE"}})
        post(srv, "/ev-accuse/reject", {"reviewer": "bob"})
    database.close()
    database, srv = serve(db_path)
    with srv:
        assert get(srv, "/api/events/ev-eu-srb").json()["reviewed_by"] == "bob"
        error_of(get(srv, "/api/events/ev-accuse"), 404, "not_found")
        assert len(get(srv, "/api/reviews").json()["rows"]) == 2
        queue = [r["id"] for r in get(srv, "/api/reviews/queue").json()["rows"]]
        assert "ev-eu-srb" not in queue and "ev-accuse" not in queue
    database.close()
