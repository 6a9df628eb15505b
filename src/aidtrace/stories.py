"""Stories: one real-world event, many reports (design §3).

The same shipment is reported by the donor's agency, a paper in the recipient country and
a wire story syndicated in forty papers, often with different figures. A *story* groups
the events of those reports; it never averages them. It owns the tables ``stories``,
``story_events``, ``story_figures``, ``story_display`` and ``story_meta``, which are
derived from ``events`` and rebuilt whole by :func:`build_stories` (idempotent).

Grouping. Events are taken in order of date, then publication. An event joins a story when
  - type, source code and target are the same (a null target matches a null target with
    the same ``target_count``, or the same ``target_group`` text);
  - for AID/TRADE the lifecycle stage is the same: ``pledged`` is one stage; ``shipped``,
    ``delivered`` and ``unknown`` are another (one shipment reported on its way and on
    arrival); cumulative claims never merge with single shipments; negated and
    hypothetical reports never merge with asserted ones;
  - item classes overlap, or one side names none; for other types the modes are equal
    or one is missing;
  - its date is within ``settings.story_window_days`` of every dated event of the story
    (complete link, so shipments a week apart cannot chain into one); unknown dates are
    compatible;
  - if the story already holds an event of the same independent source (the same article
    or a copy of it), the two must not conflict: an article restating its own figure is
    one report, two different figures in one article are two shipments.
Events without a source code, or without any target information, stay alone.

Sources. An article counts as the independent source it copies: ``duplicate_of`` if set,
else the earliest published article (then lowest id) with the same ``content_hash``.
``sources`` counts those roots, ``reports`` the articles holding the story's events,
``copies`` the stored duplicates of them (syndicated copies, not extracted again),
``outlets`` the distinct outlets among all of these. First and last report are
publication dates over the same set.

Figures. Every quantity (per item class and unit) and every value is kept in
``story_figures`` with its article, outlet, date, status and claimant (``attributed_to``,
else the outlet). Figures of one measure conflict when they differ by more than 2%
(values compared in their currency, or in USD when currencies differ); two different
day-precision dates conflict too. Either sets ``conflicting``.

Display rule (one figure per measure, in ``story_display``). Claimants are ranked:
recipient official (``attributed_to`` is the target), then donor official
(``attributed_to`` is the source), then media and third parties. The highest tier that
reports the measure is used: if its figures agree (within 2%) the earliest report of
that tier is displayed and the rule names the tier; otherwise the range min–max over all
observed figures is displayed (rule ``range``). The story's ``date`` is that of the
highest-ranked claimant's earliest report among its most precise dates; ``first_date`` and
``last_date`` give the span the reports cover.

Lifecycle. A pledge and a later transfer (same type, source, target, overlapping items)
are two stories that share a ``story_line`` (the pledge's id): "pledged 500 million doses"
and "delivered 200 million" stay two facts. A transfer links to the latest pledge not
dated after it; unknown dates are compatible.
"""
from __future__ import annotations

import calendar
import hashlib
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import Any


from .config import Settings
from .errors import NotFoundError
from .store import Store

TOLERANCE = 0.02  # relative difference under which two figures agree (as in the eval, design §5)
TIERS = ("recipient-official", "donor-official", "media")
_STATUS_ORDER = {"pledged": 0, "unknown": 1, "shipped": 2, "delivered": 3}
_PRECISION_ORDER = {"day": 0, "month": 1, "year": 2}


# -- helpers over plain values -------------------------------------------------------
def date_interval(value: str | None) -> tuple[date, date] | None:
    """The first and last day an ISO prefix ("2020", "2020-03", "2020-03-24") can mean."""
    if not value:
        return None
    try:
        parts = [int(p) for p in value[:10].split("-")]
        if len(parts) == 1:
            return date(parts[0], 1, 1), date(parts[0], 12, 31)
        if len(parts) == 2:
            last = calendar.monthrange(parts[0], parts[1])[1]
            return date(parts[0], parts[1], 1), date(parts[0], parts[1], last)
        day = date(parts[0], parts[1], parts[2])
    except ValueError:
        return None
    return day, day


