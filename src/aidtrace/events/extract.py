"""From a parsed article to events: triggers, their arguments, details and context.

One pass over the sentences in order. For each trigger word (ontology/data/triggers.yaml)
a Frame collects who acts (source), who receives or is addressed (targets), what moved
(items, money), when, its status and who says so. What a sentence leaves open is filled
from a small document context — the paragraph's attribution, the last recipient, the
previous event's date — and every such inference is recorded in the actor's ``via``.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import replace
from datetime import date

from spacy.tokens import Doc, Span, Token

from ..models import Actor, Article, Claim, Event, Evidence, Item
from ..nlp.dates import ResolvedDate, resolve_date
from ..nlp.mentions import ActorSpan
from ..nlp.quantities import Money, Quantity
from ..ontology.lexicon import Lexicon, Phrase, Trigger
from .aid import FUTURE_HEADS, AidReader, clause_tokens, noun_forms, numbers
from .arguments import ActorIndex, Unnamed, beneficiary_places, unnamed
from .candidates import Candidate, ParsedArticle
from .claims import (Attribution, according_to, factuality, governing_speaker, quote_speakers,
                     reported_future, speaker)
from .context import Context, Frame, context_source, context_targets, remember_places
from .layout import (DONOR_LIST, RECIPIENT_LIST, Label, enumeration, first_aid_token,
                     heading_place, is_list_line, label_actor, local_dollars,
                     per_target_quantity)
from .syntax import (WH_WORDS, dates_by_sentence, deictic_days, governing_verb, inherited_subject,
                     paragraph_of, purpose_targets, requesters, speech_subject,
                     stranded_subject, trim_date, under_request, with_partner)

VERSION = "aidtrace-rules/0.1"
NOT_GIFTS = {"priority", "permission", "approval", "attention", "consideration", "speech",
             "interview", "briefing", "statement", "warning", "signal", "message", "order",
             "assurance", "guarantee", "light", "credit", "impression", "chance", "boost",
             "condolence", "greeting", "invitation", "letter", "opportunity", "voice"}
ON_SITE = {"build", "construct", "set", "deploy", "distribute", "open", "establish"}
MUTUAL = {"meet", "talk", "discuss", "confer", "speak", "cooperate", "collaborate", "agree",
          "sign"}
DECLARATIVE = {"announce", "pledge", "promise", "offer", "commit", "say", "declare"}
STATE_KINDS = {"state", "org", "group", "capital", "demonym", "person", "role", "pronoun"}
FIRST_PERSON = {"we", "our", "us", "i", "my", "me"}
TARGET_PREPS_AID = {"to", "for", "into"}


class Extractor:
    def __init__(self, lexicon: Lexicon) -> None:
        self.lex = lexicon
        self.aid = AidReader(lexicon)
        self._state: tuple[Doc, ActorIndex, Context, list[Span]] | None = None

    # -- document -------------------------------------------------------------------
    def extract(self, doc: Doc, article: Article, mentions: list[ActorSpan],
                paragraphs: list[int], outlet: ActorSpan | None,
                title_place: ActorSpan | None = None) -> list[Event]:
        actors = ActorIndex(doc, mentions)
        ctx = Context(published=article.published, outlet=outlet,
                      quotes=quote_speakers(doc, actors))
        if title_place is not None:
            ctx.title_place = title_place
        events: list[Event] = []
        open_list: list[int] = []  # events whose items continue in the bullet lines below
        sents = list(doc.sents)
        ctx.dates = dates_by_sentence(doc, sents)
        for si, sent in enumerate(sents):
            text = sent.text  # once: Span.text is rebuilt token by token on every access
            bullet = is_list_line(article.text, sent.start_char)
            para = paragraph_of(sent.start_char, paragraphs)
            if para != ctx.paragraph and not (bullet and open_list):
                ctx.new_paragraph(para)
            new = self._sentence(sent, text, si, actors, ctx, article)
            if open_list and bullet and not any(e.type == "AID" for e in new):
                # "The aircraft carried 18 tonnes of supplies including:" + bullet lines
                extra = self._list_items(sent, text, actors)
                for idx in open_list:
                    events[idx] = replace(events[idx], items=events[idx].items + extra)
                continue
            open_list = []
            if text.rstrip().endswith(":"):
                open_list = [len(events) + i for i, e in enumerate(new) if e.type == "AID"]
            events.extend(new)
        return events

    def _list_items(self, sent: Span, text: str, actors: ActorIndex) -> tuple[Item, ...]:
        skip = {i for m in actors.in_span(sent.start, sent.end) for i in range(m.start, m.end)}
        _, quantities = numbers(text)
        return tuple(self.aid.items(list(sent), skip, quantities, sent))

    def _sentence(self, sent: Span, text: str, si: int, actors: ActorIndex, ctx: Context,
                  article: Article) -> list[Event]:
        acc = according_to(sent, text, actors)
        if acc is not None:
            ctx.attribution = acc
        spk = speaker(sent, actors)
        moneys, quantities = numbers(text)
        sent_date = self._sentence_date(sent, ctx)
        label = label_actor(sent, text, actors)
        heading = heading_place(sent, text, actors)
        if heading is not None:
            ctx.place = (heading.code, heading, -1)
            ctx.heading = heading
            return []
        if label is None:
            ctx.heading = None
            if text.rstrip().endswith(":"):  # the line that introduces a factbox
                ctx.list_intro = text.lower()
            elif not is_list_line(article.text, sent.start_char):
                ctx.list_intro = ""
        elif label.role == "donor" and label.actor.kind == "state" and ctx.donor is not None and \
                RECIPIENT_LIST.search(ctx.list_intro) and not DONOR_LIST.search(ctx.list_intro):
            label = Label(label.actor, "place")  # "The breakdown by country: Mozambique: $1.2m"
        words = self.lex.trigger_words
        frames = [f for tok in sent if (tok.lemma_.lower() in words or tok.lower_ in words)
                  and (f := self._frame(tok, sent, actors)) is not None]
        frames = _drop_shadowed(frames)
        frames += self._contributions(sent, text, moneys, actors, frames)
        if label is not None and not any(f.spec.type == "AID" for f in frames):
            anchor = first_aid_token(sent, moneys, self.lex)
            if anchor is not None:
                frames.append(Frame(trigger=anchor, spec=_LABEL_AID))
        out: list[Event] = []
        if ctx.pending_list is not None:
            states = [m for m in actors.in_span(sent.start, sent.end) if m.kind in {"state"}]
            if len(states) >= 2:
                pending = ctx.pending_list
                pending.targets = [(m, "list after colon") for m in states]
            ctx.pending_list = None
        for fr in frames:
            out.extend(self._events(fr, sent, si, actors, ctx, article, acc, spk, label,
                                    moneys, quantities, sent_date))
        remember_places(sent, actors, ctx)
        return out

    def _contributions(self, sent: Span, text: str, moneys: list[Money], actors: ActorIndex,
                       frames: list[Frame]) -> list[Frame]:
        """"pledges, including $508 million from the United States and $500 million from
        Kuwait": each "<money> from <actor>" is that actor's contribution."""
        if not moneys or not any(t.lemma_.lower() in self.lex.aid_words or t.lemma_.lower() in {"pledge", "donor"}
                   for t in sent):
            return []
        out = []
        for m in moneys:
            rest = text[m.end:m.end + 12]
            hit = re.match(r"\s+from\s+", rest)
            if not hit:
                continue
            at = sent.start_char + m.end + hit.end()
            tok = next((t for t in sent if t.idx >= at), None)
            donor = actors.at(tok) if tok is not None else None
            if donor is None or donor.kind not in {"state", "org"}:
                continue
            anchor = next(t for t in sent if t.idx >= sent.start_char + m.start)
            if any(f.trigger.i == anchor.i for f in frames):
                continue
            fr = Frame(trigger=anchor, spec=_CONTRIBUTION)
            fr.sources = [(donor, "from (contribution)")]
            fr.money = m
            out.append(fr)
        return out

    # -- triggers ---------------------------------------------------------------------
    def _frame(self, tok: Token, sent: Span, actors: ActorIndex) -> Frame | None:
        lemma = tok.lemma_.lower()
        if tok.i in actors.by_token:
            return None
        if tok.pos_ in {"VERB", "AUX"} or (tok.pos_ == "NOUN" and tok.dep_ == "ROOT" and
                                            lemma in self.lex.verbs and tok.tag_.startswith("VB")):
            phrase = self._phrase(tok, lemma)
            if phrase is not None:
                return Frame(trigger=tok, spec=phrase)
            spec = self.lex.verbs.get(lemma)
            if spec is None or tok.pos_ == "AUX":
                return None
            if lemma == "order" and any(c.dep_ == "prep" and c.lower_ == "from" for c in tok.children):
                spec = self.lex.verbs.get("buy", spec)  # "ordered 5 million doses from Moderna"
            if spec.with_word and not any(c.lower_ == spec.with_word for c in tok.subtree):
                return None
            if spec.without and any(c.lower_ == spec.without and c.dep_ in {"prt", "prep"}
                                    for c in tok.children):
                return None
            return Frame(trigger=tok, spec=spec)
        if tok.pos_ == "NOUN":
            spec = self.lex.nouns.get(lemma) or self.lex.nouns.get(tok.lower_)
            if spec is not None:
                return Frame(trigger=tok, spec=spec)
        return None

    def _phrase(self, tok: Token, lemma: str) -> Phrase | None:
        for ph in self.lex.phrases:
            if ph.lemma != lemma:
                continue
            kids = list(tok.children)
            if ph.particle and not any(c.lower_ == ph.particle and c.dep_ in {"prt", "prep"}
                                       for c in kids):
                continue
            if ph.object and not any(ph.object in c.lemma_.lower() for c in tok.subtree
                                     if c.i != tok.i and c.pos_ == "NOUN"):
                continue
            return ph
        return None

    # -- arguments ---------------------------------------------------------------------
    def _events(self, fr: Frame, sent: Span, si: int, actors: ActorIndex, ctx: Context,
                article: Article, acc: Attribution | None, spk: Attribution | None,
                label: Label | None, moneys: list[Money], quantities: list[Quantity],
                sent_date: ResolvedDate | None) -> list[Event]:
        trig, spec = fr.trigger, fr.spec
        typ = spec.type
        fact = factuality(trig)
        if fact in {"negated", "hypothetical"}:
            return []  # "did not send", "could request", "wants to give" state no event
        if typ in {"AID", "TRADE"} and under_request(trig):
            return []
        clause = clause_tokens(trig)
        if fr.spec is _LABEL_AID:  # a factbox line: everything after its colon
            clause = [t for t in sent if t.i >= trig.i]
        if fr.spec is not _CONTRIBUTION:
            self._read_arguments(fr, actors, clause)
        if fr.theme and trig.dep_ in {"relcl", "acl"}:
            clause = sorted({t.i: t for t in clause + fr.theme}.values(), key=lambda t: t.i)
        role = getattr(spec, "role", None)
        skip = {i for m in actors.mentions for i in range(m.start, m.end)}
        theme_tokens = [t for t in clause if t.i != trig.i]
        items: list[Item] = []
        money = None
        if typ in {"AID", "TRADE", "SANCTION", "REQUEST"}:
            items = self.aid.items(theme_tokens, skip, quantities, sent)
            money = fr.money or self.aid.money_in(clause, moneys, sent)
            if money is None and typ == "AID" and len(moneys) == 1 and spec is _LABEL_AID:
                money = moneys[0]
            if money is not None and not any(i.item_class == "money" for i in items):
                items.insert(0, Item(item=money.text, item_class="money"))
        needs = getattr(spec, "needs", None)
        if needs in {"item", "destination"} and not items and not _has_aid_word(theme_tokens, self.lex):
            return []
        if typ == "AID" and any(c.dep_ == "dobj" and c.lemma_.lower() in NOT_GIFTS for c in trig.children):
            return []  # "give priority to orders for respirators", "send a message"
        if needs == "destination" and (trig.tag_ != "VBD" or not any(
                via in TARGET_PREPS_AID for _, via in fr.targets)):
            return []
        if typ == "SANCTION" and spec.mode == "export_ban" and not items and \
                not any(t.lemma_.lower() == "export" for t in theme_tokens):
            return []
        # first-person speakers inside a quotation are the quoted speaker
        fr.sources = [self._first_person(m, via, ctx, spk) for m, via in fr.sources]
        fr.sources = [(m, via) for m, via in fr.sources if m.code]
        fr.targets = [self._first_person(m, via, ctx, spk) for m, via in fr.targets]
        fr.targets = [(m, via) for m, via in fr.targets if m.code]
        if label is not None and not fr.sources:
            self._label_arguments(fr, label, ctx)
        if not fr.sources and not fr.named_subject and (
                typ == "AID" or (typ == "TRADE" and role != "buyer")):
            # ("Donors pledged $1.5bn": a subject that names no actor is not filled from context)
            # (a purchase without a named seller stays unattributed rather than guessed)
            src = context_source(ctx, trig)
            if src is not None:
                fr.sources = [src]
        if typ in {"AID", "TRADE"} and fr.targets:
            ctx.place = (fr.targets[0][0].code, fr.targets[0][0], si)
        if not fr.sources:
            return []
        if len(fr.sources) == 1 and fr.sources[0][0].kind == "pronoun" and \
                fr.sources[0][0].text.lower() == "they":
            said = speech_subject(trig)
            if said is not None and len(actors.list_of(said)) > 1:  # "X and Y say they will"
                fr.sources = [(m, "they = speakers") for m in actors.list_of(said)]
        if not fr.targets and len(fr.sources) > 1 and (typ == "COOPERATE" or (
                typ in {"CONSULT", "AGREE"} and trig.lemma_.lower() in MUTUAL)):
            # "the U.S. and Pakistani militaries are cooperating": one acts with the other
            fr.targets = fr.sources[1:]
            fr.sources = fr.sources[:1]
        source, source_via = fr.sources[0]
        agency_only = fr.targets and all(m.kind in {"org", "group"} and m.sector in {"IGO", "NGO"}
                                         for m, _ in fr.targets)
        if typ == "AID" and (not fr.targets or agency_only) and (
                fr.group is None or fr.group.count is None):
            # "..., which will help 6 million people in Yemen"; "$20 million to WFP to feed
            # refugees in Uganda" (aid through an agency goes to the beneficiary country)
            for tok in trig.subtree:
                places = beneficiary_places(tok, actors) if tok.dep_ in {"pobj", "dobj"} else []
                if places:
                    fr.targets = fr.targets + [(m, "beneficiaries") for m in places]
                    fr.group = None
                    break
            if not fr.targets:
                fr.targets = purpose_targets(trig, actors) or requesters(trig, actors)
        if not fr.targets and fr.group is None and (
                typ not in {"AID", "TRADE"} or trig.tag_ not in {"VBZ", "VBP"} or trig.dep_ != "relcl"):
            # (present simple states a habit — "the country that provides aid" — not an event)
            fr.targets = context_targets(fr, source, ctx, sent, actors)
        if fr.group is not None and fr.group.count is None and not fr.targets and \
                ":" in sent[trig.i - sent.start:].text:
            ctx.pending_list = fr
            after = sent.text.index(":", trig.idx - sent.start_char)
            states = [m for m in actors.in_span(sent.start, sent.end)
                      if m.kind == "state" and m.start > trig.i
                      and sent.doc[m.start].idx - sent.start_char > after]
            if len(states) >= 2:
                fr.targets = [(m, "list after colon") for m in states]
                ctx.pending_list = None
        if needs == "actor" and not fr.targets and typ not in {"REQUEST"}:
            return []
        if typ in {"SUPPORT", "ACCUSE"} and not fr.targets:
            return []
        date_ = self._clause_date(trig, clause, sent, ctx) or sent_date or ctx.para_date
        if date_ is None and spec is _LABEL_AID and ctx.last_aid is not None:
            date_ = ctx.last_aid[1]  # a factbox line shares the date of the grant it breaks down
        if date_ is None and ctx.published and (trig.tag_ != "VBD" or typ not in {"AID", "TRADE"}):
            # present, perfect or future, or a statement in a report: the publication day
            date_ = ResolvedDate(value=ctx.published.isoformat(), precision="day",
                                 text="(publication date)", basis="published")
        status = self._status(trig, spec, date_, ctx.published, items) \
            if typ in {"AID", "TRADE"} else None
        if spec is _LABEL_AID and "pledge" in ctx.list_intro:
            status = "pledged"  # "Pledges so far:" heads the lines below it
        elif spec is _LABEL_AID and ctx.last_aid is not None and status == "unknown":
            status = ctx.last_aid[0]
        claim = self._claim(trig, fr, actors, ctx, acc, spk, fact, source)
        if money is not None and ctx.outlet is not None:
            money = local_dollars(money, ctx.outlet.code)
        value = self.aid.value(money, _as_date(date_) or ctx.published)
        n_targets = len(fr.targets)
        granularity = "single"
        if typ in {"AID", "TRADE"}:
            granularity = self.aid.granularity(sent, n_targets,
                                               fr.group.count if fr.group else None)
        targets: list[tuple[ActorSpan | None, str | None]] = list(fr.targets) or [(None, None)]
        events = []
        for source, source_via in fr.sources:  # "Thailand and Bangladesh will donate ..."
            for target, via in targets:
                if target is not None and target.code == source.code:
                    continue
                if typ in {"AID", "TRADE"} and target is None and fr.group is None and \
                        source.kind == "person":
                    continue
                ev_items = tuple(items)
                if target is not None:
                    per = per_target_quantity(target, sent, quantities, items)
                    ev_items = per or ev_items
                events.append(self._event(
                    fr, article, si, sent, source, source_via, target, via, typ, ev_items,
                    value, status, granularity, date_, claim, fact))
        for ev in events:
            ctx.recent.append((si, ev.source.code if ev.source else "", ev.target.code
                               if ev.target else None))
        if events and typ == "AID":
            ctx.donor = source
            if spec is not _LABEL_AID:
                ctx.last_aid = (status or "unknown", date_)
        if date_ is not None and events:
            ctx.last_date = date_
        return events

    @staticmethod
    def _label_arguments(fr: Frame, label: Label, ctx: Context) -> None:
        """Arguments of a factbox line from its label and the donor/heading above it."""
        agency = label.actor.kind in {"org", "group"} and label.actor.sector in {"IGO", "NGO", None}
        if label.role == "place" and ctx.donor is not None:
            fr.sources = [(ctx.donor, "context: donor of the list")]
            fr.targets = fr.targets or [(label.actor, "label (place)")]
        elif agency and ctx.heading is not None and ctx.donor is not None:
            # "Myanmar / WFP: Food [USD 1 million]": the donor's money through an agency
            fr.sources = [(ctx.donor, "context: donor of the breakdown")]
            fr.targets = fr.targets or [(ctx.heading, "heading")]
        elif label.role == "donor":
            fr.sources = [(label.actor, "label")]

    @staticmethod
    def _first_person(m: ActorSpan, via: str, ctx: Context,
                      spk: Attribution | None) -> tuple[ActorSpan, str]:
        """"We" inside a quotation is its speaker; outside, the sentence's speaker."""
        if m.kind != "pronoun" or m.text.lower() not in FIRST_PERSON:
            return m, via
        who = ctx.quotes.get(m.start) or spk
        if who is None and ctx.outlet is not None:  # a release's "we" is its issuer
            return ctx.outlet, "issuer (first person)"
        if who is None:
            return replace(m, code=""), via
        return who.actor, "quoted speaker"

    def _read_arguments(self, fr: Frame, actors: ActorIndex, clause: list[Token]) -> None:
        trig, spec = fr.trigger, fr.spec
        role = getattr(spec, "role", None)
        typ = spec.type
        subj, passive_subj, agent, objects = None, None, None, []
        preps: list[tuple[str, Token]] = []
        for c in trig.children:
            if c.dep_ == "nsubj":
                subj = c
            elif c.dep_ == "nsubjpass":
                passive_subj = c
            elif c.dep_ == "agent":
                agent = next((p for p in c.children if p.dep_ == "pobj"), None)
            elif c.dep_ == "dative" and c.pos_ == "ADP":  # "offered to COVAX" parsed as dative
                preps.extend((c.lower_, p) for p in c.children if p.dep_ == "pobj")
            elif c.dep_ in {"dobj", "dative", "iobj", "attr", "oprd"}:
                objects.append(c)
            elif c.dep_ == "prep":
                for p in c.children:
                    if p.dep_ == "pobj":
                        preps.append((c.lower_, p))
                    elif p.dep_ == "prep":  # "to more than", "including to Indonesia"
                        outer = p.lower_ if c.lower_ == "including" else c.lower_
                        preps.extend((outer, q) for q in p.children if q.dep_ == "pobj")
            if c.dep_ in {"acomp", "oprd", "advmod", "prt"} or (c.dep_ == "ccomp" and c.pos_ == "ADJ") or (
                    c.dep_ in {"xcomp", "advcl"} and typ == "AID" and role == "theme"):
                # "made available for Pakistan", "arrived to cross the border into Venezuela"
                for g in c.children:
                    if g.dep_ == "prep":
                        preps.extend((g.lower_, q) for q in g.children if q.dep_ == "pobj")
        for obj in list(objects) + ([passive_subj] if passive_subj is not None else []):
            for c in obj.children:  # "$32 million in assistance for Haiti"
                if c.dep_ == "prep" and (c.lower_ in {"to", "for"} or (
                        c.lower_ == "in" and trig.lemma_.lower() in ON_SITE)):
                    preps.extend((c.lower_, p) for p in c.children if p.dep_ == "pobj")
                if c.dep_ == "prep" and c.lower_ in {"in", "of"}:
                    for p in c.children:
                        for g in p.children:
                            if g.dep_ == "prep" and g.lower_ in {"to", "for"}:
                                preps.extend((g.lower_, q) for q in g.children if q.dep_ == "pobj")
        if subj is None and passive_subj is None:
            subj = inherited_subject(trig) or stranded_subject(trig, actors)
        fr.named_subject = role is None and subj is not None and subj.pos_ in {"NOUN", "PROPN"} \
            and actors.of_phrase(subj) is None and subj.lower_ not in WH_WORDS and not any(
                self.lex.item_class([f]) or f in self.lex.aid_words for f in noun_forms(subj))
        if trig.pos_ == "NOUN":
            self._noun_arguments(fr, actors)
            return
        if trig.dep_ == "acl" and trig.tag_ == "VBN" and passive_subj is None:
            passive_subj = trig.head  # "$25 million released from the fund", "aid sent by China"
            fr.theme = [t for t in trig.head.subtree]
        if trig.dep_ == "relcl":
            # "the aid which was announced", "countries to which China sent teams": the
            # relative pronoun stands for the noun the clause modifies
            if passive_subj is not None and passive_subj.lower_ in WH_WORDS:
                passive_subj = trig.head
            if subj is not None and subj.lower_ in WH_WORDS:
                subj = trig.head  # "the country that provides": the noun is the agent
            preps = [(p, trig.head if o.lower_ in WH_WORDS else o) for p, o in preps]
            if passive_subj is not None and passive_subj.i == trig.head.i:
                governor = governing_verb(trig.head)
                if governor is not None:
                    extra = clause_tokens(governor)
                    fr.theme = extra
                    if agent is None and subj is None:
                        subj = next((c for c in governor.children if c.dep_ == "nsubj"), None)
                    for c in governor.children:
                        if c.dep_ == "prep" and c.lower_ in {"to", "for"}:
                            preps.extend((c.lower_, q) for q in c.children if q.dep_ == "pobj")
        if role == "receiver":
            if subj is not None:
                fr.targets += [(m, "subject") for m in actors.list_of(subj)]
            for p, pobj in preps:
                if p == "from":
                    fr.sources += [(m, "from") for m in actors.list_of(pobj)]
            for p, pobj in preps:  # "received doses through COVAX": the channel delivered them
                if p in {"through", "via"} and not fr.sources:
                    fr.sources += [(m, p) for m in actors.list_of(pobj)]
            for obj in objects:  # "Pakistan received Chinese vaccine aid"
                owner = actors.of_phrase(obj)
                if owner is not None and owner.sector == "BUS":
                    continue  # "doses of the AstraZeneca vaccine": the maker names the product
                if not fr.sources and owner is not None and owner.kind != "pronoun" and \
                        all(owner.code != t.code for t, _ in fr.targets):
                    fr.sources.append((owner, "owner of the aid"))
            fr.theme = objects
            return
        if role == "buyer":
            if subj is not None:
                fr.targets += [(m, "buyer") for m in actors.list_of(subj)]
            for p, pobj in preps:
                if p == "from":
                    fr.sources += [(m, "from") for m in actors.list_of(pobj)]
            return
        if role == "theme":
            theme = subj or passive_subj
            if theme is not None:
                hit = actors.of_phrase(theme)
                if hit is not None:
                    fr.sources.append((hit, "modifier"))
                for c in theme.subtree:  # "trucks carrying U.S. aid"
                    if not fr.sources and c.lemma_.lower() in self.lex.aid_words and actors.of_phrase(c):
                        fr.sources.append((actors.of_phrase(c), "modifier"))
            for p, pobj in preps:
                if p == "from":
                    fr.sources = [(m, "from") for m in actors.list_of(pobj)] or fr.sources
                elif p in {"to", "in", "into", "at"}:
                    self._add_target(fr, pobj, actors, p)
            return
        if agent is not None:
            fr.sources += [(m, "agent") for m in actors.list_of(agent)]
        elif subj is not None:
            fr.sources += [(m, "subject") for m in actors.list_of(subj)]
        if typ == "AID" and (subj is None or subj.lower_ in {"it", "this", "that"}) and agent is None:
            for obj in objects:  # "It brings U.S. humanitarian assistance to $7.4 billion"
                owner = actors.of_phrase(obj) if obj.lemma_.lower() in self.lex.aid_words else None
                if owner is not None and owner.kind != "pronoun":
                    fr.sources = [(owner, "owner of the aid")]
        for p, pobj in preps:
            if p == "from" and typ in {"AID", "TRADE"} and not fr.sources:
                fr.sources += [(m, "from") for m in actors.list_of(pobj)]
            elif p in TARGET_PREPS_AID and typ in {"AID", "TRADE", "CONSULT", "REQUEST",
                                                   "SANCTION", "ACCUSE", "SUPPORT", "AGREE"}:
                self._add_target(fr, pobj, actors, p)
            elif p == "with" and typ in {"CONSULT", "COOPERATE", "AGREE", "TRADE"}:
                self._add_target(fr, pobj, actors, p)
            elif p in {"in", "on"} and typ in {"CONSULT"} and not fr.targets:
                self._add_target(fr, pobj, actors, p)
            elif p == "in" and typ == "AID" and (pobj.i < trig.i or trig.lemma_.lower() in ON_SITE) \
                    and not fr.targets and \
                    actors.at(pobj) is not None and actors.at(pobj).kind in {"state", "capital"}:
                self._add_target(fr, pobj, actors, "in (fronted)")  # "In Libya, the UK will give"
            elif p == "on" and typ == "REQUEST":  # "called on Venezuelan forces to ..."
                self._add_target(fr, pobj, actors, p)
            elif p in {"against", "on"} and typ in {"ACCUSE", "SANCTION", "THREATEN"}:
                self._add_target(fr, pobj, actors, p)
            elif p == "for" and typ in {"SUPPORT", "ACCUSE"} and not fr.targets:
                self._add_target(fr, pobj, actors, p)
        for obj in objects:
            if obj.dep_ in {"dative", "iobj"}:
                self._add_target(fr, obj, actors, "dative")
            elif typ == "CONSULT" and actors.at(obj) is None:
                continue  # "host the rescEU reserve" is not a meeting with the EU
            elif typ not in {"AID", "TRADE"}:
                if typ in {"REJECT", "AGREE"}:  # "rejected/accepted offers of help from the US, ..."
                    for c in obj.subtree:
                        if c.dep_ == "prep" and c.lower_ == "from":
                            for p in c.children:
                                if p.dep_ == "pobj":
                                    self._add_target(fr, p, actors, "from")
                self._add_target(fr, obj, actors, "object")
                if not fr.targets and typ in {"SUPPORT", "ACCUSE"}:
                    # "welcomes the announcement of an agreement by the BiH Presidency"
                    inner = next((actors.at(t) for t in obj.subtree if actors.at(t) is not None
                                  and actors.at(t).kind != "pronoun"), None)
                    if inner is not None:
                        fr.targets.append((inner, "inside object"))
        if typ not in {"AID", "TRADE"} and not fr.targets:
            for c in trig.children:  # "Italy expressed its intention to cooperate with China"
                if c.dep_ in {"xcomp", "acl"}:
                    for g in c.children:
                        if g.dep_ == "prep" and g.lower_ == "with":
                            for p in g.children:
                                if p.dep_ == "pobj":
                                    self._add_target(fr, p, actors, "with")
                if c.dep_ == "xcomp" and typ in {"AGREE", "THREATEN"} and not fr.targets:
                    # "agreed to allow a U.S. cargo plane to deliver": the first other actor
                    for g in c.subtree:
                        m = actors.at(g)
                        if m is not None and m.kind != "pronoun" and \
                                all(m.code != src.code for src, _ in fr.sources):
                            fr.targets.append((m, "inside " + c.lemma_))
                            break
        fr.theme = fr.theme or objects + ([passive_subj] if passive_subj is not None else [])
        if typ in {"CONSULT", "COOPERATE"} and not fr.targets:
            partner = with_partner(trig, actors)  # "spoke today with Foreign Minister X to ..."
            if partner is not None:
                fr.targets.append((partner, "with"))

    def _noun_arguments(self, fr: Frame, actors: ActorIndex) -> None:
        noun = fr.trigger
        for c in noun.children:
            if c.dep_ in {"poss", "compound", "amod"} and actors.at(c) and c.pos_ != "PRON":
                fr.sources.append((actors.at(c), "possessive"))
            elif c.dep_ == "prep":
                for p in c.children:
                    if p.dep_ != "pobj":
                        continue
                    if c.lower_ in {"with", "to", "for", "between", "against", "on"}:
                        self._add_target(fr, p, actors, c.lower_)
                    elif c.lower_ in {"by", "from"} and not fr.sources:
                        fr.sources += [(m, c.lower_) for m in actors.list_of(p)]
                        if fr.spec.type == "REQUEST" and not fr.targets:
                            # "a request from Lebanon" to whoever answers it (the clause subject)
                            verb = governing_verb(noun)
                            subj = next((g for g in verb.children if g.dep_ == "nsubj"), None) \
                                if verb is not None else None
                            if subj is not None:
                                fr.targets += [(m, "answered by") for m in actors.list_of(subj)]
            elif c.dep_ in {"acl", "relcl"}:  # "intention to strengthen cooperation with China"
                for g in c.subtree:
                    if g.dep_ == "prep" and g.lower_ == "with":
                        for p in g.children:
                            if p.dep_ == "pobj":
                                self._add_target(fr, p, actors, "with")
        if not fr.sources:
            head = noun.head
            for _ in range(3):  # "held talks", "during calls with", "announced the cessation"
                if head.pos_ in {"VERB", "AUX"}:
                    subj = next((c for c in head.children if c.dep_ == "nsubj"), None)
                    if subj is None:
                        subj = inherited_subject(head)
                    if subj is not None:
                        fr.sources += [(m, "subject of " + head.lemma_)
                                       for m in actors.list_of(subj)]
                    break
                if head.head.i == head.i:
                    break
                head = head.head

    @staticmethod
    def _add_target(fr: Frame, tok: Token, actors: ActorIndex, via: str) -> None:
        found = actors.list_of(tok) or beneficiary_places(tok, actors)
        if found:
            found += [m for m in enumeration(found[-1], actors) if all(m.code != f.code for f in found)]
            have = {m.code for m, _ in fr.targets}
            fr.targets += [(m, via) for m in found if m.code not in have]
            return
        group = unnamed(tok)
        if group is not None and fr.group is None:
            fr.group = group

    # -- details of an event the learned model chose ------------------------------------
    def describe(self, parsed: ParsedArticle, cand: Candidate) -> Event | None:
        """The event of a candidate the rules did not produce themselves: its arguments are
        the model's, its items, figures, date, status and claim are read by the same rule
        readers as the rules' own events, around the candidate's trigger."""
        state = self._article_state(parsed)
        doc, actors, ctx, sents = state
        sent = sents[cand.sentence]
        trig = doc[cand.trigger]
        spec = self._spec_for(trig, cand.type)
        fr = Frame(trigger=trig, spec=spec)
        source = _span_for(cand.source, sent, actors, parsed)
        target = _span_for(cand.target, sent, actors, parsed) if cand.target else None
        text = sent.text
        ctx.attribution = according_to(sent, text, actors)
        spk = speaker(sent, actors)
        moneys, quantities = numbers(text)
        clause = clause_tokens(trig)
        items: list[Item] = []
        money = None
        if cand.type in {"AID", "TRADE", "SANCTION", "REQUEST"}:
            skip = {i for m in actors.mentions for i in range(m.start, m.end)}
            items = self.aid.items([t for t in clause if t.i != trig.i], skip, quantities, sent)
            if cand.type == "AID" and not any(i.quantity for i in items):
                # the trigger's clause may miss the goods ("assistance ..., sending 2.5
                # million shots"): the sentence's, when they carry the figure it lacks
                wider = self.aid.items([t for t in sent if t.i != trig.i], skip, quantities, sent)
                if not items or any(i.quantity for i in wider):
                    items = wider
            money = self.aid.money_in(clause, moneys, sent)
            if money is None and cand.type == "AID" and len(moneys) == 1:
                money = moneys[0]
            if money is not None and not any(i.item_class == "money" for i in items):
                items.insert(0, Item(item=money.text, item_class="money"))
        if target is None and cand.type in {"AID", "TRADE"}:
            for tok in clause:
                if tok.dep_ in {"pobj", "dobj"} and (group := unnamed(tok)) is not None:
                    fr.group = group
                    break
        date_ = self._clause_date(trig, clause, sent, ctx) or self._sentence_date(sent, ctx)
        if date_ is None and ctx.published:
            date_ = ResolvedDate(value=ctx.published.isoformat(), precision="day",
                                 text="(publication date)", basis="published")
        status = self._status(trig, spec, date_, ctx.published, items) \
            if cand.type in {"AID", "TRADE"} else None
        fact = factuality(trig)
        claim = self._claim(trig, fr, actors, ctx, ctx.attribution, spk, fact, source)
        if money is not None and ctx.outlet is not None:
            money = local_dollars(money, ctx.outlet.code)
        value = self.aid.value(money, _as_date(date_) or ctx.published)
        granularity = self.aid.granularity(sent, 1, fr.group.count if fr.group else None) \
            if cand.type in {"AID", "TRADE"} else "single"
        return self._event(fr, parsed.article, cand.sentence, sent, source, "model", target,
                           "model" if target is not None else None, cand.type, tuple(items),
                           value, status, granularity, date_, claim, fact)

    def _article_state(self, parsed: ParsedArticle) -> tuple[Doc, ActorIndex, Context, list[Span]]:
        """Per-article lookups for ``describe``, built once for the article being read."""
        if self._state is not None and self._state[0] is parsed.doc:
            return self._state
        doc = parsed.doc
        actors = ActorIndex(doc, parsed.mentions)
        ctx = Context(published=parsed.article.published, outlet=parsed.outlet,
                      quotes=quote_speakers(doc, actors))
        sents = list(doc.sents)
        ctx.dates = dates_by_sentence(doc, sents)
        self._state = (doc, actors, ctx, sents)
        return self._state

    def _spec_for(self, trig: Token, typ: str) -> Trigger | Phrase:
        spec = self.lex.verbs.get(trig.lemma_.lower()) if trig.pos_ in {"VERB", "AUX"} else \
            self.lex.nouns.get(trig.lemma_.lower())
        if spec is not None and spec.type == typ:
            return spec
        mode, cameo = TYPE_DEFAULTS[typ]
        return Trigger(lemma=trig.lemma_.lower(), type=typ, mode=mode, cameo=cameo)

    # -- details ---------------------------------------------------------------------------
    def _sentence_date(self, sent: Span, ctx: Context) -> ResolvedDate | None:
        for ent in ctx.dates.get(sent.start, ()):
            resolved = self._resolve(ent, sent, ctx)
            if resolved is not None:
                ctx.para_date = resolved
                return resolved
        return None

    def _clause_date(self, trig: Token, clause: list[Token], sent: Span,
                     ctx: Context) -> ResolvedDate | None:
        """The date attached to the trigger (or the verbs governing it) beats one buried in
        its object: "On June 6, Japan decided to extend aid to areas hit on May 14"."""
        ids = {t.i for t in clause}
        chain = {trig.i}
        node = trig
        while node.dep_ in {"xcomp", "conj", "ccomp", "advcl"} and node.head.i != node.i:
            node = node.head
            chain.add(node.i)
        direct, inner = [], []
        for ent in list(ctx.dates.get(sent.start, ())) + deictic_days(sent):
            head = ent.root.head
            attached = head.i in chain or (head.dep_ == "prep" and head.head.i in chain)
            if attached:
                direct.append(ent)
            elif ent.root.i in ids:
                inner.append(ent)
        for ent in direct + inner:
            resolved = self._resolve(ent, sent, ctx)
            if resolved is not None:
                return resolved
        return None

    @staticmethod
    def _resolve(ent: Span, sent: Span, ctx: Context) -> ResolvedDate | None:
        ent = trim_date(ent)
        if any(t.lower_ == "according" for t in ent.root.ancestors):
            return None  # "(according to the ministry on April 13)" dates the claim, not the event
        text = ent.text
        head = ent.root.head
        if head.dep_ == "prep" and head.i == ent.start - 1:
            text = f"{head.text} {text}"
        future = any(t.lower_ in {"will", "'ll"} for t in sent)  # ent.sent: found again per call
        return resolve_date(text, published=ctx.published, anchor=ctx.last_date, future=future)

    @staticmethod
    def _status(trig: Token, spec: Trigger | Phrase, date_: ResolvedDate | None,
                published: date | None, items: list[Item]) -> str:
        base = getattr(spec, "status", None) or "unknown"
        if trig.pos_ == "NOUN":
            return "pledged"
        chain = [trig]
        node = trig
        while node.dep_ in {"xcomp", "conj", "ccomp"} and node.head.i != node.i and len(chain) < 4:
            node = node.head
            chain.append(node)
        for tok in chain:
            for c in tok.children:
                if c.dep_ in {"aux", "auxpass"} and (c.lower_ in {"will", "shall", "'ll", "wo"} or (
                        c.lower_ == "would" and reported_future(tok))):
                    return "pledged"
            if tok is not trig and tok.lemma_.lower() in FUTURE_HEADS:
                return "pledged"
        auxes = {c.lower_ for c in trig.children if c.dep_ in {"aux", "auxpass"}}
        if "to" in auxes and auxes & {"are", "is", "was", "were", "be"}:
            return "pledged"  # "817,000 are to be transported to Kenya"
        if base == "unknown" and trig.tag_ in {"VBD", "VBN"}:
            return "delivered"
        if base == "unknown" and trig.tag_ == "VBG" and auxes & {"is", "are", "am"}:
            return "pledged"  # "Australia is providing $1 million": a commitment being made
        if base == "shipped" and trig.tag_ == "VBD" and not auxes and date_ is not None \
                and published is not None and _as_date(date_) is not None \
                and (published - _as_date(date_)).days > 7:
            return "delivered"  # sent weeks before the report: it has arrived
        if base == "shipped" and trig.tag_ == "VBD" and not auxes and items and \
                all(i.item_class == "personnel" for i in items) and not (
                    trig.dep_ == "conj" and any(c.dep_ == "aux" for c in trig.head.children)):
            return "delivered"  # teams "sent" in the past tense are deployed; goods may be in transit
        return base

    def _claim(self, trig: Token, fr: Frame, actors: ActorIndex, ctx: Context,
               acc: Attribution | None, spk: Attribution | None, fact: str,
               source: ActorSpan) -> Claim:
        who = governing_speaker(trig, actors) or acc or ctx.attribution
        if who is None and spk is not None and spk.actor.code:
            who = spk
        if who is None and trig.lemma_.lower() in DECLARATIVE:
            who = Attribution(source, trig.text)
        if who is None and ctx.outlet is not None:
            who = Attribution(ctx.outlet, "release")
        if who is None:
            return Claim(factuality=fact)
        return Claim(attributed_to=Actor(who.actor.code, who.actor.sector, who.actor.text),
                     cue=who.cue, factuality=fact)

    def _event(self, fr: Frame, article: Article, si: int, sent: Span, source: ActorSpan,
               source_via: str, target: ActorSpan | None, target_via: str | None, typ: str,
               items: tuple[Item, ...], value, status, granularity, date_: ResolvedDate | None,
               claim: Claim, fact: str) -> Event:
        trig = fr.trigger
        text = sent.text
        key = f"{article.id}|{si}|{trig.i}|{typ}|{source.code}|{target.code if target else ''}"
        ev_id = hashlib.sha1(key.encode()).hexdigest()[:16]
        mode = fr.spec.mode
        if typ == "AID":
            mode = _aid_mode(items, mode)
        confidence = _confidence(source_via, target_via, typ, items, fr.group,
                                 nominal=trig.pos_ == "NOUN")
        return Event(
            id=ev_id, article=article.id, type=typ, mode=mode, cameo=fr.spec.cameo,
            source=Actor(source.code, source.sector, source.text, source_via),
            target=Actor(target.code, target.sector, target.text, target_via) if target else None,
            target_count=fr.group.count if fr.group and target is None else None,
            target_count_qualifier=fr.group.qualifier if fr.group and target is None else None,
            target_group=fr.group.group if fr.group and target is None else None,
            items=items, value=value, status=status or "unknown",
            transfer_mode=self.aid.transfer_mode(sent, typ) if typ in {"AID", "TRADE"} else "unknown",
            granularity=granularity,
            date=date_.value if date_ else None,
            date_precision=date_.precision if date_ else None,
            date_text=date_.text if date_ else None,
            claim=claim, confidence=confidence, extractor=VERSION,
            evidence=Evidence(article=article.id, sentence_index=si,
                              start=sent.start_char + len(text) - len(text.lstrip()),
                              end=sent.start_char + len(text.rstrip()),
                              sentence=text.strip(), trigger=trig.text,
                              trigger_start=trig.idx, trigger_end=trig.idx + len(trig.text)))


