"""Spans the model takes for names that never are: they are dropped before alignment sees them.

Each class is decided from the mention and its own document alone (so it runs per document, like
extraction), and its word lists come from libraries that keep them, never from a list of our own:

- ``empty``: nothing a name is made of is left (no letter or digit: the quote characters "'" and
  "``", a dash); such a span could never join a chain, so it would be a mention without an entity;
- ``not_capitalised``: a name is written with a capital somewhere ("navy pants", "html", the quote
  characters "'" and "``"); numbers alone are names only as events, products, laws, works ("9/11");
- ``url``: the mention lies inside a web address or an e-mail address ("uk / news /", "html?");
- ``time_zone``: an abbreviation the tz database uses today (pytz), written after a clock time in
  this document ("02:41 GMT"), or spelt out before it ("Coordinated Universal Time (UTC)");
- ``currency``: an ISO 4217 code (pycountry) that this document writes next to an amount
  ("USD 5 million"), so "AMD" the company stays; or a currency symbol inside the span ("US $");
- ``calendar``: a weekday or month (Babel's English CLDR names, abbreviations only with their
  period), unless the document names someone with that word ("Theresa May", "Tuesday Weld");
- ``title``: an honorific or rank alone (nameparser's titles), written as an abbreviation
  ("Sgt.", "Cpl", "Dr") and not a place ("Miss." is Mississippi), unless the document names
  someone with it.

What those libraries lack is in ``rules/not_names.toml`` (with examples that a test runs).
"""

from __future__ import annotations

import bisect
import re
import string
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from pipeline.align.names import fold, parse
from pipeline.rulefiles import choice, records
from pipeline.schema import Document, Mention

NOT_NAMES_FILE = "not_names.toml"
JUNK_CLASSES = ("empty", "not_capitalised", "url", "time_zone", "currency", "calendar", "title")
# Labels a number alone may carry: "9/11" (EVENT), "747" (PRODUCT), "1984" (WORK_OF_ART).
NUMBER_LABELS = frozenset({"EVENT", "PRODUCT", "LAW", "WORK_OF_ART"})
PLACE_LABELS = frozenset({"GPE", "LOC", "FAC"})
# A document with fewer capitals than this share of its letters is written all in lowercase:
# there a missing capital says nothing.
MIN_CAPITAL_SHARE = 0.01

_URL_START = re.compile(r"\b(?:(?:https?|ftp)\s?:\s?/\s?/|www\s?\.)", re.IGNORECASE)
# The local part starts where a run of its characters starts: without the look-behind, a long run
# with no "@" is rescanned from each of its characters (quadratic time on "Anna.Bob.Carl...").
_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_COLON_SLASH = re.compile(r":\s?/")
_NON_SPACE = re.compile(r"\S+")
_SPACE_WORD = re.compile(r" (\S+)")
_URL_JOINERS = "/._?=&#%+~:-"
_CLOCK_BEFORE = re.compile(r"\d ?(?:(?:[ap]\. ?m\.?|[ap]m|hrs?|hours|h) ?)?\(? ?\Z", re.IGNORECASE)
_SPELT_ZONE_BEFORE = re.compile(r"\bTime ?\( ?\Z")
# Short capitalised words: the shape of every time-zone abbreviation and currency code.
_SHORT_WORD = re.compile(r"\b[A-Z][A-Za-z]{1,4}\b")
# An amount right before a code: "5 million USD", "2.5bn EUR", "1,200 DKK"; a bare year is not one ("2012 AMD").
_AMOUNT_BEFORE = re.compile(r"(?:\d(?:[\d.,]*\d)? ?(?:million|billion|thousand|mn|bn|m|k)|"
                            r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+\.\d+|(?<!\d)(?!19|20)\d{1,4}|\d{5,}) ?\Z", re.IGNORECASE)
_AMOUNT_AFTER = re.compile(r"^ ?\d")
_VOWELS = frozenset("aeiouy")
# Abbreviated titles and calendar words are short ("Sgt", "Capt", "Sept").
MAX_ABBREVIATION = 4
# The instants at which the tz database is asked for each zone's abbreviations: one winter and
# one summer day, so standard and daylight names are both there. Fixed, so the list never drifts
# with the clock; historical names ("LMT", "BMT") are left out.
_TZ_INSTANTS = (datetime(2024, 1, 15, 12), datetime(2024, 7, 15, 12))


@dataclass(frozen=True)
class WordList:
    """An entry of ``rules/not_names.toml``."""

    name: str
    junk_class: str
    words: tuple[str, ...]
    examples: tuple[str, ...]
    counterexamples: tuple[str, ...] = ()