def agree(numbers: Iterable[float]) -> bool:
    """True when all numbers lie within ``TOLERANCE`` of the largest."""
    values = [abs(n) for n in numbers]
    if len(values) < 2:
        return True
    hi, lo = max(values), min(values)
    return hi == 0 or (hi - lo) / hi <= TOLERANCE


def _stage(ev: dict[str, Any]) -> str | None:
    if ev["type"] not in ("AID", "TRADE"):
        return None
    return "pledge" if ev["status"] == "pledged" else "transfer"


def _factuality(ev: dict[str, Any]) -> str:
    return ev["factuality"] if ev["factuality"] in ("negated", "hypothetical") else "asserted"


def _target_key(ev: dict[str, Any]) -> str | None:
    if ev["target_code"]:
        return ev["target_code"]
    if ev["target_count"] is not None:
        return f"count:{ev['target_count']}"
    if ev["target_group"]:
        return "group:" + " ".join(ev["target_group"].casefold().split())
    return None


def claimant_kind(attributed_to: str | None, source: str | None, target: str | None) -> str:
    if attributed_to and attributed_to == target:
        return "recipient-official"
    if attributed_to and attributed_to == source:
        return "donor-official"
    return "media"


# -- the in-memory model of one build ------------------------------------------------
@dataclass(frozen=True)
class Figure:
    """One observed figure of one report: a quantity of an item class, or a value."""

    event_id: str
    article_id: str
    outlet: str | None
    published: date | None
    claimant: str | None
    kind: str  # a TIERS name
    measure: str  # "quantity" or "value"
    item_class: str | None
    unit: str | None
    quantity: float | None
    amount: float | None
    currency: str | None
    usd: float | None
    date: str | None
    date_precision: str | None
    status: str | None

    @property
    def measure_key(self) -> tuple[str, str | None, str | None]:
        if self.measure == "quantity":
            return (self.measure, self.item_class, self.unit)
        return (self.measure, None, None)


@dataclass
class _Story:
    """A story while it is being grouped (mutable only inside ``group``)."""

    key: tuple[Any, ...]
    events: list[dict[str, Any]] = field(default_factory=list)
    classes: set[str] = field(default_factory=set)
    modes: set[str] = field(default_factory=set)
    by_root: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    # The dated events' span: enough for the complete-link gap to every one of them.
    first_end: date = date.max  # earliest last-possible day
    last_start: date = date.min  # latest first-possible day
    last_end: date = date.min  # latest last-possible day

    @property
    def id(self) -> str:
        return "s" + hashlib.sha1(self.events[0]["id"].encode()).hexdigest()[:11]

    @property
    def dated(self) -> bool:
        return self.first_end != date.max

    def add(self, ev: dict[str, Any], root: str) -> None:
        self.events.append(ev)
        self.classes |= _classes(ev)
        if ev["mode"]:
            self.modes.add(ev["mode"])
        self.by_root.setdefault(root, []).append(ev)
        iv = date_interval(ev["date"])
        if iv:
            self.first_end = min(self.first_end, iv[1])
            self.last_start = max(self.last_start, iv[0])
            self.last_end = max(self.last_end, iv[1])


def _classes(ev: dict[str, Any]) -> set[str]:
    return {it["item_class"] for it in ev["items"] if it["item_class"]}


def _figures(ev: dict[str, Any]) -> list[Figure]:
    claimant = ev["attributed_to"] or ev["outlet"]
    kind = claimant_kind(ev["attributed_to"], ev["source_code"], ev["target_code"])
    common = dict(event_id=ev["id"], article_id=ev["article_id"], outlet=ev["outlet"],
                  published=ev["published"], claimant=claimant, kind=kind, date=ev["date"],
                  date_precision=ev["date_precision"], status=ev["status"])
    out = [Figure(measure="quantity", item_class=it["item_class"], unit=it["unit"],
                  quantity=it["quantity"], amount=None, currency=None, usd=None, **common)
           for it in ev["items"] if it["quantity"] is not None]
    if ev["value_amount"] is not None:
        out.append(Figure(measure="value", item_class=None, unit=None, quantity=None,
                          amount=ev["value_amount"], currency=ev["value_currency"],
                          usd=ev["value_usd"], **common))
    return out


