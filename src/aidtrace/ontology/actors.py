"""The actor gazetteer: which state or organisation a name, demonym, capital, agency,
company or official stands for.

Three CSV files in ``data/`` hold the facts; users extend or correct them with directories
holding files of the same names and columns (``Gazetteer.load(extra_dirs)``)::

    countries.csv      iso3, name, aliases, demonyms, capitals, part_of[, note]
    organisations.csv  code, name, aliases, sector, kind[, note]
    officials.csv      name, aliases, code, role, start, end[, note]

List cells are ';'-separated, lines starting with '#' are comments, and ``note`` is for
people only (sources, why a form is left out). CSV and not YAML: thousands of flat rows that
a spreadsheet can edit, read by the stdlib in a few milliseconds.

Coding rules (design §2, corpus README "How events are annotated"):

- Every ISO 3166-1 entry (plus XKX Kosovo) is a ``state`` entry under its alpha-3 code. A
  dependency names its sovereign in ``part_of`` (HKG -> CHN) so that a caller can apply
  "a city or province counts as its country" without losing what the text said.
- An organisation row of kind ``igo``, ``ngo`` or ``group`` defines its own code (WHO, MSF,
  G20). A row of kind ``body`` counts as the actor whose code it carries and adds a sector:
  USAID -> USA/GOV, the Pentagon -> USA/MIL, Huawei -> CHN/BUS, OCHA -> UN/IGO.
- An official counts as the code of the row for the dates of the row (Wang Yi -> CHN as
  foreign minister 2013-03-16..2022-12-30 and from 2023-07-25). ``end`` empty means in office
  or not known; partial dates are allowed ("2015", "2015-06") and widen to the whole
  period, so that an uncertain date is written as uncertain instead of invented.

Surface forms and case: abbreviations (every letter upper case: "US", "WHO", "AU") are
matched case-sensitively because their lower-case forms are English words; demonyms and
surnames must start with a capital ("Polish", "Bush") for the same reason. Everything else
is case-, diacritic-, punctuation- and leading-"the"-insensitive.

Left out on purpose (each would mislead more often than it helps): capitals shared with many
other places or common words (Kingston, Victoria, Georgetown, Santiago, San José, Hamilton,
Malé, Cayenne, Sucre, The Hague), Jerusalem (contested between ISR and PSE), the demonym
"English" (a language), "Persian", "Kiwi", "Finn", and surnames that are common words or
shared by several officials of the period (Ban, May, Brown, Kim, Li, Wang, Lee, Moon, Michel,
Johnson, Sharif, Khan). "Congolese" and plain "Congo" go to COD (the usual sense in the
news; COG is "Republic of the Congo", "Congo-Brazzaville"); "Korean" goes to KOR.
"""
from __future__ import annotations

import csv
import re
import unicodedata
from calendar import monthrange
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache, lru_cache
from pathlib import Path

from rapidfuzz import fuzz, process

from ..errors import DataFileError

DATA = Path(__file__).parent / "data"

COLUMNS: dict[str, tuple[str, ...]] = {
    "countries.csv": ("iso3", "name", "aliases", "demonyms", "capitals", "part_of"),
    "organisations.csv": ("code", "name", "aliases", "sector", "kind"),
    "officials.csv": ("name", "aliases", "code", "role", "start", "end"),
}
OPTIONAL_COLUMNS = ("note",)
SECTORS = frozenset({"GOV", "MIL", "MED", "BUS", "NGO", "MEDIA", "PARTY", "IGO"})
ORG_KINDS = frozenset({"igo", "ngo", "group", "body"})
ROLES = frozenset({
    "head_of_state", "head_of_government", "claimant", "foreign_minister",
    "deputy_foreign_minister", "spokesperson", "defence_minister", "aid_minister",
    "health_minister", "minister", "agency_head", "relief_coordinator", "eu_high_rep",
    "commission_president", "council_president", "commissioner", "secretary_general",
    "ambassador", "envoy", "military_chief",
})
FORM_KINDS = ("name", "alias", "demonym", "capital", "abbrev", "person", "surname")
FUZZY_CUTOFF = 90.0  # "Luigi Di Mayo" scores 92, "Josep Borrel" 96, "Li Keqiang"~"Li Qiang" 89
FUZZY_MARGIN = 3.0   # a runner-up for another actor this close makes the match ambiguous
FUZZY_MIN_CHARS = 6  # shorter strings have too many neighbours to guess from

