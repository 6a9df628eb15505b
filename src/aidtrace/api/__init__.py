"""The HTTP API and dashboard server (``aidtrace serve``).

``create_app(Database(path, settings))`` gives the FastAPI app; see ``database`` for how the
server and DuckDB's single-writer rule fit together and ``errors`` for the one error shape.
"""
from .app import create_app
from .database import Database
from .routes import warm_up

__all__ = ["create_app", "Database", "warm_up"]
