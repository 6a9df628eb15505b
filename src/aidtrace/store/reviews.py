"""Reviews: a person's verdict on an extracted event, kept beside it and never written over it.

The machine's rows (``events``, ``event_items``) are only ever written by extraction. A
review (accept, reject, edit, add) is appended to ``reviews`` with the event as extracted
and as corrected (JSON), and with its evidence span (sentence and trigger offsets in the
article), so that it can find its event again after re-extraction. ``review_state`` holds
the latest review of each event as a full event row; it is derived from ``reviews`` and
rebuilt per article in the same transaction as the review that changes it, so a crash
leaves both or neither. The views ``corrected_events`` / ``corrected_event_items``
(migration 4) are what every read shows by default: rejected events hidden, edits
applied, added events included.

Re-extraction (a model update, a changed text) rewrites an article's events, possibly
under new ids. :func:`reattach` then moves each review to the new event with the same
evidence span (or the same sentence and trigger text) and type, and marks the ones it
cannot place ``attached = false``: they stay in the log and are listed; an accepted or
edited event a person confirmed stays in the corrected view as the person left it.
"""
from __future__ import annotations

import hashlib
import json
import logging
import re
import uuid
from collections.abc import Iterable
from datetime import date as Date, datetime, timezone
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from ..errors import NotFoundError, ReviewError
from ..models import EVENT_TYPES, ITEM_CLASSES, STATUSES
from .db import ARTICLE_COLUMNS, EVENT_COLUMNS, ITEM_COLUMNS, Store, event_tables

log = logging.getLogger(__name__)
Action = Literal["accept", "reject", "edit", "add"]
# The event columns a person can set, by the name the API and the gold format use.
EDITABLE = ("type", "source", "target", "items", "value", "status", "date", "attributed_to")
DATE_FORMS = {4: "year", 7: "month", 10: "day"}
CURRENCY = re.compile(r"^[A-Z]{3}$")
REVIEW_MARK_COLUMNS = ("reviewer", "reviewed_at", "action", "attached")


def _known_code(value: str | None) -> str | None:
    """An actor code the ontology defines (``aidtrace/ontology/data``), upper-cased."""
    if value is None:
        return None
    from ..ontology.actors import default_gazetteer  # the gazetteer: loaded on first review

    code = value.strip().upper()
    if default_gazetteer().entry(code) is None:
        raise ValueError(f"unknown actor code {value!r}: not a state or organisation of the ontology"
                         " (countries.csv, organisations.csv)")
    return code


class ItemIn(BaseModel):
    """One item of an AID or TRADE event, as a reviewer gives it."""

    model_config = ConfigDict(extra="forbid")
    item_class: Literal[ITEM_CLASSES]  # type: ignore[valid-type]
    quantity: float | None = Field(None, ge=0)
    unit: str | None = Field(None, min_length=1, max_length=40, pattern=r"^[a-z][a-z_ ]*$")
    item: str | None = Field(None, max_length=200, description="the words of the text, if any")


class ValueIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    amount: float = Field(gt=0)
    currency: str = Field(description="ISO 4217 code, e.g. USD, EUR")

    @field_validator("currency")
    @classmethod
    def _currency(cls, v: str) -> str:
        if not CURRENCY.match(v.upper()):
            raise ValueError(f"currency {v!r} is not a three-letter ISO 4217 code")
        return v.upper()


