"""Resolve a date expression from news text to an ISO prefix at the precision the text gives.

The extractor hands over the words of a date ("on April 9", "in late March", "four days
later") and the article's publication date; this module says which day, month or year
they name. Absolute forms ("25 April 2015", "March 2020") are parsed by dateparser. Every
form that needs a reference point is resolved here by hand, because dateparser fixes its
base date when the parser is built, fills missing parts from "now", and knows nothing of
"later" measured from the previous event.

Judgement calls, kept here so that they can be argued with:
- A month or day without a year takes the publication year; if that lands more than seven
  days after publication the year before is used, or, for future events, if it ends more
  than seven days before publication, the year after.
- A bare weekday ("on Thursday") is the most recent such day on or before publication,
  because wire copy names the day of publication itself ("said Thursday" in Thursday's
  paper); "last Friday" is strictly before. With future=True it is the next such day on
  or after publication; "next Friday" is strictly after.
- Weeks and weekends have no precision of their own: they give the month that holds them,
  the year if they straddle two months, and None if they straddle two years.
- "N days before/earlier" and "the previous day" count back from the previous event, or
  from publication when there is none; "N days later" and "the next day" need the
  previous event. "N days ago" always counts from publication.
- Counting from a date gives the coarser of its precision and the unit's: "two years
  later" than 2015-04-25 is 2017. Counting days from a month (or months from a year)
  starts at its middle: "four days later" than March 2020 is still March 2020.
- Boundaries ("by April 11", "since March", "before May 2") stand for the date they name.
- Durations ("three years", "for 72 hours"), ages, decades ("the 1990s") and seasons or
  quarters without a year are not dates: None.
"""
from __future__ import annotations

import functools

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterable

    from dateparser.date import DateDataParser

__all__ = ["ResolvedDate", "is_date_expression", "resolve_date"]

DAY, MONTH, YEAR = "day", "month", "year"
ABSOLUTE, PUBLISHED, ANCHOR = "absolute", "published", "anchor"

_COARSENESS = {DAY: 0, MONTH: 1, YEAR: 2}
_ROLLOVER = timedelta(days=7)
_MAX_CHARS = 80  # a date expression is a few words; longer text is a sentence, not a date
_MAX_COUNT = 5000  # "N units later" beyond this is not a date in news text


@dataclass(frozen=True)
class ResolvedDate:
    """A date at the precision its text gives, and what it was resolved against."""

    value: str  # ISO prefix at its precision: "2020-04-09", "2020-03", "2020"
    precision: str  # "day" | "month" | "year"
    text: str  # the expression as written
    basis: str  # "absolute" | "published" | "anchor" (relative to the previous event's date)

    @property
    def start(self) -> date:
        """The first day of the period the value names."""
        parts = [int(p) for p in self.value.split("-")]
        return date(parts[0], *(parts[1:] + [1] * (3 - len(parts))))


# --- vocabulary -----------------------------------------------------------------------

_MONTH_NAMES = ("january", "february", "march", "april", "may", "june", "july",
                "august", "september", "october", "november", "december")
_MONTH_NUMBER = {name: i for i, name in enumerate(_MONTH_NAMES, 1)}
_MONTH_NUMBER.update({name[:3]: i for name, i in list(_MONTH_NUMBER.items())})
_MONTH_NUMBER["sept"] = 9
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")

# Hand-written: a closed vocabulary of a few dozen words is not worth a dependency.
_SMALL_NUMBERS = {w: i for i, w in enumerate(
    ("one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
     "fifteen sixteen seventeen eighteen nineteen").split(), 1)}
_TENS = {w: i * 10 for i, w in enumerate(
    "twenty thirty forty fifty sixty seventy eighty ninety".split(), 2)}


def _alternation(words: Iterable[str]) -> str:
    """A regex alternation, longest first so that "seventeen" is tried before "seven"."""
    return "|".join(sorted(map(re.escape, words), key=len, reverse=True))


_MONTH = rf"(?:{_alternation(_MONTH_NUMBER)})\.?"
_WEEKDAY = rf"(?:{_alternation(_WEEKDAYS)})"
_NUM = (rf"(?:\d+|a couple of|couple of|an|a|(?:{_alternation(_TENS)})"
        rf"(?:[- ](?:{_alternation(list(_SMALL_NUMBERS)[:9])}))?|{_alternation(_SMALL_NUMBERS)})")
