"""The money grammar: one compiled regex over every form news writes, and how a match is read.

    [qualifier] [between|from] part [(- | to | and | through) part] [post-qualifier]
    part = [prefix] amount [suffix] [subunits]

- amount: digits in English or European style (1,250,000 / 1.250.000 / 2,5 / 1'000), scale words
  and abbreviations (million, bn, m, K, MM, crore), numbers in words ("two hundred million",
  "a quarter of a million", "one point five billion"), or an article before a name ("a euro");
- prefix / suffix: symbols, ISO codes and currency names (:mod:`pipeline.money.currencies`),
  before or after the number ("$25", "25$", "2.50US$", "30SGD", "9€");
- subunits: "$12 and 50 cents", "15 dollars 20", "4 GBP 30 pence";
- qualifier: "in excess of", "up to", "nearly", "or so", ... -> amount_min / amount_max / approximate.

Every word list comes from ``rules/money.toml`` (:mod:`pipeline.money.lexicon`) and every
currency marker from the currency table. :func:`scan` gives every expression of a text as a
:class:`Found`, before its currency is resolved against the document (:mod:`pipeline.money`).
It reads through invisible format characters (zero-width spaces, soft hyphens) and its cost is
linear in the text: every repetition in the pattern is bounded, and each check after a match
looks at a fixed window around it.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Iterable

from pipeline.money.currencies import Reading, dollar_prefix, table
from pipeline.money.lexicon import Lexicon, key, load

# Horizontal space only: an amount never runs over a line break ("2012\nAMD's new CEO").
SP = r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]"
# Invisible format characters a copy-paste leaves inside words and numbers ("$\u200b3 million").
INVISIBLE = re.compile("[\u00ad\u200b-\u200d\u2060-\u2064\ufeff]")
DIGITS = (
    rf"(?:\d{{1,3}}(?:,{SP}?\d{{3}}){{1,6}}(?:\.\d+)?(?!\d)"  # 1,250,000.50 (", 000": detokenised text)
    r"|\d{1,3}(?:['’]\d{3}){1,6}(?:\.\d+)?(?!\d)"  # 1'250'000 (Swiss)
    r"|\d{1,3}(?:\.\d{3}){2,6}(?:,\d+)?(?!\d)"  # 1.250.000
    r"|\d{1,3}(?:\.\d{3}){1,6},\d{1,2}(?!\d)"  # 1.250,50
    r"|\d{1,3}(?:[\u00a0\u202f\u2009\u2007]\d{3}){1,6}(?!\d)"  # 1 250 000 (no-break or thin spaces)
    r"|\d+\. \d{1,2}(?!\d)"  # "2. 6 million", "1. 29": detokenised text
    r"|\d+,\d{1,2}(?!\d)"  # 2,5 (decimal comma)
    r"|\d+(?:\.\d+)?"
    r"|\.\d+)"
)
RANGE_DASH = "-–—‒−"
# How many words before "from" a verb of change may stand ("cut the price of the phone from").
CHANGE_WORDS = 6
_YEAR = re.compile(r"(1[89]|20)\d\d")


def _alternation(words: Iterable[str]) -> str:
    """One regex for a word list, shaped as a trie ("seven(?:t(?:een|y))?"), so that a position
    where no word starts fails on its first character instead of trying every word in turn; the
    longer word wins where one is a prefix of another. A space in a phrase matches any run of
    spaces, a hyphen any spacing around it."""
    trie: dict = {}
    for word in set(words):
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}
    return _trie_regex(trie)


def _trie_regex(node: dict) -> str:
    branches = [_char(ch) + _trie_regex(child) for ch, child in sorted(node.items()) if ch]
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    return f"(?:{body})?" if "" in node else body


def _char(ch: str) -> str:
    return {" ": SP + "+", "-": f"{SP}*-{SP}*"}.get(ch) or re.escape(ch)


# --- numbers ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Words:
    """The rule file's tables as the parser looks them up (built once)."""

    counts: dict[str, Decimal]  # "five" -> 5, "twenty" -> 20
    hundreds: dict[str, Decimal]
    scales: dict[str, Decimal]  # lower case: "million", "lakh"
    abbreviations: dict[str, Decimal]  # case kept: "m", "MM", "bn"
    fractions: dict[str, Decimal]
    approximate: dict[str, Decimal]
    articles: frozenset[str]
    points: frozenset[str]
    before: dict  # qualifier word -> Qualifier
    after: dict
    attached_names: frozenset[str]
    price_basis: frozenset[str]


