"""Flows: donor -> recipient aid totals, over rows that may be added (issue 7).

Aid trackers learned that naive sums lie. A total here adds one figure per *story*
(the figure chosen by the display rule of :mod:`aidtrace.stories`), never one per report,
and only over AID stories that describe a transfer of their own. Every AID event that
adds nothing is listed in ``FlowReport.excluded`` with its reason:

- ``not asserted (negated|hypothetical)`` — "X wants to send" is not "X sent";
- ``cumulative claim`` — "masks to 130 countries so far" summarises shipments that are
  counted on their own;
- ``no donor named`` / ``no named recipient`` — a donor -> recipient table cannot place it
  (unnamed recipients such as "to 12 countries" or "to Africa");
- ``no figure`` — neither a quantity nor a value was reported;
- ``duplicate report of story S`` — another report of a story whose figure is counted once;
- ``package counted once (story S)`` — see below.

Packages. One package named for several recipients ("EUR 20 million for Serbia, North
Macedonia and Albania") is stored as one event per recipient, all with granularity
``package`` and the same sentence and figure. It cannot be split per recipient, so it is
added once, on a separate line per donor whose target is ``"package"`` and whose
``recipients`` lists the countries it was named for; the other recipients' stories are
excluded as ``package counted once``.

Grouping columns are source, target, item class, status and unit: pledged, shipped,
delivered and unknown-status transfers are never added together. A value goes to the
row of its story's item class (``money`` when no item is named, ``mixed`` when several
classes share one value). Ranges (conflicting figures with no preferred claimant) add
their low end to ``quantity``/``usd`` and their high end to ``quantity_high``/``usd_high``.
"""
from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from typing import Any

from .store import Store

PACKAGE = "package"
_STORY_REF = re.compile(r"\s*\(?(?:of )?story \w+\)?$")  # "... of story s1a2b" -> "..."


@dataclass(frozen=True)
class FlowRow:
    source: str
    target: str  # recipient code, or "package" (several recipients, see the module doc)
    item_class: str
    status: str
    unit: str | None
    quantity: float | None
    usd: float | None
    events: int  # reports behind the row
    stories: int  # figures added (one per story or package)
    quantity_high: float | None = None
    usd_high: float | None = None
    recipients: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["recipients"] = list(self.recipients)
        return d


@dataclass(frozen=True)
class Exclusion:
    event_id: str
    reason: str
    story_id: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class FlowReport:
    rows: list[FlowRow] = field(default_factory=list)
    excluded: list[Exclusion] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        reasons: dict[str, int] = defaultdict(int)
        for e in self.excluded:
            reasons[_STORY_REF.sub("", e.reason)] += 1
        return {"rows": [r.to_dict() for r in self.rows],
                "excluded": [e.to_dict() for e in self.excluded],
                "excluded_by_reason": dict(sorted(reasons.items()))}


@dataclass
class _Acc:
    quantity: float | None = None
    quantity_high: float | None = None
    usd: float | None = None
    usd_high: float | None = None
    events: set[str] = field(default_factory=set)
    stories: set[str] = field(default_factory=set)
    recipients: set[str] = field(default_factory=set)


def _add(a: float | None, b: float | None) -> float | None:
    return a if b is None else b if a is None else a + b


def _story_reason(s: dict[str, Any]) -> str | None:
    if s["factuality"] != "asserted":
        return f"not asserted ({s['factuality']})"
    if s["granularity"] == "cumulative":
        return "cumulative claim"
    if not s["source_code"]:
        return "no donor named"
    if not s["target_code"]:
        return "no named recipient"
    return None


def _in_period(s: dict[str, Any], since: str | None, until: str | None) -> bool:
    when = s["date"] or s["first_date"] or (s["first_report"].isoformat() if s["first_report"] else None)
    if since and (when is None or when < since):
        return False
    return not (until and (when is None or when > until + "~"))


