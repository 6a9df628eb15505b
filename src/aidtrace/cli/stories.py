"""`aidtrace stories`, `aidtrace flows` and `aidtrace export`: reading across articles."""
from __future__ import annotations

import csv
import json
import sys
from pathlib import Path
from typing import Any, Optional

import typer

from ..config import Settings
from ..errors import StoreError
from ..export import FORMATS, WHATS, export as export_data
from ..export_gold import export_gold
from ..flows import flows as flow_report
from ..store import Store
from ..store.reviews import machine_copy
from ..store.schema import SCHEMA_VERSION
from ..stories import ensure_stories, list_stories, stories_current, story
from ._app import (ConfigOption, DbOption, VerboseOption, WideOption, app, handle_errors, settings_from,
                   setup_logging)
from .tables import Col, print_table

OUTPUTS = ("table", "csv", "json")


AsExtractedOption = typer.Option(False, "--as-extracted",
                                 help="the machine's events as extracted, without reviewers' corrections")


def open_store(settings: Settings, *, as_extracted: bool = False) -> Store:
    """Open the database and bring the story tables up to date.

    ``as_extracted``: an in-memory copy of the machine's events without the reviews, its
    stories built afresh (the file's story tables are built from the corrected view).

    Opens writable so that stale stories can be rebuilt; when another process holds the
    writer (``aidtrace serve``), falls back to read-only and says if stories are stale.
    """
    if not Path(settings.db).exists():
        return Store(settings.db, read_only=True)  # raises the "run aidtrace ingest" error
    try:
        store = Store(settings.db)
    except StoreError:
        store = Store(settings.db, read_only=True)
        if store.schema_version < SCHEMA_VERSION:
            store.close()
            raise StoreError(f"{settings.db} has schema {SCHEMA_VERSION - 1} or older and is "
                             "locked by another process: stop it and run this again") from None
    ensure_stories(store, settings)
    if not stories_current(store, settings):
        typer.echo("warning: stories are older than the events (database is read-only here)", err=True)
    if as_extracted:
        with store:
            copy = machine_copy(store)
        ensure_stories(copy, settings)
        return copy
    return store


def _json_default(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def _csv_value(value: Any) -> Any:
    if isinstance(value, (list, tuple, dict)):
        return json.dumps(value, default=_json_default, ensure_ascii=False)
    return value.isoformat() if hasattr(value, "isoformat") else value


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:,.0f}" if value == int(value) else f"{value:,.2f}"
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value)
    return str(value)