@lru_cache(maxsize=1)
def _words() -> _Words:
    lex = load()
    return _Words(
        counts=lex.role("unit", "ten"), hundreds={w.lower(): v for w, v in lex.role("hundred").items()},
        scales={w.lower(): v for w, v in lex.role("scale").items()},
        abbreviations=lex.role("abbreviation", "spaced_abbreviation"), fractions=lex.role("fraction"),
        approximate=lex.role("approximate_count"), articles=frozenset(lex.role("article")),
        points=frozenset(lex.role("point")), before=lex.qualifiers_at("before"), after=lex.qualifiers_at("after"),
        attached_names=frozenset(w.lower() for a in lex.attached_names for w in a.heads),
        price_basis=frozenset(w.lower() for p in lex.price_basis for w in p.heads),
    )


def parse_amount(text: str, currency_after: bool = False) -> Decimal | None:
    """'1,250,000' -> 1250000, '1.250.000' -> 1250000, '2,5' -> 2.5, '2.3bn' -> 2.3e9,
    'two hundred million' -> 2e8, 'a quarter of a million' -> 2.5e5, '10 lakh crore' -> 1e13.

    ``currency_after``: the currency follows the number, continental style ("3.000 Kč"), so a
    lone dot before three digits groups thousands instead of marking decimals.
    """
    parsed = _parse(text, currency_after)
    return None if parsed is None else parsed[0]


def _parse(text: str, currency_after: bool = False) -> tuple[Decimal, bool] | None:
    """(value, approximate) of an amount's text, or None if a token has no meaning."""
    w = _words()
    counts, scales, abbreviations, fractions = w.counts, w.scales, w.abbreviations, w.fractions
    approximate, articles, points = w.approximate, w.articles, w.points
    tokens = re.findall(r"\d[\d.,'’\s\u00a0\u202f\u2009\u2007]*\d|\d|\.\d+|[A-Za-z]+", text.replace("-", " "))
    total, current = Decimal(0), None
    last_scale, last_group, after_scale = Decimal(1), Decimal(0), False
    after_and, decimals, approx, saw_article = False, None, False, False
    for tok in tokens:
        low = tok.lower()
        if decimals is not None and low in counts and counts[low] < 10:
            decimals += str(counts[low])  # "one point five": digits after the point
            continue
        if decimals is not None:
            current = (current or 0) + (Decimal(f"0.{decimals}") if decimals else 0)
            decimals = None
        if tok[0].isdigit() or tok[0] == ".":
            value = _parse_digits(tok, currency_after)
            if value is None:
                return None
            current = (current or 0) + value
        elif low in counts:
            current = (current or 0) + counts[low]
        elif low in points:
            decimals = ""
        elif low in articles:
            saw_article = True
            after_scale = False
            continue  # keeps `after_and`: "one and a half"
        elif low in approximate:
            current, approx = approximate[low], True
        elif low in fractions:
            f = fractions[low]
            if after_and and current is None and last_scale > 1:
                total += f * last_scale  # "a million and a half"
            elif after_and:
                current = (current or 0) + f  # "one and a half"
            else:
                current = (current if current is not None else 1) * f  # "half", "a quarter", "three quarters"
        elif low in w.hundreds:
            current = (current if current is not None else 1) * w.hundreds[low]
        elif low in scales or tok in abbreviations:
            scale = scales.get(low) or abbreviations[tok]
            if current is None and after_scale:
                total += last_group * (scale - 1)  # "10 lakh crore": the scales multiply
                last_group *= scale
            else:
                last_group = (current if current is not None else 1) * scale
                total += last_group
            current, last_scale, after_scale = None, scale, True
            after_and = False
            continue
        elif low == "and":
            after_and = True
            continue
        elif low != "of":
            return None
        after_and = after_scale = False
    if decimals:
        current = (current or 0) + Decimal(f"0.{decimals}")
    value = total + (current or 0)
    if value == 0 and current is None and total == 0 and saw_article:
        value = Decimal(1)  # "a euro"
    return value, approx


