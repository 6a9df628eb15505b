"""One of the server processes of ``aidtrace serve --workers N``.

A single process answers requests on threads that share one interpreter lock: DuckDB lets
it go while a query runs, but validating, converting and encoding the answer hold it, so
under load one process keeps about one core busy however many it has. Several processes,
each with the file open read-only (which DuckDB allows side by side) and its own caches,
use them all. Uvicorn starts the processes and shares the listening socket among them;
each one calls :func:`app_from_env`, with the database and settings file named in the
environment by the parent. Only a read-only server can have several: a writable one is
the file's single writer.
"""
from __future__ import annotations

import os
import socket
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import uvicorn
from fastapi import FastAPI
from uvicorn.supervisors import Multiprocess

from ..config import load_settings
from .app import create_app
from .database import Database
from .routes import warm_up

DB_ENV = "AIDTRACE_SERVE_DB"
CONFIG_ENV = "AIDTRACE_SERVE_CONFIG"


def serve(db: str, config: str | None, *, workers: int, host: str, port: int, log_level: str) -> None:
    """Run ``workers`` server processes on one listening socket until Ctrl+C."""
    os.environ.update({DB_ENV: db, CONFIG_ENV: config or ""})  # read by each process's app_from_env
    settings = uvicorn.Config(f"{__name__}:app_from_env", factory=True, workers=workers, host=host, port=port,
                              log_level=log_level)
    Multiprocess(settings, sockets=[listening_socket(host, port)]).run()


def listening_socket(host: str, port: int) -> socket.socket:
    """The socket the processes share, made here rather than by uvicorn: asyncio turns off
    Nagle's algorithm only on connections of a socket created as IPPROTO_TCP, which
    uvicorn's is not, and without that every keep-alive response waited ~40 ms for the
    client's delayed ACK (measured: /api/stats 44 ms instead of 3 ms)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.set_inheritable(True)
    return sock


def app_from_env() -> FastAPI:
    """The read-only app of one worker process; its database closes when the process stops."""
    settings = load_settings(os.environ.get(CONFIG_ENV) or None, db=os.environ[DB_ENV])
    database = Database(settings.db, settings)
    app = create_app(database)
    inner = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with inner(app):
            yield
        database.close()

    app.router.lifespan_context = lifespan
    threading.Thread(target=warm_up, args=(database,), name="aidtrace-warm-up", daemon=True).start()
    return app