# mode and CAMEO code of an event whose cue word is not a trigger of its type
TYPE_DEFAULTS = {"AID": ("goods", "073"), "TRADE": ("sale", "061"), "CONSULT": ("talks", "040"),
                 "SUPPORT": ("praise", "051"), "ACCUSE": ("criticize", "111"),
                 "REQUEST": ("aid", "020"), "REJECT": ("aid", "120"), "AGREE": ("intent", "030"),
                 "COOPERATE": ("health", "060"), "THREATEN": ("sanction", "130"),
                 "SANCTION": ("sanctions", "163")}


def _span_for(code: str, sent: Span, actors: ActorIndex, parsed: ParsedArticle) -> ActorSpan:
    """A mention of ``code``: in the sentence, else the nearest before it, else the outlet."""
    best = None
    for m in actors.mentions:
        if m.code != code:
            continue
        if sent.start <= m.start < sent.end:
            return m
        if m.start < sent.start or best is None:
            best = m
    if best is not None:
        return best
    if parsed.outlet is not None and parsed.outlet.code == code:
        return parsed.outlet
    return ActorSpan(sent.start, sent.start, code, "org", None, code)


_LABEL_AID = Trigger(lemma=":", type="AID", mode="money", cameo="071", status="unknown")
_CONTRIBUTION = Trigger(lemma="from", type="AID", mode="money", cameo="071", status="pledged")


