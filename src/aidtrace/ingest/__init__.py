"""Ingestion: every source a user has, read into Articles, with a ledger row per item.

    iter_inputs(sources, settings)  -> Article | LedgerEntry, one per input item, streamed
    ingest(sources, store=..., pipeline=..., settings=...) -> IngestSummary

Readers (one module each): text (plain and header-style .txt), html (trafilatura),
fetch (URLs, httpx), feed (RSS/Atom, feedparser), warc (warcio), tables (JSONL, CSV);
sources picks the reader; dedup finds copies; run writes atomic batches.
"""
from .dedup import STORE_ONLY
from .ids import article_id, normalise_url
from .run import IngestSummary, ingest
from .sources import FORMATS, iter_inputs

__all__ = ["FORMATS", "STORE_ONLY", "IngestSummary", "article_id", "ingest", "iter_inputs",
           "normalise_url"]