def emit(rows: list[dict[str, Any]], fmt: str, columns: tuple[Col, ...], title: str,
         wide: bool = False) -> None:
    """Print rows as a table of the given columns fitted to the terminal, CSV or JSON (every
    column)."""
    if fmt not in OUTPUTS:
        raise typer.BadParameter(f"--format must be one of {', '.join(OUTPUTS)}")
    if fmt == "json":
        json.dump(rows, sys.stdout, default=_json_default, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
    elif fmt == "csv":
        fields = list(rows[0]) if rows else [c.field for c in columns]
        writer = csv.DictWriter(sys.stdout, fieldnames=fields, extrasaction="ignore")
        writer.writeheader()
        for r in rows:
            writer.writerow({k: _csv_value(v) for k, v in r.items()})
    else:
        print_table([{c.field: _cell(r.get(c.field)) for c in columns} for r in rows], columns,
                    title=title, wide=wide)


STORY_TABLE = (Col("id", "story"), Col("type", "type"), Col("source_code", "source"),
               Col("target_code", "target"), Col("first_date", "date"),
               Col("display_text", "figures", wrap=True), Col("status", "status", priority=1),
               Col("sources", "sources", priority=2, numeric=True),
               Col("conflicting", "conflicting", priority=3),
               Col("reports", "reports", priority=4, numeric=True),
               Col("story_line", "story line", priority=5))
FIGURE_TABLE = (Col("outlet", "outlet", wrap=True), Col("published", "published"),
                Col("claimant", "claimant", wrap=True), Col("item_class", "item"),
                Col("quantity", "quantity", numeric=True), Col("unit", "unit"),
                Col("value_amount", "value", numeric=True), Col("value_currency", "currency"),
                Col("status", "status", priority=1), Col("date", "date", priority=2),
                Col("measure", "measure", priority=3), Col("claimant_kind", "claimant kind", priority=4),
                Col("article_id", "article", priority=5))
FLOW_TABLE = (Col("source", "source"), Col("target", "target"), Col("item_class", "item"),
              Col("quantity", "quantity", numeric=True), Col("unit", "unit"),
              Col("usd", "usd", numeric=True), Col("status", "status"),
              Col("quantity_high", "quantity high", priority=1, numeric=True),
              Col("usd_high", "usd high", priority=2, numeric=True),
              Col("recipients", "recipients", priority=3, wrap=True),
              Col("stories", "stories", priority=4, numeric=True),
              Col("events", "events", priority=5, numeric=True),
              Col("confirmed", "confirmed", priority=6, numeric=True))
EXCLUDED_TABLE = (Col("event_id", "event"), Col("story_id", "story"), Col("reason", "reason", wrap=True))
ONE_STORY = (Col("field", "field"), Col("value", "value", wrap=True))


@app.command()
@handle_errors
def stories(story_id: Optional[str] = typer.Argument(None, help="show one story in full"),
            source: Optional[str] = typer.Option(None, "--source", help="actor code, e.g. CHN"),
            target: Optional[str] = typer.Option(None, "--target", help="actor code, e.g. SRB"),
            type: Optional[str] = typer.Option(None, "--type", help="event type, e.g. AID"),
            status: Optional[str] = typer.Option(None, "--status", help="pledged, shipped, delivered"),
            conflicting: Optional[bool] = typer.Option(
                None, "--conflicting/--agreeing", help="only stories whose reports disagree (or agree)"),
            limit: Optional[int] = typer.Option(None, "--limit"),
            fmt: str = typer.Option("table", "--format", help="table, csv or json"),
            wide: bool = WideOption,
            as_extracted: bool = AsExtractedOption,
            db: Optional[str] = DbOption, config: Optional[str] = ConfigOption,
            verbose: int = VerboseOption) -> None:
    """Stories: one real-world event and every report of it, with sources and conflicts."""
    setup_logging(verbose)
    settings = settings_from(db, config)
    with open_store(settings, as_extracted=as_extracted) as store:
        if story_id:
            one = story(store, story_id)
            if fmt == "json":
                emit([one], "json", (), "")
                return
            if fmt == "table":  # one row, every field: one line per field always fits
                emit([{"field": c.header, "value": _cell(one.get(c.field))} for c in STORY_TABLE],
                     fmt, ONE_STORY, f"story {story_id}")
            else:
                emit([one], fmt, STORY_TABLE, f"story {story_id}")
            emit(one["figures"], fmt, FIGURE_TABLE, "every observed figure", wide)
            return
        rows = list_stories(store, source=source, target=target, type=type, status=status,
                            conflicting=conflicting, limit=limit)
        emit(rows, fmt, STORY_TABLE, f"{len(rows)} stories", wide)


@app.command()
@handle_errors
def flows(source: Optional[str] = typer.Option(None, "--source", help="donor code, e.g. CHN"),
          target: Optional[str] = typer.Option(None, "--target", help="recipient code, e.g. SRB"),
          item: Optional[str] = typer.Option(None, "--item", help="item class, e.g. vaccines"),
          status: Optional[str] = typer.Option(None, "--status", help="pledged, shipped, delivered"),
          since: Optional[str] = typer.Option(None, "--since", help="YYYY[-MM[-DD]]"),
          until: Optional[str] = typer.Option(None, "--until", help="YYYY[-MM[-DD]]"),
          excluded: bool = typer.Option(False, "--excluded", help="list every excluded event"),
          fmt: str = typer.Option("table", "--format", help="table, csv or json"),
          wide: bool = WideOption,
          as_extracted: bool = AsExtractedOption,
          db: Optional[str] = DbOption, config: Optional[str] = ConfigOption,
          verbose: int = VerboseOption) -> None:
    """Donor -> recipient aid totals, one figure per story, additive rows only."""
    setup_logging(verbose)
    settings = settings_from(db, config)
    with open_store(settings, as_extracted=as_extracted) as store:
        report = flow_report(store, source=source, target=target, item_class=item, status=status,
                             since=since, until=until)
    if fmt == "json":
        emit([report.to_dict()], "json", (), "")
        return
    if excluded:
        emit([e.to_dict() for e in report.excluded], fmt, EXCLUDED_TABLE,
             f"{len(report.excluded)} events not added", wide)
        return
    emit([r.to_dict() for r in report.rows], fmt, FLOW_TABLE,
         "aid flows (low–high where reports disagree)", wide)
    if fmt == "table":
        reasons = report.to_dict()["excluded_by_reason"]
        if reasons:
            typer.echo("not added: " + "; ".join(f"{n} {r}" for r, n in reasons.items())
                       + "  (--excluded lists them)", err=True)


@app.command()
@handle_errors
def export(what: str = typer.Option("events", "--what", help=" | ".join(WHATS) + " | gold (reviewed articles,"
                                    " corpus layout, --out is a folder)"),
           fmt: str = typer.Option("csv", "--format", help=" | ".join(FORMATS)),
           out: str = typer.Option(..., "--out", help="file to write (a folder for gold)"),
           as_extracted: bool = AsExtractedOption,
           db: Optional[str] = DbOption, config: Optional[str] = ConfigOption,
           verbose: int = VerboseOption) -> None:
    """Write events, stories or flows as CSV, Parquet or JSONL; events also as GDELT or PLOVER."""
    setup_logging(verbose)
    settings = settings_from(db, config)
    if what == "gold":
        with Store(settings.db, read_only=True) as store:
            done = export_gold(store, out)
        typer.echo(f"wrote {done.articles} reviewed articles, {done.events} gold events to {out}", err=True)
        if done.partial:
            typer.echo(f"left out {len(done.partial)} partly reviewed articles ("
                       + ", ".join(f"{a}: {n} events to review" for a, n in sorted(done.partial.items())) + ")",
                       err=True)
        return
    with open_store(settings, as_extracted=as_extracted) as store:
        n = export_data(store, what=what, fmt=fmt, out=out)
    typer.echo(f"wrote {n} {what} to {out}", err=True)
