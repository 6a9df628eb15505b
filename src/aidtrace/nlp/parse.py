"""The spaCy pipeline: loaded once per process, with only the pipes the extractor reads.

The extractor reads tags, lemmas, the dependency parse and named entities, so every pipe of
the small English model stays on; nothing is downloaded — the model is a PyPI package.
"""
from __future__ import annotations

import re
from functools import cache

import spacy
from spacy.language import Language
from spacy.tokens import Doc

from ..errors import ConfigError

# Bullets, numbered-list markers and runs of spaces confuse the parser; paragraphs matter
# (they scope attribution and context), so they are kept as blank-line boundaries.
_BULLET = re.compile(r"^[ \t]*(?:[•·▪●◦‣\-–*]|\d{1,2}[.)])[ \t]+", re.M)


@cache
def load_nlp(model: str) -> Language:
    try:
        nlp = spacy.load(model)
    except OSError as exc:
        raise ConfigError(f"spaCy model {model!r} is not installed: {exc}") from exc
    return nlp


def clean_text(text: str) -> str:
    """Same length as ``text`` (offsets stay valid): list markers become spaces."""
    return _BULLET.sub(lambda m: " " * len(m.group(0)), text)


def paragraph_starts(text: str) -> list[int]:
    """Character offsets where paragraphs begin (a blank line or a list line starts one)."""
    starts = [0]
    for m in re.finditer(r"\n\s*\n|\n(?=[ \t]*(?:[•·▪●◦‣\-–*]|\d{1,2}[.)])[ \t])", text):
        starts.append(m.end())
    return starts


@Language.component("aidtrace_lines")
def split_lines(doc: Doc) -> Doc:
    """Sentence boundaries at line breaks, none right after a colon: headlines, bullets
    and factbox lines are units.

    The statistical parser often runs a bullet line into the next one; a newline in news
    text nearly always ends a unit, so we force a boundary there before parsing.
    """
    for tok in doc[1:]:
        prev = doc[tok.i - 1]
        if "\n" in prev.text or "\n" in prev.whitespace_:
            tok.is_sent_start = True
        elif prev.text == ":":
            tok.is_sent_start = False  # "INSIDE SYRIA: $516 million" is one unit, not two
    return doc


@cache
def pipeline_for(model: str) -> Language:
    nlp = load_nlp(model)
    if "aidtrace_lines" not in nlp.pipe_names:
        nlp.add_pipe("aidtrace_lines", before="parser")
    return nlp
