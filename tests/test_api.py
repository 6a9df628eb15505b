"""The HTTP API over a real DuckDB file, through a real uvicorn server on 127.0.0.1."""
from __future__ import annotations

import csv
import io
import json
import os
import signal
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

import duckdb
import httpx
import jsonschema
import pytest

from aidtrace.api import Database, create_app
from aidtrace.api.server import BackgroundServer
from aidtrace.config import Settings
from aidtrace.flows import flows
from aidtrace.store import Store

from .api_data import EVENT_IDS, build_db

PAGE_MAX = 5  # small, so that the cap is visible with the eight events of the test database


@pytest.fixture(scope="module")
def db_path(tmp_path_factory):
    return build_db(tmp_path_factory.mktemp("api") / "api.duckdb")


@pytest.fixture(scope="module")
def server(db_path):
    database = Database(str(db_path), Settings(db=str(db_path), page_size_max=PAGE_MAX))
    app = create_app(database)

    @app.get("/api/_boom", include_in_schema=False)
    def boom() -> None:  # a handler that fails, for the 500 shape
        raise RuntimeError("secret internals")

    with BackgroundServer(app) as srv:
        yield srv
    database.close()


@pytest.fixture(scope="module")
def client(server):
    with httpx.Client(base_url=server.url, timeout=10) as c:
        yield c


@pytest.fixture(scope="module")
def error_schema(client):
    """The published ErrorResponse schema, so the tests check the contract the docs show."""
    spec = client.get("/openapi.json").json()
    schemas = spec["components"]["schemas"]
    return {**schemas["ErrorResponse"], "components": {"schemas": schemas}}


def check_error(response: httpx.Response, status: int, code: str, schema: dict) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    jsonschema.Draft202012Validator(schema).validate(body)
    assert set(body) == {"error"} and set(body["error"]) == {"status", "code", "message", "detail"}
    assert body["error"]["status"] == status
    assert body["error"]["code"] == code
    assert body["error"]["message"]
    return body["error"]


def ids(response: httpx.Response) -> list[str]:
    assert response.status_code == 200, response.text
    return [r["id"] for r in response.json()["rows"]]


# -- listing and filtering ------------------------------------------------------------------
@pytest.mark.parametrize("params, expected", [
    ({"type": "AID"}, {"ev-aid-ita", "ev-aid-ita-2", "ev-eu-srb", "ev-rus-usa", "ev-cumulative"}),
    ({"source": "chn"}, {"ev-aid-ita", "ev-aid-ita-2", "ev-cumulative"}),
    ({"target": "CHN"}, {"ev-thanks", "ev-call", "ev-accuse"}),
    ({"item_class": "ventilators"}, {"ev-eu-srb", "ev-rus-usa"}),
    ({"status": "pledged"}, {"ev-eu-srb"}),
    ({"since": "2020-04"}, {"ev-eu-srb", "ev-rus-usa", "ev-accuse"}),
    ({"until": "2020-03"}, {"ev-aid-ita", "ev-aid-ita-2", "ev-thanks", "ev-call", "ev-cumulative"}),
    ({"since": "2020-03-13", "until": "2020-03-31"}, {"ev-thanks"}),
    ({"q": "TONS masks"}, {"ev-aid-ita", "ev-aid-ita-2"}),
    ({"q": "thanked"}, {"ev-thanks"}),
    ({"article": "art-4"}, {"ev-rus-usa", "ev-accuse", "ev-cumulative"}),
    ({"type": "AID", "source": "CHN", "target": "ITA", "item_class": "masks"}, {"ev-aid-ita", "ev-aid-ita-2"}),
    ({"type": "REJECT"}, set()),
])
def test_event_filters(client, params, expected):
    response = client.get("/api/events", params={**params, "size": 5})
    body = response.json()
    assert set(ids(response)) == expected
    assert body["total"] == len(expected)


def test_pages_cover_every_event_once_in_sort_order(client):
    seen = []
    for page in (1, 2):
        body = client.get("/api/events", params={"page": page, "size": 5, "sort": "date", "order": "desc"}).json()
        assert body["total"] == len(EVENT_IDS) and body["pages"] == 2
        seen += [(r["date"], r["id"]) for r in body["rows"]]
    assert sorted(i for _, i in seen) == sorted(EVENT_IDS)
    dates = [d for d, _ in seen if d is not None]
    assert dates == sorted(dates, reverse=True)
    assert client.get("/api/events", params={"page": 3, "size": 5}).json()["rows"] == []


