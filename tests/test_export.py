"""Exports (issue 7): each file is opened by its consumer — csv for CSV and the GDELT
table, pyarrow and pandas for Parquet, json for JSONL, jsonschema for PLOVER JSON."""
from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path
from typing import Any

import jsonschema
import pandas as pd
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from aidtrace.cli import app
from aidtrace.errors import ConfigError
from aidtrace.export import GDELT_COLUMNS, cameo_actor, export, plover_record, plover_schema, quad_class
from aidtrace.flows import flows
from aidtrace.store import Store
from tests.fixtures.stories.loader import build_fixture_db

N_EVENTS = 29


@pytest.fixture(scope="module")
def fixture_db(tmp_path_factory) -> Path:
    return build_fixture_db(tmp_path_factory.mktemp("export") / "fixture.duckdb")


@pytest.fixture
def store(fixture_db, tmp_path):
    shutil.copy(fixture_db, tmp_path / "aidtrace.duckdb")  # the CLI test opens it writable
    with Store(tmp_path / "aidtrace.duckdb") as s:
        yield s


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def read_csv(path: Path, delimiter: str = ",") -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh, delimiter=delimiter))


def n_stories(store: Store) -> int:
    return store.query("SELECT count(*) AS n FROM stories")[0]["n"]


@pytest.mark.parametrize("what", ["events", "stories", "flows"])
def test_csv_opens_with_the_csv_module(store, tmp_path, what):
    out = tmp_path / f"{what}.csv"
    n = export(store, what=what, fmt="csv", out=out)
    rows = read_csv(out)
    assert len(rows) == n == {"events": N_EVENTS, "stories": n_stories(store), "flows": 8}[what]
    nested = {"events": "items", "stories": "figures", "flows": "recipients"}[what]
    assert all(isinstance(json.loads(r[nested]), list) for r in rows)  # nested cells are JSON text


def test_csv_events_keep_sentences_with_commas(store, tmp_path):
    export(store, what="events", fmt="csv", out=tmp_path / "e.csv")
    row = next(r for r in read_csv(tmp_path / "e.csv") if r["id"] == "pol-0322-e0")
    assert row["sentence"] == ("The government said 31 tons of medical supplies from China arrived at "
                              "Nikola Tesla airport on Saturday, March 21.")
    assert json.loads(row["items"])[0]["quantity"] == 31


@pytest.mark.parametrize("what", ["events", "stories", "flows"])
def test_parquet_opens_with_pyarrow_and_pandas(store, tmp_path, what):
    out = tmp_path / f"{what}.parquet"
    n = export(store, what=what, fmt="parquet", out=out)
    table = pq.read_table(out)
    frame = pd.read_parquet(out)
    assert table.num_rows == len(frame) == n > 0
    if what == "events":
        row = frame.set_index("id").loc["pol-0322-e0"]
        assert row["items"][0]["quantity"] == 31 and row["published"].isoformat()[:10] == "2020-03-22"
    if what == "flows":
        eu = frame[frame["source"] == "EU"].iloc[0]
        assert list(eu["recipients"]) == ["ALB", "MKD", "SRB"] and eu["usd"] == 21_800_000


@pytest.mark.parametrize("what", ["events", "stories", "flows"])
def test_jsonl_is_one_object_a_line(store, tmp_path, what):
    out = tmp_path / f"{what}.jsonl"
    n = export(store, what=what, fmt="jsonl", out=out)
    rows = read_jsonl(out)
    assert len(rows) == n
    if what == "flows":
        assert rows == [r.to_dict() for r in flows(store).rows]
    if what == "stories":
        march = next(r for r in rows if "pol-0322-e0" in r["event_ids"])
        assert march["conflicting"] and {f["quantity"] for f in march["figures"]} == {30, 31}


def test_gdelt_table(store, tmp_path):
    out = tmp_path / "gdelt.tsv"
    assert export(store, what="events", fmt="gdelt", out=out) == N_EVENTS
    rows = read_csv(out, delimiter="\t")
    assert tuple(rows[0]) == GDELT_COLUMNS
    row = next(r for r in rows if r["AidtraceEventId"] == "xin-0321-e0")
    assert {k: row[k] for k in ("SQLDATE", "MonthYear", "Year", "Actor1Code", "Actor1CountryCode",
                                "Actor2Code", "Actor2CountryCode", "EventCode", "EventBaseCode",
                                "EventRootCode", "QuadClass", "NumSources", "NumArticles",
                                "SOURCEURL")} == {
        "SQLDATE": "20200321", "MonthYear": "202003", "Year": "2020", "Actor1Code": "CHNGOV",
        "Actor1CountryCode": "CHN", "Actor2Code": "SRBGOV", "Actor2CountryCode": "SRB",
        "EventCode": "073", "EventBaseCode": "073", "EventRootCode": "07", "QuadClass": "2",
        "NumSources": "3", "NumArticles": "4",
        "SOURCEURL": "https://example.org/xinhua/2020-03-21/serbia-supplies"}
    eu = next(r for r in rows if r["AidtraceEventId"] == "eu-0430-e0")
    assert (eu["Actor1Code"], eu["Actor1CountryCode"], eu["Actor1KnownGroupCode"]) == ("IGOEEC", "", "EEC")
    undated = next(r for r in rows if r["AidtraceEventId"] == "xin-0321-e1")
    assert undated["SQLDATE"] == "20200321"  # no event date: the publication date, as GDELT does
    assert len({r["GLOBALEVENTID"] for r in rows}) == N_EVENTS


