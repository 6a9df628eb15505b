"""`aidtrace ingest` (read sources into the store) and `aidtrace ledger` (what happened to each)."""
from __future__ import annotations

import csv
import json
import logging
import sys
from typing import Any, Optional

import typer
from rich.console import Console

from ..errors import ConfigError
from ..store import Store
from ._app import (ConfigOption, DbOption, ExtractorOption, VerboseOption, WideOption, app,
                   handle_errors, settings_from, setup_logging)
from .tables import Col, print_table

LEDGER_COLUMNS = ("logged_at", "status", "origin", "reason", "article_id", "duplicate_of", "run_id")
# origin and reason are free text (paths, URLs, messages): they wrap; the time is left out first
LEDGER_TABLE = (Col("status", "status"), Col("origin", "origin", wrap=True),
                Col("reason", "reason", wrap=True), Col("article", "article", priority=1),
                Col("duplicate_of", "duplicate of", priority=2), Col("time", "time", priority=3))
STATUSES = ("stored", "duplicate", "skipped", "rejected")


def parse_fields(pairs: list[str]) -> dict[str, str]:
    """``["text=body", "published=date"]`` -> {"text": "body", "published": "date"}."""
    fields = {}
    for pair in pairs:
        name, sep, column = pair.partition("=")
        if not sep or not name.strip() or not column.strip():
            raise ConfigError(f"--field wants NAME=COLUMN (e.g. text=body), got {pair!r}")
        fields[name.strip()] = column.strip()
    return fields


@app.command()
@handle_errors
def ingest(sources: list[str] = typer.Argument(
               ..., help="files, folders, globs, http(s) URLs, feeds, WARCs, or - for stdin"),
           fmt: Optional[str] = typer.Option(
               None, "--format", help="txt, html, jsonl, csv, warc, feed or url (a list of URLs); "
                                      "default: from the extension or content type"),
           field: list[str] = typer.Option(
               [], "--field", help="JSONL/CSV field name, NAME=COLUMN (text=body); repeatable"),
           strict: bool = typer.Option(False, "--strict", help="exit 4 if any input was rejected"),
           no_extract: bool = typer.Option(
               False, "--no-extract", help="store only, extract later (ingest again without it)"),
           workers: Optional[int] = typer.Option(
               None, "--workers", help="read-ahead work and extraction in N worker processes (one writer stores)"),
           dask: Optional[str] = typer.Option(
               None, "--dask", help="extract on a Dask cluster: scheduler ADDRESS, or 'local' "
                                    "for a LocalCluster of --workers processes"),
           shard_dir: Optional[str] = typer.Option(
               None, "--shard-dir", help="where workers write Parquet shards (default <db>.shards; "
                                         "on a cluster: storage every node shares)"),
           extractor: Optional[str] = ExtractorOption,
           db: Optional[str] = DbOption, config: Optional[str] = ConfigOption,
           verbose: int = VerboseOption) -> None:
    """Read articles from every source, extract their events, and store both.

    Every input item gets one ledger row (stored, duplicate, skipped or rejected); bad
    items never stop the batch. Prints a summary line at the end.
    """
    from ..ingest import ingest as run_ingest

    setup_logging(verbose)
    if not sys.stderr.isatty():  # no progress bar: let the per-batch progress lines through
        logging.getLogger("aidtrace.ingest.progress").setLevel(logging.INFO)
    settings = settings_from(db, config, extractor)
    fields = parse_fields(field)
    if workers is not None or dask is not None:  # parallel ingest (issue 6): aidtrace.runner
        from ..runner import ingest_in_parallel

        summary = ingest_in_parallel(sources, settings=settings, workers=workers, dask=dask,
                                     shard_dir=shard_dir, fmt=fmt, fields=fields, no_extract=no_extract)
        typer.echo(summary.line())
        parallel_error = summary.strict_error() if strict else None
        if parallel_error is not None:
            raise parallel_error
        return
    pipeline = None
    if not no_extract:
        from ..pipeline import Pipeline  # loads the spaCy model: only when extracting

        pipeline = Pipeline(settings)
    with Store(settings.db) as store:
        summary = run_ingest(sources, store=store, pipeline=pipeline, settings=settings, fmt=fmt,
                             fields=fields)
    typer.echo(summary.line())
    error = summary.strict_error() if strict else None
    if error is not None:
        raise error


@app.command()
@handle_errors
def ledger(status: Optional[str] = typer.Option(None, "--status", help="stored, duplicate, skipped or rejected"),
           run: Optional[str] = typer.Option(None, "--run", help="a run id, or 'last'"),
           limit: Optional[int] = typer.Option(None, "--limit"),
           fmt: str = typer.Option("table", "--format", help="table, csv or json"),
           wide: bool = WideOption, db: Optional[str] = DbOption, config: Optional[str] = ConfigOption) -> None:
    """What happened to each input item: stored, duplicate, skipped or rejected, and why."""
    if status is not None and status not in STATUSES:
        raise ConfigError(f"--status must be one of {', '.join(STATUSES)}, not {status!r}")
    if fmt not in ("table", "csv", "json"):
        raise ConfigError(f"--format must be table, csv or json, not {fmt!r}")
    settings = settings_from(db, config)
    with Store(settings.db, read_only=True) as store:
        if run == "last":
            found = store.query("SELECT id FROM runs WHERE command LIKE 'ingest%'"
                                " ORDER BY started DESC LIMIT 1")
            run = found[0]["id"] if found else None
        rows = store.ledger(status=status, run_id=run, limit=limit)
    print_ledger(rows, fmt, wide=wide)


def print_ledger(rows: list[dict[str, Any]], fmt: str, *, wide: bool = False) -> None:
    rows = [{col: row.get(col) for col in LEDGER_COLUMNS} for row in rows]
    if fmt == "json":
        json.dump(rows, sys.stdout, default=str, indent=1, ensure_ascii=False)
        sys.stdout.write("\n")
    elif fmt == "csv":
        writer = csv.DictWriter(sys.stdout, fieldnames=list(LEDGER_COLUMNS))
        writer.writeheader()
        writer.writerows(rows)
    else:
        cells = [{"time": str(r["logged_at"])[:19], "status": r["status"], "origin": r["origin"],
                  "reason": r["reason"] or "", "article": r["article_id"] or "",
                  "duplicate_of": r["duplicate_of"] or ""} for r in rows]
        print_table(cells, LEDGER_TABLE, wide=wide)
        Console(stderr=True).print(f"{len(rows)} rows")
