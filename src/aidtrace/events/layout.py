"""Text layout that carries meaning: factbox lines, country headings, bullet lists and
enumerations whose parse the statistical parser breaks.

"UNITED STATES: $20 million" names a donor; "INSIDE SYRIA: $516 million" a place;
"1. Myanmar" heads the agency lines under it; "Niger (496,800), Guinea (496,800)" is one
list of recipients.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace

from spacy.tokens import Span, Token

from ..models import Item
from ..nlp.mentions import ActorSpan
from ..nlp.quantities import Money, Quantity
from ..ontology.lexicon import Lexicon
from .arguments import ActorIndex

@dataclass(frozen=True)
class Label:
    """A factbox line's head: "UNITED STATES: $20 million" names a donor, "INSIDE SYRIA:
    $516 million" a place, "WFP: Food [USD 1 million]" under a country heading a channel."""

    actor: ActorSpan
    role: str  # donor, place


PLACE_WORDS = {"inside", "in", "to", "for", "within"}


RECIPIENT_LIST = re.compile(r"breakdown|by country|as follows|recipient|allocat|beneficiar")


DONOR_LIST = re.compile(r"donor|pledges|contribut|sponsor|offers")


def label_actor(sent: Span, text: str, actors: ActorIndex) -> Label | None:
    """The actor a factbox line ("Donor: Japan", "Japan: $2m") is about; ``text`` is the
    sentence's."""
    colon = text.find(":")
    if colon <= 0 or colon > 60:
        return None
    head = [m for m in actors.in_span(sent.start, sent.end)
            if sent.doc[m.end - 1].idx + len(sent.doc[m.end - 1].text) - sent.start_char <= colon]
    if not head:
        return None
    prefix = re.sub(r"^[\W\d]+", "", text[:colon]).strip()
    m = head[0]
    if len(prefix) - len(m.text) > 12 or m.kind not in {"state", "org", "group"}:
        return None
    extra = prefix.lower().replace(m.text.lower(), " ").split()
    if extra and all(w in PLACE_WORDS for w in extra):
        return Label(m, "place")
    return Label(m, "donor") if not extra else None


def heading_place(sent: Span, text: str, actors: ActorIndex) -> ActorSpan | None:
    """A line that is only a country name ("1. Myanmar") heads what follows."""
    found = actors.in_span(sent.start, sent.end)
    if len(found) != 1 or found[0].kind != "state" or ":" in text:
        return None
    words = [t for t in sent if not t.is_punct and not t.like_num and not t.is_space]
    return found[0] if len(words) <= found[0].end - found[0].start else None


def first_aid_token(sent: Span, moneys: list[Money], lex: Lexicon) -> Token | None:
    colon = sent.text.find(":")
    for tok in sent:
        if tok.idx - sent.start_char <= colon:
            continue
        if moneys or tok.lemma_.lower() in lex.items:
            return tok
    return None


_LIST_MARK = re.compile(r"\s*(?:[•·▪●◦‣\-–*]|\d{1,2}[.)])\s*")


def is_list_line(text: str, offset: int) -> bool:
    """Does the sentence at ``offset`` start a bullet or numbered line?"""
    line_start = text.rfind("\n", 0, offset) + 1
    prefix = text[line_start:offset]
    return bool(prefix) and _LIST_MARK.fullmatch(prefix) is not None


LIST_GLUE = {",", "and", "(", ")", "the", "as", "well", "&", ";"}


def enumeration(last: ActorSpan, actors: ActorIndex) -> list[ActorSpan]:
    """States that continue a list the parser broke: "Niger (496,800), Guinea (496,800), ..."."""
    doc = actors.doc
    out: list[ActorSpan] = []
    i = last.end
    sent_end = doc[last.start].sent.end
    while i < sent_end:
        tok = doc[i]
        if tok.lower_ in LIST_GLUE or tok.like_num or tok.is_space:
            i += 1
            continue
        m = actors.at(tok)
        if m is None or m.kind not in {"state"} or m.start != i:
            break
        out.append(m)
        i = m.end
    return out


def per_target_quantity(target: ActorSpan, sent: Span, quantities: list[Quantity],
                         items: list[Item]) -> tuple[Item, ...] | None:
    """"Niger (496,800), Guinea (496,800)": a number in brackets after a recipient."""
    doc = sent.doc
    end_tok = doc[target.end - 1]
    # tokens, not doc.text: Doc.text rebuilds the whole article string on every access
    after = doc[end_tok.i + 1:min(len(doc), end_tok.i + 6)].text
    if end_tok.whitespace_:
        after = " " + after
    m = re.match(r"\s*\((\d[\d,\.]*)\)", after)
    if not m or not items:
        return None
    value = float(m.group(1).replace(",", ""))
    first = items[0]
    unit = "doses" if first.item_class == "vaccines" else first.unit
    return (replace(first, quantity=value, unit=unit),) + tuple(items[1:])


LOCAL_DOLLARS = {"CAN": "CAD", "AUS": "AUD", "NZL": "NZD", "SGP": "SGD", "HKG": "HKD",
                 "TWN": "TWD", "JAM": "JMD", "FJI": "FJD"}


def local_dollars(money: Money, issuer: str) -> Money:
    """A bare "$" in a Canadian or Australian government release is its own dollar."""
    local = LOCAL_DOLLARS.get(issuer)
    if local and money.currency == "USD" and money.text.lstrip().startswith("$"):
        return replace(money, currency=local)
    return money
