"""Trigger and item lexicons: data files of words, validated on load.

Why data files and not code: analysts extend them (a new agency's verb, a new item) without
touching the extractor, the way event coders ship verb dictionaries — but as YAML with a
schema, not a bespoke text format.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cache, cached_property
from pathlib import Path
from typing import Any

import yaml

from ..errors import DataFileError
from ..models import EVENT_TYPES, ITEM_CLASSES

DATA = Path(__file__).parent / "data"
STATUSES = {"pledged", "shipped", "delivered", "unknown", None}
NEEDS = {"item", "actor", "destination", None}
ROLES = {"receiver", "theme", "buyer", None}


@dataclass(frozen=True)
class Trigger:
    lemma: str
    type: str
    mode: str | None
    cameo: str | None
    status: str | None = None
    needs: str | None = None
    role: str | None = None
    with_word: str | None = None  # a word the clause must contain ("make ... available")
    without: str | None = None  # a particle that cancels it ("carry out" is not "carry")


@dataclass(frozen=True)
class Phrase:
    lemma: str
    type: str
    mode: str | None
    cameo: str | None
    particle: str | None = None
    object: str | None = None


@dataclass(frozen=True)
class Lexicon:
    verbs: dict[str, Trigger]
    nouns: dict[str, Trigger]
    phrases: tuple[Phrase, ...]
    items: dict[str, str]  # "protective clothing" -> "ppe"
    aid_words: frozenset[str]
    transfer_modes: dict[str, str]  # word -> donation/sale/loan
    max_item_words: int

    @cached_property
    def trigger_words(self) -> frozenset[str]:
        """Every lemma or word a trigger can be: no other token needs a closer look."""
        return frozenset(self.verbs) | frozenset(self.nouns) | {p.lemma for p in self.phrases}

    def item_class(self, words: list[str]) -> tuple[str, int] | None:
        """Longest item entry ending the word list: (class, words used) or None."""
        for n in range(min(self.max_item_words, len(words)), 0, -1):
            cls = self.items.get(" ".join(words[-n:]))
            if cls:
                return cls, n
        return None


def _trigger(lemma: str, spec: dict[str, Any], where: str) -> Trigger:
    if spec.get("type") not in EVENT_TYPES:
        raise DataFileError(f"{where}: {lemma}: unknown type {spec.get('type')!r}")
    if spec.get("status") not in STATUSES or spec.get("needs") not in NEEDS \
            or spec.get("role") not in ROLES:
        raise DataFileError(f"{where}: {lemma}: bad status/needs/role in {spec}")
    return Trigger(lemma=lemma, type=spec["type"], mode=spec.get("mode"),
                   cameo=str(spec["cameo"]) if spec.get("cameo") else None,
                   status=spec.get("status"), needs=spec.get("needs"), role=spec.get("role"),
                   with_word=spec.get("with"), without=spec.get("without"))


def _read(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise DataFileError(f"{path}: {exc}") from exc
    if not isinstance(data, dict):
        raise DataFileError(f"{path}: expected a mapping at the top level")
    return data


def load_lexicon(extra_dirs: tuple[Path, ...] = ()) -> Lexicon:
    """Default lexicon files, then any of the same name in ``extra_dirs`` (entries override)."""
    verbs: dict[str, Trigger] = {}
    nouns: dict[str, Trigger] = {}
    phrases: list[Phrase] = []
    items: dict[str, str] = {}
    aid_words: set[str] = set()
    modes: dict[str, str] = {}
    for folder in (DATA, *extra_dirs):
        tpath, ipath = Path(folder) / "triggers.yaml", Path(folder) / "items.yaml"
        if tpath.exists():
            data = _read(tpath)
            for lemma, spec in (data.get("verbs") or {}).items():
                verbs[lemma] = _trigger(lemma, spec, f"{tpath} verbs")
            for lemma, spec in (data.get("nouns") or {}).items():
                nouns[lemma] = _trigger(lemma, spec, f"{tpath} nouns")
            for i, spec in enumerate(data.get("phrases") or []):
                if spec.get("type") not in EVENT_TYPES or not spec.get("lemma"):
                    raise DataFileError(f"{tpath} phrases[{i}]: needs lemma and a known type")
                if not all(isinstance(spec.get(k), (str, type(None))) for k in ("particle", "object")):
                    raise DataFileError(f"{tpath} phrases[{i}]: particle/object must be quoted text")
                phrases.append(Phrase(lemma=spec["lemma"], type=spec["type"], mode=spec.get("mode"),
                                      cameo=str(spec.get("cameo")) if spec.get("cameo") else None,
                                      particle=spec.get("particle"), object=spec.get("object")))
        if ipath.exists():
            data = _read(ipath)
            for cls, words in (data.get("classes") or {}).items():
                if cls not in ITEM_CLASSES:
                    raise DataFileError(f"{ipath}: unknown item class {cls!r}")
                for w in words:
                    items[str(w).lower()] = cls
            aid_words.update(str(w).lower() for w in data.get("aid_words") or [])
            for mode, words in (data.get("transfer_modes") or {}).items():
                for w in words:
                    modes[str(w).lower()] = mode
    return Lexicon(verbs=verbs, nouns=nouns, phrases=tuple(phrases), items=items,
                   aid_words=frozenset(aid_words), transfer_modes=modes,
                   max_item_words=max((len(k.split()) for k in items), default=1))


@cache
def default_lexicon() -> Lexicon:
    return load_lexicon()
