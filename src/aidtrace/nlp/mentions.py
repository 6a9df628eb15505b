"""Actor mentions: every span of a parsed article that names or refers back to an actor.

Three sources, in order of trust: the gazetteer's names (a PhraseMatcher over countries,
demonyms, capitals, organisations and officials), spaCy's entities looked up in the
gazetteer (fuzzy for people: "Luigi Di Mayo"), and rule-based reference for pronouns and
role nouns ("he", "the minister", "the ministry"), which point at an earlier mention and
record which one. No coreference model: the rules are few and explainable.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from ..ontology.actors import ActorEntry, Gazetteer

# Role nouns that stand for their state ("the ministry said") and the sector they carry.
ROLE_SECTORS: dict[str, str] = {
    "government": "GOV", "ministry": "GOV", "minister": "GOV", "president": "GOV",
    "premier": "GOV", "leader": "GOV", "embassy": "GOV", "ambassador": "GOV",
    "spokesman": "GOV", "spokeswoman": "GOV", "spokesperson": "GOV", "secretary": "GOV",
    "king": "GOV", "chancellor": "GOV", "administration": "GOV", "authority": "GOV",
    "official": "GOV", "department": "GOV", "cabinet": "GOV", "parliament": "GOV",
    "military": "MIL", "army": "MIL", "navy": "MIL", "force": "MIL", "troop": "MIL",
    "marine": "MIL", "soldier": "MIL",
    "doctor": "MED", "team": "MED", "hospital": "MED",
    "company": "BUS", "firm": "BUS", "media": "MEDIA", "journalist": "MEDIA",
    "newspaper": "MEDIA", "people": "GOV", "country": "GOV", "nation": "GOV", "state": "GOV",
}
PERSON_ROLES = {"minister", "president", "premier", "leader", "ambassador", "spokesman",
                "spokeswoman", "spokesperson", "secretary", "king", "chancellor", "official",
                "commissioner", "counsellor", "envoy", "administrator", "director", "chief"}
# bare nouns that refer back to a named actor: "the minister", "the ministry"
REFERRING_NOUNS = frozenset(PERSON_ROLES | {"ministry", "government", "embassy", "administration"})
CURRENCY_WORDS = {"franc", "francs", "dollar", "dollars", "pound", "pounds", "rupee", "rupees",
                  "yen", "yuan", "peso", "pesos", "krona", "kronor", "krone", "kroner", "euro",
                  "euros", "won", "rand", "ringgit", "baht", "lira", "real", "rouble", "ruble"}
PERSON_PRONOUNS = {"he", "she", "him", "her", "his"}
GROUP_PRONOUNS = {"it", "its", "they", "their", "them", "we", "our", "us", "i", "me", "my"}
NON_ACTOR_NORP = {"MEDIA"}
# Places whose names hold an actor's name but are not that actor: a match inside one of
# them is not a mention ("Latin America" is not the United States, "Lake Chad" not Chad).
NON_ACTOR_PLACES = ("Latin America", "Central America", "South America", "North America",
                    "the Americas", "Gulf of Guinea", "Lake Chad", "Congo Basin", "Congo River",
                    "Korean Peninsula", "Sea of Japan", "Gulf of Mexico", "New Mexico",
                    "New Jersey", "Jordan River")
CASED_FORMS = {"abbrev", "demonym", "surname"}


@dataclass(frozen=True)
class ActorSpan:
    """A mention over token positions (the Mention model has char offsets for storage)."""

    start: int  # token index
    end: int
    code: str
    kind: str  # state, org, group, person, demonym, capital, role, pronoun
    sector: str | None
    text: str
    antecedent: int | None = None  # index into the mention list


class MentionFinder:
    """Finds ActorSpans in a parsed Doc. Build once per process (the matcher is costly)."""

    def __init__(self, nlp: Language, gazetteer: Gazetteer) -> None:
        self.gaz = gazetteer
        # Abbreviations, demonyms and surnames match case-sensitively ("US" but not "us",
        # "WHO" but not "who", "Bush" but not "bush"); every other form ignores case.
        self.matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
        self.exact_matcher = PhraseMatcher(nlp.vocab, attr="ORTH")
        self.entries: dict[str, tuple[ActorEntry, str]] = {}
        self.exact: dict[str, tuple[ActorEntry, str]] = {}
        for alias, entry, form in gazetteer.aliases():
            table, key = (self.exact, alias) if form in CASED_FORMS else (self.entries, alias.lower())
            if key in table and self._rank(table[key][1]) <= self._rank(form):
                continue
            table[key] = (entry, form)
        self.matcher.add("ACTOR", [nlp.make_doc(k) for k in self.entries])
        self.exact_matcher.add("ACTOR", [nlp.make_doc(k) for k in self.exact])
        self.places = PhraseMatcher(nlp.vocab, attr="LOWER")
        self.places.add("PLACE", [nlp.make_doc(k.lower()) for k in NON_ACTOR_PLACES])

    def lookup_surface(self, text: str) -> tuple[ActorEntry, str] | None:
        """The gazetteer entry for an exact surface form, honouring case rules."""
        cands = [h for h in (self.exact.get(text), self.entries.get(text.lower())) if h]
        return min(cands, key=lambda h: self._rank(h[1])) if cands else None

    def match(self, doc: Doc, places: list[tuple[int, int]] | None = None) -> list[Span]:
        """The gazetteer's names in ``doc``, but none inside a place named after an actor
        (``places``: ``places_in(doc)``, when the caller has them already)."""
        if places is None:
            places = self.places_in(doc)
        return [doc[a:b] for m in (self.matcher, self.exact_matcher) for _, a, b in m(doc)
                if not any(pa <= a and b <= pb for pa, pb in places)]

    def places_in(self, doc: Doc) -> list[tuple[int, int]]:
        return [(a, b) for _, a, b in self.places(doc)]

    @staticmethod
    def _rank(form: str) -> int:
        """Prefer full names over demonyms, capitals and surnames when an alias collides."""
        return {"name": 0, "alias": 1, "abbrev": 2, "person": 2, "demonym": 3,
                "capital": 4, "surname": 5}.get(form, 6)

    def find(self, doc: Doc, published: date | None = None) -> list[ActorSpan]:
        places = self.places_in(doc)
        spans: list[Span] = self.match(doc, places)
        for ent in doc.ents:
            if ent.label_ in {"GPE", "NORP", "ORG", "PERSON", "LOC", "FAC"}:
                spans.append(ent)
        # Resolve every candidate first, then keep the longest that resolved: an entity
        # the gazetteer does not know ("the Foreign Ministry of China") gives way to the
        # names inside it ("China") instead of hiding them.
        resolved: dict[tuple[int, int], ActorSpan] = {}
        for span in spans:
            if (span.start, span.end) not in resolved:
                actor = self._resolve(span, published)
                if actor is not None:
                    resolved[(span.start, span.end)] = actor
        # an entity inside a place ("America" in "Latin America") gives way: longest wins
        kept = filter_spans([doc[a:b] for a, b in [*resolved, *places]])
        found = [resolved[(sp.start, sp.end)] for sp in kept if (sp.start, sp.end) in resolved
                 and not (sp.end < len(doc) and doc[sp.end].lower_ in CURRENCY_WORDS)]  # "Swiss francs"
        found.extend(self._references(doc, found))
        found.sort(key=lambda a: a.start)
        return self._link(found, doc)

    def _resolve(self, span: Span, published: date | None) -> ActorSpan | None:
        text = span.text.strip()
        words = text
        if span[0].lower_ in {"the", "a", "an"}:
            words = span[1:].text
        hit = self.lookup_surface(words)
        if hit is not None:
            entry, form = hit
            kind = {"demonym": "demonym", "capital": "capital"}.get(form, entry.kind)
            if entry.kind == "person" and published and not _in_office(entry, published):
                better = self.gaz.lookup(words, on=published, fuzzy=False)
                entry = better or entry
            return ActorSpan(span.start, span.end, entry.code, kind, entry.sector, text)
        if span.label_ in {"LOC", "FAC"}:
            return None
        fuzzy = span.label_ in {"PERSON", "ORG"}
        entry = self.gaz.lookup(words, on=published, fuzzy=fuzzy)
        if entry is None:
            return None
        if span.label_ == "NORP" and entry.sector in NON_ACTOR_NORP:
            return None
        return ActorSpan(span.start, span.end, entry.code, entry.kind, entry.sector, text)

    def _references(self, doc: Doc, named: list[ActorSpan]) -> list[ActorSpan]:
        """Pronouns and bare role nouns, as placeholders resolved later by ``_link``."""
        taken = {i for a in named for i in range(a.start, a.end)}
        refs = []
        for tok in doc:
            if tok.i in taken:
                continue
            low = tok.lower_
            if tok.pos_ == "PRON" and (low in PERSON_PRONOUNS or low in GROUP_PRONOUNS):
                refs.append(ActorSpan(tok.i, tok.i + 1, "", "pronoun", None, tok.text))
            elif tok.pos_ in {"NOUN", "PROPN"} and tok.tag_ in {"NN", "NNP"} and \
                    tok.lemma_.lower() in REFERRING_NOUNS and tok.head.i not in taken and \
                    any(c.dep_ in {"det", "poss"} for c in tok.children):
                # only bare roles: "the minister", not "Italian minister" (handled by demonym)
                # nor "the Government of Lebanon" (its "of" phrase names the actor)
                if not any(c.i in taken for c in tok.children) and not any(
                        c.dep_ == "prep" and c.lower_ == "of" and any(g.i in taken for g in c.subtree)
                        for c in tok.children):
                    refs.append(ActorSpan(tok.i, tok.i + 1, "", "role",
                                          ROLE_SECTORS.get(tok.lemma_.lower()), tok.text))
        return refs

    def _link(self, spans: list[ActorSpan], doc: Doc) -> list[ActorSpan]:
        """Resolve each pronoun/role to an earlier compatible named mention.

        "it"/"they" prefer the subject of the same or the previous sentence (a centering
        heuristic: the subject is what the text is about), then the nearest mention.
        """
        out: list[ActorSpan] = []
        for span in spans:
            if span.code:
                out.append(span)
                continue
            want_person = span.text.lower() in PERSON_PRONOUNS or (
                span.kind == "role" and span.text.lower().rstrip("s") in PERSON_ROLES)
            target = None
            if span.kind == "role" and want_person:
                target = _titled_person(out, doc, doc[span.start].lemma_.lower())
            for j in range(len(out) - 1, max(-1, len(out) - 40), -1):
                if target is not None:
                    break
                cand = out[j]
                if not cand.code or cand.kind == "pronoun":
                    continue
                if want_person and cand.kind in {"person", "role"}:
                    target = j
                    break
                if not want_person and cand.kind in {"state", "org", "capital"}:
                    target = j
                    break
            if not want_person and span.text.lower() in {"it", "its", "they", "their", "them"}:
                subject = _recent_subject(out, doc, span)
                target = subject if subject is not None else target
            if target is None and want_person:
                target = next((j for j in range(len(out) - 1, -1, -1)
                               if out[j].kind in {"state", "org"}), None)
            if target is not None:
                ref = out[target]
                out.append(ActorSpan(span.start, span.end, ref.code, span.kind,
                                     span.sector or ref.sector, span.text, antecedent=target))
        return out


def _titled_person(out: list[ActorSpan], doc: Doc, title: str) -> int | None:
    """"the Secretary" is the person earlier called "Secretary Blinken" (or "Secretary of
    State Blinken"), not merely the last person named."""
    for j in range(len(out) - 1, -1, -1):
        cand = out[j]
        if cand.kind != "person" or not cand.code:
            continue
        before = doc[max(0, cand.start - 5):cand.start]
        if any(t.lemma_.lower() == title for t in before):
            return j
    return None


def _recent_subject(out: list[ActorSpan], doc: Doc, span: ActorSpan) -> int | None:
    sent = doc[span.start].sent
    prev_start = doc[sent.start - 1].sent.start if sent.start > 0 else sent.start
    for j in range(len(out) - 1, -1, -1):
        cand = out[j]
        if cand.start < prev_start:
            return None
        if not cand.code or cand.kind not in {"state", "org", "capital", "role"}:
            continue
        if doc[cand.end - 1].dep_ in {"nsubj", "nsubjpass"}:
            return j
    return None


def _in_office(entry: ActorEntry, on: date) -> bool:
    return (entry.start is None or entry.start <= on) and (entry.end is None or on <= entry.end)
