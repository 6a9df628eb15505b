"""Exports: events, stories and flows to CSV, Parquet and JSONL; events also as a
GDELT-style table and as PLOVER JSON, so that the data can be compared with GDELT and
POLECAT.

DuckDB writes the files (``COPY ... TO``): it already writes correct CSV quoting, nested
Parquet and newline-delimited JSON, so nothing here hand-rolls a writer. Nested fields
(an event's items, a story's figures) stay nested in Parquet and JSONL and become JSON
text in CSV cells.

GDELT table (``--format gdelt``): tab-separated with a header row, one row per event, with
the columns of the GDELT 1.0/2.0 event table that aidtrace can fill (no geography, tone or
Goldstein score: those columns are present and empty rather than invented):

- ``GLOBALEVENTID`` an integer derived from the event id (also in ``AidtraceEventId``);
- ``SQLDATE`` the event date at day precision, else the article's publication date (the
  GDELT convention for undated events); ``MonthYear``, ``Year``, ``FractionDate`` from it;
- ``Actor1Code`` CAMEO actor code: country code + role (``CHNGOV``), or the CAMEO IGO/NGO
  code for organisations (``IGOUNOWHO``); ``Actor1CountryCode`` ISO 3166-1 alpha-3 for
  states; ``Actor1KnownGroupCode`` for organisations; ``Actor1Type1Code`` the CAMEO role
  (our sector ``MED`` is CAMEO ``HLH`` health, ``MEDIA`` is CAMEO ``MED``);
- ``EventCode``/``EventBaseCode``/``EventRootCode`` the CAMEO code and its 3- and 2-digit
  prefixes; ``QuadClass`` from the root (01-05 verbal cooperation, 06-09 material
  cooperation, 10-14 verbal conflict, 15-20 material conflict);
- ``NumMentions``/``NumArticles``/``NumSources`` the event's story's reports and
  independent sources (GDELT counts them per deduplicated event, as our stories do);
- ``DATEADDED`` ingestion time (YYYYMMDDHHMMSS), ``SOURCEURL`` the article URL.

PLOVER JSON (``--format plover``): one JSON object a line (the PLOVER manual recommends
JSONL), with POLECAT's flat actor fields and PLOVER's ``text_info``/``cite_info`` objects,
plus an ``aidtrace`` object for what neither has (items, value, status, claim, story). The
record is described by ``data/plover_event.schema.json``; our types map to PLOVER categories
(TRADE -> COOPERATE, REQUEST -> DEMAND, the others keep their PLOVER names).
"""
from __future__ import annotations

import hashlib
import json
from datetime import date, datetime
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import pyarrow as pa

from .errors import ConfigError
from .flows import flows
from .store import Store

WHATS = ("events", "stories", "flows")
FORMATS = ("csv", "parquet", "jsonl", "gdelt", "plover")
PLOVER_CODEBOOK = "plover-base-0.7b1+aidtrace-1"
PLOVER_CATEGORY = {"TRADE": "COOPERATE", "REQUEST": "DEMAND"}
# CAMEO actor role codes for our sectors (CAMEO: HLH health, MED media, PTY party).
CAMEO_ROLE = {"GOV": "GOV", "MIL": "MIL", "MED": "HLH", "MEDIA": "MED", "BUS": "BUS",
              "NGO": "NGO", "PARTY": "PTY", "IGO": "IGO"}
# CAMEO codes of the organisations aidtrace codes by name (CAMEO actor codebook).
CAMEO_ORG = {"UN": "IGOUNO", "WHO": "IGOUNOWHO", "WFP": "IGOUNOWFP", "UNICEF": "IGOUNOKID",
             "UNHCR": "IGOUNOHCR", "FAO": "IGOUNOFAO", "WORLD_BANK": "IGOUNOWBK",
             "EU": "IGOEEC", "NATO": "IGONAT", "ASEAN": "IGOASN", "IMF": "IGOIMF",
             "WTO": "IGOWTO", "G7": "IGOGOS", "OAS": "IGOOAS", "ARAB_LEAGUE": "IGOARL",
             "GCC": "IGOGCC", "RED_CROSS": "NGOCRC", "ICRC": "NGOCRC", "MSF": "NGOMSF",
             "IOM": "NGOIOM", "OXFAM": "NGOXFM"}
HEALTH_CLASSES = frozenset({"masks", "ppe", "ventilators", "test_kits", "vaccines", "medicines",
                            "medical_supplies"})
