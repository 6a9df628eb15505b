"""Flows: donor -> recipient totals over rows that may be added (issue 7), on the
hand-annotated fixture in tests/fixtures/stories/, plus one slow run over the dev corpus."""
from __future__ import annotations

import copy
import importlib
import importlib.util
import json
from pathlib import Path
from typing import Any

import pytest

from aidtrace.config import Settings
from aidtrace.flows import PACKAGE, FlowReport, flows
from aidtrace.store import Store
from aidtrace.stories import build_stories, ensure_stories
from tests.fixtures.stories.loader import build_fixture_db, load_spec, write_fixture

# (source, target, item_class, status, unit) -> (quantity, quantity_high, usd, stories)
EXPECTED = {
    ("CHN", "ITA", "masks", "delivered", "pieces"): (1_000_000, 2_000_000, None, 1),
    ("CHN", "SRB", "medical_supplies", "delivered", "tons"): (51, 51, None, 2),
    ("CHN", "SRB", "vaccines", "delivered", "doses"): (200_000, 200_000, None, 1),
    ("CHN", "SRB", "vaccines", "pledged", "doses"): (1_000_000, 1_000_000, None, 1),
    ("CHN", "SRB", "ventilators", "delivered", "pieces"): (18, 18, None, 1),
    ("EU", PACKAGE, "money", "pledged", None): (None, None, 21_800_000, 1),
    ("JPN", "HTI", "food", "delivered", "tons"): (13, 13, None, 2),
    ("TUR", "ITA", "medical_supplies", "shipped", "tons"): (10, 10, None, 1),
}


def _report(path: Any, spec: dict[str, Any] | None = None, times: int = 1) -> FlowReport:
    with Store(path / "aidtrace.duckdb") as store:
        for _ in range(times):
            write_fixture(store, spec=spec)
        with store.transaction():
            build_stories(store, Settings())
        return flows(store)


def table(report: FlowReport) -> dict[tuple[Any, ...], tuple[Any, ...]]:
    return {(r.source, r.target, r.item_class, r.status, r.unit): (r.quantity, r.quantity_high, r.usd, r.stories)
            for r in report.rows}


@pytest.fixture(scope="module")
def fixture_db(tmp_path_factory) -> Path:
    return build_fixture_db(tmp_path_factory.mktemp("flows") / "fixture.duckdb")


@pytest.fixture(scope="module")
def report(fixture_db) -> FlowReport:
    with Store(fixture_db, read_only=True) as store:
        return flows(store)


def reasons(report: FlowReport) -> dict[str, str]:
    return {e.event_id: e.reason for e in report.excluded}


def test_totals(report):
    assert table(report) == EXPECTED


def test_one_figure_per_story_not_per_report(report):
    # March: 31 t (recipient-official; reports say 30, 31, 30, 30) + May: 20 t. Never 30+31+30+30.
    assert table(report)[("CHN", "SRB", "medical_supplies", "delivered", "tons")][0] == 51
    why = reasons(report)
    assert why["xin-0321-e0"].startswith("duplicate report of story ")
    assert "pol-0322-e0" not in why  # the displayed (recipient-official) report is the one counted


def test_cumulative_claims_are_not_added(report):
    why = reasons(report)
    assert why["xin-0321-e1"] == why["xin-0411-e1"] == "cumulative claim"  # "so far" totals


def test_package_is_counted_once_on_a_donor_line(report):
    (row,) = [r for r in report.rows if r.source == "EU"]
    assert (row.target, row.recipients, row.usd, row.events) == (PACKAGE, ("ALB", "MKD", "SRB"), 21_800_000, 2)
    why = reasons(report)
    assert [why[e].split(" (")[0] for e in ("eu-0430-e1", "eu-0430-e2", "wire-0501-e1", "wire-0501-e2")] == [
        "package counted once"] * 4
    assert why["wire-0501-e0"].startswith("duplicate report of story")


def test_pledged_and_delivered_are_kept_apart(report):
    rows = table(report)
    assert rows[("CHN", "SRB", "vaccines", "pledged", "doses")][0] == 1_000_000
    assert rows[("CHN", "SRB", "vaccines", "delivered", "doses")][0] == 200_000


def test_hypothetical_aid_is_not_added(report):
    assert reasons(report)["wire-0501-e3"] == "not asserted (hypothetical)"


