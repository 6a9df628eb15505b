"""The API's pydantic models: what a request may ask (query models) and what it returns.

Separate from the store's rows and from ``aidtrace.models`` (the sqlmodel pattern: table,
input and output models are different things). Output models are the contract published
in the OpenAPI schema; a column added to the store reaches clients only when it is added
here. Query models forbid extra fields, so an unknown or misspelt parameter is a 422, not
a silently ignored filter.
"""
from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from ..models import EVENT_TYPES, ITEM_CLASSES, STATUSES

EventType = Literal[EVENT_TYPES]  # type: ignore[valid-type]
ItemClass = Literal[ITEM_CLASSES]  # type: ignore[valid-type]
Status = Literal[STATUSES]  # type: ignore[valid-type]
EventSort = Literal["date", "published", "type", "source", "target", "status", "confidence", "id"]
Order = Literal["asc", "desc"]
FlowSort = Literal["source", "target", "item_class", "status", "unit", "quantity", "usd", "events", "stories"]

# An ISO date prefix at any precision the store keeps ("2020", "2020-03", "2020-03-24").
DATE_PREFIX = r"^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?$"
# Actor codes are short upper-case tokens (ISO3 or e.g. RED_CROSS); anything else is bound
# as a parameter and simply matches nothing, so the limit is on length only.
CODE = Field(None, min_length=1, max_length=64, description="actor code, e.g. CHN, EU, WHO (case-insensitive)")


class _Query(BaseModel):
    model_config = ConfigDict(extra="forbid")


class NoQuery(_Query):
    """For endpoints without parameters: any query parameter is unknown."""


class ViewQuery(_Query):
    """The one parameter of a single event or article: which view of the events."""

    as_extracted: bool = Field(False, description="the machine's view: events as extracted, without"
                                                  " reviewers' corrections (default: corrected)")


class EventFilter(_Query):
    """Filters shared by every event list (page, download, timeline)."""

    type: EventType | None = Field(None, description="event type (PLOVER name)")
    source: str | None = CODE
    target: str | None = CODE
    item_class: ItemClass | None = Field(None, description="events with at least one item of this class")
    status: Status | None = Field(None, description="lifecycle status of a transfer")
    since: str | None = Field(None, pattern=DATE_PREFIX, description="event date on or after (YYYY[-MM[-DD]])")
    until: str | None = Field(None, pattern=DATE_PREFIX,
                              description="event date on or before; '2020-03' includes all of March")
    article: str | None = Field(None, min_length=1, max_length=200, description="events of one article id")
    q: str | None = Field(None, min_length=1, max_length=200,
                          description="words that must all occur in the evidence sentence (case-insensitive)")
    as_extracted: bool = Field(False, description="the machine's view: events as extracted, without"
                                                  " reviewers' corrections (default: corrected)")


class EventSortQuery(EventFilter):
    sort: EventSort = Field("date", description="column to sort by")
    order: Order = "asc"


class EventPageQuery(EventSortQuery):
    page: int = Field(1, ge=1, le=1_000_000, description="1-based page number")
    size: int = Field(50, ge=1, description="rows per page; larger values are capped at the server's page_size_max")


class FlowQuery(_Query):
    source: str | None = CODE
    target: str | None = CODE
    item_class: ItemClass | None = None
    status: Status | None = None
    since: str | None = Field(None, pattern=DATE_PREFIX)
    until: str | None = Field(None, pattern=DATE_PREFIX)
    as_extracted: bool = Field(False, description="the machine's view: events as extracted, without"
                                                  " reviewers' corrections (default: corrected)")


class FlowPageQuery(FlowQuery):
    sort: FlowSort = Field("stories", description="column to sort by")
    order: Order = "desc"
    page: int = Field(1, ge=1, le=1_000_000)
    size: int = Field(50, ge=1, description="capped at the server's page_size_max")


class StoryFilter(_Query):
    type: EventType | None = None
    source: str | None = CODE
    target: str | None = CODE
    status: Status | None = None
    conflicting: bool | None = Field(None, description="only stories whose reports disagree (or agree)")
    story_line: str | None = Field(None, min_length=1, max_length=64,
                                   description="stories sharing a pledge's line")
    as_extracted: bool = Field(False, description="the machine's view: events as extracted, without"
                                                  " reviewers' corrections (default: corrected)")


