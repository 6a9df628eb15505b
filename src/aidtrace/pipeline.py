"""The extraction pipeline: Article -> Document (sentences, mentions, events).

Built once per process (spaCy model, gazetteer matcher, lexicon), then fed articles in
batches through ``nlp.pipe`` so that throughput stays close to the parser's own.
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date

from spacy.tokens import Doc

from .config import Settings
from .errors import ConfigError
from .events.candidates import CandidateFinder, ParsedArticle
from .events.extract import VERSION, Extractor
from .events.model import MODEL_VERSION, EventModel, LearnedExtractor, default_model
from .models import Article, Document, Event, Mention, Sentence
from .nlp.mentions import ActorSpan, MentionFinder
from .nlp.parse import clean_text, paragraph_starts, pipeline_for
from .ontology.actors import default_gazetteer
from .ontology.lexicon import default_lexicon


class Pipeline:
    """``Pipeline(settings).pipe(articles)`` yields one Document per article, in order.

    ``settings.extractor`` picks who decides: "learned" (the default: rule candidates,
    trained decisions, ``events/model.py``) or "rules" (the rule extractor alone). The
    learned path runs the rules too: their events are features and carry the details.
    """

    version = MODEL_VERSION  # of the default settings; ``version_for`` says it for others

    @staticmethod
    def version_for(settings: Settings) -> str:
        return VERSION if settings.extractor == "rules" else MODEL_VERSION

    def __init__(self, settings: Settings | None = None, model: EventModel | None = None) -> None:
        self.settings = settings or Settings()
        self.nlp = pipeline_for(self.settings.model)
        self.gazetteer = default_gazetteer()
        self.finder = MentionFinder(self.nlp, self.gazetteer)
        lexicon = default_lexicon()
        self.extractor = Extractor(lexicon)
        if self.settings.extractor not in {"learned", "rules"}:
            raise ConfigError(f"extractor must be 'learned' or 'rules', not {self.settings.extractor!r}")
        self.learned: LearnedExtractor | None = None
        if model is not None or self.settings.extractor == "learned":
            self.learned = LearnedExtractor(CandidateFinder(lexicon), model or default_model(),
                                            self.extractor.describe)
        self.version = MODEL_VERSION if self.learned is not None else VERSION

    def process(self, article: Article) -> Document:
        return next(self.pipe([article]))

    def pipe(self, articles: Iterable[Article], batch_size: int | None = None) -> Iterator[Document]:
        stream = ((clean_text(a.text), a) for a in articles)
        for doc, article in self.nlp.pipe(stream, as_tuples=True,
                                          batch_size=batch_size or self.settings.batch_size):
            yield self._document(doc, article)

    def parse(self, articles: Iterable[Article]) -> Iterator[ParsedArticle]:
        """Parse, mentions and the rules' events of each article: what the learned
        extractor (and its training) reads."""
        stream = ((clean_text(a.text), a) for a in articles)
        for doc, article in self.nlp.pipe(stream, as_tuples=True,
                                          batch_size=self.settings.batch_size):
            yield self._parsed(doc, article)

    def _parsed(self, doc: Doc, article: Article) -> ParsedArticle:
        spans = self.finder.find(doc, article.published)
        paragraphs = paragraph_starts(article.text)
        outlet = self._outlet_actor(article.outlet)
        events = self.extractor.extract(doc, article, spans, paragraphs, outlet=outlet,
                                        title_place=self._title_place(article))
        return ParsedArticle(article=article, doc=doc, mentions=spans, outlet=outlet,
                             title_codes=self._title_codes(article), rule_events=events)

    def _document(self, doc: Doc, article: Article) -> Document:
        parsed = self._parsed(doc, article)
        spans = parsed.mentions
        events = parsed.rule_events if self.learned is None else self.learned.extract(parsed)
        sents = list(doc.sents)
        sentences = tuple(Sentence(i, s.start_char, s.end_char, s.text) for i, s in enumerate(sents))
        index = {s.start: i for i, s in enumerate(sents)}
        return Document(article=article, sentences=sentences,
                        mentions=tuple(_mention(doc, s, index) for s in spans), events=tuple(events))

    def _outlet_actor(self, outlet: str | None) -> ActorSpan | None:
        """A government's own release speaks for that government ("GOV.UK" -> GBR)."""
        if not outlet:
            return None
        doc = self.nlp.make_doc(outlet)
        for span in sorted(self.finder.match(doc), key=lambda sp: sp.start):
            entry, form = self.finder.lookup_surface(span.text)
            if entry.sector not in {"MEDIA"} and entry.kind in {"state", "org"} and form != "demonym":
                return ActorSpan(span.start, span.end, entry.code, entry.kind, entry.sector, span.text)
        return None

    def _title_codes(self, article: Article) -> tuple[str, ...]:
        """Every actor the headline names (tokens only, like ``_title_place``)."""
        if not article.title:
            return ()
        doc = self.nlp.make_doc(article.title)
        codes = []
        for span in sorted(self.finder.match(doc), key=lambda sp: sp.start):
            hit = self.finder.lookup_surface(span.text)
            if hit is not None and hit[0].kind in {"state", "org", "group"}:
                codes.append(hit[0].code)
        return tuple(dict.fromkeys(codes))

    def _title_place(self, article: Article) -> ActorSpan | None:
        """The country a headline puts the story in, as the first guess of the recipient:
        one after "to/for/in" ("U.S. Aid to Venezuela"), else the first country named
        ("Burma Agrees to US Aid"), never a demonym ("Indian subcontinent") and, but after
        "to/for/in", never a capital: a capital standing alone in a headline is a government
        acting ("Brussels launches ...", "Moscow denies ..."), not the place of the story."""
        if not article.title:
            return None
        doc = self.nlp.make_doc(article.title)  # tokens only: a full parse per headline is costly
        places: list[tuple[ActorSpan, str]] = []
        for span in sorted(self.finder.match(doc), key=lambda sp: sp.start):
            entry, form = self.finder.lookup_surface(span.text)
            if entry.kind == "state" and form != "demonym":
                places.append((ActorSpan(span.start, span.end, entry.code, "state", entry.sector,
                                         span.text), form))
        for place, _ in places:
            modifies = place.end < len(doc) and doc[place.end].lower_ in \
                self.extractor.lex.aid_words  # "Agrees to US Aid": the country modifies "Aid"
            if place.start > 0 and doc[place.start - 1].lower_ in {"to", "for", "in", "into"} \
                    and not modifies:
                return place
        return next((place for place, form in places if form != "capital"), None)


def _mention(doc: Doc, span: ActorSpan, sentence_of: dict[int, int]) -> Mention:
    first, last = doc[span.start], doc[span.end - 1]
    return Mention(sentence=sentence_of.get(first.sent.start, -1), start=first.idx,
                   end=last.idx + len(last.text), text=span.text, code=span.code, kind=span.kind,
                   sector=span.sector, antecedent=span.antecedent)


_DEFAULT: Pipeline | None = None


def extract(text: str, *, published: date | None = None, title: str | None = None,
            outlet: str | None = None, article_id: str = "text") -> list[Event]:
    """Events in ``text``, without a database: the Python entry point."""
    global _DEFAULT
    if _DEFAULT is None:
        _DEFAULT = Pipeline()
    article = Article(id=article_id, text=text, published=published, title=title, outlet=outlet)
    return list(_DEFAULT.process(article).events)
