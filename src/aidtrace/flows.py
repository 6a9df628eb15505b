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

The totals are DuckDB SQL over the story tables, with the filters bound in the query, so
a filtered report reads only the stories it may add (at a million events: about a second
unfiltered, a few tenths of a second filtered, against 20-30 s when every AID story was
read into Python). :func:`flow_totals` is the same report with only its first exclusions
read, for the HTTP API.
"""
from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from typing import Any

from .store import Store

PACKAGE = "package"
_STORY_REF = re.compile(r"\s*\(?(?:of )?story \w+\)?$")  # "... of story s1a2b" -> "..."
_ROW_COLUMNS = ("source", "target", "item_class", "status", "unit", "quantity", "usd", "events",
                "stories", "quantity_high", "usd_high", "recipients", "confirmed")


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
    confirmed: int = 0  # of ``stories``, those with an event a person confirmed (issue 14)

    def to_dict(self) -> dict[str, Any]:
        d = {name: getattr(self, name) for name in _ROW_COLUMNS}  # asdict() would deep-copy each value
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


@dataclass(frozen=True)
class FlowTotals:
    """A flow report as the HTTP API shows it, without building every Exclusion.

    ``rows`` are :meth:`FlowRow.to_dict` dicts in report order; ``excluded`` holds the
    first exclusions of the report (as :meth:`Exclusion.to_dict`), and the counts cover
    all of them.
    """

    rows: list[dict[str, Any]]
    excluded_total: int
    excluded_by_reason: dict[str, int]
    excluded: list[dict[str, Any]]


class _FlowSQL:
    """The flow rules as DuckDB SQL over the story tables, for one set of filters.

    Everything is totalled in SQL; only the grouping of package stories into packages
    (connected components, usually a handful of stories) is done in Python, and handed
    back to the SQL as two bound lists. Every filter value is a bound parameter.
    """

    def __init__(self, store: Store, *, source: str | None, target: str | None, item_class: str | None,
                 status: str | None, since: str | None, until: str | None) -> None:
        self.store = store
        self.target = target.upper() if target else None
        self.item_class = item_class or None
        where: list[str] = []
        params: list[Any] = []
        if source:
            where.append("s.source_code = ?")
            params.append(source.upper())
        if status:
            where.append("s.status = ?")
            params.append(status)
        if item_class:
            where.append("(len(coalesce(s.item_classes, [])) = 0 OR list_contains(s.item_classes, ?))")
            params.append(item_class)
        when = "coalesce(nullif(s.date, ''), nullif(s.first_date, ''), CAST(s.first_report AS VARCHAR))"
        if since:
            where.append(f"{when} >= ?")
            params.append(since)
        if until:
            where.append(f"{when} <= ?")
            params.append(until + "~")  # "2020-03" <= "2020-03~" keeps every day of March
        # the reasons are tried in this order: the first that applies is the story's
        self.chosen = f"""
            chosen AS (
                SELECT s.id, s.source_code, s.target_code, s.granularity, s.events,
                       coalesce(s.confirmed, 0) > 0 AS confirmed,
                       coalesce(nullif(s.status, ''), 'unknown') AS status,
                       CASE len(coalesce(s.item_classes, [])) WHEN 0 THEN 'money'
                            WHEN 1 THEN s.item_classes[1] ELSE 'mixed' END AS value_class,
                       CASE WHEN s.factuality IS DISTINCT FROM 'asserted'
                                THEN 'not asserted (' || coalesce(s.factuality, 'None') || ')'
                            WHEN s.granularity = 'cumulative' THEN 'cumulative claim'
                            WHEN coalesce(s.source_code, '') = '' THEN 'no donor named'
                            WHEN coalesce(s.target_code, '') = '' THEN 'no named recipient'
                            WHEN s.id NOT IN (SELECT story_id FROM story_display) THEN 'no figure'
                       END AS reason
                FROM stories s WHERE s.type = 'AID'{''.join(' AND ' + w for w in where)})"""
        self.chosen_params = params
        ids, reps = self._packages()
        # counted: the stories that pass every rule, each with the story its figure is added under
        self.with_sql = f"""WITH {self.chosen},
            packaged AS (SELECT unnest(?::VARCHAR[]) AS id, unnest(?::VARCHAR[]) AS rep),
            counted AS (
                SELECT c.*, p.id IS NOT NULL AS in_package, coalesce(p.rep, c.id) AS rep
                FROM chosen c LEFT JOIN packaged p ON p.id = c.id WHERE c.reason IS NULL),
            package_recipients AS (
                SELECT rep, list_sort(list_distinct(list(target_code))) AS recipients
                FROM counted WHERE in_package GROUP BY rep),
            heads AS (
                SELECT c.id, c.source_code, c.target_code, c.status, c.value_class, c.events, c.confirmed,
                       CASE WHEN c.in_package THEN '{PACKAGE}' ELSE c.target_code END AS dest,
                       CASE WHEN c.in_package THEN r.recipients ELSE [c.target_code] END AS recipients
                FROM counted c LEFT JOIN package_recipients r ON r.rep = c.id
                WHERE c.rep = c.id),
            shown AS (
                SELECT h.*, d.measure, d.item_class AS display_class, d.unit AS display_unit,
                       d.low, d.high, d.usd_low, d.usd_high
                FROM heads h JOIN story_display d ON d.story_id = h.id
                WHERE {'list_contains(h.recipients, ?)' if self.target else 'true'}),
            -- a value takes the unit of the story's quantity of its class, when there is exactly one
            value_units AS (
                SELECT q.story_id, count(*) AS n, min(q.unit) AS unit FROM story_display q
                SEMI JOIN (SELECT DISTINCT id, value_class FROM shown WHERE measure <> 'quantity') v
                     ON q.story_id = v.id AND q.item_class = v.value_class
                WHERE q.measure = 'quantity' GROUP BY q.story_id),
            added AS (
                SELECT s.id AS story_id, s.source_code, s.target_code, s.dest, s.status, s.recipients, s.events,
                       s.confirmed,
                       CASE WHEN s.measure = 'quantity' THEN coalesce(s.display_class, 'other')
                            ELSE s.value_class END AS item_class,
                       CASE WHEN s.measure = 'quantity' THEN s.display_unit WHEN u.n = 1 THEN u.unit END AS unit,
                       CASE WHEN s.measure = 'quantity' THEN s.low END AS quantity,
                       CASE WHEN s.measure = 'quantity' THEN s.high END AS quantity_high,
                       CASE WHEN s.measure <> 'quantity' THEN s.usd_low END AS usd,
                       CASE WHEN s.measure <> 'quantity' THEN s.usd_high END AS usd_high
                FROM shown s LEFT JOIN value_units u ON u.story_id = s.id AND s.measure <> 'quantity'),
            kept AS (SELECT * FROM added WHERE {'item_class = ?' if self.item_class else 'true'})"""
        self.params = [*params, ids, reps, *([self.target] if self.target else []),
                       *([self.item_class] if self.item_class else [])]

    def _packages(self) -> tuple[list[str], list[str]]:
        """Each addable package story and the representative (lowest id) of its package."""
        candidates = [r[0] for r in self.store.con.execute(
            f"WITH {self.chosen} SELECT id FROM chosen WHERE reason IS NULL AND granularity = '{PACKAGE}'",
            self.chosen_params).fetchall()]
        if not candidates:
            return [], []
        parent = {s: s for s in candidates}

        def find(x: str) -> str:
            while parent[x] != x:
                parent[x] = parent[parent[x]]
                x = parent[x]
            return x

        # one package: the same sentence, figure and items, stored as one event per recipient
        rows = self.store.con.execute(
            "SELECT se.story_id, e.article_id, e.sentence_index, e.value_amount, e.value_currency,"
            " (SELECT string_agg(coalesce(i.item_class,'') || ':' || coalesce(CAST(i.quantity AS VARCHAR),'')"
            "   || coalesce(i.unit,''), '|' ORDER BY i.idx) FROM corrected_event_items i WHERE i.event_id = e.id)"
            " FROM story_events se JOIN corrected_events e ON e.id = se.event_id"
            f" WHERE e.granularity = '{PACKAGE}' AND se.story_id IN (SELECT unnest(?::VARCHAR[]))",
            [candidates]).fetchall()
        first: dict[tuple[Any, ...], str] = {}
        for story_id, *key in rows:
            a, b = find(first.setdefault(tuple(key), story_id)), find(story_id)
            if a != b:
                parent[max(a, b)] = min(a, b)
        return candidates, [find(s) for s in candidates]

    def rows(self) -> list[dict[str, Any]]:
        """The flow rows as FlowRow dicts, in report order.

        A story may add two of its figures to one row (a value and the quantity of its
        only item), so figures are summed per story first: a row counts each story once.
        ``stories.events`` is the number of the story's ``story_events`` rows.
        """
        cur = self.store.con.execute(self.with_sql + f""",
            per_story AS (
                SELECT source_code, dest, item_class, status, unit, story_id, any_value(events) AS events,
                       bool_or(confirmed) AS confirmed, fsum(quantity) AS quantity, fsum(quantity_high) AS quantity_high,
                       fsum(usd) AS usd, fsum(usd_high) AS usd_high,
                       any_value(recipients) FILTER (WHERE dest = '{PACKAGE}') AS recipients
                FROM kept GROUP BY source_code, dest, item_class, status, unit, story_id)
            SELECT source_code, dest, item_class, status, unit, fsum(quantity), fsum(usd),
                   sum(events)::BIGINT, count(*), fsum(quantity_high), fsum(usd_high),
                   CASE WHEN dest = '{PACKAGE}' THEN list_sort(list_distinct(flatten(
                       list(recipients) FILTER (WHERE dest = '{PACKAGE}')))) ELSE [dest] END,
                   count(*) FILTER (WHERE confirmed)
            FROM per_story GROUP BY source_code, dest, item_class, status, unit
            ORDER BY source_code, dest, item_class, status, coalesce(unit, 'None')""", self.params)
        return [dict(zip(_ROW_COLUMNS, row)) for row in cur.fetchall()]

    def exclusions(self, limit: int | None = None) -> tuple[dict[str, int], list[tuple[str, str, str]]]:
        """Excluded events per reason (without the story named in it), and the first
        ``limit`` exclusions (all if None) as (event_id, reason, story_id), by reason then event.

        A story with one report has no duplicate report; with several, the reports its
        displayed figures come from are counted (or, for a range, its first report), the
        others are duplicates.
        """
        target = " WHERE target_code = ?" if self.target else ""
        limit_sql = f" LIMIT {int(limit)}" if limit is not None else ""
        rows = self.store.con.execute(self.with_sql + f""",
            reported AS (
                SELECT DISTINCT k.story_id, k.target_code, se.event_id
                FROM kept k JOIN story_events se ON se.story_id = k.story_id WHERE k.events > 1),
            picked AS (
                SELECT story_id, list(DISTINCT event_id) AS ids FROM story_display
                WHERE coalesce(event_id, '') <> '' AND story_id IN (SELECT story_id FROM reported)
                GROUP BY story_id),
            firsts AS (SELECT story_id, min(event_id) AS first_report FROM reported GROUP BY story_id),
            excluded AS (
                SELECT se.event_id, c.reason, c.reason AS kind, c.id AS story_id, c.target_code
                FROM chosen c JOIN story_events se ON se.story_id = c.id WHERE c.reason IS NOT NULL
                UNION ALL
                SELECT se.event_id, 'package counted once (story ' || c.rep || ')', 'package counted once',
                       c.id, c.target_code
                FROM counted c JOIN story_events se ON se.story_id = c.id WHERE c.rep <> c.id
                UNION ALL
                SELECT r.event_id, 'duplicate report of story ' || r.story_id, 'duplicate report', r.story_id,
                       r.target_code
                FROM reported r LEFT JOIN picked p USING (story_id) JOIN firsts f USING (story_id)
                WHERE CASE WHEN p.ids IS NULL THEN r.event_id <> f.first_report
                           ELSE NOT list_contains(p.ids, r.event_id) END),
            listed AS (SELECT * FROM excluded{target})
            SELECT kind, count(*), NULL, NULL, NULL FROM listed GROUP BY kind
            UNION ALL
            (SELECT NULL, NULL, event_id, reason, story_id FROM listed ORDER BY reason, event_id{limit_sql})""",
            [*self.params, *([self.target] if self.target else [])]).fetchall()
        counts = {kind: n for kind, n, *_ in rows if kind is not None}
        return dict(sorted(counts.items())), [tuple(r[2:]) for r in rows if r[0] is None]

def flows(store: Store, *, source: str | None = None, target: str | None = None,
          item_class: str | None = None, status: str | None = None, since: str | None = None,
          until: str | None = None) -> FlowReport:
    """Donor -> recipient totals over the story tables (build them first, see stories.py)."""
    q = _FlowSQL(store, source=source, target=target, item_class=item_class, status=status, since=since,
                 until=until)
    rows = [FlowRow(**{**r, "recipients": tuple(r["recipients"])}) for r in q.rows()]
    return FlowReport(rows=rows, excluded=[Exclusion(*e) for e in q.exclusions()[1]])


def flow_totals(store: Store, *, excluded_limit: int, source: str | None = None, target: str | None = None,
                item_class: str | None = None, status: str | None = None, since: str | None = None,
                until: str | None = None) -> FlowTotals:
    """What :func:`flows` reports, with only the first ``excluded_limit`` exclusions read."""
    q = _FlowSQL(store, source=source, target=target, item_class=item_class, status=status, since=since,
                 until=until)
    counts, first = q.exclusions(excluded_limit)
    head = [dict(event_id=e, reason=r, story_id=s) for e, r, s in first]
    return FlowTotals(rows=q.rows(), excluded_total=sum(counts.values()), excluded_by_reason=counts,
                      excluded=head)


__all__ = ["flows", "flow_totals", "FlowReport", "FlowRow", "FlowTotals", "Exclusion", "PACKAGE"]