def test_huge_page_size_is_capped(client):
    body = client.get("/api/events", params={"size": 10**12}).json()
    assert body["size"] == PAGE_MAX and len(body["rows"]) == PAGE_MAX and body["pages"] == 2


@pytest.mark.parametrize("sort", ["date", "published", "type", "source", "target", "status", "confidence", "id"])
def test_every_sort_column(client, sort):
    for order in ("asc", "desc"):
        assert len(ids(client.get("/api/events", params={"sort": sort, "order": order, "size": 5}))) == 5


# -- one event, one article -------------------------------------------------------------------
def test_event_has_its_sentence_trigger_and_article(client):
    e = client.get("/api/events/ev-aid-ita").json()
    ev = e["evidence"]
    lo, hi = ev["highlight"]
    assert ev["sentence"][lo:hi] == "delivered" == ev["trigger"]
    assert e["article"]["url"] == "https://example.org/xinhua/masks-italy"
    assert e["article"]["outlet"] == "Xinhua" and e["article"]["published"] == "2020-03-14"
    assert e["items"] == [{"item": "masks", "item_class": "masks", "quantity": 30.0, "unit": "tons", "qualifier": None}]
    article = client.get("/api/articles/art-1").json()
    assert article["text"][ev["sentence_start"]:ev["sentence_end"]] == ev["sentence"]
    assert article["text"][ev["trigger_start"]:ev["trigger_end"]] == "delivered"
    assert article["event_ids"] == ["ev-aid-ita", "ev-thanks"]


def test_a_repeated_read_is_answered_from_the_kept_bytes(client, monkeypatch):
    """The same GET again gets the same bytes without running the endpoint; another query
    string, an error and a download are computed each time."""
    from aidtrace.api import queries

    calls: list[str] = []
    for name in ("event_detail", "iter_events"):
        real = getattr(queries, name)
        monkeypatch.setattr(queries, name, lambda *a, _real=real, _name=name, **k: calls.append(_name) or _real(*a, **k))
    path = "/api/events/ev-call"
    first, again = client.get(path, params={"as_extracted": "0"}), client.get(path, params={"as_extracted": "0"})
    assert first.status_code == 200 and first.json()["id"] == "ev-call"
    assert again.content == first.content
    assert {k: v for k, v in again.headers.items() if k != "date"} == {k: v for k, v in first.headers.items() if k != "date"}
    assert calls == ["event_detail"]
    assert client.get(path, params={"as_extracted": "1"}).content == first.content  # same event, asked another way
    assert calls == ["event_detail"] * 2
    for _ in range(2):
        assert client.get("/api/events/no-such-event").status_code == 404
        assert client.get(path, params={"as_extracted": "0", "nope": "1"}).status_code == 422
        assert client.get("/api/events.csv", params={"source": "ITA"}).status_code == 200
    assert calls == ["event_detail"] * 2 + ["event_detail", "iter_events"] * 2  # the 422 runs no query


# -- flows, stories, actors, stats, timeline --------------------------------------------------
@pytest.mark.parametrize("params", [{}, {"source": "CHN"}, {"status": "pledged"}, {"item_class": "ventilators"},
                                    {"since": "2020-04", "until": "2020-04-30"}, {"target": "usa"}])
def test_flows_are_aidtrace_flows(client, db_path, params):
    body = client.get("/api/flows", params=params).json()
    with Store(db_path, read_only=True) as store:
        report = flows(store, **params).to_dict()
    key = lambda r: json.dumps(r, sort_keys=True)  # noqa: E731
    assert sorted(body["rows"], key=key) == sorted(report["rows"], key=key)
    assert body["total"] == len(report["rows"])
    assert body["excluded_by_reason"] == report["excluded_by_reason"]
    assert body["excluded_total"] == len(report["excluded"])
    assert body["excluded"] == report["excluded"][:PAGE_MAX]
    download = json.loads(client.get("/api/flows.json", params=params).text)
    assert sorted(download, key=key) == sorted(report["rows"], key=key)


