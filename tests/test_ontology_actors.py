"""The actor gazetteer: lookups over the bundled data, user overrides, validation errors."""
from __future__ import annotations

import logging
import re
from datetime import date
from pathlib import Path

import pytest

from aidtrace.errors import DataFileError
from aidtrace.ontology.actors import (
    COLUMNS,
    FORM_KINDS,
    ActorEntry,
    Gazetteer,
    default_gazetteer,
)

HEADERS = {name: ",".join([*columns, "note"]) for name, columns in COLUMNS.items()}


def lookup(text: str, **kwargs: object) -> ActorEntry | None:
    return default_gazetteer().lookup(text, **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize("text, code", [
    # names, aliases, historic names
    ("China", "CHN"), ("the United States", "USA"), ("United States of America", "USA"),
    ("America", "USA"), ("U.S.", "USA"), ("US", "USA"), ("USA", "USA"), ("UK", "GBR"),
    ("U.K.", "GBR"), ("Britain", "GBR"), ("Great Britain", "GBR"), ("Burma", "MMR"),
    ("Ivory Coast", "CIV"), ("Côte d'Ivoire", "CIV"), ("Cote d'Ivoire", "CIV"),
    ("DRC", "COD"), ("Congo-Kinshasa", "COD"), ("Republic of the Congo", "COG"),
    ("the Holy See", "VAT"), ("Vatican", "VAT"), ("South Korea", "KOR"),
    ("Republic of Korea", "KOR"), ("North Korea", "PRK"), ("Türkiye", "TUR"),
    ("Turkiye", "TUR"), ("Kosovo", "XKX"), ("Taiwan", "TWN"), ("Palestine", "PSE"),
    ("Gaza", "PSE"), ("Chad", "TCD"), ("Swaziland", "SWZ"), ("Macedonia", "MKD"),
    # possessives and "the"
    ("China's", "CHN"), ("the Philippines", "PHL"), ("Philippines'", "PHL"),
    # capitals as metonyms
    ("Beijing", "CHN"), ("Washington", "USA"), ("Moscow", "RUS"), ("Rome", "ITA"),
    ("Kathmandu", "NPL"), ("Islamabad", "PAK"), ("Rangoon", "MMR"), ("Yangon", "MMR"),
    ("Naypyidaw", "MMR"), ("Tehran", "IRN"), ("Cairo", "EGY"), ("Brussels", "BEL"),
    # demonyms, with the people form
    ("Chinese", "CHN"), ("Italian", "ITA"), ("American", "USA"), ("Americans", "USA"),
    ("British", "GBR"), ("Burmese", "MMR"), ("Pakistani", "PAK"), ("Pakistanis", "PAK"),
    ("Filipino", "PHL"), ("Philippine", "PHL"), ("Congolese", "COD"),
])
def test_states_by_name_alias_capital_and_demonym(text: str, code: str) -> None:
    entry = lookup(text)
    assert entry is not None, text
    assert (entry.code, entry.kind) == (code, "state")


@pytest.mark.parametrize("text, code, sector", [
    ("WHO", "WHO", "IGO"), ("World Health Organization", "WHO", "IGO"),
    ("W.H.O.", "WHO", "IGO"), ("European Commission", "EU", "IGO"), ("EEAS", "EU", "IGO"),
    ("rescEU", "EU", "IGO"), ("Team Europe", "EU", "IGO"), ("UCPM", "EU", "IGO"),
    ("U.N.", "UN", "IGO"), ("OCHA", "UN", "IGO"), ("UN Security Council", "UN", "IGO"),
    ("U.N. World Food Program", "WFP", "IGO"), ("Unicef", "UNICEF", "IGO"),
    ("the Red Cross", "RED_CROSS", "NGO"), ("ICRC", "ICRC", "NGO"), ("IFRC", "IFRC", "NGO"),
    ("Doctors Without Borders", "MSF", "NGO"), ("Médecins Sans Frontières", "MSF", "NGO"),
    ("Covax", "COVAX", "IGO"), ("World Bank", "WORLD_BANK", "IGO"), ("Nato", "NATO", "IGO"),
    # national bodies count as their state, with a sector
    ("USAID", "USA", "GOV"), ("State Department", "USA", "GOV"), ("Pentagon", "USA", "MIL"),
    ("U.S. Navy", "USA", "MIL"), ("White House", "USA", "GOV"), ("Congress", "USA", "GOV"),
    ("CDC", "USA", "MED"), ("DFID", "GBR", "GOV"), ("FCDO", "GBR", "GOV"),
    ("RAF", "GBR", "MIL"), ("JICA", "JPN", "GOV"), ("Bundeswehr", "DEU", "MIL"),
    ("China's Foreign Ministry", "CHN", "GOV"), ("PLA", "CHN", "MIL"),
    ("Xinhua", "CHN", "MEDIA"), ("Iranian Red Crescent", "IRN", "NGO"),
    ("Iran's Red Crescent", "IRN", "NGO"), ("American Red Cross", "USA", "NGO"),
    ("Jack Ma Foundation", "CHN", "NGO"), ("Alibaba", "CHN", "BUS"), ("Huawei", "CHN", "BUS"),
    ("Samaritan's Purse", "USA", "NGO"), ("Gates Foundation", "USA", "NGO"),
    ("Pfizer", "USA", "BUS"), ("Sinopharm", "CHN", "BUS"), ("AstraZeneca", "GBR", "BUS"),
    ("the Kremlin", "RUS", "GOV"), ("the Pope", "VAT", "GOV"),
])
def test_organisations_and_national_bodies(text: str, code: str, sector: str) -> None:
    entry = lookup(text)
    assert entry is not None, text
    assert (entry.code, entry.sector) == (code, sector)
    assert entry.kind in {"org", "group"}


def test_groups_have_their_own_kind() -> None:
    assert lookup("G20") == default_gazetteer().entry("G20")
    assert default_gazetteer().entry("G20").kind == "group"  # type: ignore[union-attr]


@pytest.mark.parametrize("lower, proper", [("us", "US"), ("who", "WHO"), ("au", "AU"),
                                           ("polish", "Polish"), ("chinese", "Chinese"),
                                           ("bush", "Bush")])
def test_abbreviations_demonyms_and_surnames_need_their_capitals(lower: str, proper: str
                                                                 ) -> None:
    assert lookup(lower) is None
    assert lookup(proper) is not None


@pytest.mark.parametrize("text, name, code", [
    ("Luigi Di Mayo", "Luigi Di Maio", "ITA"),
    ("Luigi Di Maio", "Luigi Di Maio", "ITA"),
    ("Di Maio", "Luigi Di Maio", "ITA"),
    ("Angela Merkl", "Angela Merkel", "DEU"),
    ("Tedros Adhanom Gebreyesus", "Tedros Adhanom Ghebreyesus", "WHO"),
    ("Lenarcic", "Janez Lenarčič", "EU"),
    ("David Beasley", "David Beasley", "WFP"),
])
def test_officials_count_as_their_state_or_agency(text: str, name: str, code: str) -> None:
    entry = lookup(text, on=date(2020, 4, 1))
    assert entry is not None, text
    assert (entry.kind, entry.name, entry.code) == ("person", name, code)


def test_misspelled_official_is_filtered_by_date() -> None:
    assert lookup("Josep Borrel", on=date(2020, 4, 1)).code == "EU"  # type: ignore[union-attr]
    assert lookup("Josep Borrel", on=date(2019, 1, 10)).code == "ESP"  # type: ignore[union-attr]
    assert lookup("Luigi Di Mayo", fuzzy=False) is None


@pytest.mark.parametrize("text, on, code, role, start", [
    ("Wang Yi", date(2020, 4, 1), "CHN", "foreign_minister", date(2013, 3, 16)),
    ("Wang Yi", date(2024, 1, 1), "CHN", "foreign_minister", date(2023, 7, 25)),
    ("Kallas", date(2022, 6, 1), "EST", "head_of_government", date(2021, 1, 26)),
    ("Kallas", date(2025, 6, 1), "EU", "eu_high_rep", date(2024, 12, 1)),
    ("Trump", date(2019, 6, 1), "USA", "head_of_state", date(2017, 1, 20)),
    ("Donald Trump", date(2025, 6, 1), "USA", "head_of_state", date(2025, 1, 20)),
    ("Ban Ki-moon", date(2005, 1, 1), "KOR", "foreign_minister", date(2004, 1, 17)),
    ("Ban Ki-moon", date(2010, 1, 1), "UN", "secretary_general", date(2007, 1, 1)),
    # outside every term: the nearest one
    ("Kallas", date(2019, 1, 1), "EST", "head_of_government", date(2021, 1, 26)),
])
def test_date_picks_the_term(text: str, on: date, code: str, role: str, start: date) -> None:
    entry = lookup(text, on=on)
    assert entry is not None
    assert (entry.code, entry.role, entry.start) == (code, role, start)


def test_without_a_date_the_latest_term_wins() -> None:
    entry = lookup("Josep Borrell")
    assert entry is not None and (entry.code, entry.role) == ("EU", "eu_high_rep")


@pytest.mark.parametrize("text", [
    "John Smith", "Elon Musk", "Li Wei", "Maria Rossi", "Kim Jong Un", "Rahul Gandhi",
    "Gavin Newsom", "Mercy Malaysia", "Arab Development Bank", "Turkish Airlines",
    "Li Xiang", "Oxfam America", "", "   ", "the",
])
def test_unrelated_names_return_none(text: str) -> None:
    assert lookup(text, on=date(2020, 4, 1)) is None


def test_demonym() -> None:
    gaz = default_gazetteer()
    assert gaz.demonym("Chinese") == "CHN"
    assert gaz.demonym("U.S.") == "USA"
    assert gaz.demonym("Congolese") == "COD"
    assert gaz.demonym("South Korean") == "KOR"
    assert gaz.demonym("chinese") is None
    assert gaz.demonym("Beijing") is None


def test_entry_and_part_of() -> None:
    gaz = default_gazetteer()
    assert gaz.entry("VAT").name == "Holy See"  # type: ignore[union-attr]
    assert gaz.entry("USA").kind == "state"  # type: ignore[union-attr]
    assert gaz.entry("WFP").sector == "IGO"  # type: ignore[union-attr]
    assert gaz.entry("NOPE") is None
    hong_kong = gaz.lookup("Hong Kong")
    assert hong_kong is not None and (hong_kong.code, hong_kong.part_of) == ("HKG", "CHN")


def test_aliases_for_a_phrase_matcher() -> None:
    forms = {(surface, entry.code, kind) for surface, entry, kind in default_gazetteer().aliases()}
    assert {kind for _, _, kind in forms} == set(FORM_KINDS)
    for expected in [("China", "CHN", "name"), ("Burma", "MMR", "alias"),
                     ("Chinese", "CHN", "demonym"), ("Beijing", "CHN", "capital"),
                     ("WHO", "WHO", "abbrev"), ("U.S.", "USA", "abbrev"),
                     ("Luigi Di Maio", "ITA", "person"), ("Di Maio", "ITA", "surname"),
                     ("USAID", "USA", "abbrev"), ("Pentagon", "USA", "name")]:
        assert expected in forms


def test_default_gazetteer_is_loaded_once() -> None:
    assert default_gazetteer() is default_gazetteer()


def test_every_country_converter_country_is_present() -> None:
    """The bundled list covers ISO 3166-1 as country_converter knows it, and nothing else;
    and where country_converter reads one of our names it agrees on the code."""
    import country_converter

    converter = country_converter.CountryConverter()
    known = set(converter.data["ISO3"])
    gaz = default_gazetteer()
    states = {surface: entry.code for surface, entry, kind in gaz.aliases()
              if entry.kind == "state" and kind in {"name", "alias"}}
    assert {code for code in states.values()} == known
    logging.disable(logging.WARNING)  # coco logs every name it does not know
    try:
        read = converter.convert(list(states), to="ISO3", not_found=None)
    finally:
        logging.disable(logging.NOTSET)
    disagree = {s: (states[s], r) for s, r in zip(states, read) if r in known and r != states[s]}
    assert disagree == {"Congo": ("COD", "COG")}  # our documented choice


def _write(directory: Path, name: str, *rows: str, header: str | None = None) -> Path:
    path = directory / name
    path.write_text("\n".join([header or HEADERS[name], *rows]) + "\n", encoding="utf-8")
    return path


def test_user_directory_adds_and_overrides(tmp_path: Path) -> None:
    _write(tmp_path, "countries.csv",
           "CHN,China,Middle Kingdom;PRC,Chinese,Beijing;Peking,,",
           "#  a comment line is skipped",
           "")
    _write(tmp_path, "organisations.csv",
           "KEN,Acme Relief,Acme,NGO,body,",
           "CHN,Huawei,Huawei Technologies,NGO,body,a user may disagree on the sector")
    _write(tmp_path, "officials.csv",
           "Wang Yi,Minister Wang,CHN,foreign_minister,2013-03-16,,one open term",
           "Jane Roe,Roe,KEN,aid_minister,2021,2022-06,")
    gaz = Gazetteer.load([tmp_path])
    assert gaz.lookup("Middle Kingdom").code == "CHN"  # type: ignore[union-attr]
    assert gaz.lookup("Acme").code == "KEN"  # type: ignore[union-attr]
    assert gaz.lookup("Huawei").sector == "NGO"  # type: ignore[union-attr]
    wang = gaz.lookup("Wang Yi", on=date(2023, 3, 1))
    assert wang is not None and (wang.start, wang.end) == (date(2013, 3, 16), None)
    roe = gaz.lookup("Roe", on=date(2021, 5, 1))
    assert roe is not None and (roe.code, roe.start, roe.end) == (
        "KEN", date(2021, 1, 1), date(2022, 6, 30))
    # untouched defaults stay, and the default gazetteer is not changed
    assert gaz.lookup("Xinhua").code == "CHN"  # type: ignore[union-attr]
    assert default_gazetteer().lookup("Acme") is None
    assert default_gazetteer().lookup("Huawei").sector == "BUS"  # type: ignore[union-attr]


CASES = [
    ("countries.csv", ["ZZ1,Nowhere,,,,,"], 2, "not three capitals"),
    ("countries.csv", ["ZZZ,Nowhere,,,,,"], 2, "not an ISO 3166-1"),
    ("countries.csv", ["FRA,,,,,,"], 2, "name is empty"),
    ("countries.csv", ["FRA,France,,,,,", "FRA,France,,,,,"], 3, "appears twice"),
    ("countries.csv", ["FRA,France,,,,XXX,"], 2, "part_of"),
    ("countries.csv", ["FRA,France,Gallia,,,", ], 2, "fields"),
    ("organisations.csv", ["FOO,Foo Aid,,CHARITY,ngo,"], 2, "sector 'CHARITY'"),
    ("organisations.csv", ["FOO,Foo Aid,,NGO,club,"], 2, "kind 'club'"),
    ("organisations.csv", ["foo,Foo Aid,,NGO,ngo,"], 2, "code 'foo'"),
    ("organisations.csv", ["QQQ,Foo Agency,,GOV,body,"], 2, "code QQQ is neither"),
    ("organisations.csv", ["FRA,Foo Union,,IGO,igo,"], 2, "is a country"),
    ("organisations.csv", ["ITA,Beijing Friends,Chinese;Beijing,NGO,body,"], 2,
     "already CHN"),
    ("officials.csv", ["Jane Roe,,QQQ,minister,2020,,"], 2, "code QQQ"),
    ("officials.csv", ["Jane Roe,,KEN,queen,2020,,"], 2, "role 'queen'"),
    ("officials.csv", ["Jane Roe,,KEN,minister,2020-13-01,,"], 2, "bad date"),
    ("officials.csv", ["Jane Roe,,KEN,minister,20.1.2020,,"], 2, "bad date"),
    ("officials.csv", ["Jane Roe,,KEN,minister,2021-05-01,2020-01-01,"], 2, "is after"),
    ("officials.csv", ["#", "", ",Roe,KEN,minister,,,"], 4, "name is empty"),
]


@pytest.mark.parametrize("name, rows, line, message", CASES)
def test_bad_rows_name_file_and_line(tmp_path: Path, name: str, rows: list[str], line: int,
                                      message: str) -> None:
    path = _write(tmp_path, name, *rows)
    with pytest.raises(DataFileError, match=re.escape(f"{path}:{line}:")) as caught:
        Gazetteer.load([tmp_path])
    assert message in str(caught.value)
    assert "[A002]" in str(caught.value)


def test_new_organisation_and_body_of_it(tmp_path: Path) -> None:
    _write(tmp_path, "organisations.csv", "ZED,Zed Union,Zedland Union,IGO,igo,",
           "ZED,Zed Relief Office,,IGO,body,")
    gaz = Gazetteer.load([tmp_path])
    assert gaz.entry("ZED").name == "Zed Union"  # type: ignore[union-attr]
    office = gaz.lookup("Zed Relief Office")
    assert office is not None and (office.code, office.kind) == ("ZED", "org")


def test_bad_header_and_empty_file(tmp_path: Path) -> None:
    path = _write(tmp_path, "officials.csv", "Jane Roe,,KEN,minister,,", header="name,code,role")
    with pytest.raises(DataFileError, match=re.escape(f"{path}:1:")):
        Gazetteer.load([tmp_path])
    path.write_text("# only a comment\n", encoding="utf-8")
    with pytest.raises(DataFileError, match="empty file"):
        Gazetteer.load([tmp_path])


def test_unknown_file_or_missing_directory(tmp_path: Path) -> None:
    (tmp_path / "official.csv").write_text("name\n", encoding="utf-8")
    with pytest.raises(DataFileError, match="official.csv"):
        Gazetteer.load([tmp_path])
    with pytest.raises(DataFileError, match="not a directory"):
        Gazetteer.load([tmp_path / "nope"])