class Correction(BaseModel):
    """The fields a reviewer sets; a field left out keeps its value, an explicit null clears it."""

    model_config = ConfigDict(extra="forbid")
    type: Literal[EVENT_TYPES] | None = None  # type: ignore[valid-type]
    source: str | None = Field(None, description="actor code of who acts (CHN, EU, WHO)")
    target: str | None = Field(None, description="actor code of who receives or is addressed")
    items: list[ItemIn] | None = None
    value: ValueIn | None = None
    status: Literal[STATUSES] | None = None  # type: ignore[valid-type]
    date: str | None = Field(None, description="YYYY, YYYY-MM or YYYY-MM-DD")
    attributed_to: str | None = Field(None, description="actor code the text credits for the claim")

    @field_validator("source", "target", "attributed_to")
    @classmethod
    def _codes(cls, v: str | None) -> str | None:
        return _known_code(v)

    @field_validator("date")
    @classmethod
    def _date(cls, v: str | None) -> str | None:
        if v is None:
            return None
        if len(v) not in DATE_FORMS or not re.match(r"^\d{4}(-\d{2}(-\d{2})?)?$", v):
            raise ValueError(f"date {v!r} is not YYYY, YYYY-MM or YYYY-MM-DD")
        try:
            Date.fromisoformat((v + "-01-01")[:10] if len(v) < 10 else v)
        except ValueError as exc:
            raise ValueError(f"date {v!r} is not a calendar date") from exc
        return v

    @model_validator(mode="after")
    def _not_empty_type(self) -> "Correction":
        if "type" in self.model_fields_set and self.type is None:
            raise ValueError("type cannot be null")
        if "source" in self.model_fields_set and self.source is None:
            raise ValueError("source cannot be null: every event has an actor that acts")
        return self


class NewEvent(Correction):
    """A missed event: its fields and where the article says it (character offsets)."""

    type: Literal[EVENT_TYPES]  # type: ignore[valid-type]
    source: str
    article_id: str = Field(min_length=1, max_length=200)
    start: int = Field(ge=0, description="first character of the evidence in the article text")
    end: int = Field(gt=0, description="one past its last character")

    @model_validator(mode="after")
    def _span(self) -> "NewEvent":
        if self.end <= self.start:
            raise ValueError(f"evidence span {self.start}-{self.end} is empty")
        return self


# -- applying a correction to an event row ---------------------------------------------
def apply(row: dict[str, Any], items: list[dict[str, Any]], c: Correction,
          published: Date | None) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The event row and items with the reviewer's fields set (the inputs are not changed)."""
    out, new_items = dict(row), [dict(i) for i in items]
    given = c.model_fields_set
    if "type" in given and c.type != out["type"]:
        out.update(type=c.type, mode=None, cameo=None)  # mode and CAMEO belonged to the old type
    for role in ("source", "target"):
        if role in given and getattr(c, role) != out[f"{role}_code"]:
            out.update({f"{role}_code": getattr(c, role), f"{role}_sector": None,
                        f"{role}_text": None, f"{role}_via": "review"})
    if "attributed_to" in given:
        out["attributed_to"] = c.attributed_to
    if "status" in given:
        out["status"] = c.status
    if "date" in given:
        out.update(date=c.date, date_precision=DATE_FORMS[len(c.date)] if c.date else None, date_text=None)
    if "value" in given:
        v = c.value
        out.update(value_amount=v.amount if v else None, value_currency=v.currency if v else None,
                   value_usd=_usd(v, published) if v else None, value_qualifier=None)
    if "items" in given:
        new_items = [dict(idx=i, item=it.item, item_class=it.item_class, quantity=it.quantity, unit=it.unit,
                          qualifier=None) for i, it in enumerate(c.items or [])]
    return out, new_items


def _usd(v: ValueIn, published: Date | None) -> float | None:
    from ..nlp.quantities import to_usd  # currency rates: loaded only when a value is edited

    return v.amount if v.currency == "USD" else to_usd(v.amount, v.currency, published)


# -- reading ---------------------------------------------------------------------------
def _machine_event(store: Store, event_id: str) -> tuple[dict[str, Any], list[dict[str, Any]]] | None:
    """The machine's row and items of an event: two point lookups (an items list in a subquery
    costs DuckDB a scan of every item)."""
    rows = store.query(f"SELECT {','.join(EVENT_COLUMNS)} FROM events WHERE id = ?", [event_id])
    if not rows:
        return None
    return rows[0], store.query("SELECT idx, item, item_class, quantity, unit, qualifier FROM event_items"
                                " WHERE event_id = ? ORDER BY idx", [event_id])


def _decoded(row: dict[str, Any]) -> dict[str, Any]:
    for key in ("extracted", "corrected"):
        if isinstance(row.get(key), str):
            row[key] = json.loads(row[key])
    return row


