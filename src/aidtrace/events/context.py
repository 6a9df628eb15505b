"""The state of reading one article: a Frame per trigger, and the document Context that
fills what a sentence leaves open.

Context is consulted only when a sentence is silent, and every argument taken from it
says so in its ``via`` ("context: previous event", "context: headline"), so an analyst
can see which facts were read and which were inferred.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from spacy.tokens import Span, Token

from ..nlp.dates import ResolvedDate
from ..nlp.mentions import ActorSpan
from ..nlp.quantities import Money
from ..ontology.lexicon import Phrase, Trigger
from .arguments import ActorIndex, Unnamed
from .claims import Attribution
from .syntax import sent_index

@dataclass
class Frame:
    """Everything read about one trigger before it becomes one event per target."""

    trigger: Token
    spec: Trigger | Phrase
    sources: list[tuple[ActorSpan, str]] = field(default_factory=list)  # (mention, via)
    targets: list[tuple[ActorSpan, str]] = field(default_factory=list)
    group: Unnamed | None = None
    theme: list[Token] = field(default_factory=list)
    money: Money | None = None  # set when the frame is one figure of a list
    named_subject: bool = False  # the clause has a noun subject that is not an actor ("Donors")


@dataclass
class Context:
    """What earlier sentences established, consulted only when a sentence is silent."""

    published: date | None
    outlet: ActorSpan | None
    paragraph: int = -1
    attribution: Attribution | None = None
    # last recipient or location: (code, mention, sentence; -1 = title or heading, no expiry)
    place: tuple[str, ActorSpan, int] | None = None
    title_place: ActorSpan | None = None  # the headline's country: the last-resort recipient
    donor: ActorSpan | None = None  # last AID source in the paragraph
    last_date: ResolvedDate | None = None
    para_date: ResolvedDate | None = None
    recent: list[tuple[int, str, str | None]] = field(default_factory=list)  # (sent, src, tgt)
    pending_list: Frame | None = None  # a frame whose recipients follow after a colon
    quotes: dict[int, Attribution] = field(default_factory=dict)  # token -> quoted speaker
    heading: ActorSpan | None = None  # a country heading over the factbox lines below it
    list_intro: str = ""  # the sentence ending in ":" that introduced the current list
    last_aid: tuple[str, ResolvedDate | None] | None = None  # status and date of the last transfer
    subjects: list[tuple[int, ActorSpan]] = field(default_factory=list)  # (sentence, actor)
    dates: dict[int, list[Span]] = field(default_factory=dict)  # sentence start -> DATE entities

    def new_paragraph(self, index: int) -> None:
        self.paragraph = index
        self.attribution = None
        self.para_date = None


AID_OBJECTS = {"aid", "assistance", "help", "supply", "shipment", "offer", "donation", "team",
               "relief", "convoy", "delivery"}


CONTEXT_SENTENCES = 4  # how far back a recipient named earlier still counts


def context_source(ctx: Context, trig: Token) -> tuple[ActorSpan, str] | None:
    if ctx.attribution is not None and ctx.attribution.actor.kind in {"state", "org", "demonym",
                                                                      "capital", "role"}:
        return ctx.attribution.actor, "context: according to"
    if ctx.donor is not None:
        return ctx.donor, "context: last donor"
    if ctx.outlet is not None:
        return ctx.outlet, "context: issuing government"
    return None


def context_targets(fr: Frame, source: ActorSpan, ctx: Context, sent: Span,
                     actors: ActorIndex) -> list[tuple[ActorSpan, str]]:
    typ = fr.spec.type
    here = sent_index(sent)
    if typ in {"AID"}:
        for j in range(len(ctx.recent) - 1, -1, -1):
            s_i, src, tgt = ctx.recent[j]
            if s_i < here - CONTEXT_SENTENCES:
                break
            if src == source.code and tgt and tgt != source.code:
                mention = next((m for m in actors.mentions if m.code == tgt), None)
                if mention is not None:
                    return [(mention, "context: previous event")]
                break
        if ctx.place is not None and ctx.place[0] != source.code and (
                ctx.place[2] < 0 or ctx.place[2] >= here - CONTEXT_SENTENCES):
            if ctx.place[2] >= 0:  # still the place under discussion: keep it alive
                ctx.place = (ctx.place[0], ctx.place[1], here)
            return [(ctx.place[1], "context: last place")]
        if ctx.title_place is not None and ctx.title_place.code != source.code:
            return [(ctx.title_place, "context: headline")]
    if typ in {"REJECT", "REQUEST"} and ctx.donor is not None and ctx.donor.code != source.code \
            and (any(t.lemma_.lower() in AID_OBJECTS for t in fr.theme) or (
                typ == "REJECT" and not any(c.dep_ in {"dobj", "xcomp", "ccomp", "prep"}
                                            for c in fr.trigger.children))):
        # "Maduro rejected the aid"; "China offered ..., but Taiwan refused"
        return [(ctx.donor, "context: donor of the aid")]  # "Maduro rejected the aid"
    if typ in {"ACCUSE", "SUPPORT"} and fr.trigger.pos_ == "NOUN":
        # "X expressed concern: ..." is about the actor the previous sentences spoke of
        for s_i, m in reversed(ctx.subjects):
            if s_i < sent_index(sent) - 2:
                break
            if m.code != source.code and m.kind in {"state", "capital", "org"}:
                return [(m, "context: previous subject")]
    if typ == "SUPPORT" and getattr(fr.spec, "mode", None) == "thank":
        for j in range(len(ctx.recent) - 1, -1, -1):
            s_i, src, tgt = ctx.recent[j]
            if tgt == source.code and src:
                mention = next((m for m in actors.mentions if m.code == src), None)
                if mention is not None:
                    return [(mention, "context: thanked donor")]
    return []


def remember_places(sent: Span, actors: ActorIndex, ctx: Context) -> None:
    for m in actors.in_span(sent.start, sent.end):
        head = sent.doc[m.end - 1]
        if head.dep_ in {"nsubj", "nsubjpass"} or any(
                t.dep_ in {"nsubj"} for t in sent.doc[m.start:m.end]):
            ctx.subjects.append((sent_index(sent), m))
        if m.kind in {"state", "capital"} and head.dep_ == "pobj" and \
                head.head.lower_ in {"in", "to", "into", "for"}:
            ctx.place = (m.code, m, sent_index(sent))