_CODE = re.compile(r"[A-Z][A-Z0-9_]*\Z")
_ISO3 = re.compile(r"[A-Z]{3}\Z")
_POSSESSIVE = re.compile(r"(?:['’]s|(?<=s)['’])\Z")
# Letters that NFKD does not split into base + accent ("Đukanović", "Yıldırım", "Støre").
_LETTERS = str.maketrans({"Đ": "D", "đ": "d", "ı": "i", "Ł": "L", "ł": "l", "Ø": "O",
                          "ø": "o", "Æ": "Ae", "æ": "ae", "Œ": "Oe", "œ": "oe", "ð": "d",
                          "Þ": "Th", "þ": "th", "ß": "ss"})
_DATE = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")
_DASHES = re.compile(r"[-‐–—/]")
_PUNCT = re.compile(r"[^\w\s&]")
_ABBREV = re.compile(r"(?=.*[A-Z])[A-Z0-9.&\- ]{2,}\Z")


@dataclass(frozen=True)
class ActorEntry:
    """What a surface form stands for. ``kind`` is "state", "org", "group" or "person"."""

    code: str
    kind: str
    name: str
    sector: str | None = None
    role: str | None = None
    start: date | None = None
    end: date | None = None
    part_of: str | None = None  # sovereign of a dependency (HKG -> CHN)

    def covers(self, on: date) -> bool:
        """True when ``on`` falls within the entry's dates (open ends count as covering)."""
        return (self.start is None or self.start <= on) and (self.end is None or on <= self.end)


@dataclass(frozen=True)
class _Form:
    surface: str
    entry: ActorEntry
    kind: str  # one of FORM_KINDS
    where: str  # "file:line", for error messages


@lru_cache(maxsize=1 << 16)
def fold(text: str) -> str:
    """The case/diacritic/punctuation/"the"-insensitive key of a surface form."""
    text = _POSSESSIVE.sub("", text.strip())
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text.translate(_LETTERS))
        text = "".join(c for c in text if not unicodedata.combining(c))
    text = _PUNCT.sub("", _DASHES.sub(" ", text.casefold()))
    text = " ".join(text.split())
    return text[4:] if text.startswith("the ") else text


def _abbrev_key(text: str) -> str:
    """"the U.S." -> "US", "G-20" -> "G20": case kept, since "us" and "who" are words."""
    text = _POSSESSIVE.sub("", text.strip())
    if text[:4].lower() == "the ":
        text = text[4:]
    return re.sub(r"[.\s\-]", "", text)


def is_abbrev(surface: str) -> bool:
    """Every letter upper case ("U.S.", "WHO", "G20"): matched case-sensitively."""
    return bool(_ABBREV.match(surface)) and not any(c.islower() for c in surface)


