"""The rule file ``rules/temporal_rules.toml``, loaded once, validated, compiled.

The rules are data so that a linguist can extend them without reading the resolver; this module
only expands ``{MACRO}`` references, checks every field and compiles. A vocabulary table
``[vocab.month]`` becomes the macro ``{MONTH}`` (its keys as an alternation, longest first) and
``lexicon.vocab["month"]``. Number words come from ``rules/numbers.toml`` (:mod:`pipeline.numbers`)
as the macros ``{NUMBER}`` (cardinals up to "thousand", and "dozen") and ``{ORDINAL}``.

Loading fails with a :class:`RuleError` that names the file, the rule and the field, the way spaCy's
rulers reject a malformed pattern: a typo in a reading name or an anchor table must not load as a
rule that silently never fires.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from pipeline import numbers
from pipeline.settings import RULES_DIR

RULES_PATH = RULES_DIR / "temporal_rules.toml"
_MACRO = re.compile(r"\{([A-Z][A-Z_0-9]*)\}")

# Words as the matcher sees them: runs of letters or of digits ("FY2024" is "FY" + "2024").
TOKEN = re.compile(r"[^\W\d_]+|\d+")
DIGITS = "#digit"

_RULE_FIELDS = {"name": str, "reading": str, "pattern": str, "anchor": list, "lead": int, "examples": list,
                "needs_model": bool, "needs_context": bool, "compose_only": bool}
_REQUIRED = {"name", "reading", "pattern", "anchor", "lead", "examples"}
_BLOCK_FIELDS = {"name": str, "pattern": str, "anchor": list, "lead": int, "examples": list}
_SECTIONS = {"vocab", "macros", "rule", "block"}


class RuleError(ValueError):
    """A rule file that cannot be loaded as written; the message names the rule and the field."""


@dataclass(frozen=True)
class Rule:
    name: str
    reading: str  # the function in readings.py that interprets a match (or "" for a block)
    regex: re.Pattern
    anchors: frozenset[str]  # lowercased words one of which every match contains; "#digit" = any number
    lead: int  # how many words before its anchor a match may start
    examples: tuple[str, ...] = ()  # texts this rule must find (tests/test_temporal_rules.py runs them)
    needs_model: bool = False  # only where the NER model also saw a DATE/TIME (bare years)
    # Only where the model saw a DATE/TIME or as one end of a joined expression: "at 6" in
    # "Friday evening at 6", "8:15" in "8:15 - 10:45"; alone, a bare number is too often no time.
    needs_context: bool = False
    # Only when normalize() reads one whole expression: "the morning" of "the morning of March 3",
    # which TimeML leaves out of a document's "March 3".
    compose_only: bool = False


@dataclass(frozen=True)
class Lexicon:
    vocab: dict[str, dict[str, object]]
    rules: tuple[Rule, ...]
    blocks: tuple[Rule, ...]
    # (blocks?) -> anchor word -> indexes of the rules holding it, built on first use
    by_anchor: dict[bool, dict[str, list[int]]] = field(default_factory=dict, compare=False, repr=False)

    def lookup(self, table: str, text: str):
        """The meaning of ``text`` in a vocabulary table, tolerant of case, spacing and a final dot."""
        key = " ".join(text.lower().replace("’", "'").split())
        entries = self.vocab[table]
        if key in entries:
            return entries[key]
        if key.rstrip(".") in entries:
            return entries[key.rstrip(".")]
        return _without_apostrophes(self, table).get(key.replace("'", "").rstrip("."))

    def rules_with_anchors(self, words, blocks: bool = False) -> list[Rule]:
        """The rules (or blocks) one of whose anchors is among ``words``, in file order: no other
        rule can match (each match contains an anchor), and file order breaks ties between
        overlapping matches. A short line (a header's) is tried against a handful, not all."""
        rules = self.blocks if blocks else self.rules
        if blocks not in self.by_anchor:
            index: dict[str, list[int]] = {}
            for i, rule in enumerate(rules):
                for anchor in rule.anchors:
                    index.setdefault(anchor, []).append(i)
            self.by_anchor[blocks] = index
        index = self.by_anchor[blocks]
        return [rules[i] for i in sorted({i for w in words for i in index.get(w, ())})]

    def phrases(self, table: str) -> re.Pattern:
        """A vocabulary table's keys as one case-insensitive regex (whole words), compiled once."""
        key = (id(self), table)
        if key not in _PHRASES:
            _PHRASES[key] = re.compile(r"\b" + _alternation(self.vocab[table]) + r"(?!\w)", re.IGNORECASE)
        return _PHRASES[key]


_PHRASES: dict[tuple[int, str], re.Pattern] = {}
_BARE: dict[tuple[int, str], dict] = {}


def _without_apostrophes(lex: Lexicon, table: str) -> dict:
    """A table keyed without apostrophes: "mothers day" and "new years eve" as typed without them
    (the patterns accept a possessive without its apostrophe, see :func:`_word_pattern`)."""
    key = (id(lex), table)
    if key not in _BARE:
        _BARE[key] = {k.replace("'", ""): v for k, v in lex.vocab[table].items()}
    return _BARE[key]


@lru_cache(maxsize=4)
def load(path: Path = RULES_PATH) -> Lexicon:
    from pipeline.temporal.readings import READINGS  # readings import this module: resolve at call time

    where = path.name
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as e:
        raise RuleError(f"{where}: {e}") from None
    unknown = set(data) - _SECTIONS
    if unknown:
        raise RuleError(f"{where}: unknown section(s) {sorted(unknown)}")
    vocab = {}
    for name, table in data.get("vocab", {}).items():
        if not isinstance(table, dict) or not table:
            raise RuleError(f"{where}: [vocab.{name}] must be a non-empty table")
        vocab[name] = {" ".join(k.lower().split()): v for k, v in table.items()}
    macros = {name.upper(): _alternation(table) for name, table in vocab.items()}
    macros.update(_number_macros())
    for name, pattern in data.get("macros", {}).items():
        if name in macros:
            raise RuleError(f"{where}: macro {name} is also defined by a vocabulary table or numbers.toml")
        macros[name] = pattern

    def expand(pattern: str, owner: str, depth: int = 0) -> str:
        if depth > 10:
            raise RuleError(f"{where}: {owner}: macro recursion in {pattern!r}")

        def one(m: re.Match) -> str:
            if m.group(1) not in macros:
                raise RuleError(f"{where}: {owner}: unknown macro {{{m.group(1)}}}")
            return expand(macros[m.group(1)], owner, depth + 1)

        return _MACRO.sub(one, pattern)

    def anchors(spec: list, owner: str) -> frozenset[str]:
        words = set()
        for item in spec:
            if not isinstance(item, str) or not item:
                raise RuleError(f"{where}: {owner}: anchor entries must be words, not {item!r}")
            if item.startswith("vocab:"):
                if item[6:] not in vocab:
                    raise RuleError(f"{where}: {owner}: anchor {item!r} names no vocabulary table")
                words.update(TOKEN.findall(key)[-1] for key in vocab[item[6:]] if TOKEN.findall(key))
            elif item == DIGITS or TOKEN.fullmatch(item):
                words.add(item.lower())
            else:
                raise RuleError(f"{where}: {owner}: anchor {item!r} is not one word (letters or digits)")
        if not words:
            raise RuleError(f"{where}: {owner}: no anchor")
        return frozenset(words)

    def rule(r: dict, kind: str, fields: dict, seen: set) -> Rule:
        owner = f"{kind} {r.get('name', '?')!r}"
        for key, value in r.items():
            if key not in fields:
                raise RuleError(f"{where}: {owner}: unknown field {key!r} (known: {', '.join(sorted(fields))})")
            if not isinstance(value, fields[key]) or (fields[key] is int and isinstance(value, bool)):
                raise RuleError(f"{where}: {owner}: {key} must be {fields[key].__name__}, not {value!r}")
        required = (_REQUIRED if kind == "rule" else set(_BLOCK_FIELDS))
        missing = required - set(r)
        if missing:
            raise RuleError(f"{where}: {owner}: missing field(s) {sorted(missing)}")
        if r["name"] in seen:
            raise RuleError(f"{where}: {owner}: the name is used twice")
        seen.add(r["name"])
        if kind == "rule" and r["reading"] not in READINGS:
            raise RuleError(f"{where}: {owner}: reading {r['reading']!r} is not one of {sorted(READINGS)}")
        if r["lead"] < 0:
            raise RuleError(f"{where}: {owner}: lead must be 0 or more")
        if not r["examples"] or not all(isinstance(e, str) and e.strip() for e in r["examples"]):
            raise RuleError(f"{where}: {owner}: examples must be a non-empty list of texts it matches")
        try:
            regex = re.compile(r"\b" + expand(r["pattern"], owner), re.IGNORECASE)
        except re.error as e:
            raise RuleError(f"{where}: {owner}: pattern does not compile: {e}") from None
        return Rule(r["name"], r.get("reading", ""), regex, anchors(r["anchor"], owner), r["lead"],
                    tuple(r["examples"]), r.get("needs_model", False), r.get("needs_context", False),
                    r.get("compose_only", False))

    names: set[str] = set()
    rules = tuple(rule(r, "rule", _RULE_FIELDS, names) for r in data.get("rule", []))
    blocks = tuple(rule(b, "block", _BLOCK_FIELDS, names) for b in data.get("block", []))
    return Lexicon(vocab, rules, blocks)


def _number_macros() -> dict[str, str]:
    """{NUMBER}: cardinal words up to "thousand" (a duration of "a million years" is no news form);
    {ORDINAL}: ordinal words, tens + ordinal ("twenty-first") and digits with a suffix ("21st")."""
    words = numbers.table()
    cardinal = "(?:" + "|".join(re.escape(w) for w in words.words(max_scale=1000)) + r")\b"
    small = [w for w, v in words.ordinals.items() if v < 10]
    tens = "|".join(re.escape(w) for w in words.tens)
    ordinal_words = "|".join(re.escape(w) for w in sorted(words.ordinals, key=len, reverse=True))
    ordinal = (rf"(?:(?:{tens})[-\s]?(?:{'|'.join(small)})|{ordinal_words}|[0-9]{{1,3}}(?:st|nd|rd|th))\b")
    word = rf"(?:(?:{tens})[-\s]?(?:{'|'.join(small)})|{ordinal_words})\b"
    return {"NUMBER": cardinal, "ORDINAL": "(?:" + ordinal + ")", "ORDINAL_WORD": "(?:" + word + ")"}


def _alternation(table: dict) -> str:
    words = sorted(table, key=len, reverse=True)
    return "(?:" + "|".join(_word_pattern(w) for w in words) + ")"


def _word_pattern(word: str) -> str:
    """A vocabulary entry as a regex: spaces match any whitespace, apostrophes either quote, and a
    possessive's apostrophe may be left out ("mothers day", "presidents day", "new years eve")."""
    def one(part: str) -> str:
        if part.endswith("'s") and len(part) > 2:
            return re.escape(part[:-2]) + "['’]?s"
        if part.endswith("s'"):
            return re.escape(part[:-1]) + "['’]?"
        return re.escape(part).replace("'", "['’]")

    pattern = r"\s+".join(one(p) for p in word.split())
    return pattern + (r"\b" if word[-1].isalnum() else "")
