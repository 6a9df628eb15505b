"""Reviews in the store: the corrected view every read shows, the machine's view beside it,
and re-attachment after re-extraction (real DuckDB files, the real CLI)."""
from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
from pydantic import ValidationError
from typer.testing import CliRunner

from aidtrace.cli import app
from aidtrace.config import Settings
from aidtrace.errors import NotFoundError, ReviewError
from aidtrace.models import Document
from aidtrace.reextract import reextract
from aidtrace.store import Store
from aidtrace.store import reviews as rv
from aidtrace.stories import ensure_stories, list_stories

from .api_data import build_db, documents

runner = CliRunner()


def machine_rows(store: Store) -> list[tuple]:
    return store.con.execute("SELECT * FROM events ORDER BY id").fetchall() + \
        store.con.execute("SELECT * FROM event_items ORDER BY event_id, idx").fetchall()


def reviewed(db: Path) -> Path:
    """The api_data store with one review of each kind."""
    with Store(db) as store:
        rv.review(store, "ev-aid-ita", "accept", reviewer="ann")
        rv.review(store, "ev-accuse", "reject", reviewer="ann", note="a report, not an accusation")
        rv.review(store, "ev-eu-srb", "edit", reviewer="bob",
                  correction=rv.Correction(target="MNE", items=[rv.ItemIn(item_class="ventilators", quantity=40,
                                                                          unit="pieces")]))
        text = store.article("art-4")["text"]
        start = text.index("Russia sent")
        rv.add(store, rv.NewEvent(article_id="art-4", start=start, end=start + len("Russia sent a plane"),
                                  type="AID", source="RUS", target="USA", status="shipped", date="2020-04"),
               reviewer="cy")
    return db


@pytest.fixture
def db(tmp_path) -> Path:
    return build_db(tmp_path / "r.duckdb")


def test_corrected_view_applies_reviews_and_keeps_the_machines_rows(db):
    with Store(db) as store:
        before = machine_rows(store)
    reviewed(db)
    with Store(db, read_only=True) as store:
        assert machine_rows(store) == before  # extracted events are never changed in place
        corrected = {r["id"]: r for r in store.events()}
        machine = {r["id"]: r for r in store.events(as_extracted=True)}
        assert "ev-accuse" not in corrected and "ev-accuse" in machine
        assert corrected["ev-eu-srb"]["target_code"] == "MNE" and machine["ev-eu-srb"]["target_code"] == "SRB"
        assert corrected["ev-eu-srb"]["items"][0]["quantity"] == 40
        assert corrected["ev-eu-srb"]["value_amount"] == 15_000_000  # fields not edited are kept
        assert (corrected["ev-eu-srb"]["reviewed_by"], corrected["ev-eu-srb"]["review"]) == ("bob", "edit")
        assert (corrected["ev-aid-ita"]["reviewed_by"], corrected["ev-aid-ita"]["review"]) == ("ann", "accept")
        assert corrected["ev-call"]["reviewed_by"] is None
        added = [r for r in corrected.values() if r["review"] == "add"]
        assert len(added) == 1 and added[0]["sentence"] == "Russia sent a plane"
        assert (added[0]["type"], added[0]["source_code"], added[0]["date_precision"]) == ("AID", "RUS", "month")
        assert all(r["reviewed_by"] is None for r in machine.values())
        with pytest.raises(NotFoundError, match="rejected by reviewer 'ann'"):
            store.event("ev-accuse")
        assert store.event("ev-accuse", as_extracted=True)["type"] == "ACCUSE"
        log = rv.reviews(store)
        assert [r["action"] for r in log] == ["accept", "reject", "edit", "add"]
        edit = log[2]
        assert edit["extracted"]["target_code"] == "SRB" and edit["corrected"]["target_code"] == "MNE"
        assert (edit["sentence_start"], edit["trigger_start"]) == (machine["ev-eu-srb"]["sentence_start"],
                                                                   machine["ev-eu-srb"]["trigger_start"])