class Gazetteer:
    """Every actor surface form, with lookup. Build with ``load``; immutable afterwards."""

    def __init__(self, forms: Sequence[_Form], entries: dict[str, ActorEntry]) -> None:
        self._forms = tuple(forms)
        self._entries = dict(entries)
        self._names: dict[str, ActorEntry] = {}       # states and organisations
        self._abbrevs: dict[str, ActorEntry] = {}     # case-sensitive
        self._demonyms: dict[str, ActorEntry] = {}
        self._persons: dict[str, list[ActorEntry]] = {}
        self._surnames: dict[str, list[ActorEntry]] = {}
        seen: dict[tuple[str, str], _Form] = {}
        for form in self._forms:
            if form.kind in {"person", "surname"}:
                table = self._persons if form.kind == "person" else self._surnames
                bucket = table.setdefault(fold(form.surface), [])
                if form.entry not in bucket:
                    bucket.append(form.entry)
                continue
            if form.kind == "abbrev":
                space, key, target = "abbrev", _abbrev_key(form.surface), self._abbrevs
            elif form.kind == "demonym":
                space, key, target = "demonym", fold(form.surface), self._demonyms
            else:
                space, key, target = "name", fold(form.surface), self._names
            if not key:
                raise DataFileError(f"{form.where}: {form.surface!r} has no letters")
            first = seen.get((space, key))
            if first is not None and first.entry.code != form.entry.code:
                raise DataFileError(
                    f"{form.where}: {form.surface!r} is already {first.entry.code} "
                    f"({first.where}); a surface form must name one actor")
            if first is None:
                seen[(space, key)] = form
                target[key] = form.entry
        self._closest_cache: dict[str, list[tuple[str, float, int]]] = {}
        self._fuzzy_keys: list[str] = []
        self._fuzzy_entries: list[list[ActorEntry]] = []
        fuzzy: dict[str, list[ActorEntry]] = {}
        for key, entry in self._names.items():
            if entry.kind != "state" and len(key) >= FUZZY_MIN_CHARS:
                fuzzy.setdefault(key, []).append(entry)
        for table in (self._persons, self._surnames):
            for key, entries in table.items():
                if len(key) >= FUZZY_MIN_CHARS:
                    fuzzy.setdefault(key, []).extend(entries)
        for key, entries in fuzzy.items():
            self._fuzzy_keys.append(key)
            self._fuzzy_entries.append(entries)

    @classmethod
    def load(cls, extra_dirs: Sequence[Path] = ()) -> Gazetteer:
        """The default data files, then each user directory in order.

        A user directory may hold any of the three files. Its rows add to the defaults or
        replace them: a country by ``iso3``, an organisation by name, an official by
        (name, code, role) — all default rows of that key give way to the user's rows, so a
        user can also correct or split terms. Any other ``*.csv`` there is an error (a
        misspelt file name must not be ignored silently).
        """
        layers = [DATA, *(Path(d) for d in extra_dirs)]
        for directory in layers[1:]:
            if not directory.is_dir():
                raise DataFileError(f"{directory}: not a directory of gazetteer files")
            unknown = sorted(p.name for p in directory.glob("*.csv") if p.name not in COLUMNS)
            if unknown:
                raise DataFileError(f"{directory}: unknown data file(s) {', '.join(unknown)}; "
                                    f"expected {', '.join(COLUMNS)}")
        countries: dict[str, tuple[str, dict[str, str]]] = {}
        organisations: dict[str, tuple[str, dict[str, str]]] = {}
        officials: dict[tuple[str, str, str], list[tuple[str, dict[str, str]]]] = {}
        user_iso3: list[tuple[str, str]] = []
        for layer, directory in enumerate(layers):
            user = layer > 0
            if not user or (directory / "countries.csv").exists():
                _merge_countries(_read(directory / "countries.csv"), countries,
                                 user_iso3 if user else None)
            if not user or (directory / "organisations.csv").exists():
                _merge_organisations(_read(directory / "organisations.csv"), organisations)
            if not user or (directory / "officials.csv").exists():
                _merge_officials(_read(directory / "officials.csv"), officials, user=user)
        _check_iso3(user_iso3)
        return cls(*_build(countries, organisations, officials))

    def aliases(self) -> Iterator[tuple[str, ActorEntry, str]]:
        """(surface form, entry, form kind) for a PhraseMatcher; kinds are in FORM_KINDS.

        "abbrev" forms should be matched case-sensitively, "demonym" and "surname" forms
        only when capitalised; see the module docstring.
        """
        for form in self._forms:
            yield form.surface, form.entry, form.kind

    def entry(self, code: str) -> ActorEntry | None:
        """The state or organisation entry that defines ``code``."""
        return self._entries.get(code)

    def demonym(self, word: str) -> str | None:
        """"Chinese" -> "CHN"; abbreviations used as adjectives too ("U.S." -> "USA",
        "EU" -> "EU"). None for a word that does not start with a capital."""
        word = word.strip()
        if not word or not word[0].isupper():
            return None
        hit = self._demonyms.get(fold(word)) or self._abbrevs.get(_abbrev_key(word))
        return hit.code if hit else None

    def lookup(self, text: str, *, on: date | None = None, fuzzy: bool = True
               ) -> ActorEntry | None:
        """The entry a span of text names, or None.

        Order: state/organisation names and aliases; abbreviations (case-sensitive);
        officials' full names; surnames; demonyms; then, if ``fuzzy``, the closest
        official or organisation name (rapidfuzz ratio >= FUZZY_CUTOFF). When several
        officials match, ``on`` picks the one in office then (else the nearest term).
        """
        key = fold(text)
        if not key:
            return None
        capitalised = text.strip()[:1].isupper()
        hit = self._names.get(key) or self._abbrevs.get(_abbrev_key(text))
        if hit is not None:
            return hit
        if key in self._persons:
            return _pick(self._persons[key], on)
        if capitalised and key in self._surnames:
            return _pick(self._surnames[key], on)
        if capitalised and key in self._demonyms:
            return self._demonyms[key]
        if fuzzy and len(key) >= FUZZY_MIN_CHARS:
            return self._fuzzy(key, on)
        return None

    def _fuzzy(self, key: str, on: date | None) -> ActorEntry | None:
        found = self._closest(key)
        if not found or found[0][1] < FUZZY_CUTOFF:
            return None
        best_score = found[0][1]
        best = [e for _, score, i in found if score == best_score for e in self._fuzzy_entries[i]]
        actors = {_actor(e) for e in best}
        rivals = {_actor(e) for _, score, i in found if score < best_score
                  for e in self._fuzzy_entries[i]} - actors
        if rivals:
            return None
        if all(e.kind == "person" for e in best):
            return _pick(best, on)
        return best[0] if len(actors) == 1 else None

    def _closest(self, key: str) -> list[tuple[str, float, int]]:
        """The best fuzzy candidates for ``key``, memoised per gazetteer: an unknown name
        is usually repeated through its article, and each search scans every name."""
        found = self._closest_cache.get(key)
        if found is None:
            found = process.extract(key, self._fuzzy_keys, scorer=fuzz.ratio,
                                    score_cutoff=FUZZY_CUTOFF - FUZZY_MARGIN, limit=8)
            if len(self._closest_cache) >= 20_000:
                self._closest_cache.clear()  # bounded: memory stays flat over a long ingest
            self._closest_cache[key] = found
        return found


