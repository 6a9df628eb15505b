"""Money and quantity reading: every form news writes, the look-alikes that are not
amounts, USD conversion on dated rates, and offsets that always slice back to the text."""
from __future__ import annotations

import json
import math
from datetime import date, datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aidtrace.nlp.quantities import (Money, Quantity, find_money, find_quantities, parse_number,
                                     to_usd, unit_for_noun)

CORPUS = Path("/work/shared/corpus/dev")
QUALIFIERS = {None, "about", "at_least", "up_to"}
UNITS = {None, "tons", "doses", "pieces", "sets", "teams", "people", "flights", "litres",
         "gallons", "rolls", "pallets", "truckloads", "cartons", "sacks"}


@pytest.mark.parametrize("text, value", [
    ("1,100", 1100), ("8,480", 8480), ("146,000", 146000), ("3,600,000", 3_600_000),
    ("3.86 billion", 3.86e9), ("37.5 million", 37.5e6), ("0.5 million", 5e5),
    ("1.2bn", 1.2e9), ("50m", 5e7), ("50k", 5e4), ("1M", 1e6), ("5-million", 5e6),
    ("fifty million", 5e7), ("nine-hundred-fifty-million", 9.5e8),
    ("three-hundred-fifty-million", 3.5e8), ("eight hundred ten million", 8.1e8),
    ("four hundred sixty-six million", 4.66e8), ("four- billion", 4e9),
    ("one hundred and fifty", 150), ("fifteen hundred", 1500), ("twenty-one", 21),
    ("a million", 1e6), ("a hundred", 100), ("half a million", 5e5), ("a dozen", 12),
    ("two dozen", 24), ("four thousand million", 4e9), ("one million two hundred thousand", 1.2e6),
    ("Five million", 5e6), ("500 crore", 5e9),
])
def test_parse_number(text: str, value: float) -> None:
    assert parse_number(text) == pytest.approx(value)


@pytest.mark.parametrize("text", [
    "", "hundreds", "masks", "1,2", "five four", "twenty fifteen", "one two three",
    "5th", "3 million doses", "a", "million",
])
def test_parse_number_rejects(text: str) -> None:
    assert parse_number(text) is None