def _comparable(figs: list[Figure]) -> list[float] | None:
    """The numbers to compare for one measure, or None when they cannot be compared."""
    if figs[0].measure == "quantity":
        return [f.quantity for f in figs if f.quantity is not None]
    if len({f.currency for f in figs}) == 1:
        return [f.amount for f in figs if f.amount is not None]
    if all(f.usd is not None for f in figs):
        return [f.usd for f in figs if f.usd is not None]
    return None


def _conflict(a: list[dict[str, Any]], b: dict[str, Any]) -> bool:
    """Do the reports in ``a`` and the report ``b`` disagree on a figure or a day?"""
    figs = [f for ev in [*a, b] for f in _figures(ev)]
    by_measure: dict[tuple[Any, ...], list[Figure]] = {}
    for f in figs:
        by_measure.setdefault(f.measure_key, []).append(f)
    for same in by_measure.values():
        numbers = _comparable(same)
        if numbers is not None and not agree(numbers):
            return True
    days = {ev["date"][:10] for ev in [*a, b] if ev["date"] and ev["date_precision"] == "day"}
    return len(days) > 1


def _choose(figs: list[Figure]) -> tuple[str, list[Figure]]:
    """Apply the display rule to one measure: (rule, figures to display)."""
    for tier in TIERS:
        top = [f for f in figs if f.kind == tier]
        if top:
            numbers = _comparable(top)
            if numbers is not None and agree(numbers):
                return tier, [min(top, key=_report_order)]
            break
    return "range", figs


def _report_order(f: Figure) -> tuple[Any, ...]:
    return (f.published or date.max, f.article_id, f.event_id)


def _event_order(ev: dict[str, Any]) -> tuple[Any, ...]:
    iv = date_interval(ev["date"])
    return (iv is None, iv[0] if iv else date.min, ev["published"] or date.max,
            ev["article_id"], ev["sentence_index"] or 0, ev["id"])


# -- building ------------------------------------------------------------------------
def _roots(store: Store) -> tuple[dict[str, str], dict[str, dict[str, Any]], dict[str, list[str]]]:
    """Map each article to its independent source; also the article rows and copies per root."""
    rows = store.query("SELECT id, published, outlet, content_hash, duplicate_of FROM articles")
    articles = {r["id"]: r for r in rows}
    first_by_hash: dict[str, str] = {}
    for r in sorted(rows, key=lambda r: (r["published"] or date.max, r["id"])):
        if r["duplicate_of"] is None:
            first_by_hash.setdefault(r["content_hash"], r["id"])
    roots: dict[str, str] = {}
    for r in rows:
        root, seen = r["id"], set()
        while articles.get(root, {}).get("duplicate_of") and root not in seen:
            seen.add(root)
            root = articles[root]["duplicate_of"]
        if root in articles:
            root = first_by_hash.get(articles[root]["content_hash"], root)
        roots[r["id"]] = root
    copies: dict[str, list[str]] = {}
    for r in rows:
        if r["duplicate_of"]:
            copies.setdefault(roots[r["id"]], []).append(r["id"])
    return roots, articles, copies


def _key(ev: dict[str, Any]) -> tuple[Any, ...]:
    target = _target_key(ev)
    if not ev["source_code"] or target is None:
        return ("alone", ev["id"])
    return (ev["type"], ev["source_code"], target, _stage(ev),
            ev["granularity"] == "cumulative", _factuality(ev))