@cache
def default_gazetteer() -> Gazetteer:
    """The gazetteer of the bundled data files, loaded once per process."""
    return Gazetteer.load()


def _actor(entry: ActorEntry) -> tuple[str, str]:
    """Who an entry is: a person by name, anything else by code."""
    return (entry.name, "person") if entry.kind == "person" else (entry.code, entry.kind)


def _pick(entries: list[ActorEntry], on: date | None) -> ActorEntry | None:
    """One person's row among several: the term nearest ``on`` (else the latest term).

    Two different people left after the date filter is an ambiguity, answered with None.
    """
    rows = entries
    if on is not None and len(rows) > 1:
        gaps = [_gap(e, on) for e in rows]
        nearest = min(gaps)
        rows = [e for e, g in zip(rows, gaps) if g == nearest]
    if len({e.name for e in rows}) > 1:
        return None
    return max(rows, key=lambda e: (e.start or date.min, e.end or date.max))


def _gap(entry: ActorEntry, on: date) -> int:
    """Days between ``on`` and the entry's term (0 inside it)."""
    if entry.covers(on):
        return 0
    if entry.start is not None and on < entry.start:
        return (entry.start - on).days
    return (on - entry.end).days if entry.end is not None else 0


def _read(path: Path) -> list[tuple[str, dict[str, str]]]:
    """Rows of one data file as ("file:line", {column: stripped text})."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise DataFileError(f"{path}: cannot read: {exc}") from exc
    expected = COLUMNS[path.name]
    lines = ["" if line.lstrip().startswith("#") else line for line in text.splitlines()]
    reader = csv.reader(lines)
    header: list[str] | None = None
    rows: list[tuple[str, dict[str, str]]] = []
    for cells in reader:
        if not any(c.strip() for c in cells):
            continue
        where = f"{path}:{reader.line_num}"
        if header is None:
            header = [c.strip() for c in cells]
            missing = [c for c in expected if c not in header]
            extra = [c for c in header if c not in expected and c not in OPTIONAL_COLUMNS]
            if missing or extra:
                raise DataFileError(f"{where}: header must be {', '.join(expected)} "
                                    f"[, note]; missing {missing}, unknown {extra}")
            continue
        if len(cells) != len(header):
            raise DataFileError(f"{where}: {len(cells)} fields, the header has {len(header)}")
        rows.append((where, {h: c.strip() for h, c in zip(header, cells)}))
    if header is None:
        raise DataFileError(f"{path}:1: empty file, expected a header "
                            f"{', '.join(expected)}")
    return rows


def _merge_countries(rows: list[tuple[str, dict[str, str]]],
                     countries: dict[str, tuple[str, dict[str, str]]],
                     new_codes: list[tuple[str, str]] | None) -> None:
    """Check one file's rows and put them over ``countries`` by iso3; a user file's codes
    that the defaults do not know go to ``new_codes`` for the ISO check."""
    mine: set[str] = set()
    for where, row in rows:
        iso3 = row["iso3"]
        if not _ISO3.match(iso3):
            raise DataFileError(f"{where}: iso3 {iso3!r} is not three capitals")
        _require(where, row, "name")
        if iso3 in mine:
            raise DataFileError(f"{where}: {iso3} appears twice in this file")
        mine.add(iso3)
        if new_codes is not None and iso3 not in countries:
            new_codes.append((where, iso3))
        countries[iso3] = (where, row)


def _merge_organisations(rows: list[tuple[str, dict[str, str]]],
                         organisations: dict[str, tuple[str, dict[str, str]]]) -> None:
    """Check one file's rows and put them over ``organisations`` by folded name."""
    mine: set[str] = set()
    for where, row in rows:
        _require(where, row, "code", "name", "sector", "kind")
        if not _CODE.match(row["code"]):
            raise DataFileError(f"{where}: code {row['code']!r} must be upper case letters, "
                                "digits and _")
        if row["sector"] not in SECTORS:
            raise DataFileError(f"{where}: sector {row['sector']!r} is not one of "
                                f"{', '.join(sorted(SECTORS))}")
        if row["kind"] not in ORG_KINDS:
            raise DataFileError(f"{where}: kind {row['kind']!r} is not one of "
                                f"{', '.join(sorted(ORG_KINDS))}")
        key = fold(row["name"])
        if key in mine:
            raise DataFileError(f"{where}: {row['name']!r} appears twice in this file")
        mine.add(key)
        organisations[key] = (where, row)


