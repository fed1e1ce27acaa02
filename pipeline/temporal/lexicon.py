"""The rule file ``rules/temporal_rules.toml``, loaded once: word tables and compiled patterns.

The rules are data so that a linguist can extend them without reading the resolver; this module
only expands ``{MACRO}`` references and compiles. A vocabulary table ``[vocab.month]`` becomes the
macro ``{MONTH}`` (its keys as an alternation, longest first) and ``lexicon.vocab["month"]``.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from pipeline.settings import RULES_DIR

RULES_PATH = RULES_DIR / "temporal_rules.toml"
_MACRO = re.compile(r"\{([A-Z][A-Z_0-9]*)\}")


# Words as the matcher sees them: runs of letters or of digits ("FY2024" is "FY" + "2024").
TOKEN = re.compile(r"[^\W\d_]+|\d+")
DIGITS = "#digit"


@dataclass(frozen=True)
class Rule:
    name: str
    reading: str  # the function in readings.py that interprets a match (or "" for a block)
    regex: re.Pattern
    anchors: frozenset[str]  # lowercased words one of which every match contains; "#digit" = any number
    lead: int  # how many words before its anchor a match may start
    needs_model: bool = False  # only where the NER model also saw a DATE/TIME (bare years)


@dataclass(frozen=True)
class Lexicon:
    vocab: dict[str, dict[str, object]]
    rules: tuple[Rule, ...]
    blocks: tuple[Rule, ...]

    def lookup(self, table: str, text: str):
        """The meaning of ``text`` in a vocabulary table, tolerant of case, spacing and a final dot."""
        key = " ".join(text.lower().replace("’", "'").split())
        entries = self.vocab[table]
        if key in entries:
            return entries[key]
        return entries.get(key.rstrip("."))


@lru_cache(maxsize=1)
def load(path: Path = RULES_PATH) -> Lexicon:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    vocab = {name: {k.lower(): v for k, v in table.items()} for name, table in data["vocab"].items()}
    macros = {name.upper(): _alternation(table) for name, table in vocab.items()}
    macros.update(data.get("macros", {}))

    def expand(pattern: str, depth: int = 0) -> str:
        if depth > 10:
            raise ValueError(f"macro recursion in {pattern!r}")
        return _MACRO.sub(lambda m: expand(macros[m.group(1)], depth + 1), pattern)

    def anchors(spec: list[str]) -> frozenset[str]:
        words = set()
        for item in spec:
            if item.startswith("vocab:"):
                words.update(TOKEN.findall(key)[-1] for key in vocab[item[6:]])
            else:
                words.add(item.lower())
        return frozenset(words)

    def rule(r: dict) -> Rule:
        regex = re.compile(r"\b" + expand(r["pattern"]), re.IGNORECASE)
        return Rule(r["name"], r.get("reading", ""), regex, anchors(r["anchor"]), r["lead"], r.get("needs_model", False))

    return Lexicon(vocab, tuple(map(rule, data["rule"])), tuple(map(rule, data.get("block", []))))


def _alternation(table: dict) -> str:
    words = sorted(table, key=len, reverse=True)
    return "(?:" + "|".join(_word_pattern(w) for w in words) + ")"


def _word_pattern(word: str) -> str:
    """A vocabulary entry as a regex: spaces match any whitespace, apostrophes either quote."""
    parts = [re.escape(p) for p in word.split()]
    pattern = r"\s+".join(parts).replace("'", "['’]")
    return pattern + (r"\b" if word[-1].isalnum() else "")
