"""Benchmark 4 — store: load 1,000,000 events into DuckDB; time and size on disk.

    python benchmarks/bench_store.py --events 1000000     # a few minutes
    python benchmarks/bench_store.py --events 5000        # smoke size

Synthetic Documents (5 events with one item each and 8 actor mentions per article,
articles of 5 template sentences) go the way the parallel runner sends them: a worker's
``write_shard`` (Parquet, 200 articles a shard), then the writer's ``Writer.load`` (one
transaction per shard: articles, events, items, mentions, ledger, shard record). Printed:
shard-writing time (worker side), load time and events/s (writer side), the database
size on disk after a checkpoint, and, for comparison, the single-process path
(``Store.write_document``, row-at-a-time inserts) on a sample, extrapolated.
"""
from __future__ import annotations

import argparse
import os
import random
from collections.abc import Iterator
from concurrent.futures import Future
from datetime import date, timedelta
from pathlib import Path

from common import mb, print_machine, result, timed, workdir
from gen_corpus import Templates

from aidtrace.ingest.dedup import DedupIndex, Known
from aidtrace.ingest.fingerprint import fingerprint, layout_for
from aidtrace.ingest.run import Action
from aidtrace.models import (Actor, Article, Claim, Document, Event, Evidence, Item, LedgerEntry,
                             Mention, Value)
from aidtrace.runner import Shard, Writer
from aidtrace.shards import ShardManifest, shard_id, write_shard
from aidtrace.store import Store

EVENTS_PER_ARTICLE = 5
LAYOUT = layout_for(0.85)
ARTICLES_PER_SHARD = 200
CODES = ["CHN", "USA", "JPN", "DEU", "EU", "WHO", "RUS", "TUR", "GBR", "IND", "ITA", "SRB", "IRN",
         "PAK", "NPL", "HTI", "ETH", "KEN", "PER", "PHL", "BGD", "MOZ", "LBN", "UKR", "SOM", "YEM"]
TYPES = ["AID"] * 5 + ["CONSULT", "SUPPORT", "AGREE", "REQUEST", "TRADE", "ACCUSE"]
CLASSES = [("masks", "pieces"), ("ventilators", "pieces"), ("vaccines", "doses"), ("food", "tons"),
           ("money", None), ("medical_supplies", "tons"), ("shelter", "sets")]