def _package_components(store: Store, candidates: set[str]) -> dict[str, str]:
    """Map each package story to the representative story of its package (union-find)."""
    parent = {s: s for s in candidates}

    def find(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    rows = store.query(
        "SELECT se.story_id, e.article_id, e.sentence_index, e.value_amount, e.value_currency,"
        " (SELECT string_agg(coalesce(i.item_class,'') || ':' || coalesce(CAST(i.quantity AS VARCHAR),'')"
        "   || coalesce(i.unit,''), '|' ORDER BY i.idx) FROM event_items i WHERE i.event_id = e.id) AS items"
        " FROM story_events se JOIN events e ON e.id = se.event_id WHERE e.granularity = 'package'")
    first: dict[tuple[Any, ...], str] = {}
    for r in rows:
        if r["story_id"] not in parent:
            continue
        key = (r["article_id"], r["sentence_index"], r["value_amount"], r["value_currency"], r["items"])
        other = first.setdefault(key, r["story_id"])
        a, b = find(other), find(r["story_id"])
        if a != b:
            parent[max(a, b)] = min(a, b)
    return {s: find(s) for s in candidates}


def flows(store: Store, *, source: str | None = None, target: str | None = None,
          item_class: str | None = None, status: str | None = None, since: str | None = None,
          until: str | None = None) -> FlowReport:
    """Donor -> recipient totals over the story tables (build them first, see stories.py)."""
    stories = {s["id"]: s for s in store.query("SELECT * FROM stories WHERE type = 'AID'")}
    members: dict[str, list[str]] = defaultdict(list)
    for r in store.query("SELECT se.story_id, se.event_id FROM story_events se"
                         " JOIN stories s ON s.id = se.story_id WHERE s.type = 'AID'"
                         " ORDER BY se.event_id"):
        members[r["story_id"]].append(r["event_id"])
    display: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for d in store.query("SELECT d.* FROM story_display d JOIN stories s ON s.id = d.story_id"
                         " WHERE s.type = 'AID' ORDER BY d.measure, d.item_class, d.unit"):
        display[d["story_id"]].append(d)

    def wanted(s: dict[str, Any]) -> bool:
        classes = s["item_classes"] or []
        return ((not source or s["source_code"] == source.upper())
                and (not status or s["status"] == status)
                and (not item_class or not classes or item_class in classes)
                and _in_period(s, since, until))

    chosen = {sid: s for sid, s in stories.items() if wanted(s)}
    excluded: list[Exclusion] = []
    addable: list[dict[str, Any]] = []
    for sid, s in sorted(chosen.items()):
        reason = _story_reason(s) or (None if display[sid] else "no figure")
        if reason:
            excluded.extend(Exclusion(e, reason, sid) for e in members[sid])
        else:
            addable.append(s)
    packages = _package_components(store, {s["id"] for s in addable if s["granularity"] == "package"})
    recipients_of: dict[str, set[str]] = defaultdict(set)
    for sid, rep in packages.items():
        recipients_of[rep].add(stories[sid]["target_code"])

    acc: dict[tuple[Any, ...], _Acc] = defaultdict(_Acc)
    for s in addable:
        sid = s["id"]
        rep = packages.get(sid, sid)
        if rep != sid:
            excluded.extend(Exclusion(e, f"package counted once (story {rep})", sid) for e in members[sid])
            continue
        dest = PACKAGE if sid in packages else s["target_code"]
        recipients = recipients_of[sid] if sid in packages else {s["target_code"]}
        if target and target.upper() not in recipients:
            continue
        kept = _contribute(acc, s, dest, recipients, display[sid], members[sid], item_class)
        excluded.extend(Exclusion(e, f"duplicate report of story {sid}", sid)
                        for e in members[sid] if kept and e not in kept)
    rows = [FlowRow(source=k[0], target=k[1], item_class=k[2], status=k[3], unit=k[4],
                    quantity=a.quantity, usd=a.usd, events=len(a.events), stories=len(a.stories),
                    quantity_high=a.quantity_high, usd_high=a.usd_high,
                    recipients=tuple(sorted(a.recipients)))
            for k, a in sorted(acc.items(), key=lambda kv: tuple(str(x) for x in kv[0]))]
    if target:  # recipient filter also applies to exclusions of other recipients' stories
        excluded = [e for e in excluded
                    if e.story_id is None or stories[e.story_id]["target_code"] == target.upper()]
    return FlowReport(rows=rows, excluded=sorted(excluded, key=lambda e: (e.reason, e.event_id)))


def _contribute(acc: dict[tuple[Any, ...], _Acc], s: dict[str, Any], dest: str,
                recipients: set[str], shown: list[dict[str, Any]], events: list[str],
                item_class: str | None) -> set[str]:
    """Add one story's displayed figures; returns the events counted (none if filtered out)."""
    classes = s["item_classes"] or []
    value_class = classes[0] if len(classes) == 1 else "mixed" if classes else "money"
    quantity_rows = [d for d in shown if d["measure"] == "quantity"]
    units_by_class: dict[str, list[str | None]] = defaultdict(list)
    for d in quantity_rows:
        units_by_class[d["item_class"]].append(d["unit"])
    touched = False
    for d in shown:
        if d["measure"] == "quantity":
            cls, unit = d["item_class"] or "other", d["unit"]
        else:
            cls = value_class
            units = units_by_class.get(cls, [])
            unit = units[0] if len(units) == 1 else None
        if item_class and cls != item_class:
            continue
        a = acc[(s["source_code"], dest, cls, s["status"] or "unknown", unit)]
        if d["measure"] == "quantity":
            a.quantity = _add(a.quantity, d["low"])
            a.quantity_high = _add(a.quantity_high, d["high"])
        else:
            a.usd = _add(a.usd, d["usd_low"])
            a.usd_high = _add(a.usd_high, d["usd_high"])
        a.events.update(events)
        a.stories.add(s["id"])
        a.recipients.update(recipients)
        touched = True
    if not touched:
        return set()
    picked = {d["event_id"] for d in shown if d["event_id"]}
    return picked or {events[0]}  # a range: the first report stands for the story


__all__ = ["flows", "FlowReport", "FlowRow", "Exclusion", "PACKAGE"]