@lru_cache(maxsize=1)
def extra_words() -> tuple[WordList, ...]:
    out = []
    for r in records(NOT_NAMES_FILE, "words", {"name": str, "class": str, "words": list, "examples": list},
                     {"counterexamples": list}):
        out.append(WordList(r["name"], choice(NOT_NAMES_FILE, r, "class", JUNK_CLASSES), tuple(r["words"]),
                            tuple(r["examples"]), tuple(r["counterexamples"] or ())))
    return tuple(out)


def _extra(junk_class: str) -> set[str]:
    return {w for entry in extra_words() if entry.junk_class == junk_class for w in entry.words}


@lru_cache(maxsize=1)
def time_zones() -> frozenset[str]:
    """Time-zone abbreviations in use today ("GMT", "EST", "CEST", "IST"), as written."""
    import pytz

    names = set()
    for zone in pytz.all_timezones:
        tz = pytz.timezone(zone)
        for instant in _TZ_INSTANTS:
            name = tz.localize(instant).tzname()
            if name.isalpha():
                names.add(name)
    return frozenset(names | _extra("time_zone"))


@lru_cache(maxsize=1)
def currency_codes() -> frozenset[str]:
    import pycountry

    return frozenset({c.alpha_3 for c in pycountry.currencies} | _extra("currency"))


@lru_cache(maxsize=1)
def calendar_words() -> tuple[frozenset[str], frozenset[str]]:
    """Weekday and month names (folded), and their abbreviations, which count only with a period."""
    from babel.dates import get_day_names, get_month_names

    full, short = set(_extra("calendar")), set()
    for context in ("format", "stand-alone"):
        full.update(get_day_names("wide", context=context, locale="en").values())
        full.update(get_month_names("wide", context=context, locale="en").values())
        short.update(get_day_names("abbreviated", context=context, locale="en").values())
        short.update(get_month_names("abbreviated", context=context, locale="en").values())
    return frozenset(map(fold, full)), frozenset(map(fold, short))


@lru_cache(maxsize=1)
def titles() -> frozenset[str]:
    """Honorifics and ranks (folded). nameparser also lists country codes ("us", "uk", for "US
    Senator"): those are places, not titles (ISO 3166 codes from pycountry, and CLDR's aliases such
    as "UK" for GB from Babel)."""
    import pycountry
    from babel.core import get_global
    from nameparser.config import CONSTANTS

    codes = {c.alpha_2 for c in pycountry.countries} | {c.alpha_3 for c in pycountry.countries}
    codes |= set(get_global("territory_aliases"))
    folded_codes = {fold(c) for c in codes}
    return frozenset(({fold(t.strip()) for t in CONSTANTS.titles} - folded_codes) | {fold(w) for w in _extra("title")})


@dataclass(frozen=True)
class DocumentFacts:
    """What one document says that decides junk: where its web addresses are, which time zones it
    writes after a clock time, which currency codes next to an amount, which words name its people."""

    urls: tuple[tuple[int, int], ...]
    mention_starts: frozenset[int]
    clock_zones: frozenset[str]
    money_codes: frozenset[str]
    name_words: frozenset[str]
    capitalised: bool
    url_reach: tuple[int, ...] = ()  # the furthest end among urls[:i + 1]

    def __post_init__(self):
        reach, best = [], -1
        for _, e in self.urls:
            best = max(best, e)
            reach.append(best)
        object.__setattr__(self, "url_reach", tuple(reach))

    @classmethod
    def of(cls, text: str, mentions: list[Mention]) -> DocumentFacts:
        urls, clock, money, capitalised = _text_facts(text)
        words = set()
        for m in mentions:
            tokens = parse(m.text, m.model_label or m.label).tokens
            if len(tokens) > 1:
                words.update(tokens)
        return cls(urls, frozenset(m.start_char for m in mentions), clock, money, frozenset(words), capitalised)


@lru_cache(maxsize=4_096)
def _text_facts(text: str) -> tuple[tuple[tuple[int, int], ...], frozenset[str], frozenset[str], bool]:
    """The facts that depend on the text alone (web addresses, time zones after clock times,
    currency codes beside amounts, whether it is written in mixed case): alignment asks twice per
    document (the model's mentions, then the sweep's), and a text is read once."""
    zones, codes = time_zones(), currency_codes()
    clock, money = set(), set()
    for m in _SHORT_WORD.finditer(text):
        word = m.group()
        zone, code = word in zones, word in codes
        if not (zone or code):  # most capitalised words: nothing to look at around them
            continue
        before = text[max(0, m.start() - 16) : m.start()]
        if zone and (_CLOCK_BEFORE.search(before) or _SPELT_ZONE_BEFORE.search(before)):
            clock.add(word)
        if code and (_AMOUNT_BEFORE.search(before) or _AMOUNT_AFTER.match(text[m.end() : m.end() + 3])):
            money.add(word)
    letters, capitals = _letters_and_capitals(text)
    return url_spans(text), frozenset(clock), frozenset(money), capitals >= MIN_CAPITAL_SHARE * letters