class Synth:
    """Reproducible synthetic documents with realistic column values."""

    def __init__(self, seed: int = 4) -> None:
        self.r = random.Random(seed)
        templates = Templates(self.r)
        self.sentences = [templates.sentence() for _ in range(5000)]

    def document(self, i: int) -> Document:
        r = self.r
        sents = r.sample(self.sentences, 5)
        text = " ".join(sents)
        aid = f"synth-{i:09d}"
        published = date(2019, 1, 1) + timedelta(days=r.randint(0, 1800))
        article = Article(id=aid, text=text, url=f"https://synth.example/{i}", title=sents[0][:60],
                          published=published, outlet=r.choice(["Wire", "Herald", "Courier"]),
                          source=f"synth.jsonl:{i + 1}")
        events, start = [], 0
        for k, sent in enumerate(sents[:EVENTS_PER_ARTICLE]):
            src, dst = r.sample(CODES, 2)
            typ = r.choice(TYPES)
            cls, unit = r.choice(CLASSES)
            amount = float(r.randint(1, 900)) * 1e6
            events.append(Event(
                id=f"{aid}-{k}", article=aid, type=typ, mode="goods" if typ == "AID" else None,
                cameo="073" if typ == "AID" else "040",
                source=Actor(src, "GOV", src.title(), "subject"), target=Actor(dst, "GOV", dst.title(), "to"),
                evidence=Evidence(aid, k, start, start + len(sent), sent, "sent", start, start + 4),
                items=(Item(cls, cls, float(r.randint(1, 10**6)), unit, None),) if typ == "AID" else (),
                value=Value(amount, "USD", amount, None) if cls == "money" else None,
                status=r.choice(["delivered", "pledged", "shipped", "unknown"]),
                date=(published - timedelta(days=r.randint(0, 9))).isoformat(), date_precision="day",
                date_text="on Tuesday", claim=Claim(Actor(src, "GOV"), "said", "asserted"),
                confidence=round(r.random(), 2), extractor="aidtrace-rules/0.1"))
            start += len(sent) + 1
        mentions = tuple(Mention(k // 2, k * 10, k * 10 + 5, "China", r.choice(CODES), "state", "GOV")
                         for k in range(8))
        return Document(article=article, mentions=mentions, events=tuple(events))


class Done:
    """A finished worker result (the shard is already on disk)."""

    def __init__(self, manifest: ShardManifest) -> None:
        self.future: Future[ShardManifest] = Future()
        self.future.set_result(manifest)

    def done(self) -> bool:
        return True

    def result(self) -> ShardManifest:
        return self.future.result()


def shards(synth: Synth, articles: int, root: Path) -> Iterator[tuple[Shard, float]]:
    """(shard ready to load, seconds its worker-side write took), one shard at a time."""
    for first in range(0, articles, ARTICLES_PER_SHARD):
        docs = [synth.document(i) for i in range(first, min(first + ARTICLES_PER_SHARD, articles))]
        arts = [d.article for d in docs]
        sid = shard_id(arts, "synthetic", "bench")
        with timed() as w:
            manifest = write_shard(root, sid, "synthetic", ((d.article, d) for d in docs))
            fps = [fingerprint(a, LAYOUT) for a in arts]  # also the workers' part (prepare)
        entries = [LedgerEntry(origin=a.source or a.id, status="stored", article_id=a.id) for a in arts]
        actions = [Action(k, fp, None, False, Known(fp.digest, fp.article.url, None, True))
                   for k, fp in enumerate(fps)]
        yield Shard(sid, entries, actions, Done(manifest)), w.wall


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--events", type=int, default=1_000_000)
    ap.add_argument("--sample", type=int, default=2000, help="documents for the row-at-a-time comparison")
    args = ap.parse_args()
    m = print_machine()
    work = workdir()
    articles = max(1, args.events // EVENTS_PER_ARTICLE)
    synth = Synth()
    db, root = work / "store.duckdb", work / "store.duckdb.shards"
    write_s = load_s = 0.0
    parquet_bytes = 0
    with Store(db) as store:
        run_id = store.start_run("bench store", "synthetic", "bench")
        writer = Writer(store, run_id, DedupIndex(store, 0.85), root)
        for shard, seconds in shards(synth, articles, root):
            write_s += seconds
            parquet_bytes += sum(f.stat().st_size for f in (root / str(shard.id)).iterdir())
            with timed() as t:
                writer.load(shard)
            load_s += t.wall
        store.con.execute("CHECKPOINT")
        counts = store.counts()
    size = os.path.getsize(db) + (os.path.getsize(f"{db}.wal") if os.path.exists(f"{db}.wal") else 0)
    events = counts["events"]
    print(f"loaded {events:,} events, {counts['event_items']:,} items, {counts['mentions']:,} mentions, "
          f"{counts['articles']:,} articles in {articles // ARTICLES_PER_SHARD or 1:,} shards")
    print(f"  worker side: write_shard {write_s:.1f} s ({events / write_s:,.0f} events/s), "
          f"Parquet {mb(parquet_bytes):,} MB")
    print(f"  writer side: load {load_s:.1f} s ({events / load_s:,.0f} events/s); "
          f"database on disk {mb(size):,} MB ({size / events:,.0f} bytes/event incl. article text)")

    sample = min(args.sample, articles)
    with Store(work / "rows.duckdb") as store, timed() as rows:
        with store.transaction():
            for i in range(sample):
                store.write_document(synth.document(articles + i), run_id="rows")
    row_rate = sample * EVENTS_PER_ARTICLE / rows.wall
    print(f"  single-process path (write_document, {sample:,} documents): {row_rate:,.0f} events/s "
          f"-> {events / row_rate:,.0f} s for {events:,} events; Parquet load is "
          f"{(events / load_s) / row_rate:.0f}x faster")
    result("store", {"machine": m, "events": events, "items": counts["event_items"],
                     "mentions": counts["mentions"], "articles": counts["articles"],
                     "write_shards_s": round(write_s, 1), "load_s": round(load_s, 1),
                     "load_events_per_s": round(events / load_s), "db_mb": mb(size),
                     "parquet_mb": mb(parquet_bytes), "write_document_events_per_s": round(row_rate)})


if __name__ == "__main__":
    main()
