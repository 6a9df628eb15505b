"""`aidtrace serve`: the HTTP API, the dashboard and the API docs, on 127.0.0.1 by default.

Read-only unless AIDTRACE_TOKEN is set; with a token the server opens the database for
writing and becomes its single writer (see ``aidtrace.api.database`` for what that means
for `aidtrace ingest` run alongside). Before serving read-only it brings the story tables
up to date in one short write, as `aidtrace stories` does, so that flows and stories on
the dashboard match the events.
"""
from __future__ import annotations

import os
from typing import Optional

import typer

from ._app import ConfigOption, DbOption, VerboseOption, app, handle_errors, settings_from, setup_logging
from .stories import open_store

TOKEN_ENV = "AIDTRACE_TOKEN"


@app.command()
@handle_errors
def serve(db: Optional[str] = DbOption, config: Optional[str] = ConfigOption,
          host: Optional[str] = typer.Option(None, "--host", help="address to listen on (default 127.0.0.1)"),
          port: Optional[int] = typer.Option(None, "--port", min=0, max=65535,
                                              help="port (default 8765)"),
          workers: int = typer.Option(1, "--workers", min=1, help="server processes, read-only "
                                      "servers only: about one core each under load (and its own caches)"),
          verbose: int = VerboseOption) -> None:
    """Serve the API (/api, OpenAPI at /docs) and the dashboard (/) over a database."""
    import threading

    import uvicorn

    from ..api import Database, create_app, warm_up
    from ..api.workers import bound_socket, listening_socket
    from ..api.workers import serve as serve_workers

    setup_logging(verbose)
    settings = settings_from(db, config)
    host = host or settings.host
    port = port or settings.port
    token = os.environ.get(TOKEN_ENV) or None
    if token is not None and workers > 1:
        raise typer.BadParameter(f"with {TOKEN_ENV} set the server is the database's single writer: "
                                 "--workers must be 1", param_hint="--workers")
    # the port first: taken or unknown, that is one clear error before the database is touched
    sock = listening_socket(host, port) if workers > 1 else bound_socket(host, port)
    if token is None:
        # one short write first, when no other process holds the file: migrations, and the
        # story tables rebuilt if events changed since (flows and stories read them)
        open_store(settings).close()
    log_level = "info" if verbose else "warning"
    if workers > 1:  # see aidtrace.api.workers
        typer.echo(f"aidtrace: serving {settings.db} (read-only, {workers} processes) on http://{host}:{port}/"
                   "  —  API docs at /docs; Ctrl+C stops", err=True)
        serve_workers(str(settings.db), config, workers=workers, sock=sock, log_level=log_level)
        return
    database = Database(settings.db, settings, writable=token is not None)
    try:
        mode = "ingest enabled (POST /api/ingest, bearer token)" if token else "read-only"
        typer.echo(f"aidtrace: serving {settings.db} ({mode}) on http://{host}:{port}/  —  API docs at /docs;"
                   " Ctrl+C stops", err=True)
        threading.Thread(target=warm_up, args=(database,), name="aidtrace-warm-up", daemon=True).start()
        server = uvicorn.Config(create_app(database, token=token), host=host, port=port, log_level=log_level)
        uvicorn.Server(server).run(sockets=[sock])
    finally:
        sock.close()
        database.close()