def _parse_digits(tok: str, currency_after: bool = False) -> Decimal | None:
    """English and European separators; a lone '.ddd' is a decimal point (English) unless the
    currency comes after the number; a lone ',dd' is a decimal comma."""
    tok = re.sub(r"[\s\u00a0\u202f\u2009\u2007'’]", "", tok)
    dots, commas = tok.count("."), tok.count(",")
    if dots and commas:
        decimal_sep = "." if tok.rfind(".") > tok.rfind(",") else ","
    elif commas:
        decimal_sep = "." if re.fullmatch(r"\d{1,3}(,\d{3})+", tok) else ","
    elif dots > 1 or (currency_after and re.fullmatch(r"\d{1,3}\.\d{3}", tok)):
        decimal_sep = ","
    else:
        decimal_sep = "."
    thousands_sep = "," if decimal_sep == "." else "."
    try:
        return Decimal(tok.replace(thousands_sep, "").replace(decimal_sep, "."))
    except InvalidOperation:
        return None


def _words_pattern(lex: Lexicon) -> str:
    """Numbers in words, as a grammar rather than any run of number words, so that "between
    five and ten dollars" stays two numbers and "a quarter of a million" one."""
    def w(*roles: str) -> str:
        return rf"(?:{_alternation(lex.role(*roles))})\b"

    J = rf"(?:{SP}+|{SP}*-{SP}*)"  # "twenty-five", "two - million"
    AND = rf"{SP}+and{SP}+"
    unit, ten, hundred, scale, fraction = w("unit"), w("ten"), w("hundred"), w("scale"), w("fraction")
    article, point, couple = w("article"), w("point"), w("approximate_count")
    count = rf"(?:{ten}(?:{J}{unit})?|{unit})"
    small = rf"(?:(?:{count}|{article}){J}{hundred}(?:(?:{AND}|{J}){count})?|{count})"
    decimal = rf"{count}{SP}+{point}(?:{SP}+{unit}){{1,4}}"
    and_fraction = rf"(?:{AND}{article}{SP}+{fraction})"
    lead = rf"(?:{decimal}|{small}){and_fraction}?"
    group = (rf"(?:{lead}{J}{scale}"  # "two million", "one and a half billion", "one point five million"
             rf"|{article}{SP}+{scale}"  # "a million"
             rf"|(?:{article}{SP}+|{count}{J})?{fraction}(?:{SP}+of)?{SP}+{article}{SP}+{scale}"  # "half a million"
             rf"|{article}{SP}+{fraction}{SP}+{scale}"  # "a half million", "a quarter million"
             rf"|{article}{SP}+{couple}(?:{SP}+of)?{SP}+(?:{scale}|{hundred}))"  # "a couple of million"
             rf"(?:{J}{scale}){{0,1}}{and_fraction}?")  # "a million and a half"
    return rf"(?i:{group}(?:(?:{AND}|{SP}+){group}){{0,3}}(?:(?:{AND}|{SP}+){small})?|{lead})"


# --- the grammar ---------------------------------------------------------------------------------

