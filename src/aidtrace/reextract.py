"""Re-extraction: run the pipeline again over stored articles (after a model update).

Each article's events are replaced by what the pipeline finds now, in batches of one
transaction each; the store re-attaches every review to the new event at the same
evidence (``aidtrace.store.reviews.reattach``), and the ones it cannot place are
returned so that a person can see them. Copies of other articles are not extracted and
stay as they are.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from .ingest.run import PipelineLike
from .models import Article, Document
from .store import Store
from .store.reviews import unattached

BATCH = 50


@dataclass(frozen=True)
class Reextracted:
    articles: int
    events_before: int
    events_after: int
    reviews: int  # the machine's events of these articles that have reviews, attached or not
    unattached: list[dict[str, Any]] = field(default_factory=list)


def _article(row: dict[str, Any]) -> Article:
    return Article(id=row["id"], text=row["text"], url=row["url"], title=row["title"], published=row["published"],
                   outlet=row["outlet"], lang=row["lang"], licence=row["licence"], source=row["source"])


def reextract(store: Store, pipeline: PipelineLike, *, articles: Sequence[str] | None = None,
              run_id: str | None = None) -> Reextracted:
    """Replace the events of the stored originals (all, or ``articles``) with the pipeline's."""
    where, params = "duplicate_of IS NULL", []
    if articles:
        where += " AND id IN (SELECT unnest(?))"
        params.append(list(articles))
    ids = [r[0] for r in store.con.execute(f"SELECT id FROM articles WHERE {where} ORDER BY id", params).fetchall()]
    before = int(store.con.execute("SELECT count(*) FROM events WHERE article_id IN (SELECT unnest(?))",
                                   [ids]).fetchone()[0])
    for start in range(0, len(ids), BATCH):
        chunk = ids[start:start + BATCH]
        rows = store.query("SELECT * FROM articles WHERE id IN (SELECT unnest(?)) ORDER BY id", [chunk])
        docs: list[Document] = list(pipeline.pipe([_article(r) for r in rows]))
        with store.transaction():
            # the articles' own rows (run, ingest time) are kept: only their extraction changes
            keep = store.query("SELECT id, run_id, ingested_at FROM articles WHERE id IN (SELECT unnest(?))", [chunk])
            store.write_documents(docs, run_id=run_id)
            for r in keep:
                store.con.execute("UPDATE articles SET run_id = ?, ingested_at = ? WHERE id = ?",
                                  [r["run_id"], r["ingested_at"], r["id"]])
    after = int(store.con.execute("SELECT count(*) FROM events WHERE article_id IN (SELECT unnest(?))",
                                  [ids]).fetchone()[0])
    lost = [r for r in unattached(store) if r["article_id"] in set(ids)]
    reviews = int(store.con.execute(  # events a person added are not the machine's: nothing to re-attach
        "SELECT count(DISTINCT event_id) FROM reviews WHERE article_id IN (SELECT unnest(?))"
        " AND event_id NOT IN (SELECT event_id FROM reviews WHERE action = 'add')", [ids]).fetchone()[0])
    return Reextracted(articles=len(ids), events_before=before, events_after=after, reviews=reviews, unattached=lost)
