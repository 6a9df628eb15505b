"""Property-based tests of the API from its own OpenAPI schema (schemathesis).

Schemathesis generates valid and invalid requests for every operation and checks that
the server never fails (no 5xx), answers only with documented status codes and content
types, and that every body matches its published schema — errors included, since every
error is documented with the one ErrorResponse shape. Examples per operation are bounded
so that the whole file runs in well under a minute.
"""
from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode

from aidtrace.api import Database, create_app
from aidtrace.api.server import BackgroundServer
from aidtrace.config import Settings

from .api_data import build_db


@pytest.fixture(scope="module")
def api_server(tmp_path_factory):
    path = build_db(tmp_path_factory.mktemp("schema") / "schema.duckdb")
    database = Database(str(path), Settings(db=str(path), page_size_max=20))
    with BackgroundServer(create_app(database)) as server:
        yield server
    database.close()


@pytest.fixture(scope="module")
def api_schema(api_server):
    return schemathesis.openapi.from_url(f"{api_server.url}/openapi.json")


# Every operation of the schema; test_every_operation_is_covered keeps this list honest.
OPERATIONS = [("GET", p) for p in (
    "/api/events", "/api/events.{fmt}", "/api/events/{event_id}", "/api/timeline", "/api/flows",
    "/api/flows.{fmt}", "/api/flows/pairs", "/api/stories", "/api/stories.{fmt}", "/api/stories/{story_id}", "/api/actors",
    "/api/actors.{fmt}", "/api/articles/{article_id}", "/api/stats", "/api/reviews", "/api/reviews/queue")] + [
    # review writes: this server is read-only, so they must answer the documented 403 whatever the body
    ("POST", p) for p in ("/api/reviews/{event_id}/accept", "/api/reviews/{event_id}/reject",
                          "/api/reviews/{event_id}/edit", "/api/reviews/add")]
# The ingest body is JSON Lines, which schemathesis cannot generate; test_api_ingest covers it.
NOT_GENERATED = [("POST", "/api/ingest")]


def test_every_operation_is_covered(api_schema):
    found = {(op.ok().method.upper(), op.ok().path) for op in api_schema.get_all_operations()}
    assert found == set(OPERATIONS) | set(NOT_GENERATED)


# /api/stats takes no parameter, so there is no invalid request to generate for it
# (unknown parameters are not in the schema; test_api checks their 422 for every path).
CASES = [(m, p, mode) for m, p in OPERATIONS for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
         if not (p == "/api/stats" and mode is GenerationMode.NEGATIVE)]


@pytest.mark.parametrize("method, path, mode", CASES, ids=[f"{m} {p} {mode.value}" for m, p, mode in CASES])
def test_operation_conforms_to_its_schema(api_schema, api_server, method, path, mode):
    operation = api_schema[path][method]

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(max_examples=20, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    def check(case):
        case.call_and_validate(base_url=api_server.url)

    check()