_DAY_PARTS = r"(?:morning|afternoon|evening|night)"
_FORWARD = ("later", "later on", "after", "afterwards", "afterward", "thereafter", "on",
            "after this", "after that", "after it")
_BACKWARD = ("earlier", "earlier on", "before", "beforehand", "prior", "previously",
             "before this", "before that", "before it", "prior to this", "prior to that")
_DIRECTION = rf"(?:ago|{_alternation(_FORWARD + _BACKWARD)})"
_UNIT_DAYS = {"day": 1, "week": 7, "fortnight": 14}

_ANY_UNIT = (r"(?:seconds?|minutes?|hours?|days?|nights?|weeks?|fortnights?|months?|years?|"
             r"decades?|centur(?:y|ies))")
_PLURAL_UNIT = re.compile(r"\b(?:seconds|minutes|hours|days|nights|weeks|fortnights|months|"
                          r"years|decades|centuries)\b")
_COUNTED_UNIT = re.compile(
    rf"\b(?:{_NUM}|several|many|few|recent|the past|the last|the first)[\s-]+{_ANY_UNIT}\b")
_HAS_DIRECTION = re.compile(rf"\b{_DIRECTION}$")
_NOT_A_DATE = re.compile(r"\b\d{2,4}'?s\b|\baged?\b|\bold\b")  # decades, ages
_YEAR_TOKEN = re.compile(r"(?<![\d-])(?:1[0-9]|20)\d{2}(?![\d-]|'?s\b)")
_NUMERIC_DATE = re.compile(r"\b(?:\d{4}-\d{1,2}(?:-\d{1,2})?|\d{1,2}[/.]\d{1,2}[/.]\d{2,4})\b")
_SIGNAL = re.compile(
    rf"\b{_MONTH}(?!\w)|\b{_WEEKDAY}\b|\b(?:today|tonight|yesterday|tomorrow)\b"
    rf"|\b(?:this|last|next|coming|previous|following|preceding|prior|same|that|the)\s+"
    rf"(?:day|week|weekend|fortnight|month|year|{_DAY_PARTS})\b"
    rf"|\b{_NUM}\s+(?:day|week|fortnight|month|year)s?\s+{_DIRECTION}$"
    r"|\bfiscal\b|\bfy\s?\d"
)

# Leading words that do not change which date is named: prepositions, boundaries, hedges
# and the vague parts of a period ("late", "the end of") that keep its precision.
_LEADING = re.compile(
    r"^(?:on|in|by|since|at|from|until|till|through|to|over|as of|as early as|as late as|during|"
    r"between|around|about|circa|approximately|some time in|sometime in|for|before|after|"
    r"earlier|later|earlier on|later on|very|late|early|mid-?|"
    r"(?:the\s+)?(?:end|beginning|start|middle|close|turn|latter part|first half|"
    r"second half|latter half|(?:first|second|third|fourth|last|final)\s+(?:week|weeks|"
    r"days|half|quarter)|(?:first|last|final|closing|opening)\s+days)\s+of)"
    r"(?:\b|(?<=-))\s*")


def _number(word: str) -> int | None:
    word = word.strip()
    if word.isdigit():
        return int(word)
    if word in ("a", "an"):
        return 1
    if word.endswith("couple of"):
        return 2
    total = 0
    for part in re.split(r"[- ]", word):
        value = _SMALL_NUMBERS.get(part) or _TENS.get(part)
        if value is None:
            return None
        total += value
    return total


def _normalise(text: str) -> str:
    text = text.lower().replace("\u2019", "'")
    text = re.sub(r"[\u2010-\u2015\u2212]", "-", text)
    text = re.sub(r"\s+", " ", text).strip(" .,;:!?()[]\"'")
    return re.sub(r"'s$", "", text)


def _core(text: str) -> str:
    """The expression without its prepositions and vague parts."""
    text = _normalise(text)
    while True:
        stripped = _LEADING.sub("", text, count=1)
        if stripped == text:
            return text
        text = stripped


