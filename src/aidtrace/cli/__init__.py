"""The `aidtrace` command. Each module of this package registers the commands it owns.

Logging and progress bars are configured here and only here; the library never does.
"""
from ._app import app

# Command modules register themselves on import (one line per module).
from . import extract as _extract  # noqa: E402,F401  extract, eval

__all__ = ["app"]