HUMANITARIAN_CLASSES = frozenset({"food", "shelter", "water"})
GDELT_COLUMNS = (
    "GLOBALEVENTID", "SQLDATE", "MonthYear", "Year", "FractionDate",
    "Actor1Code", "Actor1Name", "Actor1CountryCode", "Actor1KnownGroupCode", "Actor1Type1Code",
    "Actor2Code", "Actor2Name", "Actor2CountryCode", "Actor2KnownGroupCode", "Actor2Type1Code",
    "IsRootEvent", "EventCode", "EventBaseCode", "EventRootCode", "QuadClass", "GoldsteinScale",
    "NumMentions", "NumSources", "NumArticles", "AvgTone", "DATEADDED", "SOURCEURL",
    "AidtraceEventId", "AidtraceStoryId", "AidtraceType",
)

# The corrected view (reviews applied, see aidtrace.store.reviews), each event saying who
# confirmed it; `export --as-extracted` runs the same over a copy without the reviews.
_EVENTS_SQL = """
SELECT e.*, a.published, a.url, a.title, a.outlet, a.lang, a.licence, a.ingested_at,
       r.reviewer AS reviewed_by, r.reviewed_at, r.action AS review,
       se.story_id, s.story_line, s.sources AS story_sources, s.reports AS story_reports,
       s.events AS story_events,
       coalesce((SELECT list(struct_pack(item := i.item, item_class := i.item_class,
                                         quantity := i.quantity, unit := i.unit,
                                         qualifier := i.qualifier) ORDER BY i.idx)
                 FROM corrected_event_items i WHERE i.event_id = e.id), []) AS items
FROM corrected_events e JOIN articles a ON a.id = e.article_id
LEFT JOIN review_state r ON r.id = e.id AND NOT r.hidden
LEFT JOIN story_events se ON se.event_id = e.id
LEFT JOIN stories s ON s.id = se.story_id
ORDER BY e.date NULLS LAST, e.article_id, e.sentence_index, e.id
"""
_STORIES_SQL = """
SELECT s.*,
       (SELECT list(se.event_id ORDER BY se.event_id) FROM story_events se
        WHERE se.story_id = s.id) AS event_ids,
       coalesce((SELECT list(struct_pack(event_id := f.event_id, article_id := f.article_id,
                                         outlet := f.outlet, published := f.published,
                                         claimant := f.claimant, claimant_kind := f.claimant_kind,
                                         measure := f.measure, item_class := f.item_class,
                                         quantity := f.quantity, unit := f.unit,
                                         value_amount := f.value_amount,
                                         value_currency := f.value_currency,
                                         value_usd := f.value_usd, date := f.date,
                                         status := f.status)
                          ORDER BY f.published, f.article_id, f.event_id, f.measure)
                 FROM story_figures f WHERE f.story_id = s.id), []) AS figures
FROM stories s
ORDER BY coalesce(s.first_date, CAST(s.first_report AS VARCHAR)) NULLS LAST, s.id
"""
_NESTED = {"events": ("items",), "stories": ("item_classes", "event_ids", "figures")}


def export(store: Store, *, what: str, fmt: str, out: str | Path) -> int:
    """Write ``what`` (events, stories, flows) as ``fmt`` to ``out``; returns rows written.

    Stories and flows are read from the story tables: build them first
    (``stories.ensure_stories``), as the CLI does.
    """
    if what not in WHATS:
        raise ConfigError(f"cannot export {what!r}: choose one of {', '.join(WHATS)}")
    if fmt not in FORMATS:
        raise ConfigError(f"unknown export format {fmt!r}: choose one of {', '.join(FORMATS)}")
    if fmt in ("gdelt", "plover") and what != "events":
        raise ConfigError(f"--format {fmt} is an event table: use it with --what events")
    path = Path(out)
    path.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "plover":
        records = plover_records(store)
        with path.open("w", encoding="utf-8") as fh:
            for rec in records:
                fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
        return len(records)
    if fmt == "gdelt":
        table = pa.Table.from_pylist(gdelt_rows(store), schema=_gdelt_schema())
        return _copy(store, table, path, "(FORMAT csv, HEADER, DELIMITER '\t')")
    if what == "flows":
        table = pa.Table.from_pylist([r.to_dict() for r in flows(store).rows], schema=_flow_schema())
        return _copy(store, table, path, _options(fmt), nested=("recipients",) if fmt == "csv" else ())
    sql = _EVENTS_SQL if what == "events" else _STORIES_SQL
    nested = _NESTED[what] if fmt == "csv" else ()
    return _copy(store, sql, path, _options(fmt), nested=nested)


def _options(fmt: str) -> str:
    return {"csv": "(FORMAT csv, HEADER)", "parquet": "(FORMAT parquet)",
            "jsonl": "(FORMAT json)"}[fmt]


