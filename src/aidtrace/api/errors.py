"""One JSON error shape for every error the API returns (datasette's rule).

    {"error": {"status": 404, "code": "not_found", "message": "...", "detail": null}}

``code`` is stable and machine-readable; ``message`` is for people; ``detail`` carries
structure when there is some (the failing parameters of a 422, the allowed ones for an
unknown parameter). Handlers below cover Starlette's HTTP errors (unknown route, 405),
request validation, aidtrace's own errors and anything unexpected (a 500 that says
nothing about internals; the traceback goes to the server log).
"""
from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..errors import AidtraceError, NotFoundError, ReviewError, StoreError

log = logging.getLogger(__name__)

HTTP_CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
              405: "method_not_allowed", 406: "not_acceptable", 411: "length_required",
              413: "payload_too_large", 415: "unsupported_media_type", 422: "invalid_request",
              500: "internal_error", 503: "unavailable"}


class ApiError(Exception):
    """An error a route raises on purpose, with its status, code and message."""

    def __init__(self, status: int, code: str, message: str, detail: Any = None,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.detail, self.headers = status, code, message, detail, headers


def error_response(status: int, code: str, message: str, detail: Any = None,
                   headers: dict[str, str] | None = None) -> JSONResponse:
    body = {"error": {"status": status, "code": code, "message": message, "detail": jsonable_encoder(detail)}}
    return JSONResponse(body, status_code=status, headers=headers)


def _allowed_query(request: Request) -> list[str] | None:
    """The query parameters the matched route declares, read from the app's own OpenAPI."""
    route = request.scope.get("route")
    path = getattr(route, "path_format", None)
    if path is None:
        return None
    operation = request.app.openapi().get("paths", {}).get(path, {}).get(request.method.lower(), {})
    return [p["name"] for p in operation.get("parameters", []) if p.get("in") == "query"]


def _validation_message(errors: list[dict[str, Any]], allowed: list[str] | None) -> str:
    unknown = [str(e["loc"][-1]) for e in errors if e.get("type") == "extra_forbidden" and e["loc"][0] == "query"]
    if unknown:
        names = ", ".join(repr(u) for u in unknown)
        known = f"; this endpoint takes: {', '.join(allowed)}" if allowed else "; this endpoint takes none"
        return f"unknown query parameter{'s' if len(unknown) > 1 else ''} {names}{known}"
    first = errors[0]
    where = ".".join(str(part) for part in first["loc"][1:]) or str(first["loc"][0])
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    return f"invalid {first['loc'][0]} parameter {where!r}: {first['msg']}{more}"


async def _validation(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = [{"loc": list(e["loc"]), "msg": e["msg"], "type": e["type"]} for e in exc.errors()]
    detail: dict[str, Any] = {"errors": errors}
    allowed = None
    if any(e["type"] == "extra_forbidden" and e["loc"][0] == "query" for e in errors):
        allowed = detail["allowed"] = _allowed_query(request)
    return error_response(422, "invalid_request", _validation_message(errors, allowed), detail)


async def _http(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    message = exc.detail if isinstance(exc.detail, str) else HTTP_CODES.get(exc.status_code, "error")
    if exc.status_code == 404 and message == "Not Found":
        message = f"no such path: {request.url.path}"
    return error_response(exc.status_code, HTTP_CODES.get(exc.status_code, f"http_{exc.status_code}"),
                          message, headers=getattr(exc, "headers", None))


async def _api(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ApiError)
    return error_response(exc.status, exc.code, exc.message, exc.detail, exc.headers)


async def _aidtrace(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, AidtraceError)
    if isinstance(exc, NotFoundError):
        return error_response(404, "not_found", str(exc), {"aidtrace_code": exc.code})
    if isinstance(exc, ReviewError):
        return error_response(422, "invalid_review", str(exc), {"aidtrace_code": exc.code})
    if isinstance(exc, StoreError):
        log.error("store error on %s: %s", request.url.path, exc)
        return error_response(503, "unavailable", str(exc), {"aidtrace_code": exc.code})
    return error_response(400, "bad_request", str(exc), {"aidtrace_code": exc.code})


class CatchUnexpected:
    """ASGI middleware: an unexpected exception becomes the JSON 500 and the connection lives on.

    Starlette's own catch-all answers too, but then re-raises to the server, which drops
    the keep-alive connection under the client's next request. The traceback goes to the
    log; the response says nothing about internals.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception:
            log.exception("unhandled error on %s %s", scope.get("method"), scope.get("path"))
            if started:  # too late for a JSON body: let the server close the connection
                raise
            response = error_response(500, "internal_error", "internal server error: the server log has the details")
            await response(scope, receive, send)


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(StarletteHTTPException, _http)
    app.add_exception_handler(ApiError, _api)
    app.add_exception_handler(AidtraceError, _aidtrace)
    app.add_middleware(CatchUnexpected)
