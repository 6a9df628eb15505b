"""The trained decisions of the learned extractor, and the extractor that uses them.

Two LightGBM models (trained by ``aidtrace train``, see ``train.py``), both boosted trees,
because whether an argument is a source depends on the trigger word, the relation and the
type together, and trees learn those interactions that a linear model over the same
features misses (cross-validated F1 0.56 against 0.53):
- the *candidate* model scores each (sentence, type, source, target) candidate from its
  string features: the mean of a few boosters trained alike but on their own seeds for
  the row and feature samples, since one booster's decisions swing with its seed (pooled
  CV F1 0.604 or 0.562 for two seeds of the same data);
- the *key* model decides each (type, source, target) of an article from what the
  candidate model said of it and of its rivals: its best and second-best sentence, how
  many sentences report it, the same pair in the other direction or with another type,
  the same source with other targets. A pair's events compete (AID one way or the
  other, AID or COOPERATE) and only the article-wide view sees the competition.
One JSON file holds the feature vocabulary, the boosters in LightGBM's own text format,
the key model's threshold, and a record of the data and command that made it.

Details of a chosen key (items, figures, date, status, who says so) are read by the rules,
which are exact there: from the rule extractor's event of the same key when it has one,
else by the rule readers around the candidate's trigger.
"""
from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
from scipy.sparse import coo_matrix, csr_matrix

from ..errors import DataFileError
from ..models import EVENT_TYPES, Event
from .candidates import Candidate, CandidateFinder, ParsedArticle

MODEL_VERSION = "aidtrace-learned/3"
DEFAULT_MODEL = Path(__file__).resolve().parent.parent / "data" / "event-model.json"
# LightGBM's margin is twice the |log-odds| for a binary objective
EARLY_STOP = {"pred_early_stop": True, "pred_early_stop_margin": 12.0, "pred_early_stop_freq": 50}
CASCADE = 0.01  # a candidate the first booster scores below this is not asked of the others


def features_matrix(cands: list[Candidate], vocab: dict[str, int]) -> csr_matrix:
    """One row per candidate, 1.0 where it has a feature of the vocabulary.

    A feature block shared by many candidates (``Candidate.parts``) is mapped to columns
    once; a feature twice in a row (a cue word the sentence holds twice) counts once."""
    blocks: list[np.ndarray] = []
    lengths = np.zeros(len(cands), dtype=np.int64)
    columns: dict[int, np.ndarray] = {}  # id(block) -> its columns; blocks live as long as cands
    for r, c in enumerate(cands):
        for part in c.parts:
            ids = columns.get(id(part))
            if ids is None:
                ids = columns[id(part)] = np.array([vocab[f] for f in part if f in vocab],
                                                   dtype=np.int32)
            blocks.append(ids)
            lengths[r] += len(ids)
    cols = np.concatenate(blocks) if blocks else np.zeros(0, dtype=np.int32)
    rows = np.repeat(np.arange(len(cands)), lengths)
    m = coo_matrix((np.ones(len(cols), dtype=np.float32), (rows, cols)),
                   shape=(len(cands), len(vocab))).tocsr()  # sums duplicates, sorts columns
    m.data[:] = 1.0
    return m


