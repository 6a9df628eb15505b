"""The read endpoints: events, timeline, flows, stories, actors, articles, stats, downloads.

Each handler validates its query with a model that forbids unknown fields, reads through
the request's own cursor, and returns an output model from ``models``. Downloads carry the
same filters as the list they download and stream every matching row (not one page).
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from math import ceil
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import StreamingResponse

from ..errors import DataFileError
from ..flows import PACKAGE, flow_totals
from ..store import Store
from ..store.reviews import machine_copy
from ..stories import ensure_stories, list_stories, story
from . import queries
from .database import Database
from .downloads import download, format_items
from .event_index import EventIndex
from .models import (ActorList, ActorOut, ActorQuery, ArticleOut, EventDetail, EventFilter, EventOut,
                     EventPage, EventPageQuery, EventSortQuery, FlowPageQuery, FlowPairs, FlowQuery, FlowRowOut,
                     FlowsOut, NoQuery, ViewQuery,
                     Stats, StoryDetail, StoryFilter, StoryOut, StoryPage, StoryPageQuery, Timeline)

DownloadFormat = Literal["csv", "json"]
ID = Path(min_length=1, max_length=200)


def database(request: Request) -> Database:
    return request.app.state.db  # type: ignore[no-any-return]


def reader(request: Request) -> Iterator[Store]:
    with database(request).reader() as store:
        yield store


Db = Annotated[Database, Depends(database)]
Reader = Annotated[Store, Depends(reader)]
router = APIRouter(prefix="/api")


def _cap(request: Request, size: int) -> int:
    return min(size, database(request).settings.page_size_max)


# -- events ----------------------------------------------------------------------------
@router.get("/events", response_model=EventPage, summary="List events (filtered, sorted, one page)")
def list_events(request: Request, store: Reader, q: Annotated[EventPageQuery, Query()]) -> dict[str, Any]:
    db = database(request)
    size = _cap(request, q.size)

    def page(with_total: bool) -> tuple[int | None, list[dict[str, Any]]]:
        if _indexed(db, store, q):
            total, ids, article_ids = _index_page(db, store, q, limit=size, offset=(q.page - 1) * size)
            return total, queries.page_rows(store, q, ids, pool=db.lookups, machine=True, article_ids=article_ids)
        return queries.event_page(store, q, sort=q.sort, order=q.order, limit=size, offset=(q.page - 1) * size,
                                  with_total=with_total, pool=db.lookups, keys=_row_keys(db, store, q))

    # the count depends on the filters only: paging through one result set pays for it once,
    # and a new filter gets it from the same scan as its first page
    counted: list[list[dict[str, Any]]] = []

    def count_with_page() -> int:
        total, rows = page(with_total=True)
        counted.append(rows)
        return int(total or 0)

    total = db.cached(("count", _filters(q)), count_with_page)
    rows = counted[0] if counted else page(with_total=False)[1]
    return dict(total=total, page=q.page, size=size, pages=ceil(total / size), sort=q.sort, order=q.order,
                rows=rows)


@router.get("/events.{fmt}", response_class=StreamingResponse, summary="Download every matching event",
            responses={200: {"content": {"text/csv": {}, "application/json": {}}}})
def download_events(db: Db, fmt: DownloadFormat, q: Annotated[EventSortQuery, Query()]) -> StreamingResponse:
    def rows() -> Iterator[dict[str, Any]]:
        with db.reader() as store:  # its own cursor: it lives as long as the stream, not the handler
            yield from queries.iter_events(store, q, sort=q.sort, order=q.order)

    return download(rows(), columns=list(EventOut.model_fields), fmt=fmt, name="events",
                    flatten=(lambda r: {**r, "items": format_items(r["items"])}) if fmt == "csv" else None)


@router.get("/events/{event_id}", response_model=EventDetail, summary="One event with its evidence")
def get_event(store: Reader, event_id: Annotated[str, ID], q: Annotated[ViewQuery, Query()]) -> dict[str, Any]:
    return queries.event_detail(store, event_id, as_extracted=q.as_extracted)


@router.get("/timeline", response_model=Timeline, summary="Matching events per month and type")
def get_timeline(db: Db, store: Reader, q: Annotated[EventFilter, Query()]) -> dict[str, Any]:
    undated, rows = db.cached(("timeline", _filters(q)), lambda: queries.timeline(store, q))
    return dict(undated=undated, rows=rows)


def _row_keys(db: Database, store: Store, q: EventPageQuery) -> queries.RowKeys | None:
    """What this page needs of the rowid-keyed facts, built once (read-only servers only:
    rowids move when rows are written; and the corrected view has none once anything is reviewed)."""
    if db.writable or (not q.as_extracted and has_reviews(db, store)):
        return None
    item_class = q.item_class
    return queries.RowKeys(
        item_rowids=(db.cached(("row-keys", "item", item_class), lambda: queries.rowids_with_item(store, item_class))
                     if item_class else None),
        published=(db.cached(("row-keys", "published"), lambda: queries.published_by_rowid(store))
                   if q.sort == "published" else None))


def _indexed(db: Database, store: Store, q: EventFilter) -> bool:
    """Whether the in-memory event index answers this filter: a read-only server (nothing
    moves), no text or article filter, and the machine's rows are the view asked for."""
    return (not db.writable and q.q is None and q.article is None
            and (q.as_extracted or not has_reviews(db, store)))