# (text, span, amount, currency, qualifier): the one amount in the text.
MONEY = [
    ("USAID announced $32 million in humanitarian assistance", "$32 million", 32e6, "USD", None),
    ("brings the total to nearly $2.5 billion for these crises", "$2.5 billion", 2.5e9, "USD",
     "about"),
    ("announced more than $575 million in additional aid", "$575 million", 575e6, "USD",
     "at_least"),
    ("CANADA: up to $5 million", "$5 million", 5e6, "USD", "up_to"),
    ("in the amount of approximately 270 million dollars", "270 million dollars", 270e6, "USD",
     "about"),
    ("Emergency Grant Aid of 14 million US dollars", "14 million US dollars", 14e6, "USD", None),
    ("15 billion U.S. dollars of lending", "15 billion U.S. dollars", 15e9, "USD", None),
    ("Grant Aid of 1 billion Japanese yen", "1 billion Japanese yen", 1e9, "JPY", None),
    ("a loan of 1 billion yen", "1 billion yen", 1e9, "JPY", None),
    ("Grant Aid of USD 2 million to Myanmar", "USD 2 million", 2e6, "USD", None),
    ("WFP: Food [USD 500,000]", "USD 500,000", 5e5, "USD", None),
    ("The UK has pledged £100,000 today", "£100,000", 1e5, "GBP", None),
    ("a new £119 million aid package", "£119 million", 119e6, "GBP", None),
    ("Germany has made €50,000 available", "€50,000", 5e4, "EUR", None),
    ("a €50m fund", "€50m", 5e7, "EUR", None),
    ("a €1M grant", "€1M", 1e6, "EUR", None),
    ("raising USD 1.2bn for Syria", "USD 1.2bn", 1.2e9, "USD", None),
    ("a $2.5bn package", "$2.5bn", 2.5e9, "USD", None),
    ("cost about 25,000,000 JPY to ship", "25,000,000 JPY", 2.5e7, "JPY", "about"),
    ("worth US$ 250,000 in kind", "US$ 250,000", 2.5e5, "USD", None),
    ("Canberra gave A$10 million", "A$10 million", 1e7, "AUD", None),
    ("Ottawa gave C$5m", "C$5m", 5e6, "CAD", None),
    ("Tokyo gave ¥500 million", "¥500 million", 5e8, "JPY", None),
    ("India gave Rs 500 crore", "Rs 500 crore", 5e9, "INR", None),
    ("Beijing gave 10 million yuan", "10 million yuan", 1e7, "CNY", None),
    ("Beijing gave 5 million renminbi", "5 million renminbi", 5e6, "CNY", None),
    ("Beijing gave RMB 3 billion", "RMB 3 billion", 3e9, "CNY", None),
    ("Bern gave 2 million Swiss francs", "2 million Swiss francs", 2e6, "CHF", None),
    ("Delhi gave 1 billion rupees", "1 billion rupees", 1e9, "INR", None),
    ("London gave 3 million pounds sterling", "3 million pounds sterling", 3e6, "GBP", None),
    ("London gave 3 million pounds", "3 million pounds", 3e6, "GBP", None),
    ("Brussels gave 20 million euros", "20 million euros", 2e7, "EUR", None),
    ("the fifty million dollars the United States made available", "fifty million dollars",
     5e7, "USD", None),
    ("asked Congress for nine-hundred-fifty-million dollars to help",
     "nine-hundred-fifty-million dollars", 9.5e8, "USD", None),
    ("the originally three-hundred-fifty-million dollars pledged",
     "three-hundred-fifty-million dollars", 3.5e8, "USD", None),
    ("Australia has offered eight hundred ten million dollars in aid",
     "eight hundred ten million dollars", 8.1e8, "USD", None),
    ("will provide four hundred sixty-six million dollars in aid",
     "four hundred sixty-six million dollars", 4.66e8, "USD", None),
    ("about four- billion-dollars in aid", "four- billion-dollars", 4e9, "USD", "about"),
    ("about four thousand million dollars in aid", "four thousand million dollars", 4e9,
     "USD", "about"),
    ("half a million dollars for Haiti", "half a million dollars", 5e5, "USD", None),
    ("a 50-million-dollar package", "50-million-dollar", 5e7, "USD", None),
    ("Some $4 billion in aid", "$4 billion", 4e9, "USD", "about"),
    ("roughly $10 million", "$10 million", 1e7, "USD", "about"),
    ("at least $5 billion", "$5 billion", 5e9, "USD", "at_least"),
    ("upwards of $3 million", "$3 million", 3e6, "USD", "at_least"),
    ("as much as $3 million", "$3 million", 3e6, "USD", "up_to"),
    ("no more than $3 million", "$3 million", 3e6, "USD", "up_to"),
    ("some 5 billion won", "5 billion won", 5e9, "KRW", "about"),
]


@pytest.mark.parametrize("text, span, amount, currency, qualifier", MONEY)
def test_find_money(text: str, span: str, amount: float, currency: str,
                    qualifier: str | None) -> None:
    found = find_money(text)
    assert len(found) == 1, found
    m = found[0]
    assert (m.text, m.currency, m.qualifier) == (span, currency, qualifier)
    assert m.amount == pytest.approx(amount)
    assert text[m.start:m.end] == span


def test_find_money_reads_each_amount_of_a_conversion() -> None:
    text = "Ireland is offering €1,000,000 (about $1.2 million)."
    assert [(m.text, m.currency, m.qualifier) for m in find_money(text)] == [
        ("€1,000,000", "EUR", None), ("$1.2 million", "USD", "about")]


