"""The FastAPI application: read API, optional ingest, dashboard and offline API docs.

``create_app(db)`` wires an open :class:`Database` (the caller owns it and closes it) to
the routes. Nothing here reaches outside the machine: the dashboard's scripts, styles and
map geometry and the Swagger UI at ``/docs`` are served from ``aidtrace/web/static``
(vendored from pinned npm packages by ``scripts/vendor_web.sh``).
"""
from __future__ import annotations

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import FileResponse, HTMLResponse
from fastapi.staticfiles import StaticFiles

from ..web import INDEX_HTML, REVIEW_HTML, STATIC_DIR
from .database import Database
from .errors import install_error_handlers
from .ingest import router as ingest_router
from .models import ErrorResponse
from .responses import ResponseCache
from .reviews import router as review_router
from .routes import router as read_router

VENDOR = "/static/vendor/swagger-ui"
ERRORS = {status: {"model": ErrorResponse, "description": description}
          for status, description in ((404, "Not found"), (422, "Invalid or unknown parameter"),
                                      (500, "Internal error"), (503, "Database unavailable"))}

DESCRIPTION = """Source-cited events of international aid and diplomacy, read from the news.

Every list can be filtered, is paged (`page`, `size`; sizes above the server's cap are cut to
it) and can be downloaded whole as CSV or JSON (`/api/events.csv`, `/api/flows.json`, ...).
Unknown query parameters are an error (422), so that a misspelt filter never silently
returns everything. Every error has one shape: `{"error": {"status", "code", "message", "detail"}}`.
"""


def create_app(db: Database, *, token: str | None = None) -> FastAPI:
    """The app over ``db``; ``POST /api/ingest`` and the review writes are accepted only if
    ``token`` is set and ``db`` is writable (see ``aidtrace.api.database`` for why both)."""
    app = FastAPI(title="aidtrace", version="0.1.0", description=DESCRIPTION, docs_url=None,
                  redoc_url=None, responses=ERRORS)
    app.state.db = db
    app.state.token = token
    install_error_handlers(app)
    app.add_middleware(ResponseCache, db=db)  # outermost: a kept answer skips everything else
    app.include_router(read_router)
    app.include_router(ingest_router)
    app.include_router(review_router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")

    @app.get("/", include_in_schema=False)
    def dashboard() -> FileResponse:
        return FileResponse(INDEX_HTML, media_type="text/html")

    @app.get("/review", include_in_schema=False)
    def review_page() -> FileResponse:
        return FileResponse(REVIEW_HTML, media_type="text/html")

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return get_swagger_ui_html(openapi_url=app.openapi_url or "/openapi.json", title="aidtrace API",
                                   swagger_js_url=f"{VENDOR}/swagger-ui-bundle.js",
                                   swagger_css_url=f"{VENDOR}/swagger-ui.css",
                                   swagger_favicon_url=f"{VENDOR}/favicon-32x32.png",
                                   swagger_ui_parameters={"validatorUrl": None})  # no badge fetched from afar

    return app
