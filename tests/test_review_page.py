"""The review page in a real headless Chromium over a writable server on loopback: accept,
reject, edit a target and add a missed event with the keyboard, then the API and the CLI
show the corrected view. Also measures the accept/reject round trip (key press to the next
event shown) over a queue on a store of a few thousand events; the figure is printed and
written to test-output/review-timings.json, never asserted (benchmarks/bench_review.py
measures it at 100k events)."""
from __future__ import annotations

import dataclasses
import json
import statistics

import httpx
import pytest
from typer.testing import CliRunner

from aidtrace.api import Database, create_app
from aidtrace.api.server import BackgroundServer
from aidtrace.cli import app
from aidtrace.config import Settings
from aidtrace.models import Article, Document
from aidtrace.store import Store

from .api_data import build_db, documents
from .test_dashboard import OUTPUT, browser_page  # noqa: F401  (the fixture: Chromium, network blocked)
from .test_dashboard import pytestmark  # noqa: F401  (browser mark, skipped without chromium)

TOKEN = "page-token-0123456789"
COPIES = 300  # x 8 events: a store of 2,408 events
FIRST = {"ev-call": 0.1, "ev-accuse": 0.2, "ev-eu-srb": 0.3, "ev-rus-usa": 0.4}  # the queue's head


def copies(n: int) -> list[Document]:
    """The api_data articles again under other ids: more events, same shapes."""
    out = []
    for k in range(n):
        for doc in documents():
            article = dataclasses.replace(doc.article, id=f"{doc.article.id}-c{k}", url=f"{doc.article.url}/c{k}")
            events = tuple(dataclasses.replace(ev, id=f"{ev.id}-c{k}", article=article.id,
                                               evidence=dataclasses.replace(ev.evidence, article=article.id))
                           for ev in doc.events)
            out.append(Document(article=Article(**{**dataclasses.asdict(article)}), events=events))
    return out


@pytest.fixture
def store_path(tmp_path):
    path = build_db(tmp_path / "review-page.duckdb")
    with Store(path) as store:
        with store.transaction():
            store.write_documents(copies(COPIES))
        for event_id, confidence in FIRST.items():
            store.con.execute("UPDATE events SET confidence = ? WHERE id = ?", [confidence, event_id])
    return path


def shown(page, event_id: str) -> None:
    page.wait_for_function(f"document.querySelector('#review-event').dataset.id === {json.dumps(event_id)}",
                           timeout=20_000)