class StoryPageQuery(StoryFilter):
    page: int = Field(1, ge=1, le=1_000_000)
    size: int = Field(50, ge=1, description="capped at the server's page_size_max")


class ActorQuery(_Query):
    role: Literal["any", "source", "target"] = Field("any", description="count actors acting, receiving, or both")


# -- outputs -------------------------------------------------------------------------
class ItemOut(BaseModel):
    item: str | None
    item_class: str | None
    quantity: float | None
    unit: str | None
    qualifier: str | None


class EventOut(BaseModel):
    """One event row as listed: every stored field, its items and its article's metadata."""

    id: str
    article_id: str
    type: str
    mode: str | None
    cameo: str | None
    source_code: str | None
    source_sector: str | None
    source_text: str | None
    target_code: str | None
    target_sector: str | None
    target_text: str | None
    target_count: int | None
    target_count_qualifier: str | None
    target_group: str | None
    items: list[ItemOut]
    value_amount: float | None
    value_currency: str | None
    value_usd: float | None
    value_qualifier: str | None
    status: str | None
    transfer_mode: str | None
    granularity: str | None
    date: str | None
    date_precision: str | None
    date_text: str | None
    attributed_to: str | None
    claim_cue: str | None
    factuality: str | None
    sentence: str | None
    trigger: str | None
    confidence: float | None
    extractor: str | None
    published: date | None
    outlet: str | None
    url: str | None
    title: str | None
    reviewed_by: str | None = Field(None, description="the person who confirmed this event (accepted, edited"
                                    " or added it); null: the machine's alone")
    reviewed_at: datetime | None = None
    review: Literal["accept", "edit", "add"] | None = Field(None, description="what that person did")


class EventPage(BaseModel):
    total: int = Field(description="rows matching the filters")
    page: int
    size: int = Field(description="rows per page after the server's cap")
    pages: int
    sort: str
    order: str
    rows: list[EventOut]


class EvidenceOut(BaseModel):
    """Where the event was read. Offsets are characters in the article text;
    ``highlight`` is the trigger's [start, end) within ``sentence`` (null if it cannot be placed)."""

    article_id: str
    sentence_index: int | None
    sentence_start: int | None
    sentence_end: int | None
    sentence: str | None
    trigger: str | None
    trigger_start: int | None
    trigger_end: int | None
    highlight: tuple[int, int] | None


class ArticleMeta(BaseModel):
    id: str
    url: str | None
    title: str | None
    outlet: str | None
    published: date | None
    lang: str | None
    licence: str | None
    source: str | None
    duplicate_of: str | None
    ingested_at: datetime | None


class EventDetail(EventOut):
    source_via: str | None
    target_via: str | None
    run_id: str | None
    evidence: EvidenceOut
    article: ArticleMeta


class ArticleOut(ArticleMeta):
    text: str
    content_hash: str
    run_id: str | None
    event_ids: list[str]


class ActorOut(BaseModel):
    code: str
    name: str | None = Field(description="from the gazetteer; null when it has no entry")
    as_source: int = Field(description="events this actor acts in")
    as_target: int = Field(description="events this actor receives or is addressed by")


class ActorList(BaseModel):
    names_from: str | None = Field(description="where names come from; null when no gazetteer is installed")
    rows: list[ActorOut]


class TimelinePoint(BaseModel):
    month: str = Field(description="YYYY-MM of the event date (events dated to a year only are left out)")
    type: str
    events: int


class Timeline(BaseModel):
    undated: int = Field(description="matching events without a month-precision date")
    rows: list[TimelinePoint]


class Stats(BaseModel):
    as_of: datetime | None = Field(description="when the newest article was ingested")
    articles: int
    events: int
    stories: int
    events_by_type: dict[str, int]
    first_event_date: str | None
    last_event_date: str | None
    schema_version: int
    confirmed_events: int = Field(0, description="events a person accepted, edited or added")
    rejected_events: int = Field(0, description="extracted events a person rejected (hidden)")
    stories_current: bool = Field(description="false when stories were built before the latest events")
    read_only: bool
    ingest_enabled: bool