@lru_cache(maxsize=1)
def grammar() -> tuple[re.Pattern, re.Pattern]:
    """The money regex and the vague-magnitude regex, built once from the rule file and the currency table."""
    t, lex = table(), load()
    symbols = _alternation(s for s in t.symbols if "$" not in s)
    codes = _alternation(t.codes)
    names = _alternation(_name_variants(n for n in t.names if len(n) > 1))
    subnames = _alternation(s for s, info in t.subunits.items() if not info["attached"])
    attached = _alternation(s for s, info in t.subunits.items() if info["attached"])
    # Letters against a dollar sign: "US$", "HK$", "Can$", "$A", also "US $" and "NT $" with a
    # space where the letters are capitals CLDR knows; "A $5" is an article and a dollar sign.
    before = sorted({s[:-1] for s in t.symbols if s.endswith("$") and s[:-1].isalpha()}, key=len, reverse=True)
    after = sorted({s[1:] for s in t.symbols if s.startswith("$") and s[1:].isalpha()}, key=len, reverse=True)
    spaced = _alternation(b for b in before if len(b) > 1 and b.isupper())
    mixed = _alternation(b for b in before if not b.isupper())
    dollar = (rf"(?:\b(?:{spaced}){SP}?\$|\b(?:{mixed})\$|\b[A-Z]{{1,3}}\$"
              rf"|\$(?:(?:{_alternation(after)})(?={SP}?\d))?)")
    dollar_after = rf"(?:(?<![A-Za-z])(?:{mixed}|[A-Z]{{1,3}}))?\$(?![\w$]|{SP}?\d)"
    attached_names = _alternation(w for a in lex.attached_names for w in a.heads)
    prefix = (rf"(?:{dollar}|(?<![\w])(?:{symbols})(?={SP}?[\d.])|\b(?:{codes})(?={SP}?[\d.])"
              rf"|(?i:\b(?:{attached_names})(?=\d)))")
    suffix = (rf"(?:(?:{symbols})(?![\w])|(?<![A-Za-z])(?:{codes})\b|(?i:\b(?:{names}))(?![\w])"
              rf"|(?<=\d)(?:{attached})(?![\w.])|{dollar_after})")
    abbreviation = rf"(?:{_alternation(lex.role('abbreviation'))})(?![\w'’])"
    spaced_abbreviation = rf"(?:{_alternation(lex.role('spaced_abbreviation'))})(?![\w'’])"
    scale = rf"(?i:(?:{_alternation(lex.role('scale'))})\b)"
    words = _words_pattern(lex)
    fraction, article = _alternation(lex.role("fraction")), _alternation(lex.role("article"))
    count = rf"(?:{_alternation(lex.role('ten'))})\b(?:{SP}*-?{SP}*(?:{_alternation(lex.role('unit'))})\b)?" \
            rf"|(?:{_alternation(lex.role('unit'))})\b"
    # After "15 dollars 20" only the end of the phrase: "15 dollars 20 people" is no amount of cents.
    bare_end = f"(?={_phrase_end(lex)})"

    def part(n: int) -> str:
        amount = (rf"(?:{DIGITS}(?P<plus{n}>{SP}?\+{SP}?(?={abbreviation}|{spaced_abbreviation}|{scale}))?"
                  rf"(?:{abbreviation}|{SP}?{spaced_abbreviation}|(?:{SP}?-{SP}?|{SP}){scale}(?:{SP}{scale})?)?"
                  rf"|{words}|(?P<art{n}>(?i:(?:(?:{fraction}){SP}+)?(?:{article})))(?={SP}+[A-Za-z]))")
        subunit = (rf"(?P<sub{n}>(?:(?(between)(?!)|{SP}+and{SP}+)|{SP}+)"
                   rf"(?P<subamt{n}>\d{{1,2}}(?![\d.,]\d)|(?i:{count}))"
                   rf"(?:{SP}?(?P<subname{n}>(?i:{subnames})(?![\w])|(?<=\d)(?:{attached})(?![\w.]))|{bare_end}))?")
        # A marker is required in the regex itself, so that plain numbers never come back as matches:
        # an amount without one is only the first end of a range whose second end has one ("5 to 10
        # dollars"), or the second end of a range whose first has one ("$5-10 million"); "a" always
        # needs a currency name after it.
        if n == 1:
            marked = rf"(?(suf1)|(?(pre1)|(?={SP}?[{RANGE_DASH}]|{SP}+(?i:to|and|through|up{SP}+to)\b)))"
        else:
            marked = r"(?(suf2)|(?(pre2)|(?(suf1)|(?(pre1)|(?!)))))"
        return (rf"(?:(?P<pre{n}>{prefix}){SP}?)?(?P<amt{n}>{amount})"
                rf"(?:{SP}?(?:-{SP}?)?(?P<suf{n}>{suffix}))?{marked}(?(art{n})(?(suf{n})|(?!))){subunit}")

    qualifier = _alternation(w for q in lex.qualifiers if q.where == "before" for w in q.words)
    post = _alternation(w for q in lex.qualifiers if q.where == "after" for w in q.words)
    money = re.compile(
        rf"(?<![\w.,])(?:(?P<qual>(?i:{qualifier}))(?:{SP}+|(?<=~)))?(?:(?P<between>(?i:between|from)){SP}+)?"
        rf"{part(1)}"
        rf"(?:(?P<sep>{SP}?[{RANGE_DASH}]{SP}?|{SP}+(?i:to|and|through|up{SP}+to){SP}+){part(2)})?"
        rf"(?P<post>(?:{SP}+|{SP}*-{SP}*|(?=\+))(?i:{post})(?![\w]))?"
    )
    magnitudes = _alternation(w for m in lex.magnitudes for w in m.words)
    vague = re.compile(
        rf"(?i:\b(?P<mag>{magnitudes})(?:{SP}+of{SP}+|{SP}*-{SP}*|{SP}+)(?:(?P<adj>U\.S\.|[a-z]+){SP}+)?"
        rf"(?P<name>{names})(?![\w]))"
    )
    return money, vague