def _fits(st: _Story, ev: dict[str, Any], root: str, window: int) -> int | None:
    """The largest day gap to the story's dated events if ``ev`` may join it, else None."""
    classes = _classes(ev)
    if classes and st.classes and not classes & st.classes:
        return None
    if ev["type"] not in ("AID", "TRADE") and ev["mode"] and st.modes and ev["mode"] not in st.modes:
        return None
    iv = date_interval(ev["date"])
    gap = 0
    if iv and st.dated:
        gap = max(0, (iv[0] - st.first_end).days, (st.last_start - iv[1]).days)
        if gap > window:
            return None
    same_source = st.by_root.get(root)
    if same_source and _conflict(same_source, ev):
        return None
    return gap


def group(events: list[dict[str, Any]], roots: dict[str, str], window: int) -> list[_Story]:
    """Group event rows (with items, published, outlet) into stories; see the module doc.

    Dated events come first, in date order, so a story whose last date is more than the
    window behind the current event can take no later dated event: it leaves ``live``
    (keeping grouping near-linear), but undated events, which come last, still see it.
    """
    stories: list[_Story] = []
    every: dict[tuple[Any, ...], list[_Story]] = {}
    live: dict[tuple[Any, ...], list[_Story]] = {}
    for ev in sorted(events, key=_event_order):
        key = _key(ev)
        iv = date_interval(ev["date"])
        if iv:
            horizon = iv[0] - timedelta(days=window)
            live[key] = candidates = [s for s in live.get(key, []) if s.last_end >= horizon]
        else:
            candidates = every.get(key, [])
        root = roots[ev["article_id"]]
        best: tuple[int, _Story] | None = None
        for st in candidates:
            gap = _fits(st, ev, root, window)
            if gap is not None and (best is None or gap < best[0]):
                best = (gap, st)
        if best is None:
            st = _Story(key)
            stories.append(st)
            every.setdefault(key, []).append(st)
            live.setdefault(key, []).append(st)
        else:
            st = best[1]
        st.add(ev, root)
    return stories


def _story_lines(stories: list[_Story], rows: dict[str, dict[str, Any]]) -> dict[str, str]:
    """Link each transfer story to the latest earlier pledge of the same actors and items."""
    line = {st.id: st.id for st in stories}
    pledges: dict[tuple[Any, ...], list[_Story]] = {}
    for st in stories:
        if st.key[0] != "alone" and st.key[3] == "pledge":
            pledges.setdefault(st.key[:3] + st.key[4:], []).append(st)

    def when(st: _Story) -> date | None:
        row = rows[st.id]
        iv = date_interval(row["first_date"])
        return iv[0] if iv else row["first_report"]

    for st in stories:
        if st.key[0] == "alone" or st.key[3] != "transfer":
            continue
        t = when(st)
        candidates = [p for p in pledges.get(st.key[:3] + st.key[4:], [])
                      if (not p.classes or not st.classes or p.classes & st.classes)
                      and (t is None or when(p) is None or when(p) <= t)]  # type: ignore[operator]
        if candidates:
            latest = max(candidates, key=lambda p: (when(p) or date.min, p.id))
            line[st.id] = latest.id
    return line


def _display_rows(story_id: str, figs: list[Figure]) -> list[dict[str, Any]]:
    by_measure: dict[tuple[Any, ...], list[Figure]] = {}
    for f in figs:
        by_measure.setdefault(f.measure_key, []).append(f)
    out = []
    for (measure, item_class, unit), group_figs in sorted(by_measure.items(), key=lambda kv: str(kv[0])):
        numbers = _comparable(group_figs)
        conflicting = numbers is not None and not agree(numbers)
        rule, shown = _choose(group_figs)
        if measure == "quantity":
            nums = [f.quantity for f in shown if f.quantity is not None]
            currency = None
        else:
            currencies = {f.currency for f in shown}
            currency = currencies.pop() if len(currencies) == 1 else None
            nums = [f.amount for f in shown if f.amount is not None] if currency else []
        usds = [f.usd for f in shown if f.usd is not None]
        out.append(dict(story_id=story_id, measure=measure, item_class=item_class, unit=unit,
                        currency=currency, low=min(nums) if nums else None,
                        high=max(nums) if nums else None,
                        usd_low=min(usds) if len(usds) == len(shown) else None,
                        usd_high=max(usds) if len(usds) == len(shown) else None,
                        rule=rule, event_id=shown[0].event_id if len(shown) == 1 else None,
                        conflicting=conflicting))
    return out