def review_marks(store: Store, ids: list[str]) -> dict[str, dict[str, Any]]:
    """Who confirmed which of these events (accept, edit, add), by event id."""
    if not ids:
        return {}
    rows = store.query("SELECT id, reviewer, reviewed_at, action, attached FROM review_state"
                       f" WHERE NOT hidden AND id IN ({','.join('?' * len(ids))})", ids)
    return {r.pop("id"): r for r in rows}


def mark(store: Store, rows: list[dict[str, Any]], *, as_extracted: bool) -> list[dict[str, Any]]:
    """Each row with ``reviewed_by``, ``reviewed_at`` and ``review`` (null: no person confirmed it)."""
    marks = {} if as_extracted else review_marks(store, [r["id"] for r in rows])
    for r in rows:
        m = marks.get(r["id"])
        r["reviewed_by"] = m["reviewer"] if m else None
        r["reviewed_at"] = m["reviewed_at"] if m else None
        r["review"] = m["action"] if m else None
    return rows


def reviews(store: Store, *, attached: bool | None = None, article: str | None = None,
            event: str | None = None, limit: int | None = None) -> list[dict[str, Any]]:
    """The review log, oldest first; ``attached=False`` lists those re-extraction could not place."""
    where, params = [], []
    for clause, value in (("attached = ?", attached), ("article_id = ?", article), ("event_id = ?", event)):
        if value is not None:
            where.append(clause)
            params.append(value)
    sql = "SELECT * FROM reviews" + (" WHERE " + " AND ".join(where) if where else "") + " ORDER BY seq"
    if limit:
        sql += f" LIMIT {int(limit)}"
    return [_decoded(r) for r in store.query(sql, params)]


def queue(store: Store, *, type: str | None = None, source: str | None = None, target: str | None = None,
          article: str | None = None, max_confidence: float | None = None, limit: int = 50,
          after: str | None = None) -> list[dict[str, Any]]:
    """Events no person has reviewed yet, lowest confidence first (ties by id), filtered.

    ``after`` is the id of the last event a reviewer saw: the queue continues past it even
    before that event's review is written.
    """
    where, params = ["e.id NOT IN (SELECT id FROM review_state)"], []
    for column, value in (("e.type", type), ("e.source_code", source), ("e.target_code", target),
                          ("e.article_id", article)):
        if value:
            where.append(f"{column} = ?")
            params.append(value.upper() if column != "e.article_id" else value)
    if max_confidence is not None:
        where.append("e.confidence <= ?")
        params.append(max_confidence)
    seen = store.con.execute("SELECT coalesce(confidence, 0) FROM events WHERE id = ?",
                             [after]).fetchone() if after else None
    if seen is not None:
        where.append("(coalesce(e.confidence, 0) > ? OR (coalesce(e.confidence, 0) = ? AND e.id > ?))")
        params += [seen[0], seen[0], after]
    return store.query(f"SELECT e.id, e.article_id, e.type, e.source_code, e.target_code, e.confidence,"
                       f" e.sentence FROM events e WHERE {' AND '.join(where)}"
                       f" ORDER BY coalesce(e.confidence, 0), e.id LIMIT {int(limit)}", params)


# -- writing ---------------------------------------------------------------------------
def _now() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


def _published(store: Store, article_id: str) -> Date | None:
    row = store.con.execute("SELECT published FROM articles WHERE id = ?", [article_id]).fetchone()
    if row is None:
        raise NotFoundError(f"no article {article_id!r}")
    return row[0]  # type: ignore[no-any-return]


