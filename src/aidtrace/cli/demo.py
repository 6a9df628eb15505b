"""`aidtrace run`: the bundled demo — ingest examples/, print the events, point at the dashboard."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Optional

import typer

from ..store import Store
from ._app import ConfigOption, DbOption, VerboseOption, app, handle_errors, settings_from, setup_logging
from ..evaluate import key, load_gold, score
from .query import print_events
from .tables import terminal_console

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"
# their hand-written gold, kept outside examples/ so that `aidtrace ingest examples/` reads texts only
EXAMPLES_GOLD = Path(__file__).resolve().parents[3] / "tests" / "fixtures" / "examples_gold"


@app.command()
@handle_errors
def run(examples: Path = typer.Option(EXAMPLES, "--examples", help="folder of example articles"),
        gold: Path = typer.Option(EXAMPLES_GOLD, "--gold", help="folder with gold.jsonl and "
                                  "articles.jsonl of the examples, to check the output against"),
        db: Optional[str] = DbOption, config: Optional[str] = ConfigOption,
        verbose: int = VerboseOption) -> None:
    """Ingest the bundled example articles and print the events table."""
    from ..ingest import ingest
    from ..pipeline import Pipeline

    setup_logging(verbose)
    settings = settings_from(db, config)
    if not examples.is_dir():
        raise typer.BadParameter(f"no examples folder at {examples}")
    console = terminal_console()
    texts = sorted(str(p) for p in examples.glob("*.txt"))
    with Store(settings.db) as store:
        summary = ingest(texts, store=store, pipeline=Pipeline(settings),
                         settings=settings, progress=False)
        rows = store.events()
    console.print(f"[bold]{summary.line()}[/] into {settings.db}")
    print_events(rows, "table", console=console)
    console.print(f"{len(rows)} events. Inspect one:  aidtrace show {rows[0]['id'][:8]}" if rows else "")
    if (gold / "gold.jsonl").exists():
        for line in check_against_gold(rows, gold):
            console.print(line, highlight=False)
    console.print(f"Open the dashboard:  .venv/bin/aidtrace serve --db {settings.db}   "
                  f"(then http://{settings.host}:{settings.port}/)")


def check_against_gold(rows: list[dict[str, Any]], folder: Path) -> list[str]:
    """How the printed events compare with the examples' hand-written gold: the demo says
    how much of what it shows is right, and which rows are not in the gold."""
    gold = load_gold(folder / "gold.jsonl")
    by_url = {}
    with open(folder / "articles.jsonl", encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                a = json.loads(line)
                by_url[a["url"]] = str(a["id"])
    preds = [{"article": by_url.get(r["url"], r["article_id"]), "type": r["type"],
              "source": r["source_code"], "target": r["target_code"], "id": r["id"]}
             for r in rows]
    rep = score(gold, preds)
    e = rep["events"]
    known = {str(g["article"]): {key(ev) for ev in g["events"]} for g in gold}
    wrong = [p for p in preds if key(p) not in known.get(p["article"], set())]
    lines = [f"Checked against the examples' gold (annotated by hand): P {e['precision']:.3f} "
             f"R {e['recall']:.3f} F1 {e['f1']:.3f}; {len(wrong)} of {len(preds)} events "
             f"above are not in it:"]
    lines += [f"  {p['id'][:8]} {p['type']} {p['source']} -> {p['target'] or '-'}" for p in wrong]
    return lines