def _fmt(n: float | None) -> str:
    return "?" if n is None else f"{n:,.0f}" if n == int(n) else f"{n:,.2f}"


def display_text(rows: list[dict[str, Any]]) -> str:
    """"30 tons medical_supplies [recipient-official]; USD 1,000,000–1,200,000 [range]"."""
    parts = []
    for d in rows:
        span = _fmt(d["low"]) if d["low"] == d["high"] else f"{_fmt(d['low'])}–{_fmt(d['high'])}"
        if d["measure"] == "quantity":
            parts.append(f"{span} {d['unit'] or ''} {d['item_class'] or ''}".replace("  ", " ").strip()
                         + f" [{d['rule']}]")
        elif d["currency"]:
            parts.append(f"{d['currency']} {span} [{d['rule']}]")
        else:
            usd = (_fmt(d["usd_low"]) if d["usd_low"] == d["usd_high"]
                   else f"{_fmt(d['usd_low'])}–{_fmt(d['usd_high'])}")
            parts.append(f"USD {usd} [{d['rule']}]")
    return "; ".join(parts)


def _summary(st: _Story, roots: dict[str, str], articles: dict[str, dict[str, Any]],
             copies: dict[str, list[str]], display: list[dict[str, Any]]) -> dict[str, Any]:
    evs = st.events
    reports = sorted({e["article_id"] for e in evs})
    story_roots = {roots[a] for a in reports}
    copy_ids = sorted({c for r in story_roots for c in copies.get(r, [])} - set(reports))
    every = [articles[a] for a in [*reports, *copy_ids] if a in articles]
    published = [a["published"] for a in every if a["published"]]
    dated = [e for e in evs if date_interval(e["date"])]
    best = min((_PRECISION_ORDER.get(e["date_precision"] or "day", 0) for e in dated), default=None)
    precise = [e for e in dated if _PRECISION_ORDER.get(e["date_precision"] or "day", 0) == best]
    chosen = min((_observation(e) for e in precise), default=None,
                 key=lambda f: (TIERS.index(f.kind), _report_order(f)))
    days = {e["date"][:10] for e in evs if e["date"] and e["date_precision"] == "day"}
    modes = Counter(e["mode"] for e in evs if e["mode"])
    statuses = [e["status"] for e in evs if e["status"]]
    first = evs[0]
    return dict(
        id=st.id, type=first["type"], mode=modes.most_common(1)[0][0] if modes else None,
        source_code=first["source_code"], target_code=first["target_code"],
        target_count=first["target_count"], target_group=first["target_group"],
        status=max(statuses, key=lambda s: _STATUS_ORDER.get(s, 1)) if statuses else None,
        stage=_stage(first),
        granularity=("cumulative" if any(e["granularity"] == "cumulative" for e in evs) else
                     "package" if any(e["granularity"] == "package" for e in evs) else "single"),
        factuality=_factuality(first), item_classes=sorted(st.classes),
        date=chosen.date if chosen else None,
        date_precision=(chosen.date_precision if chosen else None),
        first_date=min(dated, key=lambda e: date_interval(e["date"]))["date"] if dated else None,
        last_date=max(dated, key=lambda e: date_interval(e["date"])[::-1])["date"] if dated else None,
        first_report=min(published, default=None), last_report=max(published, default=None),
        events=len(evs), reports=len(reports), sources=len(story_roots),
        outlets=len({a["outlet"] for a in every if a["outlet"]}), copies=len(copy_ids),
        conflicting=any(d["conflicting"] for d in display) or len(days) > 1,
        display_text=display_text(display),
        confirmed=sum(1 for e in evs if e.get("reviewed_by")),
    )