def test_review_page_with_the_keyboard(store_path, browser_page):  # noqa: F811
    page, blocked, problems = browser_page
    OUTPUT.mkdir(exist_ok=True)
    database = Database(str(store_path), Settings(db=str(store_path)), writable=True)
    with BackgroundServer(create_app(database, token=TOKEN)) as server:
        page.goto(f"{server.url}/review")
        page.wait_for_selector("body[data-ready=true]", timeout=20_000)
        page.fill("#review-who [name=reviewer]", "ann")
        page.fill("#review-who [name=token]", TOKEN)
        page.press("#review-who [name=token]", "Tab")  # change events: both kept in localStorage
        page.click("#review-sentence")  # out of the form: keys now go to the queue
        shown(page, "ev-call")
        assert page.locator("#review-sentence mark").inner_text() == "spoke"
        page.screenshot(path=str(OUTPUT / "review.png"), full_page=True)

        page.keyboard.press("a")
        shown(page, "ev-accuse")
        page.keyboard.press("r")
        shown(page, "ev-eu-srb")
        page.keyboard.press("e")
        page.fill("#review-edit [name=target]", "MNE")
        page.press("#review-edit [name=target]", "Enter")
        shown(page, "ev-rus-usa")
        # a missed event: select its words in the article text, press m, say who did what
        page.evaluate("""() => {
            const pre = document.querySelector('#review-article');
            const text = pre.textContent, words = 'Washington accused Beijing';
            let at = text.indexOf(words), node, walker = document.createTreeWalker(pre, NodeFilter.SHOW_TEXT);
            const range = document.createRange();
            while ((node = walker.nextNode())) {
                if (at < node.length) { range.setStart(node, at); range.setEnd(node, at + words.length); break; }
                at -= node.length;
            }
            getSelection().removeAllRanges(); getSelection().addRange(range);
        }""")
        page.keyboard.press("m")
        assert page.locator("#review-add-quote").inner_text() == "Washington accused Beijing"
        page.select_option("#review-add [name=type]", "ACCUSE")
        page.fill("#review-add [name=source]", "USA")
        page.fill("#review-add [name=target]", "WHO")
        page.press("#review-add [name=target]", "Enter")
        page.wait_for_function("document.querySelector('#review-status').textContent.startsWith('added event')")
        assert page.locator("#review-error").is_hidden()

        # a reload continues where the reviewer was (token, name and place kept in the page's storage)
        page.reload()
        page.wait_for_selector("body[data-ready=true]", timeout=20_000)
        shown(page, "ev-rus-usa")
        page.click("#review-sentence")

        # fifty keyboard reviews in a row: accept, reject, accept, ...
        page.evaluate("window.reviewTimings.length = 0")
        for i in range(50):
            before = page.locator("#review-event").get_attribute("data-id")
            page.keyboard.press("a" if i % 2 == 0 else "r")
            page.wait_for_function(f"document.querySelector('#review-event').dataset.id !== {json.dumps(before)}",
                                   timeout=20_000)
        timings = page.evaluate("window.reviewTimings.slice()")
        assert len(timings) == 50 and page.locator("#review-error").is_hidden()
        ordered = sorted(timings)
        figures = {"events": 8 + 8 * COPIES, "reviews": len(timings), "p50_ms": round(statistics.median(timings), 1),
                   "p95_ms": round(ordered[int(0.95 * len(ordered)) - 1], 1), "max_ms": round(ordered[-1], 1)}
        (OUTPUT / "review-timings.json").write_text(json.dumps(figures))
        print(f"review round trip (key press to next event shown): {figures}")

        def event(event_id):
            return httpx.get(f"{server.url}/api/events/{event_id}").json()

        assert httpx.get(f"{server.url}/api/events/ev-accuse").status_code == 404  # rejected
        assert event("ev-call")["reviewed_by"] == "ann"
        assert (event("ev-eu-srb")["target_code"], event("ev-eu-srb")["review"]) == ("MNE", "edit")
        added = [r for r in httpx.get(f"{server.url}/api/events", params={"article": "art-4"}).json()["rows"]
                 if r["review"] == "add"]
        assert [(r["type"], r["source_code"], r["target_code"], r["sentence"]) for r in added] == [
            ("ACCUSE", "USA", "WHO", "Washington accused Beijing")]
        assert len(httpx.get(f"{server.url}/api/reviews").json()["rows"]) == 4 + 50

        # the dashboard shows the corrected view and marks what a person confirmed
        page.goto(f"{server.url}/?source=EU#event=ev-eu-srb")
        page.wait_for_selector("body[data-ready=true]", timeout=20_000)
        page.wait_for_selector("#events tr[data-id=ev-eu-srb].confirmed", timeout=20_000)
        assert "edit by ann" in page.locator("#events tr[data-id=ev-eu-srb]").get_attribute("title")
        page.wait_for_selector("#event-view:not([hidden])", timeout=20_000)
        assert "Confirmed by a person" in page.locator("#event-fields").inner_text()
        assert "edit by ann" in page.locator("#event-fields").inner_text()
    database.close()

    out = CliRunner().invoke(app, ["events", "--db", str(store_path), "--format", "json", "--source", "EU"])
    assert out.exit_code == 0, out.output
    eu = {r["id"]: r for r in json.loads(out.stdout)}
    assert eu["ev-eu-srb"]["target_code"] == "MNE" and eu["ev-eu-srb"]["reviewed_by"] == "ann"
    machine = json.loads(CliRunner().invoke(app, ["events", "--db", str(store_path), "--format", "json",
                                                  "--source", "EU", "--as-extracted"]).stdout)
    assert {r["id"]: r["target_code"] for r in machine}["ev-eu-srb"] == "SRB"
    assert blocked == [], f"the page tried to reach the network: {blocked}"
    assert problems == []
