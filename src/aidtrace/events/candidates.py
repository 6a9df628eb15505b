"""Candidates of the learned extractor: every (sentence, type, source, target) worth asking.

Rules make the net and a trained model decides (``events/model.py``). The net is wide on
purpose — a gold event the candidates miss can never be found — so a sentence is a
candidate for every type whose cue word it holds (``ontology/data/cues.yaml`` plus the
trigger lexicon), and its actors are those it names, those of the sentences just before
it, the headline's, the issuing government's and the article's most mentioned ones. Each
argument that does not come from the sentence itself says where it came from (a
``ctx=...`` feature), so the model can learn how far each kind of context is trusted.

Features are strings (crossed with the event type) read off the spaCy parse: the
dependency path between the cue and the mention, the preposition that governs the
mention, distance, mention kind and sector, negation and modality cues, and what the rule
extractor said about the same sentence. None of them names an article, a URL or a
sentence; lemma features are kept only when they occur in several training articles
(``model.py`` prunes them).
"""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml
from spacy.tokens import Doc, Span, Token

from ..errors import DataFileError
from ..models import EVENT_TYPES, Article, Event
from ..nlp.mentions import ActorSpan
from ..ontology.lexicon import DATA, Lexicon
from .aid import HYPOTHETICAL_AUX, numbers
from .layout import is_list_line

CONTEXT_BACK = 8  # sentences before this one whose actors' mentions are features
SALIENT = 3  # the article's most mentioned actors: features of every sentence
# An actor absent from the sentence is paired only when it is in one of these places: out of
# fold, actors of sentences 2-8 back and the third most mentioned one were 2% of the positive
# candidates (27 of 1275) and 40% of the rows, so they cost more time than they find
POOL_CONTEXT = ("prev<=1", "prev<=2", "prev<=4", "title", "outlet", "salient0", "salient1")
INHERIT_BACK = 3  # a sentence with actors but no cue (a list line) takes the types of the
# last cue sentence, when at most this many sentences with actors came between (sub-headings
# without actors, "(Africa: 25 countries)", do not count)
ACTOR_KINDS = {"state", "org", "group", "capital", "demonym", "person", "role", "pronoun"}
SYMMETRIC = {"CONSULT"}


@dataclass(frozen=True)
class ParsedArticle:
    """What the learned extractor reads: the parse, the mentions and the rules' events."""

    article: Article
    doc: Doc
    mentions: list[ActorSpan]
    outlet: ActorSpan | None
    title_codes: tuple[str, ...]
    rule_events: list[Event]


@dataclass
class Candidate:
    sentence: int
    type: str
    source: str
    target: str | None
    trigger: int  # token index of the cue nearest the arguments (the evidence's trigger)
    # the features, in blocks: most blocks are shared by every pair of a sentence and type
    # (or by every pair one mention is in) and are the same list object, so that mapping
    # them to model columns is done once per block (``model.features_matrix``)
    parts: tuple[list[str], ...] = ()
    rule_key: bool = False  # the rule extractor coded this key in this sentence
    heading: int | None = None  # a list line's: the sentence whose cues it inherits

    @property
    def features(self) -> list[str]:
        return [f for part in self.parts for f in part]

    @property
    def key(self) -> tuple[str, str, str | None]:
        if self.type in SYMMETRIC and self.target is not None:
            a, b = sorted([self.source, self.target])
            return (self.type, a, b)
        return (self.type, self.source, self.target)


@cache
def cue_types(extra_dirs: tuple[Path, ...] = ()) -> dict[str, frozenset[str]]:
    """lemma -> the types it can cue (cues.yaml, then the same file in ``extra_dirs``)."""
    out: dict[str, set[str]] = defaultdict(set)
    for folder in (DATA, *extra_dirs):
        path = Path(folder) / "cues.yaml"
        if not path.exists():
            continue
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except (OSError, yaml.YAMLError) as exc:
            raise DataFileError(f"{path}: {exc}") from exc
        for typ, words in data.items():
            if typ not in EVENT_TYPES or not isinstance(words, list):
                raise DataFileError(f"{path}: {typ!r}: expected a known type and a list of words")
            for w in words:
                out[str(w).lower()].add(typ)
    return {k: frozenset(v) for k, v in out.items()}