def _observation(ev: dict[str, Any]) -> Figure:
    """A report's date as an observation, so that the display rule can rank dates too."""
    return Figure(event_id=ev["id"], article_id=ev["article_id"], outlet=ev["outlet"],
                  published=ev["published"], claimant=ev["attributed_to"] or ev["outlet"],
                  kind=claimant_kind(ev["attributed_to"], ev["source_code"], ev["target_code"]),
                  measure="date", item_class=None, unit=None, quantity=None, amount=None,
                  currency=None, usd=None, date=ev["date"], date_precision=ev["date_precision"],
                  status=ev["status"])


STORY_COLUMNS = ("id", "story_line", "type", "mode", "source_code", "target_code", "target_count",
                 "target_group", "status", "stage", "granularity", "factuality", "item_classes",
                 "date", "date_precision", "first_date", "last_date", "first_report",
                 "last_report", "events", "reports", "sources", "outlets", "copies",
                 "conflicting", "display_text", "confirmed")
FIGURE_COLUMNS = ("story_id", "event_id", "article_id", "outlet", "published", "claimant",
                  "claimant_kind", "measure", "item_class", "quantity", "unit", "value_amount",
                  "value_currency", "value_usd", "date", "date_precision", "status")
DISPLAY_COLUMNS = ("story_id", "measure", "item_class", "unit", "currency", "low", "high",
                   "usd_low", "usd_high", "rule", "event_id", "conflicting")


def fingerprint(store: Store) -> str:
    """A hash of everything the story tables are derived from: the corrected events (reviews
    applied) and who confirmed them."""
    row = store.con.execute(
        "SELECT (SELECT count(*) FROM corrected_events),"
        " (SELECT bit_xor(hash(e)) FROM corrected_events e),"
        " (SELECT bit_xor(hash(i)) FROM corrected_event_items i),"
        " (SELECT bit_xor(hash(r.id, r.reviewer, r.action)) FROM review_state r WHERE NOT r.hidden),"
        " (SELECT bit_xor(hash(a.id, a.published, a.outlet, a.content_hash, a.duplicate_of))"
        "  FROM articles a)").fetchall()
    return hashlib.sha1(repr(row).encode()).hexdigest()


def stories_current(store: Store, settings: Settings) -> bool:
    """True when the story tables were built from the events now stored, with these settings."""
    rows = store.con.execute("SELECT fingerprint, window_days FROM story_meta").fetchall()
    return rows == [(fingerprint(store), settings.story_window_days)]


def ensure_stories(store: Store, settings: Settings) -> None:
    """Rebuild the story tables if events changed since the last build (writable stores only)."""
    if not store.read_only and not stories_current(store, settings):
        with store.transaction():
            build_stories(store, settings)


