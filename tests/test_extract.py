"""Extraction on hand-written sentences (not the gold texts): one behaviour per case."""
from __future__ import annotations

from datetime import date

import pytest

from aidtrace.models import Article

PUB = date(2020, 4, 14)


def events(pipeline, text, published=PUB, title=None, outlet=None):
    doc = pipeline.process(Article(id="t", text=text, published=published, title=title,
                                   outlet=outlet))
    return doc.events


def keys(evs):
    """(type, source, target), with CONSULT direction-free as in the scorer."""
    out = set()
    for e in evs:
        s, t = e.source.code if e.source else None, e.target.code if e.target else None
        if e.type == "CONSULT" and s and t:
            s, t = sorted([s, t])
        out.add((e.type, s, t))
    return out


@pytest.mark.parametrize("text, expected", [
    # active, passive with agent, to/for recipients
    ("Japan sent 20 tons of rice to Nepal on Monday.", {("AID", "JPN", "NPL")}),
    ("Two field hospitals were donated by Germany to Ukraine last week.", {("AID", "DEU", "UKR")}),
    ("The World Bank approved a $50 million grant for Haiti.", {("AID", "WORLD_BANK", "HTI")}),
    # one event per recipient in a list
    ("Turkey shipped masks to Spain, Italy and the United Kingdom.",
     {("AID", "TUR", "ESP"), ("AID", "TUR", "ITA"), ("AID", "TUR", "GBR")}),
    # receiver role: "X received Y from Z"
    ("Serbia received ventilators from China on Saturday.", {("AID", "CHN", "SRB")}),
    # diplomacy around the aid
    ("The Italian foreign minister thanked Beijing for the supplies.", {("SUPPORT", "ITA", "CHN")}),
    ("Germany criticised the United States over the diverted masks.", {("ACCUSE", "DEU", "USA")}),
    ("Emmanuel Macron met Xi Jinping in Beijing.", {("CONSULT", "CHN", "FRA")}),
    ("Washington banned the export of N95 masks.", {("SANCTION", "USA", None)}),
    # the subject of "is ready to accept" reaches the infinitive through the adjective
    ("After the floods Nepal said it was ready to accept foreign aid.", {("AGREE", "NPL", None)}),
    # an infinitive of purpose is still the event ("sent a plane to deliver")
    ("Qatar sent a plane to deliver 20 tons of medical supplies to Iran.", {("AID", "QAT", "IRN")}),
])
def test_keys(pipeline, text, expected):
    assert expected <= keys(events(pipeline, text))


def test_maker_of_the_product_is_not_the_donor(pipeline):
    found = keys(events(pipeline, "Fiji received 50,000 doses of the Pfizer vaccine donated by "
                                  "New Zealand."))
    assert found == {("AID", "NZL", "FJI")}


@pytest.mark.parametrize("text", [
    "Japan did not send any masks to Nepal.",               # negated
    "Canada would send ventilators to Peru if asked.",      # hypothetical
    "Peru asked Canada to send ventilators.",               # merely requested
    "China wants to send more doctors to Italy.",           # wanted, not sent
    "Rome said Italy was working hard to provide relief to Albania.",  # an effort, not a transfer
])
def test_no_transfer(pipeline, text):
    assert not [e for e in events(pipeline, text) if e.type == "AID"]


def test_unnamed_recipients_counted(pipeline):
    [ev] = [e for e in events(pipeline, "Beijing has shipped masks to more than 130 countries.")
            if e.type == "AID"]
    assert ev.target is None and ev.target_count == 130
    assert ev.target_count_qualifier == "at_least"


def test_items_quantities_money_and_usd(pipeline):
    evs = events(pipeline, "The United Kingdom pledged £10 million and 500,000 doses of vaccine "
                           "to Kenya.", published=date(2021, 7, 1))
    [ev] = [e for e in evs if e.type == "AID" and e.target and e.target.code == "KEN"]
    assert ev.value.amount == 10_000_000 and ev.value.currency == "GBP"
    assert 12_000_000 < ev.value.usd < 15_000_000  # ECB rate of mid-2021
    doses = [i for i in ev.items if i.item_class == "vaccines"]
    assert doses and doses[0].quantity == 500_000 and doses[0].unit == "doses"
    assert ev.status == "pledged"


@pytest.mark.parametrize("text, status", [
    ("China will send masks to Italy.", "pledged"),
    ("China has shipped masks to Italy.", "shipped"),
    ("The masks arrived in Italy from China on Friday.", "delivered"),
])
def test_status(pipeline, text, status):
    [ev] = [e for e in events(pipeline, text) if e.type == "AID"]
    assert ev.status == status


def test_dates_relative_to_publication_and_previous_event(pipeline):
    evs = events(pipeline, "In late March, the United States pledged $100 million to Jordan. "
                           "Four days later, Washington banned exports of masks.")
    aid = next(e for e in evs if e.type == "AID")
    ban = next(e for e in evs if e.type == "SANCTION")
    assert aid.date == "2020-03" and aid.date_precision == "month"
    assert ban.date.startswith("2020-03") or ban.date.startswith("2020-04")


