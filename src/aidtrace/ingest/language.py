"""Language identification with lingua, whose models ship inside its wheel (no downloads).

The detector is restricted to English and the languages most news arrives in, and runs
in lingua's low-accuracy (trigram-only) mode: it loads in well under a second instead of
several, and lingua documents it as reliable for texts over about 120 characters. News
articles are longer than that; a shorter text is reported as undetermined rather than
risk skipping an English article. A language outside the set is reported as the closest
member, which is still "not English" — the only decision ingest makes with it.
"""
from __future__ import annotations

from functools import lru_cache

from lingua import Language, LanguageDetector, LanguageDetectorBuilder

SAMPLE_CHARS = 1000  # plenty to tell languages apart; detection time grows with the text
MIN_CHARS = 120      # below this the trigram-only mode is not reliable
LANGUAGES = (
    Language.ENGLISH, Language.FRENCH, Language.GERMAN, Language.SPANISH, Language.ITALIAN,
    Language.PORTUGUESE, Language.DUTCH, Language.RUSSIAN, Language.UKRAINIAN, Language.POLISH,
    Language.TURKISH, Language.ARABIC, Language.PERSIAN, Language.CHINESE, Language.JAPANESE,
    Language.KOREAN, Language.HINDI, Language.INDONESIAN, Language.VIETNAMESE, Language.SWEDISH,
    Language.GREEK,
)


@lru_cache(maxsize=1)
def detector() -> LanguageDetector:
    return LanguageDetectorBuilder.from_languages(*LANGUAGES).with_low_accuracy_mode().build()


def detect_language(text: str) -> str | None:
    """ISO 639-1 code of ``text`` ("en", "fr", ...), or None when it cannot tell."""
    sample = " ".join(text[:SAMPLE_CHARS].split())
    if len(sample) < MIN_CHARS:
        return None
    found = detector().detect_language_of(sample)
    return found.iso_code_639_1.name.lower() if found is not None else None