def _drop_shadowed(frames: list[Frame]) -> list[Frame]:
    """A verb whose object is itself a trigger noun ("announced the cessation of exports",
    "held talks") yields to the noun's event."""
    nouns = {f.trigger.i for f in frames if f.trigger.pos_ == "NOUN"}
    out = []
    for f in frames:
        if f.trigger.pos_ != "NOUN" and any(c.i in nouns and c.dep_ in {"dobj", "attr"}
                                            for c in f.trigger.children):
            continue
        out.append(f)
    return out


def _has_aid_word(tokens: list[Token], lex: Lexicon) -> bool:
    return any(t.lemma_.lower() in lex.aid_words for t in tokens)


def _aid_mode(items: tuple[Item, ...], default: str | None) -> str | None:
    classes = {i.item_class for i in items}
    if "vaccines" in classes:
        return "vaccines"
    if classes == {"money"} or (classes and classes <= {"money"}):
        return "money"
    if classes and classes <= {"personnel"}:
        return "personnel"
    if classes:
        return "goods"
    return default


def _confidence(source_via: str, target_via: str | None, typ: str, items: tuple[Item, ...],
                group: Unnamed | None, nominal: bool) -> float:
    """How much of the event was read off the sentence's own syntax, as a score.

    Every inference costs: an argument taken from context, a missing recipient, an event
    stated by a noun rather than a verb, a transfer with no item. `aidtrace eval` prints
    how often events in each confidence band are right.
    """
    score = 0.9
    if source_via.startswith(("context", "issuer", "quoted")) or source_via in {"label", "speaker"}:
        score -= 0.2
    if target_via and target_via.startswith("context"):
        score -= 0.2
    if target_via is None and group is None:
        score -= 0.2
    if nominal:
        score -= 0.1
    if typ in {"AID", "TRADE"} and not items:
        score -= 0.1
    return round(max(0.05, min(0.99, score)), 2)


def _as_date(resolved: ResolvedDate | None) -> date | None:
    if resolved is None:
        return None
    parts = resolved.value.split("-")
    try:
        return date(int(parts[0]), int(parts[1]) if len(parts) > 1 else 1,
                    int(parts[2]) if len(parts) > 2 else 1)
    except ValueError:
        return None