def test_edits_compose_and_a_later_review_wins(db):
    with Store(db) as store:
        rv.review(store, "ev-eu-srb", "edit", reviewer="bob", correction=rv.Correction(target="MNE"))
        rv.review(store, "ev-eu-srb", "edit", reviewer="bob", correction=rv.Correction(status="delivered"))
        row = store.event("ev-eu-srb")
        assert (row["target_code"], row["status"]) == ("MNE", "delivered")
        rv.review(store, "ev-eu-srb", "reject", reviewer="ann")
        with pytest.raises(NotFoundError):
            store.event("ev-eu-srb")
        rv.review(store, "ev-eu-srb", "accept", reviewer="cy")  # accepting a rejected event restores it
        assert store.event("ev-eu-srb")["target_code"] == "SRB"
        with pytest.raises(ReviewError, match="at least one field"):
            rv.review(store, "ev-eu-srb", "edit", reviewer="cy", correction=rv.Correction())
        with pytest.raises(NotFoundError):
            rv.review(store, "no-such-event", "accept", reviewer="cy")


@pytest.mark.parametrize("fields, message", [
    (dict(target="XXQ"), "unknown actor code 'XXQ'"),
    (dict(type="GIFT"), "type"),
    (dict(date="2020-13"), "not a calendar date"),
    (dict(date="March 2020"), "not YYYY, YYYY-MM or YYYY-MM-DD"),
    (dict(items=[{"item_class": "hats"}]), "item_class"),
    (dict(value={"amount": -1, "currency": "USD"}), "greater than 0"),
    (dict(value={"amount": 5, "currency": "dollars"}), "ISO 4217"),
    (dict(status="sent"), "status"),
    (dict(source=None), "source cannot be null"),
    (dict(colour="red"), "Extra inputs"),
])
def test_corrections_are_validated_against_the_ontology(fields, message):
    with pytest.raises(ValidationError, match=message):
        rv.Correction(**fields)


def test_stories_and_exports_read_the_corrected_view(db, tmp_path):
    reviewed(db)
    settings = Settings(db=str(db))
    with Store(db) as store:
        ensure_stories(store, settings)
        corrected = list_stories(store)
        copy = rv.machine_copy(store)
    with copy:
        ensure_stories(copy, settings)
        machine = list_stories(copy)
    assert ("EU", "MNE") in {(s["source_code"], s["target_code"]) for s in corrected}
    assert ("EU", "SRB") in {(s["source_code"], s["target_code"]) for s in machine}
    assert "ACCUSE" not in {s["type"] for s in corrected} and "ACCUSE" in {s["type"] for s in machine}
    assert sum(s["confirmed"] for s in corrected) == 3 and sum(s["confirmed"] for s in machine) == 0
    out = tmp_path / "events.jsonl"
    result = runner.invoke(app, ["export", "--what", "events", "--format", "jsonl", "--out", str(out), "--db", str(db)])
    assert result.exit_code == 0, result.output
    rows = {r["id"]: r for r in map(json.loads, out.read_text().splitlines())}
    assert rows["ev-eu-srb"]["target_code"] == "MNE" and rows["ev-eu-srb"]["reviewed_by"] == "bob"
    assert "ev-accuse" not in rows
    result = runner.invoke(app, ["export", "--what", "events", "--format", "jsonl", "--out", str(out), "--db", str(db),
                                 "--as-extracted"])
    assert result.exit_code == 0, result.output
    rows = {r["id"]: r for r in map(json.loads, out.read_text().splitlines())}
    assert rows["ev-eu-srb"]["target_code"] == "SRB" and "ev-accuse" in rows