def key_features(cands: list[Candidate], probs: list[float]) -> tuple[list[tuple], np.ndarray]:
    """The keys of an article's candidates and one row of key-model features for each.

    Columns (KEY_FEATURES): the key's best and second-best candidate score, how many of
    its candidates score 0.2 or more, in how many sentences it is a candidate, its type
    (categorical), whether it has no target, the best score of the reverse direction, of
    the same pair with another type, of the same source with another target and of the
    same target with another source, how many targets the source has for this type,
    whether the rules coded it in some sentence, and its margin over its best rival."""
    scores: dict[tuple, list[float]] = defaultdict(list)
    sentences: dict[tuple, set[int]] = defaultdict(set)
    rule: set[tuple] = set()
    for c, p in zip(cands, probs):
        scores[c.key].append(p)
        sentences[c.key].add(c.sentence)
        if c.rule_key:
            rule.add(c.key)
    top = {k: max(v) for k, v in scores.items()}
    pair: dict[frozenset, dict[str, float]] = defaultdict(dict)  # unordered pair -> type -> best
    by_source: dict[tuple, list[float]] = defaultdict(list)
    by_target: dict[tuple, list[float]] = defaultdict(list)
    for (typ, s, t), p in top.items():
        types = pair[frozenset((s, t))]
        types[typ] = max(types.get(typ, 0.0), p)
        by_source[(typ, s)].append(p)
        by_target[(typ, t)].append(p)
    for group in (*by_source.values(), *by_target.values()):
        group.sort(reverse=True)  # once per group, not once per key
    keys = sorted(scores, key=str)
    rows = []
    for k in keys:
        typ, s, t = k
        ps = sorted(scores[k], reverse=True)
        best = ps[0]
        other_type = max((p for ty, p in pair[frozenset((s, t))].items() if ty != typ),
                         default=0.0)
        reverse = top.get((typ, t, s), 0.0) if t is not None else 0.0
        other_target = _runner_up(by_source[(typ, s)], best)
        other_source = _runner_up(by_target[(typ, t)], best)
        rows.append((best, ps[1] if len(ps) > 1 else 0.0, sum(p >= 0.2 for p in ps),
                     len(sentences[k]), EVENT_TYPES.index(typ), t is None, reverse, other_type,
                     other_target, other_source, len(by_source[(typ, s)]), k in rule,
                     best - max(reverse, other_target, other_source)))
    return keys, np.array(rows, dtype=np.float64).reshape(len(rows), len(KEY_FEATURES))


KEY_FEATURES = ("best", "second", "n_likely", "n_sentences", "type", "no_target", "reverse",
                "other_type", "other_target", "other_source", "n_targets", "rule", "margin")
KEY_CATEGORICAL = [KEY_FEATURES.index("type")]


def _runner_up(ranked: list[float], best: float) -> float:
    """The best of ``ranked`` (sorted, highest first) once one occurrence of ``best`` (the
    key's own) is left out."""
    if ranked and ranked[0] == best:
        return ranked[1] if len(ranked) > 1 else 0.0
    return ranked[0] if ranked else 0.0


@dataclass
class EventModel:
    vocab: dict[str, int]
    boosters: list[Any]  # lightgbm.Booster: the candidate model is their mean
    thresholds: dict[str, float]  # "*": of the key score (or the best candidate's, without one)
    key_booster: Any = None  # lightgbm.Booster over key_features, or None
    meta: dict[str, Any] = field(default_factory=dict)

    def key_scores(self, cands: list[Candidate], probs: list[float]) -> dict[tuple, float]:
        """Each key's score: the key model's, or its best candidate's without one."""
        if self.key_booster is None:
            out: dict[tuple, float] = {}
            for c, p in zip(cands, probs):
                out[c.key] = max(p, out.get(c.key, 0.0))
            return out
        keys, rows = key_features(cands, probs)
        if not keys:
            return {}
        return dict(zip(keys, (float(x) for x in self.key_booster.predict(rows, num_threads=1))))

    def probabilities(self, cands: list[Candidate]) -> list[float]:
        """The model's probability of each candidate: the mean of its boosters'.

        Most candidates are clear negatives, and two shortcuts skip work on them that moves
        no decision (no row the full model scores above 0.05 changes on the gold corpora):
        LightGBM stops adding trees for a row every 50 trees once its score is beyond the
        margin (|log-odds| > 6, p < 0.0025); and a row the first booster scores below
        CASCADE keeps that score, the others are not asked (85% of rows; no such row
        averages above 0.03 over all boosters)."""
        if not cands:
            return []
        x = features_matrix(cands, self.vocab)
        first, *others = self.boosters
        p = first.predict(x, num_threads=1, **EARLY_STOP)
        live = np.flatnonzero(p >= CASCADE)
        if others and len(live):
            rest = [b.predict(x[live], num_threads=1, **EARLY_STOP) for b in others]
            p[live] = np.mean([p[live], *rest], axis=0)
        return [float(v) for v in p]

    def threshold(self, typ: str) -> float:
        return self.thresholds.get(typ, self.thresholds.get("*", 0.5))

    def save(self, path: str | Path) -> None:
        names = sorted(self.vocab, key=self.vocab.__getitem__)
        body = {"version": MODEL_VERSION, "meta": self.meta, "thresholds": self.thresholds,
                "features": names, "boosters": [b.model_to_string() for b in self.boosters],
                "key_booster": self.key_booster.model_to_string() if self.key_booster else None}
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
        boosters = [lightgbm.Booster(model_str=b) for b in body["boosters"]]
        keys = lightgbm.Booster(model_str=body["key_booster"]) if body.get("key_booster") else None
        return cls(vocab={n: i for i, n in enumerate(body["features"])}, boosters=boosters,
                   thresholds=body["thresholds"], key_booster=keys, meta=body.get("meta") or {})


