"""The DuckDB schema and its forward migrations.

Each migration is applied once, in order, and recorded in ``schema_version``; a database
written by an older aidtrace is upgraded on open, never rebuilt.
"""
from __future__ import annotations

# The events and event_items columns as migration 1 made them, spelled out so that migration 4's
# views keep meaning what they meant when it was written.
_EVENT_COLUMNS_V1 = """id, article_id, type, mode, cameo, source_code, source_sector, source_text, source_via,
    target_code, target_sector, target_text, target_via, target_count, target_count_qualifier, target_group,
    value_amount, value_currency, value_usd, value_qualifier, status, transfer_mode, granularity,
    date, date_precision, date_text, attributed_to, claim_cue, factuality, sentence_index, sentence_start,
    sentence_end, sentence, trigger, trigger_start, trigger_end, confidence, extractor, run_id"""
_ITEM_COLUMNS_V1 = "event_id, idx, item, item_class, quantity, unit, qualifier"

MIGRATIONS: list[str] = [
    # 1: the foundation
    """
    CREATE TABLE articles (
        id VARCHAR PRIMARY KEY,
        url VARCHAR, title VARCHAR, published DATE, outlet VARCHAR, lang VARCHAR,
        licence VARCHAR, source VARCHAR, text VARCHAR NOT NULL,
        content_hash VARCHAR NOT NULL,
        duplicate_of VARCHAR,          -- set for near/exact copies: not extracted again
        ingested_at TIMESTAMP NOT NULL DEFAULT current_timestamp,
        run_id VARCHAR
    );
    CREATE TABLE ledger (
        origin VARCHAR NOT NULL,        -- path, URL, file.jsonl:12, crawl.warc.gz@1234
        status VARCHAR NOT NULL,        -- stored, duplicate, skipped, rejected
        reason VARCHAR,
        article_id VARCHAR,
        duplicate_of VARCHAR,
        run_id VARCHAR,
        logged_at TIMESTAMP NOT NULL DEFAULT current_timestamp
    );
    CREATE TABLE mentions (
        article_id VARCHAR NOT NULL, sentence INTEGER, start_char INTEGER, end_char INTEGER,
        text VARCHAR, code VARCHAR, kind VARCHAR, sector VARCHAR, antecedent INTEGER
    );
    CREATE TABLE events (
        id VARCHAR PRIMARY KEY,
        article_id VARCHAR NOT NULL,
        type VARCHAR NOT NULL, mode VARCHAR, cameo VARCHAR,
        source_code VARCHAR, source_sector VARCHAR, source_text VARCHAR, source_via VARCHAR,
        target_code VARCHAR, target_sector VARCHAR, target_text VARCHAR, target_via VARCHAR,
        target_count INTEGER, target_count_qualifier VARCHAR, target_group VARCHAR,
        value_amount DOUBLE, value_currency VARCHAR, value_usd DOUBLE, value_qualifier VARCHAR,
        status VARCHAR, transfer_mode VARCHAR, granularity VARCHAR,
        date VARCHAR, date_precision VARCHAR, date_text VARCHAR,
        attributed_to VARCHAR, claim_cue VARCHAR, factuality VARCHAR,
        sentence_index INTEGER, sentence_start INTEGER, sentence_end INTEGER, sentence VARCHAR,
        trigger VARCHAR, trigger_start INTEGER, trigger_end INTEGER,
        confidence DOUBLE, extractor VARCHAR, run_id VARCHAR
    );
    CREATE TABLE event_items (
        event_id VARCHAR NOT NULL, idx INTEGER NOT NULL,
        item VARCHAR, item_class VARCHAR, quantity DOUBLE, unit VARCHAR, qualifier VARCHAR
    );
    CREATE TABLE runs (
        id VARCHAR PRIMARY KEY, command VARCHAR, started TIMESTAMP, finished TIMESTAMP,
        pipeline_version VARCHAR, config_hash VARCHAR,
        stored INTEGER DEFAULT 0, duplicates INTEGER DEFAULT 0,
        skipped INTEGER DEFAULT 0, rejected INTEGER DEFAULT 0
    );
    CREATE INDEX events_article ON events(article_id);
    CREATE INDEX items_event ON event_items(event_id);
    CREATE INDEX mentions_article ON mentions(article_id);
    """,
    # 2: stories (issue 7) — derived from events by aidtrace.stories.build_stories, rebuilt whole
    """
    CREATE TABLE stories (
        id VARCHAR PRIMARY KEY,
        story_line VARCHAR NOT NULL,    -- shared by a pledge and its later deliveries
        type VARCHAR NOT NULL, mode VARCHAR, source_code VARCHAR, target_code VARCHAR,
        target_count INTEGER, target_group VARCHAR,
        status VARCHAR, stage VARCHAR, granularity VARCHAR, factuality VARCHAR,
        item_classes VARCHAR[],
        date VARCHAR, date_precision VARCHAR, first_date VARCHAR, last_date VARCHAR,
        first_report DATE, last_report DATE,
        events INTEGER, reports INTEGER, sources INTEGER, outlets INTEGER, copies INTEGER,
        conflicting BOOLEAN NOT NULL, display_text VARCHAR
    );
    CREATE TABLE story_events (
        story_id VARCHAR NOT NULL, event_id VARCHAR NOT NULL, article_id VARCHAR NOT NULL,
        root_article VARCHAR NOT NULL   -- the independent source this article counts as
    );
    CREATE TABLE story_figures (
        story_id VARCHAR NOT NULL, event_id VARCHAR NOT NULL, article_id VARCHAR NOT NULL,
        outlet VARCHAR, published DATE, claimant VARCHAR, claimant_kind VARCHAR,
        measure VARCHAR NOT NULL,       -- "quantity" or "value"
        item_class VARCHAR, quantity DOUBLE, unit VARCHAR,
        value_amount DOUBLE, value_currency VARCHAR, value_usd DOUBLE,
        date VARCHAR, date_precision VARCHAR, status VARCHAR
    );
    CREATE TABLE story_display (
        story_id VARCHAR NOT NULL, measure VARCHAR NOT NULL, item_class VARCHAR, unit VARCHAR,
        currency VARCHAR, low DOUBLE, high DOUBLE, usd_low DOUBLE, usd_high DOUBLE,
        rule VARCHAR NOT NULL,          -- recipient-official, donor-official, media, range
        event_id VARCHAR, conflicting BOOLEAN NOT NULL
    );
    CREATE TABLE story_meta (           -- what the story tables were built from
        fingerprint VARCHAR NOT NULL, window_days INTEGER NOT NULL, built_at TIMESTAMP NOT NULL
    );
    CREATE INDEX story_events_story ON story_events(story_id);
    CREATE INDEX story_events_event ON story_events(event_id);
    CREATE INDEX story_figures_story ON story_figures(story_id);
    """,
    # 3: parallel ingest (issue 6) — Parquet shards the writer has loaded, so none loads twice
    """
    CREATE TABLE shards (
        id VARCHAR PRIMARY KEY,         -- hash of the shard's articles, pipeline and settings
        run_id VARCHAR NOT NULL,
        articles INTEGER NOT NULL, events INTEGER NOT NULL, failed INTEGER NOT NULL,
        worker VARCHAR,                 -- host:pid that extracted it
        loaded_at TIMESTAMP NOT NULL DEFAULT current_timestamp
    );
    """,
    # 4: persisted dedup state (issue 13) — the keys every article is found under
    # (aidtrace.ingest.fingerprint), so an ingest looks duplicates up instead of rebuilding
    # an index of every stored text. Articles stored before this migration, or written
    # without keys, wait in dedup_pending until the next ingest computes their keys.
    """
    CREATE TABLE dedup_keys (
        key BIGINT NOT NULL,            -- id, content hash, normalised URL or LSH band
        article_id VARCHAR NOT NULL
    );
    CREATE INDEX dedup_keys_key ON dedup_keys(key);
    CREATE TABLE dedup_pending (article_id VARCHAR PRIMARY KEY);
    CREATE TABLE dedup_layout (        -- the LSH bands the keys were cut with (one row)
        bands INTEGER NOT NULL, band_rows INTEGER NOT NULL
    );
    INSERT INTO dedup_pending SELECT id FROM articles;
    """,
    # 5: reviews (issue 14) — a person's accept/reject/edit/add, kept beside the machine's events
    f"""
    CREATE TABLE reviews (              -- a log: only event_id and attached move (re-attachment)
        id VARCHAR PRIMARY KEY,
        seq BIGINT NOT NULL,            -- writing order: the latest review of an event wins
        event_id VARCHAR NOT NULL,      -- the event it concerns now
        reviewed_event_id VARCHAR NOT NULL,  -- the event it was written for
        article_id VARCHAR NOT NULL,
        action VARCHAR NOT NULL,        -- accept, reject, edit, add
        reviewer VARCHAR NOT NULL,
        reviewed_at TIMESTAMP NOT NULL, -- UTC
        extracted JSON,                 -- the event as the machine extracted it (null for add)
        corrected JSON,                 -- the event as the person left it (null for reject)
        sentence_start INTEGER, sentence_end INTEGER, trigger_start INTEGER, trigger_end INTEGER,
        extracted_type VARCHAR, extracted_source VARCHAR, extracted_target VARCHAR,
        attached BOOLEAN NOT NULL,      -- false: re-extraction found no event at its evidence
        note VARCHAR
    );
    CREATE INDEX reviews_article ON reviews(article_id);
    -- derived from reviews by aidtrace.store.reviews, rebuilt per article: the latest review of
    -- each event as a full event row (same columns as events, then the review's)
    CREATE TABLE review_state AS SELECT * FROM events LIMIT 0;
    ALTER TABLE review_state ADD COLUMN review_id VARCHAR;
    ALTER TABLE review_state ADD COLUMN action VARCHAR;
    ALTER TABLE review_state ADD COLUMN reviewer VARCHAR;
    ALTER TABLE review_state ADD COLUMN reviewed_at TIMESTAMP;
    ALTER TABLE review_state ADD COLUMN hidden BOOLEAN;
    ALTER TABLE review_state ADD COLUMN attached BOOLEAN;
    CREATE TABLE review_state_items AS SELECT * FROM event_items LIMIT 0;
    -- what every read shows unless asked for the machine's view
    CREATE VIEW corrected_events AS
        SELECT {_EVENT_COLUMNS_V1} FROM events WHERE id NOT IN (SELECT id FROM review_state)
        UNION ALL SELECT {_EVENT_COLUMNS_V1} FROM review_state WHERE NOT hidden;
    CREATE VIEW corrected_event_items AS
        SELECT {_ITEM_COLUMNS_V1} FROM event_items WHERE event_id NOT IN (SELECT id FROM review_state)
        UNION ALL SELECT {_ITEM_COLUMNS_V1} FROM review_state_items;
    -- how many of a story's events a person confirmed (accepted, edited or added)
    ALTER TABLE stories ADD COLUMN confirmed INTEGER DEFAULT 0;
    """,
]

SCHEMA_VERSION = len(MIGRATIONS)