_ASCII_LETTERS = string.ascii_letters.encode()
_ASCII_CAPITALS = string.ascii_uppercase.encode()


def _letters_and_capitals(text: str) -> tuple[int, int]:
    """How many letters and how many capitals: an ASCII text is counted as bytes (what
    ``bytes.translate`` deletes, in C), any other character by character."""
    if text.isascii():
        raw = text.encode("ascii")
        return len(raw) - len(raw.translate(None, _ASCII_LETTERS)), len(raw) - len(raw.translate(None, _ASCII_CAPITALS))
    return sum(map(str.isalpha, text)), sum(map(str.isupper, text))  # map over a builtin: C speed


def _has_capital(text: str) -> bool:
    return text.lower() != text if text.isascii() else any(ch.isupper() for ch in text)


def _has_currency_sign(text: str) -> bool:
    """A currency symbol (Unicode category Sc) in the text: in ASCII, only "$" is one."""
    return "$" in text if text.isascii() else any(unicodedata.category(ch) == "Sc" for ch in text)


def url_spans(text: str) -> tuple[tuple[int, int], ...]:
    """Web and e-mail addresses, also as re-tokenised text writes them ("http: / / www. bbc. co. uk / news")."""
    spans = [(m.start(), m.end()) for m in _EMAIL.finditer(text)] if "@" in text else []
    if "www" not in text.lower() and not (":" in text and _COLON_SLASH.search(text)):
        return tuple(spans)  # every web address starts with one of them (_URL_START): 10x faster than a scan
    for start in _URL_START.finditer(text):
        end = start.end()
        while True:
            chunk = _NON_SPACE.match(text, end)
            if chunk:
                end = chunk.end()
            # Across one space only where a separator touches it: "oscars. html? _ r=0".
            if text[end : end + 1] != " ":
                break
            nxt = _SPACE_WORD.match(text, end)
            if not nxt:
                break
            prev_char, next_word = text[end - 1], nxt.group(1)
            if prev_char in _URL_JOINERS and not (prev_char == "." and next_word[0].isupper()):
                end += 1
            elif next_word[0] in _URL_JOINERS:
                end += 1
            else:
                break
        spans.append((start.start(), end))
    return tuple(sorted(spans))


def _overlaps(facts: DocumentFacts, start: int, end: int) -> bool:
    """Does [start, end) overlap a web address? Of the addresses starting before ``end`` (sorted by
    start), the one reaching furthest decides: a binary search and a running maximum, not a scan."""
    i = bisect.bisect_left(facts.urls, (end,))
    return i > 0 and facts.url_reach[i - 1] > start


def junk_class(doc_text: str, m: Mention, facts: DocumentFacts) -> str | None:
    """The junk class of mention ``m`` (see the module docstring), or None when it may be a name."""
    text, label = m.text, m.label
    if not parse(text, m.model_label or label).tokens:
        return "empty"
    if facts.capitalised and not _has_capital(text):
        if not (label in NUMBER_LABELS and any(ch.isdigit() for ch in text)):
            return "not_capitalised"
    if _overlaps(facts, m.start_char, m.end_char):
        return "url"
    if _has_currency_sign(text):
        return "currency"
    word = text.strip()
    if word in facts.clock_zones:
        return "time_zone"
    if word in facts.money_codes:
        return "currency"
    folded = fold(word.rstrip("."))
    if folded in facts.name_words:
        return None
    full, short = calendar_words()
    if folded in full or (folded in short and _abbreviated(doc_text, m, facts)):
        return "calendar"
    if folded in titles() and label not in PLACE_LABELS and (not _VOWELS & set(folded) or _abbreviated(doc_text, m, facts)):
        return "title"
    return None


def _abbreviated(doc_text: str, m: Mention, facts: DocumentFacts) -> bool:
    """Written as an abbreviation right before a name or a number, on the same line ("Sgt. Hoyt
    Teasley", "MAR. 14"): short, with its period. A word ending a sentence ("... the Group.") is not."""
    if len(m.text.strip().rstrip(".")) > MAX_ABBREVIATION:
        return False
    end = m.end_char if not m.text.endswith(".") else m.end_char - 1
    after = doc_text[end : end + 3]
    if not after.startswith(". "):
        return False
    return end + 2 in facts.mention_starts or after[2:3].isdigit()


def drop_junk(doc: Document, mentions: list[Mention]) -> list[Mention]:
    """The document's mentions without the junk (``mentions`` are this document's)."""
    if not mentions:
        return mentions
    facts = DocumentFacts.of(doc.text, mentions)
    return [m for m in mentions if junk_class(doc.text, m, facts) is None]
