"""Storage: the DuckDB schema, its migrations and the single writer."""
from .db import Store, content_hash

__all__ = ["Store", "content_hash"]