class CandidateFinder:
    """Build once per process; ``find(parsed)`` gives an article's candidates."""

    def __init__(self, lexicon: Lexicon) -> None:
        cues: dict[str, set[str]] = defaultdict(set)
        for lemma, types in cue_types().items():
            cues[lemma] |= types
        for lemma, spec in list(lexicon.verbs.items()) + list(lexicon.nouns.items()):
            cues[lemma].add(spec.type)
        for ph in lexicon.phrases:
            cues[ph.lemma].add(ph.type)
        self.cues = {k: frozenset(v) for k, v in cues.items()}
        self.trigger_words = lexicon.trigger_words

    def find(self, parsed: ParsedArticle) -> list[Candidate]:
        doc = parsed.doc
        sents = list(doc.sents)
        sent_of = {s.start: i for i, s in enumerate(sents)}
        by_sent: list[dict[str, list[ActorSpan]]] = [defaultdict(list) for _ in sents]
        kinds: dict[str, str] = {}
        for m in parsed.mentions:
            if m.code and m.kind in ACTOR_KINDS:
                by_sent[sent_of[doc[m.start].sent.start]][m.code].append(m)
                if m.kind in {"state", "org", "group"}:
                    kinds.setdefault(m.code, m.kind)
        counts = Counter(m.code for m in parsed.mentions if m.code)
        salient = [c for c, _ in counts.most_common(SALIENT)]
        outlet = parsed.outlet.code if parsed.outlet is not None else None
        rules = _rule_index(parsed.rule_events)
        quoted = _quoted_tokens(doc)
        syn = _Syntax(doc)
        out: list[Candidate] = []
        heading: dict[str, list[int]] = {}  # the cues of the last sentence that had some
        heading_si = 0  # and that sentence
        lines_since = 0  # sentences with actors since then
        for si, sent in enumerate(sents):
            cue_toks = self._cues(sent)
            own = bool(cue_toks)
            if own:
                heading, heading_si, lines_since = cue_toks, si, 0
            elif by_sent[si] and heading:
                lines_since += 1
                if lines_since <= INHERIT_BACK:
                    cue_toks = {t: [] for t in heading}  # a list line under its heading
            if not cue_toks:
                continue
            here = by_sent[si]
            ctx: dict[str, list[str]] = defaultdict(list)
            for back in range(1, CONTEXT_BACK + 1):
                if si - back < 0:
                    break
                for code in by_sent[si - back]:
                    ctx[code].append("prev" + _bucket(back, (1, 2, 4)))
            for code in parsed.title_codes:
                ctx[code].append("title")
            if outlet:
                ctx[outlet].append("outlet")
            for rank, code in enumerate(salient):
                ctx[code].append(f"salient{rank}")
            pool = list(dict.fromkeys(list(here) + [code for code, tags in ctx.items()
                                                     if any(t in POOL_CONTEXT for t in tags)]))
            text = sent.text
            sfeats = self._sentence_features(sent, text, si, len(sents), here, doc, parsed)
            sfeats += sorted({f"bow={t.lemma_.lower()}" for t in sent
                              if t.pos_ in {"VERB", "NOUN"} and t.is_alpha})
            for typ, toks in cue_toks.items():
                # what every pair of this sentence and type shares is crossed once, here
                roles = {code: self._role(code, here.get(code), ctx.get(code, []),
                                          code == outlet, kinds.get(code), quoted)
                         for code in pool}
                as_source = {code: _cross(typ, ["S:" + x for x in r]) for code, r in roles.items()}
                as_target = {code: _cross(typ, ["T:" + x for x in r]) for code, r in roles.items()}
                as_target[None] = _cross(typ, ["T:none"])
                shared = _cross(typ, sfeats + [f"cue={doc[t].lemma_.lower()}" for t in toks] +
                                ([] if own else ["inherited"]))
                for s in pool:
                    for t in pool + [None]:
                        if s == t or (here and s not in here and t not in here):
                            continue
                        if not own and s in here and t in here:
                            continue  # both in a list line: no positive among 1,470 such rows
                        c = self._candidate(si, typ, s, t, here, rules, toks, sent, syn)
                        c.parts = (shared, as_source[s], as_target[t], *c.parts)
                        c.heading = None if own else heading_si
                        out.append(c)
        return out

    # -- pieces ---------------------------------------------------------------------
    def _cues(self, sent: Span) -> dict[str, list[int]]:
        found: dict[str, list[int]] = defaultdict(list)
        for tok in sent:
            if tok.pos_ not in {"VERB", "NOUN", "ADJ", "PROPN", "AUX", "ADV", "ADP"}:
                continue
            for typ in sorted(self.cues.get(tok.lemma_.lower(), ()) or self.cues.get(tok.lower_, ())):
                found[typ].append(tok.i)  # sorted: set order varies between processes
        return dict(sorted(found.items()))

    @staticmethod
    def _sentence_features(sent: Span, text: str, si: int, n: int,
                           here: dict[str, list[ActorSpan]], doc: Doc,
                           parsed: ParsedArticle) -> list[str]:
        f = [f"pos={_bucket(si, (0, 2, 6, 15))}", f"nact={_bucket(len(here), (0, 1, 2, 4))}"]
        moneys, quantities = numbers(text)
        if moneys:
            f.append("money")
        if quantities:
            f.append("qty")
        low = text.lower()
        if any(t.dep_ == "neg" for t in sent):
            f.append("neg")
        if any(t.lower_ in HYPOTHETICAL_AUX and t.dep_ == "aux" for t in sent):
            f.append("modal")
        if any(t.lower_ in {"will", "'ll", "shall"} for t in sent):
            f.append("future")
        if "?" in low:
            f.append("question")
        if "“" in text or '"' in text:
            f.append("quote")
        if is_list_line(parsed.article.text, sent.start_char) or text.rstrip().endswith(":"):
            f.append("listline")
        if len(sent) < 8:
            f.append("short")
        return f

    @staticmethod
    def _role(code: str, mentions: list[ActorSpan] | None, ctx: list[str], is_outlet: bool,
              kind: str | None, quoted: set[int]) -> list[str]:
        """How one actor stands to the sentence, as features: where it comes from (the
        sentence itself or which context), what kind of actor it is, whether quoted."""
        f = [f"ctx={c}" for c in ctx]
        if is_outlet:
            f.append("is_outlet")
        if kind:
            f.append(f"akind={kind}")
        if not mentions:
            f.append("absent")
            return f
        f.append("present")
        if all(m.start in quoted for m in mentions):
            f.append("quoted")
        f.append(f"nment={_bucket(len(mentions), (1, 2))}")
        return f

    def _candidate(self, si: int, typ: str, s: str, t: str | None,
                   here: dict[str, list[ActorSpan]], rules: dict, toks: list[int], sent: Span,
                   syn: _Syntax) -> Candidate:
        """One pair against the type's cues: the features of this pair alone (the mention
        nearest the shared cue read against it, the pair's relations, what the rules said
        of it), crossed with the type. ``find`` adds what the pair shares with its sentence."""
        sm, tm = here.get(s), here.get(t) if t else None
        cue, sbest, tbest = _anchor(syn, sm, tm, toks)
        trigger = cue if cue is not None else sent.root.i
        f: list[str] = []
        sdep, spath = "rel=ctx", "up=ctx"
        tdep, tpath = ("rel=ctx", "up=ctx") if t else ("rel=none", "up=none")
        if sbest is not None:
            sdep, spath = syn.relation(sbest, cue)
        if tbest is not None:
            tdep, tpath = syn.relation(tbest, cue)
        lemma = syn.lemma(cue)
        f.append(f"ST:{sdep}|{tdep}")
        f.append(f"ST:{spath}|{tpath}")
        f.append(f"anchor={lemma}")
        f.append(f"anchor={lemma}|S:{sdep}")
        f.append(f"anchor={lemma}|T:{tdep}")
        f.append(f"anchor={lemma}|S:{spath}")
        f.append(f"anchor={lemma}|T:{tpath}")
        if sm and tm:
            f.append("order=" + ("st" if sm[0].start < tm[0].start else "ts"))
            if _same_list(syn, sbest, tbest):
                f.append("same_list")
        key = (typ, s, t)
        rev = (typ, t, s)
        rule_key = key in rules["sent"].get(si, ())
        if rule_key:
            f.append("rule=key_sent")
        elif key in rules["art"]:
            f.append("rule=key_art")
        if t is not None and rev in rules["sent"].get(si, ()):
            f.append("rule=rev_sent")
        if (typ, s) in rules["src"].get(si, ()):
            f.append("rule=src_sent")
        if (typ, t) in rules["tgt"].get(si, ()):
            f.append("rule=tgt_sent")
        if typ in rules["type"].get(si, ()):
            f.append("rule=type_sent")
        if any((typ, s) in rules["src"].get(si - b, ()) for b in (1, 2, 3)):
            f.append("rule=src_prev")  # the same actor gave this type just before
        if tm and any((typ, s, p) in rules["sent"].get(si, ())
                      for p in syn.partners(tm, here) if p != t):
            f.append("rule=list_partner")  # another member of the target's list is coded
        parts = [syn.crossed_pair(typ, tuple(f))]
        if sbest is not None:
            parts.append(syn.crossed(typ, "S:", sbest, cue))
        if tbest is not None:
            parts.append(syn.crossed(typ, "T:", tbest, cue))
        return Candidate(si, typ, s, t, trigger, tuple(parts), rule_key)


