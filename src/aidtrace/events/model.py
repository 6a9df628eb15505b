"""The trained decisions of the learned extractor, and the extractor that uses them.

The model is a LightGBM classifier over the candidates' string features (trained by
``aidtrace train``, see ``train.py``): boosted trees, because whether an argument is a
source depends on the trigger word, the relation and the type together, and trees learn
those interactions that a linear model over the same features misses (cross-validated
F1 0.56 against 0.53). One JSON file holds the feature vocabulary, the booster as
LightGBM's own text format, a threshold per event type, and a record of the data and
command that made it.

Decisions are per article: a (type, source, target) key is an event when its best
candidate scores above its type's threshold. Its details (items, figures, date, status,
who says so) are read by the rules, which are exact there: from the rule extractor's event
of the same key when it has one, else by the rule readers around the candidate's trigger.
"""
from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
from scipy.sparse import csr_matrix

from ..errors import DataFileError
from ..models import Event
from .candidates import Candidate, CandidateFinder, ParsedArticle

MODEL_VERSION = "aidtrace-learned/1"
DEFAULT_MODEL = Path(__file__).resolve().parent.parent / "data" / "event-model.json"


def features_matrix(cands: list[Candidate], vocab: dict[str, int]) -> csr_matrix:
    """One row per candidate, 1.0 where it has a feature of the vocabulary."""
    cols: list[int] = []
    indptr = [0]
    for c in cands:
        cols.extend(sorted({vocab[f] for f in c.features if f in vocab}))
        indptr.append(len(cols))
    return csr_matrix((np.ones(len(cols), dtype=np.float32), cols, indptr),
                      shape=(len(cands), len(vocab)))


@dataclass
class EventModel:
    vocab: dict[str, int]
    booster: Any  # lightgbm.Booster
    thresholds: dict[str, float]
    meta: dict[str, Any] = field(default_factory=dict)

    def probabilities(self, cands: list[Candidate]) -> list[float]:
        if not cands:
            return []
        return [float(p) for p in self.booster.predict(features_matrix(cands, self.vocab),
                                                       num_threads=1)]

    def threshold(self, typ: str) -> float:
        return self.thresholds.get(typ, self.thresholds.get("*", 0.5))

    def save(self, path: str | Path) -> None:
        names = sorted(self.vocab, key=self.vocab.__getitem__)
        body = {"version": MODEL_VERSION, "meta": self.meta, "thresholds": self.thresholds,
                "features": names, "booster": self.booster.model_to_string()}
        Path(path).write_text(json.dumps(body, indent=0) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, path: str | Path) -> EventModel:
        import lightgbm

        try:
            body = json.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise DataFileError(f"cannot read the event model {path}: {exc}") from exc
        if body.get("version") != MODEL_VERSION:
            raise DataFileError(f"{path}: model version {body.get('version')!r}, this aidtrace "
                                f"reads {MODEL_VERSION!r}; rebuild it with `aidtrace train`")
        booster = lightgbm.Booster(model_str=body["booster"])
        return cls(vocab={n: i for i, n in enumerate(body["features"])}, booster=booster,
                   thresholds=body["thresholds"], meta=body.get("meta") or {})


@cache
def default_model() -> EventModel:
    if not DEFAULT_MODEL.exists():
        raise DataFileError(f"no trained event model at {DEFAULT_MODEL}: run `make train` "
                            "(or use --extractor rules)")
    return EventModel.load(DEFAULT_MODEL)


def decide(model: EventModel, cands: list[Candidate]) -> list[tuple[Candidate, float]]:
    """The candidates of every key whose best candidate clears its type's threshold: the
    best one, and one per other sentence where the key also clears it.

    A key is one decision (is there such an event in the article?), but its reports are
    several: the same donor and recipient in a June shipment and an August one carry
    different items, figures and dates, and each sentence's details belong to its report.
    """
    scored = list(zip(cands, model.probabilities(cands)))
    best: dict[tuple, float] = {}
    for c, p in scored:
        best[c.key] = max(p, best.get(c.key, 0.0))
    per_sentence: dict[tuple, tuple[Candidate, float]] = {}
    for c, p in scored:
        k = c.key
        if best[k] < model.threshold(c.type) or (p < model.threshold(c.type) and p < best[k]):
            continue
        slot = (k, c.sentence)
        if slot not in per_sentence or p > per_sentence[slot][1]:
            per_sentence[slot] = (c, p)
    return list(per_sentence.values())