def test_flows_sort_and_pages(client):
    by_usd = client.get("/api/flows", params={"sort": "usd", "order": "desc"}).json()["rows"]
    assert by_usd[0]["usd"] == 16_500_000 and [r["usd"] for r in by_usd[1:]] == [None, None]  # empty last
    by_target = client.get("/api/flows", params={"sort": "target", "order": "asc", "size": 2}).json()
    assert [r["target"] for r in by_target["rows"]] == ["ITA", "SRB"] and by_target["pages"] == 2
    second = client.get("/api/flows", params={"sort": "target", "order": "asc", "size": 2, "page": 2}).json()
    assert [r["target"] for r in second["rows"]] == ["USA"]


def test_flow_pairs_for_the_map(client):
    rows = client.get("/api/flows/pairs").json()["rows"]
    assert rows == [{"source": "CHN", "target": "ITA", "figures": 1}, {"source": "EU", "target": "SRB", "figures": 1},
                    {"source": "RUS", "target": "USA", "figures": 1}]
    assert client.get("/api/flows/pairs", params={"source": "RUS"}).json()["rows"] == rows[2:]


def test_flows_leave_out_cumulative_claims(client):
    body = client.get("/api/flows").json()
    assert {(r["source"], r["target"]) for r in body["rows"]} == {("CHN", "ITA"), ("EU", "SRB"), ("RUS", "USA")}
    assert body["excluded_by_reason"]["cumulative claim"] == 1
    chn_ita = next(r for r in body["rows"] if r["target"] == "ITA")
    assert chn_ita["stories"] == 1 and chn_ita["events"] == 2  # two reports, one shipment


def test_stories_page_and_detail(client):
    first = client.get("/api/stories", params={"size": 2}).json()
    assert first["has_more"] is True and len(first["rows"]) == 2
    every = client.get("/api/stories", params={"size": 5}).json()["rows"] + \
        client.get("/api/stories", params={"size": 5, "page": 2}).json()["rows"]
    assert len({s["id"] for s in every}) == 7
    shipment = next(s for s in every if s["type"] == "AID" and s["target_code"] == "ITA")
    assert shipment["reports"] == 2 and shipment["conflicting"] is True
    detail = client.get(f"/api/stories/{shipment['id']}").json()
    assert {e["id"] for e in detail["event_rows"]} == {"ev-aid-ita", "ev-aid-ita-2"}
    assert {f["quantity"] for f in detail["figures"]} == {30.0, 31.0}
    assert client.get("/api/stories", params={"conflicting": "true"}).json()["rows"][0]["id"] == shipment["id"]


def test_actors(client):
    body = client.get("/api/actors").json()
    rows = {r["code"]: r for r in body["rows"]}
    if body["names_from"] is not None:  # names come from the gazetteer when it is installed
        assert rows["CHN"]["name"] == "China" and rows["EU"]["name"] == "European Union"
    assert rows["CHN"]["as_source"] == 3 and rows["CHN"]["as_target"] == 3
    assert rows["SRB"] == {**rows["SRB"], "as_source": 0, "as_target": 1}
    sources = {r["code"] for r in client.get("/api/actors", params={"role": "source"}).json()["rows"]}
    assert "SRB" not in sources and "EU" in sources


def test_stats(client, db_path):
    s = client.get("/api/stats").json()
    assert (s["articles"], s["events"], s["stories"]) == (4, 8, 7)
    assert s["events_by_type"] == {"ACCUSE": 1, "AID": 5, "CONSULT": 1, "SUPPORT": 1}
    assert s["read_only"] is True and s["ingest_enabled"] is False and s["stories_current"] is True
    with duckdb.connect(str(db_path), read_only=True) as con:
        latest = con.execute("SELECT max(ingested_at) FROM articles").fetchone()[0]
    assert datetime.fromisoformat(s["as_of"]) == latest.astimezone()  # local time, with its offset


def test_timeline(client):
    body = client.get("/api/timeline", params={"type": "AID"}).json()
    assert body["rows"] == [{"month": "2020-03", "type": "AID", "events": 2},
                            {"month": "2020-04", "type": "AID", "events": 2}]
    assert body["undated"] == 1  # the cumulative claim is dated to the year only


