"""The typed objects that flow between stages: Article -> Document -> Event.

Frozen dataclasses, so that a stage can never mutate what an earlier stage produced;
``to_dict`` gives the JSON shape of design §2, which is also what the reference scorer
reads (``aidtrace extract --format jsonl``).
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

EventType = Literal["AID", "TRADE", "AGREE", "CONSULT", "SUPPORT", "COOPERATE", "REQUEST",
                    "REJECT", "ACCUSE", "THREATEN", "SANCTION"]
EVENT_TYPES: tuple[str, ...] = ("AID", "TRADE", "AGREE", "CONSULT", "SUPPORT", "COOPERATE",
                                "REQUEST", "REJECT", "ACCUSE", "THREATEN", "SANCTION")
ITEM_CLASSES: tuple[str, ...] = ("masks", "ppe", "ventilators", "test_kits", "vaccines", "medicines",
                                 "medical_supplies", "food", "shelter", "water", "money",
                                 "personnel", "equipment", "other")
STATUSES: tuple[str, ...] = ("pledged", "shipped", "delivered", "unknown")
TRANSFER_MODES: tuple[str, ...] = ("donation", "sale", "loan", "unknown")
GRANULARITIES: tuple[str, ...] = ("single", "cumulative", "package")
FACTUALITIES: tuple[str, ...] = ("asserted", "hedged", "negated", "hypothetical")


@dataclass(frozen=True)
class Article:
    """One input text, as stored. ``id`` is stable: from the normalised URL, else the text."""

    id: str
    text: str
    url: str | None = None
    title: str | None = None
    published: date | None = None
    outlet: str | None = None
    lang: str | None = "en"
    licence: str | None = None
    source: str | None = None  # where it was read from (path, URL, feed, WARC record)


@dataclass(frozen=True)
class Actor:
    """A state or organisation that acts or receives; ``text`` is what the article said."""

    code: str
    sector: str | None = None
    text: str = ""
    via: str | None = None  # how it was found: "subject", "to", "context:sentence 3", ...


@dataclass(frozen=True)
class Mention:
    """A span of a sentence that names (or refers back to) an actor."""

    sentence: int
    start: int  # character offsets in the article text
    end: int
    text: str
    code: str
    kind: str  # state, org, person, demonym, capital, role, pronoun
    sector: str | None = None
    antecedent: int | None = None  # index of the mention a pronoun/role resolved to


@dataclass(frozen=True)
class Item:
    item: str
    item_class: str
    quantity: float | None = None
    unit: str | None = None
    qualifier: str | None = None  # about, at_least, up_to, exact


@dataclass(frozen=True)
class Value:
    amount: float
    currency: str
    usd: float | None = None
    qualifier: str | None = None
    text: str = ""


@dataclass(frozen=True)
class Claim:
    attributed_to: Actor | None = None
    cue: str | None = None
    factuality: str = "asserted"


@dataclass(frozen=True)
class Evidence:
    article: str
    sentence_index: int
    start: int
    end: int
    sentence: str
    trigger: str
    trigger_start: int
    trigger_end: int


@dataclass(frozen=True)
class Event:
    id: str
    article: str
    type: str
    mode: str | None
    cameo: str | None
    source: Actor | None
    target: Actor | None
    evidence: Evidence
    target_count: int | None = None
    target_count_qualifier: str | None = None
    target_group: str | None = None
    items: tuple[Item, ...] = ()
    value: Value | None = None
    status: str = "unknown"
    transfer_mode: str = "unknown"
    granularity: str = "single"
    date: str | None = None  # ISO prefix at its precision: "2020", "2020-03", "2020-03-24"
    date_precision: str | None = None
    date_text: str | None = None
    claim: Claim = field(default_factory=Claim)
    confidence: float = 0.5
    extractor: str = ""

    def to_dict(self) -> dict[str, Any]:
        d = dataclasses.asdict(self)
        d["attributed_to"] = self.claim.attributed_to.code if self.claim.attributed_to else None
        return d


@dataclass(frozen=True)
class Sentence:
    index: int
    start: int
    end: int
    text: str
    paragraph: int = 0


@dataclass(frozen=True)
class Document:
    """An article after NLP: its sentences, actor mentions and extracted events."""

    article: Article
    sentences: tuple[Sentence, ...] = ()
    mentions: tuple[Mention, ...] = ()
    events: tuple[Event, ...] = ()


LedgerStatus = Literal["stored", "duplicate", "skipped", "rejected"]


@dataclass(frozen=True)
class LedgerEntry:
    """What happened to one input item. Every input gets exactly one."""

    origin: str  # path, URL, "file.jsonl:12", "feed.xml#3", "crawl.warc.gz@offset"
    status: LedgerStatus
    reason: str | None = None
    article_id: str | None = None
    duplicate_of: str | None = None
