"""The evaluation gate: extraction quality on the dev corpus may not fall below pinned floors.

Runs the real pipeline over ../shared/corpus/dev, scores it with aidtrace's scorer, checks
that the reference scorer (shared/tools/score.py) prints the same figures on the same
predictions, and compares with tests/eval_baseline.json.
"""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from aidtrace.evaluate import load_gold, score
from aidtrace.ingest import iter_inputs
from aidtrace.config import Settings
from aidtrace.models import Article

from .conftest import ROOT, SHARED

pytestmark = pytest.mark.slow
BASELINE = json.loads((ROOT / "tests" / "eval_baseline.json").read_text())


@pytest.fixture(scope="module")
def predictions(pipeline, dev_corpus, tmp_path_factory):
    articles = [a for a in iter_inputs([str(dev_corpus / "articles.jsonl")], Settings())
                if isinstance(a, Article)]
    preds = [json.loads(json.dumps(ev.to_dict(), default=str))
             for doc in pipeline.pipe(articles) for ev in doc.events]
    path = tmp_path_factory.mktemp("eval") / "pred.jsonl"
    path.write_text("".join(json.dumps(p) + "\n" for p in preds))
    return preds, path


def test_every_dev_article_is_read(dev_corpus):
    gold = load_gold(dev_corpus / "gold.jsonl")
    ids = {a.id for a in iter_inputs([str(dev_corpus / "articles.jsonl")], Settings())
           if isinstance(a, Article)}
    assert {str(r["article"]) for r in gold} <= ids


def test_dev_f1_above_floor(predictions, dev_corpus):
    preds, _ = predictions
    rep = score(load_gold(dev_corpus / "gold.jsonl"), preds)
    assert rep["events"]["f1"] >= BASELINE["dev"]["f1"], rep["events"]
    for name, floor in BASELINE["attributes"].items():
        assert rep["attributes"][name]["accuracy"] >= floor, (name, rep["attributes"][name])


def test_seed_f1_above_floor(predictions, dev_corpus):
    preds, _ = predictions
    gold = [r for r in load_gold(dev_corpus / "gold.jsonl") if r["article"] == "seed-000"]
    rep = score(gold, [p for p in preds if p["article"] == "seed-000"])
    assert rep["events"]["f1"] >= BASELINE["seed-000"]["f1"], rep["events"]


def test_agrees_with_reference_scorer(predictions, dev_corpus, tmp_path):
    preds, path = predictions
    scorer = SHARED / "tools" / "score.py"
    if not scorer.exists():
        pytest.skip(f"reference scorer not found at {scorer}")
    out = tmp_path / "ref.json"
    subprocess.run([sys.executable, str(scorer), str(dev_corpus / "gold.jsonl"), str(path),
                    "--json", str(out)], check=True, capture_output=True)
    ref = json.loads(out.read_text())
    ours = score(load_gold(dev_corpus / "gold.jsonl"), preds)
    for metric in ("precision", "recall", "f1"):
        assert round(ours["events"][metric], 3) == round(ref["events"][metric], 3)
    assert {k: round(v["f1"], 3) for k, v in ours["per_type"].items()} == \
        {k: round(v["f1"], 3) for k, v in ref["per_type"].items()}
    assert {k: round(v["accuracy"], 3) for k, v in ours["attributes"].items()} == \
        {k: round(v["accuracy"], 3) for k, v in ref["attributes"].items()}
