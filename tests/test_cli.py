"""The CLI end to end on the bundled examples and on small inputs written here."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from aidtrace.cli import app
from aidtrace.store import Store

from .conftest import ROOT, SHARED

runner = CliRunner()
EXAMPLES = ROOT / "examples"
EXAMPLES_GOLD = ROOT / "tests" / "fixtures" / "examples_gold"


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> tuple[Path, str]:
    db = tmp_path_factory.mktemp("demo") / "demo.duckdb"
    result = runner.invoke(app, ["run", "--db", str(db)])
    assert result.exit_code == 0, result.output
    assert "aidtrace serve" in result.output  # tells the user how to open the dashboard
    return db, result.output


@pytest.fixture(scope="module")
def demo_db(demo) -> Path:
    return demo[0]


def test_run_says_how_true_it_is(demo, tmp_path):
    """`make run` scores what it prints against the examples' own gold, and the reference
    scorer agrees; the events it calls wrong are exactly those whose key is not in it."""
    db, output = demo
    gold = [json.loads(line) for line in (EXAMPLES_GOLD / "gold.jsonl").read_text().splitlines() if line]
    assert sorted(r["article"] for r in gold) == sorted(p.stem for p in EXAMPLES.glob("*.txt"))
    url_to_id = {json.loads(line)["url"]: json.loads(line)["id"]
                 for line in (EXAMPLES_GOLD / "articles.jsonl").read_text().splitlines() if line}
    with Store(db, read_only=True) as store:
        rows = store.events()
    preds = [{"article": url_to_id[r["url"]], "type": r["type"], "source": r["source_code"],
              "target": r["target_code"]} for r in rows]
    pred_path = tmp_path / "pred.jsonl"
    pred_path.write_text("".join(json.dumps(p) + "\n" for p in preds))
    ref = subprocess.run([sys.executable, str(SHARED / "tools" / "score.py"),
                          str(EXAMPLES_GOLD / "gold.jsonl"), str(pred_path), "--json",
                          str(tmp_path / "ref.json")], capture_output=True, text=True)
    if ref.returncode != 0:
        pytest.skip(f"reference scorer not runnable here: {ref.stderr[-200:]}")
    e = json.loads((tmp_path / "ref.json").read_text())["events"]
    assert f"P {e['precision']:.3f} R {e['recall']:.3f} F1 {e['f1']:.3f}" in output
    floor = json.loads((ROOT / "tests" / "eval_baseline.json").read_text())["examples"]
    assert e["f1"] >= floor["f1"], e
    known = {(r["article"]): {(ev["type"], ev["source"], ev["target"]) for ev in r["events"]}
             for r in gold}
    for p, r in zip(preds, rows):
        k = (p["type"], p["source"], p["target"])
        in_gold = k in known[p["article"]] or (
            p["type"] == "CONSULT" and (p["type"], p["target"], p["source"]) in known[p["article"]])
        assert (f"  {r['id'][:8]} {p['type']} " in output) == (not in_gold), (k, p["article"])


def test_run_ingests_every_example(demo_db):
    with Store(demo_db, read_only=True) as store:
        counts = store.counts()
        stored = {r["origin"] for r in store.ledger(status="stored")}
    texts = sorted(EXAMPLES.glob("*.txt"))
    assert len(stored) == len(texts)
    assert counts["events"] >= 3 * len(texts)  # each example reports several events


def test_events_filters_and_formats(demo_db):
    result = runner.invoke(app, ["events", "--db", str(demo_db), "--type", "AID", "--format", "json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert rows and all(r["type"] == "AID" for r in rows)
    some_source = rows[0]["source_code"]
    result = runner.invoke(app, ["events", "--db", str(demo_db), "--source", some_source,
                                 "--format", "csv"])
    header, *lines = result.output.strip().splitlines()
    assert "source_code" in header and lines


def test_show_highlights_the_sentence(demo_db):
    with Store(demo_db, read_only=True) as store:
        ev = store.events(limit=1)[0]
    result = runner.invoke(app, ["show", ev["id"][:10], "--db", str(demo_db)])
    assert result.exit_code == 0, result.output
    assert ev["trigger"] in result.output
    assert ev["sentence"].split()[0] in result.output


def test_show_unknown_event_is_a_clear_error(demo_db):
    result = runner.invoke(app, ["show", "ffffffffffff", "--db", str(demo_db)])
    assert result.exit_code == 3
    assert "[A030]" in result.output


def test_reingest_replaces_instead_of_duplicating(demo_db, tmp_path):
    db = tmp_path / "twice.duckdb"
    for _ in range(2):
        assert runner.invoke(app, ["ingest", str(EXAMPLES), "--db", str(db)]).exit_code == 0
    with Store(db, read_only=True) as store:
        once = Store(demo_db, read_only=True)
        assert store.counts()["events"] == once.counts()["events"]
        assert store.counts()["articles"] == once.counts()["articles"]
        once.close()


def test_extract_jsonl_without_database(tmp_path):
    src = tmp_path / "a.txt"
    src.write_text("Japan sent 20 tons of rice to Nepal on Monday, the ministry said.\n")
    result = runner.invoke(app, ["extract", str(src), "--format", "jsonl"])
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.output.splitlines() if line.startswith("{")]
    assert lines and all(line["article"] for line in lines)
    assert lines[0]["source"]["code"] == "JPN" and lines[0]["target"]["code"] == "NPL"


def test_eval_matches_reference_scorer(tmp_path):
    """On a gold file written here (not the dev corpus), eval prints what score.py prints."""
    articles = tmp_path / "articles.jsonl"
    gold = tmp_path / "gold.jsonl"
    rows = [
        {"id": "a1", "published": "2020-04-01", "title": "t", "url": "https://example.org/a1",
         "text": "Japan sent 20 tons of rice to Nepal. Peru thanked Japan for the rice."},
        {"id": "a2", "published": "2021-02-01", "title": "t", "url": "https://example.org/a2",
         "text": "China donated 500,000 vaccine doses to Pakistan. Pakistan criticised India."},
    ]
    articles.write_text("".join(json.dumps(r) + "\n" for r in rows))
    golds = [
        {"article": "a1", "events": [
            {"type": "AID", "source": "JPN", "target": "NPL", "status": "shipped",
             "items": [{"item_class": "food", "quantity": 20, "unit": "tons"}]},
            {"type": "SUPPORT", "source": "PER", "target": "JPN"}]},
        {"article": "a2", "events": [
            {"type": "AID", "source": "CHN", "target": "PAK",
             "items": [{"item_class": "vaccines", "quantity": 500000, "unit": "doses"}]},
            {"type": "REQUEST", "source": "PAK", "target": "CHN"}]},
    ]
    gold.write_text("".join(json.dumps(g) + "\n" for g in golds))
    pred = tmp_path / "pred.jsonl"
    report = tmp_path / "report.json"
    result = runner.invoke(app, ["eval", str(gold), "--articles", str(articles), "--report",
                                 str(report), "--predictions", str(pred)])
    assert result.exit_code == 0, result.output
    ours = result.output.splitlines()[0]
    rep = json.loads(report.read_text())
    assert rep["events"]["fn"] >= 1  # the REQUEST is not in the text: a miss, listed
    assert any(e["kind"] == "missed" and e["cause"] for e in rep["explained"])
    scorer = SHARED / "tools" / "score.py"
    if not scorer.exists():
        pytest.skip("reference scorer not available")
    ref = subprocess.run([sys.executable, str(scorer), str(gold), str(pred)],
                         capture_output=True, text=True, check=True).stdout.splitlines()[0]
    assert ours == ref


def test_eval_reads_corpus_style_txt_files(tmp_path):
    """Header .txt files are stored under URL ids; eval maps them to gold ids by file name."""
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "x1.txt").write_text("url: https://example.org/x1\ntitle: t\npublished: 2020-04-01\n"
                                   "licence: CC0\noutlet: test\n\nJapan sent 20 tons of rice to Nepal on Monday, officials said.\n")
    gold = tmp_path / "gold.jsonl"
    gold.write_text(json.dumps({"article": "x1", "events": [
        {"type": "AID", "source": "JPN", "target": "NPL"}]}) + "\n")
    result = runner.invoke(app, ["eval", str(gold), "--articles", str(folder), "--report",
                                 str(tmp_path / "r.json"), "--no-errors"])
    assert result.exit_code == 0, result.output
    assert "F1 1.000" in result.output
