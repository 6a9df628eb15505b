"""A read-only server finds events pages in its in-memory index (api/event_index.py); a
writable one asks DuckDB. Both, on real loopback servers over copies of one file, must give
the same bytes for every filter, sort, direction and page, reviewed or not."""
from __future__ import annotations

import itertools
import shutil

import httpx
import pytest

from aidtrace.api import Database, create_app
from aidtrace.api.event_index import EventIndex
from aidtrace.api.server import BackgroundServer
from aidtrace.config import Settings
from aidtrace.store import Store
from aidtrace.store import reviews as rv

from .api_data import build_db

FILTERS = [{}, {"type": "AID"}, {"source": "chn"}, {"target": "CHN"}, {"item_class": "masks"},
           {"item_class": "ventilators", "type": "AID"}, {"item_class": "money"}, {"status": "shipped"},
           {"since": "2020-04"}, {"until": "2020-03"}, {"since": "2020-03-12", "until": "2020-04-01"},
           {"since": "2020"}, {"until": "2020"}, {"source": "NOPE"}, {"type": "AID", "source": "CHN", "until": "2020-03"},
           {"q": "masks"}, {"article": "art-4", "sort": "published"}]  # the last two: DuckDB in both
SORTS = ["date", "published", "type", "source", "target", "status", "confidence", "id"]


def pair(tmp_path, reviewed: bool):
    """(read-only server, writable server) over two copies of the test store."""
    first = build_db(tmp_path / "read.duckdb")
    if reviewed:
        with Store(first) as store:
            rv.review(store, "ev-accuse", "reject", reviewer="ann")
            rv.review(store, "ev-eu-srb", "edit", reviewer="bob", correction=rv.Correction(target="MNE"))
    second = tmp_path / "write.duckdb"
    shutil.copy(first, second)
    read, write = (Database(str(first), Settings(db=str(first)), writable=False),
                   Database(str(second), Settings(db=str(second)), writable=True))
    return read, write


@pytest.mark.parametrize("reviewed", [False, True])
def test_indexed_pages_are_the_querys_pages(tmp_path, monkeypatch, reviewed):
    read, write = pair(tmp_path, reviewed)
    found = []
    real = EventIndex.page
    monkeypatch.setattr(EventIndex, "page", lambda *a, **k: found.append(1) or real(*a, **k))
    asked = [{**f, "sort": sort, "order": order, "page": str(page), "size": "3"}
             for f, sort, order, page in itertools.product(FILTERS, SORTS, ("asc", "desc"), (1, 2, 3))
             if sort in ("date", "published") or not f or page == 1]
    asked += [{**f, "as_extracted": "1"} for f in FILTERS]
    try:
        with BackgroundServer(create_app(read)) as indexed, BackgroundServer(create_app(write)) as queried, \
                httpx.Client(base_url=indexed.url, timeout=30) as a, httpx.Client(base_url=queried.url, timeout=30) as b:
            matched = 0
            for params in asked:
                mine, theirs = a.get("/api/events", params=params), b.get("/api/events", params=params)
                assert mine.status_code == theirs.status_code == 200, (params, mine.text)
                assert mine.content == theirs.content, params
                matched += len(mine.json()["rows"])
            assert matched > 100  # pages with rows, not only empty ones
            # the index served every page but those of q and article, and once reviewed the machine's view only
            assert len(found) == sum("q" not in p and "article" not in p and (not reviewed or "as_extracted" in p)
                                     for p in asked)
    finally:
        read.close()
        write.close()