# -- downloads ------------------------------------------------------------------------------
def test_csv_download_has_every_matching_row(client):
    response = client.get("/api/events.csv", params={"type": "AID", "sort": "id"})
    assert response.headers["content-type"].startswith("text/csv")
    assert 'filename="events.csv"' in response.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert [r["id"] for r in rows] == sorted(["ev-aid-ita", "ev-aid-ita-2", "ev-eu-srb", "ev-rus-usa", "ev-cumulative"])
    assert next(r for r in rows if r["id"] == "ev-aid-ita")["items"] == "masks 30 tons"


def test_json_download_matches_the_listing(client):
    rows = client.get("/api/events.json", params={"source": "CHN"}).json()
    listed = client.get("/api/events", params={"source": "CHN", "size": 5}).json()["rows"]
    assert rows == listed


@pytest.mark.parametrize("path, key", [("/api/flows.csv", "source"), ("/api/stories.csv", "id"),
                                       ("/api/actors.csv", "code")])
def test_other_csv_downloads(client, path, key):
    rows = list(csv.DictReader(io.StringIO(client.get(path).text)))
    assert rows and all(r[key] for r in rows)


def test_download_rejects_paging_parameters(client, error_schema):
    check_error(client.get("/api/events.csv", params={"page": 2}), 422, "invalid_request", error_schema)
    check_error(client.get("/api/events.xml"), 422, "invalid_request", error_schema)


# -- the one error shape ---------------------------------------------------------------------
@pytest.mark.parametrize("method, path, params, status, code", [
    ("GET", "/api/nowhere", {}, 404, "not_found"),
    ("GET", "/api/events/no-such-event", {}, 404, "not_found"),
    ("GET", "/api/articles/no-such-article", {}, 404, "not_found"),
    ("GET", "/api/stories/no-such-story", {}, 404, "not_found"),
    ("GET", "/api/events", {"type": "GIFT"}, 422, "invalid_request"),
    ("GET", "/api/events", {"since": "March 2020"}, 422, "invalid_request"),
    ("GET", "/api/events", {"size": 0}, 422, "invalid_request"),
    ("GET", "/api/events", {"page": "two"}, 422, "invalid_request"),
    ("GET", "/api/events", {"order": "sideways"}, 422, "invalid_request"),
    ("GET", "/api/stories", {"conflicting": "maybe"}, 422, "invalid_request"),
    ("DELETE", "/api/events", {}, 405, "method_not_allowed"),
    ("POST", "/api/ingest", {}, 403, "ingest_disabled"),
    ("GET", "/api/_boom", {}, 500, "internal_error"),
])
def test_error_shape(client, error_schema, method, path, params, status, code):
    error = check_error(client.request(method, path, params=params), status, code, error_schema)
    assert "secret internals" not in error["message"]


@pytest.mark.parametrize("path", ["/api/events", "/api/events/ev-thanks", "/api/stats", "/api/flows",
                                  "/api/stories", "/api/actors", "/api/timeline", "/api/articles/art-1",
                                  "/api/events.csv", "/api/flows.json", "/api/flows/pairs"])
def test_unknown_parameter_is_a_clear_422(client, error_schema, path):
    error = check_error(client.get(path, params={"tpye": "AID"}), 422, "invalid_request", error_schema)
    assert "unknown query parameter 'tpye'" in error["message"]
    assert "tpye" not in error["detail"]["allowed"]


def test_unknown_parameter_message_names_the_allowed_ones(client):
    error = client.get("/api/events", params={"country": "ITA"}).json()["error"]
    assert "source" in error["message"] and "target" in error["detail"]["allowed"]


# -- hostile input ---------------------------------------------------------------------------
INJECTIONS = ["' OR 1=1 --", "x'; DROP TABLE events; --", "%", "_", "\\", "\" OR \"\"=\"",
              "CHN' UNION SELECT * FROM articles --", "1); DELETE FROM events; --", "' || (SELECT text FROM articles) || '"]


@pytest.mark.parametrize("value", INJECTIONS)
@pytest.mark.parametrize("name", ["q", "source", "target", "article"])
def test_injection_strings_are_only_values(client, name, value):
    response = client.get("/api/events", params={name: value})
    assert response.status_code == 200, response.text
    assert response.json()["total"] == 0


