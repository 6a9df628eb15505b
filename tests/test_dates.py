"""Date expressions resolved against publication and the previous event's date."""
from __future__ import annotations

import re
from datetime import date, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aidtrace.nlp.dates import ResolvedDate, is_date_expression, resolve_date

TUE = date(2020, 4, 14)  # a Tuesday; the default publication date below
SAT = date(2020, 4, 18)
ON_APRIL_9 = ResolvedDate("2020-04-09", "day", "on April 9", "absolute")
IN_MARCH = ResolvedDate("2020-03", "month", "in March", "published")
IN_2015 = ResolvedDate("2015", "year", "in 2015", "absolute")

# text, published, anchor, future, expected "value/precision/basis" (None: not a date)
CASES = [
    # absolute: resolved by dateparser, with or without a publication date
    ("2015-04-25", None, None, False, "2015-04-25/day/absolute"),
    ("25 April 2015", TUE, None, False, "2015-04-25/day/absolute"),
    ("April 25, 2015", TUE, None, False, "2015-04-25/day/absolute"),
    ("on April 9th, 2020", None, None, False, "2020-04-09/day/absolute"),
    ("04/09/2020", None, None, False, "2020-04-09/day/absolute"),
    ("in 1951", None, None, False, "1951/year/absolute"),
    ("for 2007", TUE, None, False, "2007/year/absolute"),
    ("fiscal year 2007", TUE, None, False, "2007/year/absolute"),
    ("FY2020", TUE, None, False, "2020/year/absolute"),
    ("March 2020", None, None, False, "2020-03/month/absolute"),
    ("Jan. 2020", None, None, False, "2020-01/month/absolute"),
    ("mid-March 2020", None, None, False, "2020-03/month/absolute"),
    ("late 2019", None, None, False, "2019/year/absolute"),
    ("the first quarter of 2020", None, None, False, "2020/year/absolute"),
    ("summer 2020", None, None, False, "2020/year/absolute"),
    ("9-11 April 2020", None, None, False, "2020-04-09/day/absolute"),
    ("29 February 2020", None, None, False, "2020-02-29/day/absolute"),
    ("29 February 2019", None, None, False, None),  # no such day
    # month/day without a year: the publication year, unless that is > 7 days ahead
    ("April 9", TUE, None, False, "2020-04-09/day/published"),
    ("on March 24", TUE, None, False, "2020-03-24/day/published"),
    ("by April 11", TUE, None, False, "2020-04-11/day/published"),
    ("9 April", TUE, None, False, "2020-04-09/day/published"),
    ("Thursday, April 9", TUE, None, False, "2020-04-09/day/published"),
    ("April 9-11", TUE, None, False, "2020-04-09/day/published"),
    ("between April 9 and 11", TUE, None, False, "2020-04-09/day/published"),
    ("April 21", TUE, None, False, "2020-04-21/day/published"),  # 7 days ahead: kept
    ("April 22", TUE, None, False, "2019-04-22/day/published"),  # 8 days ahead: last year
    ("April 22", TUE, None, True, "2020-04-22/day/published"),
    ("In March", TUE, None, False, "2020-03/month/published"),
    ("in January", TUE, None, False, "2020-01/month/published"),
    ("late February", TUE, None, False, "2020-02/month/published"),
    ("at the end of March", TUE, None, False, "2020-03/month/published"),
    ("by the end of March", TUE, None, False, "2020-03/month/published"),
    ("the middle of March", TUE, None, False, "2020-03/month/published"),
    ("in early May", date(2020, 4, 28), None, False, "2020-05/month/published"),
    ("in early May", TUE, None, False, "2019-05/month/published"),
    ("in early May", TUE, None, True, "2020-05/month/published"),
    ("mid-April", TUE, None, False, "2020-04/month/published"),
    ("since March", TUE, None, False, "2020-03/month/published"),
    ("March and April", TUE, None, False, "2020-03/month/published"),
    ("April 9", None, None, False, None),
    # year rollover and leap days
    ("December 20", date(2020, 1, 5), None, False, "2019-12-20/day/published"),
    ("in December", date(2020, 1, 5), None, False, "2019-12/month/published"),
    ("January 3", date(2019, 12, 20), None, True, "2020-01-03/day/published"),
    ("in January", date(2020, 12, 20), None, True, "2021-01/month/published"),
    ("February 29", date(2020, 3, 10), None, False, "2020-02-29/day/published"),
    ("February 29", date(2021, 3, 1), None, False, "2020-02-29/day/published"),
    ("February 29", date(2021, 3, 1), None, True, "2024-02-29/day/published"),
    # weekdays: on or before publication (strictly before with "last"), or after if future
    ("on Sunday", TUE, None, False, "2020-04-12/day/published"),
    ("Thursday", TUE, None, False, "2020-04-09/day/published"),
    ("last Friday", TUE, None, False, "2020-04-10/day/published"),
    ("Tuesday", TUE, None, False, "2020-04-14/day/published"),
    ("last Tuesday", TUE, None, False, "2020-04-07/day/published"),
    ("early Saturday", TUE, None, False, "2020-04-11/day/published"),
    ("Friday morning", TUE, None, False, "2020-04-10/day/published"),
    ("Saturday", TUE, None, True, "2020-04-18/day/published"),
    ("Saturday", SAT, None, True, "2020-04-18/day/published"),
    ("next Saturday", SAT, None, False, "2020-04-25/day/published"),
    ("on Sunday", None, None, False, None),
    # relative to publication
    ("today", TUE, None, False, "2020-04-14/day/published"),
    ("this morning", TUE, None, False, "2020-04-14/day/published"),
    ("yesterday", TUE, None, False, "2020-04-13/day/published"),
    ("last night", TUE, None, False, "2020-04-13/day/published"),
    ("tomorrow", TUE, None, True, "2020-04-15/day/published"),
    ("the day before yesterday", TUE, None, False, "2020-04-12/day/published"),
    ("yesterday", date(2020, 3, 1), None, False, "2020-02-29/day/published"),
    ("last year", TUE, None, False, "2019/year/published"),
    ("late last year", TUE, None, False, "2019/year/published"),
    ("last year's", TUE, None, False, "2019/year/published"),
    ("this year", TUE, None, False, "2020/year/published"),
    ("next year", TUE, None, True, "2021/year/published"),
    ("last month", TUE, None, False, "2020-03/month/published"),
    ("last month", date(2020, 1, 31), None, False, "2019-12/month/published"),
    ("earlier this month", TUE, None, False, "2020-04/month/published"),
    ("last March", TUE, None, False, "2020-03/month/published"),
    ("last April", TUE, None, False, "2019-04/month/published"),
    ("next March", TUE, None, True, "2021-03/month/published"),
    ("four days ago", TUE, None, False, "2020-04-10/day/published"),
    ("four days ago", TUE, ON_APRIL_9, False, "2020-04-10/day/published"),
    ("two months ago", TUE, None, False, "2020-02/month/published"),
    ("a year ago", TUE, None, False, "2019/year/published"),
    ("four days ago", None, ON_APRIL_9, False, None),
    # weeks and weekends: the month holding them, the year if they straddle months
    ("this week", TUE, None, False, "2020-04/month/published"),
    ("earlier this week", date(2020, 4, 2), None, False, "2020/year/published"),
    ("later this week", date(2020, 4, 2), None, True, "2020-04/month/published"),
    ("last week", TUE, None, False, "2020-04/month/published"),
    ("last week", date(2020, 1, 2), None, False, "2019-12/month/published"),
    ("last week", date(2020, 1, 8), None, False, None),  # 30 December to 5 January
    ("over the weekend", TUE, None, False, "2020-04/month/published"),
    ("over the weekend", date(2020, 3, 2), None, False, "2020/year/published"),  # 29 Feb, 1 Mar
    # relative to the previous event
    ("four days later", TUE, ON_APRIL_9, False, "2020-04-13/day/anchor"),
    ("four days after this", TUE, ON_APRIL_9, False, "2020-04-13/day/anchor"),
    ("two weeks later", TUE, ON_APRIL_9, False, "2020-04-23/day/anchor"),
    ("a fortnight later", TUE, ON_APRIL_9, False, "2020-04-23/day/anchor"),
    ("a day after", TUE, ON_APRIL_9, False, "2020-04-10/day/anchor"),
    ("twenty-one days later", TUE, ON_APRIL_9, False, "2020-04-30/day/anchor"),
    ("a couple of days later", TUE, ON_APRIL_9, False, "2020-04-11/day/anchor"),
    ("4 days later", None, ON_APRIL_9, False, "2020-04-13/day/anchor"),
    ("four days before", TUE, ON_APRIL_9, False, "2020-04-05/day/anchor"),
    ("four days earlier", TUE, ON_APRIL_9, False, "2020-04-05/day/anchor"),
    ("the next day", TUE, ON_APRIL_9, False, "2020-04-10/day/anchor"),
    ("the following day", TUE, ON_APRIL_9, False, "2020-04-10/day/anchor"),
    ("the day before", TUE, ON_APRIL_9, False, "2020-04-08/day/anchor"),
    ("later that day", TUE, ON_APRIL_9, False, "2020-04-09/day/anchor"),
    ("on the same day", TUE, ON_APRIL_9, False, "2020-04-09/day/anchor"),
    ("two years later", TUE, ON_APRIL_9, False, "2022/year/anchor"),
    ("a month later", TUE, ON_APRIL_9, False, "2020-05/month/anchor"),
    ("the following year", TUE, IN_2015, False, "2016/year/anchor"),
    ("four days later", TUE, IN_MARCH, False, "2020-03/month/anchor"),
    ("the day before", TUE, IN_MARCH, False, "2020-03/month/anchor"),
    ("forty days later", TUE, IN_MARCH, False, "2020-04/month/anchor"),
    ("four days later", TUE, IN_2015, False, "2015/year/anchor"),
    ("four days before", TUE, None, False, "2020-04-10/day/published"),
    ("the previous day", TUE, None, False, "2020-04-13/day/published"),
    ("four days later", TUE, None, False, None),
    ("the next day", TUE, None, False, None),
    ("four days before", None, None, False, None),
    ("a few days later", TUE, ON_APRIL_9, False, None),
    ("72 hours later", TUE, ON_APRIL_9, False, None),
    ("9999 years later", TUE, ON_APRIL_9, False, None),  # beyond the calendar
    # not dates
    ("three years", TUE, None, False, None),
    ("for 72 hours", TUE, None, False, None),
    ("within seventy-two hours", TUE, None, False, None),
    ("over three years", TUE, None, False, None),
    ("in recent weeks", TUE, None, False, None),
    ("for decades", TUE, None, False, None),
    ("the past week", TUE, None, False, None),
    ("in two weeks", TUE, None, True, None),
    ("five-year-old", TUE, None, False, None),
    ("aged 12", TUE, None, False, None),
    ("the 1990s", TUE, None, False, None),
    ("the '90s", TUE, None, False, None),
    ("COVID-19", TUE, None, False, None),
    ("2019-20", TUE, None, False, None),
    ("12", TUE, None, False, None),
    ("the 9th", TUE, None, False, None),
    ("last summer", TUE, None, False, None),
    ("", TUE, None, False, None),
]