def review(store: Store, event_id: str, action: Literal["accept", "reject", "edit"], *, reviewer: str,
           correction: Correction | None = None, note: str | None = None) -> dict[str, Any]:
    """Record a person's accept, reject or edit of an event; returns the review as stored.

    An edit starts from the event as the corrected view shows it (so edits compose), or from
    the machine's event after a reject. One transaction: the log row and the derived state together.
    """
    if action == "edit" and (correction is None or not correction.model_fields_set):
        raise ReviewError("an edit needs at least one field to change")
    chain = [_decoded(r) for r in store.query("SELECT * FROM reviews WHERE event_id = ? ORDER BY seq", [event_id])]
    first, previous = (chain[0], chain[-1]) if chain else (None, None)
    machine = _machine_event(store, event_id)
    if machine is None and previous is None:
        raise NotFoundError(f"no event {event_id!r}")
    extracted: tuple[dict[str, Any], list[dict[str, Any]]] | None = machine
    if machine is None and first is not None and first["extracted"] is not None:
        # re-extraction lost the machine's event: what it was is in the chain's first review
        extracted = ({k: first["extracted"].get(k) for k in EVENT_COLUMNS}, first["extracted"].get("items") or [])
    base = extracted
    if previous is not None and previous["corrected"] is not None:
        base = ({k: previous["corrected"].get(k) for k in EVENT_COLUMNS}, previous["corrected"].get("items") or [])
    if base is None:  # a person's added event that a later review rejected: nothing left to start from
        raise ReviewError(f"event {event_id!r} was added by a reviewer and then rejected; add it again")
    corrected: tuple[dict[str, Any], list[dict[str, Any]]] | None
    if action == "reject":
        corrected = None
    elif action == "accept":
        corrected = base
    else:
        corrected = apply(*base, correction, _published(store, base[0]["article_id"]))  # type: ignore[arg-type]
    return _write(store, event_id=event_id, action=action, reviewer=reviewer, extracted=extracted,
                  corrected=corrected, span=base[0], note=note, attached=previous["attached"] if previous else True)


def add(store: Store, new: NewEvent, *, reviewer: str, note: str | None = None) -> dict[str, Any]:
    """Record a missed event at its evidence span; returns the review (its ``event_id`` is new)."""
    text_row = store.con.execute("SELECT text FROM articles WHERE id = ?", [new.article_id]).fetchone()
    if text_row is None:
        raise NotFoundError(f"no article {new.article_id!r}")
    text: str = text_row[0]
    if new.end > len(text):
        raise ReviewError(f"evidence span {new.start}-{new.end} is past the end of article "
                         f"{new.article_id!r} ({len(text)} characters)")
    quote = text[new.start:new.end]
    if not quote.strip():
        raise ReviewError(f"evidence span {new.start}-{new.end} holds only whitespace")
    key = f"{new.article_id}|{new.start}|{new.end}|{new.type}|{new.source}|{new.target}|{uuid.uuid4().hex}"
    event_id = "h" + hashlib.sha1(key.encode()).hexdigest()[:15]  # 'h': a human's event
    blank = dict.fromkeys(EVENT_COLUMNS)
    blank.update(id=event_id, article_id=new.article_id, type=new.type, sentence=quote, trigger=quote,
                 sentence_start=new.start, sentence_end=new.end, trigger_start=new.start,
                 trigger_end=new.end, confidence=1.0, extractor="review", factuality="asserted",
                 granularity="single" if new.type in {"AID", "TRADE"} else None)
    row, items = apply(blank, [], Correction(**new.model_dump(include=set(EDITABLE) & new.model_fields_set
                                                              | {"type", "source"})),
                       _published(store, new.article_id))
    return _write(store, event_id=event_id, action="add", reviewer=reviewer, extracted=None,
                  corrected=(row, items), span=row, note=note, attached=True)