def _event_index(db: Database, store: Store) -> EventIndex:
    return db.cached(("event-index", "events"), lambda: EventIndex.load(store))


def _index_page(db: Database, store: Store, q: EventPageQuery, *, limit: int,
                offset: int) -> tuple[int, list[str], list[str]]:
    index = _event_index(db, store)
    order = db.cached(("event-index", "order", q.sort, q.order), lambda: index.order(store, q.sort, q.order))
    item_class = q.item_class
    items = (db.cached(("event-index", "items", item_class), lambda: index.items(store, item_class))
             if item_class else None)
    return index.page(q, order, items, limit=limit, offset=offset)


def has_reviews(db: Database, store: Store) -> bool:
    return db.cached("has-reviews", lambda: store.con.execute("SELECT 1 FROM review_state LIMIT 1").fetchone()
                     is not None)


@contextmanager
def view_of(db: Database, store: Store, as_extracted: bool) -> Iterator[Store]:
    """The store a stories or flows read uses: this one, or (``as_extracted``) a cursor on a
    copy of the machine's events with its own stories, built once until the next write."""
    if not as_extracted:
        yield store
        return
    with db.cached("machine-copy", lambda: machine_view(db, store)).cursor() as view:
        yield view


def machine_view(db: Database, store: Store) -> Store:
    copy = machine_copy(store)
    ensure_stories(copy, db.settings)
    return copy


def _filters(q: EventFilter) -> tuple[Any, ...]:
    """The cache key of an event filter (paging and sorting left out)."""
    return tuple(sorted(q.model_dump(include=set(EventFilter.model_fields)).items()))


# -- flows -----------------------------------------------------------------------------
def _flow_key(q: FlowQuery) -> tuple[Any, ...]:
    return tuple(sorted(q.model_dump(include=set(FlowQuery.model_fields)).items()))


def cached_flows(db: Database, store: Store, q: FlowQuery) -> dict[str, Any]:
    """``aidtrace.flows`` for these filters, as plain rows, computed once until the next write.

    The totals are SQL over the story tables (about a second unfiltered at a million
    events, a fraction of that filtered); the cache keeps the rows and the exclusion
    counts with the first exclusions, so that paging and sorting cost no query.
    """
    def compute() -> dict[str, Any]:
        filters = {k: v for k, v in _flow_key(q) if k != "as_extracted"}
        with view_of(db, store, q.as_extracted) as view:
            totals = flow_totals(view, excluded_limit=db.settings.page_size_max, **filters)
        return dict(rows=totals.rows, excluded_by_reason=totals.excluded_by_reason,
                    excluded_total=totals.excluded_total, excluded=totals.excluded)

    return db.cached(("flows", _flow_key(q)), compute)