def _name_variants(names: Iterable[str]) -> list[str]:
    """'us dollars' also as 'u.s. dollars'."""
    out = []
    for name in names:
        out.append(name)
        first, _, rest = name.partition(" ")
        if rest and len(first) == 2:
            out.append(f"{first[0]}.{first[1]}. {rest}")
    return out


def _phrase_end(lex: Lexicon) -> str:
    """The end of a phrase: the end of the line, punctuation (not a decimal point), or a function word."""
    words = _alternation(w for p in lex.phrase_end for w in p.heads)
    return rf"{SP}*(?:$|\n|[.,;!?)\]\"”’'](?!\d))|{SP}+(?i:{words})\b"


@lru_cache(maxsize=1)
def _context() -> tuple[re.Pattern, re.Pattern, list, list, re.Pattern]:
    """Patterns checked around a match: currency names used as modifiers, idioms, weights, change verbs."""
    lex = load()
    heads = re.compile(rf"(?:{SP}*-{SP}*|{SP}+)(?i:{_alternation(lex.modifier_heads())})(?![\w])")
    idioms = re.compile("|".join(f"(?:{c.pattern.pattern})" for c in lex.idioms), re.I)
    return heads, idioms, list(lex.weights), [c.pattern for c in lex.changes], re.compile(_phrase_end(lex))


# --- reading a match ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Marker:
    """A currency marker as written, with what it can mean."""

    text: str
    reading: Reading
    is_name: bool = False  # a word ("dollars"), not a symbol or a code


def _marker(text: str | None) -> Marker | None:
    if not text:
        return None
    t = table()
    raw = text.strip().rstrip("-").strip()
    if "$" in raw:
        letters = raw.replace("$", "").replace(" ", "")
        reading = (dollar_prefix(letters) if letters else None) or t.symbols["$"]
        return Marker(raw, reading)
    if raw in t.codes:  # before symbols: "NIS" is also some locale's symbol, but first a code
        return Marker(raw, t.codes[raw])
    if raw in t.symbols:
        return Marker(raw, t.symbols[raw])
    name = re.sub(r"\s+", " ", raw.lower())
    name = re.sub(r"^(\w)\.(\w)\. ", r"\1\2 ", name)
    for candidate in (name, name.rstrip("s")):
        if candidate in t.names:
            reading = t.names[candidate]
            if reading.weak and not raw.islower() and len(raw) > 1:
                return None  # "1B Mark", "Real Madrid": a name, not a currency
            return Marker(raw, reading, is_name=len(raw) > 1)
    return None


