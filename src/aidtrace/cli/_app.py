"""The Typer application and the helpers every command module shares."""
from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

import typer

from ..config import Settings, load_settings
from ..errors import AidtraceError

app = typer.Typer(help="aidtrace: who gave what aid to whom, when, how much, and who says so.",
                  no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False)

F = TypeVar("F", bound=Callable[..., Any])


def setup_logging(verbose: int) -> None:
    level = logging.WARNING if verbose == 0 else logging.INFO if verbose == 1 else logging.DEBUG
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr)


def settings_from(db: str | None = None, config: str | None = None,
                  extractor: str | None = None) -> Settings:
    return load_settings(config, db=db, extractor=extractor)


def handle_errors(fn: F) -> F:
    """Turn AidtraceError into a one-line message and its exit code (never a traceback)."""
    @wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except AidtraceError as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(exc.exit_code) from exc
    return wrapper  # type: ignore[return-value]


DbOption = typer.Option(None, "--db", help="DuckDB file (default ./aidtrace.duckdb or $AIDTRACE_DB)")
ConfigOption = typer.Option(None, "--config", help="settings TOML file")
ExtractorOption = typer.Option(None, "--extractor", help="learned (default: the trained "
                               "model) or rules (the rule extractor alone, for comparison)")
VerboseOption = typer.Option(0, "--verbose", "-v", count=True, help="-v info, -vv debug")
WideOption = typer.Option(False, "--wide", help="every column at full width, even past the "
                          "terminal's edge (by default the less important ones are left out)")