def _merge_officials(rows: list[tuple[str, dict[str, str]]],
                     officials: dict[tuple[str, str, str], list[tuple[str, dict[str, str]]]],
                     *, user: bool) -> None:
    """Check one file's rows; a user's rows for (name, code, role) replace all earlier
    rows of that key, so that terms can be corrected as well as added."""
    replaced: set[tuple[str, str, str]] = set()
    for where, row in rows:
        _require(where, row, "name", "code", "role")
        if row["role"] not in ROLES:
            raise DataFileError(f"{where}: role {row['role']!r} is not one of "
                                f"{', '.join(sorted(ROLES))}")
        start = _date(where, row["start"], last=False)
        end = _date(where, row["end"], last=True)
        if start and end and start > end:
            raise DataFileError(f"{where}: start {row['start']} is after end {row['end']}")
        key = (fold(row["name"]), row["code"], row["role"])
        if user and key not in replaced:
            officials.pop(key, None)
            replaced.add(key)
        officials.setdefault(key, []).append((where, row))


def _require(where: str, row: dict[str, str], *columns: str) -> None:
    for column in columns:
        if not row[column]:
            raise DataFileError(f"{where}: {column} is empty")


def _split(cell: str) -> list[str]:
    return [part.strip() for part in cell.split(";") if part.strip()]


def _date(where: str, text: str, *, last: bool) -> date | None:
    """YYYY, YYYY-MM or YYYY-MM-DD; a partial date widens to its first or last day."""
    try:
        return _parse_date(text, last)
    except ValueError as exc:
        raise DataFileError(f"{where}: bad date {text!r}: {exc}") from exc


@lru_cache(maxsize=1 << 13)
def _parse_date(text: str, last: bool) -> date | None:
    if not text:
        return None
    match = _DATE.fullmatch(text)
    if match is None:
        raise ValueError("not YYYY, YYYY-MM or YYYY-MM-DD")
    year = int(match[1])
    month = int(match[2]) if match[2] else (12 if last else 1)
    if match[3]:
        return date(year, month, int(match[3]))
    return date(year, month, monthrange(year, month)[1] if last else 1)