@pytest.mark.parametrize(("text", "published", "anchor", "future", "expected"), CASES,
                         ids=[f"{c[0] or 'empty'}|{c[1]}|{c[2] and c[2].value}|{c[3]}"
                              for c in CASES])
def test_resolve_date(text: str, published: date | None, anchor: ResolvedDate | None,
                      future: bool, expected: str | None) -> None:
    resolved = resolve_date(text, published=published, anchor=anchor, future=future)
    if expected is None:
        assert resolved is None
        return
    assert resolved is not None
    assert f"{resolved.value}/{resolved.precision}/{resolved.basis}" == expected
    assert resolved.text == text


@pytest.mark.parametrize(("text", "expected"), [
    ("on April 9", True), ("in late March", True), ("2015", True), ("Thursday", True),
    ("four days later", True), ("last year", True), ("the next day", True),
    ("three years", False), ("for 72 hours", False), ("within seventy-two hours", False),
    ("over three years", False), ("for decades", False), ("the 1990s", False),
    ("COVID-19", False), ("aged 5", False), ("masks", False), ("", False),
])
def test_is_date_expression(text: str, expected: bool) -> None:
    assert is_date_expression(text) is expected


def test_published_may_be_a_datetime() -> None:
    resolved = resolve_date("yesterday", published=datetime(2020, 4, 14, 23, 59))
    assert resolved == ResolvedDate("2020-04-13", "day", "yesterday", "published")


