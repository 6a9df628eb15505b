"""Stories: grouping reports of one real-world event (issue 7), on the hand-annotated
multi-article fixture in tests/fixtures/stories/ written to a real DuckDB file."""
from __future__ import annotations

import copy
import shutil
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from aidtrace.config import Settings
from aidtrace.errors import NotFoundError
from aidtrace.store import Store
from aidtrace.stories import (agree, build_stories, date_interval, ensure_stories, list_stories,
                              stories_current, story)
from tests.fixtures.stories.loader import build_fixture_db, documents, load_spec, write_fixture


def _built(path: Any, spec: dict[str, Any] | None = None, settings: Settings | None = None) -> Store:
    store = Store(path / "aidtrace.duckdb")
    write_fixture(store, spec=spec)
    with store.transaction():
        build_stories(store, settings or Settings())
    return store


@pytest.fixture(scope="module")
def fixture_db(tmp_path_factory) -> Path:
    return build_fixture_db(tmp_path_factory.mktemp("stories") / "fixture.duckdb")


@pytest.fixture
def store(fixture_db, tmp_path):
    shutil.copy(fixture_db, tmp_path / "aidtrace.duckdb")  # each test gets its own file
    with Store(tmp_path / "aidtrace.duckdb") as s:
        yield s


def story_of(store: Store, event_id: str) -> dict[str, Any]:
    sid = store.query("SELECT story_id FROM story_events WHERE event_id = ?", [event_id])[0]["story_id"]
    return story(store, sid)


def members(s: dict[str, Any]) -> set[str]:
    return {e["id"] for e in s["event_rows"]}


def test_reports_of_one_shipment_form_one_story(store):
    s = story_of(store, "xin-0321-e0")
    assert members(s) == {"xin-0321-e0", "pol-0322-e0", "wire-0322-e0", "repost-0323-e0"}
    assert s["status"] == "delivered"  # the wire's "unknown" joins the delivered reports
    assert s["item_classes"] == ["medical_supplies"]


@pytest.mark.parametrize("event_id, reason", [
    ("pol-0516-e0", "same actors and items, 55 days later: outside the story window"),
    ("tan-0410-e0", "ventilators do not overlap medical_supplies"),
    ("xin-0411-e1", "a cumulative claim never merges with a shipment"),
    ("tan-2102-e0", "a delivery is not its pledge"),
])
def test_other_events_stay_out(store, event_id, reason):
    assert event_id not in members(story_of(store, "xin-0321-e0")), reason


def test_two_different_figures_in_one_article_are_two_shipments(store):
    assert story_of(store, "haiti-e0")["id"] != story_of(store, "haiti-e1")["id"]


def test_same_call_from_two_articles_is_one_consult_story(store):
    call = story_of(store, "pol-0322-e1")
    assert members(call) == {"pol-0322-e1", "wire-0322-e1", "repost-0323-e1"}
    assert call["sources"] == 2  # the re-post is the wire story's text
    assert story_of(store, "tan-0410-e1")["id"] != call["id"]  # another call, in April


def test_source_counts_treat_copies_as_one_source(store):
    s = story_of(store, "xin-0321-e0")
    assert s["reports"] == 4  # articles holding an event of the story
    assert s["sources"] == 3  # Xinhua, Politika, the wire story (its re-post has the same text)
    assert s["copies"] == 2  # syndicated copies stored as duplicates of the wire story
    assert s["outlets"] == 6
    assert (s["first_report"], s["last_report"]) == (date(2020, 3, 21), date(2020, 3, 24))
    assert {c["id"] for c in s["copies_of"]} == {"wire-0322-copy1", "wire-0322-copy2"}


@pytest.mark.parametrize("event_id, conflicting", [
    ("xin-0321-e0", True),   # 30 tons (donor) vs 31 tons (recipient): 3.2% apart
    ("it-a-e0", True),       # one million vs two million masks
    ("tr-a-e0", True),       # same 10 tons, but April 1 vs April 3
    ("tan-0410-e0", False),  # 18 ventilators twice
    ("gov-2101-e0", False),  # one million doses twice
    ("eu-0430-e0", False),
])
def test_conflict_flag(store, event_id, conflicting):
    assert story_of(store, event_id)["conflicting"] is conflicting


@pytest.mark.parametrize("numbers, agreeing", [
    ([30, 30.5], True), ([30, 31], False), ([100, 98], True), ([100, 97.9], False), ([5], True),
])
def test_two_percent_tolerance(numbers, agreeing):
    assert agree(numbers) is agreeing


@pytest.mark.parametrize("event_id, rule, low, high", [
    ("xin-0321-e0", "recipient-official", 31, 31),  # Serbia's 31 t beats China's 30 t
    ("tr-a-e0", "donor-official", 10, 10),          # Turkey says so; the other report is media
    ("it-a-e0", "range", 1_000_000, 2_000_000),     # two media figures, no official
    ("haiti-e0", "media", 5, 5),
    ("gov-2101-e0", "recipient-official", 1_000_000, 1_000_000),
])
def test_display_rule(store, event_id, rule, low, high):
    (shown,) = story_of(store, event_id)["display"]
    assert (shown["rule"], shown["low"], shown["high"]) == (rule, low, high)