def _sorted_rows(rows: list[dict[str, Any]], sort: str, order: str) -> list[dict[str, Any]]:
    """Sorted on one column, empty values last either way; ties keep aidtrace.flows' order."""
    present = [r for r in rows if r[sort] is not None]
    missing = [r for r in rows if r[sort] is None]
    return sorted(present, key=lambda r: r[sort], reverse=order == "desc") + missing


@router.get("/flows", response_model=FlowsOut, summary="Donor -> recipient totals (additive rows only)")
def get_flows(request: Request, db: Db, store: Reader, q: Annotated[FlowPageQuery, Query()]) -> dict[str, Any]:
    payload = cached_flows(db, store, q)
    rows = db.cached(("flows-sorted", _flow_key(q), q.sort, q.order),
                     lambda: _sorted_rows(payload["rows"], q.sort, q.order))
    size = _cap(request, q.size)
    start = (q.page - 1) * size
    return dict(total=len(rows), page=q.page, size=size, pages=ceil(len(rows) / size), sort=q.sort,
                order=q.order, rows=rows[start:start + size], excluded_by_reason=payload["excluded_by_reason"],
                excluded_total=payload["excluded_total"], excluded=payload["excluded"],
                stories_current=db.stories_current())


@router.get("/flows/pairs", response_model=FlowPairs, summary="Donor -> recipient pairs of the totals (for a map)")
def get_flow_pairs(db: Db, store: Reader, q: Annotated[FlowQuery, Query()]) -> dict[str, Any]:
    def compute() -> list[dict[str, Any]]:
        figures: dict[tuple[str, str], int] = {}
        for r in cached_flows(db, store, q)["rows"]:
            for target in (r["recipients"] if r["target"] == PACKAGE else [r["target"]]):
                figures[(r["source"], target)] = figures.get((r["source"], target), 0) + r["stories"]
        return [dict(source=s, target=t, figures=n) for (s, t), n in sorted(figures.items())]

    return dict(rows=db.cached(("flow-pairs", _flow_key(q)), compute), stories_current=db.stories_current())


@router.get("/flows.{fmt}", response_class=StreamingResponse, summary="Download every flow row",
            responses={200: {"content": {"text/csv": {}, "application/json": {}}}})
def download_flows(db: Db, store: Reader, fmt: DownloadFormat, q: Annotated[FlowQuery, Query()]) -> StreamingResponse:
    rows = cached_flows(db, store, q)["rows"]
    return download(rows, columns=list(FlowRowOut.model_fields), fmt=fmt, name="flows")


# -- stories ---------------------------------------------------------------------------
@router.get("/stories", response_model=StoryPage, summary="Stories: one real-world event, many reports")
def get_stories(request: Request, db: Db, store: Reader, q: Annotated[StoryPageQuery, Query()]) -> dict[str, Any]:
    size = _cap(request, q.size)
    filters = q.model_dump(exclude={"page", "size", "as_extracted"})

    def page() -> list[dict[str, Any]]:
        with view_of(db, store, q.as_extracted) as view:
            return list_stories(view, **filters, limit=size + 1, offset=(q.page - 1) * size)

    # a top-N over every matching story (~60-80 ms unfiltered at a million): once per page until the next write
    rows = db.cached(("stories", q.as_extracted, tuple(sorted(filters.items())), q.page, size), page)
    return dict(page=q.page, size=size, has_more=len(rows) > size, rows=rows[:size])


@router.get("/stories.{fmt}", response_class=StreamingResponse, summary="Download every matching story",
            responses={200: {"content": {"text/csv": {}, "application/json": {}}}})