@dataclass(frozen=True)
class Found:
    """One money expression in a text, before its currency is resolved against the document."""

    start: int
    end: int
    amount: Decimal | None
    low: Decimal | None
    high: Decimal | None
    approximate: bool
    marker: Marker
    has_scale: bool

    @property
    def weak(self) -> bool:
        return self.marker.reading.weak and not self.has_scale


@dataclass(frozen=True)
class _Part:
    """One amount of a match: where it ends (subunits included), its marker and value."""

    start: int
    end: int
    marker: Marker | None
    value: Decimal | None
    scaled: bool
    approx: bool
    plus: bool
    amount_text: str


def scan(text: str) -> list[Found]:
    """Every money expression in ``text``, in text order ("multimillion-dollar" before "million-dollar").

    Invisible format characters are read through: the scan runs on the text without them and each
    expression's offsets are mapped back, so ``text[f.start:f.end]`` is the document's own span.
    """
    if INVISIBLE.search(text) is None:
        return _scan(text)
    kept = [i for i, ch in enumerate(text) if not INVISIBLE.match(ch)]
    return [replace(f, start=kept[f.start], end=kept[f.end - 1] + 1) for f in _scan(INVISIBLE.sub("", text))]


def _scan(text: str) -> list[Found]:
    money_re, vague_re = grammar()
    vague = [f for f in map(_read_vague, vague_re.finditer(text)) if f is not None]
    vague_starts = [v.start for v in vague]
    found: list[Found] = list(vague)
    pos = 0
    while (m := money_re.search(text, pos)) is not None:
        item, resume = _read(m, text)
        if item is not None and not _overlaps(item, vague, vague_starts) and not _idiom_or_weight(item, text):
            found.append(item)
        pos = max(resume, m.start() + 1)
    return sorted(found, key=lambda f: f.start)


def _overlaps(item: Found, vague: list[Found], starts: list[int]) -> bool:
    """Does ``item`` overlap a vague match? They are sorted and disjoint, so only the last one that
    starts before ``item`` ends can."""
    i = bisect.bisect_left(starts, item.end) - 1
    return i >= 0 and vague[i].end > item.start


def _idiom_or_weight(f: Found, text: str) -> bool:
    _, idioms, weights, _, _ = _context()
    lo, hi = max(0, f.start - 40), min(len(text), f.end + 40)
    if any(m.start() < f.end and f.start < m.end() for m in idioms.finditer(text, lo, hi)):
        return True
    if f.weak and "pound" in f.marker.text.lower():
        return any(w.before.search(text[lo:f.start]) or w.after.search(text[f.end:hi]) for w in weights)
    return False


def _read(m: re.Match, text: str) -> tuple[Found | None, int]:
    """The expression of one regex match, and where to resume scanning.

    A second amount that does not make a range ("$80 million and $25 million", "rose from $5 to
    $6") is cut off and scanned again on its own.
    """
    g = m.groupdict()
    after = bool(g["suf1"] or g["suf2"]) and not (g["pre1"] or g["pre2"])
    first = _part(m, 1, text, after)
    second = _part(m, 2, text, after) if g["amt2"] else None
    if second is not None and first.end < m.start("sep"):
        second = None  # the first amount's subunits were not valid: the rest is rescanned
    if second is None:
        if first.marker is None or first.value is None:
            return None, first.end if first.end > m.start() else m.start() + 1
        end = _with_post(m, text, first.end)
        return _build(m, text, end, first, None, first.end if end == first.end else end)
    if first.value is None or second.value is None or not (first.marker or second.marker):
        return None, m.end("amt1")
    low, high = first.value, second.value
    if not first.scaled and second.scaled:
        scaled = low * _scale_of(second.amount_text)
        low = scaled if scaled < high else low
    if not _is_range(m, text) or low >= high:  # "rose from $5 to $6", "from $10 to $5": two amounts
        if first.marker is None:  # "fell from 40 to 30 dollars": the first is in dollars too
            if not m.group("between"):
                return None, second.start
            first = replace(first, marker=second.marker, value=low, scaled=first.scaled or second.scaled)
        return _build(m, text, first.end, first, None, second.start)
    marker = first.marker or second.marker
    end = _with_post(m, text, second.end)
    both = replace(first, marker=marker, scaled=first.scaled or second.scaled)
    return _build(m, text, end, both, (low, high), end)


