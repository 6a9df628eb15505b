"""``POST /api/ingest``: the API's only write, off unless the server was started with a token.

Checks run in this order, each with the one error shape: ingest disabled (403), missing or
wrong bearer token (401, compared in constant time), body over ``settings.max_bytes``
(413, from Content-Length before anything is read, else while streaming), then the body
is handed to the writer thread (see ``database.py``), which reads it as JSON Lines of
articles — the same reader and the same ledger as ``aidtrace ingest FILE.jsonl``.
"""
from __future__ import annotations

import hmac
import tempfile
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request

from ..config import Settings
from ..store import Store
from ..stories import ensure_stories
from .errors import ApiError
from .models import ErrorResponse, IngestResult

router = APIRouter(prefix="/api")


def _check_token(request: Request) -> None:
    token = request.app.state.token
    if not token or not request.app.state.db.writable:
        raise ApiError(403, "ingest_disabled", "writes (ingest, reviews) are disabled: start `aidtrace serve` with"
                       " AIDTRACE_TOKEN set to enable POST /api/ingest and the review endpoints")
    scheme, _, given = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode(), token.encode()):
        raise ApiError(401, "unauthorized", "a valid bearer token is required (Authorization: Bearer ...)",
                       headers={"WWW-Authenticate": "Bearer"})


async def _read_body(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise ApiError(413, "payload_too_large", f"body of {declared} bytes is over the limit of {limit} bytes",
                       {"limit": limit})
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise ApiError(413, "payload_too_large", f"body is over the limit of {limit} bytes", {"limit": limit})
        chunks.append(chunk)
    body = b"".join(chunks)
    if not body.strip():
        raise ApiError(422, "invalid_request", "empty body: send JSON Lines, one article object per line")
    return body


@router.post("/ingest", response_model=IngestResult, status_code=200,
             summary="Ingest JSON Lines of articles (bearer token; off unless enabled)",
             responses={401: {"model": ErrorResponse}, 403: {"model": ErrorResponse},
                        413: {"model": ErrorResponse}},
             openapi_extra={"requestBody": {"required": True, "content": {"application/x-ndjson": {
                 "schema": {"type": "string", "description": "one JSON object a line with the fields "
                            "id, url, title, published, outlet, licence, text (text required)"}}}}})
async def ingest(request: Request) -> dict[str, Any]:
    _check_token(request)
    db = request.app.state.db
    body = await _read_body(request, db.settings.max_bytes)
    return await db.write(lambda store: ingest_lines(store, body, db.settings, request.app.state))


def ingest_lines(store: Store, body: bytes, settings: Settings, holder: Any) -> dict[str, Any]:
    """Run on the writer thread: the CLI's own ingest over the body, then the stories rebuilt.

    ``aidtrace.ingest.ingest`` reads sources by name, so the body goes through a private
    temporary file named after the request; ledger origins are ``POST-api-ingest.jsonl:N``
    under that folder. The spaCy pipeline is loaded on the first ingest and kept.
    """
    from ..ingest import ingest as run_ingest
    from ..pipeline import Pipeline  # the spaCy model: loaded only when ingest is used

    if getattr(holder, "pipeline", None) is None:
        holder.pipeline = Pipeline(settings)
    with tempfile.TemporaryDirectory(prefix="aidtrace-api-") as folder:
        path = Path(folder) / "POST-api-ingest.jsonl"
        path.write_bytes(body)
        summary = run_ingest([str(path)], store=store, pipeline=holder.pipeline, settings=settings,
                             fmt="jsonl", progress=False)
    ensure_stories(store, settings)
    ledger = store.ledger(run_id=summary.run_id)
    return dict(run_id=summary.run_id, ledger=ledger,
                counts=dict(stored=summary.stored, duplicate=summary.duplicates, skipped=summary.skipped,
                            rejected=summary.rejected))
