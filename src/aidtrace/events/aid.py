"""What was given and how: items, quantities, money, status, transfer mode, granularity.

Read from the tokens of the trigger's clause (its objects and their modifiers), with the
numbers found by ``nlp.quantities`` mapped onto them by character offset.
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date

from spacy.tokens import Span, Token

from ..models import Item, Value
from ..nlp.quantities import Money, Quantity, find_numbers, to_usd
from ..ontology.lexicon import Lexicon

FUTURE_HEADS = {"plan", "intend", "expect", "set", "decide", "aim", "prepare", "agree",
                "pledge", "promise", "commit", "begin", "start", "continue", "due", "going",
                "will", "schedule", "vow", "propose", "offer", "allow", "let", "resume",
                "announce"}
HYPOTHETICAL_HEADS = {"want", "hope", "wish", "consider", "seek", "try", "need", "ask", "work", "strive",
                      "urge", "appeal", "request", "call", "demand", "refuse", "fail",
                      "reject", "decline", "block", "stop", "prevent"}
HYPOTHETICAL_AUX = {"would", "could", "might", "may", "should", "can"}
CUMULATIVE_CUES = {"so far", "to date", "since", "in total", "total", "altogether",
                   "cumulative", "brings", "bringing", "overall", "as of", "by now"}


EMBEDDED_CLAUSES = {"ccomp", "advcl", "relcl", "parataxis"}


def clause_tokens(trigger: Token) -> list[Token]:
    """The trigger's own clause: its subtree minus embedded clauses of other verbs."""
    out: list[Token] = []

    def walk(node: Token) -> None:  # in Token.subtree's order, not stepping into other clauses
        for child in node.lefts:
            if _inside(child):
                walk(child)
        out.append(node)
        for child in node.rights:
            if _inside(child):
                walk(child)

    walk(trigger)
    return out


def _inside(child: Token) -> bool:
    return not (child.dep_ in EMBEDDED_CLAUSES or (child.dep_ == "conj" and child.pos_ in {"VERB", "AUX"}))


class AidReader:
    def __init__(self, lexicon: Lexicon) -> None:
        self.lex = lexicon

    def items(self, tokens: Iterable[Token], skip: set[int], quantities: list[Quantity],
              sent: Span) -> list[Item]:
        """Aid items among ``tokens`` (nouns not part of an actor mention)."""
        found: list[Item] = []
        used: set[int] = set()
        for tok in tokens:
            if tok.i in skip or tok.pos_ not in {"NOUN", "PROPN"} or tok.i in used:
                continue
            words = [t.lower_ if t.pos_ == "PROPN" else t.lemma_.lower()
                     for t in tok.lefts if t.dep_ in {"compound", "amod"} and t.i >= tok.i - 3]
            hit = None
            for form in noun_forms(tok):  # the lemmatizer is not always right: "doses" -> "dos"
                hit = self.lex.item_class(words + [form])
                if hit is not None:
                    break
            if hit is None:
                continue
            cls, _ = hit
            if cls == "money" and tok.lemma_.lower() in {"dollar", "euro", "pound", "yen"}:
                continue  # a currency word is the money amount itself, read by find_money
            used.add(tok.i)
            qty = self._quantity_for(tok, quantities, sent)
            mods = [t.text for t in tok.lefts if t.dep_ in {"compound", "amod"} and t.i >= tok.i - 3]
            found.append(Item(item=" ".join(mods + [tok.text]), item_class=cls,
                              quantity=qty.value if qty else None,
                              unit=_unit(qty, cls) if qty else None,
                              qualifier=qty.qualifier if qty else None))
        return found

    @staticmethod
    def _quantity_for(tok: Token, quantities: list[Quantity], sent: Span) -> Quantity | None:
        start = tok.idx - sent.start_char
        end = start + len(tok.text)
        for q in quantities:
            if q.start <= start and end <= q.end:
                return q
        for q in quantities:  # "30 tons of masks": the quantity ends just before "of masks"
            gap = sent.text[q.end:start]
            if 0 <= start - q.end <= 4 and gap.strip() in {"of", ""}:
                return q
        return None

    def money_in(self, tokens: list[Token], moneys: list[Money], sent: Span) -> Money | None:
        if not tokens:
            return None
        lo = min(t.idx for t in tokens) - sent.start_char
        hi = max(t.idx + len(t.text) for t in tokens) - sent.start_char
        inside = [m for m in moneys if lo <= m.start and m.end <= hi]
        return inside[0] if inside else None

    @staticmethod
    def value(money: Money | None, on: date | None) -> Value | None:
        if money is None:
            return None
        return Value(amount=money.amount, currency=money.currency,
                     usd=to_usd(money.amount, money.currency, on),
                     qualifier=money.qualifier, text=money.text)

    def transfer_mode(self, tokens: Iterable[Token], trigger_type: str) -> str:
        if trigger_type == "TRADE":
            return "sale"
        for tok in tokens:
            mode = self.lex.transfer_modes.get(tok.lemma_.lower())
            if mode:
                return mode
        return "unknown"

    @staticmethod
    def granularity(sent: Span, n_targets: int, count: int | None) -> str:
        text = sent.text.lower()
        if any(cue in text for cue in CUMULATIVE_CUES) or (count and count > 1):
            return "cumulative" if any(cue in text for cue in CUMULATIVE_CUES) else "package"
        if n_targets > 1:
            return "package"
        return "single"


def _unit(qty: Quantity, item_class: str) -> str | None:
    """The quantity's unit, or, for goods counted by a noun no unit is listed for ("600
    parachutes", "50 air-defence systems", "2.5 million shots"), the design's unit for a
    count of such goods: doses for vaccines, pieces for everything else counted one by one."""
    if qty.unit is not None or qty.value is None:
        return qty.unit
    return "doses" if item_class == "vaccines" else "pieces"


def noun_forms(tok: Token) -> list[str]:
    """Lemma first, then the word and naive singulars of it."""
    low = tok.lower_
    forms = [tok.lemma_.lower(), low]
    if low.endswith("es"):
        forms.append(low[:-1])
        forms.append(low[:-2])
    if low.endswith("s"):
        forms.append(low[:-1])
    return list(dict.fromkeys(forms))


# Cheap pre-check: most sentences hold no number at all, and the readers re-tokenise.
_NUMERIC = re.compile(r"\d|[$€£¥]|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|"
                      r"twelve|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred|"
                      r"thousand|million|billion|dozen|a|an|single)\b", re.I)


def numbers(text: str) -> tuple[list[Money], list[Quantity]]:
    """The amounts and quantities of a sentence's text."""
    if not _NUMERIC.search(text):
        return [], []
    return find_numbers(text)