def _cross(typ: str, feats: list[str]) -> list[str]:
    """Each feature for this type, and (but for word identities, which only mean something
    with their type) for every type: the model shares what a relation means across types."""
    return [f"{typ}|{x}" for x in feats] + \
        [f"*|{x}" for x in feats if not x.startswith(("cue=", "anchor=", "bow="))]


# -- syntax of one mention against the cues ------------------------------------------------
class _Syntax:
    """Per-article memo of the tree work: a mention's root, its tree distance to a cue and
    its features against a cue are each computed once, not once per candidate pair (an
    actor meets every other actor of its sentence)."""

    def __init__(self, doc: Doc) -> None:
        self.doc = doc
        self.roots: dict[int, Token] = {}
        self.nearest_memo: dict[tuple[int, int], tuple[int, ActorSpan]] = {}
        self.features_memo: dict[tuple[int, int | None], list[str]] = {}
        self.partners_memo: dict[int, set[str]] = {}
        self.crossed_memo: dict[tuple, list[str]] = {}
        self.pair_memo: dict[tuple, list[str]] = {}
        self.relation_memo: dict[tuple[int, int | None], tuple[str, str]] = {}
        self.lemmas: dict[int, str] = {}

    def root(self, m: ActorSpan) -> Token:
        """The token that stands for a mention in the tree: its root, or, for a member of
        a coordination ("France, Germany and Spain"), the coordination's first member, so
        that every member of a list is read against the cue as the list is."""
        r = self.roots.get(m.start)
        if r is None:
            r = self.doc[m.start:m.end].root
            for _ in range(8):
                if r.dep_ != "conj" or r.head.i == r.i:
                    break
                r = r.head
            self.roots[m.start] = r
        return r

    def nearest(self, ms: list[ActorSpan], cue: int) -> tuple[int, ActorSpan]:
        """The mention of one actor (``ms``: its mentions in the sentence) nearest a cue."""
        k = (ms[0].start, cue)
        hit = self.nearest_memo.get(k)
        if hit is None:
            c = self.doc[cue]
            hit = min(((_tree_distance(self.root(m), c), m) for m in ms),
                      key=lambda dm: (dm[0], dm[1].start))
            self.nearest_memo[k] = hit
        return hit

    def partners(self, ms: list[ActorSpan], here: dict[str, list[ActorSpan]]) -> set[str]:
        """The actors of the sentence (``here``) in one coordination with one of ``ms`` (an
        actor's mentions there): once per actor and sentence, not once per pair."""
        k = ms[0].start
        found = self.partners_memo.get(k)
        if found is None:
            roots = {self.root(m).i for m in ms}
            found = self.partners_memo[k] = {code for code, others in here.items()
                                             if any(self.root(o).i in roots for o in others)}
        return found

    def features(self, m: ActorSpan, cue: int | None) -> list[str]:
        k = (m.start, cue)
        f = self.features_memo.get(k)
        if f is None:
            f = self.features_memo[k] = _syntax(self.doc, self.root(m), m, cue)
        return f

    def crossed(self, typ: str, role: str, m: ActorSpan, cue: int | None) -> list[str]:
        """A mention's features against a cue, in a role ("S:", "T:"), crossed with the type."""
        k = (typ, role, m.start, cue)
        f = self.crossed_memo.get(k)
        if f is None:
            f = self.crossed_memo[k] = _cross(typ, [role + x for x in self.features(m, cue)])
        return f

    def crossed_pair(self, typ: str, feats: tuple[str, ...]) -> list[str]:
        """A pair's own features crossed with the type: many pairs of an article have the
        same ones, and share the list (and its columns in ``model.features_matrix``)."""
        k = (typ, feats)
        f = self.pair_memo.get(k)
        if f is None:
            f = self.pair_memo[k] = _cross(typ, list(feats))
        return f

    def relation(self, m: ActorSpan, cue: int | None) -> tuple[str, str]:
        """The mention's ``rel=`` and ``up=`` features (its link to the clause, its first
        steps up to the cue), which the pair features combine."""
        k = (m.start, cue)
        hit = self.relation_memo.get(k)
        if hit is None:
            f = self.features(m, cue)
            hit = self.relation_memo[k] = (next(x for x in f if x.startswith("rel=")),
                                           next((x for x in f if x.startswith("up=")), "up=ctx"))
        return hit

    def lemma(self, cue: int | None) -> str:
        if cue is None:
            return "-"
        lem = self.lemmas.get(cue)
        if lem is None:
            lem = self.lemmas[cue] = self.doc[cue].lemma_.lower()
        return lem


