"""Reading the dependency tree where the parser is shaky or the rule is structural.

Small, pure functions over spaCy tokens: who the subject of a clause really is, which
verb governs a noun, whether a transfer sits under a request, which date expression to
trust. Each works around one documented pattern of news syntax.
"""
from __future__ import annotations

from bisect import bisect_right

from spacy.tokens import Doc, Span, Token

from ..nlp.mentions import ActorSpan
from .arguments import ActorIndex

WH_WORDS = {"which", "that", "who", "whom"}


REQUEST_LEMMAS = {"appeal", "ask", "request", "urge", "seek", "call", "demand", "need", "want",
                  "hope", "wish", "reject", "refuse", "decline", "block", "prevent"}


PURPOSE_VERBS = {"support", "help", "assist", "aid", "boost", "strengthen", "bolster", "fund"}


def sent_index(sent: Span) -> int:
    """Sentence number within its doc, cached on the doc (user_data)."""
    starts = sent.doc.user_data.get("aidtrace_sent_starts")
    if starts is None:
        starts = {s.start: i for i, s in enumerate(sent.doc.sents)}
        sent.doc.user_data["aidtrace_sent_starts"] = starts
    return starts[sent.start]


def paragraph_of(offset: int, starts: list[int]) -> int:
    index = 0
    for i, s in enumerate(starts):
        if s <= offset:
            index = i
    return index


def governing_verb(tok: Token) -> Token | None:
    node = tok
    for _ in range(6):
        if node.head.i == node.i:
            return node if node.pos_ in {"VERB", "AUX"} else None
        node = node.head
        if node.pos_ in {"VERB", "AUX"}:
            return node
    return None


def inherited_subject(tok: Token) -> Token | None:
    """Subject shared through "decided to send", "delivered ... and also sent"."""
    if any(c.dep_ == "auxpass" for c in tok.children):
        return None  # "Indonesia will receive X, 300,000 will be sent to Jamaica": no agent
    node = tok
    for _ in range(4):
        if node.dep_ not in {"xcomp", "conj", "advcl", "ccomp", "acomp"} or node.head.i == node.i:
            return None
        node = node.head
        for c in node.children:
            if c.dep_ in {"nsubj"}:
                return c
            if c.dep_ == "nsubjpass" and node.dep_ != "conj":
                return None
    return None


def stranded_subject(trig: Token, actors: ActorIndex) -> Token | None:
    """The parser sometimes makes the subject the root ("The State Department, which
    procured the aid, called on ..."): an actor heading the sentence before the verb."""
    if trig.dep_ not in {"ROOT", "conj"} or trig.tag_ == "VBN":
        return None
    sent = trig.sent
    for tok in sent[: trig.i - sent.start]:
        if tok.dep_ == "ROOT" and tok.pos_ in {"PROPN", "NOUN"} and actors.of_phrase(tok):
            return tok
    return None


def speech_subject(trig: Token) -> Token | None:
    node = trig
    for _ in range(3):
        if node.head.i == node.i:
            return None
        if node.dep_ in {"ccomp", "xcomp"}:
            subj = next((c for c in node.head.children if c.dep_ == "nsubj"), None)
            if subj is not None:
                return subj
        node = node.head
    return None


def under_request(trig: Token) -> bool:
    """A transfer asked for, refused or blocked is not a transfer."""
    node = trig
    for _ in range(4):
        if node.head.i == node.i:
            return False
        node = node.head
        if node.lemma_.lower() in REQUEST_LEMMAS:
            return True
    return False


def with_partner(trig: Token, actors: ActorIndex) -> ActorSpan | None:
    """The parser sometimes hangs "with X to express ..." off the infinitive; read the first
    actor after the trigger's "with" instead of trusting the tree."""
    sent = trig.sent
    for tok in sent[trig.i - sent.start + 1:]:
        if tok.lower_ == "with" and tok.i - trig.i <= 4:
            for nxt in sent[tok.i - sent.start + 1:min(tok.i - sent.start + 9, len(sent))]:
                if nxt.pos_ in {"VERB", "AUX"}:
                    return None
                m = actors.at(nxt)
                if m is not None and m.kind not in {"pronoun"}:
                    return m
            return None
    return None


def requesters(trig: Token, actors: ActorIndex) -> list[tuple[ActorSpan, str]]:
    """"aid in response to a request from the Government of Lebanon": the requester receives."""
    for tok in trig.subtree:
        if tok.lemma_.lower() in {"request", "appeal", "plea", "call"} and tok.pos_ == "NOUN":
            for c in tok.children:
                if c.dep_ == "prep" and c.lower_ in {"from", "by", "of"}:
                    for p in c.children:
                        if p.dep_ == "pobj" and actors.list_of(p):
                            return [(m, "requester") for m in actors.list_of(p)]
    return []


def purpose_targets(trig: Token, actors: ActorIndex) -> list[tuple[ActorSpan, str]]:
    """"provide $5 million to support Fiji's recovery": the actor the purpose clause serves."""
    for c in trig.children:
        if c.dep_ in {"advcl", "xcomp"} and c.lemma_.lower() in PURPOSE_VERBS:
            for obj in c.children:
                if obj.dep_ == "dobj":
                    found = actors.list_of(obj)
                    if found:
                        return [(m, "purpose") for m in found
                                if m.kind in {"state", "capital", "demonym"}]
    return []


def trim_date(ent: Span) -> Span:
    """"March 3.86 billion" -> "March": spaCy's DATE entities can run into a quantity."""
    for tok in ent[1:]:
        nxt = tok.nbor() if tok.i + 1 < len(tok.doc) else None
        if tok.like_num and ("." in tok.text or (nxt is not None and nxt.lower_ in {
                "million", "billion", "thousand", "trillion"})):
            return ent.doc[ent.start:tok.i]
    return ent


def dates_by_sentence(doc: Doc, sents: list[Span]) -> dict[int, list[Span]]:
    """The DATE entities of each sentence (keyed by its first token), read once per document:
    ``Span.ents`` walks every entity of the document on each call."""
    starts = [s.start for s in sents]
    out: dict[int, list[Span]] = {}
    for ent in doc.ents:
        if ent.label_ == "DATE":
            sent = sents[bisect_right(starts, ent.start) - 1]
            if ent.end <= sent.end:  # as Span.ents: none across a sentence boundary
                out.setdefault(sent.start, []).append(ent)
    return out


def deictic_days(sent: Span) -> list[Span]:
    """"Today", "yesterday": the small model does not always tag them as DATE."""
    out = []
    for tok in sent:
        if tok.lower_ in {"today", "yesterday", "tonight", "tomorrow"} and not tok.ent_type_:
            out.append(Span(sent.doc, tok.i, tok.i + 1, label="DATE"))
    return out
