"""The `aidtrace` command. Each module of this package registers the commands it owns.

Logging and progress bars are configured here and only here; the library never does.
"""
from ._app import app

# Command modules register themselves on import (one line per module).
from . import extract as _extract  # noqa: E402,F401  extract, eval
from . import stories as _stories  # noqa: E402,F401  stories, flows, export
from . import serve as _serve  # noqa: E402,F401  serve
from . import ingest as _ingest  # noqa: E402,F401  ingest, ledger
from . import query as _query  # noqa: E402,F401  events, show
from . import demo as _demo  # noqa: E402,F401  run
from . import train as _train  # noqa: E402,F401  train
from . import review as _review  # noqa: E402,F401  reviews, reextract

__all__ = ["app"]