def _part(m: re.Match, n: int, text: str, currency_after: bool) -> _Part:
    g = m.groupdict()
    pre, suf = _marker(g[f"pre{n}"]), _marker(g[f"suf{n}"])
    marker = pre or suf
    if pre and suf and pre.reading.ambiguous and not suf.reading.ambiguous and pre.reading.codes >= suf.reading.codes:
        marker = suf  # "$5 million USD": the code says which dollar
    amount_text = g[f"amt{n}"]
    start = m.start(f"pre{n}") if g[f"pre{n}"] else m.start(f"amt{n}")
    end = m.end(f"suf{n}") if g[f"suf{n}"] else m.end(f"amt{n}")
    parsed = _parse(amount_text, currency_after)
    value, approx = parsed if parsed is not None else (None, False)
    scaled = _scale_of(amount_text) > 1
    if g[f"art{n}"] and not (suf and suf.is_name and not pre):
        marker = None  # "a" counts as one only before a currency name: "a euro", not "a $5 bill"
    if suf is not None and suf.is_name and not pre:
        heads = _context()[0]
        if heads.match(text, end) or (g[f"art{n}"] and text[end:end + 1] == "-"):
            marker = None  # "a euro zone country", "a dollar-denominated bond"
    if g[f"sub{n}"] and marker is not None and value is not None:
        sub = _subunit(m, n, marker, value, scaled, bool(suf and not pre))
        if sub is not None:
            value, end = value + sub, m.end(f"sub{n}")
    if marker is suf and suf is not None and suf.is_name and suf.reading.weak and not scaled \
            and not _context()[4].match(text, end):
        marker = None  # "a real threat", "a grand conspiracy": the word is not a currency here
    return _Part(start, end, marker, value, scaled, approx, bool(g[f"plus{n}"]), amount_text)


def _subunit(m: re.Match, n: int, marker: Marker, value: Decimal, scaled: bool, suffixed: bool) -> Decimal | None:
    """The subunits after a main amount ("and 50 cents", "20"), in main units, or None if they do
    not belong to it: only after a whole amount without scale, in a main unit, and a bare number
    ("15 dollars 20") only after a currency written out."""
    subname, amount = m.group(f"subname{n}"), m.group(f"subamt{n}")
    if scaled or value != value.to_integral_value() or marker.reading.factor != 1:
        return None
    if subname is None and not suffixed:
        return None
    cents = parse_amount(amount)
    if cents is None or cents >= 100:
        return None
    subunits = table().subunits
    info = subunits.get(subname) or subunits.get((subname or "").lower()) if subname else None
    return cents * Decimal(str(info["factor"] if info else 0.01))


def _with_post(m: re.Match, text: str, end: int) -> int:
    """Where the expression ends once a post-qualifier is taken in: only right after the last amount,
    and a phrase-final word ("plus", "minimum") only at the end of the phrase or hyphenated."""
    if not m.group("post") or end != m.start("post"):
        return end
    word = key(m.group("post").strip(" \t-\u00a0"))
    qualifier = _words().after.get(word)
    rest = text[m.end("post"):m.end("post") + 12]
    if qualifier is None or re.match(rf"{SP}+to\b", rest):
        return end  # "$5 and up to $10"
    if qualifier.ends_phrase and "-" not in m.group("post") and not re.match(rf"{SP}*(?:$|\n|[^\w\s$€£¥])", rest):
        return end  # "$5 plus tax", "$7.25 minimum wage"
    return m.end("post")