def test_attribution_according_to_and_said(pipeline):
    evs = events(pipeline, "According to the Chinese government, masks were shipped to Iran. "
                           "Australia will send doctors to Fiji, the prime minister said.")
    shipped = next(e for e in evs if e.target and e.target.code == "IRN")
    assert shipped.source.code == "CHN"  # the claimant is the only candidate donor
    assert shipped.claim.attributed_to.code == "CHN" and shipped.claim.cue == "according to"
    sent = next(e for e in evs if e.target and e.target.code == "FJI")
    assert sent.claim.attributed_to is not None


def test_recipient_from_previous_sentence(pipeline):
    evs = events(pipeline, "Chinese Foreign Minister Wang Yi spoke by phone with Luigi Di Mayo, "
                           "the Italian foreign minister. In March, China delivered 30 tons of "
                           "masks and sent three medical teams.")
    aid = [e for e in evs if e.type == "AID"]
    assert {e.target.code for e in aid} == {"ITA"}
    assert all(e.target.via.startswith("context") for e in aid)  # inferred, and says so
    consult = next(e for e in evs if e.type == "CONSULT")
    assert {consult.source.code, consult.target.code} == {"CHN", "ITA"}  # misspelled name


@pytest.mark.parametrize("title, target", [
    ("Japan pledges aid to Nepal after the floods", "NPL"),   # after "to": the story's place
    ("Nepal floods: Japan pledges aid", "NPL"),                # else the first country named
    ("Brussels welcomes new flood pledges", None),           # a capital alone is a government acting
    ("Flood aid to Kathmandu arrives", "NPL"),                 # but after "to" it is the place
])
def test_recipient_from_the_headline_is_a_place_not_an_acting_capital(pipeline, title, target):
    evs = events(pipeline, "Japan pledged $3 million in emergency relief on Tuesday.", title=title)
    aid = next(e for e in evs if e.type == "AID")
    assert aid.source.code == "JPN"
    assert (aid.target.code if aid.target else None) == target
    if target:
        assert aid.target.via == "context: headline"


def test_colon_list_after_generic_recipients(pipeline):
    evs = events(pipeline, "Countries to which Cuba sent doctors: Italy, Andorra and Peru.")
    assert {e.target.code for e in evs if e.type == "AID"} == {"ITA", "AND", "PER"}


def test_evidence_points_at_the_sentence(pipeline):
    text = "Intro sentence. Japan sent 20 tons of rice to Nepal."
    [ev] = events(pipeline, text)
    assert text[ev.evidence.start:ev.evidence.end] == ev.evidence.sentence
    assert text[ev.evidence.trigger_start:ev.evidence.trigger_end] == "sent"
    assert 0 < ev.confidence <= 1 and ev.extractor


def test_recipients_listed_after_a_package_carry_its_figures(pipeline):
    """The learned extractor's last step (events/model.py carry_packages): "X sends N to
    countries. They include A and B" gives A and B the package, marked as one."""
    from dataclasses import replace

    from aidtrace.events.model import carry_packages
    from aidtrace.models import Actor

    text = ("Japan will donate 3 million vaccine doses to countries in Southeast Asia. "
            "The recipients include Vietnam and Laos.")
    [package] = [e for e in events(pipeline, text) if e.type == "AID"]
    assert package.target is None and package.items[0].quantity == 3e6
    listed = [replace(package, target=Actor(code=c, text=c), items=(),
                      evidence=replace(package.evidence, sentence_index=1)) for c in ("VNM", "LAO")]
    carried = carry_packages(listed, [package])
    assert [(e.target.code, e.items[0].quantity, e.items[0].unit, e.granularity) for e in carried] \
        == [("VNM", 3e6, "doses", "package"), ("LAO", 3e6, "doses", "package")]
    far = [replace(e, evidence=replace(e.evidence, sentence_index=5)) for e in listed]
    assert carry_packages(far, [package]) == far  # three sentences on: another story
    other = [replace(e, source=Actor(code="KOR", text="Korea")) for e in listed]
    assert carry_packages(other, [package]) == other  # another donor's list
    # list lines under a heading (sentence 4) take the package stated before it, however
    # far, with its status and date: a line of names has no verb of its own
    lines = [replace(e, status="unknown", date=None, date_precision=None,
                     evidence=replace(e.evidence, sentence_index=6)) for e in listed]
    carried = carry_packages(lines, [package], {6: 4})
    assert [(e.items[0].quantity, e.status, e.date) for e in carried] == \
        [(3e6, package.status, package.date)] * 2
    assert carry_packages(lines, [package]) == lines  # no heading: too far
    total = replace(package, granularity="cumulative")  # "3 million doses so far": no package
    assert carry_packages(listed, [total]) == listed
