"""Money amounts and counted quantities read from plain text, with character offsets.

The extractor calls these on sentence text and maps the offsets back onto the document,
so every span slices back to what it was read from (``text[m.start:m.end] == m.text``).
No spaCy here: news writes amounts in a small set of shapes ("$32 million", "USD 1.2bn",
"nine-hundred-fifty-million dollars", "146,000 kilograms of supplies") that a token scan
reads more reliably than a tagger trained on other text.

Decisions:
- A span covers the amount, not its qualifier: "more than $575 million" gives the span
  "$575 million" with ``qualifier="at_least"``. A quantity's span runs from the number to
  its counted noun ("30 tons of masks", "more than 60 UK ... responders" without "more than").
- A number is money only with a currency, and a quantity only with a unit or a counted
  noun. Codes (COVID-19, G-7, C-17, FFP2, N95, Resolution 2254), years, dates, times,
  percentages and ordinals are neither; a year-like number counts only when a known unit
  or noun follows it directly ("2000 tents").
- Vague counts ("hundreds of tons", "dozens of doctors", "tens of thousands of people")
  are quantities with ``value=None``: a made-up lower bound would be added up later as if
  it had been reported. Vague money ("millions of dollars") is not money.
- "a"/"an" counts as one only for teams and flights ("sent a rescue team", "a plane"),
  where news gives no other count; "a single" and "one" count for any known noun.
- Weights become tons (kg / 1000; "pounds of" as lb). A part without a noun takes its
  whole's: "80 million of the 100 million doses" gives 80 million doses.
- "¥" is read as JPY and "Rs" as INR; when the text names the currency ("10 million yuan",
  "Pakistani rupees") the words win.
"""
from __future__ import annotations

import functools
import math
import re
from dataclasses import dataclass
from datetime import date, datetime

from currency_converter import CurrencyConverter, RateNotFoundError

__all__ = ["Money", "Quantity", "find_money", "find_numbers", "find_quantities", "parse_number", "to_usd",
           "unit_for_noun"]


@dataclass(frozen=True)
class Money:
    start: int
    end: int
    text: str
    amount: float
    currency: str  # ISO 4217
    qualifier: str | None = None  # about, at_least, up_to; None = exact


@dataclass(frozen=True)
class Quantity:
    start: int
    end: int
    text: str
    value: float | None  # None for vague counts ("hundreds of tons")
    unit: str | None  # tons, doses, pieces, sets, teams, people, flights, or the text's (litres)
    noun: str | None  # the counted noun as written
    qualifier: str | None = None


# --- counted nouns ----------------------------------------------------------------------
# Keys are singular; unit_for_noun strips plural endings. Why each group maps where it does:
UNIT_FOR_NOUN: dict[str, str] = {
    # Vaccines are reported in doses whatever the noun: "9 million vaccines" means doses.
    **dict.fromkeys(["dose", "vaccine", "jab", "shot"], "doses"),
    # Every weight becomes tons so that shipments add up; find_quantities scales kg and lb.
    **dict.fromkeys(["ton", "tonne", "kilogram", "kilogramme", "kilo", "kg", "lb"], "tons"),
    # Protective clothing is counted in sets (gown, cap, overshoes), not pieces.
    "set": "sets",
    # Teams are sent as teams; their head count is rarely given.
    **dict.fromkeys(["team", "crew", "squad"], "teams"),
    # A plane or an airlift is one delivery of goods, so it counts as a flight.
    **dict.fromkeys(["flight", "plane", "airplane", "aeroplane", "aircraft", "airlift",
                     "sortie", "airdrop"], "flights"),
    # People sent (or helped) are counted one by one.
    **dict.fromkeys(["people", "person", "doctor", "nurse", "medic", "paramedic", "physician",
                     "surgeon", "epidemiologist", "engineer", "expert", "responder", "rescuer",
                     "worker", "staff", "personnel", "troop", "soldier", "sailor", "marine",
                     "volunteer", "specialist", "officer", "adviser", "advisor", "technician",
                     "firefighter", "police", "policeman", "member", "citizen", "civilian",
                     "resident", "refugee", "evacuee", "migrant", "survivor", "victim",
                     "patient", "individual", "child", "children", "woman", "women", "man",
                     "men"], "people"),
    # Everything else counted one by one is in pieces, the design's name for a count of
    # things: small items, kits (a test kit is one piece of issue), and vehicles and big
    # equipment alike (the corpus rulings: the design's unit wherever one fits).
    **dict.fromkeys(["kit", "helicopter", "ship", "vessel", "boat", "truck", "lorry", "vehicle",
                     "ambulance", "tent", "generator", "container", "pump", "bed", "hospital",
                     "unit", "mask", "respirator", "glove", "gown", "goggle", "shield", "test",
                     "lantern", "blanket", "syringe", "vial", "ventilator", "thermometer",
                     "tarpaulin", "net", "coverall", "mattress", "piece", "item", "bottle",
                     "jerrycan", "parcel", "package", "box", "bag",
                     "ration", "meal", "pair", "pack"], "pieces"),
    # Measures and loads that no design unit fits keep the text's unit, as a lower-case
    # plural (the corpus rulings): "3,000 litres of disinfectant", "12 pallets of food".
    **{"litre": "litres", "liter": "litres", "gallon": "gallons", "roll": "rolls",
       "pallet": "pallets", "truckload": "truckloads", "carton": "cartons", "sack": "sacks"},
}
# Words between "of" and the whole a part is taken from: "of the 100 million", "of these doses"
_PART_OF = {"the", "these", "those", "its", "their", "our", "this", "that"}
# Counted words whose "of" phrase names the goods: "37.5 million sets of protective clothing".
_CONTAINERS = {"set", "dose", "piece", "unit", "item", "box", "carton", "bag", "sack",
               "package", "parcel", "bottle", "pallet", "pack", "pair", "vial", "kit", "team",
               "crew", "litre", "liter", "gallon", "roll", "truckload"}