def test_cli_shows_the_corrected_view_and_who_confirmed_it(db):
    reviewed(db)
    out = runner.invoke(app, ["events", "--db", str(db), "--format", "json"])
    assert out.exit_code == 0, out.output
    rows = {r["id"]: r for r in json.loads(out.stdout)}
    assert rows["ev-eu-srb"]["target_code"] == "MNE" and "ev-accuse" not in rows
    table = runner.invoke(app, ["events", "--db", str(db)])
    assert "confirmed by a person:" in table.output and "(edit by bob)" in table.output
    machine = json.loads(runner.invoke(app, ["events", "--db", str(db), "--format", "json", "--as-extracted"]).stdout)
    assert {r["id"]: r["target_code"] for r in machine}["ev-eu-srb"] == "SRB"
    flows = runner.invoke(app, ["flows", "--db", str(db), "--format", "json"])
    assert flows.exit_code == 0, flows.output
    corrected_rows = json.loads(flows.stdout)[0]["rows"]
    targets = {r["target"] for r in corrected_rows}
    machine_rows = json.loads(runner.invoke(
        app, ["flows", "--db", str(db), "--format", "json", "--as-extracted"]).stdout)[0]["rows"]
    machine_targets = {r["target"] for r in machine_rows}
    assert "MNE" in targets and "SRB" not in targets
    assert "SRB" in machine_targets and "MNE" not in machine_targets
    # a flow row says how many of its figures come from stories a person confirmed
    assert {r["target"]: r["confirmed"] for r in corrected_rows}["MNE"] == 1
    assert all(r["confirmed"] == 0 for r in machine_rows)
    shown = runner.invoke(app, ["show", "ev-eu-srb", "--db", str(db)])
    assert "confirmed by a person: edit by bob" in shown.output


class Moved:
    """A stand-in for a new model: the same events under new ids, one event no longer found."""

    version = "moved-1"

    def __init__(self, drop: str) -> None:
        self.drop = drop

    def pipe(self, articles):
        by_id = {d.article.id: d for d in documents()}
        for article in articles:
            doc = by_id[article.id]
            events = tuple(dataclasses.replace(ev, id="new-" + ev.id) for ev in doc.events if ev.id != self.drop)
            yield Document(article=doc.article, events=events)


def test_reextraction_reattaches_reviews_by_evidence_and_lists_the_rest(db):
    reviewed(db)
    with Store(db) as store:
        rv.review(store, "ev-thanks", "edit", reviewer="ann", correction=rv.Correction(date="2020-03-13"))
        before = {r["id"]: r for r in rv.reviews(store)}
        result = reextract(store, Moved(drop="ev-thanks"))
        assert result.articles == 4 and result.events_after == result.events_before - 1
        assert [r["reviewed_event_id"] for r in result.unattached] == ["ev-thanks"]
        after = {r["id"]: r for r in rv.reviews(store)}
        assert after.keys() == before.keys()  # no review is lost
        moved = {r["reviewed_event_id"]: r["event_id"] for r in after.values() if r["attached"]}
        assert moved["ev-aid-ita"] == "new-ev-aid-ita" and moved["ev-accuse"] == "new-ev-accuse"
        assert moved["ev-eu-srb"] == "new-ev-eu-srb"
        corrected = {r["id"]: r for r in store.events()}
        assert corrected["new-ev-eu-srb"]["target_code"] == "MNE"  # the edit follows its event
        assert "new-ev-accuse" not in corrected  # so does the reject
        assert corrected["new-ev-aid-ita"]["reviewed_by"] == "ann"
        # the edited event the model no longer finds stays, as the person left it, listed as unattached
        assert corrected["ev-thanks"]["date"] == "2020-03-13"
        assert [r["event_id"] for r in rv.unattached(store)] == ["ev-thanks"]
        assert sum(1 for r in corrected.values() if r["review"] == "add") == 1
    listed = runner.invoke(app, ["reviews", "--unattached", "--db", str(db)])
    assert listed.exit_code == 0 and "NOT RE-ATTACHED" in listed.output and "ev-thank" in listed.output


