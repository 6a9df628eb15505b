"""`aidtrace extract` (events without a database) and `aidtrace eval` (score against gold)."""
from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, Optional

import typer

from ..evaluate import calibration, cause_counts, explain, format_report, load_gold, score
from ..models import Article, Document
from ._app import (ConfigOption, ExtractorOption, VerboseOption, app, handle_errors,
                   settings_from, setup_logging)
from .train import CorpusOption, GoldOption, cross_validation


def _documents(paths: list[str], config: str | None,
               extractor: str | None = None) -> tuple[list[Document], list[Any]]:
    """Read and extract every input; bad inputs come back as ledger entries, not errors."""
    from ..ingest import iter_inputs
    from ..pipeline import Pipeline

    settings = settings_from(config=config, extractor=extractor)
    articles: list[Article] = []
    rejected = []
    for item in iter_inputs(paths, settings):
        if isinstance(item, Article):
            articles.append(item)
        else:
            rejected.append(item)
    pipeline = Pipeline(settings)
    return list(pipeline.pipe(articles)), rejected


def _gold_ids(gold_rows: list[dict[str, Any]], docs: list[Document]) -> dict[str, str]:
    """Stored article id -> gold article id. JSONL articles carry the gold id; corpus .txt
    files are matched by the gold row's "file", else by file stem (their stored id comes
    from the URL)."""
    wanted = {str(r["article"]) for r in gold_rows}
    by_file = {Path(str(r["file"])).name: str(r["article"]) for r in gold_rows if r.get("file")}
    out = {}
    for d in docs:
        if d.article.id in wanted:
            out[d.article.id] = d.article.id
        elif d.article.source and Path(d.article.source).name in by_file:
            out[d.article.id] = by_file[Path(d.article.source).name]
        elif d.article.source and Path(d.article.source).stem in wanted:  # p003.txt -> p003
            out[d.article.id] = Path(d.article.source).stem
    return out


def _json_default(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


@app.command()
@handle_errors
def extract(paths: list[str] = typer.Argument(..., help="files, folders, URLs or - for stdin"),
            fmt: str = typer.Option("jsonl", "--format", help="jsonl (one event a line) or json"),
            extractor: Optional[str] = ExtractorOption,
            config: Optional[str] = ConfigOption, verbose: int = VerboseOption) -> None:
    """Extract events and print them, without a database (how quality is measured)."""
    setup_logging(verbose)
    docs, rejected = _documents(paths, config, extractor)
    rows = [ev.to_dict() for d in docs for ev in d.events]
    if fmt == "json":
        json.dump(rows, sys.stdout, default=_json_default, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
    else:
        for row in rows:
            sys.stdout.write(json.dumps(row, default=_json_default, ensure_ascii=False) + "\n")
    for entry in rejected:
        typer.echo(f"{entry.status}: {entry.origin}: {entry.reason}", err=True)


@app.command("eval")
@handle_errors
def eval_(gold: Optional[Path] = typer.Argument(None, exists=True, help="gold JSONL (one article a line)"),
          articles: Optional[list[str]] = typer.Option(None, "--articles", help="the gold articles (JSONL, folder)"),
          cv: Optional[int] = typer.Option(None, "--cv", min=2, help="K-fold cross-validation of the "
                                           "learned extractor over --corpus (retrains per fold)"),
          corpus: Optional[list[Path]] = CorpusOption, extra_gold: Optional[list[Path]] = GoldOption,
          report: Path = typer.Option(Path("eval-report.json"), "--report", help="JSON report path"),
          errors: bool = typer.Option(True, "--errors/--no-errors", help="list misses and false positives"),
          predictions: Optional[Path] = typer.Option(None, "--predictions", help="also write the "
                                                     "predictions JSONL here (with --cv: the pooled "
                                                     "out-of-fold ones, and their gold beside it)"),
          seed: Optional[int] = typer.Option(None, "--seed", help="with --cv: the seed of the folds "
                                             "and of the training (default the shipped model's; "
                                             "another shows the spread of a figure)"),
          extractor: Optional[str] = ExtractorOption,
          config: Optional[str] = ConfigOption, verbose: int = VerboseOption) -> None:
    """Score the pipeline against gold (same figures as score.py), or cross-validate it."""
    setup_logging(verbose)
    if cv is not None:
        cross_validation(cv, corpus, extra_gold, report, predictions, with_extra=True, seed=seed)
        return
    if gold is None or not articles:
        raise typer.BadParameter("give GOLD and --articles, or --cv K")
    gold_rows = load_gold(gold)
    docs, _ = _documents(articles, config, extractor)
    gold_id = _gold_ids(gold_rows, docs)
    preds = []
    for d in docs:
        if d.article.id not in gold_id:
            continue
        for ev in d.events:
            row = json.loads(json.dumps(ev.to_dict(), default=_json_default))
            row["article"] = gold_id[d.article.id]
            preds.append(row)
    rep = score(gold_rows, preds)
    mentions = {d.article.id: {m.code for m in d.mentions} for d in docs}
    explained = explain(gold_rows, preds, mentions)
    rep["causes"] = cause_counts(explained)
    rep["explained"] = explained
    rep["calibration"] = calibration(gold_rows, preds)
    typer.echo(format_report(rep))
    typer.echo("causes: " + json.dumps(rep["causes"]))
    typer.echo("calibration (confidence -> share correct): " + ", ".join(
        f"[{c['from']:.1f},{c['to']:.1f}) {c['correct'] if c['correct'] is not None else '-'}"
        f" (n={c['events']})" for c in rep["calibration"]))
    if errors:
        for e in explained:
            typer.echo(f"  {e['kind']:14s} {e['cause']:20s} {e['article']} {tuple(e['key'])} :: "
                       f"{(e.get('sentence') or '')[:160]}")
    e = rep["events"]
    typer.echo(f"F1 {e['f1']:.3f}")
    report.write_text(json.dumps(rep, indent=1, default=list), encoding="utf-8")
    if predictions is not None:
        with predictions.open("w", encoding="utf-8") as fh:
            for p in preds:
                fh.write(json.dumps(p, ensure_ascii=False) + "\n")
