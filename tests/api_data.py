"""A small real database for the API, dashboard and schema tests, built from hand-made
Documents (never from the extractor, so these tests do not move when extraction does)."""
from __future__ import annotations

from datetime import date
from pathlib import Path

from aidtrace.config import Settings
from aidtrace.models import Actor, Article, Claim, Document, Event, Evidence, Item, Value
from aidtrace.store import Store
from aidtrace.stories import build_stories

# (article id, outlet, published, url, [sentences], [(sentence index, trigger, event fields)])
ARTICLES = [
    ("art-1", "Xinhua", date(2020, 3, 14), "https://example.org/xinhua/masks-italy",
     ["Medical supplies keep arriving in Europe.",
      "China delivered 30 tons of masks to Italy on March 12, the embassy said.",
      "Italy thanked China for the help."],
     [(1, "delivered", dict(id="ev-aid-ita", type="AID", mode="goods", cameo="073", source="CHN", target="ITA",
                            items=(Item("masks", "masks", 30, "tons"),), status="delivered",
                            date="2020-03-12", date_precision="day", attributed_to="CHN", cue="said")),
      (2, "thanked", dict(id="ev-thanks", type="SUPPORT", mode="thank", cameo="051", source="ITA", target="CHN",
                          date="2020-03-14", date_precision="day"))]),
    ("art-2", "ANSA", date(2020, 3, 15), "https://example.org/ansa/mascherine",
     ["A Chinese plane delivered 31 tons of masks to Italy on March 12.",
      "Prime Minister Conte spoke by phone with President Xi in March."],
     [(0, "delivered", dict(id="ev-aid-ita-2", type="AID", mode="goods", cameo="073", source="CHN", target="ITA",
                            items=(Item("masks", "masks", 31, "tons"),), status="delivered",
                            date="2020-03-12", date_precision="day")),
      (1, "spoke", dict(id="ev-call", type="CONSULT", mode="phone", cameo="040", source="ITA", target="CHN",
                        date="2020-03", date_precision="month"))]),
    ("art-3", "EU press", date(2020, 4, 2), "https://example.org/eu/serbia",
     ["The European Union pledged EUR 15 million to Serbia for ventilators and tests."],
     [(0, "pledged", dict(id="ev-eu-srb", type="AID", mode="money", cameo="071", source="EU", target="SRB",
                          value=Value(15_000_000, "EUR", 16_500_000), items=(Item("ventilators", "ventilators"),),
                          status="pledged", date="2020-04-01", date_precision="day", attributed_to="EU"))]),
    ("art-4", "Wire", date(2020, 4, 3), "https://example.org/wire/russia-usa",
     ["Russia sent a plane with 150 ventilators to the United States.",
      "Washington accused Beijing of hiding the outbreak.",
      "China has shipped masks to more than 130 countries so far."],
     [(0, "sent", dict(id="ev-rus-usa", type="AID", mode="goods", cameo="073", source="RUS", target="USA",
                       items=(Item("ventilators", "ventilators", 150, "pieces"),), status="shipped",
                       date="2020-04-01", date_precision="day")),
      (1, "accused", dict(id="ev-accuse", type="ACCUSE", mode="accuse", cameo="112", source="USA", target="CHN",
                          date="2020-04", date_precision="month")),
      (2, "shipped", dict(id="ev-cumulative", type="AID", mode="goods", cameo="073", source="CHN", target=None,
                          target_count=130, target_count_qualifier="at_least", items=(Item("masks", "masks"),),
                          status="shipped", granularity="cumulative", date="2020", date_precision="year"))]),
]


def _event(article: Article, sentences: list[str], starts: list[int], index: int, trigger: str,
           f: dict) -> Event:
    sentence = sentences[index]
    t0 = starts[index] + sentence.index(trigger)
    return Event(
        id=f["id"], article=article.id, type=f["type"], mode=f["mode"], cameo=f["cameo"],
        source=Actor(f["source"], "GOV", f["source"]) if f["source"] else None,
        target=Actor(f["target"], "GOV", f["target"]) if f.get("target") else None,
        target_count=f.get("target_count"), target_count_qualifier=f.get("target_count_qualifier"),
        items=f.get("items", ()), value=f.get("value"), status=f.get("status", "unknown"),
        transfer_mode="donation" if f["type"] == "AID" else "unknown",
        granularity=f.get("granularity", "single"), date=f.get("date"), date_precision=f.get("date_precision"),
        date_text=f.get("date"),
        claim=Claim(Actor(f["attributed_to"]) if f.get("attributed_to") else None, f.get("cue")),
        confidence=0.8, extractor="hand-made",
        evidence=Evidence(article=article.id, sentence_index=index, start=starts[index],
                          end=starts[index] + len(sentence), sentence=sentence, trigger=trigger,
                          trigger_start=t0, trigger_end=t0 + len(trigger)))


def documents() -> list[Document]:
    docs = []
    for aid, outlet, published, url, sentences, events in ARTICLES:
        text = " ".join(sentences)
        starts, pos = [], 0
        for s in sentences:
            starts.append(pos)
            pos += len(s) + 1
        article = Article(id=aid, text=text, url=url, title=sentences[0], published=published, outlet=outlet)
        docs.append(Document(article=article, events=tuple(_event(article, sentences, starts, i, trig, f)
                                                         for i, trig, f in events)))
    return docs


EVENT_IDS = [f["id"] for *_, events in ARTICLES for _, _, f in events]


def build_db(path: Path) -> Path:
    settings = Settings(db=str(path))
    with Store(path) as store:
        with store.transaction():
            for doc in documents():
                store.write_document(doc)
            build_stories(store, settings)
    return path
