"""The evaluation gate: cross-validated extraction quality may not fall below pinned floors.

A score on texts the model was trained on means nothing, so the floors are on
article-level cross-validation over ../shared/corpus/{train,dev}, run through the real
command (`aidtrace eval --cv 3`, a CI-sized K; `make cv` runs the full 5 folds). The
pooled out-of-fold predictions it writes must give the same figures under the reference
scorer (shared/tools/score.py). The shipped model must say which data made it.
"""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from aidtrace.events.model import DEFAULT_MODEL, EventModel
from aidtrace.train import corpus_hash, load_corpus, story_folds

from .conftest import ROOT, SHARED

pytestmark = pytest.mark.slow
BASELINE = json.loads((ROOT / "tests" / "eval_baseline.json").read_text())
AIDTRACE = str(ROOT / ".venv" / "bin" / "aidtrace")


@pytest.fixture(scope="module")
def cv_run(corpora, tmp_path_factory):
    out = tmp_path_factory.mktemp("cv")
    args = [AIDTRACE, "eval", "--cv", "3", "--report", str(out / "cv.json"),
                       "--predictions", str(out / "pred.jsonl")]
    for d in corpora:
        args += ["--corpus", str(d)]
    proc = subprocess.run(args, capture_output=True, text=True, check=True)
    return proc.stdout, json.loads((out / "cv.json").read_text())["corpus"], out


def test_cv_output_ends_with_pooled_f1(cv_run):
    stdout, rep, _ = cv_run
    assert stdout.rstrip().splitlines()[-1] == f"F1 {rep['events']['f1']:.3f}"
    assert stdout.count("fold ") >= 3 and "candidate recall" in stdout


def test_cv_above_floor(cv_run):
    _, rep, _ = cv_run
    floor = BASELINE["cv3"]
    assert rep["events"]["f1"] >= floor["f1"], rep["events"]
    assert rep["events"]["precision"] >= floor["precision"], rep["events"]
    assert rep["candidate_recall"]["recall"] >= floor["candidate_recall"], rep["candidate_recall"]
    for name, value in floor["attributes"].items():
        assert rep["attributes"][name]["accuracy"] >= value, (name, rep["attributes"][name])


def test_cv_reports_each_corpus_folder_apart(cv_run, corpora):
    stdout, rep, _ = cv_run
    folders = rep["by_corpus"]
    assert sorted(folders) == sorted(d.name for d in corpora)
    assert sum(f["articles"] for f in folders.values()) == rep["articles"]
    for count in ("tp", "fp", "fn"):  # the scorer sums per article: the parts add up
        assert sum(f[count] for f in folders.values()) == rep["events"][count]
    for name, f in folders.items():
        assert f"{name}" in stdout and f"F1 {f['f1']:.3f}" in stdout


def test_cv_predictions_agree_with_reference_scorer(cv_run, tmp_path):
    _, ours, out = cv_run
    scorer = SHARED / "tools" / "score.py"
    if not scorer.exists():
        pytest.skip(f"reference scorer not found at {scorer}")
    subprocess.run([sys.executable, str(scorer), str(out / "pred.gold.jsonl"),
                    str(out / "pred.jsonl"), "--json", str(tmp_path / "ref.json")],
                   check=True, capture_output=True)
    ref = json.loads((tmp_path / "ref.json").read_text())
    for metric in ("precision", "recall", "f1"):
        assert round(ours["events"][metric], 3) == round(ref["events"][metric], 3)
    assert {k: round(v["f1"], 3) for k, v in ours["per_type"].items()} == \
        {k: round(v["f1"], 3) for k, v in ref["per_type"].items()}
    assert {k: round(v["accuracy"], 3) for k, v in ours["attributes"].items()} == \
        {k: round(v["accuracy"], 3) for k, v in ref["attributes"].items()}


def test_folds_keep_a_story_together(corpora):
    rows = [g.gold for g in load_corpus(corpora)]
    folds = story_folds(rows, 5)
    assert sorted(a for f in folds for a in f) == sorted(str(r["article"]) for r in rows)
    assert max(map(len, folds)) - min(map(len, folds)) <= max(3, len(rows) // 20)
    # two articles sharing most of their required keys are one story: same fold
    keys = {str(r["article"]): {(e["type"], e.get("source"), e.get("target"))
                                for e in r["events"] if not e.get("optional")} for r in rows}
    fold_of = {a: i for i, f in enumerate(folds) for a in f}
    ids = sorted(keys)
    for i, a in enumerate(ids):
        for b in ids[i + 1:]:
            shared = len(keys[a] & keys[b])
            if shared >= 2 and shared >= 0.5 * min(len(keys[a]), len(keys[b])):
                assert fold_of[a] == fold_of[b], (a, b)


def test_shipped_model_records_its_data(corpora):
    model = EventModel.load(DEFAULT_MODEL)
    assert model.meta["corpus_sha256"] == corpus_hash(load_corpus(corpora)), \
        "the shipped model was not trained on today's corpus: run `make train`"
    assert model.meta["command"].startswith("aidtrace train")
    assert DEFAULT_MODEL.stat().st_size <= 20_000_000
