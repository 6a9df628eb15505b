"""Reviewed articles become gold: `export --what gold` passes the corpus checker, and
`train --gold` / `eval --cv --gold` read it (real DuckDB file, real CLI, real training)."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from aidtrace.cli import app
from aidtrace.store import Store
from aidtrace.store import reviews as rv

from .api_data import build_db
from .conftest import SHARED

runner = CliRunner()
CHECKER = SHARED / "tools" / "check_gold.py"


def review_some(db: Path) -> None:
    """art-1 and art-4 reviewed whole (with an edit, a reject and an added event); art-2 half."""
    with Store(db) as store:
        rv.review(store, "ev-aid-ita", "accept", reviewer="ann")
        rv.review(store, "ev-thanks", "edit", reviewer="ann", correction=rv.Correction(date="2020-03-13"))
        rv.review(store, "ev-rus-usa", "accept", reviewer="bob")
        rv.review(store, "ev-accuse", "reject", reviewer="bob")
        rv.review(store, "ev-cumulative", "edit", reviewer="bob", correction=rv.Correction(
            items=[rv.ItemIn(item_class="masks", quantity=2_000_000_000, unit="pieces")]))
        text = store.article("art-4")["text"]
        start = text.index("Washington accused")
        rv.add(store, rv.NewEvent(article_id="art-4", start=start, end=start + len("Washington accused Beijing"),
                                  type="SUPPORT", source="USA", target="CHN"), reviewer="bob")
        rv.review(store, "ev-call", "accept", reviewer="cy")  # art-2's other event is not reviewed


@pytest.fixture
def gold_dir(tmp_path) -> Path:
    db = build_db(tmp_path / "g.duckdb")
    review_some(db)
    out = tmp_path / "gold"
    result = runner.invoke(app, ["export", "--what", "gold", "--out", str(out), "--db", str(db)])
    assert result.exit_code == 0, result.output
    assert "wrote 2 reviewed articles, 5 gold events" in result.output
    assert "left out 1 partly reviewed articles (art-2: 1 events to review)" in result.output
    return out


@pytest.mark.skipif(not CHECKER.exists(), reason="../shared/tools/check_gold.py not found")
def test_gold_export_passes_the_corpus_checker(gold_dir):
    checked = subprocess.run([sys.executable, str(CHECKER), str(gold_dir / "gold.jsonl"), str(gold_dir / "articles")],
                             capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout
    assert "2 articles, 5 events, 0 problems" in checked.stdout
    gold = {row["article"]: row for row in map(json.loads, (gold_dir / "gold.jsonl").read_text().splitlines())}
    assert sorted(gold) == ["art-1", "art-4"]
    events = {(e["type"], e["source"], e["target"]): e for e in gold["art-4"]["events"]}
    assert ("ACCUSE", "USA", "CHN") not in events  # rejected
    assert events[("SUPPORT", "USA", "CHN")]["evidence"] == "Washington accused Beijing"  # added
    assert events[("AID", "CHN", None)]["items"] == [{"item_class": "masks", "quantity": 2e9, "unit": "pieces"}]
    assert {e["date"] for e in gold["art-1"]["events"]} == {"2020-03-12", "2020-03-13"}
    texts = [json.loads(line) for line in (gold_dir / "articles.jsonl").read_text().splitlines()]
    assert [t["id"] for t in texts] == ["art-1", "art-4"]
    header, _, body = (gold_dir / "articles" / "art-1.txt").read_text().partition("\n\n")
    assert body == texts[0]["text"] and "published: 2020-03-14" in header


@pytest.fixture
def small_corpus(tmp_path, corpora) -> Path:
    """Six dev articles with their gold, as a corpus folder (a quick base to train on)."""
    dev = corpora[0]
    keep = [json.loads(line) for line in (dev / "gold.jsonl").read_text().splitlines()[:6]]
    ids = {row["article"] for row in keep}
    out = tmp_path / "small"
    out.mkdir()
    (out / "gold.jsonl").write_text("".join(json.dumps(r) + "\n" for r in keep))
    (out / "articles.jsonl").write_text("".join(line + "\n" for line in (dev / "articles.jsonl").read_text().splitlines()
                                                if line and json.loads(line)["id"] in ids))
    return out


def test_training_and_cross_validation_read_the_exported_gold(gold_dir, small_corpus, tmp_path):
    model = tmp_path / "model.json"
    trained = runner.invoke(app, ["train", "--corpus", str(small_corpus), "--gold", str(gold_dir / "gold.jsonl"),
                                  "--out", str(model)])
    assert trained.exit_code == 0, trained.output
    assert "trained on 8 articles" in trained.output  # six of the corpus, two reviewed
    meta = json.loads(model.read_text())["meta"]
    assert "--gold" in meta["command"]
    report = tmp_path / "cv.json"
    cv = runner.invoke(app, ["eval", "--cv", "2", "--corpus", str(small_corpus), "--gold", str(gold_dir / "gold.jsonl"),
                             "--report", str(report)])
    assert cv.exit_code == 0, cv.output
    assert "== corpus: 6 articles" in cv.output and "== with extra gold: 8 articles" in cv.output
    results = json.loads(report.read_text())
    assert set(results) == {"corpus", "with extra gold"}


@pytest.mark.parametrize("seed", [7, 29])
def test_cross_validation_seed_sets_the_folds(small_corpus, tmp_path, seed):
    """`eval --cv K --seed S` splits as the training code does with seed S (the spread of a
    CV figure is measured by rerunning it on another seed)."""
    from aidtrace.train import story_folds

    report = tmp_path / "cv.json"
    cv = runner.invoke(app, ["eval", "--cv", "2", "--seed", str(seed), "--corpus", str(small_corpus),
                             "--report", str(report)])
    assert cv.exit_code == 0, cv.output
    gold = [json.loads(line) for line in (small_corpus / "gold.jsonl").read_text().splitlines()]
    expected = [sorted(part) for part in story_folds(gold, 2, seed)]
    assert [f["articles"] for f in json.loads(report.read_text())["corpus"]["folds"]] == expected
