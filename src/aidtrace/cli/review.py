"""`aidtrace reviews` (the review log, the unattached ones) and `aidtrace reextract`."""
from __future__ import annotations

import json
import sys
from typing import Optional

import typer

from ..store import Store
from ..store.reviews import reviews as review_log, unattached
from ._app import ConfigOption, DbOption, ExtractorOption, VerboseOption, app, handle_errors, settings_from, setup_logging


@app.command("reviews")
@handle_errors
def list_reviews(unattached_only: bool = typer.Option(False, "--unattached",
                                                      help="only reviews re-extraction could not re-attach"),
                 article: Optional[str] = typer.Option(None, "--article", help="article id"),
                 fmt: str = typer.Option("table", "--format", help="table or json"),
                 db: Optional[str] = DbOption, config: Optional[str] = ConfigOption) -> None:
    """Reviewers' accepts, rejects, edits and added events, oldest first."""
    settings = settings_from(db, config)
    with Store(settings.db, read_only=True) as store:
        rows = unattached(store) if unattached_only else review_log(store, article=article)
    if unattached_only and article:
        rows = [r for r in rows if r["article_id"] == article]
    if fmt == "json":
        json.dump(rows, sys.stdout, default=str, indent=1, ensure_ascii=False)
        sys.stdout.write("\n")
        return
    for r in rows:
        state = "" if r["attached"] else "  NOT RE-ATTACHED"
        typer.echo(f"{r['reviewed_at']:%Y-%m-%d %H:%M}  {r['reviewer']:<12} {r['action']:<6} "
                   f"{r['event_id'][:8]}  {r['article_id']}{state}")
    typer.echo(f"{len(rows)} review(s)", err=True)


@app.command()
@handle_errors
def reextract(article: Optional[list[str]] = typer.Option(None, "--article", help="article id; repeatable"),
              extractor: Optional[str] = ExtractorOption,
              db: Optional[str] = DbOption, config: Optional[str] = ConfigOption,
              verbose: int = VerboseOption) -> None:
    """Extract stored articles again (after a model update); reviews follow their events."""
    from ..pipeline import Pipeline  # the spaCy model: loaded only when it runs
    from ..reextract import reextract as run
    from ..stories import ensure_stories

    setup_logging(verbose)
    settings = settings_from(db, config, extractor)
    with Store(settings.db) as store:
        pipeline = Pipeline(settings)
        run_id = store.start_run("reextract", pipeline.version, "")
        result = run(store, pipeline, articles=article, run_id=run_id)
        store.finish_run(run_id, {"stored": result.articles})
        ensure_stories(store, settings)
    typer.echo(f"re-extracted {result.articles} articles: {result.events_before} -> {result.events_after} events; "
               f"{result.reviews - len(result.unattached)} of {result.reviews} reviewed events re-attached", err=True)
    for r in result.unattached:
        typer.echo(f"could not re-attach: review {r['id'][:8]} ({r['action']} by {r['reviewer']}) of article "
                   f"{r['article_id']}, {r['extracted_type']} at characters {r['trigger_start']}-{r['trigger_end']}",
                   err=True)
    if result.unattached:
        typer.echo("they stay in the review log: `aidtrace reviews --unattached`", err=True)