# Weights, as tons per unit. "t" counts only glued ("18t") or before "of"; "pounds" only
# before "of" (otherwise it is money).
_TONS_PER = {**dict.fromkeys(["ton", "tons", "tonne", "tonnes", "t"], 1.0),
             **dict.fromkeys(["kg", "kgs", "kilo", "kilos", "kilogram", "kilograms",
                              "kilogramme", "kilogrammes"], 0.001),
             **dict.fromkeys(["lb", "lbs", "pound", "pounds"], 0.00045359237)}
# Nouns after a number that measure time, distance or scale rather than count goods.
_MORE = {"more", "additional", "extra", "further", "new", "fresh"}
# "a 64-strong team", "a 60-member rescue team": the size is the number of people
_SIZED_TEAM = re.compile(r"\b(\d[\d,]*)-(?:strong|member|person|man|woman)\b[^.;:]{0,40}?"
                         r"\b(?:team|contingent|unit|delegation|crew|mission|squad)s?\b", re.I)
_NOT_COUNTED = {"year", "years", "month", "months", "week", "weeks", "day", "days", "hour",
                "hours", "minute", "minutes", "second", "seconds", "decade", "decades",
                "century", "centuries", "percent", "pct", "per", "percentage", "point",
                "points", "time", "times", "magnitude", "degree", "degrees", "km", "kilometre",
                "kilometres", "kilometer", "kilometers", "mile", "miles", "metre", "metres",
                "meter", "meters", "feet", "foot", "inch", "inches", "cm", "mm", "hectare",
                "hectares", "acre", "acres", "square", "am", "pm", "gmt", "utc", "cent",
                "cents", "fold", "mph", "knots", "half", "halves", "third", "thirds",
                "quarter", "quarters", "fifth", "fifths", "dollar", "dollars", "euro", "euros",
                "pound", "pounds", "sterling", "yen", "yuan", "renminbi", "rupee", "rupees",
                "franc", "francs", "hundred", "thousand", "million", "billion", "trillion"}
# Plural words that are also their own singular, so a following noun cannot be their head.
_UNCHANGED_PLURALS = {"people", "staff", "personnel", "police", "children", "women", "men"}
# Words that end a noun phrase after a number.
_STOP = {"to", "of", "for", "from", "in", "on", "at", "by", "with", "were", "was", "are", "is",
         "be", "been", "being", "have", "has", "had", "will", "would", "could", "should", "may",
         "might", "can", "must", "that", "which", "who", "whom", "whose", "this", "these",
         "those", "it", "its", "their", "his", "her", "our", "your", "the", "a", "an", "as",
         "than", "each", "while", "since", "into", "onto", "via", "through", "including",
         "worth", "more", "less", "over", "under", "or", "but", "if", "so", "not", "also",
         "only", "about", "after", "before", "during", "across", "between", "among",
         "against", "toward", "towards", "out", "up", "down", "off", "last", "next", "ago",
         "later", "earlier", "yet", "still", "already", "now", "then", "there", "here", "when",
         "where", "how", "what", "all", "both", "some", "any", "most", "other", "another",
         "such", "same", "own", "and", "did", "do", "does", "says", "said", "goes", "comes",
         "remains", "seems", "means", "thus", "plus", "per", "nor", "either", "neither"}
_NOT_PLURAL = {"always", "perhaps", "afterwards", "besides", "sometimes", "whereas", "unless",
               "various", "numerous", "previous", "serious", "nevertheless", "news", "series",
               "species", "politics", "economics", "lens", "gas", "bus", "yes"}
_LABELS = {"resolution", "article", "section", "chapter", "paragraph", "clause", "rule", "act",
           "decree", "directive", "regulation", "protocol", "flight", "route", "highway",
           "road", "room", "gate", "terminal", "platform", "page", "volume", "vol", "issue",
           "no", "nos", "number", "category", "level", "phase", "stage", "grade", "class",
           "type", "model", "mark", "mk", "battalion", "brigade", "regiment", "division",
           "corps", "squadron", "fleet", "ward", "building", "block", "box", "apollo",
           "boeing", "airbus", "antonov", "ilyushin", "tupolev", "covid", "sars", "agenda",
           "vision", "windows", "iphone", "game", "episode", "season", "week", "day", "year"}
