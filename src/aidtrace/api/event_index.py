"""An events page found in memory, for a store that nothing writes.

An events page asks DuckDB for a top-N over every matching row: at a million events that
is ~10 ms of scanning and comparing strings (type, actor codes, dates) and sorting on the
sort key and the id, the larger part of what the page costs. A read-only server knows the
rows cannot change, so it keeps the filter columns of every event as integer codes
(pyarrow arrays, a few MB at a million events) and, per sort column and direction, the
events in page order, computed once by DuckDB with the page's own ORDER BY. A page is then
the matching events of that order, sliced: the same ids in the same order as the query,
found with a few vectorised comparisons (~2 ms at a million).

Only the filters below are kept; a text search (``q``) or an ``article`` filter goes to
DuckDB as before. Like the rowid keys of ``queries.RowKeys`` this reads the machine's rows,
so it serves only where they are what is asked for (``as_extracted``, or nothing reviewed).
"""
from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass

import pyarrow as pa
import pyarrow.compute as pc

from ..store import Store
from .models import EventFilter
from .queries import DIRECTIONS, SORT_COLUMNS

CODED = ("type", "source_code", "target_code", "status")  # filtered on equality


@dataclass(frozen=True)
class EventIndex:
    """Every event's rowid and filter columns, positions aligned (the order DuckDB read them)."""

    rowids: pa.Array
    ids: pa.Array
    article_ids: pa.Array
    codes: dict[str, tuple[pa.Array, dict[str, int]]]  # column -> (code per event, -1 null; code of each value)
    dates: list[str]  # the distinct dates, sorted as DuckDB compares them (bytewise)
    date_ranks: pa.Array  # each event's date as its place in ``dates``, -1 when it has none

    @classmethod
    def load(cls, store: Store) -> "EventIndex":
        table = store.con.sql(f"SELECT rowid AS rid, id, article_id, {', '.join(CODED)}, date"
                              " FROM events").to_arrow_table()
        codes = {}
        for column in CODED:
            encoded = table[column].combine_chunks().dictionary_encode()
            values = encoded.dictionary.to_pylist()
            codes[column] = (pc.fill_null(encoded.indices, -1), {v: i for i, v in enumerate(values)})
        encoded = table["date"].combine_chunks().dictionary_encode()
        values = encoded.dictionary.to_pylist()
        dates = sorted(values, key=lambda d: d.encode())
        place = {d: i for i, d in enumerate(dates)}
        ranks = pc.take(pa.array([place[v] for v in values], pa.int32()), encoded.indices)
        return cls(rowids=table["rid"].combine_chunks(), ids=table["id"].combine_chunks(),
                   article_ids=table["article_id"].combine_chunks(), codes=codes, dates=dates,
                   date_ranks=pc.fill_null(ranks, -1))

    def order(self, store: Store, sort: str, order: str) -> "Order":
        """The events in page order for this sort, by the query's own ORDER BY; with
        ``sort=published`` only events whose article is stored, as the query's join keeps."""
        join = " JOIN articles a ON a.id = e.article_id" if sort == "published" else ""
        rids = store.con.sql(f"SELECT e.rowid AS rid FROM events e{join}"
                             f" ORDER BY {SORT_COLUMNS[sort]} {DIRECTIONS[order]} NULLS LAST, e.id ASC"
                             ).to_arrow_table()["rid"].combine_chunks()
        positions = pc.index_in(rids, value_set=self.rowids)
        # each event's place in the order (the inverse permutation), null where the join drops it
        places = pc.index_in(pa.array(range(len(self.rowids)), pa.int32()), value_set=positions)
        return Order(positions, places)

    def items(self, store: Store, item_class: str) -> pa.Array:
        """Per position: whether the event has an item of this class."""
        ids = store.con.sql("SELECT DISTINCT event_id FROM event_items WHERE item_class = ?",
                            params=[item_class]).to_arrow_table()["event_id"]
        return pc.is_in(self.ids, value_set=ids.combine_chunks())

    def page(self, f: EventFilter, order: "Order", items: pa.Array | None, *, limit: int,
             offset: int) -> tuple[int, list[str], list[str]]:
        """(matching events, the page's event ids, their article ids) of filter ``f`` in
        ``order``; ``items`` is the item mask of ``f.item_class`` when it is set."""
        masks = [] if items is None else [items]
        for column, value in (("type", f.type), ("source_code", f.source and f.source.upper()),
                              ("target_code", f.target and f.target.upper()), ("status", f.status)):
            if value is not None:
                codes, known = self.codes[column]
                if value not in known:
                    return 0, [], []
                masks.append(pc.equal(codes, known[value]))
        if f.since:
            masks.append(pc.greater_equal(self.date_ranks, bisect_left(self.dates, f.since)))
        if f.until:  # "2020-03" <= "2020-03~" keeps every day of March, as the query's bound
            masks.append(pc.less(self.date_ranks, bisect_right(self.dates, f.until + "~")))
            masks.append(pc.greater_equal(self.date_ranks, 0))
        if not masks:
            total = len(order.positions)
            page = order.positions[offset:offset + limit]
        else:
            matching = masks[0]
            for mask in masks[1:]:
                matching = pc.and_(matching, mask)
            places = pc.drop_null(pc.take(order.places, pc.indices_nonzero(matching)))
            total = len(places)
            first = pc.take(places, pc.select_k_unstable(places, k=min(total, offset + limit),
                                                         sort_keys=[("place", "ascending")])) if total else places
            page = pc.take(order.positions, pc.take(first, pc.sort_indices(first))[offset:offset + limit])
        return total, pc.take(self.ids, page).to_pylist(), pc.take(self.article_ids, page).to_pylist()


@dataclass(frozen=True)
class Order:
    """The events of one sort column and direction in page order: ``positions`` lists them
    (positions in the index), ``places`` gives each event's place in that list (or null)."""

    positions: pa.Array
    places: pa.Array