def test_start_of_a_resolved_date() -> None:
    assert IN_MARCH.start == date(2020, 3, 1)
    assert IN_2015.start == date(2015, 1, 1)
    assert ON_APRIL_9.start == date(2020, 4, 9)


_SHAPE = {"day": r"\d{4}-\d{2}-\d{2}", "month": r"\d{4}-\d{2}", "year": r"\d{4}"}
_WORDS = ["on", "in", "late", "the", "next", "last", "day", "days", "later", "before", "ago",
          "April", "Feb", "29", "9", "2020", "0001", "9999", "-", "Sunday", "weekend",
          "week", "year", "month", "a", "twenty-one", "99999", "mid-", "of", "and", ",", "."]
_anchors = st.one_of(st.none(), st.builds(
    lambda day, precision: ResolvedDate(
        day.isoformat()[: {"day": 10, "month": 7, "year": 4}[precision]], precision, "x",
        "absolute"),
    st.dates(), st.sampled_from(["day", "month", "year"])))
_texts = st.one_of(st.text(max_size=60),
                   st.lists(st.sampled_from(_WORDS), max_size=6).map(" ".join))


@settings(deadline=None, max_examples=300)  # deadline off: dateparser's first call loads data
@given(text=_texts, published=st.one_of(st.none(), st.dates()), anchor=_anchors,
       future=st.booleans())
