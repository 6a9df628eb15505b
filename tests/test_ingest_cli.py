"""`aidtrace ingest` and `aidtrace ledger` as a user runs them, including SIGKILL mid-run."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from aidtrace.cli import app

from .test_ingest_readers import Site, english, page

AIDTRACE = str(Path(sys.executable).with_name("aidtrace"))
runner = CliRunner()


@pytest.fixture
def site() -> Iterator[Site]:
    s = Site()
    yield s
    s.close()


def invoke(*args: str, input: str | None = None) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args), input=input)
    return result.exit_code, result.stdout, result.stderr


def rows(db: Path, sql: str) -> list[tuple[object, ...]]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_ingest_then_ledger_with_filters_and_formats(tmp_path: Path) -> None:
    db = tmp_path / "a.duckdb"
    (tmp_path / "in").mkdir()
    for n in range(3):
        (tmp_path / "in" / f"{n}.txt").write_text(english(n))
    (tmp_path / "in" / "bad.txt").write_bytes(b"\x00" * 100)
    code, out, _ = invoke("ingest", "--no-extract", "--db", str(db), str(tmp_path / "in"))
    assert code == 0 and out.strip().splitlines()[-1] == "3 stored, 0 duplicates, 0 skipped, 1 rejected"
    code, out, _ = invoke("ingest", "--no-extract", "--db", str(db), str(tmp_path / "in" / "0.txt"))
    assert out.strip() == "0 stored, 1 duplicates, 0 skipped, 0 rejected"

    code, out, _ = invoke("ledger", "--db", str(db), "--format", "json")
    assert code == 0 and len(json.loads(out)) == 5
    code, out, _ = invoke("ledger", "--db", str(db), "--format", "json", "--status", "rejected")
    [bad] = json.loads(out)
    assert bad["origin"].endswith("bad.txt") and "[A012]" in bad["reason"]
    code, out, _ = invoke("ledger", "--db", str(db), "--format", "json", "--run", "last")
    [last] = json.loads(out)
    assert last["status"] == "duplicate" and last["reason"] == "already stored"
    code, out, _ = invoke("ledger", "--db", str(db), "--format", "csv", "--limit", "2")
    assert out.splitlines()[0].startswith("logged_at,status,origin") and len(out.splitlines()) == 3
    code, out, _ = invoke("ledger", "--db", str(db))
    assert code == 0 and "rejected" in out
    code, _, err = invoke("ledger", "--db", str(db), "--status", "lost")
    assert code == 2 and "[A001]" in err


def test_ledger_table_fits_80_columns_and_wide_shows_every_column(tmp_path: Path) -> None:
    from rich.cells import cell_len

    db = tmp_path / "a.duckdb"
    deep = tmp_path / "inputs from the newsroom" / "a folder with a long name"
    deep.mkdir(parents=True)
    (deep / "story-one.txt").write_text(english(1))
    (deep / "story-one-again.txt").write_text(english(1))
    (deep / "broken-binary-file.txt").write_bytes(b"\x00" * 100)
    invoke("ingest", "--no-extract", "--db", str(db), str(deep))
    entries = json.loads(invoke("ledger", "--db", str(db), "--format", "json")[1])
    narrow = runner.invoke(app, ["ledger", "--db", str(db)], env={"COLUMNS": "80"})
    assert narrow.exit_code == 0
    lines = narrow.stdout.splitlines()
    assert lines and max(cell_len(line) for line in lines) <= 80
    flat = " ".join(narrow.stdout.split())
    for e in entries:  # status whole; the reason's and article's words all readable
        assert e["status"] in flat
        for word in (e["reason"] or "").split():
            assert word in flat, word
    assert "time" not in lines[0].split() and "not shown at 80 columns" in narrow.stderr
    wide = runner.invoke(app, ["ledger", "--db", str(db), "--wide"], env={"COLUMNS": "80"})
    assert {"status", "origin", "reason", "article", "time"} <= set(wide.stdout.splitlines()[0].split())


def test_strict_exits_4_after_storing_and_reporting(tmp_path: Path) -> None:
    db = tmp_path / "a.duckdb"
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "ok.txt").write_text(english(1))
    (tmp_path / "in" / "empty.txt").write_text("")
    code, out, err = invoke("ingest", "--no-extract", "--strict", "--db", str(db), str(tmp_path / "in"))
    assert code == 4
    assert out.strip() == "1 stored, 0 duplicates, 0 skipped, 1 rejected"
    assert "[A017]" in err and "ledger --status rejected" in err
    assert rows(db, "SELECT count(*) FROM articles") == [(1,)]
    code, _, _ = invoke("ingest", "--no-extract", "--db", str(db), str(tmp_path / "in"))
    assert code == 0  # without --strict a rejection is reported, not an error


def test_format_and_field_options(tmp_path: Path) -> None:
    db = tmp_path / "a.duckdb"
    data = tmp_path / "export.dat"
    data.write_text(json.dumps({"body": english(3), "headline": "H"}) + "\n")
    code, out, _ = invoke("ingest", "--no-extract", "--db", str(db), "--format", "jsonl",
                          "--field", "text=body", "--field", "title=headline", str(data))
    assert code == 0 and out.startswith("1 stored")
    assert rows(db, "SELECT title FROM articles") == [("H",)]
    code, _, err = invoke("ingest", "--no-extract", "--db", str(db), "--field", "body", str(data))
    assert code == 2 and "NAME=COLUMN" in err
    code, _, err = invoke("ingest", "--no-extract", "--db", str(db), "--format", "pdf", str(data))
    assert code == 2 and "unknown format" in err


def test_stdin_in_a_real_process(tmp_path: Path) -> None:
    db = tmp_path / "a.duckdb"
    lines = [json.dumps({"id": f"s{n}", "text": english(n)}) for n in range(3)] + ["{broken"]
    proc = subprocess.run([AIDTRACE, "ingest", "--no-extract", "--db", str(db), "-"],
                          input="\n".join(lines) + "\n", capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "3 stored, 0 duplicates, 0 skipped, 1 rejected"
    assert rows(db, "SELECT origin, status FROM ledger ORDER BY origin") == [
        ("stdin:1", "stored"), ("stdin:2", "stored"), ("stdin:3", "stored"), ("stdin:4", "rejected")]


def test_sigkill_mid_ingest_then_rerun_stores_every_article_once(tmp_path: Path, site: Site) -> None:
    """A real `aidtrace ingest` is killed while it waits on a URL (after two committed batches
    and with 22 articles read but not yet committed); the same command run again must end
    with all 301 articles stored exactly once."""
    for part, seeds in (("a", range(150)), ("b", range(150, 300))):
        folder = tmp_path / part
        folder.mkdir()
        for n in seeds:
            (folder / f"{n:03d}.txt").write_text(english(1000 + n))
    arrived = threading.Event()
    url = site.add("/slow", page("The slow page", english(5000)), block=True, arrived=arrived)
    db = tmp_path / "k.duckdb"
    command = [AIDTRACE, "ingest", "--no-extract", "--db", str(db), str(tmp_path / "a"), url,
               str(tmp_path / "b")]
    env = {**os.environ, "AIDTRACE_FETCH_TIMEOUT": "60"}
    proc = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        assert arrived.wait(90), "ingest never reached the URL"
        proc.send_signal(signal.SIGKILL)
        proc.wait(30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == -signal.SIGKILL
    assert rows(db, "SELECT count(*), count(DISTINCT id) FROM articles") == [(128, 128)]
    assert rows(db, "SELECT count(*) FROM ledger") == [(128,)]
    assert rows(db, "SELECT count(*) FROM runs WHERE finished IS NULL") == [(1,)]

    site.routes["/slow"]["block"] = False
    rerun = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
    assert rerun.returncode == 0, rerun.stderr
    assert rerun.stdout.strip() == "173 stored, 128 duplicates, 0 skipped, 0 rejected"
    assert rows(db, "SELECT count(*), count(DISTINCT id) FROM articles") == [(301, 301)]
    assert rows(db, "SELECT count(*) FROM articles WHERE duplicate_of IS NOT NULL") == [(0,)]
    assert rows(db, "SELECT reason, count(*) FROM ledger WHERE status = 'duplicate' GROUP BY ALL") == [
        ("already stored", 128)]


def test_default_ingest_extracts_with_the_real_pipeline(tmp_path: Path) -> None:
    from aidtrace.pipeline import Pipeline

    example = sorted((Path(__file__).resolve().parents[1] / "examples").glob("*.txt"))[0]
    db = tmp_path / "a.duckdb"
    code, out, err = invoke("ingest", "--db", str(db), str(example))
    assert code == 0, err
    assert out.strip() == "1 stored, 0 duplicates, 0 skipped, 0 rejected"
    assert rows(db, "SELECT pipeline_version FROM runs") == [(Pipeline.version,)]
    [(events,)] = rows(db, "SELECT count(*) FROM events")
    assert events > 0
    code, out, _ = invoke("ingest", "--db", str(db), str(example))
    assert out.strip() == "0 stored, 1 duplicates, 0 skipped, 0 rejected"
    assert rows(db, "SELECT count(*) FROM events") == [(events,)]