# (text, span, value, unit, noun, qualifier): the one quantity in the text.
QUANTITIES = [
    ("China delivered 30 tons of masks, ventilators", "30 tons of masks", 30, "tons", "masks",
     None),
    ("The aircraft carried 18 tonnes of supplies to Nepal", "18 tonnes of supplies", 18, "tons",
     "supplies", None),
    ("500 metric tons of rice", "500 metric tons of rice", 500, "tons", "rice", None),
    ("18t of aid", "18t of aid", 18, "tons", "aid", None),
    ("transported 146,000 kilograms of emergency supplies",
     "146,000 kilograms of emergency supplies", 146, "tons", "emergency supplies", None),
    ("flew 500,000 pounds of food in", "500,000 pounds of food", 226.796185, "tons", "food",
     None),
    ("since then 3.86 billion masks have been exported", "3.86 billion masks", 3.86e9, "pieces",
     "masks", None),
    ("and 37.5 million sets of protective clothing have been exported",
     "37.5 million sets of protective clothing", 37.5e6, "sets", "protective clothing", None),
    ("Tonga got 8,480 doses.", "8,480 doses", 8480, "doses", "doses", None),
    ("up to 15 million doses will go", "15 million doses", 15e6, "doses", "doses", "up_to"),
    ("donating 99.6 million doses of the Johnson & Johnson vaccine for 2021",
     "99.6 million doses of the Johnson & Johnson vaccine", 99.6e6, "doses",
     "Johnson & Johnson vaccine", None),
    ("delivering 9 million COVID-19 vaccines around the world", "9 million COVID-19 vaccines",
     9e6, "doses", "COVID-19 vaccines", None),
    ("a million doses", "a million doses", 1e6, "doses", "doses", None),
    ("Five million doses are being offered", "Five million doses", 5e6, "doses", "doses", None),
    ("including 1,100 shelter kits.", "1,100 shelter kits", 1100, "pieces", "shelter kits", None),
    ("and 1,800 solar lanterns.", "1,800 solar lanterns", 1800, "pieces", "solar lanterns",
     None),
    ("3 test kits", "3 test kits", 3, "pieces", "test kits", None),
    ("and also sent three medical teams", "three medical teams", 3, "teams", "medical teams",
     None),
    ("and three search and rescue teams", "three search and rescue teams", 3, "teams",
     "search and rescue teams", None),
    ("18 Gurkha engineers consisting of 12 from 2nd Battalion", "18 Gurkha engineers", 18,
     "people", "Gurkha engineers", None),
    ("the arrival of more than 60 UK International Search and Rescue (UK ISAR) responders",
     "60 UK International Search and Rescue (UK ISAR) responders", 60, "people",
     "UK International Search and Rescue (UK ISAR) responders", "at_least"),
    ("as well as fifty aid workers", "fifty aid workers", 50, "people", "aid workers", None),
    ("rescue more than 3,000 people", "3,000 people", 3000, "people", "people", "at_least"),
    ("as many as 40 doctors", "40 doctors", 40, "people", "doctors", "up_to"),
    ("5 team members", "5 team members", 5, "people", "team members", None),
    ("Gates ordered the 19 helicopters to Pakistan", "19 helicopters", 19, "pieces",
     "helicopters", None),
    ("Two U.S. military helicopters were the first", "Two U.S. military helicopters", 2,
     "pieces", "U.S. military helicopters", None),
    ("they set up 6,000 tents to accommodate", "6,000 tents", 6000, "pieces", "tents", None),
    ("sent two naval ships", "two naval ships", 2, "pieces", "naval ships", None),
    ("two dozen trucks", "two dozen trucks", 24, "pieces", "trucks", None),
    ("2000 tents arrived", "2000 tents", 2000, "pieces", "tents", None),
    ("offered over 3,000 litres of disinfectant", "3,000 litres of disinfectant", 3000,
     "litres", "disinfectant", "at_least"),
    ("the plane carried 12 pallets of food", "12 pallets of food", 12, "pallets", "food", None),
    ("1,500 gallons of water", "1,500 gallons of water", 1500, "gallons", "water", None),
    ("a single U.S. cargo plane to deliver relief supplies", "a single U.S. cargo plane", 1,
     "flights", "U.S. cargo plane", None),
    ("already 330,000 FFP2 masks have now been delivered", "330,000 FFP2 masks", 330000,
     "pieces", "FFP2 masks", None),
    ("a dozen nurses", "a dozen nurses", 12, "people", "nurses", None),
    ("shipped to more than 130 countries", "130 countries", 130, None, "countries", "at_least"),
    ("four specialist rescue dogs", "four specialist rescue dogs", 4, None,
     "specialist rescue dogs", None),
    ("The United Nations has sent a team to Pakistan.", "a team", 1, "teams", "team", None),
    ("and an emergency medical relief team", "an emergency medical relief team", 1, "teams",
     "emergency medical relief team", None),
    ("a team of experts", "a team of experts", 1, "teams", "experts", None),
    # vague counts carry no value (see the module docstring)
    ("hundreds of tons of relief supplies", "hundreds of tons of relief supplies", None, "tons",
     "relief supplies", None),
    ("dozens of doctors", "dozens of doctors", None, "people", "doctors", None),
    ("tens of thousands of people", "tens of thousands of people", None, "people", "people",
     None),
]


