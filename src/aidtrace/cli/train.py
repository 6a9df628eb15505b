"""`aidtrace train` (rebuild the shipped event model) and `aidtrace eval --cv K`."""
from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path
from typing import Any, Optional

import typer

from ..evaluate import format_report, score
from ._app import VerboseOption, app, handle_errors, setup_logging


def default_corpora() -> list[Path]:
    """../shared/corpus/{dev,train}, or under $AIDTRACE_SHARED."""
    root = Path(os.environ.get("AIDTRACE_SHARED", "../shared")) / "corpus"
    return [root / "dev", root / "train"]


CorpusOption = typer.Option(None, "--corpus", help="gold corpus folder (articles.jsonl + "
                            "gold.jsonl); repeatable; default ../shared/corpus/{dev,train}")
GoldOption = typer.Option(None, "--gold", help="extra gold.jsonl (its articles.jsonl beside "
                          "it, e.g. from `aidtrace export --what gold`); repeatable")


def _examples(corpora: list[Path], extra: list[Path]) -> tuple[list[Any], list[Any], Any]:
    from ..config import Settings
    from ..errors import InputError
    from ..events.candidates import CandidateFinder
    from ..ontology.lexicon import default_lexicon
    from ..pipeline import Pipeline
    from ..train import examples, gold_extra, load_corpus

    for d in corpora:
        if not (d / "gold.jsonl").exists() or not (d / "articles.jsonl").exists():
            raise InputError(f"{d}: not a gold corpus (needs gold.jsonl and articles.jsonl)")
    items = load_corpus(corpora)
    for g in extra:
        items += gold_extra(g)
    pipeline = Pipeline(Settings(extractor="rules"))
    parsed = list(pipeline.parse([g.article for g in items]))
    exs = examples(parsed, {g.article.id: g.gold for g in items},
                   CandidateFinder(default_lexicon()))
    return items, exs, pipeline


@app.command()
@handle_errors
def train(corpus: Optional[list[Path]] = CorpusOption, gold: Optional[list[Path]] = GoldOption,
          out: Optional[Path] = typer.Option(None, "--out", help="model file (default: the "
                                             "shipped one, src/aidtrace/data/event-model.json)"),
          verbose: int = VerboseOption) -> None:
    """Rebuild the event model from gold corpora, deterministically (fixed seeds)."""
    from ..events.model import DEFAULT_MODEL
    from ..train import candidate_recall, train_model

    setup_logging(verbose)
    started = time.monotonic()
    corpora = list(corpus or default_corpora())
    items, exs, _ = _examples(corpora, list(gold or []))
    command = "aidtrace train " + " ".join(
        [f"--corpus {d}" for d in corpus or []] + [f"--gold {g}" for g in gold or []])
    model = train_model(exs, items, command.strip())
    target = out or DEFAULT_MODEL
    model.save(target)
    cr = candidate_recall(exs)
    typer.echo(f"trained on {len(items)} articles ({model.meta['corpus_sha256']}), "
               f"{len(model.vocab)} features, candidate recall {cr['recall']:.3f}, "
               f"{time.monotonic() - started:.0f} s -> {target}")


def cross_validation(k: int, corpus: list[Path] | None, gold: list[Path] | None,
                     report: Path, predictions: Path | None, with_extra: bool,
                     seed: int | None = None) -> None:
    """The body of `aidtrace eval --cv K`: per fold, pooled, per type and attributes."""
    from ..train import SEED, candidate_recall, cross_validate

    corpora = list(corpus or default_corpora())
    extra = list(gold or [])
    items, exs, pipeline = _examples(corpora, extra)
    base_ids = {g.article.id for g in items if g.folder in corpora}
    extra_ids = {g.article.id for g in items} - base_ids
    runs = [("with extra gold", exs)] if extra_ids else []
    base = [ex for ex in exs if ex.gold["article"] not in extra_ids]
    runs.insert(0, ("corpus", base))
    if not with_extra:
        runs = runs[:1]
    results: dict[str, Any] = {}
    for name, subset in runs:
        if len(runs) > 1:
            typer.echo(f"== {name}: {len(subset)} articles")
        cr = candidate_recall(subset)
        typer.echo(f"candidate recall {cr['recall']:.3f} ({cr['found']}/{cr['keys']} gold keys, "
                   f"{cr['candidates']} candidates)")
        folds = cross_validate(subset, k, pipeline.extractor.describe,
                               seed=SEED if seed is None else seed,
                               progress=lambda i: typer.echo(f"  fold {i + 1}/{k} trained", err=True))
        gold_rows = {ex.gold["article"]: ex.gold for ex in subset}
        for f in folds:
            # scored on the fold's held-out articles only (extra gold is never held out
            # against the corpus figures: it is scored as its own articles)
            rep = score([gold_rows[a] for a in sorted(f.articles)], f.events)
            e = rep["events"]
            typer.echo(f"fold {f.fold + 1}: articles {rep['articles']}  P {e['precision']:.3f} "
                       f"R {e['recall']:.3f} F1 {e['f1']:.3f}")
        pooled = [row for f in folds for row in f.events]
        rep = score(list(gold_rows.values()), pooled)
        rep["candidate_recall"] = cr
        rep["folds"] = [{"fold": f.fold + 1, "articles": sorted(f.articles)} for f in folds]
        rep["by_corpus"] = _by_corpus(items, gold_rows, pooled)
        results[name] = {k2: v for k2, v in rep.items() if k2 != "errors"}
        typer.echo("pooled out-of-fold, by corpus folder:")
        for folder, ev in rep["by_corpus"].items():
            typer.echo(f"  {folder:24s} articles {ev['articles']:4d}  P {ev['precision']:.3f} "
                       f"R {ev['recall']:.3f} F1 {ev['f1']:.3f}")
        typer.echo("pooled out-of-fold:")
        typer.echo(format_report(rep))
        if predictions is not None and name == "corpus":
            with predictions.open("w", encoding="utf-8") as fh:
                for row in pooled:
                    fh.write(json.dumps(row, ensure_ascii=False) + "\n")
            gold_path = predictions.with_suffix(".gold.jsonl")
            with gold_path.open("w", encoding="utf-8") as fh:
                for row in gold_rows.values():
                    fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    report.write_text(json.dumps(results, indent=1, default=list), encoding="utf-8")
    e = results["corpus"]["events"]
    sys.stdout.flush()
    typer.echo(f"F1 {e['f1']:.3f}")


def _by_corpus(items: list[Any], gold_rows: dict[str, Any],
               pooled: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Pooled out-of-fold event figures of each corpus folder's articles on their own.

    The folders are not alike: the rules the model reads as features were written while
    reading dev/, so its out-of-fold figure is far above that of texts nobody tuned on; the
    other folders' figure is the one to expect on new text.
    """
    folders: dict[Path, set[str]] = {}
    for g in items:
        if g.article.id in gold_rows:
            folders.setdefault(g.folder, set()).add(g.article.id)
    out: dict[str, dict[str, Any]] = {}
    for folder, ids in folders.items():
        rep = score([gold_rows[a] for a in sorted(ids)],
                    [row for row in pooled if str(row["article"]) in ids])
        out[folder.name if folder.name not in out else str(folder)] = \
            {"articles": len(ids), **rep["events"]}
    return out