def _is_range(m: re.Match, text: str) -> bool:
    sep = re.sub(r"\s+", " ", (m.group("sep") or "").strip().lower())
    between = (m.group("between") or "").lower()
    if sep == "and":
        return between == "between"
    if sep == "up to":
        return between == "from"
    if between == "from":
        # "rose from $5 million to $6 million" is two amounts; "tickets cost from $30 to $40" a range.
        # The verb is among the last few words of the clause: "cut the price of the phone from".
        clause = re.split(r"[,.;:!?()\n]", text[max(0, m.start() - 80):m.start()])[-1]
        words = " ".join(clause.split()[-CHANGE_WORDS:])
        return not any(p.search(words) for p in _context()[3])
    return True


def _build(m: re.Match, text: str, end: int, part: _Part, bounds: tuple[Decimal, Decimal] | None,
           resume: int) -> tuple[Found | None, int]:
    g = m.groupdict()
    marker, start = part.marker, m.start()
    kind = _words().before[key(g["qual"])].kind if g["qual"] else None
    if g["between"] and bounds is None:  # "from $5 million [to $6 million]": the first amount alone
        kind, start = None, part.start
    if g["post"] and end == m.end("post"):
        kind = _words().after[key(g["post"].strip(" \t-\u00a0"))].kind
    elif part.plus:
        kind = "lower"  # "$15+ MM"
    if marker is None or (bounds is None and part.value is None):
        return None, resume
    if marker.reading.weak and not part.scaled and (marker.text.isupper() or _hyphenated(m, marker)):
        return None, resume  # "TOP 10", "a 200-pound man"
    if bounds is None and _is_year(text, m, marker):
        return None, resume
    factor = Decimal(str(marker.reading.factor))
    if bounds is not None:
        low, high = bounds[0] * factor, bounds[1] * factor
        value, approx = (low + high) / 2, True
    else:
        value = part.value * factor
        if part.approx and kind is None:
            kind = "approx"  # "a couple of million dollars"
        low, high, approx = _bounds(value, kind)
        approx = approx or part.approx
    return Found(start, end, value, low, high, approx, marker, part.scaled), resume


def _hyphenated(m: re.Match, marker: Marker) -> bool:
    for n in (1, 2):
        if m.group(f"suf{n}") == marker.text and "-" in m.string[m.end(f"amt{n}"):m.start(f"suf{n}")]:
            return True
    return False


def _bounds(value: Decimal, kind: str | None) -> tuple[Decimal | None, Decimal | None, bool]:
    return {
        None: (value, value, False),
        "lower": (value, None, False),
        "upper": (None, value, False),
        "nearly": (None, value, True),
        "just_over": (value, None, True),
        "approx": (None, None, True),
    }[kind]


def _scale_of(amount_text: str) -> Decimal:
    scales, abbreviations = _words().scales, _words().abbreviations
    has_digits = bool(re.search(r"\d", amount_text))
    scale = Decimal(1)
    for w in re.findall(r"[A-Za-z]+", amount_text):
        s = scales.get(w.lower()) or (abbreviations.get(w) if has_digits else None)
        if s:
            scale *= s
    return scale


def _is_year(text: str, m: re.Match, marker: Marker) -> bool:
    """A year before a currency word or code is a price basis ("in 2006 dollars") or a date
    ("2012 AMD"), and after a name written against it a title ("Euro2012"), not an amount."""
    if not _YEAR.fullmatch(m.group("amt1")):
        return False
    if m.group("pre1"):
        return m.group("pre1").lower() in _words().attached_names
    if marker.text.isupper():
        return True
    before = text[max(0, m.start() - 12):m.start()].split()
    return bool(before) and before[-1].lower() in _words().price_basis


def _read_vague(m: re.Match) -> Found | None:
    bounds = load().magnitude().get(key(m.group("mag")))
    if bounds is None:
        return None
    name, adj = m.group("name"), m.group("adj")
    marker = (adj and _marker(f"{adj} {name}")) or _marker(name)
    if marker is None:
        return None
    factor = Decimal(str(marker.reading.factor))
    lo, hi = bounds
    return Found(m.start(), m.end(), None, Decimal(10) ** lo * factor, Decimal(10) ** hi * factor, True,
                 marker, True)
