"""The money grammar: one compiled regex over every form news writes.

    [qualifier] [between|from] part [(- | to | and | through) part] [post-qualifier]
    part = [prefix] amount [suffix] [subunits]

- amount: digits in English or European style (1,250,000 / 1.250.000 / 2,5 / 1'000), scale words
  and abbreviations (million, bn, m, K, MM, crore), numbers in words ("two hundred million",
  "a quarter of a million", "one point five billion"), or an article before a name ("a euro");
- prefix / suffix: symbols, ISO codes and currency names (:mod:`pipeline.money.currencies`),
  before or after the number ("$25", "25$", "2.50US$", "30SGD", "9€");
- subunits: "$12 and 50 cents", "15 dollars 20", "4 GBP 30 pence";
- qualifier: "in excess of", "up to", "nearly", "or so", ... -> amount_min / amount_max / approximate.

Every word list comes from ``rules/money.toml`` (:mod:`pipeline.money.lexicon`), the number words
from ``rules/numbers.toml`` (:mod:`pipeline.numbers`, which also values the amounts) and every
currency marker from the currency table; :mod:`pipeline.money.reading` turns matches into
amounts. Every repetition in the pattern is bounded, and word lists compile as tries, so a scan
costs one pass over the text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable

from pipeline import numbers
from pipeline.money.currencies import table
from pipeline.money.lexicon import Lexicon, load

# Horizontal space only: an amount never runs over a line break ("2012\nAMD's new CEO").
SP = r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]"
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


# --- words ------------------------------------------------------------------------------------
# Amounts are valued by pipeline.numbers (one parser, shared with the dates); here, the words the
# grammar looks up around them.

@dataclass(frozen=True)
class _Words:
    """The rule file's qualifier and name tables as the reader looks them up (built once)."""

    before: dict  # qualifier word -> Qualifier
    after: dict
    attached_names: frozenset[str]
    price_basis: frozenset[str]


@lru_cache(maxsize=1)
def word_tables() -> _Words:
    lex = load()
    return _Words(
        before=lex.qualifiers_at("before"), after=lex.qualifiers_at("after"),
        attached_names=frozenset(w.lower() for a in lex.attached_names for w in a.words),
        price_basis=frozenset(w.lower() for p in lex.price_basis for w in p.words),
    )


def _role(*roles: str) -> list[str]:
    """The words of roles of ``rules/numbers.toml`` (:data:`pipeline.money.lexicon.NUMBER_ROLES`)."""
    table = numbers.table()
    return [w for role in roles for w in getattr(table, role)]


