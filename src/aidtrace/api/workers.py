"""One of the server processes of ``aidtrace serve --workers N``.

A single process answers requests on threads that share one interpreter lock: DuckDB lets
it go while a query runs, but validating, converting and encoding the answer hold it, so
under load one process keeps about one core busy however many it has. Several processes,
each with the file open read-only (which DuckDB allows side by side) and its own caches,
use them all. Uvicorn starts the processes, each with a listening socket of its own on the
port (:class:`WorkerSocket`), and each one calls :func:`app_from_env`, with the database
and settings file named in the environment by the parent. Only a read-only server can have several: a writable one is
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
from ..errors import ServeError
from .app import create_app
from .database import Database
from .routes import warm_up

DB_ENV = "AIDTRACE_SERVE_DB"
CONFIG_ENV = "AIDTRACE_SERVE_CONFIG"


def serve(db: str, config: str | None, *, workers: int, sock: "WorkerSocket", log_level: str) -> None:
    """Run ``workers`` server processes on ``sock`` (from :func:`listening_socket`) until Ctrl+C."""
    os.environ.update({DB_ENV: db, CONFIG_ENV: config or ""})  # read by each process's app_from_env
    host, port = sock.getsockname()[:2]
    settings = uvicorn.Config(f"{__name__}:app_from_env", factory=True, workers=workers, host=host, port=port,
                              log_level=log_level)
    Multiprocess(settings, sockets=[sock]).run()


def listening_socket(host: str, port: int) -> "WorkerSocket":
    """The port of the processes: checked free, then reserved here and opened anew by each
    process (see :class:`WorkerSocket`)."""
    with bound_socket(host, port):  # fails as "address in use" if anything holds the port,
        pass                        # even another server's SO_REUSEPORT group
    return WorkerSocket.bound(host, port)


def bound_socket(host: str, port: int) -> socket.socket:
    """A socket bound to ``host:port`` (one server process listens on it), or
    :class:`ServeError` saying why not. Uvicorn left to bind itself logs the reason and exits
    with status 1, which reads like a crash; this is checked before the database is opened."""
    sock = plain_socket(host)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn: restart past TIME_WAIT
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise ServeError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from exc
    return sock


def plain_socket(host: str) -> socket.socket:
    """A TCP socket made as IPPROTO_TCP: asyncio turns off Nagle's algorithm only on
    connections of such a socket, which uvicorn's is not, and without that every keep-alive
    response waited ~40 ms for the client's delayed ACK (measured: /api/stats 44 ms instead of 3 ms)."""
    return socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)


class WorkerSocket(socket.socket):
    """A listening socket that every server process opens for itself, in one SO_REUSEPORT group.

    Processes sharing one socket share one accept queue, and the first to wake takes every
    connection waiting (asyncio accepts up to the backlog at once): 32 clients connecting
    together all went to one of two processes, which served them on one core while the
    other idled (measured 2026-12-04: 1.00 of 2 cores under load). With a socket each, the
    kernel spreads new connections over the processes. Pickled (how uvicorn hands its
    sockets to a spawned process) it opens a new one on the same address; the parent's own
    stays bound without listening, so the kernel queues no connection on it.
    """

    @classmethod
    def bound(cls, host: str, port: int) -> "WorkerSocket":
        plain = plain_socket(host)
        sock = cls(plain.family, plain.type, plain.proto, fileno=plain.detach())
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        sock.bind((host, port))
        sock.host = host
        return sock

    def __reduce_ex__(self, protocol: object) -> tuple[object, tuple[str, int]]:
        return WorkerSocket.bound, (self.host, self.getsockname()[1])


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