def _write(store: Store, *, event_id: str, action: str, reviewer: str,
           extracted: tuple[dict[str, Any], list[dict[str, Any]]] | None,
           corrected: tuple[dict[str, Any], list[dict[str, Any]]] | None,
           span: dict[str, Any], note: str | None, attached: bool) -> dict[str, Any]:
    """Append the review and put its event's state row, in one transaction."""
    if not reviewer.strip():
        raise ReviewError("a review needs a reviewer's name")
    machine = extracted[0] if extracted else None
    row = dict(id=uuid.uuid4().hex, event_id=event_id, reviewed_event_id=event_id, article_id=span["article_id"],
               action=action, reviewer=reviewer.strip(), reviewed_at=_now(),
               extracted=_as_dict(extracted), corrected=_as_dict(corrected),
               sentence_start=span["sentence_start"], sentence_end=span["sentence_end"],
               trigger_start=span["trigger_start"], trigger_end=span["trigger_end"],
               extracted_type=machine["type"] if machine else None,
               extracted_source=machine["source_code"] if machine else None,
               extracted_target=machine["target_code"] if machine else None, attached=attached, note=note)
    with store.transaction():
        row["seq"] = int(store.con.execute("SELECT coalesce(max(seq), 0) + 1 FROM reviews").fetchone()[0])
        stored = {**row, "extracted": _json(row["extracted"]), "corrected": _json(row["corrected"])}
        store.con.execute(f"INSERT INTO reviews ({','.join(stored)}) VALUES ({','.join('?' * len(stored))})",
                          list(stored.values()))
        store.con.execute("DELETE FROM review_state_items WHERE event_id = ?", [event_id])
        store.con.execute("DELETE FROM review_state WHERE id = ?", [event_id])
        _put_state(store, [row])
    return row


def _as_dict(event: tuple[dict[str, Any], list[dict[str, Any]]] | None) -> dict[str, Any] | None:
    """An event row and its items as one JSON-ready dict (what ``extracted``/``corrected`` hold)."""
    return None if event is None else json.loads(json.dumps({**event[0], "items": event[1]}, default=str))


def _json(value: dict[str, Any] | None) -> str | None:
    return None if value is None else json.dumps(value)


STATE_COLUMNS = (*EVENT_COLUMNS, "review_id", "action", "reviewer", "reviewed_at", "hidden", "attached")


def _put_state(store: Store, newest: list[dict[str, Any]]) -> None:
    """Insert the state rows of these reviews (each the latest of its event; decoded JSON)."""
    rows, items = [], []
    for r in newest:
        shown = r["corrected"] or r["extracted"]
        if shown is None:  # a person's added event, rejected since: nothing to show or hide
            continue
        event = {k: shown.get(k) for k in EVENT_COLUMNS}
        event["id"] = r["event_id"]
        rows.append((*(event[k] for k in EVENT_COLUMNS), r["id"], r["action"], r["reviewer"], r["reviewed_at"],
                     r["corrected"] is None, r["attached"]))
        items += [(r["event_id"], i, it.get("item"), it.get("item_class"), it.get("quantity"), it.get("unit"),
                   it.get("qualifier")) for i, it in enumerate(shown.get("items") or [])]
    if len(rows) > 1:
        store.insert_rows("review_state", STATE_COLUMNS, rows)
        store.insert_rows("review_state_items", ITEM_COLUMNS, items)
        return
    # one review (the API's case): plain statements cost less than registering Arrow tables
    for table, columns, values in (("review_state", STATE_COLUMNS, rows), ("review_state_items", ITEM_COLUMNS, items)):
        for value in values:
            store.con.execute(f"INSERT INTO {table} ({','.join(columns)}) VALUES ({','.join('?' * len(columns))})",
                              list(value))


def rebuild_state(store: Store, article_ids: Iterable[str]) -> None:
    """``review_state`` for these articles from their reviews: the latest review per event."""
    ids = sorted(set(article_ids))
    if not ids:
        return
    store.con.execute("DELETE FROM review_state_items WHERE event_id IN"
                      " (SELECT id FROM review_state WHERE article_id IN (SELECT unnest(?)))", [ids])
    store.con.execute("DELETE FROM review_state WHERE article_id IN (SELECT unnest(?))", [ids])
    newest = store.query("SELECT * FROM reviews WHERE article_id IN (SELECT unnest(?))"
                         " QUALIFY row_number() OVER (PARTITION BY event_id ORDER BY seq DESC) = 1", [ids])
    _put_state(store, [_decoded(r) for r in newest])