def _looks_like_date(core: str) -> bool:
    if not core or len(core) > _MAX_CHARS or _NOT_A_DATE.search(core):
        return False
    is_counted = _PLURAL_UNIT.search(core) or _COUNTED_UNIT.search(core)
    if is_counted and not _HAS_DIRECTION.search(core):
        return False  # a duration: "three years", "for 72 hours", "in recent weeks"
    return bool(_SIGNAL.search(core) or _YEAR_TOKEN.search(core) or _NUMERIC_DATE.search(core))


def is_date_expression(text: str) -> bool:
    """Cheap check (no parsing): does this text name when something happened?

    False for durations ("three years", "within seventy-two hours"), ages, decades and
    labels such as "COVID-19"; True for absolute, weekday and relative dates.
    """
    return _looks_like_date(_core(text))


# --- arithmetic -------------------------------------------------------------------------

def _coarser(a: str, b: str) -> str:
    return a if _COARSENESS[a] >= _COARSENESS[b] else b


def _iso(day: date, precision: str) -> str:
    return day.isoformat()[: {DAY: 10, MONTH: 7, YEAR: 4}[precision]]


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def _shift(day: date, count: int, unit: str) -> date:
    """`day` moved by `count` units; raises OverflowError/ValueError outside 1..9999."""
    if unit in _UNIT_DAYS:
        return day + timedelta(days=count * _UNIT_DAYS[unit])
    return _add_months(day, count * (12 if unit == YEAR else 1))


def _as_unit(word: str) -> str:
    """"morning", "night" and the like count as days."""
    return word if word in _UNIT_DAYS or word in (MONTH, YEAR) else DAY


def _unit_precision(unit: str) -> str:
    return unit if unit in (MONTH, YEAR) else DAY


def _span(first: date, last: date) -> tuple[date, str] | None:
    """The finest precision that holds a whole span of days."""
    if (first.year, first.month) == (last.year, last.month):
        return first, MONTH
    if first.year == last.year:
        return first, YEAR
    return None


# --- the forms ---------------------------------------------------------------------------

_COUNTED = re.compile(
    rf"^(?:about |some |nearly |almost |just |only |roughly |around |barely |more than |"
    rf"less than )?(?P<num>{_NUM})\s+(?P<unit>day|week|fortnight|month|year)s?\s+"
    rf"(?P<dir>{_DIRECTION})$")
_NEIGHBOUR = re.compile(
    rf"^the\s+(?:(?P<rel>next|following|previous|preceding|prior)\s+(?P<unit1>day|week|month|"
    rf"year|{_DAY_PARTS})|(?P<unit2>day|week|month|year|{_DAY_PARTS})\s+(?P<dir>before|after))$")
_SAME = re.compile(rf"^(?:that|the same|that same)\s+(?P<unit>day|month|year|{_DAY_PARTS})$")
_TODAY = {"today": 0, "tonight": 0, "yesterday": -1, "last night": -1, "tomorrow": 1,
          "the day before yesterday": -2, "the day after tomorrow": 2}
_TODAY_RE = re.compile(
    rf"^(?:(?P<word>today|tonight|yesterday|tomorrow|last night|the day before yesterday|"
    rf"the day after tomorrow)|this {_DAY_PARTS})(?:\s+{_DAY_PARTS})?$")
_PERIOD = re.compile(r"^(?P<rel>this|last|next|coming|this coming|this past|past)\s+"
                     r"(?P<unit>week|weekend|month|year)$")
_WEEKEND = re.compile(r"^(?:the|this) weekend$")
_WEEKDAY_RE = re.compile(
    rf"^(?:(?P<rel>last|this|next|past|coming|this past|this coming)\s+)?"
    rf"(?P<weekday>{_WEEKDAY})(?:\s+{_DAY_PARTS})?$")
_REL_MONTH = re.compile(rf"^(?P<rel>last|this|next|past|coming|this past|this coming)\s+"
                        rf"(?P<month>{_MONTH})$")
_YEAR_LABEL = re.compile(
    r"^(?:the\s+)?(?:(?:fiscal|financial|calendar|budget)\s+(?:year\s+)?|fy\s?|"
    r"(?:spring|summer|autumn|fall|winter)\s+(?:of\s+)?|q[1-4]\s+|h[12]\s+)?"
    r"(?P<year>(?:1[0-9]|20)\d{2})(?:\s+(?:fiscal|financial|budget)\s+year)?$")