def test_display_text_names_the_rule(store):
    assert story_of(store, "xin-0321-e0")["display_text"] == "31 tons medical_supplies [recipient-official]"
    assert story_of(store, "it-a-e0")["display_text"] == "1,000,000–2,000,000 pieces masks [range]"


def test_disagreeing_top_tier_shows_the_range(tmp_path):
    spec = load_spec()
    for e in spec["events"]["pol-0322"]:
        if e["type"] == "AID":
            e["attributed_to"] = "CHN"  # now both officials are the donor's, and disagree
    with _built(tmp_path, spec) as s:
        (shown,) = story_of(s, "xin-0321-e0")["display"]
        assert (shown["rule"], shown["low"], shown["high"]) == ("range", 30, 31)


def test_every_figure_is_kept_with_its_claimant(store):
    figs = story_of(store, "xin-0321-e0")["figures"]
    seen = {(f["article_id"], f["claimant"], f["claimant_kind"], f["quantity"]) for f in figs}
    assert seen == {("xin-0321", "CHN", "donor-official", 30), ("pol-0322", "SRB", "recipient-official", 31),
                    ("wire-0322", "Wire Service", "media", 30), ("repost-0323", "Daily Courier", "media", 30)}


def test_pledge_and_delivery_are_linked_not_merged(store):
    pledge, delivery = story_of(store, "gov-2101-e0"), story_of(store, "tan-2102-e0")
    assert pledge["id"] != delivery["id"]
    assert members(pledge) == {"gov-2101-e0", "wire-2101-e0"}
    assert (pledge["status"], delivery["status"]) == ("pledged", "delivered")
    assert pledge["story_line"] == delivery["story_line"] == pledge["id"]
    assert [s["id"] for s in pledge["line"]] == [delivery["id"]]


def test_unrelated_stories_have_their_own_line(store):
    s = story_of(store, "haiti-e0")
    assert s["story_line"] == s["id"] and s["line"] == []


def test_window_comes_from_settings(tmp_path):
    with _built(tmp_path, settings=Settings(story_window_days=60)) as s:
        merged = story_of(s, "xin-0321-e0")
        assert "pol-0516-e0" in members(merged)
        assert merged["conflicting"]  # 20 tons vs 30/31 tons


def test_building_twice_or_writing_twice_changes_nothing(store):
    before = list_stories(store)
    with store.transaction():
        assert build_stories(store, Settings()) == len(before)
    assert list_stories(store) == before
    write_fixture(store)
    with store.transaction():
        build_stories(store, Settings())
    assert list_stories(store) == before


def test_a_duplicated_article_adds_a_report_not_a_source(tmp_path):
    spec = load_spec()
    spec["articles"].append({"id": "xin-0411-again", "outlet": "Xinhua Mirror", "url": "https://example.org/m",
                             "published": "2020-04-12", "title": "copy", "same_text_as": "xin-0411"})
    spec["events"]["xin-0411-again"] = copy.deepcopy(spec["events"]["xin-0411"])
    with _built(tmp_path, spec) as s:
        vent = story_of(s, "tan-0410-e0")
        assert vent["reports"] == 3 and vent["sources"] == 2
        assert story_of(s, "xin-0411-again-e1")["id"] == story_of(s, "xin-0411-e1")["id"]


def test_list_filters(store):
    assert {s["id"] for s in list_stories(store, conflicting=True)} == {
        story_of(store, e)["id"] for e in ("xin-0321-e0", "it-a-e0", "tr-a-e0")}
    assert all(s["target_code"] == "ITA" for s in list_stories(store, target="ita"))
    assert {s["type"] for s in list_stories(store, type="CONSULT")} == {"CONSULT"}
    assert len(list_stories(store, limit=3)) == 3
    assert [s["status"] for s in list_stories(store, source="CHN", status="pledged")] == ["pledged"]


def test_unknown_story_is_not_found(store):
    with pytest.raises(NotFoundError):
        story(store, "s000000000")


def test_stale_stories_are_detected_and_rebuilt(store):
    settings = Settings()
    assert stories_current(store, settings)
    assert not stories_current(store, Settings(story_window_days=3))
    doc = next(d for d in documents() if d.article.id == "haiti")
    store.write_document(doc.__class__(article=doc.article, sentences=doc.sentences, events=doc.events[:1]))
    assert not stories_current(store, settings)
    ensure_stories(store, settings)
    assert stories_current(store, settings)
    assert store.query("SELECT count(*) AS n FROM story_events WHERE event_id = 'haiti-e1'")[0]["n"] == 0


@pytest.mark.parametrize("value, interval", [
    ("2020", (date(2020, 1, 1), date(2020, 12, 31))),
    ("2020-02", (date(2020, 2, 1), date(2020, 2, 29))),
    ("2020-03-24", (date(2020, 3, 24), date(2020, 3, 24))),
    ("2020-13", None), (None, None), ("soon", None),
])
def test_date_interval(value, interval):
    assert date_interval(value) == interval
