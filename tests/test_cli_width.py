"""`aidtrace stories`, `events` and `flows` at 80 and 200 columns, through the real CLI on
the hand-annotated stories fixture: nothing runs past the edge, the key fields are printed
whole, the less important columns give way with a note, and `--wide` shows them all."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from rich.cells import cell_len
from typer.testing import CliRunner

from aidtrace.cli import app
from tests.fixtures.stories.loader import build_fixture_db

runner = CliRunner()

HEADERS = {
    "events": ["event", "date", "type", "source", "target", "items / value", "status",
               "says who", "conf"],
    "stories": ["story", "type", "source", "target", "date", "figures", "status", "sources",
                "conflicting", "reports", "story line"],
    "flows": ["source", "target", "item", "quantity", "unit", "usd", "status", "quantity high",
              "usd high", "recipients", "stories", "events"],
}


@pytest.fixture(scope="module")
def db(tmp_path_factory) -> Path:
    return build_fixture_db(tmp_path_factory.mktemp("width") / "fixture.duckdb")


def run(db: Path, width: int, *args: str) -> Any:
    result = runner.invoke(app, [*args, "--db", str(db)], env={"COLUMNS": str(width)})
    assert result.exit_code == 0, result.output
    return result


def number(value: float) -> str:
    return f"{value:,.0f}"


def key_fields(command: str, row: dict[str, Any], header: str) -> list[str]:
    """What must be readable in the row at any width: who, to whom, what, how much, when;
    and the status whenever its column is shown."""
    status = [row["status"]] if "status" in header and command != "flows" else []
    if command == "events":
        fields = [row["id"][:8], row["type"], row["source_code"], row["target_code"], row["date"]]
        fields += status if row["type"] in {"AID", "TRADE"} else []
        for it in row["items"]:
            fields += [number(it["quantity"]), it["unit"], it["item_class"]] if it["quantity"] else [it["item_class"]]
        if row["value_amount"] is not None:
            fields += [number(row["value_amount"]), row["value_currency"]]
        return [f for f in fields if f]
    if command == "stories":
        fields = [row["id"], row["type"], row["source_code"], row["target_code"], row["first_date"], *status]
        return [f for f in fields if f] + (row["display_text"] or "").split()
    fields = [row["source"], row["target"], row["item_class"], row["status"], row["unit"]]
    fields += [number(row[k]) for k in ("quantity", "usd") if row[k] is not None]
    return [f for f in fields if f]


def json_rows(db: Path, command: str) -> list[dict[str, Any]]:
    out = json.loads(run(db, 200, command, "--format", "json").stdout)
    return out[0]["rows"] if command == "flows" else out


def blocks(stdout: str) -> tuple[str, list[list[str]]]:
    """The header line and the rows of a table, each row with its wrapped lines below it."""
    lines = stdout.splitlines()
    rule = next(i for i, line in enumerate(lines) if line.startswith("──"))
    rows: list[list[str]] = []
    for line in lines[rule + 1:]:
        if line and not line[0].isspace():
            rows.append([line])
        elif rows and line.strip():
            rows[-1].append(line)
    return "\n".join(lines[:rule]), rows


@pytest.mark.parametrize("command", ["events", "stories", "flows"])
@pytest.mark.parametrize("width", [80, 200])
def test_key_fields_are_whole_and_no_line_is_too_long(db, command, width):
    result = run(db, width, command)
    assert max(cell_len(line) for line in result.stdout.splitlines()) <= width
    assert "…" not in result.stdout
    header, rows = blocks(result.stdout)
    expected = json_rows(db, command)
    assert len(rows) == len(expected) > 3
    for lines, row in zip(rows, expected):
        words = {w.rstrip(",") for line in lines for w in line.split()}
        missing = [f for f in key_fields(command, row, header) if f not in words]
        assert not missing, (missing, lines)


@pytest.mark.parametrize("command", ["events", "stories", "flows"])
def test_80_columns_leave_out_the_least_important_and_say_so(db, command):
    header, _ = blocks(run(db, 200, command).stdout)
    assert all(h in header for h in HEADERS[command])  # 200 columns hold them all
    result = run(db, 80, command)
    header, _ = blocks(result.stdout)
    shown = [h for h in HEADERS[command] if h in header.replace("\n", " ")]
    left_out = [h for h in HEADERS[command] if h not in shown]
    assert left_out and shown[:5] == HEADERS[command][:5]
    note = next(line for line in result.stderr.splitlines() if line.startswith("not shown"))
    assert note.startswith(f"not shown at 80 columns: {', '.join(left_out)}")


@pytest.mark.parametrize("command", ["events", "stories", "flows"])
def test_wide_shows_every_column_on_one_line_per_row(db, command):
    result = run(db, 80, command, "--wide")
    header, rows = blocks(result.stdout)
    header_line = header.splitlines()[-1]
    assert all(h in header_line for h in HEADERS[command])
    assert all(len(lines) == 1 for lines in rows)
    assert max(cell_len(line) for line in result.stdout.splitlines()) > 80
    assert "not shown" not in result.stderr


@pytest.mark.parametrize("args", [["flows", "--excluded"], ["stories", "s25cda1b0ae6"]])
def test_other_tables_fit_80_columns(db, args):
    result = run(db, 80, *args)
    assert max(cell_len(line) for line in result.stdout.splitlines()) <= 80
    assert "…" not in result.stdout


def test_one_story_shows_every_field_at_80_columns(db):
    _, rows = blocks(run(db, 80, "stories", "s25cda1b0ae6").stdout.split("every observed figure")[0])
    fields = {lines[0].split("  ")[0] for lines in rows}
    assert set(HEADERS["stories"]) <= fields
    text = " ".join(" ".join(lines) for lines in rows)
    assert "1,000,000–2,000,000 pieces masks [range]" in " ".join(text.split())  # markup-like text kept
