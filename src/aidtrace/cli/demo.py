"""`aidtrace run`: the bundled demo — ingest examples/, print the events, point at the dashboard."""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from ..store import Store
from ._app import ConfigOption, DbOption, VerboseOption, app, handle_errors, settings_from, setup_logging
from .query import print_events, wide_console

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"


@app.command()
@handle_errors
def run(examples: Path = typer.Option(EXAMPLES, "--examples", help="folder of example articles"),
        db: Optional[str] = DbOption, config: Optional[str] = ConfigOption,
        verbose: int = VerboseOption) -> None:
    """Ingest the bundled example articles and print the events table."""
    from ..ingest import ingest
    from ..pipeline import Pipeline

    setup_logging(verbose)
    settings = settings_from(db, config)
    if not examples.is_dir():
        raise typer.BadParameter(f"no examples folder at {examples}")
    console = wide_console()
    with Store(settings.db) as store:
        summary = ingest([str(examples)], store=store, pipeline=Pipeline(settings),
                         settings=settings, progress=False)
        rows = store.events()
    console.print(f"[bold]{summary.line()}[/] into {settings.db}")
    print_events(rows, "table", console)
    console.print(f"{len(rows)} events. Inspect one:  aidtrace show {rows[0]['id'][:8]}" if rows else "")
    console.print(f"Open the dashboard:  .venv/bin/aidtrace serve --db {settings.db}   "
                  f"(then http://{settings.host}:{settings.port}/)")
