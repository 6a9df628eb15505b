"""Who acts and who receives: reading actors off the dependency parse around a trigger.

An argument is a noun phrase; its actor is the mention on its head, else on a modifier
("Chinese aid", "China's ministry"), else inside an "of" phrase ("the Government of
Japan"), else an apposition ("the Roman Curia (Vatican)"). Lists ("Italy, Spain and
Croatia") expand through conjunction and apposition into one actor each.
"""
from __future__ import annotations

from dataclasses import dataclass

from spacy.tokens import Doc, Token

from ..nlp.mentions import ActorSpan
from ..nlp.quantities import parse_number

GROUP_NOUNS = {"country", "nation", "state", "government", "organization", "organisation",
               "recipient", "partner", "member", "economy", "territory", "region", "donor"}
REGION_WORDS = {"africa", "asia", "europe", "latin america", "the pacific", "pacific",
                "middle east", "the middle east", "caribbean", "sahel", "balkans",
                "south asia", "southeast asia", "east africa", "west africa", "central asia",
                "the sahel", "the caribbean", "the balkans", "horn of africa", "the region"}
COUNT_QUALIFIERS = {"more than": "at_least", "over": "at_least", "at least": "at_least",
                    "nearly": "about", "about": "about", "approximately": "about",
                    "around": "about", "some": "about", "almost": "about", "roughly": "about",
                    "up to": "at_least"}


@dataclass(frozen=True)
class Unnamed:
    """Recipients the text counts or groups but does not name ("130 countries", "Africa")."""

    count: int | None
    qualifier: str | None
    group: str | None


class ActorIndex:
    """Token -> mention lookups for one parsed article."""

    def __init__(self, doc: Doc, mentions: list[ActorSpan]) -> None:
        self.doc = doc
        self.mentions = mentions
        self.by_token: dict[int, ActorSpan] = {}
        for m in mentions:
            for i in range(m.start, m.end):
                self.by_token[i] = m

    def at(self, tok: Token) -> ActorSpan | None:
        return self.by_token.get(tok.i)

    def of_phrase(self, head: Token, depth: int = 0) -> ActorSpan | None:
        """The actor a noun phrase headed by ``head`` stands for, or None."""
        hit = self.at(head)
        if hit is not None:
            return hit
        if depth > 3:
            return None
        kids = list(head.children)
        for c in kids:  # "China's ministry", "Chinese aid", "the U.S. military"
            if c.dep_ in {"poss", "compound", "amod", "nmod", "npadvmod"} and self.at(c):
                return self.at(c)
        for c in kids:  # "Malawi's President Lazarus Chakwera": an unknown name under a title
            if c.dep_ == "compound" and c.pos_ in {"PROPN", "NOUN"}:
                for g in c.children:
                    if g.dep_ in {"poss", "amod", "compound"} and self.at(g):
                        return self.at(g)
        for c in kids:  # "the Government of Japan", "the Foreign Ministry of China"
            if c.dep_ == "prep" and c.lower_ == "of":
                for p in c.children:
                    if p.dep_ == "pobj":
                        hit = self.of_phrase(p, depth + 1)
                        if hit is not None:
                            return hit
        for c in kids:  # "the Roman Curia (Vatican)", "Luigi Di Mayo, Italian Foreign Minister"
            if c.dep_ == "appos" and _close_apposition(head, c):
                hit = self.of_phrase(c, depth + 1)
                if hit is not None:
                    return hit
        return None

    def list_of(self, head: Token) -> list[ActorSpan]:
        """Every actor of a coordinated or appositive list headed by ``head``."""
        out: list[ActorSpan] = []
        seen: set[int] = set()
        stack = [head]
        while stack:
            tok = stack.pop(0)
            if tok.i in seen:
                continue
            seen.add(tok.i)
            hit = self.of_phrase(tok)
            if hit is not None and all(hit.code != o.code for o in out):
                out.append(hit)
            for c in tok.children:
                if (c.dep_ == "conj" or (c.dep_ == "appos" and _close_apposition(tok, c))) \
                        and c.i not in seen:
                    stack.append(c)
                elif c.dep_ in {"compound", "amod", "nmod"} and self.at(c) is not None:
                    stack.extend(g for g in c.children if g.dep_ == "conj")  # "U.S. and Pakistani forces"
                elif c.dep_ == "prep" and c.lower_ == "including" and hit is None:
                    stack.extend(g for g in c.children if g.dep_ == "pobj")  # "leaders, including Zuma"
        return out

    def in_span(self, start: int, end: int) -> list[ActorSpan]:
        return [m for m in self.mentions if start <= m.start and m.end <= end]


def _close_apposition(head: Token, appos: Token) -> bool:
    """An apposition next to its head or in brackets; the parser also hangs far-away
    phrases on a noun as "appos", and those are not the same entity."""
    return appos.i - head.i <= 4 or head.doc[appos.left_edge.i - 1].text == "("


PEOPLE_NOUNS = {"people", "person", "victim", "population", "refugee", "family", "child",
                "survivor", "community", "million", "thousand", "civilian", "resident", "those",
                "citizen", "household", "nation", "country", "party", "side", "authority",
                "faction", "group"}


def beneficiary_places(head: Token, actors: ActorIndex) -> list[ActorSpan]:
    """"the millions of people affected by hunger in Yemen, Somalia and Sudan" -> the states.

    Aid is often addressed to people, not governments; the places those people are in are
    the recipients the gold (and an analyst) would code.
    """
    if head.lemma_.lower() not in PEOPLE_NOUNS:
        return []
    out: list[ActorSpan] = []
    around = list(head.subtree)
    if head.dep_ == "dobj":  # "to feed refugees in Uganda": the place hangs on the verb
        around += [c for c in head.head.children if c.dep_ == "prep" and c.i > head.i]
    for tok in around:
        fled = tok.lower_ == "to" and tok.head.lemma_.lower() in {"flee", "escape", "return", "move"}
        if tok.dep_ == "prep" and (tok.lower_ in {"in", "including", "of", "across"} or fled) \
                and tok.i > head.i:  # "... refugees who have fled to Bangladesh"
            for p in tok.children:
                if p.dep_ == "pobj":
                    for m in actors.list_of(p):
                        if m.kind in {"state", "capital"} and all(m.code != o.code for o in out):
                            out.append(m)
    return out


def unnamed(head: Token) -> Unnamed | None:
    """"more than 130 countries" -> count 130 at_least; "Africa" -> group."""
    low = head.lower_
    text = " ".join(t.lower_ for t in head.subtree)
    if head.lemma_.lower() in GROUP_NOUNS and head.tag_ in {"NNS", "NNPS"}:
        count = None
        qualifier = None
        for c in head.children:
            if c.dep_ == "nummod" and c.like_num:
                number = parse_number(c.text)
                count = int(number) if number is not None else None
                mods = " ".join(t.lower_ for t in c.children if t.dep_ in {"advmod", "quantmod", "amod"}
                                or t.i < c.i)
                prefix = head.doc[max(head.left_edge.i, c.i - 2):c.i].text.lower()
                for phrase, q in COUNT_QUALIFIERS.items():
                    if phrase in mods or prefix.endswith(phrase):
                        qualifier = q
                        break
                qualifier = qualifier or "exact"
        if count is not None:
            return Unnamed(count, qualifier, text)
        return Unnamed(None, None, text)
    if low in REGION_WORDS or text in REGION_WORDS:
        return Unnamed(None, None, head.text)
    if head.ent_type_ == "LOC":
        return Unnamed(None, None, head.text)
    return None