@pytest.mark.parametrize("text, span, value, unit, noun, qualifier", QUANTITIES)
def test_find_quantities(text: str, span: str, value: float | None, unit: str | None,
                         noun: str | None, qualifier: str | None) -> None:
    found = find_quantities(text)
    assert len(found) == 1, found
    q = found[0]
    assert (q.text, q.unit, q.noun, q.qualifier) == (span, unit, noun, qualifier)
    assert q.value == (None if value is None else pytest.approx(value))
    assert text[q.start:q.end] == span


def test_partitive_takes_the_unit_of_the_whole() -> None:
    found = find_quantities("At least 80 million of the 100 million doses will go to COVAX")
    assert [(q.text, q.value, q.unit, q.qualifier) for q in found] == [
        ("80 million", 8e7, "doses", "at_least"), ("100 million doses", 1e8, "doses", None)]


def test_a_part_of_a_package_stated_before_counts_its_noun() -> None:
    found = find_quantities("Two million of these doses will be shipped to countries in Asia")
    assert [(q.text, q.value, q.unit) for q in found] == [
        ("Two million of these doses", 2e6, "doses")]
    assert find_quantities("one of these trucks broke down") == []


def test_money_is_not_a_quantity() -> None:
    text = "The UK gave £5 million and 3 teams; Japan gave 1 billion yen."
    assert [q.text for q in find_quantities(text)] == ["3 teams"]


@pytest.mark.parametrize("text", [
    "COVID-19 cases rose", "the G-7 met", "the G20 summit", "two C-17 landed",
    "FFP2 and N95 respirators", "Resolution 2254 calls for a ceasefire", "the 5th forum",
    "the third convoy", "50 percent of the aid", "30% of the aid", "50 per cent of homes",
    "by April 11, masks were shipped", "on March 24, 2020 officials", "on 14 August crews",
    "in 1951 broke off relations", "the 2015 earthquake victims", "at 10:30 teams arrived",
    "at 10 a.m. teams arrived", "a 7.2 magnitude earthquake", "a 7.2-magnitude earthquake",
    "a 50m wall", "in the 1990s donors", "Sept. 11 attacks",
    "Article 5 commitments", "Boeing 747 aircraft", "COVID 19 vaccines", "for 3 days",
    "over 20 years", "one of the helicopters", "one-off payments", "no one knows",
    "817,000 are to be transported", "Niger (496,800)", "millions of dollars",
    "hundreds of millions of dollars", "two-thirds of its goal", "two thirds funding",
    "19 EU Member States asked", "10 Member/Participating States have",
    "one official says", "the 2nd Battalion",
])
def test_not_quantities(text: str) -> None:
    assert find_quantities(text) == []