def _anchor(syn: _Syntax, sm: list[ActorSpan] | None, tm: list[ActorSpan] | None,
            cues: list[int]) -> tuple[int | None, ActorSpan | None, ActorSpan | None]:
    """One cue for the pair — the one closest (in the tree) to both mentions — and the
    mention of each actor nearest to it: both arguments are read against one trigger."""
    best: tuple[int, int | None, ActorSpan | None, ActorSpan | None] | None = None
    for c in cues or [None]:
        cost, picks = 0, []
        for ms in (sm, tm):
            if not ms:
                picks.append(None)
                continue
            if c is None:
                picks.append(ms[0])
                continue
            d, m = syn.nearest(ms, c)
            cost += d
            picks.append(m)
        if best is None or cost < best[0]:
            best = (cost, c, picks[0], picks[1])
    assert best is not None
    return best[1], best[2], best[3]


def _tree_distance(a: Token, b: Token) -> int:
    up, down = _path(a, b)
    return len(up) + (len(down) if down != ["far"] else 12)


def _syntax(doc: Doc, r: Token, m: ActorSpan, cue: int | None) -> list[str]:
    """Features of a mention (``r``: its root) against the pair's cue: its dependency
    relation, the preposition that governs it, the path to the cue, the distance."""
    f = [f"mkind={m.kind}", f"sector={m.sector or '-'}", f"rel={_relation(r)}"]
    if r.i not in range(m.start, m.end):
        f.append("in_list")
    if r.dep_ in {"poss", "compound", "amod", "nmod"}:
        f.append(f"modhead={r.head.dep_}")
    if cue is None:
        return f
    c = doc[cue]
    dist = r.i - c.i
    f.append(f"dist={'-' if dist < 0 else '+'}{_bucket(abs(dist), (1, 3, 6, 12))}")
    up, down = _path(r, c)
    f.append(f"path={'>'.join(up[:4])}^{'<'.join(down[:3])}")
    f.append(f"up={'>'.join(up[:2])}")
    f.append(f"tree={_bucket(len(up) + len(down), (1, 2, 3, 5))}")
    if not down:
        f.append("cue_governs")
        f.append(f"cue_rel={_relation(r)}|{c.pos_}")
    f.append(f"cuepos={c.pos_}")
    if any(ch.dep_ == "neg" for ch in c.children):
        f.append("cue_neg")
    if any(ch.dep_ == "aux" and ch.lower_ in HYPOTHETICAL_AUX for ch in c.children):
        f.append("cue_modal")
    f.append(f"cuedep={c.dep_}")
    return f


