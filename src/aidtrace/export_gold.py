"""Reviewed articles as gold: the corpus layout that ``aidtrace train --gold`` and
``../shared/tools/check_gold.py`` read (``../shared/corpus/README.md``).

An article is gold only when a person has reviewed every event the machine extracted
from it (accepted, edited or rejected; events a person added count too): training reads
what a gold article leaves out as "no event here", so a half-reviewed article would teach
the model that its unreviewed events are wrong. Half-reviewed articles are counted and
left out.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import ConfigError
from .store import Store

NEEDS_TARGET = {"AID", "CONSULT", "SUPPORT", "ACCUSE"}  # check_gold: a null target needs a count


@dataclass(frozen=True)
class GoldExport:
    articles: int
    events: int
    partial: dict[str, int]  # article id -> events still unreviewed


def reviewed_articles(store: Store) -> tuple[list[str], dict[str, int]]:
    """Articles every machine event of which has a review, and the partly reviewed ones
    with the number of events they still have unreviewed."""
    rows = store.con.execute("""
        SELECT r.article_id, count(e.id) FILTER (WHERE e.id NOT IN (SELECT event_id FROM reviews)) AS open
        FROM (SELECT DISTINCT article_id FROM reviews) r LEFT JOIN events e ON e.article_id = r.article_id
        GROUP BY r.article_id ORDER BY r.article_id""").fetchall()
    return [a for a, n in rows if n == 0], {a: int(n) for a, n in rows if n}


def gold_event(ev: dict[str, Any]) -> dict[str, Any]:
    """One corrected event in the gold format (design.md §2 fields, evidence a quote)."""
    value = None
    if ev["value_amount"] is not None:
        value = {"amount": ev["value_amount"], "currency": ev["value_currency"], "usd": ev["value_usd"]}
    out = {"id": ev["id"], "type": ev["type"], "mode": ev["mode"], "source": ev["source_code"],
           "target": ev["target_code"], "target_count": ev["target_count"],
           "target_count_qualifier": ev["target_count_qualifier"],
           "items": [{k: it[k] for k in ("item", "item_class", "quantity", "unit") if it.get(k) is not None}
                     for it in ev["items"]],
           "value": value, "transfer_mode": ev["transfer_mode"], "status": ev["status"],
           "granularity": ev["granularity"], "date": ev["date"], "date_precision": ev["date_precision"],
           "attributed_to": ev["attributed_to"], "cameo": ev["cameo"],
           "evidence": ev["sentence"] or ev["trigger"]}
    if ev["type"] not in {"AID", "TRADE"}:
        for key in ("items", "value", "transfer_mode", "status", "granularity"):
            out.pop(key)
    if out["target"] is None and out["type"] in NEEDS_TARGET and out["target_count"] is None:
        out["optional"] = True  # vague recipients: the corpus rules make such events optional
    return out


def _header(article: dict[str, Any]) -> str:
    published = article["published"].isoformat() if article["published"] else "unknown"
    lines = [f"{key}: {' '.join(str(value or '').split())}" for key, value in (
        ("url", article["url"]), ("title", article["title"]), ("published", published),
        ("licence", article["licence"]), ("outlet", article["outlet"]))]
    return "\n".join(lines) + "\n\n"


def export_gold(store: Store, out: str | Path) -> GoldExport:
    """Write ``out/gold.jsonl``, ``out/articles.jsonl`` and ``out/articles/<id>.txt``."""
    folder = Path(out)
    if folder.exists() and not folder.is_dir():
        raise ConfigError(f"--out {folder} is a file: gold is written to a folder")
    ids, partial = reviewed_articles(store)
    (folder / "articles").mkdir(parents=True, exist_ok=True)
    events = 0
    with (folder / "gold.jsonl").open("w", encoding="utf-8") as gold, \
            (folder / "articles.jsonl").open("w", encoding="utf-8") as texts:
        for article_id in ids:
            if "/" in article_id or article_id.startswith("."):
                raise ConfigError(f"article id {article_id!r} cannot be a file name")
            article = store.article(article_id)
            rows = [gold_event(ev) for ev in store.events(article=article_id)]
            events += len(rows)
            published = article["published"].isoformat() if article["published"] else None
            gold.write(json.dumps({"article": article_id, "published": published, "events": rows},
                                  ensure_ascii=False) + "\n")
            texts.write(json.dumps({"id": article_id, "url": article["url"], "title": article["title"],
                                    "published": published, "outlet": article["outlet"],
                                    "licence": article["licence"], "text": article["text"]},
                                   ensure_ascii=False) + "\n")
            (folder / "articles" / f"{article_id}.txt").write_text(_header(article) + article["text"],
                                                                   encoding="utf-8")
    return GoldExport(articles=len(ids), events=events, partial=partial)