class FlowRowOut(BaseModel):
    """Donor -> recipient total of one item class, status and unit (see aidtrace.flows)."""

    source: str
    target: str = Field(description='recipient code, or "package" for one figure shared by several recipients')
    item_class: str
    status: str
    unit: str | None
    quantity: float | None
    usd: float | None
    events: int = Field(description="reports behind the row")
    stories: int = Field(description="figures added: one per story or package")
    quantity_high: float | None
    usd_high: float | None
    recipients: list[str]
    confirmed: int = Field(0, description="of the stories added, those with an event a person confirmed")


class ExclusionOut(BaseModel):
    event_id: str
    reason: str
    story_id: str | None


class FlowsOut(BaseModel):
    total: int = Field(description="flow rows matching the filters")
    page: int
    size: int
    pages: int
    sort: str
    order: str
    rows: list[FlowRowOut]
    excluded_by_reason: dict[str, int] = Field(description="AID events left out of the totals, by reason")
    excluded_total: int
    excluded: list[ExclusionOut] = Field(description="the first exclusions (at most page_size_max)")
    stories_current: bool = Field(description="false when stories were built before the latest events")


class FlowPairOut(BaseModel):
    source: str
    target: str = Field(description="a recipient; a package's figure counts for each country it names")
    figures: int = Field(description="figures added to the totals for this pair: one per story and measure")


class FlowPairs(BaseModel):
    """Donor -> recipient pairs of the flow totals, for the map."""

    rows: list[FlowPairOut]
    stories_current: bool


class StoryOut(BaseModel):
    id: str
    story_line: str
    type: str
    mode: str | None
    source_code: str | None
    target_code: str | None
    target_count: int | None
    target_group: str | None
    status: str | None
    stage: str | None
    granularity: str | None
    factuality: str | None
    item_classes: list[str] | None
    date: str | None
    date_precision: str | None
    first_date: str | None
    last_date: str | None
    first_report: date | None
    last_report: date | None
    events: int | None
    reports: int | None
    sources: int | None
    outlets: int | None
    copies: int | None
    conflicting: bool
    display_text: str | None
    confirmed: int | None = Field(None, description="how many of its events a person confirmed")


class StoryPage(BaseModel):
    page: int
    size: int
    has_more: bool = Field(description="true when a next page exists")
    rows: list[StoryOut]


class StoryFigureOut(BaseModel):
    story_id: str
    event_id: str
    article_id: str
    outlet: str | None
    published: date | None
    claimant: str | None
    claimant_kind: str | None
    measure: str
    item_class: str | None
    quantity: float | None
    unit: str | None
    value_amount: float | None
    value_currency: str | None
    value_usd: float | None
    date: str | None
    date_precision: str | None
    status: str | None


class StoryDisplayOut(BaseModel):
    story_id: str
    measure: str
    item_class: str | None
    unit: str | None
    currency: str | None
    low: float | None
    high: float | None
    usd_low: float | None
    usd_high: float | None
    rule: str
    event_id: str | None
    conflicting: bool


class StoryLineOut(BaseModel):
    id: str
    status: str | None
    display_text: str | None
    first_date: str | None


class StoryCopyOut(BaseModel):
    id: str
    outlet: str | None
    url: str | None
    published: date | None
    duplicate_of: str | None


class StoryDetail(StoryOut):
    event_rows: list[EventOut]
    figures: list[StoryFigureOut]
    display: list[StoryDisplayOut]
    line: list[StoryLineOut]
    copies_of: list[StoryCopyOut]


class LedgerRowOut(BaseModel):
    origin: str
    status: str
    reason: str | None
    article_id: str | None
    duplicate_of: str | None


class IngestResult(BaseModel):
    run_id: str
    counts: dict[str, int] = Field(description="ledger statuses: stored, duplicate, skipped, rejected")
    ledger: list[LedgerRowOut] = Field(description="what happened to each line of the body")


class ErrorBody(BaseModel):
    status: int
    code: str = Field(description="stable machine-readable code, e.g. not_found, invalid_request")
    message: str
    detail: object | None = None


class ErrorResponse(BaseModel):
    """The one shape of every error this API returns."""

    error: ErrorBody