def _words_pattern() -> str:
    """Numbers in words, as a grammar rather than any run of number words, so that "between
    five and ten dollars" stays two numbers and "a quarter of a million" one."""
    def w(*roles: str) -> str:
        return rf"(?:{_alternation(_role(*roles))})\b"

    J = rf"(?:{SP}+|{SP}*-{SP}*)"  # "twenty-five", "two - million"
    AND = rf"{SP}+and{SP}+"
    unit, ten, hundred, scale, fraction = w("units"), w("tens"), w("hundreds"), w("scales"), w("fractions")
    article, point, couple = w("articles"), w("decimal_points"), w("approximate")
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
    # A country's adjective before the sign or before a name: "Australian $200", "100 Israeli shekels".
    dollar_codes = t.symbols["$"].codes
    demonyms = _alternation(d for d, codes in t.demonym_currency.items() if codes & dollar_codes)
    any_demonym = _alternation(t.demonym_currency)
    dollar = (rf"(?:(?i:\b(?:{demonyms})){SP}?\$|\b(?:{spaced}){SP}?\$|\b(?:{mixed})\$|\b[A-Z]{{1,3}}\$"
              rf"|\$(?:(?:{_alternation(after)})(?={SP}?\d))?)")
    dollar_after = rf"(?:(?<![A-Za-z])(?:{mixed}|[A-Z]{{1,3}}))?\$(?![\w$]|{SP}?\d)"
    attached_names = _alternation(w for a in lex.attached_names for w in a.words)
    # A currency's plural name before the number, as Asian and wire copy writes it: "Hong Kong dollars
    # 500", "euros 1,200"; never a weak name ("won 3-2", "pounds 5") nor the singular ("Euro 2028"),
    # and not before a count of something else ("dollars 20 years ago", "US dollars 2 percent") or a year.
    plural_names = _alternation(_name_variants(n for n, r in t.names.items() if n.endswith("s") and len(n) > 3
                                               and not r.weak))
    not_a_count = (rf"(?!{SP}?[\d.,]+{SP}*(?:%|(?i:percent|per{SP}+cent|pc|years?|months?|weeks?|days?|hours?|times|points?)\b))"
                   rf"(?!{SP}?(?:1[89]|20)\d\d(?![\d,.]\d))")  # "in US dollars 1990 to 2000": years
    name_before = rf"(?i:\b(?:(?:{any_demonym}){SP}+)?(?:{plural_names}))(?={SP}?\d){not_a_count}"
    prefix = (rf"(?:{dollar}|(?<![\w])(?:{symbols})(?={SP}?[\d.])|\b(?:{codes})(?={SP}?[\d.])"
              rf"|(?i:\b(?:{attached_names})(?=\d))|{name_before})")
    suffix = (rf"(?:(?:{symbols})(?![\w])|(?<![A-Za-z])(?:{codes})\b"
              rf"|(?i:\b(?:{any_demonym}){SP}+(?:{names}))(?![\w])|(?i:\b(?:{names}))(?![\w])"
              rf"|(?<=\d)(?:{attached})(?![\w.])|{dollar_after})")
    abbreviation = rf"(?:{_alternation(_role('abbreviations'))})(?![\w'’])"
    spaced_abbreviation = rf"(?:{_alternation(_role('short_forms'))})(?![\w'’])"
    scale = rf"(?i:(?:{_alternation(_role('scales'))})\b)"
    words = _words_pattern()
    fraction, article = _alternation(_role("fractions")), _alternation(_role("articles"))
    count = rf"(?:{_alternation(_role('tens'))})\b(?:{SP}*-?{SP}*(?:{_alternation(_role('units'))})\b)?" \
            rf"|(?:{_alternation(_role('units'))})\b"
    # "1 000 Kč", "2 500 zł": thousands grouped by plain spaces, continental style, only right
    # before the currency (elsewhere "in 2019 500 people" would be one number).
    spaced_thousands = (rf"\d{{1,3}}(?: \d{{3}}){{1,4}}(?!\d)(?={SP}?(?:(?:{symbols})(?![\w])|(?:{codes})\b"
                        rf"|(?i:\b(?:{names}))(?![\w])))")
    # After "15 dollars 20" only the end of the phrase: "15 dollars 20 people" is no amount of cents.
    bare_end = f"(?={_phrase_end(lex)})"

    def part(n: int) -> str:
        amount = (rf"(?:(?:{spaced_thousands}|{DIGITS})(?P<plus{n}>{SP}?\+{SP}?(?={abbreviation}|{spaced_abbreviation}|{scale}))?"
                  rf"(?:{abbreviation}|{SP}?{spaced_abbreviation}|(?:{SP}?-{SP}?|{SP}?){scale}(?:{SP}{scale})?)?"
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
        rf"(?<![\w.,])(?P<neg>(?<![\w.,$€£¥])[-−](?=[^\s\w]|[A-Z]{{1,3}}\$|\d)|(?i:minus|negative){SP}+)?"
        rf"(?:(?P<qual>(?i:{qualifier}))(?:{SP}+|(?<=~)))?(?:(?P<between>(?i:between|from)){SP}+)?"
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
    words = _alternation(w for p in lex.phrase_end for w in p.words)
    return rf"{SP}*(?:$|\n|[.,;!?)\]\"”’'](?!\d))|{SP}+(?i:{words})\b"


@dataclass(frozen=True)
class _Context:
    """Patterns checked around a match, each on a fixed window (so the scan stays linear)."""

    modifier: re.Pattern  # after a currency name: "zone", "-denominated" ("a euro zone country")
    idioms: re.Pattern  # "my two cents", "quid pro quo"
    weights: tuple  # weight cues before/after a "pounds" amount
    changes: tuple[re.Pattern, ...]  # verbs that make "from $5 to $6" a change
    phrase_end: re.Pattern  # where a weak currency word or a bare subunit may stop


@lru_cache(maxsize=1)
def context_patterns() -> _Context:
    lex = load()
    return _Context(
        modifier=re.compile(rf"(?:{SP}*-{SP}*|{SP}+)(?i:{_alternation(lex.modifier_heads())})(?![\w])"),
        idioms=re.compile("|".join(f"(?:{c.pattern.pattern})" for c in lex.idioms), re.I),
        weights=lex.weights, changes=tuple(c.pattern for c in lex.changes),
        phrase_end=re.compile(_phrase_end(lex)),
    )