def download_stories(db: Db, store: Reader, fmt: DownloadFormat,
                     q: Annotated[StoryFilter, Query()]) -> StreamingResponse:
    with view_of(db, store, q.as_extracted) as view:
        rows = list_stories(view, **q.model_dump(exclude={"as_extracted"}))
    return download(rows, columns=list(StoryOut.model_fields), fmt=fmt, name="stories")


@router.get("/stories/{story_id}", response_model=StoryDetail, summary="One story with its reports and figures")
def get_story(db: Db, store: Reader, story_id: Annotated[str, ID],
              q: Annotated[ViewQuery, Query()]) -> dict[str, Any]:
    with view_of(db, store, q.as_extracted) as view:
        return story(view, story_id)


# -- actors, articles, stats -----------------------------------------------------------
@cache
def _gazetteer() -> Any:
    """The actor gazetteer when it is installed and valid; None means codes only."""
    try:
        from ..ontology.actors import default_gazetteer
        return default_gazetteer()
    except (ImportError, DataFileError):
        return None


def _actors(db: Database, store: Store, role: str) -> tuple[str | None, list[dict[str, Any]]]:
    """Codes with their counts (a scan of every event: 40-70 ms at a million) and names,
    once per role until the next write."""
    def compute() -> tuple[str | None, list[dict[str, Any]]]:
        gazetteer = _gazetteer()
        rows = queries.actor_counts(store, role)
        for r in rows:
            entry = gazetteer.entry(r["code"]) if gazetteer is not None else None
            r["name"] = entry.name if entry is not None else None
        return ("aidtrace.ontology.actors" if gazetteer is not None else None), rows

    return db.cached(("actors", role), compute)


@router.get("/actors", response_model=ActorList, summary="Actors with event counts and names")
def get_actors(db: Db, store: Reader, q: Annotated[ActorQuery, Query()]) -> dict[str, Any]:
    names_from, rows = _actors(db, store, q.role)
    return dict(names_from=names_from, rows=rows)


@router.get("/actors.{fmt}", response_class=StreamingResponse, summary="Download the actor list",
            responses={200: {"content": {"text/csv": {}, "application/json": {}}}})
def download_actors(db: Db, store: Reader, fmt: DownloadFormat,
                    q: Annotated[ActorQuery, Query()]) -> StreamingResponse:
    return download(_actors(db, store, q.role)[1], columns=list(ActorOut.model_fields), fmt=fmt, name="actors")


@router.get("/articles/{article_id}", response_model=ArticleOut, summary="One article, its text and its events")
def get_article(store: Reader, article_id: Annotated[str, ID], q: Annotated[ViewQuery, Query()]) -> dict[str, Any]:
    return queries.article_detail(store, article_id, as_extracted=q.as_extracted)


@router.get("/stats", response_model=Stats, summary="Counts and the as-of date (latest ingest)")
def get_stats(db: Db, store: Reader, _: Annotated[NoQuery, Query()]) -> dict[str, Any]:
    out = cached_stats(db, store)
    return {**out, "stories_current": db.stories_current(), "read_only": not db.writable,
            "ingest_enabled": db.writable}


def cached_stats(db: Database, store: Store) -> dict[str, Any]:
    return db.cached("stats", lambda: queries.stats(store))


def warm_up(db: Database) -> None:
    """Compute what the dashboard asks for first (stats, unfiltered flows, the event index
    of a read-only server) before anyone asks.

    ``aidtrace serve`` runs this on a background thread at start: on a store of a million
    events the first unfiltered /api/flows would otherwise take a second or two.
    """
    with db.reader() as store:
        cached_stats(db, store)
        cached_flows(db, store, FlowQuery())
        if _indexed(db, store, EventPageQuery()):  # the index, in the API's and the dashboard's order
            for order in ("asc", "desc"):
                _index_page(db, store, EventPageQuery(sort="date", order=order), limit=1, offset=0)
    db.stories_current()