def test_every_aid_event_is_added_or_explained(fixture_db, report):
    with Store(fixture_db, read_only=True) as store:
        aid = {r["id"] for r in store.query("SELECT id FROM events WHERE type = 'AID'")}
    excluded = [e.event_id for e in report.excluded]
    assert len(excluded) == len(set(excluded))  # nothing explained twice
    counted = aid - set(excluded)
    assert len(counted) == sum(r.stories for r in report.rows)  # one report stands for each story
    assert report.to_dict()["excluded_by_reason"] == {
        "cumulative claim": 2, "duplicate report": 8, "not asserted (hypothetical)": 1,
        "package counted once": 4}


@pytest.mark.parametrize("filters, keys", [
    ({"source": "chn"}, {k for k in EXPECTED if k[0] == "CHN"}),
    ({"target": "ITA"}, {k for k in EXPECTED if k[1] == "ITA"}),
    ({"target": "MKD"}, {("EU", PACKAGE, "money", "pledged", None)}),  # named in the package
    ({"status": "pledged"}, {k for k in EXPECTED if k[3] == "pledged"}),
    ({"item_class": "vaccines"}, {k for k in EXPECTED if k[2] == "vaccines"}),
    ({"since": "2021"}, {k for k in EXPECTED if k[2] == "vaccines"}),
    ({"since": "2020-04", "until": "2020-04"},
     {("CHN", "SRB", "ventilators", "delivered", "pieces"), ("EU", PACKAGE, "money", "pledged", None),
      ("TUR", "ITA", "medical_supplies", "shipped", "tons")}),
])
def test_filters(fixture_db, filters, keys):
    with Store(fixture_db, read_only=True) as store:
        assert set(table(flows(store, **filters))) == keys


def test_writing_the_fixture_twice_changes_no_total(tmp_path, report):
    assert _report(tmp_path, times=2).to_dict() == report.to_dict()


def test_duplicated_articles_change_no_total(tmp_path, report):
    spec = load_spec()
    for original in ("xin-0321", "tan-0410", "eu-0430", "it-b"):
        dup = f"{original}-mirror"
        source = next(a for a in spec["articles"] if a["id"] == original)
        spec["articles"].append({**source, "id": dup, "outlet": "Mirror " + source["outlet"],
                                 "url": source["url"] + "?mirror", "text": source["text"]})
        spec["events"][dup] = copy.deepcopy(spec["events"][original])
    assert table(_report(tmp_path, spec)) == EXPECTED


def test_empty_database(tmp_path):
    with Store(tmp_path / "empty.duckdb") as store:
        ensure_stories(store, Settings())
        assert flows(store) == FlowReport(rows=[], excluded=[])


@pytest.mark.slow
def test_dev_corpus_ingested_twice_changes_no_total(tmp_path, dev_corpus):
    if importlib.util.find_spec("aidtrace.pipeline") is None:
        pytest.skip("aidtrace.pipeline is not there yet")
    ingest = getattr(importlib.import_module("aidtrace.ingest"), "ingest", None)
    if ingest is None:
        pytest.skip("aidtrace.ingest.ingest is not there yet")
    from aidtrace.pipeline import Pipeline

    settings = Settings(db=str(tmp_path / "dev.duckdb"))
    pipeline = Pipeline(settings)
    source = [str(dev_corpus / "articles.jsonl")]
    with Store(settings.db) as store:
        ingest(source, store=store, pipeline=pipeline, settings=settings, progress=False)
        ensure_stories(store, settings)
        first, stories_first = flows(store).to_dict(), store.query("SELECT count(*) AS n FROM stories")
        ingest(source, store=store, pipeline=pipeline, settings=settings, progress=False)
        ensure_stories(store, settings)
        assert flows(store).to_dict() == first
        assert store.query("SELECT count(*) AS n FROM stories") == stories_first
        ingest([str(_renamed_copy(dev_corpus / "articles.jsonl", tmp_path / "copies.jsonl"))],
               store=store, pipeline=pipeline, settings=settings, progress=False)
        ensure_stories(store, settings)
        assert flows(store).to_dict() == first  # the copies are duplicates: no new source, no new total
    assert first["rows"], "the dev corpus should yield some additive aid rows"


def _renamed_copy(src: Any, dst: Any) -> Any:
    """The same texts under new ids and URLs, as a syndicating site would publish them."""
    lines = []
    for line in src.read_text(encoding="utf-8").splitlines():
        if line.strip():
            rec = json.loads(line)
            rec.update(id=f"{rec['id']}-copy", url=f"https://mirror.example.org/{rec['id']}",
                       outlet="Mirror")
            lines.append(json.dumps(rec))
    dst.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return dst
