"""Numbers written in digits or words: one parser for dates and money, fed by ``rules/numbers.toml``.

    parse("twenty-five") == 25          parse("1,250,000") == 1250000     parse("2,5") == 2.5
    parse("half a billion") == 5e8      parse("3 lakh") == 300000         parse("5 1/2") == 5.5
    parse("2.3bn") == 2.3e9             parse("a") == 1                   ordinal("twenty-first") == 21

Why not a library: ``text2num`` (and ``word2number``) read cardinal words only; they know no Indian
scales (lakh, crore), no scale abbreviations after digits ("5k", "$15 MM"), no "half a billion" or
"5 1/2", and no digit grouping conventions (1.250.000 vs 1,250.50), which money needs. The words
themselves are data (the TOML file); this module only combines them.

Values are :class:`~decimal.Decimal` so that money keeps its cents exact; dates convert as they need.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path

from pipeline.settings import RULES_DIR

NUMBERS_PATH = RULES_DIR / "numbers.toml"
_SECTIONS = {"units", "tens", "scales", "abbreviations", "fractions", "ordinals", "example"}


@dataclass(frozen=True)
class NumberWords:
    units: dict[str, int]
    tens: dict[str, int]
    scales: dict[str, int]
    abbreviations: dict[str, int]  # case-sensitive keys
    fractions: dict[str, Decimal]
    ordinals: dict[str, int]
    examples: tuple[tuple[str, Decimal], ...]

    @property
    def cardinals(self) -> dict[str, int]:
        return {**self.units, **self.tens}

    def words(self, *, max_scale: int | None = None) -> list[str]:
        """Every cardinal and scale word (scales up to ``max_scale``), longest first: for regex alternations."""
        scales = [w for w, v in self.scales.items() if max_scale is None or v <= max_scale]
        return sorted([*self.units, *self.tens, *scales], key=len, reverse=True)


@lru_cache(maxsize=4)
def table(path: Path = NUMBERS_PATH) -> NumberWords:
    """The number words, loaded once and checked: an unknown section or a non-number value names itself."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    unknown = set(data) - _SECTIONS
    if unknown:
        raise ValueError(f"{path.name}: unknown section(s) {sorted(unknown)}")

    def ints(name: str) -> dict[str, int]:
        section = data.get(name, {})
        for key, value in section.items():
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                raise ValueError(f"{path.name}: [{name}] {key!r} must be a non-negative integer, not {value!r}")
        return dict(section)

    fractions = {}
    for key, value in data.get("fractions", {}).items():
        try:
            fractions[key] = Decimal(str(value))
        except InvalidOperation:
            raise ValueError(f"{path.name}: [fractions] {key!r} must be a decimal number, not {value!r}") from None
    examples = []
    for i, ex in enumerate(data.get("example", [])):
        if set(ex) != {"text", "value"}:
            raise ValueError(f"{path.name}: example {i + 1} needs exactly 'text' and 'value', has {sorted(ex)}")
        examples.append((ex["text"], Decimal(ex["value"])))
    lower = lambda d: {k.lower(): v for k, v in d.items()}  # noqa: E731
    return NumberWords(lower(ints("units")), lower(ints("tens")), lower(ints("scales")), ints("abbreviations"),
                       lower(fractions), lower(ints("ordinals")), tuple(examples))


# Digits may be grouped by spaces or detokenised ("2. 6"), but "5 1/2" is five and a half.
_TOKEN = re.compile(r"\d+/\d+|\d+(?:(?:[.,][\s\u00a0\u202f\u2009]?|[\s\u00a0\u202f\u2009])\d+(?![\d/]))*|\.\d+"
                    r"|[^\W\d_]+|[½¼¾⅓⅔]")
_FRACTION = re.compile(r"(\d+)/(\d+)")


def parse(text: str, *, currency_after: bool = False) -> Decimal | None:
    """A number written in digits, words or both; None when any word is not a number word.

    ``currency_after``: the currency follows the number, continental style ("3.000 Kč"), so a lone
    dot before three digits groups thousands instead of marking decimals. "and" and "of" are
    skipped ("one hundred and five", "a quarter of a million"); "a"/"an" is one ("a million").
    """
    words = table()
    text = text.strip()
    if not text:
        return None
    tokens = _TOKEN.findall(re.sub(r"(?<=[^\W\d_])-(?=[^\W\d_])", " ", text))
    if not tokens:
        return None
    total, current = Decimal(0), Decimal(0)
    pending_fraction: Decimal | None = None
    seen_number = False
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        low = tok.lower()
        nxt = [t.lower() for t in tokens[i + 1:i + 3]]
        if _FRACTION.fullmatch(tok):
            num, den = map(int, _FRACTION.fullmatch(tok).groups())
            if den == 0:
                return None
            current += Decimal(num) / Decimal(den)
        elif tok[0].isdigit() or tok[0] == ".":
            value = parse_digits(tok, currency_after)
            if value is None:
                return None
            current += value
        elif low == "and" and nxt[:2] == ["a", "half"]:  # "two and a half", "an hour and a half"
            current += words.fractions["half"]
            i += 3
            continue
        elif low in words.units or low in words.tens:
            current += words.units.get(low, words.tens.get(low, 0))
        elif low in ("a", "an"):  # one, unless it is the article of a fraction ("a quarter of a million")
            current += 0 if pending_fraction is not None or (nxt and nxt[0] in words.fractions) else 1
        elif low in words.fractions:
            if seen_number and low in ("½", "¼", "¾", "⅓", "⅔"):
                current += words.fractions[low]
            else:
                pending_fraction = words.fractions[low]
        elif low in words.scales and words.scales[low] < 1000:
            current = (current or 1) * words.scales[low]
        elif low in words.scales or tok in words.abbreviations:
            scale = words.scales.get(low) or words.abbreviations[tok]
            if pending_fraction is not None:
                current = (current or 0) + pending_fraction
                pending_fraction = None
            total += (current or 1) * scale
            current = Decimal(0)
        elif low not in ("and", "of"):
            return None
        seen_number = True
        i += 1
    if pending_fraction is not None:
        current += pending_fraction
    return total + current


def parse_digits(tok: str, currency_after: bool = False) -> Decimal | None:
    """Digits with English or continental separators; a lone '.ddd' is a decimal point (English)
    unless the currency comes after the number; a lone ',dd' is a decimal comma."""
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