@cache
def default_model() -> EventModel:
    if not DEFAULT_MODEL.exists():
        raise DataFileError(f"no trained event model at {DEFAULT_MODEL}: run `make train` "
                            "(or use --extractor rules)")
    return EventModel.load(DEFAULT_MODEL)


def decide(model: EventModel, cands: list[Candidate]) -> list[tuple[Candidate, float]]:
    """The candidates of every key whose score clears the threshold: its best one, and one
    per other sentence where the key's candidate, scaled as the key was, also clears it.

    A key is one decision (is there such an event in the article?), but its reports are
    several: the same donor and recipient in a June shipment and an August one carry
    different items, figures and dates, and each sentence's details belong to its report.
    """
    probs = model.probabilities(cands)
    keys = model.key_scores(cands, probs)
    best: dict[tuple, float] = {}
    for c, p in zip(cands, probs):
        best[c.key] = max(p, best.get(c.key, 0.0))
    per_sentence: dict[tuple, tuple[Candidate, float]] = {}
    for c, p in zip(cands, probs):
        k, th = c.key, model.threshold(c.type)
        if keys[k] < th or best[k] <= 0.0:
            continue
        q = keys[k] * (p / best[k])  # the key's score at its best sentence, in proportion elsewhere
        if q < th and p < best[k]:
            continue
        slot = (k, c.sentence)
        if slot not in per_sentence or q > per_sentence[slot][1]:
            per_sentence[slot] = (c, q)
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
        headings = {c.sentence: c.heading for c, _ in chosen if c.heading is not None}
        return carry_packages([ev for _, ev in sorted(out, key=lambda o: o[0])],
                              parsed.rule_events, headings)

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


def carry_packages(events: list[Event], rule_events: list[Event],
                   headings: dict[int, int] | None = None) -> list[Event]:
    """Recipients listed after the package they share get its figures.

    News states a package for unnamed recipients ("3 million of these doses will be sent to
    countries across Africa", "1,100 tons of medical equipment to critical areas") and names
    them in the next sentence ("Countries supported include A, B and C"), or in list lines
    under a heading further down ("Recipient countries: / Ghana, Kenya, ..."). An AID event
    with a named recipient and no counted goods takes the counted goods of the same donor's
    AID to unnamed recipients stated just before, or (on a list line: ``headings`` maps its
    sentence to the heading's) the last one stated before the heading, as a package (the
    figure is the text's, shared by the recipients, never a share of it; a running total,
    "$200 million in total so far", is no package). A list line has no verb of its own, so
    its status and date are the package's too.
    """
    headings = headings or {}
    packages = [e for e in rule_events if e.type == "AID" and e.target is None and
                e.source is not None and e.granularity != "cumulative" and  # a running total
                (e.value is not None or any(i.quantity for i in e.items))]
    if not packages:
        return events
    out = []
    for ev in events:
        si = ev.evidence.sentence_index
        counted = tuple(i for i in ev.items if i.quantity)
        if ev.type == "AID" and ev.target is not None and ev.source is not None and \
                not counted and ev.value is None:
            mine = [p for p in packages if p.source.code == ev.source.code]
            before = [p for p in mine if 0 < si - p.evidence.sentence_index <= PACKAGE_BACK]
            line = not before and si in headings
            if line:
                before = [p for p in mine if p.evidence.sentence_index <= headings[si]]
            if before:
                pkg = max(before, key=lambda p: p.evidence.sentence_index)
                shared = tuple(i for i in pkg.items if i.quantity or i.item_class == "money")
                kept = tuple(i for i in ev.items if i.item_class not in {c.item_class for c in shared})
                ev = replace(ev, items=shared + kept, value=pkg.value, granularity="package")
                if line:
                    ev = replace(ev, status=pkg.status, date=pkg.date, date_text=pkg.date_text,
                                 date_precision=pkg.date_precision)
        out.append(ev)
    return out


def _key(e: Event) -> tuple:
    s = e.source.code if e.source else None
    t = e.target.code if e.target else None
    if e.type == "CONSULT" and s and t:
        s, t = sorted([s, t])
    return (e.type, s, t)