@pytest.mark.parametrize("code, sector, expected", [
    ("CHN", "GOV", ("CHNGOV", None, "GOV")), ("ITA", "MED", ("ITAHLH", None, "HLH")),
    ("USA", None, ("USA", None, None)), ("WHO", "IGO", ("IGOUNOWHO", "UNO", "IGO")),
    ("COVAX", "IGO", ("COVAX", "COVAX", "IGO")), (None, None, (None, None, None)),
])
def test_cameo_actor_codes(code, sector, expected):
    assert cameo_actor(code, sector) == expected


@pytest.mark.parametrize("cameo, quad", [("0331", 1), ("073", 2), ("061", 2), ("112", 3), ("163", 4), (None, None)])
def test_quad_class(cameo, quad):
    assert quad_class(cameo) == quad


def test_plover_records_validate_against_the_schema(store, tmp_path):
    schema = plover_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    out = tmp_path / "plover.jsonl"
    assert export(store, what="events", fmt="plover", out=out) == N_EVENTS
    records = read_jsonl(out)
    validator = jsonschema.Draft202012Validator(schema)
    for rec in records:
        validator.validate(rec)
    rec = next(r for r in records if r["id"] == "eu-0430-e1")
    assert (rec["event_type"], rec["actor_code"], rec["actor_country"], rec["recipient_country"],
            rec["aidtrace"]["value"]["usd"], rec["date"]) == ("AID", "EU", None, "MKD", 21_800_000, "2020-04-30")
    assert rec["context"] == ["economic"]  # a money pledge


def test_plover_schema_rejects_what_it_does_not_describe(store):
    validator = jsonschema.Draft202012Validator(plover_schema())
    from aidtrace.export import event_rows

    good = plover_record(event_rows(store)[0])
    assert validator.is_valid(good)
    for bad in ({**good, "unknown_field": 1}, {**good, "event_type": "TRADE"},
                {**good, "date": "2020-03"}, {k: v for k, v in good.items() if k != "id"}):
        assert not validator.is_valid(bad)


def test_our_types_map_to_plover_categories(store):
    from aidtrace.export import event_rows

    row = {**event_rows(store)[0], "type": "TRADE", "cameo": "061"}
    rec = plover_record(row)
    assert (rec["event_type"], rec["aidtrace"]["type"], rec["quad_code"]) == ("COOPERATE", "TRADE", 2)
    jsonschema.validate(rec, plover_schema())


@pytest.mark.parametrize("what, fmt", [("stories", "gdelt"), ("flows", "plover"), ("articles", "csv"),
                                       ("events", "xlsx")])
def test_bad_requests_are_config_errors(store, tmp_path, what, fmt):
    with pytest.raises(ConfigError):
        export(store, what=what, fmt=fmt, out=tmp_path / "x")


def test_cli_export_stories_and_flows(store, tmp_path):
    db = store.path
    store.close()
    runner = CliRunner()
    out = tmp_path / "sub" / "flows.parquet"
    result = runner.invoke(app, ["export", "--db", db, "--what", "flows", "--format", "parquet",
                                 "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert pq.read_table(out).num_rows == 8
    result = runner.invoke(app, ["flows", "--db", db, "--format", "json"])
    assert result.exit_code == 0, result.output
    (report,) = json.loads(result.stdout)
    assert report["excluded_by_reason"]["cumulative claim"] == 2
    result = runner.invoke(app, ["stories", "--db", db, "--format", "csv", "--conflicting"])
    assert result.exit_code == 0, result.output
    assert len(list(csv.DictReader(result.stdout.splitlines()))) == 3
    result = runner.invoke(app, ["stories", "nope", "--db", db])
    assert result.exit_code == 3 and "A030" in result.output
    result = runner.invoke(app, ["flows", "--db", str(tmp_path / "missing.duckdb")])
    assert result.exit_code == 1 and "A020" in result.output
    assert not (tmp_path / "missing.duckdb").exists()