def _copy(store: Store, source: str | pa.Table, path: Path, options: str,
          nested: tuple[str, ...] = ()) -> int:
    """COPY a query or an Arrow table to ``path``; nested columns become JSON text."""
    view = None
    if isinstance(source, pa.Table):
        view = f"_export_{hashlib.sha1(str(path).encode()).hexdigest()[:8]}"
        store.con.register(view, source)
        source = f"SELECT * FROM {view}"
    try:
        replace = ", ".join(f"to_json({c}) AS {c}" for c in nested)
        query = f"SELECT * REPLACE ({replace}) FROM ({source})" if nested else source
        target = str(path).replace("'", "''")
        written = store.con.execute(f"COPY ({query}) TO '{target}' {options}").fetchall()
        return int(written[0][0])
    finally:
        if view:
            store.con.unregister(view)


def _flow_schema() -> pa.Schema:
    return pa.schema([("source", pa.string()), ("target", pa.string()),
                      ("item_class", pa.string()), ("status", pa.string()),
                      ("unit", pa.string()), ("quantity", pa.float64()), ("usd", pa.float64()),
                      ("events", pa.int64()), ("stories", pa.int64()),
                      ("quantity_high", pa.float64()), ("usd_high", pa.float64()),
                      ("recipients", pa.list_(pa.string())), ("confirmed", pa.int64())])


def _gdelt_schema() -> pa.Schema:
    ints = {"GLOBALEVENTID", "SQLDATE", "MonthYear", "Year", "IsRootEvent", "QuadClass",
            "NumMentions", "NumSources", "NumArticles"}
    floats = {"FractionDate", "GoldsteinScale", "AvgTone"}
    return pa.schema([(c, pa.int64() if c in ints else pa.float64() if c in floats else pa.string())
                      for c in GDELT_COLUMNS])


# -- shared event rows ---------------------------------------------------------------
def event_rows(store: Store) -> list[dict[str, Any]]:
    """Every event with its article, items and story: what the GDELT/PLOVER writers read."""
    return store.query(_EVENTS_SQL)


@cache
def _iso3_codes() -> frozenset[str]:
    """ISO 3166-1 alpha-3 codes; country_converter is the authority (slow import, once)."""
    import country_converter  # noqa: PLC0415  (costs a second; only exports need it)

    return frozenset(country_converter.CountryConverter().data["ISO3"]) | {"XKX"}


def country_of(code: str | None) -> str | None:
    """The ISO3 country code of an actor code, or None for organisations."""
    return code if code and code in _iso3_codes() else None


def cameo_actor(code: str | None, sector: str | None) -> tuple[str | None, str | None, str | None]:
    """(CAMEO actor code, known-group code, role code) for one of our actors."""
    if not code:
        return None, None, None
    role = CAMEO_ROLE.get(sector or "")
    if country_of(code):
        return code + (role if role and role != "IGO" else ""), None, role
    org = CAMEO_ORG.get(code)
    if org:
        return org, org[3:6], org[:3]
    return code, code, role


def _event_day(ev: dict[str, Any]) -> date | None:
    if ev["date"] and ev["date_precision"] == "day":
        try:
            return date.fromisoformat(ev["date"][:10])
        except ValueError:
            pass
    return ev["published"]


def quad_class(cameo: str | None) -> int | None:
    if not cameo or not cameo[:2].isdigit():
        return None
    root = int(cameo[:2])
    return 1 if root <= 5 else 2 if root <= 9 else 3 if root <= 14 else 4


def gdelt_id(event_id: str) -> int:
    return int(hashlib.sha1(event_id.encode()).hexdigest()[:15], 16)


def gdelt_rows(store: Store) -> list[dict[str, Any]]:
    """Events as rows of a GDELT-style event table (see the module doc for each column)."""
    out = []
    for ev in event_rows(store):
        day = _event_day(ev)
        a1, g1, t1 = cameo_actor(ev["source_code"], ev["source_sector"])
        a2, g2, t2 = cameo_actor(ev["target_code"], ev["target_sector"])
        cameo = ev["cameo"]
        added: datetime | None = ev["ingested_at"]
        out.append({
            "GLOBALEVENTID": gdelt_id(ev["id"]),
            "SQLDATE": int(day.strftime("%Y%m%d")) if day else None,
            "MonthYear": int(day.strftime("%Y%m")) if day else None,
            "Year": day.year if day else None,
            "FractionDate": round(day.year + (day.timetuple().tm_yday - 1) / 365, 4) if day else None,
            "Actor1Code": a1, "Actor1Name": ev["source_text"] or ev["source_code"],
            "Actor1CountryCode": country_of(ev["source_code"]), "Actor1KnownGroupCode": g1,
            "Actor1Type1Code": t1,
            "Actor2Code": a2, "Actor2Name": ev["target_text"] or ev["target_code"],
            "Actor2CountryCode": country_of(ev["target_code"]), "Actor2KnownGroupCode": g2,
            "Actor2Type1Code": t2,
            "IsRootEvent": int(ev["sentence_index"] == 0),
            "EventCode": cameo, "EventBaseCode": cameo[:3] if cameo else None,
            "EventRootCode": cameo[:2] if cameo else None, "QuadClass": quad_class(cameo),
            "GoldsteinScale": None,
            "NumMentions": ev["story_events"] or 1, "NumSources": ev["story_sources"] or 1,
            "NumArticles": ev["story_reports"] or 1, "AvgTone": None,
            "DATEADDED": added.strftime("%Y%m%d%H%M%S") if added else None,
            "SOURCEURL": ev["url"],
            "AidtraceEventId": ev["id"], "AidtraceStoryId": ev["story_id"], "AidtraceType": ev["type"],
        })
    return out