def build_stories(store: Store, settings: Settings) -> int:
    """Recompute the story tables from the corrected events; returns the number of stories.

    Idempotent: the tables are replaced whole. Not a transaction by itself (callers may
    group it with an ingest batch); :func:`ensure_stories` wraps it in one.
    """
    roots, articles, copies = _roots(store)
    events = store.events()
    stories = group(events, roots, settings.story_window_days)
    summaries, figure_rows, display_rows, membership = {}, [], [], []
    for st in stories:
        figs = [f for ev in st.events for f in _figures(ev)]
        display = _display_rows(st.id, figs)
        summaries[st.id] = _summary(st, roots, articles, copies, display)
        display_rows.extend(display)
        figure_rows.extend((st.id, f.event_id, f.article_id, f.outlet, f.published, f.claimant,
                            f.kind, f.measure, f.item_class, f.quantity, f.unit, f.amount,
                            f.currency, f.usd, f.date, f.date_precision, f.status) for f in figs)
        membership.extend((st.id, ev["id"], ev["article_id"], roots[ev["article_id"]])
                          for ev in st.events)
    lines = _story_lines(stories, summaries)
    for table in ("story_display", "story_figures", "story_events", "stories", "story_meta"):
        store.con.execute(f"DELETE FROM {table}")
    if summaries:
        rows = [tuple({**s, "story_line": lines[sid]}[c] for c in STORY_COLUMNS)
                for sid, s in summaries.items()]
        store.insert_rows("stories", STORY_COLUMNS, rows)
        store.insert_rows("story_events", ("story_id", "event_id", "article_id", "root_article"),
                membership)
    store.insert_rows("story_figures", FIGURE_COLUMNS, figure_rows)
    store.insert_rows("story_display", DISPLAY_COLUMNS,
            [tuple(d[c] for c in DISPLAY_COLUMNS) for d in display_rows])
    store.con.execute("INSERT INTO story_meta VALUES (?, ?, ?)",
                      [fingerprint(store), settings.story_window_days, datetime.now(timezone.utc)])
    return len(stories)


# -- reading -------------------------------------------------------------------------
def list_stories(store: Store, *, source: str | None = None, target: str | None = None,
                 type: str | None = None, conflicting: bool | None = None,
                 status: str | None = None, story_line: str | None = None,
                 limit: int | None = None, offset: int = 0) -> list[dict[str, Any]]:
    """Stories, filtered, in date order (most sources first on a tie); every filter is bound."""
    where, params = [], []
    for col, val in (("source_code", source), ("target_code", target), ("type", type)):
        if val:
            where.append(f"{col} = ?")
            params.append(val.upper())
    for col, val in (("status", status), ("story_line", story_line)):
        if val:
            where.append(f"{col} = ?")
            params.append(val)
    if conflicting is not None:
        where.append("conflicting = ?")
        params.append(conflicting)
    sql = "SELECT * FROM stories" + (" WHERE " + " AND ".join(where) if where else "")
    sql += " ORDER BY coalesce(first_date, CAST(first_report AS VARCHAR)) NULLS LAST, sources DESC, id"
    if limit:
        sql += f" LIMIT {int(limit)}"
    if offset:
        sql += f" OFFSET {int(offset)}"
    return store.query(sql, params)


def story(store: Store, story_id: str) -> dict[str, Any]:
    """One story with its events (and their evidence), figures, display and story line."""
    rows = store.query("SELECT * FROM stories WHERE id = ?", [story_id])
    if not rows:
        raise NotFoundError(f"no story {story_id!r}")
    out = rows[0]
    ids = [r["event_id"] for r in store.query(
        "SELECT event_id FROM story_events WHERE story_id = ?", [story_id])]
    out["event_rows"] = [store.event(i) for i in ids]
    out["figures"] = store.query("SELECT * FROM story_figures WHERE story_id = ?"
                                 " ORDER BY published NULLS LAST, article_id, event_id, measure",
                                 [story_id])
    out["display"] = store.query("SELECT * FROM story_display WHERE story_id = ?"
                                 " ORDER BY measure, item_class, unit", [story_id])
    out["line"] = store.query("SELECT id, status, display_text, first_date FROM stories"
                              " WHERE story_line = ? AND id <> ? ORDER BY first_date NULLS LAST, id",
                              [out["story_line"], story_id])
    out["copies_of"] = store.query(
        "SELECT a.id, a.outlet, a.url, a.published, a.duplicate_of FROM articles a"
        " WHERE a.duplicate_of IN (SELECT article_id FROM story_events WHERE story_id = ?"
        "  UNION SELECT root_article FROM story_events WHERE story_id = ?)"
        " ORDER BY a.published NULLS LAST, a.id", [story_id, story_id])
    return out


__all__ = ["build_stories", "ensure_stories", "stories_current", "list_stories", "story",
           "agree", "date_interval", "claimant_kind", "display_text", "Figure",
           "TOLERANCE", "TIERS"]