def test_a_shared_span_is_resolved_by_source_and_target(db):
    with Store(db) as store:
        rv.review(store, "ev-aid-ita", "accept", reviewer="ann")

        class Twice(Moved):
            def pipe(self, articles):
                for doc in super().pipe(articles):
                    extra = tuple(dataclasses.replace(ev, id=ev.id + "-b", target=dataclasses.replace(
                        ev.target, code="FRA")) for ev in doc.events if ev.id == "new-ev-aid-ita")
                    yield Document(article=doc.article, events=doc.events + extra)

        # same span, same type, and the source/target tie-break still points at one event
        reextract(store, Twice(drop=""), articles=["art-1"])
        assert rv.reviews(store)[0]["event_id"] == "new-ev-aid-ita"


WRITER = """
import sys
from aidtrace.store import Store
from aidtrace.store import reviews as rv
with Store(sys.argv[1]) as store:
    i = 0
    while True:
        i += 1
        r = rv.review(store, "ev-eu-srb", "edit", reviewer="k", correction=rv.Correction(date=f"2020-{i % 12 + 1:02d}"))
        rv.review(store, "ev-call", "reject" if i % 2 else "accept", reviewer="k")
        print(r["id"], flush=True)
"""


def test_a_kill_9_during_review_writes_loses_no_committed_review_or_event(db):
    import os
    import signal
    import subprocess
    import sys

    with Store(db) as store:
        rv.review(store, "ev-aid-ita", "accept", reviewer="ann")  # an earlier review
        before = machine_rows(store)
    proc = subprocess.Popen([sys.executable, "-c", WRITER, str(db)], stdout=subprocess.PIPE, text=True)
    written = [proc.stdout.readline().strip() for _ in range(8)]
    os.kill(proc.pid, signal.SIGKILL)  # somewhere inside a later review's transaction, or between two
    proc.wait()
    with Store(db) as store:
        assert machine_rows(store) == before
        log = {r["id"]: r for r in rv.reviews(store)}
        assert set(written) <= log.keys() and any(r["reviewer"] == "ann" for r in log.values())
        state = store.con.execute("SELECT * FROM review_state ORDER BY id").fetchall()
        with store.transaction():
            rv.rebuild_state(store, ["art-1", "art-2", "art-3", "art-4"])
        assert store.con.execute("SELECT * FROM review_state ORDER BY id").fetchall() == state  # state matches log
        assert store.event("ev-aid-ita")["reviewed_by"] == "ann"
        last_edit = max((r for r in log.values() if r["event_id"] == "ev-eu-srb"), key=lambda r: r["seq"])
        assert store.event("ev-eu-srb")["date"] == last_edit["corrected"]["date"]


def test_reextract_command_runs_the_real_pipeline_and_keeps_every_review(db):
    """`aidtrace reextract` with the rule extractor over the hand-made store: the rules find
    their own events (other ids); every review is still in the log, attached or listed."""
    reviewed(db)
    with Store(db, read_only=True) as store:
        before = {r["id"] for r in rv.reviews(store)}
    out = runner.invoke(app, ["reextract", "--db", str(db), "--extractor", "rules"])
    assert out.exit_code == 0, out.output
    assert "re-extracted 4 articles:" in out.output and "of 3 reviewed events re-attached" in out.output
    with Store(db, read_only=True) as store:
        log = rv.reviews(store)
        assert {r["id"] for r in log} == before
        lost = {r["id"] for r in rv.unattached(store)}
        shown = {r["id"] for r in store.events()}
        for r in log:
            if r["action"] == "add" or r["attached"]:
                assert (r["event_id"] in shown) == (r["action"] != "reject")
            else:
                assert r["id"] in lost and f"review {r['id'][:8]}" in out.output
        assert store.con.execute("SELECT count(*) FROM events WHERE extractor = 'hand-made'").fetchone()[0] == 0
