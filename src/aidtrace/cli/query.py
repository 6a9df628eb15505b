"""`aidtrace events` (filtered list) and `aidtrace show` (one event with its sentence)."""
from __future__ import annotations

import csv
import json
import sys
from typing import Any, Optional

import typer
from rich.console import Console
from rich.text import Text

from ..store import Store
from ._app import ConfigOption, DbOption, WideOption, app, handle_errors, settings_from
from .tables import Col, print_table, terminal_console

EVENT_COLUMNS = (Col("event", "event"), Col("date", "date"), Col("type", "type"),
                 Col("source", "source"), Col("target", "target", wrap=True),
                 Col("what", "items / value", wrap=True),
                 Col("status", "status", priority=1), Col("says_who", "says who", priority=2, wrap=True),
                 Col("conf", "conf", priority=3, numeric=True))


def item_text(row: dict[str, Any]) -> str:
    parts = []
    for it in row.get("items") or []:
        qty = it.get("quantity")
        if qty is not None:
            amount = f"{qty:,.0f}" if float(qty).is_integer() else f"{qty:,}"
            parts.append(f"{amount} {it.get('unit') or ''} {it.get('item_class')}".replace("  ", " "))
        else:
            parts.append(str(it.get("item_class")))
    return ", ".join(dict.fromkeys(parts))


def value_text(row: dict[str, Any]) -> str:
    if row.get("value_amount") is None:
        return ""
    return f"{row['value_amount']:,.0f} {row.get('value_currency') or ''}".strip()


def target_text(row: dict[str, Any]) -> str:
    if row.get("target_code"):
        return row["target_code"]
    if row.get("target_count"):
        q = {"at_least": ">=", "about": "~"}.get(row.get("target_count_qualifier") or "", "")
        return f"{q}{row['target_count']} unnamed"
    return row.get("target_group") or "-"


def print_events(rows: list[dict[str, Any]], fmt: str, *, wide: bool = False,
                 console: Console | None = None) -> None:
    if fmt == "json":
        json.dump(rows, sys.stdout, default=str, indent=1, ensure_ascii=False)
        sys.stdout.write("\n")
        return
    if fmt == "csv":
        if not rows:
            return
        flat = [{k: (json.dumps(v, default=str) if isinstance(v, (list, dict)) else v)
                 for k, v in r.items()} for r in rows]
        writer = csv.DictWriter(sys.stdout, fieldnames=list(flat[0]))
        writer.writeheader()
        writer.writerows(flat)
        return
    cells = [{"event": r["id"][:8], "date": r.get("date") or "", "type": r["type"],
              "source": r.get("source_code") or "", "target": target_text(r),
              "what": ", ".join(t for t in (item_text(r), value_text(r)) if t), "status": (r.get("status") or "") if r["type"] in {"AID", "TRADE"} else "",
              "says_who": r.get("attributed_to") or "", "conf": f"{r.get('confidence') or 0:.2f}"}
             for r in rows]
    print_table(cells, EVENT_COLUMNS, wide=wide, console=console)


@app.command()
@handle_errors
def events(type: Optional[str] = typer.Option(None, "--type", help="AID, CONSULT, ..."),
           source: Optional[str] = typer.Option(None, "--source", help="source code (CHN)"),
           target: Optional[str] = typer.Option(None, "--target", help="target code (ITA)"),
           since: Optional[str] = typer.Option(None, "--since", help="YYYY[-MM[-DD]]"),
           until: Optional[str] = typer.Option(None, "--until", help="YYYY[-MM[-DD]]"),
           item: Optional[str] = typer.Option(None, "--item", help="item class (masks, vaccines...)"),
           article: Optional[str] = typer.Option(None, "--article", help="article id"),
           limit: Optional[int] = typer.Option(None, "--limit"),
           fmt: str = typer.Option("table", "--format", help="table, csv or json"),
           wide: bool = WideOption,
           as_extracted: bool = typer.Option(False, "--as-extracted", help="the machine's events, without"
                                             " reviewers' corrections"),
           db: Optional[str] = DbOption, config: Optional[str] = ConfigOption) -> None:
    """List stored events, filtered (reviewers' corrections applied unless --as-extracted)."""
    settings = settings_from(db, config)
    with Store(settings.db, read_only=True) as store:
        rows = store.events(type=type, source=source, target=target, since=since, until=until,
                            item=item, article=article, limit=limit, as_extracted=as_extracted)
    print_events(rows, fmt, wide=wide)
    if fmt == "table":
        confirmed = [f"{r['id'][:8]} ({r['review']} by {r['reviewed_by']})" for r in rows if r.get("reviewed_by")]
        if confirmed:
            typer.echo(f"confirmed by a person: {', '.join(confirmed)}", err=True)


@app.command()
@handle_errors
def show(event_id: str = typer.Argument(..., help="event id (a unique prefix is enough)"),
         as_extracted: bool = typer.Option(False, "--as-extracted", help="as the machine extracted it"),
         db: Optional[str] = DbOption, config: Optional[str] = ConfigOption) -> None:
    """One event: its fields and the sentence it came from, trigger highlighted."""
    settings = settings_from(db, config)
    with Store(settings.db, read_only=True) as store:
        row = store.event(store.resolve_event_id(event_id), as_extracted=as_extracted)
    console = terminal_console()
    sent = row["sentence"] or ""
    text = Text(sent)
    start = (row["trigger_start"] or 0) - (row["sentence_start"] or 0)
    if 0 <= start < len(sent):
        text.stylize("bold reverse", start, start + len(row["trigger"] or ""))
    console.print(f"[bold]{row['type']}[/] {row.get('mode') or ''}  "
                  f"{row.get('source_code')} -> {target_text(row)}   {row.get('date') or ''}")
    if row["type"] in {"AID", "TRADE"}:
        console.print(f"items: {item_text(row) or '-'}   value: {value_text(row) or '-'}   "
                      f"status: {row['status']}   mode: {row['transfer_mode']}   "
                      f"granularity: {row['granularity']}")
    console.print(f"says who: {row.get('attributed_to') or 'the outlet'} "
                  f"({row.get('claim_cue') or '-'}, {row.get('factuality')})   "
                  f"confidence {row.get('confidence'):.2f}")
    console.print(f"source found via: {row.get('source_via')}; target via: {row.get('target_via')}")
    if row.get("reviewed_by"):
        console.print(f"confirmed by a person: {row['review']} by {row['reviewed_by']} at {row['reviewed_at']}")
    console.print(text)
    console.print(f"[dim]{row.get('title') or ''} — {row.get('outlet') or ''}, "
                  f"{row.get('published') or 'date unknown'} {row.get('url') or ''}[/]")
