"""Review endpoints: accept, reject, edit or add events (writes), the queue and the log (reads).

Writes are guarded like ``POST /api/ingest``: off unless the server has a write token
(403), then ``Authorization: Bearer <token>`` (401). They are CSRF-safe because a browser
never attaches that header by itself (the token lives in the page's storage, not in a
cookie), and because they take only ``application/json`` (415), which a cross-site form
cannot send, and refuse a request whose ``Origin`` is not this server (403). Each write
runs on the server's one writer thread, in one DuckDB transaction (the log row and the
derived state together), while readers go on reading from their own cursors.

The story tables are derived from the corrected events; rebuilding them costs a pass over
every event, so it is not done per review: it runs on a background thread (beside the
writer, never in its queue) once reviews have paused for ``STORY_DELAY`` seconds; until
then /api/flows says ``stories_current: false``.
"""
from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, Path, Query, Request
from pydantic import BaseModel, ConfigDict, Field

from ..store.reviews import Correction, NewEvent, add, queue, review, reviews, unattached
from ..stories import ensure_stories
from .errors import ApiError
from .ingest import _check_token
from .models import CODE, ErrorResponse, EventType

router = APIRouter(prefix="/api/reviews", tags=["reviews"])
STORY_DELAY = 2.0  # seconds without a review before the stories are rebuilt
WRITE_ERRORS = {400: {"model": ErrorResponse, "description": "Body is not JSON"}, 401: {"model": ErrorResponse}, 403: {"model": ErrorResponse}, 415: {"model": ErrorResponse},
                422: {"model": ErrorResponse}}
ID = Path(min_length=1, max_length=200)


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reviewer: str = Field(min_length=1, max_length=80, description="who reviews (shown as 'confirmed by')")
    note: str | None = Field(None, max_length=2000)


class VerdictIn(_Body):
    """Accept or reject: who and, optionally, why."""


class EditIn(_Body):
    fields: Correction = Field(description="the fields to change; a field left out keeps its value")


class AddIn(_Body):
    event: NewEvent = Field(description="the missed event and its evidence span in the article text")


class ReviewOut(BaseModel):
    id: str
    seq: int
    event_id: str = Field(description="the event this review concerns now")
    reviewed_event_id: str = Field(description="the event it was written for (differs after re-extraction)")
    article_id: str
    action: Literal["accept", "reject", "edit", "add"]
    reviewer: str
    reviewed_at: datetime = Field(description="when it was written (UTC)")
    extracted: dict[str, Any] | None = Field(description="the event as the machine extracted it")
    corrected: dict[str, Any] | None = Field(description="the event as the reviewer left it (null: rejected)")
    sentence_start: int | None
    sentence_end: int | None
    trigger_start: int | None
    trigger_end: int | None
    extracted_type: str | None
    attached: bool = Field(description="false: re-extraction found no event at its evidence")
    note: str | None


class ReviewList(BaseModel):
    rows: list[ReviewOut]


class QueueItem(BaseModel):
    id: str
    article_id: str
    type: str
    source_code: str | None
    target_code: str | None
    confidence: float | None
    sentence: str | None


class QueueOut(BaseModel):
    rows: list[QueueItem]


class QueueQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")
    type: EventType | None = None
    source: str | None = CODE
    target: str | None = CODE
    article: str | None = Field(None, min_length=1, max_length=200)
    max_confidence: float | None = Field(None, ge=0, le=1, description="only events at or below this confidence")
    after: str | None = Field(None, min_length=1, max_length=200,
                              description="continue after this event (the last one shown)")
    size: int = Field(50, ge=1, le=500)


class LogQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")
    state: Literal["all", "unattached"] = Field("all", description="unattached: reviews re-extraction could not place")
    article: str | None = Field(None, min_length=1, max_length=200)
    event: str | None = Field(None, min_length=1, max_length=200)


def _check_write(request: Request) -> None:
    """Before the body is read or validated: a forged request learns nothing from a 422."""
    _check_token(request)
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind != "application/json":
        raise ApiError(415, "unsupported_media_type", f"reviews take a JSON body (Content-Type: application/json),"
                       f" not {kind or 'none'!r}")
    origin = request.headers.get("origin")
    if origin is not None and urlsplit(origin).netloc != request.headers.get("host"):
        raise ApiError(403, "cross_origin", f"a review must come from this server's own page, not from {origin!r}")


WRITE_CHECKS = [Depends(_check_write)]


async def _write(request: Request, job: Any) -> dict[str, Any]:
    db = request.app.state.db
    out = await db.write(job)
    db.write_later("stories", lambda store: ensure_stories(store, db.settings), STORY_DELAY)
    return out  # type: ignore[no-any-return]


@router.post("/{event_id}/accept", response_model=ReviewOut, responses=WRITE_ERRORS, dependencies=WRITE_CHECKS,
             summary="Accept an event as extracted (or as last edited)")
async def accept_event(request: Request, event_id: Annotated[str, ID], body: VerdictIn) -> dict[str, Any]:
    return await _write(request, lambda store: review(store, event_id, "accept", reviewer=body.reviewer,
                                                      note=body.note))


@router.post("/{event_id}/reject", response_model=ReviewOut, responses=WRITE_ERRORS, dependencies=WRITE_CHECKS,
             summary="Reject an event: hidden from the corrected view, kept in the machine's")
async def reject_event(request: Request, event_id: Annotated[str, ID], body: VerdictIn) -> dict[str, Any]:
    return await _write(request, lambda store: review(store, event_id, "reject", reviewer=body.reviewer,
                                                      note=body.note))


@router.post("/{event_id}/edit", response_model=ReviewOut, responses=WRITE_ERRORS, dependencies=WRITE_CHECKS,
             summary="Correct fields of an event (type, source, target, items, value, status, date, attributed_to)")
async def edit_event(request: Request, event_id: Annotated[str, ID], body: EditIn) -> dict[str, Any]:
    return await _write(request, lambda store: review(store, event_id, "edit", reviewer=body.reviewer,
                                                      correction=body.fields, note=body.note))


@router.post("/add", response_model=ReviewOut, responses=WRITE_ERRORS, dependencies=WRITE_CHECKS,
             summary="Add an event the machine missed, at its evidence in the article")
async def add_event(request: Request, body: AddIn) -> dict[str, Any]:
    return await _write(request, lambda store: add(store, body.event, reviewer=body.reviewer, note=body.note))


@router.get("/queue", response_model=QueueOut, summary="Events nobody reviewed yet, lowest confidence first")
def review_queue(request: Request, q: Annotated[QueueQuery, Query()]) -> dict[str, Any]:
    with request.app.state.db.reader() as store:
        return dict(rows=queue(store, type=q.type, source=q.source, target=q.target, article=q.article,
                               max_confidence=q.max_confidence, after=q.after, limit=q.size))


@router.get("", response_model=ReviewList, summary="The review log, oldest first")
def review_log(request: Request, q: Annotated[LogQuery, Query()]) -> dict[str, Any]:
    with request.app.state.db.reader() as store:
        if q.state == "unattached":
            rows = [r for r in unattached(store) if q.article in (None, r["article_id"])
                    and q.event in (None, r["event_id"])]
        else:
            rows = reviews(store, article=q.article, event=q.event)
    return dict(rows=rows)
