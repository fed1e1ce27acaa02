"""Numbers written in digits or words: one parser for dates and money, fed by ``rules/numbers.toml``.

    parse("twenty-five") == 25          parse("1,250,000") == 1250000     parse("2,5") == 2.5
    parse("half a billion") == 5e8      parse("3 lakh") == 300000         parse("5 1/2") == 5.5
    parse("2.3bn") == 2.3e9             parse("a") == 1                   ordinal("twenty-first") == 21
    read("a couple of million") == Number(2000000, approximate=True)

Why not a library: ``text2num`` (and ``word2number``) read cardinal words only; they know no Indian
scales (lakh, crore), no scale abbreviations after digits ("5k", "$15 MM"), no "half a billion" or
"5 1/2", no "one point five", and no digit grouping conventions (1.250.000 vs 1,250.50), which money
needs. The words themselves are data (the TOML file, one section per role); this module only combines
them, and each grammar (money's regex, the date rules' macros) picks the roles it lets in.

Values are :class:`~decimal.Decimal` so that money keeps its cents exact; dates convert as they need.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import cached_property, lru_cache
from pathlib import Path

from pipeline.settings import RULES_DIR

NUMBERS_PATH = RULES_DIR / "numbers.toml"
# Sections of word = number, and the ones whose words are case-sensitive ("m" and "M" are million, "b"
# and "B" billion, but "T" only is trillion).
_VALUED = ("units", "tens", "hundreds", "dozens", "scales", "plurals", "abbreviations", "short_forms",
           "fractions", "glyphs", "approximate", "ordinals")
_CASED = ("abbreviations", "short_forms")
_INTEGER = ("units", "tens", "hundreds", "dozens", "scales", "plurals", "abbreviations", "short_forms",
            "approximate", "ordinals")
_LISTS = ("articles", "decimal_points")


@dataclass(frozen=True)
class NumberWords:
    """The table, one dict per role (word -> number; lower case except the abbreviations)."""

    units: dict[str, int]
    tens: dict[str, int]
    hundreds: dict[str, int]
    dozens: dict[str, int]
    scales: dict[str, int]
    plurals: dict[str, int]
    abbreviations: dict[str, int]
    short_forms: dict[str, int]
    fractions: dict[str, Decimal]
    glyphs: dict[str, Decimal]
    approximate: dict[str, int]
    ordinals: dict[str, int]
    articles: frozenset[str]
    decimal_points: frozenset[str]
    examples: tuple[tuple[str, Decimal], ...]

    @property
    def cardinals(self) -> dict[str, int]:
        return {**self.units, **self.tens}

    @cached_property
    def multipliers(self) -> dict[str, int]:
        """Words that multiply the group being read: "hundred", "dozen", and plurals below a thousand."""
        return {**self.hundreds, **self.dozens, **{w: v for w, v in self.plurals.items() if v < 1000}}

    @cached_property
    def closing_scales(self) -> dict[str, int]:
        """Words that close the group being read: the scales, and plurals from a thousand on."""
        return {**self.scales, **{w: v for w, v in self.plurals.items() if v >= 1000}}

    @cached_property
    def all_abbreviations(self) -> dict[str, int]:
        return {**self.abbreviations, **self.short_forms}

    def words(self, *, max_scale: int | None = None) -> list[str]:
        """Every cardinal, multiplier and scale word (up to ``max_scale``), longest first: for regex alternations."""
        scales = [w for w, v in {**self.multipliers, **self.closing_scales}.items()
                  if max_scale is None or v <= max_scale]
        return sorted([*self.units, *self.tens, *scales], key=len, reverse=True)


@dataclass(frozen=True)
class Number:
    """A number as read: its value, and whether the words only said about how much ("a couple of")."""

    value: Decimal
    approximate: bool = False


@lru_cache(maxsize=4)
def table(path: Path = NUMBERS_PATH) -> NumberWords:
    """The number words, loaded once and checked: an unknown section, a value that is not a number,
    or a word given two roles names itself."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    unknown = set(data) - {*_VALUED, *_LISTS, "example"}
    if unknown:
        raise ValueError(f"{path.name}: unknown section(s) {sorted(unknown)}")
    seen: dict[str, str] = {}

    def claim(section: str, word: str) -> str:
        key = word if section in _CASED else word.lower()
        other = seen.setdefault(key, section)
        if other != section:
            raise ValueError(f"{path.name}: [{section}] {word!r} is also in [{other}]")
        return key

    sections: dict[str, dict] = {}
    for name in _VALUED:
        section = {}
        for word, value in data.get(name, {}).items():
            if name in _INTEGER:
                if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                    raise ValueError(f"{path.name}: [{name}] {word!r} must be a non-negative integer, not {value!r}")
            else:
                try:
                    value = Decimal(str(value))
                except InvalidOperation:
                    raise ValueError(f"{path.name}: [{name}] {word!r} must be a decimal number, not {value!r}") from None
            section[claim(name, word) if name != "ordinals" else word.lower()] = value
        sections[name] = section
    lists = {}
    for name in _LISTS:
        words = data.get(name, [])
        if not isinstance(words, list) or not all(isinstance(w, str) for w in words):
            raise ValueError(f"{path.name}: {name} must be a list of words, not {words!r}")
        lists[name] = frozenset(claim(name, w) for w in words)
    examples = []
    for i, ex in enumerate(data.get("example", [])):
        if set(ex) != {"text", "value"}:
            raise ValueError(f"{path.name}: example {i + 1} needs exactly 'text' and 'value', has {sorted(ex)}")
        examples.append((ex["text"], Decimal(ex["value"])))
    return NumberWords(**sections, **lists, examples=tuple(examples))


