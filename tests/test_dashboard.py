"""The dashboard in a real headless Chromium (Debian's), with every non-loopback request blocked.

Proves the page needs no internet: any request that leaves 127.0.0.1 is aborted and
recorded, and the test fails if there was one. Screenshots go to test-output/.
"""
from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from aidtrace.api import Database, create_app
from aidtrace.api.server import BackgroundServer
from aidtrace.config import Settings

from .api_data import build_db

CHROMIUM = Path("/usr/bin/chromium")
OUTPUT = Path(__file__).resolve().parents[1] / "test-output"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
LOOPBACK = {"127.0.0.1", "localhost"}

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium "
                                                     "(apt-get install chromium)"),
]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    path = build_db(tmp_path_factory.mktemp("dash") / "dash.duckdb")
    database = Database(str(path), Settings(db=str(path)))
    with BackgroundServer(create_app(database)) as srv:
        yield srv
    database.close()


@pytest.fixture
def browser_page(tmp_path):
    from playwright.sync_api import sync_playwright

    blocked: list[str] = []
    problems: list[str] = []
    with sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            str(tmp_path / "profile"), executable_path=str(CHROMIUM), headless=True, args=ARGS,
            viewport={"width": 1400, "height": 1000}, env={**os.environ, "HOME": str(tmp_path)})

        def gate(route):
            host = urlsplit(route.request.url).hostname
            if host in LOOPBACK:
                route.continue_()
            else:
                blocked.append(route.request.url)
                route.abort()

        context.route("**/*", gate)
        page = context.new_page()
        page.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))
        page.on("console", lambda msg: problems.append(f"console {msg.type}: {msg.text}")
                if msg.type == "error" else None)
        yield page, blocked, problems
        context.close()


def test_dashboard_offline_filter_and_event_view(server, browser_page):
    page, blocked, problems = browser_page
    OUTPUT.mkdir(exist_ok=True)
    page.goto(f"{server.url}/")
    page.wait_for_selector("body[data-ready=true]", timeout=20_000)

    # the figures are there, with their definitions and the as-of date
    assert page.locator("#asof").inner_text().startswith("As of ")
    assert "8 events" in page.locator("#asof").inner_text()
    assert page.locator("#map path.country").count() > 150
    fill = {c: page.locator(f"#map path.country[data-iso3={c}]").get_attribute("fill") for c in ("ITA", "FRA")}
    assert fill["ITA"] != fill["FRA"]  # Italy received aid, France did not
    assert page.locator("#map path.arc").count() == 2  # CHN->ITA, RUS->USA; EU->SRB is off the map
    assert "EU → SRB" in page.locator("#map-offmap").inner_text()
    assert page.locator("#timeline rect.bar").count() == 5
    assert page.locator(".definition").count() == 4
    assert page.locator("#events tbody tr").count() == 8
    assert page.locator("#flows tbody tr").count() == 3
    page.screenshot(path=str(OUTPUT / "dashboard.png"), full_page=True)

    # apply a filter
    page.fill("#filters [name=source]", "RUS")
    page.click("#filters button[type=submit]")
    page.wait_for_function("document.querySelectorAll('#events tbody tr').length === 1")
    assert "source=RUS" in page.url
    assert page.locator("#events-count").inner_text() == "(1)"
    assert "source=RUS" in page.locator("#events-csv").get_attribute("href")

    # open the event: its sentence, the trigger marked, a link to the source
    page.click("#events tbody tr")
    page.wait_for_selector("#event-view:not([hidden])")
    assert page.locator("#event-sentence").inner_text() == "Russia sent a plane with 150 ventilators to the United States."
    assert page.locator("#event-sentence mark").inner_text() == "sent"
    assert page.locator("#event-url").get_attribute("href") == "https://example.org/wire/russia-usa"
    page.screenshot(path=str(OUTPUT / "dashboard-event.png"), full_page=True)

    assert blocked == [], f"the page tried to reach the network: {blocked}"
    assert problems == []


def test_api_docs_render_offline(server, browser_page):
    page, blocked, problems = browser_page
    OUTPUT.mkdir(exist_ok=True)
    page.goto(f"{server.url}/docs")
    page.wait_for_selector(".swagger-ui .info .title", timeout=20_000)
    assert "aidtrace" in page.locator(".swagger-ui .info .title").inner_text()
    assert page.locator(".opblock").count() >= 13
    page.screenshot(path=str(OUTPUT / "docs.png"))
    assert blocked == [], f"/docs tried to reach the network: {blocked}"
    assert problems == []
