"""The money grammar: one compiled regex over every form news writes, and how a match is read.

    [qualifier] [between] [prefix] amount [suffix] [(- | to | and) [prefix] amount [suffix]] [or more]

- amount: digits in English or European style (1,250,000 / 1.250.000 / 2,5), scale words and
  abbreviations (million, bn, m, K, MM, crore), written numbers ("two hundred million", "a million");
- prefix / suffix: symbols, ISO codes and currency names, all from CLDR (:mod:`pipeline.money.currencies`);
- qualifier: "in excess of", "up to", "nearly", ... -> amount_min / amount_max / approximate.

:func:`scan` gives every expression of a text as a :class:`Found`, before its currency is resolved
against the document (:mod:`pipeline.money`).
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Iterable

from pipeline.money.currencies import Reading, dollar_prefix, table


# --- numbers ---------------------------------------------------------------------------------

UNITS = {w: i for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen".split())}
TENS = {w: 10 * i for i, w in enumerate("twenty thirty forty fifty sixty seventy eighty ninety".split(), 2)}
MULTIPLIERS = {"hundred": 100, "thousand": 10**3, "lakh": 10**5, "lakhs": 10**5, "crore": 10**7, "crores": 10**7,
               "million": 10**6, "billion": 10**9, "trillion": 10**12}
# Abbreviations are case-sensitive where case matters ("m" million, "M" too; "B" billion).
ABBREVIATIONS = {"k": 10**3, "K": 10**3, "m": 10**6, "M": 10**6, "mn": 10**6, "mln": 10**6, "MM": 10**6,
                 "mm": 10**6, "b": 10**9, "B": 10**9, "bn": 10**9, "bln": 10**9, "tn": 10**12, "trn": 10**12}
FRACTIONS = {"half": Decimal("0.5"), "quarter": Decimal("0.25")}

_WORD_NUMBER = "|".join(sorted([*UNITS, *TENS, *MULTIPLIERS], key=len, reverse=True))
_BIG = "hundred|thousand|million|billion|trillion|lakh|crore"
_SCALE_WORD = "million|billion|trillion|thousand|crores?|lakhs?"
# Horizontal space only: an amount never runs over a line break ("2012\nAMD's new CEO").
SP = r"[ \u00a0\u202f\u2009]"
DIGITS = (
    rf"(?:\d{{1,3}}(?:,{SP}?\d{{3}})+(?:\.\d+)?(?!\d)"  # 1,250,000.50 (", 000": detokenised text)
    r"|\d{1,3}(?:\.\d{3}){2,}(?:,\d+)?(?!\d)"  # 1.250.000
    r"|\d{1,3}(?:\.\d{3})+,\d{1,2}(?!\d)"  # 1.250,50
    r"|\d{1,3}(?:[\u00a0\u202f\u2009]\d{3})+(?!\d)"  # 1 250 000 (no-break or thin spaces)
    r"|\d+\. \d{1,2}(?!\d)"  # "2. 6 million", "1. 29": detokenised text
    r"|\d+,\d{1,2}(?!\d)"  # 2,5 (decimal comma)
    r"|\d+(?:\.\d+)?"
    r"|\.\d+)"
)
WORDS = (
    rf"(?i:(?:(?:a|an|one|half{SP}+a|a{SP}+half|a{SP}+quarter{SP}+of{SP}+a){SP}+(?={_BIG})|half{SP}+a{SP}+)?"
    rf"(?:{_WORD_NUMBER})\b(?:(?:{SP}+and{SP}+|{SP}*-{SP}*|{SP}+)(?:{_WORD_NUMBER})\b)*)"
)
ABBREVIATION = r"(?:k|K|mn|mln|MM|mm|m|M|bn|bln|b|B|tn|trn)(?![\w'’])"
AMOUNT = (
    rf"(?:{DIGITS}(?:{ABBREVIATION}|{SP}(?:mn|mln|MM|bn|bln|tn|trn)\b"
    rf"|(?:{SP}?-{SP}?|{SP})(?i:{_SCALE_WORD})\b(?:{SP}(?i:{_SCALE_WORD})\b)?)?|{WORDS})"
)


def parse_amount(text: str, currency_after: bool = False) -> Decimal | None:
    """'1,250,000' -> 1250000, '1.250.000' -> 1250000, '2,5' -> 2.5, '2.3bn' -> 2.3e9, 'two hundred million' -> 2e8.

    ``currency_after``: the currency follows the number, continental style ("3.000 Kč"), so a
    lone dot before three digits groups thousands instead of marking decimals.
    """
    tokens = re.findall(r"\d[\d.,\s\u00a0\u202f\u2009]*\d|\d|\.\d+|[A-Za-z]+", text.replace("-", " "))
    total, current = Decimal(0), Decimal(0)
    pending_fraction = None
    for tok in tokens:
        low = tok.lower()
        if tok[0].isdigit() or tok[0] == ".":
            value = _parse_digits(tok, currency_after)
            if value is None:
                return None
            current += value
        elif low in UNITS or low in TENS:
            current += UNITS.get(low, TENS.get(low, 0))
        elif low in ("a", "an"):
            current += 0 if pending_fraction else 1
        elif low in FRACTIONS:
            pending_fraction = FRACTIONS[low]
        elif low == "hundred":
            current = (current or 1) * 100
        elif low in MULTIPLIERS or tok in ABBREVIATIONS:
            scale = MULTIPLIERS.get(low) or ABBREVIATIONS[tok]
            if pending_fraction is not None:
                current = (current or 0) + pending_fraction
                pending_fraction = None
            total += (current or 1) * scale
            current = Decimal(0)
        elif low not in ("and", "of"):
            return None
    if pending_fraction is not None:
        current += pending_fraction
    return total + current


def _parse_digits(tok: str, currency_after: bool = False) -> Decimal | None:
    """English and European separators; a lone '.ddd' is a decimal point (English) unless the
    currency comes after the number; a lone ',dd' is a decimal comma."""
    tok = re.sub(r"[\s\u00a0\u202f\u2009]", "", tok)
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


# --- qualifiers --------------------------------------------------------------------------------

LOWER = ["in excess of", "more than", "over", "above", "at least", "upwards of", "upward of", "north of",
         "exceeding", "higher than", "greater than", "no less than", "not less than", "as little as",
         "as low as", "a minimum of", "minimum of", "starting at", "starting from"]
UPPER = ["up to", "under", "less than", "below", "at most", "no more than", "not more than", "as much as",
         "as high as", "a maximum of", "maximum of", "not exceeding", "shy of", "a max of"]
NEARLY = ["nearly", "almost", "close to", "just under", "just below", "just shy of", "a little under",
          "slightly less than", "slightly under", "nearer to"]
JUST_OVER = ["just over", "just above", "a little over", "slightly more than", "slightly over",
             "just more than", "well over", "well above", "well in excess of"]
APPROX = ["about", "around", "roughly", "approximately", "approx.", "some", "an estimated", "estimated",
          "the estimated", "circa", "c.", "in the region of", "on the order of", "in the order of",
          "an approximate", "a reported", "~"]
QUALIFIERS = {q: kind for kind, qs in (("lower", LOWER), ("upper", UPPER), ("nearly", NEARLY),
                                      ("just_over", JUST_OVER), ("approx", APPROX)) for q in qs}
POST_QUALIFIERS = {"or more": "lower", "or above": "lower", "plus": "lower", "+": "lower",
                   "or less": "upper", "or so": "approx", "or thereabouts": "approx"}


def _alternation(words: Iterable[str]) -> str:
    return "|".join(re.escape(w).replace(r"\ ", SP + "+") for w in sorted(words, key=len, reverse=True))


# --- the grammar ---------------------------------------------------------------------------------

@lru_cache(maxsize=1)
def grammar() -> tuple[re.Pattern, re.Pattern]:
    """The money regex and the vague-magnitude regex, built once from the currency table."""
    t = table()
    symbols = _alternation(s for s in t.symbols if "$" not in s)
    codes = "|".join(sorted(t.codes))
    names = _alternation(_name_variants(n for n in t.names if len(n) > 1))
    # Letters against a dollar sign: "US$", "HK$", "$A", also "US $" and "NT $" with a space
    # where CLDR knows the form; "A $5" is an article and a dollar sign.
    before = sorted({s[:-1] for s in t.symbols if s.endswith("$") and s[:-1].isalpha()}, key=len, reverse=True)
    after = sorted({s[1:] for s in t.symbols if s.startswith("$") and s[1:].isalpha()}, key=len, reverse=True)
    spaced = "|".join(b for b in before if len(b) > 1)
    dollar = (rf"(?:\b(?:{spaced}){SP}?\$|\b[A-Z]{{1,3}}\$"
              rf"|\$(?:(?:{'|'.join(after)})(?={SP}?\d))?)")
    prefix = (rf"(?:{dollar}|(?<![\w])(?:{symbols})(?={SP}?[\d.])|\b(?:{codes})(?={SP}?[\d.])"
              rf"|(?i:\b(?:euros?|dollars?|pounds?)(?=\d)))")
    suffix = (rf"(?:(?:{symbols})(?![\w])|\b(?:{codes})\b|(?i:\b(?:{names}))(?![\w])"
              r"|(?<=\d)p(?![\w.]))")
    qualifier = _alternation(QUALIFIERS)
    post = _alternation(POST_QUALIFIERS)

    def part(n: int) -> str:
        return (rf"(?:(?P<pre{n}>{prefix}){SP}?)?(?P<amt{n}>{AMOUNT})"
                rf"(?:{SP}?(?:-{SP}?)?(?P<suf{n}>{suffix}))?")

    money = re.compile(
        rf"(?<![\w.,])(?:(?P<qual>(?i:{qualifier})){SP}+)?(?:(?P<between>(?i:between|from)){SP}+)?"
        rf"{part(1)}"
        rf"(?:(?P<sep>{SP}?(?:-|–|—){SP}?|{SP}(?:to|and|-){SP}){part(2)})?"
        rf"(?P<post>(?:{SP}|-)?(?i:{post})(?![\w]))?"
    )
    vague = re.compile(
        rf"(?i:\b(?P<mag>(?:(?:tens|hundreds){SP}+of{SP}+)?(?:thousands|millions|billions|trillions)"
        rf"|multi{SP}?-?{SP}?(?:million|billion)|(?:a{SP}+few|several){SP}+(?:million|billion|thousand))"
        rf"(?:{SP}+of{SP}+|{SP}?-{SP}?|{SP}+)(?:(?P<adj>U\.S\.|[a-z]+){SP}+)?(?P<name>{names})(?![\w]))"
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


# --- reading a match ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Marker:
    """A currency marker as written, with what it can mean."""

    text: str
    reading: Reading


def _marker(text: str | None) -> Marker | None:
    if not text:
        return None
    t = table()
    raw = text.strip().rstrip("-").strip()
    if "$" in raw:
        letters = raw.replace("$", "").replace(" ", "")
        reading = (dollar_prefix(letters) if letters else None) or t.symbols["$"]
        return Marker(raw, reading)
    if raw in t.symbols:
        return Marker(raw, t.symbols[raw])
    if raw in t.codes:
        return Marker(raw, t.codes[raw])
    key = re.sub(r"\s+", " ", raw.lower())
    key = re.sub(r"^(\w)\.(\w)\. ", r"\1\2 ", key)
    for candidate in (key, key.rstrip("s")):
        if candidate in t.names:
            reading = t.names[candidate]
            if reading.weak and not raw.islower():
                return None  # "1B Mark", "Real Madrid": a name, not a currency
            return Marker(raw, reading)
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


def scan(text: str) -> list[Found]:
    """Every money expression in ``text``, in text order ("multimillion-dollar" before "million-dollar")."""
    money_re, vague_re = grammar()
    vague = [f for f in map(_read_vague, vague_re.finditer(text)) if f is not None]
    vague_starts = [v.start for v in vague]  # sorted, and the spans do not overlap (finditer)
    found: list[Found] = list(vague)
    pos = 0
    while (m := money_re.search(text, pos)) is not None:
        item, resume = _read(m, text)
        if item is not None:
            # The last vague span starting before the item ends is the only one that can overlap it.
            before = bisect_left(vague_starts, item.end)
            if not before or vague[before - 1].end <= item.start:
                found.append(item)
        pos = max(resume, m.start() + 1)
    return sorted(found, key=lambda f: f.start)


def _read(m: re.Match, text: str) -> tuple[Found | None, int]:
    """The expression of one regex match, and where to resume scanning.

    A second amount that does not make a range ("$80 million and $25 million", "rose from $5 to
    $6") is cut off and scanned again on its own.
    """
    g = m.groupdict()
    after = bool(g["suf1"] or g["suf2"]) and not (g["pre1"] or g["pre2"])
    first = (_marker(g["pre1"]) or _marker(g["suf1"]))
    second = (_marker(g["pre2"]) or _marker(g["suf2"])) if g["amt2"] else None
    is_range = bool(g["amt2"]) and _is_range(g, text[max(0, m.start() - 12):m.start()])
    second_start = m.start("pre2") if g["pre2"] else m.start("amt2")
    if g["amt2"] and not is_range:
        end = m.end("suf1") if g["suf1"] else m.end("amt1")
        if first is None:
            return None, second_start
        return _build(m, text, end, first, _value(g["amt1"], after), None, second_start)
    marker = first or second
    if marker is None:
        return None, m.end("amt1")
    end = m.end("post") if g["post"] else m.end()
    if is_range:
        low, high = _value(g["amt1"], after), _value(g["amt2"], after)
        if low is None or high is None:
            return None, m.end()
        if not _has_scale(g["amt1"]) and _has_scale(g["amt2"]):
            scaled = low * _scale_of(g["amt2"])
            low = scaled if scaled < high else low
        if low >= high:
            return _build(m, text, m.end("suf1") if g["suf1"] else m.end("amt1"), marker, _value(g["amt1"], after),
                          None, second_start)
        return _build(m, text, end, marker, None, (low, high), m.end())
    return _build(m, text, end, marker, _value(g["amt1"], after), None, m.end())


def _is_range(g: dict, before: str) -> bool:
    sep = (g["sep"] or "").strip()
    between = (g["between"] or "").lower()
    if sep == "and":
        return between == "between"
    if between == "from":
        # "rose from $5 million to $6 million" is two amounts; "ranging from $5 to $10" a range
        return bool(re.search(r"\brang\w*\s+$", before, re.I))
    return True


def _build(m: re.Match, text: str, end: int, marker: Marker, amount: Decimal | None,
           bounds: tuple[Decimal, Decimal] | None, resume: int) -> tuple[Found | None, int]:
    g = m.groupdict()
    start = m.start()
    qual = (g["qual"] or "").lower()
    kind = QUALIFIERS.get(re.sub(r"\s+", " ", qual)) if qual else None
    if g["between"] and bounds is None:  # "from $5 million [to $6 million]": the first amount alone
        start = m.start("pre1") if g["pre1"] else m.start("amt1")
        kind = None
    post = (g["post"] or "").strip(" -\u00a0").lower() if end == m.end("post") and g["post"] else ""
    if post:
        kind = POST_QUALIFIERS.get(re.sub(r"\s+", " ", post), kind)
    if bounds is None and amount is None:
        return None, resume
    amounts = [g["amt1"]] + ([g["amt2"]] if bounds is not None else [])
    has_scale = any(_has_scale(a) for a in amounts)
    if marker.reading.weak and not has_scale and (marker.text.isupper() or _hyphenated(m, marker)):
        return None, resume  # "TOP 10", "a 200-pound man"
    if bounds is None and _is_year(text, m, marker):
        return None, resume
    factor = Decimal(str(marker.reading.factor))
    if bounds is not None:
        low, high = bounds[0] * factor, bounds[1] * factor
        value, approx = (low + high) / 2, True
    else:
        value = amount * factor
        low, high, approx = _bounds(value, kind)
    return Found(start, end, value, low, high, approx, marker, has_scale), resume


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


def _value(amount_text: str | None, currency_after: bool = False) -> Decimal | None:
    return parse_amount(amount_text, currency_after) if amount_text else None


def _has_scale(amount_text: str) -> bool:
    return _scale_of(amount_text) > 1


def _scale_of(amount_text: str) -> Decimal:
    words = re.findall(r"[A-Za-z]+", amount_text)
    scale = Decimal(1)
    for w in words:
        s = MULTIPLIERS.get(w.lower()) if w.lower() != "hundred" else None
        s = s or (ABBREVIATIONS.get(w) if re.search(r"\d", amount_text) else None)
        if s:
            scale *= s
    return scale


def _is_year(text: str, m: re.Match, marker: Marker) -> bool:
    """A year before a currency word or code is a price basis ("in 2006 dollars") or a date
    ("2012 AMD"), not an amount."""
    if m.group("pre1") or not re.fullmatch(r"(1[89]|20)\d\d", m.group("amt1")):
        return False
    if marker.text.isupper():
        return True
    return bool(re.search(r"\b(?:in|constant|real)\s+$", text[max(0, m.start() - 12):m.start()]))


MAGNITUDES = {"thousands": (3, 6), "millions": (6, 9), "billions": (9, 12), "trillions": (12, 15),
              "tens of thousands": (4, 5), "hundreds of thousands": (5, 6), "tens of millions": (7, 8),
              "hundreds of millions": (8, 9), "tens of billions": (10, 11), "hundreds of billions": (11, 12),
              "multimillion": (6, 9), "multibillion": (9, 12)}


def _read_vague(m: re.Match) -> Found | None:
    mag = re.sub(r"[\s-]+", " ", m.group("mag").lower())
    mag = re.sub(r"^multi ?(million|billion)$", r"multi\1", mag)
    if mag.startswith(("a few", "several")):
        exponent = {"thousand": 3, "million": 6, "billion": 9}[mag.split()[-1]]
        lo, hi = exponent, exponent + 1
    elif mag in MAGNITUDES:
        lo, hi = MAGNITUDES[mag]
    else:
        return None
    name, adj = m.group("name"), m.group("adj")
    marker = (adj and _marker(f"{adj} {name}")) or _marker(name)
    if marker is None:
        return None
    factor = Decimal(str(marker.reading.factor))
    return Found(m.start(), m.end(), None, Decimal(10) ** lo * factor, Decimal(10) ** hi * factor, True,
                 marker, True)
