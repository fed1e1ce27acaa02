"""The money grammar's words, read from ``rules/money.toml`` and checked field by field.

The grammar (:mod:`pipeline.money.grammar`) builds its regex from these tables and gives each
entry its meaning: a qualifier's ``kind`` decides the bounds, a magnitude's exponents the bounds of
"millions of dollars". The number words are not here but in ``rules/numbers.toml``
(:mod:`pipeline.numbers`, shared with the dates); ``[[numbers]]`` entries give the amounts each of
its roles must yield in money. Loading fails with the rule named
(:class:`pipeline.rulefiles.RuleError`) on an unknown kind or role, a word listed twice with two
meanings, or a pattern that does not compile, so a word is never accepted by a pattern without a
meaning in code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from pipeline import numbers
from pipeline.rulefiles import RuleError, choice, records

FILE = "money.toml"

KINDS = ("lower", "upper", "nearly", "just_over", "approx")
WHERE = ("before", "after")
# The roles of rules/numbers.toml that the money grammar reads (no dozens, no plurals: "millions of
# dollars" is a vague magnitude; no fraction glyphs).
NUMBER_ROLES = ("units", "tens", "hundreds", "scales", "abbreviations", "short_forms", "fractions",
                "approximate", "articles", "decimal_points")


@dataclass(frozen=True)
class Qualifier:
    name: str
    kind: str
    where: str
    words: tuple[str, ...]
    ends_phrase: bool
    examples: tuple[str, ...]


@dataclass(frozen=True)
class NumberExamples:
    """The money amounts one role of ``rules/numbers.toml`` must give ("$2.3bn = 2300000000")."""

    name: str
    role: str
    examples: tuple[str, ...]

    @property
    def words(self) -> tuple[str, ...]:
        """The role's words, from the shared table (case kept: abbreviations are case-sensitive)."""
        return tuple(getattr(numbers.table(), self.role))


@dataclass(frozen=True)
class Magnitude:
    name: str
    words: tuple[str, ...]
    low: int  # exponents: bounds 10**low .. 10**high
    high: int
    examples: tuple[str, ...]


@dataclass(frozen=True)
class Cue:
    """A pattern with the texts it must and must not affect (change verbs, idioms)."""

    name: str
    pattern: re.Pattern
    examples: tuple[str, ...]
    counterexamples: tuple[str, ...]


@dataclass(frozen=True)
class WordList:
    """A list of words with the texts it must and must not affect."""

    name: str
    words: tuple[str, ...]
    examples: tuple[str, ...]
    counterexamples: tuple[str, ...]


@dataclass(frozen=True)
class Weight:
    name: str
    before: re.Pattern
    after: re.Pattern
    examples: tuple[str, ...]
    counterexamples: tuple[str, ...]


@dataclass(frozen=True)
class Lexicon:
    qualifiers: tuple[Qualifier, ...]
    numbers: tuple[NumberExamples, ...]
    magnitudes: tuple[Magnitude, ...]
    changes: tuple[Cue, ...]
    modifiers: tuple[WordList, ...]
    idioms: tuple[Cue, ...]
    weights: tuple[Weight, ...]
    phrase_end: tuple[WordList, ...]  # words after which a phrase is over
    attached_names: tuple[WordList, ...]  # names written against the digits ("euro30 billion")
    price_basis: tuple[WordList, ...]  # words before a year that make it a price basis ("in 2006 dollars")

    def qualifiers_at(self, where: str) -> dict[str, Qualifier]:
        """Normalised word ("in excess of") -> its qualifier, for one side of the amount."""
        return {key(w): q for q in self.qualifiers if q.where == where for w in q.words}

    def magnitude(self) -> dict[str, tuple[int, int]]:
        return {key(w): (m.low, m.high) for m in self.magnitudes for w in m.words}

    def modifier_heads(self) -> tuple[str, ...]:
        return tuple(h for m in self.modifiers for h in m.words)


def key(words: str) -> str:
    """How a written phrase is looked up: lower case, one space between words, no space around hyphens."""
    return re.sub(r"\s*-\s*", "-", re.sub(r"\s+", " ", words.strip().lower()))


