"""Publication dates: from metadata when present, else from the article's dateline.

A wrong publication date silently shifts every relative date in the article ("last
Tuesday"), so both functions would rather return None (unknown) than guess.
"""
from __future__ import annotations

import re
from datetime import date, datetime
from functools import lru_cache
from typing import Any

DATELINE_CHARS = 400  # a dateline sits at the top of an article
EARLIEST_YEAR = 1900
UNKNOWN = frozenset({"", "unknown", "none", "null", "n/a", "na", "-"})
MONTH = (r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?"
         r"|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?")
DATELINE = re.compile(
    rf"\b(?:\d{{4}}-\d{{2}}-\d{{2}}|\d{{1,2}}\s+{MONTH}\s+\d{{4}}|{MONTH}\s+\d{{1,2}},?\s+\d{{4}})\b",
    re.I)


@lru_cache(maxsize=1)
def _dateparser() -> Any:
    """dateparser takes most of a second to import; only pay for it when a date needs it."""
    import dateparser
    return dateparser


def plausible(value: date) -> date | None:
    return value if EARLIEST_YEAR <= value.year <= date.today().year + 1 else None


def parse_date(value: object) -> date | None:
    """A metadata date (``2020-03-14``, ISO datetime, ``14 March 2020``) or None if unknown.

    Raises ValueError for a value that is present but not a date, so that callers can
    note it in the ledger.
    """
    if value is None:
        return None
    if isinstance(value, datetime):
        return plausible(value.date())
    if isinstance(value, date):
        return plausible(value)
    text = str(value).strip()
    if text.lower() in UNKNOWN:
        return None
    try:
        return plausible(date.fromisoformat(text[:10]))
    except ValueError:
        pass
    parsed = _dateparser().parse(text[:100], languages=["en"],
                                 settings={"REQUIRE_PARTS": ["year", "month", "day"]})
    if parsed is None:
        raise ValueError(f"not a date: {text[:40]!r}")
    return plausible(parsed.date())


def date_from_text(text: str) -> date | None:
    """The first full date in the article's first lines (its dateline), if any."""
    match = DATELINE.search(text[:DATELINE_CHARS])
    if not match:
        return None
    try:
        return parse_date(match.group(0))
    except ValueError:
        return None