def test_resolve_date_never_raises(text: str, published: date | None,
                                   anchor: ResolvedDate | None, future: bool) -> None:
    resolved = resolve_date(text, published=published, anchor=anchor, future=future)
    if resolved is not None:
        assert re.fullmatch(_SHAPE[resolved.precision], resolved.value)
        assert resolved.text == text
        assert resolved.basis in ("absolute", "published", "anchor")
        assert is_date_expression(text)


def test_common_forms_read_without_dateparser_agree_with_it():
    """The fast path for "April 3, 2020"-style dates gives dateparser's own answer."""
    import itertools

    from aidtrace.nlp import dates as D

    months = ["April", "april", "Apr", "Apr.", "Sept.", "Sep", "September", "May", "February",
              "Feb", "December", "dec."]
    days = ["1", "3", "29", "30", "31", "3rd", "1st", "22nd", "15th", "0", "32"]
    forms = []
    for m, d, y in itertools.product(months, days, ["", "2020", "1999"]):
        tail = f", {y}" if y else ""
        forms += [f"{m} {d}{tail}", f"{m} {d}{tail.replace(',', '')}", f"{d} {m}{tail.replace(',', '')}",
                  f"{d} of {m}{tail}"]
    forms += [f"{m}{sep} {y}" for m in months for sep in ("", ",") for y in ("2020", "1999")]
    assert all(D._COMMON_DATE.fullmatch(f) for f in forms)
    for form in forms:
        D._date_data.cache_clear()
        parsed = D._parser().get_date_data(form)
        want = (parsed.date_obj.date(), frozenset(parsed.parts)) if parsed.date_obj else (None, frozenset())
        assert D._date_data(form) == want, form