def _check_iso3(rows: list[tuple[str, str]]) -> None:
    """A user's new iso3 must be a real one; country_converter is the authority.

    Imported only here: it costs more than the whole load, and the bundled list is
    already checked against it by the tests.
    """
    if not rows:
        return
    import country_converter  # noqa: PLC0415  (slow import, needed for user rows only)

    known = set(country_converter.CountryConverter().data["ISO3"])
    for where, iso3 in rows:
        if iso3 not in known:
            raise DataFileError(f"{where}: {iso3} is not an ISO 3166-1 alpha-3 code")


def _build(countries: dict[str, tuple[str, dict[str, str]]],
           organisations: dict[str, tuple[str, dict[str, str]]],
           officials: dict[tuple[str, str, str], list[tuple[str, dict[str, str]]]],
           ) -> tuple[list[_Form], dict[str, ActorEntry]]:
    """Entries and surface forms of the merged rows, with the cross-row checks."""
    entries: dict[str, ActorEntry] = {}
    forms: list[_Form] = []

    def add(surface: str, entry: ActorEntry, kind: str, where: str) -> None:
        forms.append(_Form(surface, entry, "abbrev" if is_abbrev(surface) else kind, where))

    for iso3, (where, row) in countries.items():
        part_of = row["part_of"] or None
        if part_of is not None and part_of not in countries:
            raise DataFileError(f"{where}: part_of {part_of!r} is not a country code")
        entry = ActorEntry(iso3, "state", row["name"], part_of=part_of)
        entries[iso3] = entry
        add(row["name"], entry, "name", where)
        for surface in _split(row["aliases"]):
            add(surface, entry, "alias", where)
        for surface in _split(row["capitals"]):
            add(surface, entry, "capital", where)
        for surface in _split(row["demonyms"]):
            for form in (surface, _plural(surface)):
                if form:
                    forms.append(_Form(form, entry, "demonym", where))
    defining = [(w, r) for w, r in organisations.values() if r["kind"] != "body"]
    for where, row in defining:
        code = row["code"]
        if code in entries:
            what = "a country" if entries[code].kind == "state" else "already defined"
            raise DataFileError(f"{where}: code {code} is {what}; use kind=body to attach "
                                f"a body to it")
        kind = "group" if row["kind"] == "group" else "org"
        entries[code] = ActorEntry(code, kind, row["name"], sector=row["sector"])
    for where, row in organisations.values():
        code = row["code"]
        if code not in entries:
            raise DataFileError(f"{where}: code {code} is neither a country nor an "
                                "organisation defined in organisations.csv")
        if row["kind"] == "body":
            entry = ActorEntry(code, "org", row["name"], sector=row["sector"],
                               part_of=entries[code].part_of)
        else:
            entry = entries[code]
        add(row["name"], entry, "name", where)
        for surface in _split(row["aliases"]):
            add(surface, entry, "alias", where)
    for (_, code, role), rows in officials.items():
        owner = entries.get(code)
        for where, row in rows:
            if owner is None:
                raise DataFileError(f"{where}: code {code} is neither a country nor an "
                                    "organisation")
            sector = ("MIL" if role == "military_chief" else "GOV") if owner.kind == "state" \
                else owner.sector
            entry = ActorEntry(code, "person", row["name"], sector=sector, role=role,
                               start=_date(where, row["start"], last=False),
                               end=_date(where, row["end"], last=True))
            name_words = fold(row["name"]).split()
            forms.append(_Form(row["name"], entry, "person", where))
            for surface in _split(row["aliases"]):
                words = fold(surface).split()
                partial = len(words) < len(name_words) and _within(words, name_words)
                forms.append(_Form(surface, entry, "surname" if partial else "person", where))
    return forms, entries


def _plural(demonym: str) -> str | None:
    """"Americans", "Pakistanis", "Filipinos", "Danes": the people form of a demonym that
    takes a plain -s; "Chinese", "French", "Swiss" and their like have none."""
    if demonym.endswith(("ese", "men")) or demonym[-1] not in "nioktbe":
        return None
    return demonym + "s"


def _within(words: list[str], name: list[str]) -> bool:
    """True when ``words`` occur as a run inside ``name`` ("di maio" in "luigi di maio")."""
    n = len(words)
    return any(name[i:i + n] == words for i in range(len(name) - n + 1))


__all__ = ["ActorEntry", "Gazetteer", "default_gazetteer", "fold", "FORM_KINDS", "ROLES",
           "SECTORS"]
