"""aidtrace: who gave what aid to whom, when, how much, and who says so.

The public API is small: ``extract`` for text without a database, ``Pipeline`` for
batches, ``Store`` for the DuckDB database, and the data objects. The library never
configures logging (the CLI does).
"""
from __future__ import annotations

import logging
from datetime import date
from typing import TYPE_CHECKING, Any

from .config import Settings, load_settings
from .errors import AidtraceError
from .models import Actor, Article, Claim, Document, Event, Evidence, Item, Value
from .store import Store

if TYPE_CHECKING:
    from .pipeline import Pipeline

__all__ = ["extract", "Pipeline", "Store", "Settings", "load_settings", "AidtraceError",
           "Article", "Document", "Event", "Actor", "Item", "Value", "Claim", "Evidence"]
__version__ = "0.1.0"

logging.getLogger(__name__).addHandler(logging.NullHandler())


def extract(text: str, *, published: date | None = None, title: str | None = None,
            outlet: str | None = None) -> list[Event]:
    """Events in one text, without a database (loads the spaCy model on first call)."""
    from .pipeline import extract as _extract

    return _extract(text, published=published, title=title, outlet=outlet)


def __getattr__(name: str) -> Any:
    # Pipeline imports spaCy; keep `import aidtrace` fast for the CLI and the API server.
    if name == "Pipeline":
        from .pipeline import Pipeline

        return Pipeline
    raise AttributeError(name)