@pytest.mark.parametrize("value", INJECTIONS)
def test_injection_in_paths_and_other_lists(client, error_schema, value):
    for path in (f"/api/events/{value}", f"/api/articles/{value}", f"/api/stories/{value}"):
        response = client.get(path.replace("%", "%25").replace("#", "%23").replace("?", "%3F"))
        assert response.status_code in (404, 422), response.text
    assert client.get("/api/stories", params={"source": value}).json()["rows"] == []
    assert client.get("/api/flows", params={"target": value}).json()["rows"] == []
    check_error(client.get("/api/events", params={"sort": f"date; {value}"}), 422, "invalid_request", error_schema)


def test_database_is_untouched_after_hostile_requests(client, db_path):
    for value in INJECTIONS:
        client.get("/api/events", params={"q": value, "source": value})
    with duckdb.connect(str(db_path), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM events").fetchone()[0] == len(EVENT_IDS)
        assert con.execute("SELECT count(*) FROM articles").fetchone()[0] == 4


# -- DuckDB's single-writer rule, as the server lives with it ----------------------------------
def _open_in_other_process(path, read_only: bool) -> subprocess.CompletedProcess:
    code = (f"import duckdb; c = duckdb.connect({str(path)!r}, read_only={read_only});"
            " print(c.execute('SELECT count(*) FROM events').fetchone()[0])")
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)


def test_read_only_server_shares_the_file_with_readers_not_writers(server, db_path):
    reader = _open_in_other_process(db_path, read_only=True)
    assert reader.returncode == 0 and reader.stdout.strip() == str(len(EVENT_IDS))
    writer = _open_in_other_process(db_path, read_only=False)
    assert writer.returncode != 0 and "lock" in writer.stderr.lower()


# -- the command ------------------------------------------------------------------------------
def test_serve_command_brings_stories_up_to_date_and_serves(tmp_path):
    from aidtrace.api.server import free_port

    from .api_data import documents

    path = tmp_path / "fresh.duckdb"
    with Store(path) as store:  # events stored, stories never built (as after a plain ingest)
        for doc in documents():
            store.write_document(doc)
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k != "AIDTRACE_TOKEN"}
    command = str(Path(sys.executable).with_name("aidtrace"))  # the installed console script
    proc = subprocess.Popen([command, "serve", "--db", str(path), "--port", str(port)],
                            env=env, stderr=subprocess.PIPE, text=True)
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                stats = httpx.get(f"{url}/api/stats", timeout=5).json()
                break
            except httpx.TransportError:
                assert proc.poll() is None and time.monotonic() < deadline, "server did not start"
                time.sleep(0.2)
        assert stats["stories_current"] is True and stats["stories"] == 7 and stats["read_only"] is True
        assert len(httpx.get(f"{url}/api/flows").json()["rows"]) == 3
        assert httpx.get(f"{url}/").headers["content-type"].startswith("text/html")
    finally:
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=30)
    assert f"http://127.0.0.1:{port}/" in err


def test_server_refuses_what_is_not_an_aidtrace_database(tmp_path):
    from aidtrace.errors import StoreError

    with pytest.raises(StoreError, match="run `aidtrace ingest` first"):
        Database(str(tmp_path / "missing.duckdb"), Settings())
    other = tmp_path / "other.duckdb"
    duckdb.connect(str(other)).execute("CREATE TABLE t (x INTEGER)").close()
    with pytest.raises(StoreError, match="not an aidtrace database"):
        Database(str(other), Settings())


def test_cache_computes_once_and_keeps_expensive_results(db_path):
    from concurrent.futures import ThreadPoolExecutor

    database = Database(str(db_path), Settings(db=str(db_path)))
    calls = []

    def slow_flows():
        calls.append(1)
        time.sleep(0.2)  # long enough for the other threads to arrive while it runs
        return "report"

    try:
        with ThreadPoolExecutor(8) as pool:
            results = list(pool.map(lambda _: database.cached(("flows", "all"), slow_flows), range(8)))
        assert results == ["report"] * 8 and len(calls) == 1  # single-flight
        for n in range(5000):  # a burst of distinct event filters
            database.cached(("count", n), lambda: 0)
        assert database.cached(("flows", "all"), slow_flows) == "report" and len(calls) == 1
    finally:
        database.close()
