"""Who says so, and how firmly: attribution and factuality of a trigger.

Attribution, in order: an "according to X" phrase in the sentence (it also carries over
the rest of its paragraph, as reported speech does); the subject of a speech verb that
governs the trigger ("X said it will send"); a quotation's speaker; and for a government's
own release, the issuing government (the outlet). Factuality: negated ("did not send"),
hypothetical ("would send", "wants to send", "if"), hedged ("reportedly"), else asserted.
"""
from __future__ import annotations

from dataclasses import dataclass

from spacy.tokens import Doc, Span, Token

from .aid import HYPOTHETICAL_AUX, HYPOTHETICAL_HEADS
from .arguments import ActorIndex
from ..nlp.mentions import ActorSpan

SPEECH_VERBS = {"say", "tell", "announce", "state", "declare", "report", "confirm", "add",
                "note", "claim", "insist", "stress", "emphasize", "emphasise", "write",
                "explain", "reveal", "disclose", "indicate", "warn", "accord"}
STATEMENT_NOUNS = {"statement", "message", "letter", "release", "communique", "remark",
                   "announcement", "tweet", "post"}
HEDGES = {"reportedly", "allegedly", "reported", "possibly", "apparently", "unconfirmed",
          "rumored", "rumoured", "purportedly"}


@dataclass(frozen=True)
class Attribution:
    actor: ActorSpan
    cue: str


def according_to(sent: Span, text: str, actors: ActorIndex) -> Attribution | None:
    """"According to the Chinese government, ..." anywhere in the sentence (``text``)."""
    if "according" not in text.lower():
        return None
    for tok in sent:
        if tok.lower_ == "according" and tok.i + 1 < sent.end and tok.nbor().lower_ == "to":
            for p in tok.nbor().children:
                if p.dep_ == "pobj":
                    hit = actors.of_phrase(p)
                    if hit is not None:
                        return Attribution(hit, "according to")
            for m in actors.in_span(tok.i + 2, min(sent.end, tok.i + 10)):
                return Attribution(m, "according to")
    return None


def speaker(sent: Span, actors: ActorIndex) -> Attribution | None:
    """The sentence's speaker: subject of a speech verb, or the agent of a statement."""
    for tok in sent:
        lemma = tok.lemma_.lower()
        if tok.pos_ in {"VERB", "AUX"} and lemma in SPEECH_VERBS and lemma != "accord":
            for c in tok.children:
                if c.dep_ in {"nsubj", "nsubjpass"}:
                    hit = actors.of_phrase(c)
                    if hit is not None:
                        return Attribution(hit, tok.text)
        if tok.pos_ == "NOUN" and lemma in STATEMENT_NOUNS:
            hit = _statement_author(tok, actors)
            if hit is not None:
                return Attribution(hit, tok.text)
    return None


def _statement_author(noun: Token, actors: ActorIndex) -> ActorSpan | None:
    for c in noun.children:
        if c.dep_ == "poss" and actors.of_phrase(c):
            return actors.of_phrase(c)
        if c.dep_ in {"acl", "relcl"}:  # "a statement released on April 9 by the Curia"
            for g in c.children:
                if g.dep_ == "agent":
                    for p in g.children:
                        if p.dep_ == "pobj" and actors.of_phrase(p):
                            return actors.of_phrase(p)
        if c.dep_ == "prep" and c.lower_ in {"by", "from"}:
            for p in c.children:
                if p.dep_ == "pobj" and actors.of_phrase(p):
                    return actors.of_phrase(p)
    if noun.dep_ in {"dobj"} and noun.head.pos_ == "VERB":  # "X issued a statement"
        for c in noun.head.children:
            if c.dep_ == "nsubj" and actors.of_phrase(c):
                return actors.of_phrase(c)
    return None


def governing_speaker(trigger: Token, actors: ActorIndex) -> Attribution | None:
    """"X said (that) it will send aid": the speech verb above the trigger."""
    node = trigger
    for _ in range(4):
        if node.head.i == node.i:
            return None
        if node.dep_ in {"ccomp", "parataxis", "xcomp", "conj"} and \
                node.head.lemma_.lower() in SPEECH_VERBS:
            for c in node.head.children:
                if c.dep_ == "nsubj" and actors.of_phrase(c):
                    return Attribution(actors.of_phrase(c), node.head.text)
        node = node.head
    return None


def reported_future(tok: Token) -> bool:
    """"X said it would send": "would" is the future of reported speech, not a condition."""
    node = tok
    for _ in range(3):
        if node.dep_ in {"ccomp", "parataxis"} and node.head.lemma_.lower() in SPEECH_VERBS | {
                "promise", "pledge", "confirm", "decide", "agree"}:
            return not any(c.lower_ in {"if", "unless"} for c in node.subtree)
        if node.head.i == node.i:
            return False
        node = node.head
    return False


def _infinitive_advcl(tok: Token) -> bool:
    """"working hard to provide relief": the parser hangs the infinitive on the verb as an
    adverbial clause, where "want to provide" would be its complement."""
    return tok.dep_ == "advcl" and any(c.dep_ == "aux" and c.lower_ == "to" for c in tok.children)


def factuality(trigger: Token) -> str:
    """negated / hypothetical / hedged / asserted, from the trigger and the verbs above it."""
    chain = [trigger]
    node = trigger
    while (node.dep_ in {"xcomp", "ccomp", "aux", "auxpass", "conj"} or _infinitive_advcl(node)) \
            and node.head.i != node.i and len(chain) < 4:
        node = node.head
        chain.append(node)
    for tok in chain:
        for c in tok.children:
            if c.dep_ == "neg":
                return "negated"
            if c.dep_ == "aux" and c.lower_ in HYPOTHETICAL_AUX and not (
                    c.lower_ == "would" and reported_future(tok)):
                return "hypothetical"
            if c.dep_ == "mark" and c.lower_ in {"if", "unless", "whether"}:
                return "hypothetical"
            if c.dep_ == "advmod" and c.lower_ in HEDGES:
                return "hedged"
    for tok in chain[1:]:
        if tok.lemma_.lower() in HYPOTHETICAL_HEADS:
            return "hypothetical"
    if trigger.dep_ in {"advcl"} and any(c.lower_ == "if" for c in trigger.children):
        return "hypothetical"
    return "asserted"


def quote_speakers(doc: Doc, actors: ActorIndex) -> dict[int, Attribution]:
    """Token index -> speaker, for every token inside a quotation.

    The speaker is named in the sentence that closes the quotation ("..., ” a statement
    by the Curia said") or, failing that, the one that opens it ("X said: “...”").
    """
    out: dict[int, Attribution] = {}
    start: int | None = None
    for tok in doc:
        text = tok.text
        opens = "“" in text or (text == '"' and start is None) or text in {"``"}
        closes = "”" in text or (text == '"' and start is not None) or text in {"''"}
        if start is None and opens and not closes:
            start = tok.i
        elif start is not None and closes:
            who = _speaker_outside(doc[tok.i].sent, actors, start, tok.i) or \
                _speaker_outside(doc[start].sent, actors, start, tok.i)
            if who is not None:
                for i in range(start, tok.i + 1):
                    out[i] = who
            start = None
    return out


def _speaker_outside(sent: Span, actors: ActorIndex, q_start: int, q_end: int) -> Attribution | None:
    who = speaker(sent, actors)
    if who is None:
        return None
    if q_start <= who.actor.start <= q_end:
        return None
    return who