_DAY_RANGE = re.compile(
    rf"^(?P<month>{_MONTH})\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\s*(?:-|to|and|or|through|until)"
    rf"\s*(?:{_MONTH}\s+)?\d{{1,2}}(?:st|nd|rd|th)?(?P<rest>,?\s+\d{{4}})?$"
    rf"|^(?P<day2>\d{{1,2}})(?:st|nd|rd|th)?\s*(?:-|to|and|or|through|until)\s*\d{{1,2}}"
    rf"(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<month2>{_MONTH})(?P<rest2>,?\s+\d{{4}})?$")
_MONTH_RANGE = re.compile(
    rf"^(?P<month>{_MONTH})\s*(?:-|to|and|or|through|until)\s*{_MONTH}(?P<rest>,?\s+\d{{4}})?$")


def _counted(core: str, published: date | None, anchor: ResolvedDate | None,
             text: str) -> ResolvedDate | None:
    match = _COUNTED.match(core)
    if match is None:
        return None
    count = _number(match["num"])
    if count is None or count > _MAX_COUNT:
        return None
    unit, direction = match["unit"], match["dir"]
    if direction == "ago":
        return _from_published(published, -count, unit, text)
    if direction in _FORWARD:
        return _from_anchor(anchor, count, unit, text)
    if anchor is None:
        return _from_published(published, -count, unit, text)
    return _from_anchor(anchor, -count, unit, text)


def _neighbour(core: str, published: date | None, anchor: ResolvedDate | None,
               text: str) -> ResolvedDate | None:
    """"the next day", "the previous month", "the day before", "that day"."""
    if match := _SAME.match(core):
        return _from_anchor(anchor, 0, _as_unit(match["unit"]), text)
    match = _NEIGHBOUR.match(core)
    if match is None:
        return None
    unit = _as_unit(match["unit1"] or match["unit2"])
    forward = match["rel"] in ("next", "following") or match["dir"] == "after"
    if forward:
        return _from_anchor(anchor, 1, unit, text)
    if anchor is None:
        return _from_published(published, -1, unit, text)
    return _from_anchor(anchor, -1, unit, text)


def _from_anchor(anchor: ResolvedDate | None, count: int, unit: str,
                 text: str) -> ResolvedDate | None:
    if anchor is None:
        return None
    precision = _coarser(anchor.precision, _unit_precision(unit))
    start = anchor.start
    if _COARSENESS[anchor.precision] > _COARSENESS[_unit_precision(unit)]:
        # Count from the middle of a coarse anchor: "the day before" sometime in March is
        # most likely still in March, "forty days after" it most likely in April.
        start = start.replace(day=15) if anchor.precision == MONTH else start.replace(month=7)
    return ResolvedDate(_iso(_shift(start, count, unit), precision), precision, text, ANCHOR)


def _from_published(published: date | None, count: int, unit: str,
                    text: str) -> ResolvedDate | None:
    if published is None:
        return None
    precision = _unit_precision(unit)
    return ResolvedDate(_iso(_shift(published, count, unit), precision), precision, text,
                        PUBLISHED)


def _relative_to_published(core: str, published: date, future: bool,
                           text: str) -> ResolvedDate | None:
    """today/yesterday, this/last/next week|weekend|month|year, weekdays, "last March"."""
    if match := _TODAY_RE.match(core):
        return _from_published(published, _TODAY.get(match["word"] or "today", 0), DAY, text)
    if _WEEKEND.match(core):
        return _weekend(published, forward=future, current=True, text=text)
    if match := _PERIOD.match(core):
        rel, unit = match["rel"], match["unit"]
        step = {"this": 0, "last": -1, "past": -1, "this past": -1}.get(rel, 1)
        if unit == "weekend":
            return _weekend(published, forward=future if step == 0 else step > 0,
                            current=step == 0, text=text)
        if unit == "week":
            return _week(published, step, future, text)
        if rel == "past":
            return None  # "the past month/year" is a duration
        return _from_published(published, step, unit, text)
    if match := _WEEKDAY_RE.match(core):
        return _weekday(published, _WEEKDAYS.index(match["weekday"]), match["rel"], future, text)
    if match := _REL_MONTH.match(core):
        return _month_named(published, _MONTH_NUMBER[match["month"].rstrip(".")], match["rel"],
                            future, text)
    return None


