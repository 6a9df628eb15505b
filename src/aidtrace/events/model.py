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
    """The best candidate of each key that clears its type's threshold, with its score."""
    best: dict[tuple, tuple[Candidate, float]] = {}
    for c, p in zip(cands, model.probabilities(cands)):
        k = c.key
        if k not in best or p > best[k][1]:
            best[k] = (c, p)
    return [(c, p) for c, p in best.values() if p >= model.threshold(c.type)]


class LearnedExtractor:
    """Candidates by rule, decisions by the model, details by the rule readers."""

    name = MODEL_VERSION

    def __init__(self, finder: CandidateFinder | None, model: EventModel,
                 describe: Callable[[ParsedArticle, Candidate], Event | None]) -> None:
        self.finder = finder
        self.model = model
        self.describe = describe  # the rule readers: (parsed, candidate) -> Event

    def extract(self, parsed: ParsedArticle, cands: list[Candidate] | None = None) -> list[Event]:
        """Events of one article (``cands``: its candidates, when already found)."""
        if cands is None:
            assert self.finder is not None, "no candidates and no finder to find them"
            cands = self.finder.find(parsed)
        chosen = decide(self.model, cands)
        by_key: dict[tuple, list[Event]] = {}
        for e in parsed.rule_events:
            by_key.setdefault(_key(e), []).append(e)
        out = []
        for cand, p in sorted(chosen, key=lambda cp: (cp[0].sentence, cp[0].trigger, str(cp[0].key))):
            same = by_key.get(cand.key) or []
            here = [e for e in same if e.evidence.sentence_index == cand.sentence]
            ev = (here or same or [None])[0]
            if ev is None:
                ev = self.describe(parsed, cand)
                if ev is None:
                    continue
                sibling = next((e for e in parsed.rule_events if e.type == cand.type and
                                e.evidence.sentence_index == cand.sentence), None)
                if sibling is not None:  # the sentence's own transfer, with other arguments
                    ev = replace(ev, items=sibling.items, value=sibling.value,
                                 status=sibling.status, date=sibling.date,
                                 date_precision=sibling.date_precision,
                                 date_text=sibling.date_text, claim=sibling.claim,
                                 granularity=sibling.granularity,
                                 transfer_mode=sibling.transfer_mode)
            out.append(replace(ev, confidence=round(p, 3), extractor=self.name))
        return out


def _key(e: Event) -> tuple:
    s = e.source.code if e.source else None
    t = e.target.code if e.target else None
    if e.type == "CONSULT" and s and t:
        s, t = sorted([s, t])
    return (e.type, s, t)
