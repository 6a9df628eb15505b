"""Actor mentions: names, demonyms, capitals, officials, and references back by rule."""
from __future__ import annotations

from datetime import date

from aidtrace.models import Article


def mentions(pipeline, text, published=date(2020, 4, 14)):
    return pipeline.process(Article(id="m", text=text, published=published)).mentions


def test_names_demonyms_capitals_and_officials(pipeline):
    found = {(m.text, m.code) for m in mentions(
        pipeline, "Beijing said the Italian minister met Josep Borrel and the WHO in Geneva.")}
    assert ("Beijing", "CHN") in found
    assert ("Italian", "ITA") in found
    assert ("Josep Borrel", "EU") in found  # misspelled, still the EU's High Representative
    assert ("WHO", "WHO") in found


def test_lower_case_words_are_not_abbreviations(pipeline):
    codes = {m.code for m in mentions(pipeline, "They told us who would help.")}
    assert "USA" not in codes and "WHO" not in codes


def test_a_place_named_after_an_actor_is_not_that_actor(pipeline):
    found = [(m.text, m.code) for m in mentions(
        pipeline, "Japan will help 31 countries in Latin America and around Lake Chad. "
                  "America and Chad welcomed it.") if m.kind != "pronoun"]
    assert found == [("Japan", "JPN"), ("America", "USA"), ("Chad", "TCD")]
    # the tokens-only matching of headlines skips them too
    headline = pipeline.nlp.make_doc("Aid for cold chains in Latin America, from America")
    assert [sp.text for sp in pipeline.finder.match(headline)] == ["America"]
    assert pipeline.finder.match(headline)[0].start == 9  # the second one


def test_pronouns_and_roles_point_back(pipeline):
    ms = mentions(pipeline, "Mike Pompeo spoke to reporters. He praised the aid. "
                            "Japan is a donor. The government said it would give more.")
    he = next(m for m in ms if m.text == "He")
    assert he.code == "USA" and ms[he.antecedent].text == "Mike Pompeo"
    gov = next(m for m in ms if m.text == "government")
    assert gov.code == "JPN"


def test_officials_depend_on_the_date(pipeline):
    before = {m.code for m in mentions(pipeline, "Federica Mogherini spoke.", date(2014, 5, 1))}
    after = {m.code for m in mentions(pipeline, "Federica Mogherini spoke.", date(2016, 5, 1))}
    assert before == {"ITA"} and after == {"EU"}