# -- re-attachment after re-extraction -------------------------------------------------
def reattach(store: Store, article_ids: Iterable[str]) -> list[dict[str, Any]]:
    """Move the reviews of re-extracted articles onto their events' new rows; returns those
    that found no event (now ``attached = false``). Run inside the re-extraction's transaction.

    A review finds its event by the same evidence span (sentence and trigger offsets) or,
    when the text moved, the same sentence and trigger words; the extracted type must
    match, and the extracted source and target break a tie. Each new event takes one review
    chain at most; an ambiguous match counts as none (never the wrong event).
    """
    ids = sorted(set(article_ids))
    if not ids or not store.con.execute("SELECT 1 FROM reviews WHERE article_id IN (SELECT unnest(?)) LIMIT 1",
                                        [ids]).fetchone():
        return []
    lost: list[dict[str, Any]] = []
    for article_id in ids:
        events = store.query("SELECT id, type, source_code, target_code, sentence, trigger, sentence_start,"
                             " sentence_end, trigger_start, trigger_end FROM events WHERE article_id = ?",
                             [article_id])
        present = {e["id"] for e in events}
        chains = store.query("SELECT * FROM reviews WHERE article_id = ? AND action <> 'add' QUALIFY"
                             " row_number() OVER (PARTITION BY event_id ORDER BY seq) = 1 ORDER BY seq",
                             [article_id])
        claimed = {c["event_id"] for c in chains if c["event_id"] in present}
        for chain in map(_decoded, chains):
            old = chain["event_id"]
            if old in present:
                new: str | None = old
            else:
                new = _match(chain, [e for e in events if e["id"] not in claimed])
            if new is not None:
                claimed.add(new)
            store.con.execute("UPDATE reviews SET event_id = ?, attached = ? WHERE article_id = ? AND event_id = ?",
                              [new or old, new is not None, article_id, old])
            if new is None:
                lost.append({**chain, "attached": False})
    rebuild_state(store, ids)
    for chain in lost:
        log.warning("review %s (%s by %s) of article %s could not be re-attached: no event of type %s at"
                    " its evidence any more; see `aidtrace reviews --unattached`", chain["id"][:8],
                    chain["action"], chain["reviewer"], chain["article_id"], chain["extracted_type"])
    return lost


def _match(chain: dict[str, Any], events: list[dict[str, Any]]) -> str | None:
    first = chain["extracted"] or {}
    spans = ("sentence_start", "sentence_end", "trigger_start", "trigger_end")
    same_type = [e for e in events if e["type"] == chain["extracted_type"]]
    for same_place in ([e for e in same_type if all(e[k] == chain[k] for k in spans)],
                       [e for e in same_type if e["sentence"] == first.get("sentence")
                        and e["trigger"] == first.get("trigger")]):
        if len(same_place) > 1:
            same_place = [e for e in same_place if (e["source_code"], e["target_code"])
                          == (chain["extracted_source"], chain["extracted_target"])]
        if len(same_place) == 1:
            return str(same_place[0]["id"])
        if same_place:
            return None  # ambiguous
    return None


def machine_copy(store: Store) -> Store:
    """An in-memory store holding the articles and the machine's events, without reviews.

    What ``--as-extracted`` reads stories, flows and exports from: they are derived tables
    (built from the corrected view in the file itself), so the machine's view of them is
    built afresh over this copy. The caller closes it.
    """
    copy = Store(":memory:")
    for table, columns in (("articles", ARTICLE_COLUMNS), ("events", EVENT_COLUMNS), ("event_items", ITEM_COLUMNS)):
        names = ",".join(columns)
        data = store.con.sql(f"SELECT {names} FROM {table}").to_arrow_table()
        copy.con.register("_machine_rows", data)
        copy.con.execute(f"INSERT INTO {table} ({names}) SELECT {names} FROM _machine_rows")
        copy.con.unregister("_machine_rows")
    return copy


def unattached(store: Store) -> list[dict[str, Any]]:
    """Reviews whose event re-extraction did not find again (the latest of each event)."""
    return [_decoded(r) for r in store.query(
        "SELECT * FROM reviews WHERE NOT attached QUALIFY row_number() OVER"
        " (PARTITION BY event_id ORDER BY seq DESC) = 1 ORDER BY seq")]


__all__ = ["Correction", "NewEvent", "ItemIn", "ValueIn", "EDITABLE", "event_tables", "review", "add",
           "reviews", "queue", "review_marks", "mark", "reattach", "rebuild_state", "unattached",
           "machine_copy"]