_MONTHS = {"january", "february", "march", "april", "may", "june", "july", "august",
           "september", "october", "november", "december", "jan", "feb", "mar", "apr", "jun",
           "jul", "aug", "sep", "sept", "oct", "nov", "dec"}

# --- number words -----------------------------------------------------------------------
# Hand-written: neither word2number nor text2num is pinned, and news needs VOA's
# "nine-hundred-fifty-million" and "four- billion" shapes that they do not promise.
_SMALL = {w: i for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen".split())}
_TENS = {w: 10 * i for i, w in enumerate(
    "twenty thirty forty fifty sixty seventy eighty ninety".split(), start=2)}
_SCALES = {"thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12, "lakh": 1e5,
           "crore": 1e7}
_SHORT_SCALES = {"k": 1e3, "m": 1e6, "mn": 1e6, "mln": 1e6, "b": 1e9, "bn": 1e9, "tn": 1e12}
_VAGUE = {"dozens", "scores", "hundreds", "thousands", "millions", "billions", "tens"}
# The words a number, a vague count or "a rescue team" can begin with (see _words_at,
# _vague_at and find_quantities); any other word starts nothing.
_NUMBER_HEADS = frozenset(_SMALL) | frozenset(_TENS) | _VAGUE | {"a", "an", "half"}
_CURRENCY_HEADS = frozenset("$£€¥₹₩₽₺₱")
_DIGITS_RE = re.compile(r"[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]+)?|[0-9]+(?:\.[0-9]+)?")
_DOTTED_THOUSANDS_RE = re.compile(r"[0-9]{1,3}(?:\.[0-9]{3}){2,}")  # 1.100.000
_TOKEN_RE = re.compile(r"[0-9]+(?:[.,][0-9]+)*|[^\W\d_]+|\S")
_TIME_RE = re.compile(r"\s*(?:[ap]\.m\.|[ap]m\b|o'clock|GMT\b|UTC\b|hrs\b)", re.I)
_PERCENT_RE = re.compile(r"\s*(?:%|percent\b|per\s*cent\b|pct\b|percentage\b)", re.I)

# --- currencies -------------------------------------------------------------------------
_ISO_CODES = {"USD", "EUR", "GBP", "JPY", "CNY", "AUD", "CAD", "CHF", "INR", "NZD", "HKD",
              "SGD", "KRW", "RUB", "BRL", "ZAR", "MXN", "SEK", "NOK", "DKK", "PLN", "THB",
              "IDR", "MYR", "PHP", "PKR", "AED", "SAR", "ILS", "CZK", "HUF", "RON", "BGN",
              "ISK", "KWD", "QAR", "EGP", "NGN", "KES", "BDT"}  # TRY left out: it is a word
_PREFIXES = [(re.compile(p), c) for p, c in [
    (r"(?:US|U\.S\.)\s?\$", "USD"), (r"(?:AU|A)\$", "AUD"), (r"(?:CA|C)\$", "CAD"),
    (r"NZ\$", "NZD"), (r"HK\$", "HKD"), (r"S\$", "SGD"), (r"R\$", "BRL"), (r"\$", "USD"),
    (r"£", "GBP"), (r"€", "EUR"), (r"(?:CN¥|RMB)", "CNY"), (r"(?:JP)?¥", "JPY"),
    (r"(?:₹|Rs\.?)(?![A-Za-z])", "INR"), (r"₩", "KRW"), (r"₽", "RUB"), (r"₺", "TRY"),
    (r"₱", "PHP"), (r"SFr\.?", "CHF"), (r"[A-Z]{3}(?![A-Za-z])", "")]]  # "" = the ISO code
# The words a prefix of _PREFIXES can begin with, as _TOKEN_RE cuts them ("US$" -> "US", "$")
_PREFIX_HEADS = frozenset({"US", "U", "AU", "A", "CA", "C", "NZ", "HK", "S", "R", "CN", "RMB",
                           "JP", "Rs", "SFr"}) | _ISO_CODES
_SUFFIXES = [(re.compile(r"(?:\s+|\s*-\s*)(?:" + p + r")(?![\w])", re.I), c, scaled)
             for p, c, scaled in [
    (r"(?:U\.S\.|US|American|United\s+States)\s+dollars?", "USD", False),
    (r"Australian\s+dollars?", "AUD", False), (r"Canadian\s+dollars?", "CAD", False),
    (r"New\s+Zealand\s+dollars?", "NZD", False), (r"Hong\s+Kong\s+dollars?", "HKD", False),
    (r"Singapore\s+dollars?", "SGD", False), (r"dollars?", "USD", False),
    (r"euros?", "EUR", False),
    (r"(?:pounds?\s+sterling|sterling|British\s+pounds?|pounds?(?!\s+of\b))", "GBP", False),
    (r"(?:Japanese\s+)?yen", "JPY", False), (r"(?:Chinese\s+)?(?:yuan|renminbi)", "CNY", False),
    (r"Swiss\s+francs?", "CHF", False), (r"Pakistani\s+rupees?", "PKR", False),
    (r"(?:Indian\s+)?rupees?", "INR", False), (r"(?:South\s+)?Korean\s+won", "KRW", False),
    (r"won", "KRW", True), (r"(?:Russian\s+)?(?:roubles?|rubles?)", "RUB", False),
    (r"(?:Turkish\s+)?lira", "TRY", False), (r"baht", "THB", False),
    (r"ringgit", "MYR", False), (r"rupiah", "IDR", False), (r"Mexican\s+pesos?", "MXN", False),
    (r"Philippine\s+pesos?", "PHP", False), (r"(?:Swedish\s+)?kronor", "SEK", False),
    (r"Norwegian\s+kroner", "NOK", False), (r"Danish\s+kroner", "DKK", False),
    (r"zloty", "PLN", False), (r"shekels?", "ILS", False), (r"dirhams?", "AED", False),
    (r"riyals?", "SAR", False), (r"(?:Brazilian\s+)?reais", "BRL", False)]]
_SUFFIX_ISO_RE = re.compile(r"\s+([A-Z]{3})(?![A-Za-z])")

_QUALIFIER_WORDS = {
    "about": ["approximately", "approx.", "about", "around", "roughly", "some", "nearly",
              "almost", "close to", "an estimated", "estimated", "circa"],
    "at_least": ["more than", "over", "at least", "upwards of", "in excess of",
                 "no fewer than", "no less than", "not less than"],
    "up_to": ["up to", "as much as", "as many as", "no more than", "not more than",
              "less than", "fewer than"],
}
_QUALIFIER_OF = {w: q for q, ws in _QUALIFIER_WORDS.items() for w in ws}
# Leftmost match wins, so "no more than" beats "more than".
_QUALIFIER_RE = re.compile(r"(?<![\w])(" + "|".join(
    re.escape(w) for w in _QUALIFIER_OF) + r")\s+$", re.I)


@dataclass(frozen=True)
class _Tok:
    start: int
    end: int
    text: str
    low: str


@dataclass(frozen=True)
class _Num:
    start: int  # token index
    end: int  # token index, exclusive
    value: float | None
    plain_int: bool = False  # digits only: could be a year or a day of the month
    scaled: bool = False


def _tokens(text: str) -> list[_Tok]:
    return [_Tok(m.start(), m.end(), m.group(), m.group().lower())
            for m in _TOKEN_RE.finditer(text)]


def _glued(toks: list[_Tok], i: int) -> bool:
    return 0 < i < len(toks) and toks[i - 1].end == toks[i].start


def _is_code_tail(toks: list[_Tok], i: int) -> bool:
    """True when the number at ``i`` is glued to letters before it: FFP2, G20, COVID-19."""
    if not _glued(toks, i):
        return False
    prev = toks[i - 1].text
    if prev[0].isalnum() or prev in {"/", ":", ".", "#", "_", "@"}:
        return True
    return prev == "-" and _glued(toks, i - 1) and toks[i - 2].text[0].isalnum()


def _digits_at(toks: list[_Tok], i: int, *, after_currency: bool, short: bool) -> _Num | None:
    tok = toks[i]
    if not after_currency and _is_code_tail(toks, i):
        return None
    if _DOTTED_THOUSANDS_RE.fullmatch(tok.text):
        value = float(tok.text.replace(".", ""))
    elif _DIGITS_RE.fullmatch(tok.text):
        value = float(tok.text.replace(",", ""))
    else:
        return None
    plain = tok.text.isdigit()
    j, n = i + 1, len(toks)
    if _glued(toks, j):
        nxt = toks[j]
        if short and nxt.low in _SHORT_SCALES:
            return _Num(i, j + 1, value * _SHORT_SCALES[nxt.low], scaled=True)
        if nxt.text == "-" and _glued(toks, j + 1) and toks[j + 1].low in _SCALES:
            return _Num(i, j + 2, value * _SCALES[toks[j + 1].low], scaled=True)
        if nxt.low in _TONS_PER:
            return _Num(i, j, value, plain_int=plain)  # "18t", "500kg": the unit is read later
        if nxt.text[0].isalnum() or nxt.text in {"-", "/", ":"}:
            return None  # 5th, 10am, 19-member, 2019-20, 4/11, 10:30
    if j < n and (toks[j].low in _SCALES or (short and toks[j].low in {"bn", "mn", "mln"})):
        scale = _SCALES.get(toks[j].low) or _SHORT_SCALES[toks[j].low]
        return _Num(i, j + 1, value * scale, scaled=True)
    return _Num(i, j, value, plain_int=plain)


def _words_at(toks: list[_Tok], i: int) -> _Num | None:
    """Read a number written in words: 'four hundred sixty-six million', 'a dozen'."""
    n = len(toks)

    def after(k: int) -> int:  # the next token, stepping over one joining hyphen
        return k + 2 if k + 2 < n and toks[k + 1].text == "-" else k + 1

    first = toks[i].low
    total = group = small = 0.0
    last: str | None = None
    last_scale = math.inf
    k = i
    if first in {"a", "an", "half"}:
        k = after(i)
        if k >= n:
            return None
        if first == "half":  # "half a million"
            if toks[k].low != "a" or after(k) >= n or toks[after(k)].low not in _SCALES:
                return None
            k2 = after(k)
            return _Num(i, k2 + 1, 0.5 * _SCALES[toks[k2].low], scaled=True)
        if toks[k].low == "single":
            return _Num(i, k + 1, 1.0)
        if toks[k].low not in _SCALES and toks[k].low not in {"hundred", "dozen"}:
            return None
        small, last = 1.0, "a"
    best: _Num | None = None
    while k < n:
        w = toks[k].low
        if w in _SMALL and 0 < _SMALL[w] < 10 and last == "tens":
            small += _SMALL[w]
            last = "unit"
        elif (w in _SMALL or w in _TENS) and last in {None, "hundred", "scale", "and"}:
            small = float(_SMALL.get(w, _TENS.get(w, 0)))
            last = "tens" if w in _TENS else "unit" if _SMALL[w] < 10 else "teen"
        elif w == "hundred" and last in {"unit", "teen", "a"} and group == 0:
            group, small, last = small * 100, 0.0, "hundred"
        elif w in _SCALES and last in {"unit", "teen", "tens", "hundred", "a"} \
                and _SCALES[w] < last_scale:
            total += (group + small) * _SCALES[w]
            group, small, last, last_scale = 0.0, 0.0, "scale", _SCALES[w]
        elif w in _SCALES and last == "scale" and _SCALES[w] > last_scale:
            total *= _SCALES[w]  # "four thousand million": the older British billion
            last_scale = _SCALES[w]
        elif w == "dozen" and last in {"unit", "a"} and group == 0 and total == 0:
            return _Num(i, k + 1, small * 12)
        elif w == "and" and last in {"hundred", "scale"} and k + 1 < n \
                and (toks[k + 1].low in _SMALL or toks[k + 1].low in _TENS):
            last = "and"
        else:
            break
        if last != "and" and last != "a":
            best = _Num(i, k + 1, total + group + small, scaled=last_scale < math.inf)
        k = after(k) if w != "and" else k + 1
    return best


def _vague_at(toks: list[_Tok], i: int) -> _Num | None:
    """'hundreds', 'tens of thousands': a count with no value; an 'of' must follow."""
    n = len(toks)
    if toks[i].low not in _VAGUE or i + 1 >= n or toks[i + 1].low != "of":
        return None
    j = i + 1
    while j + 2 < n and toks[j + 1].low in {"hundreds", "thousands", "millions", "billions"} \
            and toks[j + 2].low == "of":
        j += 2
    return _Num(i, j, None)


def _number_at(toks: list[_Tok], i: int, *, after_currency: bool = False,
               short: bool = False) -> _Num | None:
    if toks[i].text[0].isdigit():
        return _digits_at(toks, i, after_currency=after_currency, short=short)
    return _words_at(toks, i) if toks[i].text[0].isalpha() else None


def parse_number(text: str) -> float | None:
    """The value of ``text`` when all of it is one number ('3.86 billion', 'fifty million',
    '1.2bn'), else None. Vague counts ('hundreds') have no value."""
    toks = _tokens(text)
    if not toks:
        return None
    num = _number_at(toks, 0, after_currency=True, short=True)
    return num.value if num is not None and num.end == len(toks) else None


def _qualifier(text: str, start: int) -> str | None:
    m = _QUALIFIER_RE.search(text, max(0, start - 30), start)
    return _QUALIFIER_OF[re.sub(r"\s+", " ", m.group(1).lower())] if m else None


def _percent_follows(text: str, end: int) -> bool:
    return _PERCENT_RE.match(text, end) is not None


# --- money ------------------------------------------------------------------------------

def _prefix(text: str, pos: int) -> tuple[str, int] | None:
    for rx, code in _PREFIXES:
        m = rx.match(text, pos)
        if m:
            if code:
                return code, m.end()
            if m.group() in _ISO_CODES:
                return m.group(), m.end()
    return None


def _suffix(text: str, end: int, scaled: bool) -> tuple[str, int] | None:
    for rx, code, needs_scale in _SUFFIXES:
        m = rx.match(text, end)
        if m and (scaled or not needs_scale):
            return code, m.end()
    m = _SUFFIX_ISO_RE.match(text, end)
    if m and (m.group(1) in _ISO_CODES or m.group(1) == "RMB"):
        return ("CNY" if m.group(1) == "RMB" else m.group(1)), m.end()
    return None


def _money_at(text: str, toks: list[_Tok], i: int) -> tuple[Money | None, int]:
    """Money starting at token ``i`` and the token index to go on from."""
    head = toks[i].text[0]
    pre = _prefix(text, toks[i].start) if head.isupper() or head in _CURRENCY_HEADS else None
    if pre is not None:
        code, pend = pre
        j = next((k for k in range(i, len(toks)) if toks[k].start >= pend), len(toks))
        gap = text[pend:toks[j].start] if j < len(toks) else "\n"
        near = len(gap) <= 2 and "\n" not in gap and gap.strip() == ""  # "USD 2", "€50"
        num = _number_at(toks, j, after_currency=True, short=True) if near else None
        if num is not None and num.value is not None \
                and not _percent_follows(text, toks[num.end - 1].end):
            end = toks[num.end - 1].end
            suf = _suffix(text, end, num.scaled)
            if suf is not None and suf[0] == code:
                end = suf[1]  # "$5 million dollars"
            start = toks[i].start
            return Money(start, end, text[start:end], num.value, code,
                         _qualifier(text, start)), num.end
    num = _number_at(toks, i, short=True)
    if num is None:
        return None, i + 1
    num_end = toks[num.end - 1].end
    suf = _suffix(text, num_end, num.scaled) if num.value is not None else None
    if suf is None:
        return None, num.end
    start, end = toks[i].start, suf[1]
    j = num.end
    while j < len(toks) and toks[j].start < end:
        j += 1
    return Money(start, end, text[start:end], float(num.value or 0), suf[0],
                 _qualifier(text, start)), j


# Cheap tests that let the readers skip most words; the readers accept nothing else there.
def _may_start_number(tok: _Tok) -> bool:
    return tok.text[0].isdigit() or tok.low in _NUMBER_HEADS


def _may_start_money(tok: _Tok) -> bool:
    return _may_start_number(tok) or tok.text[0] in _CURRENCY_HEADS or tok.text in _PREFIX_HEADS


def _money_in(text: str, toks: list[_Tok]) -> list[Money]:
    found: list[Money] = []
    i = 0
    while i < len(toks):
        if not _may_start_money(toks[i]):
            i += 1
            continue
        money, i = _money_at(text, toks, i)
        if money is not None:
            found.append(money)
    return found


def find_money(text: str) -> list[Money]:
    """Every amount with a currency in ``text``, in order of appearance."""
    return _money_in(text, _tokens(text))


# --- quantities -------------------------------------------------------------------------

def _singular(word: str) -> str | None:
    """The key of UNIT_FOR_NOUN that ``word`` is a form of, if any."""
    for cand in (word, word[:-1] if word.endswith("s") else None,
                 word[:-2] if word.endswith("es") else None,
                 word[:-3] + "y" if word.endswith("ies") else None):
        if cand and cand in UNIT_FOR_NOUN:
            return cand
    return None


def unit_for_noun(noun: str) -> str | None:
    """The unit a counted noun is measured in ('medical teams' -> 'teams'), else None."""
    words = re.findall(r"[^\W\d_]+", noun.lower())
    key = _singular(words[-1]) if words else None
    return UNIT_FOR_NOUN[key] if key else None


def _looks_plural(tok: _Tok) -> bool:
    w = tok.text
    return (w.isalpha() and w.islower() and len(w) >= 4 and w.endswith("s")
            and not w.endswith(("ss", "us", "is")) and w not in _NOT_PLURAL and w not in _STOP)


def _is_head(tok: _Tok, lexicon_only: bool) -> bool:
    if not tok.text.isalpha():
        return False
    return _singular(tok.low) is not None or (not lexicon_only and _looks_plural(tok))


def _modifies_next(toks: list[_Tok], j: int) -> bool:
    """True when the noun at ``j`` only modifies the word after it: 'team members', 'test
    kits', 'four specialist rescue dogs', 'EU Member States' (but not 'a plane carrying')."""
    if j + 1 >= len(toks):
        return False
    tok, nxt = toks[j], toks[j + 1]
    if nxt.text == "/":
        return True  # "Member/Participating States"
    if _glued(toks, j + 1):
        return False
    if not nxt.text.isalpha() or nxt.low in _STOP or nxt.low in _NOT_COUNTED \
            or nxt.low.endswith(("ing", "ed")):
        return False
    singular = not tok.low.endswith("s") and tok.low not in _UNCHANGED_PLURALS
    return singular or (tok.text[0].isupper() and nxt.text[0].isupper())


def _head(toks: list[_Tok], k: int, *, lexicon_only: bool = False,
          max_words: int = 6) -> tuple[int, int] | None:
    """(first, head) token indices of the counted noun phrase starting at ``k``.

    Steps over capitalised names, codes, abbreviations and lowercase modifiers
    ("UK International Search and Rescue (UK ISAR) responders"); gives up at a verb-like
    stop word, another number, punctuation, or a noun of time or distance."""
    n, words, j = len(toks), 0, k
    while j < n and words < max_words:
        tok = toks[j]
        if tok.text[0].isdigit():
            if not _is_code_tail(toks, j):
                return None
        elif tok.text in {"-", "&", "'", "’"}:
            if not (_glued(toks, j) or _glued(toks, j + 1)) and tok.text != "&":
                return None
        elif tok.text == ".":
            prev = toks[j - 1].text if j > k else ""
            if not (_glued(toks, j) and len(prev) == 1 and prev.isupper()):
                return None  # only the dots of U.S., U.N.
        elif tok.text == "(":
            close = next((c for c in range(j + 1, min(n, j + 6)) if toks[c].text == ")"), None)
            if close is None:
                return None
            j = close
        elif tok.text[0].isalpha():
            if tok.low in _NOT_COUNTED:
                return None
            if _is_head(tok, lexicon_only) and not _modifies_next(toks, j):
                return k, j
            if tok.low in _MORE:
                pass  # "three hundred more health workers", "two additional teams"
            elif tok.low == "and" and j + 1 < n and toks[j + 1].text[0].isalpha() \
                    and toks[j + 1].low not in _STOP and toks[j + 1].low not in _SMALL \
                    and toks[j + 1].low not in _TENS:
                pass  # "search and rescue teams"
            elif tok.low in _STOP or tok.low in _SMALL or tok.low in _TENS:
                return None
            else:
                words += 1
        else:
            return None
        j += 1
    return None


def _of_phrase(toks: list[_Tok], k: int) -> tuple[int, int] | None:
    """Token span of the goods after 'of' at ``k``: 'of (the) emergency supplies'."""
    if k >= len(toks) or toks[k].low != "of":
        return None
    j = k + 1
    while j < len(toks) and toks[j].low in {"the", "a", "an", "their", "its"}:
        j += 1
    first, last, words = j, None, 0
    while j < len(toks) and words < 6:
        tok = toks[j]
        if tok.text[0].isalpha() and tok.low not in _STOP and tok.low not in _NOT_COUNTED:
            last, words = j, words + 1
        elif tok.text[0].isdigit() and _is_code_tail(toks, j):
            last = j
        elif not (tok.text in {"-", "&"} and last is not None):
            break
        j += 1
    return (first, last) if last is not None else None


def _weight(toks: list[_Tok], k: int) -> tuple[float, int] | None:
    """(tons per unit, index after the unit) for 'tons', 'metric tonnes', '18t', 'kg'."""
    if k < len(toks) and toks[k].low == "metric":
        k += 1
    if k >= len(toks) or toks[k].low not in _TONS_PER:
        return None
    before_of = k + 1 < len(toks) and toks[k + 1].low == "of"
    if toks[k].low == "t" and not (_glued(toks, k) or before_of):
        return None
    if toks[k].low.startswith("pound") and not before_of:
        return None
    return _TONS_PER[toks[k].low], k + 1


def _excluded(text: str, toks: list[_Tok], num: _Num) -> bool:
    """Years, dates, times, percentages, labels ('Resolution 2254') and adjectives
    ('three-member')."""
    end = toks[num.end - 1].end
    if _percent_follows(text, end) or _TIME_RE.match(text, end):
        return True
    nxt = toks[num.end] if num.end < len(toks) else None
    if nxt is not None and nxt.text == "-" and _glued(toks, num.end):
        return True
    prev_i = num.start - 1
    if prev_i > 0 and toks[prev_i].text == ".":
        prev_i -= 1  # "No. 5", "Sept. 11"
    prev = toks[prev_i].low if prev_i >= 0 else ""
    if toks[num.start].text[0].isdigit() and prev in _LABELS:
        return True
    if num.plain_int and num.value is not None:
        if num.value <= 31 and (prev in _MONTHS or (nxt is not None and nxt.low in _MONTHS)):
            return True
        if 1000 <= num.value <= 2100 and not (nxt is not None and nxt.text.islower() and (
                nxt.low in _TONS_PER or _singular(nxt.low) is not None)):
            return True
    return False


def _quantity(text: str, toks: list[_Tok], num: _Num, *, one: bool = False) -> Quantity | None:
    """The quantity counted by ``num``; with ``one``, a bare 'a'/'an' before a team or flight."""
    k = num.end + (1 if num.value is None else 0)  # vague counts: step over "of"
    value, unit, noun_span = num.value, None, None
    weight = None if one else _weight(toks, k)
    if weight is not None:
        factor, end = weight
        value = None if value is None else value * factor
        unit = "tons"
        noun_span = _of_phrase(toks, end)
        last = noun_span[1] if noun_span else end - 1
    else:
        head = _head(toks, k, lexicon_only=one, max_words=4 if one else 6)
        if head is None:
            return None
        first, last = head
        noun_span = head
        unit = unit_for_noun(toks[last].low)
        if value == 1 and unit is None:
            return None  # "one knows", "one says": a verb, not one counted thing
        if one and (unit not in {"teams", "flights"} or toks[last].low.endswith("s")):
            return None
        if _singular(toks[last].low) in _CONTAINERS:
            of = _of_phrase(toks, last + 1)
            if of is not None:
                noun_span, last = of, of[1]
    start, end = toks[num.start].start, toks[last].end
    noun = text[toks[noun_span[0]].start:toks[noun_span[1]].end] if noun_span else None
    return Quantity(start, end, text[start:end], value, unit, noun, _qualifier(text, start))


def _partitive(text: str, toks: list[_Tok], num: _Num) -> Quantity | None:
    """'80 million of the 100 million doses': the part takes the whole's unit and noun; its
    span is the number alone, so that the whole is found on its own as well."""
    j = num.end
    if num.value is None or j >= len(toks) or toks[j].low != "of":
        return None
    det = j + 1 < len(toks) and toks[j + 1].low in _PART_OF
    j += 2 if det else 1
    whole = _number_at(toks, j) if j < len(toks) else None
    if whole is None and toks[j - 1].low in {"these", "those"} and num.value > 1 and j < len(toks):
        # "3 million of these doses": the part of a package stated before ("one of the
        # helicopters" is a reference to one, not a count)
        head = _head(toks, j, lexicon_only=True)
        unit = unit_for_noun(toks[head[1]].low) if head else None
        if head is None or unit is None:
            return None
        start, end = toks[num.start].start, toks[head[1]].end
        return Quantity(start, end, text[start:end], num.value, unit,
                        text[toks[head[0]].start:end], _qualifier(text, start))
    if whole is None or whole.value is None or _excluded(text, toks, whole):
        return None
    counted = _quantity(text, toks, whole)
    if counted is None:
        return None
    start, end = toks[num.start].start, toks[num.end - 1].end
    return Quantity(start, end, text[start:end], num.value, counted.unit, counted.noun,
                    _qualifier(text, start))


def find_quantities(text: str) -> list[Quantity]:
    """Numbers with a unit or a counted noun, in order; money and non-counts left out."""
    return find_numbers(text)[1]


def find_numbers(text: str) -> tuple[list[Money], list[Quantity]]:
    """The amounts and the quantities of ``text``, tokenised once (a sentence's text is read
    for both, and money is what quantities must step over)."""
    toks = _tokens(text)
    moneys = _money_in(text, toks)
    return moneys, _quantities_in(text, toks, moneys)


def _quantities_in(text: str, toks: list[_Tok], moneys: list[Money]) -> list[Quantity]:
    spans = [(m.start, m.end) for m in moneys]
    in_money = [any(a <= tok.start < b for a, b in spans) for tok in toks]
    found: list[Quantity] = []
    for m in _SIZED_TEAM.finditer(text):
        found.append(Quantity(m.start(1), m.end(), m.group(0), float(m.group(1).replace(",", "")),
                              "people", m.group(0)[m.end(1) - m.start(1) + 1:], None))
    taken = [(q.start, q.end) for q in found]
    i = 0
    while i < len(toks):
        if any(a <= toks[i].start < b for a, b in taken):
            i += 1
            continue
        if in_money[i] or not _may_start_number(toks[i]):
            i += 1
            continue
        num = _vague_at(toks, i) or _number_at(toks, i)
        qty = None
        if num is not None and not _excluded(text, toks, num):
            qty = _quantity(text, toks, num) or _partitive(text, toks, num)
        elif num is None and toks[i].low in {"a", "an"}:
            qty = _quantity(text, toks, _Num(i, i + 1, 1.0), one=True)  # "a rescue team"
        if qty is not None and not any(in_money[j] for j in range(i, len(toks))
                                       if toks[j].start < qty.end):
            found.append(qty)
            found.sort(key=lambda q: q.start)
            i = next(j for j in range(i, len(toks) + 1)
                     if j == len(toks) or toks[j].start >= qty.end)
        else:
            i = num.end if num is not None else i + 1
    return found


# --- conversion -------------------------------------------------------------------------

@functools.cache
def _converter() -> CurrencyConverter:
    """Built once per process: it parses the bundled ECB history (about 1 s)."""
    return CurrencyConverter(fallback_on_missing_rate=True, fallback_on_wrong_date=True)


def to_usd(amount: float, currency: str, on: date | None) -> float | None:
    """``amount`` in US dollars at the ECB rate of ``on`` (nearest known date when outside
    the bundled history; latest rate when None); None for a currency the ECB does not quote."""
    if currency == "USD":
        return float(amount)
    conv = _converter()
    if currency not in conv.currencies:
        return None
    when = on.date() if isinstance(on, datetime) else on
    try:
        return float(conv.convert(amount, currency, "USD", date=when))
    except RateNotFoundError:
        return None
