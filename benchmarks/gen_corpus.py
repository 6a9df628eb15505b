"""Synthetic corpora for the benchmarks: aid-news templates, plus the dev texts re-cut.

    python benchmarks/gen_corpus.py --articles 20000 --kind small --out small.jsonl
    python benchmarks/gen_corpus.py --articles 2000 --kind news --out news.jsonl

``small``: 2-4 template sentences (30-80 words) per article — donors, recipients,
items, quantities, dates, attributions, calls and appeals, and unrelated filler — for
the memory benchmark, where only the count of articles matters.

``news``: news-length articles: a template lead paragraph and a random selection of the
sentences of one dev-corpus article (read at run time from
``$AIDTRACE_SHARED/corpus/dev/articles.jsonl``, never copied; templates only when it is
absent). Each article keeps a different ~60% of its source's sentences and gets its own
lead, so copies of one dev text stay well below the near-duplicate threshold and are
extracted, as real articles are, rather than skipped as duplicates.

Output is JSONL in ``aidtrace ingest`` input form (id, url, title, published, outlet,
text), written as it is generated: memory does not grow with ``--articles``.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import re
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("AIDTRACE_SHARED", ROOT.parent / "shared"))
DEV_ARTICLES = SHARED / "corpus" / "dev" / "articles.jsonl"

DONORS = ["China", "Japan", "the United States", "Germany", "the European Union", "Turkey", "Russia",
          "the United Kingdom", "India", "South Korea", "Qatar", "Canada", "Australia", "France",
          "Norway", "the United Arab Emirates", "Cuba", "Switzerland", "Saudi Arabia", "Sweden",
          "the World Health Organization", "the World Bank", "Brazil", "Spain", "the Netherlands"]
RECIPIENTS = ["Italy", "Serbia", "Iran", "Pakistan", "Nepal", "Haiti", "Ethiopia", "Kenya", "Peru",
              "the Philippines", "Bangladesh", "Mozambique", "Lebanon", "Jordan", "Ukraine", "Somalia",
              "Yemen", "Sudan", "Myanmar", "Venezuela", "Bolivia", "Malawi", "Zimbabwe", "Laos",
              "Cambodia", "Sri Lanka", "Ecuador", "Iraq", "Afghanistan", "Madagascar", "Nigeria"]
CITIES = ["Rome", "Belgrade", "Tehran", "Islamabad", "Kathmandu", "Port-au-Prince", "Addis Ababa",
          "Nairobi", "Lima", "Manila", "Dhaka", "Maputo", "Beirut", "Amman", "Kyiv", "Mogadishu",
          "Aden", "Khartoum", "Yangon", "Caracas", "La Paz", "Lilongwe", "Harare", "Vientiane"]
ITEMS = [("masks", 1000, 2_000_000), ("ventilators", 10, 600), ("test kits", 1000, 500_000),
         ("doses of vaccine", 10_000, 3_000_000), ("tons of rice", 50, 20_000), ("tents", 100, 9000),
         ("protective suits", 500, 200_000), ("tons of medical supplies", 5, 400),
         ("water purification units", 5, 300), ("medical workers", 5, 120), ("blankets", 1000, 90_000)]
VERBS = ["sent", "delivered", "donated", "shipped", "flew", "handed over"]
PLEDGES = ["pledged", "promised", "will send", "plans to provide", "announced it would deliver"]
CUES = ["the foreign ministry said", "officials said", "according to the embassy",
        "the health minister told reporters", "state media reported", "a government statement said"]
OUTLETS = ["Daily Courier", "Global Wire", "Morning Herald", "Relief Bulletin", "City Times",
           "World Report", "Evening Post", "Asia News Desk", "Africa Monitor", "Europe Today"]
DISASTERS = ["earthquake", "floods", "cyclone", "drought", "landslides", "outbreak", "wildfires"]
ROLES = ["foreign minister", "prime minister", "president", "health minister", "ambassador"]
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December"]
SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"“])")


class Templates:
    """Sentences with random slots; a seeded Random makes every corpus reproducible."""

    def __init__(self, rng: random.Random) -> None:
        self.r = rng

    def when(self) -> str:
        r = self.r
        return r.choice([f"on {r.choice(WEEKDAYS)}", f"on {r.choice(MONTHS)} {r.randint(1, 28)}",
                         "last week", "earlier this month", f"on {r.choice(MONTHS)} {r.randint(1, 28)}, "
                         f"{r.randint(2015, 2023)}", "this week"])

    def qty(self) -> tuple[str, str]:
        item, low, high = self.r.choice(ITEMS)
        return f"{self.r.randint(low, high):,}", item

    def sentence(self) -> str:
        r = self.r
        donor, recipient, city = r.choice(DONORS), r.choice(RECIPIENTS), r.choice(CITIES)
        n, item = self.qty()
        options = [
            f"{donor} {r.choice(VERBS)} {n} {item} to {recipient} {self.when()}, {r.choice(CUES)}.",
            f"A plane carrying {n} {item} from {donor} landed in {city} {self.when()}.",
            f"{donor} {r.choice(PLEDGES)} {n} {item} to {recipient}, {r.choice(CUES)}.",
            f"{donor} announced ${r.randint(1, 900)} million in humanitarian assistance for {recipient} "
            f"{self.when()}.",
            f"The {r.choice(ROLES)} of {recipient} thanked {donor} for its support during a phone call "
            f"{self.when()}.",
            f"The foreign ministers of {donor} and {recipient} met in {city} {self.when()} to discuss "
            f"cooperation on {r.choice(['health', 'trade', 'reconstruction', 'energy', 'food security'])}.",
            f"{recipient} appealed for international help after the {r.choice(DISASTERS)} that struck "
            f"the area around {city} {self.when()}.",
            f"{donor} sold {n} {item} to {recipient}, {r.choice(CUES)}.",
            f"{donor} criticised {r.choice(DONORS)} over its handling of the crisis in {recipient}.",
            f"Markets in {city} reopened {self.when()} after {r.randint(2, 60)} days, and officials "
            f"reported {r.randint(10, 9000):,} new cases.",
            f"Temperatures reached {r.randint(-5, 44)} degrees in {city} on {r.choice(WEEKDAYS)}, "
            f"and {r.randint(2, 400)} flights were cancelled.",
            f"Volunteers registered {r.randint(100, 90000):,} families in {r.randint(2, 80)} districts "
            f"around {city}, a relief worker said.",
        ]
        return r.choice(options)

    def title(self) -> str:
        r = self.r
        n, item = self.qty()
        return r.choice([f"{r.choice(DONORS)} sends {item} to {r.choice(RECIPIENTS)}",
                         f"{r.choice(RECIPIENTS)} receives {n} {item}",
                         f"Aid arrives in {r.choice(CITIES)}",
                         f"{r.choice(RECIPIENTS)} appeals for help after {r.choice(DISASTERS)}"])


def dev_sentences(path: Path) -> list[list[str]]:
    """The dev articles as sentence lists (read at run time; empty when absent)."""
    if not path.exists():
        return []
    out = []
    with path.open(encoding="utf-8") as f:
        for line in f:
            text = json.loads(line)["text"]
            sents = [s.strip() for s in SENTENCE_END.split(text.replace("\n", " ")) if s.strip()]
            if len(sents) >= 3:
                out.append(sents)
    return out


def generate(n: int, *, kind: str = "news", seed: int = 0, dev: Path = DEV_ARTICLES) -> Iterator[dict[str, str]]:
    """``n`` JSONL rows, one at a time."""
    if kind not in ("news", "small"):
        raise ValueError(f"kind must be news or small, not {kind!r}")
    rng = random.Random(seed)
    t = Templates(rng)
    sources = dev_sentences(dev) if kind == "news" else []
    start = date(2019, 1, 1)
    for i in range(n):
        if kind == "small":
            text = " ".join(t.sentence() for _ in range(rng.randint(2, 4)))
        elif sources:
            src = rng.choice(sources)
            kept = [s for s in src if rng.random() < 0.6] or src[:3]
            lead = " ".join(t.sentence() for _ in range(2))
            body = [" ".join(kept[j:j + 4]) for j in range(0, len(kept), 4)]
            text = "\n\n".join([lead, *body])
        else:
            text = "\n\n".join(" ".join(t.sentence() for _ in range(4)) for _ in range(4))
        yield {"id": f"bench-{seed}-{i}", "url": f"https://bench.example/{seed}/{i}",
               "title": t.title(), "published": (start + timedelta(days=rng.randint(0, 1800))).isoformat(),
               "outlet": rng.choice(OUTLETS), "text": text}


def write_corpus(path: str | Path, n: int, *, kind: str = "news", seed: int = 0) -> dict[str, int]:
    """Write ``n`` articles to ``path``; return {"articles": n, "words": total words}."""
    words = 0
    with open(path, "w", encoding="utf-8") as f:
        for row in generate(n, kind=kind, seed=seed):
            words += len(row["text"].split())
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
    return {"articles": n, "words": words}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--articles", type=int, default=1000)
    ap.add_argument("--kind", choices=("news", "small"), default="news")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    stats = write_corpus(args.out, args.articles, kind=args.kind, seed=args.seed)
    print(f"{stats['articles']} articles, {stats['words']:,} words -> {args.out}")


if __name__ == "__main__":
    main()