class LearnedExtractor:
    """Candidates by rule, decisions by the model, details by the rule readers."""

    name = MODEL_VERSION

    def __init__(self, finder: CandidateFinder | None, model: EventModel,
                 describe: Callable[[ParsedArticle, Candidate], Event | None]) -> None:
        self.finder = finder
        self.model = model
        self.describe = describe  # the rule readers: (parsed, candidate) -> Event

    def extract(self, parsed: ParsedArticle, cands: list[Candidate] | None = None) -> list[Event]:
        """Events of one article (``cands``: its candidates, when already found).

        Each chosen key gives an event per sentence that reports it: the rule extractor's
        event of that key and sentence when it has one (its details are exact), else the
        rule readers around the candidate's trigger. The rules' events of a chosen key in
        other sentences are kept too: the model said the event is there, and they are more
        of its reports.
        """
        if cands is None:
            assert self.finder is not None, "no candidates and no finder to find them"
            cands = self.finder.find(parsed)
        chosen = decide(self.model, cands)
        by_key: dict[tuple, list[Event]] = {}
        for e in parsed.rule_events:
            by_key.setdefault(_key(e), []).append(e)
        score: dict[tuple, float] = {}
        for c, p in chosen:
            score[c.key] = max(p, score.get(c.key, 0.0))
        out: list[tuple[tuple, Event]] = []
        covered: set[tuple] = set()
        for cand, p in chosen:
            here = [e for e in by_key.get(cand.key, []) if e.evidence.sentence_index == cand.sentence]
            ev = here[0] if here else self._describe(parsed, cand)
            if ev is not None:
                covered.add((cand.key, cand.sentence))
                out.append(((cand.sentence, parsed.doc[cand.trigger].idx, str(cand.key)),
                            replace(ev, confidence=round(p, 3), extractor=self.name)))
        for k in {c.key for c, _ in chosen}:
            for e in by_key.get(k, []):
                si = e.evidence.sentence_index
                if (k, si) not in covered:
                    covered.add((k, si))
                    out.append(((si, e.evidence.trigger_start, str(k)),
                                replace(e, confidence=round(score[k], 3), extractor=self.name)))
        return carry_packages([ev for _, ev in sorted(out, key=lambda o: o[0])],
                              parsed.rule_events)

    def _describe(self, parsed: ParsedArticle, cand: Candidate) -> Event | None:
        ev = self.describe(parsed, cand)
        if ev is None:
            return None
        sibling = next((e for e in parsed.rule_events if e.type == cand.type and
                        e.evidence.sentence_index == cand.sentence), None)
        if sibling is None:
            return ev
        # the sentence's own transfer, with other arguments
        return replace(ev, items=sibling.items, value=sibling.value, status=sibling.status,
                       date=sibling.date, date_precision=sibling.date_precision,
                       date_text=sibling.date_text, claim=sibling.claim,
                       granularity=sibling.granularity, transfer_mode=sibling.transfer_mode)


PACKAGE_BACK = 2  # sentences before a list of recipients where its package may be stated


def carry_packages(events: list[Event], rule_events: list[Event]) -> list[Event]:
    """Recipients listed after the package they share get its figures.

    News states a package for unnamed recipients ("3 million of these doses will be sent to
    countries across Africa", "1,100 tons of medical equipment to critical areas") and names
    them in the next sentence ("Countries supported include A, B and C"). An AID event
    with a named recipient and no counted goods takes the counted goods of the same donor's
    AID to unnamed recipients stated just before, as a package (the figure is the text's,
    shared by the recipients, never a share of it).
    """
    packages = [e for e in rule_events if e.type == "AID" and e.target is None and
                e.source is not None and (e.value is not None or any(i.quantity for i in e.items))]
    if not packages:
        return events
    out = []
    for ev in events:
        si = ev.evidence.sentence_index
        counted = tuple(i for i in ev.items if i.quantity)
        if ev.type == "AID" and ev.target is not None and ev.source is not None and \
                not counted and ev.value is None:
            before = [p for p in packages if p.source.code == ev.source.code and
                      0 < si - p.evidence.sentence_index <= PACKAGE_BACK]
            if before:
                pkg = max(before, key=lambda p: p.evidence.sentence_index)
                shared = tuple(i for i in pkg.items if i.quantity or i.item_class == "money")
                kept = tuple(i for i in ev.items if i.item_class not in {c.item_class for c in shared})
                ev = replace(ev, items=shared + kept, value=pkg.value, granularity="package")
        out.append(ev)
    return out


def _key(e: Event) -> tuple:
    s = e.source.code if e.source else None
    t = e.target.code if e.target else None
    if e.type == "CONSULT" and s and t:
        s, t = sorted([s, t])
    return (e.type, s, t)
