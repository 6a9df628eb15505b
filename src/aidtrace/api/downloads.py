"""CSV and JSON downloads of a filtered list, streamed so that a million rows never sit in memory."""
from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterable, Iterator
from datetime import date, datetime
from typing import Any

from fastapi.responses import StreamingResponse

BATCH = 2000  # rows per chunk written to the socket


def _json_default(value: Any) -> Any:
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, tuple):
        return list(value)
    raise TypeError(f"cannot serialise {type(value).__name__}")


def format_items(items: list[dict[str, Any]]) -> str:
    """Event items in one CSV cell: "masks 30000 pieces; ppe"."""
    out = []
    for it in items:
        quantity = it.get("quantity")
        number = "" if quantity is None else f" {quantity:g}"
        out.append(f"{it.get('item_class') or 'other'}{number}{' ' + it['unit'] if it.get('unit') else ''}")
    return "; ".join(out)


def _cell(value: Any) -> Any:
    if isinstance(value, (list, tuple)):
        return "; ".join(str(v) for v in value)
    return value


def _csv_chunks(rows: Iterable[dict[str, Any]], columns: list[str],
                flatten: Callable[[dict[str, Any]], dict[str, Any]] | None) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(columns)
    for n, row in enumerate(rows, 1):
        row = flatten(row) if flatten else row
        writer.writerow([_cell(row.get(c)) for c in columns])
        if n % BATCH == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def _json_chunks(rows: Iterable[dict[str, Any]], columns: list[str]) -> Iterator[str]:
    parts = ["["]
    for n, row in enumerate(rows):
        parts.append(("," if n else "") + json.dumps({c: row.get(c) for c in columns}, default=_json_default))
        if len(parts) >= BATCH:
            yield "\n".join(parts)
            parts = []
    parts.append("]\n")
    yield "\n".join(parts)


def download(rows: Iterable[dict[str, Any]], *, columns: list[str], fmt: str, name: str,
             flatten: Callable[[dict[str, Any]], dict[str, Any]] | None = None) -> StreamingResponse:
    """A streamed attachment: CSV (lists joined with "; ") or a JSON array of objects."""
    if fmt == "csv":
        body, media = _csv_chunks(rows, columns, flatten), "text/csv; charset=utf-8"
    else:
        body, media = _json_chunks(rows, columns), "application/json"
    return StreamingResponse(body, media_type=media,
                             headers={"Content-Disposition": f'attachment; filename="{name}.{fmt}"'})