# Digits may be grouped by commas, dots, apostrophes ("1'250'000") or spaces, or detokenised ("2. 6",
# "1, 000"); but "5 1/2" is five and a half.
_SPACE = "\\s\u00a0\u202f\u2009\u2007"
_TOKEN = re.compile(rf"\d+/\d+|\d+(?:(?:[.,'’][{_SPACE}]?|[{_SPACE}])\d+(?![\d/]))*|\.\d+|[^\W\d_]+|[½¼¾⅓⅔]")
_FRACTION = re.compile(r"(\d+)/(\d+)")


def parse(text: str, *, currency_after: bool = False) -> Decimal | None:
    """The value of a number written in digits, words or both; None when a word is not a number word."""
    number = read(text, currency_after=currency_after)
    return None if number is None else number.value


def read(text: str, *, currency_after: bool = False) -> Number | None:
    """A number written in digits, words or both; None when any word is not a number word.

    ``currency_after``: the currency follows the number, continental style ("3.000 Kč"), so a lone
    dot before three digits groups thousands instead of marking decimals. "of" is skipped ("a
    quarter of a million"); "and" adds what follows ("one hundred and five", "two and a half").
    """
    w = table()
    tokens = _TOKEN.findall(text.replace("-", " "))
    if not tokens:
        return None
    total, current = Decimal(0), None  # current: the group being read (None: nothing counted yet)
    last_scale, last_group, after_scale = Decimal(1), Decimal(0), False
    after_and, decimals, approx, saw_article = False, None, False, False
    for tok in tokens:
        low = tok.lower()
        if decimals is not None and low in w.units and w.units[low] < 10:
            decimals += str(w.units[low])  # "one point five": digits after the point
            continue
        if decimals is not None:
            current = (current or 0) + (Decimal(f"0.{decimals}") if decimals else 0)
            decimals = None
        if fraction := _FRACTION.fullmatch(tok):
            num, den = map(int, fraction.groups())
            if den == 0:
                return None
            current = (current or 0) + Decimal(num) / Decimal(den)  # "5 1/2"
        elif tok[0].isdigit() or tok[0] == ".":
            value = parse_digits(tok, currency_after)
            if value is None:
                return None
            current = (current or 0) + value
        elif low in w.units or low in w.tens:
            current = (current or 0) + w.cardinals[low]
        elif low in w.decimal_points:
            decimals = ""
        elif low in w.articles:
            saw_article = True
            after_scale = False
            continue  # keeps `after_and`: "one and a half"
        elif low in w.approximate:
            current, approx = Decimal(w.approximate[low]), True
        elif low in w.glyphs:
            current = (current or 0) + w.glyphs[low]  # "5½", "½"
        elif low in w.fractions:
            f = w.fractions[low]
            if after_and and current is None and last_scale > 1:
                total += f * last_scale  # "a million and a half"
            elif after_and:
                current = (current or 0) + f  # "one and a half"
            else:
                current = (current if current is not None else 1) * f  # "half", "a quarter", "three quarters"
        elif low in w.multipliers:
            current = (current if current is not None else 1) * w.multipliers[low]
        elif low in w.closing_scales or tok in w.all_abbreviations:
            scale = w.closing_scales.get(low) or w.all_abbreviations[tok]
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
        value = Decimal(1)  # "a euro", "an"
    return Number(value, approx)


def scale_of(text: str) -> Decimal:
    """The product of the scales a number is written with: "2.3bn" -> 10**9, "10 lakh crore" -> 10**12,
    "two hundred" -> 1 (a multiplier is no scale). Abbreviations count only after digits."""
    w = table()
    has_digits = bool(re.search(r"\d", text))
    scale = Decimal(1)
    for word in re.findall(r"[A-Za-z]+", text):
        s = w.scales.get(word.lower()) or (w.all_abbreviations.get(word) if has_digits else None)
        if s:
            scale *= s
    return scale


def parse_digits(tok: str, currency_after: bool = False) -> Decimal | None:
    """Digits with English or continental separators; a lone '.ddd' is a decimal point (English)
    unless the currency comes after the number; a lone ',dd' is a decimal comma."""
    tok = re.sub(rf"[{_SPACE}'’]", "", tok)
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


def ordinal(text: str) -> int | None:
    """"third" -> 3, "twenty-first" -> 21, "21st" -> 21, "thirtieth" -> 30; None otherwise."""
    low = " ".join(text.lower().replace("-", " ").split())
    m = re.fullmatch(r"(\d+)(?:st|nd|rd|th)", low)
    if m:
        return int(m.group(1))
    words = table()
    if low in words.ordinals:
        return words.ordinals[low]
    parts = low.split()
    if len(parts) == 2 and parts[0] in words.tens and parts[1] in words.ordinals and words.ordinals[parts[1]] < 10:
        return words.tens[parts[0]] + words.ordinals[parts[1]]
    return None