def _label(table: str, record: dict) -> str:
    return f"{FILE}: [[{table}]] {record['name']!r}"


def _pattern(table: str, record: dict, field: str) -> re.Pattern:
    try:
        return re.compile(record[field], re.I)
    except re.error as exc:
        raise RuleError(f"{_label(table, record)}: {field} does not compile: {exc}") from None


def _qualifiers() -> tuple[Qualifier, ...]:
    out, seen = [], {}
    for r in records(FILE, "qualifier", {"name": str, "kind": str, "where": str, "words": list, "examples": list},
                     {"ends_phrase": bool}):
        kind, where = choice(FILE, r, "kind", KINDS), choice(FILE, r, "where", WHERE)
        if r["ends_phrase"] and where != "after":
            raise RuleError(f"{_label('qualifier', r)}: ends_phrase applies to words after the amount only")
        for w in r["words"]:
            other = seen.setdefault((where, key(w)), r["name"])
            if other != r["name"]:
                raise RuleError(f"{_label('qualifier', r)}: {w!r} is also in {other!r}")
        out.append(Qualifier(r["name"], kind, where, tuple(r["words"]), bool(r["ends_phrase"]), tuple(r["examples"])))
    return tuple(out)


def _numbers() -> tuple[NumberExamples, ...]:
    out = []
    for r in records(FILE, "numbers", {"name": str, "role": str, "examples": list}, {"values": dict, "words": list}):
        role = choice(FILE, r, "role", NUMBER_ROLES)
        if r["values"] is not None or r["words"] is not None:
            raise RuleError(f"{_label('numbers', r)}: number words belong in numbers.toml [{role}], not here")
        out.append(NumberExamples(r["name"], role, tuple(r["examples"])))
    missing = set(NUMBER_ROLES) - {n.role for n in out}
    if missing:
        raise RuleError(f"{FILE}: no [[numbers]] entry for role(s) {sorted(missing)}")
    return tuple(out)


def _magnitudes() -> tuple[Magnitude, ...]:
    out = []
    for r in records(FILE, "magnitude", {"name": str, "words": list, "low": int, "high": int, "examples": list}):
        if not 0 <= r["low"] < r["high"] <= 18:
            raise RuleError(f"{_label('magnitude', r)}: need 0 <= low < high <= 18, got {r['low']}, {r['high']}")
        out.append(Magnitude(r["name"], tuple(r["words"]), r["low"], r["high"], tuple(r["examples"])))
    return tuple(out)


def _cues(table: str) -> tuple[Cue, ...]:
    return tuple(Cue(r["name"], _pattern(table, r, "pattern"), tuple(r["examples"]), tuple(r["counterexamples"] or ()))
                 for r in records(FILE, table, {"name": str, "pattern": str, "examples": list},
                                  {"counterexamples": list}))


@lru_cache(maxsize=1)
def load() -> Lexicon:
    """The checked contents of ``rules/money.toml``, read once per process."""
    modifiers = tuple(WordList(r["name"], tuple(r["heads"]), tuple(r["examples"]), tuple(r["counterexamples"]))
                      for r in records(FILE, "modifier", {"name": str, "heads": list, "examples": list,
                                                          "counterexamples": list}))
    weights = tuple(Weight(r["name"], _pattern("weight", r, "before"), _pattern("weight", r, "after"),
                           tuple(r["examples"]), tuple(r["counterexamples"]))
                    for r in records(FILE, "weight", {"name": str, "before": str, "after": str, "examples": list,
                                                      "counterexamples": list}))
    return Lexicon(_qualifiers(), _numbers(), _magnitudes(), _cues("change"), modifiers, _cues("idiom"), weights,
                   _word_lists("phrase_end"), _word_lists("attached_name"), _word_lists("price_basis"))


def _word_lists(table: str) -> tuple[WordList, ...]:
    return tuple(WordList(r["name"], tuple(r["words"]), tuple(r["examples"]), tuple(r["counterexamples"]))
                 for r in records(FILE, table, {"name": str, "words": list, "examples": list, "counterexamples": list}))