@pytest.mark.parametrize("text", [
    "the G20 summit", "COVID-19 cases", "millions of dollars", "$", "US dollars and euros",
    "50 percent", "the dollar rose 5 percent", "500,000 pounds of food", "he won 3 medals",
    "3 teams and 19 helicopters", "5 tons", "four-billion", "in 2020",
])
def test_not_money(text: str) -> None:
    assert find_money(text) == []


@pytest.mark.parametrize("noun, unit", [
    ("doses", "doses"), ("vaccines", "doses"), ("tons", "tons"), ("tonnes", "tons"),
    ("metric tons", "tons"), ("kilograms", "tons"), ("sets", "sets"), ("kit", "pieces"),
    ("test kits", "pieces"), ("shelter kits", "pieces"), ("teams", "teams"),
    ("medical teams", "teams"), ("flights", "flights"), ("cargo plane", "flights"),
    ("aircraft", "flights"), ("airlift", "flights"), ("people", "people"),
    ("Gurkha engineers", "people"), ("responders", "people"), ("staff", "people"),
    ("personnel", "people"), ("troops", "people"), ("volunteers", "people"),
    ("helicopters", "pieces"), ("ships", "pieces"), ("trucks", "pieces"), ("tents", "pieces"),
    ("generators", "pieces"), ("litres", "litres"), ("liters", "litres"), ("pallets", "pallets"), ("ventilators", "pieces"), ("masks", "pieces"),
    ("FFP2 masks", "pieces"), ("gloves", "pieces"), ("gowns", "pieces"), ("goggles", "pieces"),
    ("tests", "pieces"), ("solar lanterns", "pieces"), ("blankets", "pieces"),
    ("syringes", "pieces"), ("vials", "pieces"), ("boxes", "pieces"), ("countries", None),
    ("protective clothing", None), ("", None), ("2020", None),
])
def test_unit_for_noun(noun: str, unit: str | None) -> None:
    assert unit_for_noun(noun) == unit


@pytest.mark.parametrize("amount, currency, on, low, high", [
    (1e9, "JPY", date(2015, 5, 1), 7.5e6, 9.5e6),       # ~120 yen to the dollar
    (1e6, "GBP", date(2020, 9, 2), 1.2e6, 1.4e6),
    (1e6, "EUR", date(2021, 11, 22), 1.1e6, 1.25e6),
    (1e6, "EUR", datetime(2021, 11, 22, 9, 30), 1.1e6, 1.25e6),
    (1e5, "GBP", date(1990, 1, 1), 1.2e5, 2.0e5),       # before the ECB series: nearest rate
    (1e6, "USD", None, 1e6, 1e6),
    (1e6, "EUR", None, 0.8e6, 1.6e6),                   # latest rate
])
def test_to_usd(amount: float, currency: str, on: date | None, low: float, high: float) -> None:
    usd = to_usd(amount, currency, on)
    assert usd is not None and low <= usd <= high


@pytest.mark.parametrize("currency", ["XYZ", "PKR", "AED"])
def test_to_usd_unknown_currency(currency: str) -> None:
    assert to_usd(1e6, currency, date(2020, 1, 1)) is None


@pytest.mark.skipif(not CORPUS.exists(), reason="gold corpus not mounted")
def test_corpus_amounts_are_found() -> None:
    """Every gold money value of the dev corpus is read from its article; most gold
    quantities of dev and train are too, with the gold's unit (the rest have no noun next
    to the number: 'Niger (496,800)', or a unit the rulings read otherwise)."""
    money_hits = money_all = qty_hits = qty_all = 0
    for corpus in (CORPUS, CORPUS.parent / "train"):
        texts = {d["id"]: d["text"] for d in map(json.loads, (corpus / "articles.jsonl").open())}
        for gold in map(json.loads, (corpus / "gold.jsonl").open()):
            text = texts[gold["article"]]
            qtys = {(round(q.value, 3), q.unit) for q in find_quantities(text) if q.value is not None}
            gold_qtys = {(round(i["quantity"], 3), i.get("unit"))
                         for e in gold["events"] for i in e.get("items", []) if "quantity" in i}
            qty_all, qty_hits = qty_all + len(gold_qtys), qty_hits + len(gold_qtys & qtys)
            if corpus != CORPUS:
                continue
            money = {(round(m.amount), m.currency) for m in find_money(text)}
            gold_money = {(round(e["value"]["amount"]), e["value"]["currency"])
                          for e in gold["events"] if e.get("value")}
            money_all, money_hits = money_all + len(gold_money), money_hits + len(gold_money & money)
    assert money_all > 0 and money_hits == money_all
    assert qty_all > 0 and qty_hits / qty_all >= 0.73  # 102/135 when written