# -- PLOVER --------------------------------------------------------------------------
def plover_schema() -> dict[str, Any]:
    """The JSON Schema of one PLOVER export record (package data)."""
    text = resources.files("aidtrace").joinpath("data/plover_event.schema.json").read_text("utf-8")
    return json.loads(text)


def _contexts(ev: dict[str, Any]) -> list[str]:
    classes = {it["item_class"] for it in ev["items"]}
    out = []
    if classes & HEALTH_CLASSES:
        out.append("health")
    if classes & HUMANITARIAN_CLASSES:
        out.append("humanitarian")
    if "money" in classes or ev["mode"] in ("money", "loan"):
        out.append("economic")
    if ev["source_sector"] == "MIL" or ev["mode"] == "military":
        out.append("military")
    return out


def _plover_date(ev: dict[str, Any]) -> tuple[str | None, str | None]:
    if ev["date"] and ev["date_precision"] == "day":
        return ev["date"][:10], "day"
    if ev["published"]:
        return ev["published"].isoformat(), "publication"
    return None, None


def plover_record(ev: dict[str, Any]) -> dict[str, Any]:
    """One event as a PLOVER/POLECAT-style record (schema: data/plover_event.schema.json)."""
    day, basis = _plover_date(ev)
    value = None
    if ev["value_amount"] is not None:
        value = {"amount": ev["value_amount"], "currency": ev["value_currency"],
                 "usd": ev["value_usd"]}
    return {
        "id": ev["id"],
        "date": day,
        "date_basis": basis,
        "event_date": ev["date"],
        "event_date_precision": ev["date_precision"],
        "event_type": PLOVER_CATEGORY.get(ev["type"], ev["type"]),
        "mode": ev["mode"],
        "context": _contexts(ev),
        "quad_code": quad_class(ev["cameo"]),
        "cameo": ev["cameo"],
        "actor": ev["source_text"] or ev["source_code"],
        "actor_code": ev["source_code"],
        "actor_country": country_of(ev["source_code"]),
        "actor_sector": ev["source_sector"],
        "recipient": ev["target_text"] or ev["target_code"],
        "recipient_code": ev["target_code"],
        "recipient_country": country_of(ev["target_code"]),
        "recipient_sector": ev["target_sector"],
        "event_text": ev["sentence"],
        "publication": ev["outlet"],
        "publication_date": ev["published"].isoformat() if ev["published"] else None,
        "language": ev["lang"],
        "url": ev["url"],
        "text_info": {"sequence": ev["sentence_index"], "start": ev["sentence_start"],
                      "end": ev["sentence_end"]},
        "cite_info": {"url": ev["url"], "title": ev["title"], "publication": ev["outlet"],
                      "language": ev["lang"], "license": ev["licence"],
                      "coder": ev["extractor"], "codebook": PLOVER_CODEBOOK},
        "aidtrace": {
            "type": ev["type"], "article_id": ev["article_id"], "status": ev["status"],
            "transfer_mode": ev["transfer_mode"], "granularity": ev["granularity"],
            "target_count": ev["target_count"], "target_group": ev["target_group"],
            "items": [dict(it) for it in ev["items"]], "value": value,
            "attributed_to": ev["attributed_to"], "factuality": ev["factuality"],
            "confidence": ev["confidence"], "trigger": ev["trigger"],
            "story_id": ev["story_id"], "story_line": ev["story_line"],
            "story_sources": ev["story_sources"],
        },
    }


def plover_records(store: Store) -> list[dict[str, Any]]:
    return [plover_record(ev) for ev in event_rows(store)]


__all__ = ["export", "WHATS", "FORMATS", "gdelt_rows", "plover_records", "plover_record",
           "plover_schema", "event_rows", "cameo_actor", "country_of", "quad_class",
           "GDELT_COLUMNS"]