def _week(published: date, step: int, future: bool, text: str) -> ResolvedDate | None:
    monday = published - timedelta(days=published.weekday()) + timedelta(weeks=step)
    first, last = monday, monday + timedelta(days=6)
    if step == 0:  # "this week" written in the past or future covers only that side of today
        first, last = (published, last) if future else (first, published)
    return _spanned(first, last, text)


def _weekend(published: date, *, forward: bool, current: bool, text: str) -> ResolvedDate | None:
    """The nearest weekend before (or after) publication; `current` lets it be today's."""
    saturday = published - timedelta(days=(published.weekday() - 5) % 7)
    in_weekend = published.weekday() >= 5
    if forward and not (current and in_weekend):
        saturday += timedelta(weeks=1)
    elif not forward and in_weekend and not current:
        saturday -= timedelta(weeks=1)
    return _spanned(saturday, saturday + timedelta(days=1), text)


def _spanned(first: date, last: date, text: str) -> ResolvedDate | None:
    spanned = _span(first, last)
    if spanned is None:
        return None
    start, precision = spanned
    return ResolvedDate(_iso(start, precision), precision, text, PUBLISHED)


def _weekday(published: date, weekday: int, rel: str | None, future: bool,
             text: str) -> ResolvedDate:
    forward = rel in ("next", "coming", "this coming") or (rel in (None, "this") and future)
    strict = rel in ("last", "past", "this past", "next")
    if forward:
        days = (weekday - published.weekday()) % 7 or (7 if strict else 0)
    else:
        days = -((published.weekday() - weekday) % 7 or (7 if strict else 0))
    return ResolvedDate((published + timedelta(days=days)).isoformat(), DAY, text, PUBLISHED)


def _month_named(published: date, month: int, rel: str, future: bool,
                 text: str) -> ResolvedDate | None:
    year = published.year
    if rel in ("last", "past", "this past"):
        year -= month >= published.month
    elif rel in ("next", "coming", "this coming"):
        year += month <= published.month
    elif future and rel == "this":
        year += month < published.month
    if not 1 <= year <= 9999:
        return None
    return ResolvedDate(f"{year:04d}-{month:02d}", MONTH, text, PUBLISHED)


def _place_in_year(month: int, day: int | None, published: date, future: bool) -> date | None:
    """The year for a month (and day) written without one; see the module docstring."""
    candidates = []
    for year in range(published.year - 8, published.year + 9):  # wide enough for 29 February
        if not 1 <= year <= 9999 or (day is not None and day > calendar.monthrange(year, month)[1]):
            continue
        first = date(year, month, day or 1)
        last = date(year, month, day or calendar.monthrange(year, month)[1])
        candidates.append((first, last))
    if future:
        later = [first for first, last in candidates if last >= published - _ROLLOVER]
        return min(later, default=None)
    earlier = [first for first, _ in candidates if first <= published + _ROLLOVER]
    return max(earlier, default=None)


# --- absolute forms (dateparser) ---------------------------------------------------------

@lru_cache(maxsize=1)
def _parser() -> DateDataParser:
    """Built once, on first use: importing dateparser and loading its locale take ~0.3 s."""
    from dateparser.date import DateDataParser

    return DateDataParser(languages=["en"], settings={
        # Relative words are resolved above against the article, never against "now";
        # a bare number is not a timestamp in prose.
        "PARSERS": ["custom-formats", "absolute-time"],
        # Missing parts come from a fixed leap year so that "29 February" parses; `parts`
        # then tells us which parts the text gave, and the year is placed by us.
        "RELATIVE_BASE": datetime(2000, 1, 1),
        "PREFER_DAY_OF_MONTH": "first",
    })