def _relation(r: Token) -> str:
    """nsubj, dobj, pobj:to, poss ... — the mention's link to the clause."""
    if r.dep_ == "pobj":
        return f"pobj:{r.head.lower_}"
    if r.dep_ == "conj":
        head = r.head
        for _ in range(5):
            if head.dep_ != "conj":
                break
            head = head.head
        return f"conj:{_relation(head) if head.dep_ != 'conj' else head.dep_}"
    return r.dep_


def _path(a: Token, b: Token) -> tuple[list[str], list[str]]:
    """Dependency labels from ``a`` up to the common ancestor, and from ``b`` up to it."""
    anc_b = {b.i: 0}
    node = b
    chain_b = [b]
    while node.head.i != node.i and len(chain_b) < 12:
        node = node.head
        chain_b.append(node)
        anc_b[node.i] = len(chain_b) - 1
    up = []
    node = a
    for _ in range(12):
        if node.i in anc_b:
            down = [t.dep_ for t in chain_b[:anc_b[node.i]]]
            return up, down
        up.append(node.dep_)
        if node.head.i == node.i:
            break
        node = node.head
    return up, ["far"]


def _same_list(syn: _Syntax, a: ActorSpan, b: ActorSpan) -> bool:
    return syn.root(a).i == syn.root(b).i


def _quoted_tokens(doc: Doc) -> set[int]:
    inside, out = False, set()
    for tok in doc:
        if tok.text in {"“", "”", '"'}:
            inside = tok.text == "“" or (tok.text == '"' and not inside)
            continue
        if inside:
            out.add(tok.i)
    return out


def _rule_index(events: list[Event]) -> dict:
    sent: dict[int, set] = defaultdict(set)
    src: dict[int, set] = defaultdict(set)
    tgt: dict[int, set] = defaultdict(set)
    typ: dict[int, set] = defaultdict(set)
    art = set()
    for e in events:
        s = e.source.code if e.source else None
        t = e.target.code if e.target else None
        si = e.evidence.sentence_index
        sent[si].add((e.type, s, t))
        src[si].add((e.type, s))
        tgt[si].add((e.type, t))
        typ[si].add(e.type)
        art.add((e.type, s, t))
        if e.type in SYMMETRIC:
            sent[si].add((e.type, t, s))
            art.add((e.type, t, s))
    return {"sent": sent, "src": src, "tgt": tgt, "type": typ, "art": art}


def _bucket(n: int, edges: tuple[int, ...]) -> str:
    for e in edges:
        if n <= e:
            return f"<={e}"
    return f">{edges[-1]}"
