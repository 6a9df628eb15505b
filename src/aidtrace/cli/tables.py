"""Tables that fit the terminal: columns chosen by priority, free text wrapped, `--wide` for all.

Rich shrinks every column of a table that is too wide until codes and dates are cut to a
letter. Here each column says how much it matters and whether it may wrap: short fields
(codes, dates, figures) are never cut, free text wraps inside its cell, and the least
important columns are left out until the rest fits; a note names what was left out.
"""
from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import typer
from rich import box
from rich.console import Console
from rich.cells import cell_len
from rich.measure import Measurement
from rich.table import Table
from rich.text import Text

PIPE_WIDTH = 180
"""Width when stdout is a pipe or a file and COLUMNS is not set: nothing to fit, so every
column of a usual table stays (rich would otherwise assume 80)."""


@dataclass(frozen=True)
class Col:
    """One table column. ``priority`` 0 is always shown; when the terminal is too narrow the
    column with the highest number goes first. ``wrap`` columns hold free text that may
    break between words; the others are shown whole or not at all."""
    field: str
    header: str
    priority: int = 0
    wrap: bool = False
    numeric: bool = False


def terminal_console() -> Console:
    """The terminal's width, COLUMNS when set, else PIPE_WIDTH for pipes and files."""
    console = Console()
    if console.is_terminal or os.environ.get("COLUMNS", "").isdigit():
        return console
    return Console(width=PIPE_WIDTH)


def _extent(col: Col, cells: Sequence[Mapping[str, str]]) -> tuple[int, int]:
    """The column's narrowest width (whole cells, or whole words of free text) and its
    natural width (every cell on one line)."""
    texts = [col.header, *(row.get(col.field, "") for row in cells)]
    natural = max(cell_len(t) for t in texts)
    if not col.wrap:
        return natural, natural
    return max((cell_len(w) for t in texts for w in _WORD_BREAKS.split(t)), default=1), natural


# free text breaks between words, and paths and URLs after each slash (rich folds the cell
# there too: overflow="fold" cuts a word that is longer than its column)
_WORD_BREAKS = re.compile(r"\s+|(?<=/)")


def _table(columns: Sequence[Col], cells: Sequence[Mapping[str, str]], title: str | None) -> Table:
    # columns two spaces apart (a blank divider and one space of padding), a rule under the header
    table = Table(title=title, box=box.SIMPLE_HEAD, show_edge=False, padding=(0, 1, 0, 0),
                  pad_edge=False, header_style="bold", title_justify="left")
    for col in columns:
        narrowest, _ = _extent(col, cells)
        table.add_column(col.header, justify="right" if col.numeric else "left",
                         no_wrap=not col.wrap, overflow="fold", min_width=max(narrowest, 1))
    for row in cells:
        table.add_row(*(Text(row.get(col.field, "")) for col in columns))  # data, never markup
    return table


def _share_spare_width(table: Table, columns: Sequence[Col], cells: Sequence[Mapping[str, str]],
                       spare: int) -> None:
    """Cap each free-text column at its longest word plus a fair share of the spare width:
    the columns that want least get all they want first, the rest share what is left
    equally. Rich would narrow the widest one first, below its longest word while another
    still had room to give; a short path would be folded to give a long message one more
    letter per line."""
    extents = [_extent(col, cells) for col in columns]
    wants = {i: natural - narrowest for i, (narrowest, natural) in enumerate(extents)
             if natural > narrowest}
    for n, i in enumerate(sorted(wants, key=wants.__getitem__)):
        give = min(wants[i], spare // (len(wants) - n))
        spare -= give
        table.columns[i].max_width = extents[i][0] + give


def print_table(cells: Sequence[Mapping[str, str]], columns: Sequence[Col], *, title: str | None = None,
                wide: bool = False, console: Console | None = None) -> None:
    """Print the cells (one mapping of field -> text per row) as a table of the columns.

    ``wide`` shows every column at its full width, even past the edge of the terminal.
    """
    console = console or terminal_console()
    shown = list(columns)
    table = _table(shown, cells, title)
    if wide:
        full = _measure(console, table).maximum
        if full > console.width:  # rich crops to its console's width, so print through a wider one
            console = Console(file=console.file, width=full, force_terminal=console.is_terminal)
        console.print(table)
        return
    while _measure(console, table).minimum > console.width and any(c.priority for c in shown):
        shown.remove(max(shown, key=lambda c: c.priority))
        table = _table(shown, cells, title)
    size = _measure(console, table)
    if size.maximum > console.width:
        _share_spare_width(table, shown, cells, max(console.width - size.minimum, 0))
    console.print(table)
    dropped = [c for c in columns if c not in shown]
    if dropped:
        typer.echo(f"not shown at {console.width} columns: {', '.join(c.header for c in dropped)}"
                   "  (--wide shows every column)", err=True)


def _measure(console: Console, table: Table) -> Measurement:
    """The table's narrowest and natural widths, however wide the terminal."""
    return Measurement.get(console, console.options.update_width(10**6), table)