FRAGMENTS = ["$", "US$", "€", "£", "¥", "Rs", "USD", "JPY", "1,100", "3.86", "0", "2020", "19",
             "million", "billion", "bn", "m", "k", "-", "- ", "fifty", "nine-hundred", "a",
             "and", "of", "tons", "kg", "doses", "sets", "teams", "people", "masks", "dollars",
             "yen", "pounds", "euros", "more than", "about", "up to", "hundreds", "dozen",
             "COVID-19", "(", ")", ".", ",", "U.S.", "UK", "April", "%", "percent", "single",
             "half", "the", "\n", "thousand", "tens", "of the", "metric", "t", "won"]


def _check(text: str) -> None:
    moneys, qtys = find_money(text), find_quantities(text)
    for found in (moneys, qtys):
        for a, b in zip(found, found[1:]):
            assert a.end <= b.start
    for m in moneys:
        assert isinstance(m, Money) and text[m.start:m.end] == m.text and m.text
        assert m.qualifier in QUALIFIERS and len(m.currency) == 3
        assert math.isfinite(m.amount) and m.amount >= 0
    for q in qtys:
        assert isinstance(q, Quantity) and text[q.start:q.end] == q.text and q.text
        assert q.qualifier in QUALIFIERS and q.unit in UNITS
        assert q.value is None or (math.isfinite(q.value) and q.value >= 0)
        assert q.noun is None or q.noun in text
        assert all(q.end <= m.start or m.end <= q.start for m in moneys)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(FRAGMENTS) | st.text(max_size=4), max_size=14),
       st.sampled_from([" ", "", "-"]))
def test_spans_slice_back_on_amount_like_text(parts: list[str], sep: str) -> None:
    _check(sep.join(parts))


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=80))
def test_never_raises_on_any_text(text: str) -> None:
    _check(text)


@pytest.mark.parametrize("text, value", [
    ("a 19-member team arrived", 19.0),
    ("and a 64-strong search and rescue team", 64.0),
])
def test_sized_teams_count_people(text, value):
    [q] = find_quantities(text)
    assert q.value == value and q.unit == "people"


def test_more_between_number_and_noun():
    [q] = find_quantities("send nearly three hundred more health workers to Liberia")
    assert q.value == 300 and q.unit == "people" and q.qualifier == "about"


_PIECES = ["$", "US$", "€", "£", "USD", "RMB", "Rs.", "A$", "HK$", "SFr", "5", "1,200", "3.5",
           "million", "billion", "bn", "m", "a", "an", "half", "one", "twenty", "hundred",
           "thousand", "dozen", "hundreds", "of", "tons", "masks", "doses", "teams", "the",
           "to", "Italy", "sent", "worth", "dollars", "euros", "yen", "-", ",", "."]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=14).map(" ".join))
def test_skipping_words_no_number_starts_at_changes_nothing(text: str) -> None:
    """The readers' cheap skip tests only save time: reading every position gives the same."""
    from aidtrace.nlp import quantities as Q

    fast = Q.find_numbers(text)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(Q, "_may_start_money", lambda tok: True)
        mp.setattr(Q, "_may_start_number", lambda tok: True)
        slow = Q.find_numbers(text)
    assert fast == slow