# The forms most news dates take, read without dateparser (~2.5 ms a call): "April 3, 2020",
# "3 April 2020", "April 3", "3rd of April", "April 2020". The result is what dateparser
# gives for them (tested on every date of the corpora); anything else goes to dateparser.
_COMMON_DATE = re.compile(
    rf"(?:(?P<m1>{_MONTH})\s+(?P<d1>\d{{1,2}})(?:st|nd|rd|th)?(?:,?\s+(?P<y1>\d{{4}}))?"
    rf"|(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<m2>{_MONTH})(?:,?\s+(?P<y2>\d{{4}}))?"
    rf"|(?P<m3>{_MONTH}),?\s+(?P<y3>\d{{4}}))", re.I)


@lru_cache(maxsize=8192)
def _date_data(core: str) -> tuple[date | None, frozenset[str]]:
    """The date ``core`` spells and which parts it gave; missing parts come from 2000."""
    if m := _COMMON_DATE.fullmatch(core):
        month = m["m1"] or m["m2"] or m["m3"]
        day, year = m["d1"] or m["d2"], m["y1"] or m["y2"] or m["y3"]
        parts = {"month"} | ({"day"} if day else set()) | ({"year"} if year else set())
        try:
            return (date(int(year or 2000), _MONTH_NUMBER[month.lower().rstrip(".")], int(day or 1)),
                    frozenset(parts))
        except ValueError:
            pass  # "April 31": dateparser decides
    try:
        parsed = _parser().get_date_data(core)
    except (ValueError, OverflowError):
        return None, frozenset()  # its documented failure, and dates past the calendar's ends
    if parsed.date_obj is None:
        return None, frozenset()
    return parsed.date_obj.date(), frozenset(parsed.parts or ())


def _trim_range(core: str) -> str:
    """"April 9-11, 2020" -> "April 9, 2020": a range is dated by its start."""
    if match := _DAY_RANGE.match(core):
        if match["month"]:
            return f"{match['month']} {match['day']}{match['rest'] or ''}"
        return f"{match['day2']} {match['month2']}{match['rest2'] or ''}"
    if match := _MONTH_RANGE.match(core):
        return f"{match['month']}{match['rest'] or ''}"
    return core


def _absolute(core: str, published: date | None, future: bool,
              text: str) -> ResolvedDate | None:
    if match := _YEAR_LABEL.match(core):
        return ResolvedDate(match["year"], YEAR, text, ABSOLUTE)
    core = _trim_range(core)
    parsed_day, parts = _date_data(core)
    if parsed_day is None:
        return None
    numeric = bool(_NUMERIC_DATE.search(core))
    has_year = "year" in parts and (numeric or bool(_YEAR_TOKEN.search(core)))
    has_month = "month" in parts and (numeric or bool(re.search(rf"\b{_MONTH}(?!\w)", core)))
    if ("year" in parts and not has_year) or ("month" in parts and not has_month):
        return None  # dateparser read a month or year into a bare number ("12", "9-11")
    if ("day" in parts and not has_month) or not (has_year or has_month):
        return None
    precision = DAY if "day" in parts else MONTH if has_month else YEAR
    if has_year:
        return ResolvedDate(_iso(parsed_day, precision), precision, text, ABSOLUTE)
    if published is None:
        return None
    placed = _place_in_year(parsed_day.month, parsed_day.day if precision == DAY else None,
                            published, future)
    if placed is None:
        return None
    return ResolvedDate(_iso(placed, precision), precision, text, PUBLISHED)


# --- entry point -------------------------------------------------------------------------

@functools.lru_cache(maxsize=4096)  # pure; dateparser costs ~2.5 ms a call
def resolve_date(text: str, *, published: date | None, anchor: ResolvedDate | None = None,
                 future: bool = False) -> ResolvedDate | None:
    """The date `text` names, at the precision it gives, or None when it names none.

    `published` is the article's publication date; `anchor` the date of the previous
    event in the text (for "four days later"); `future` says the event is still to come
    ("will resume flights Saturday"). Without `published`, only absolute dates resolve.
    Never raises on any text.
    """
    core = _core(text)
    if not _looks_like_date(core):
        return None
    if isinstance(published, datetime):
        published = published.date()
    try:
        resolved = _counted(core, published, anchor, text) or _neighbour(
            core, published, anchor, text)
        if resolved is None and published is not None:
            resolved = _relative_to_published(core, published, future, text)
    except (OverflowError, ValueError):
        return None  # arithmetic left the calendar (before year 1 or after 9999)
    return resolved or _absolute(core, published, future, text)
