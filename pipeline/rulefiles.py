"""Rule files under ``rules/``: read once, checked field by field, every error naming file and rule.

Rules are data (patterns, word lists, lookup tables) so that they can be read, reviewed and
tested apart from the code; the price is that a typo in a file must fail loudly at load time,
the way spaCy's ``EntityRuler`` rejects a malformed pattern, not silently match nothing.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from pipeline.settings import RULES_DIR


class RuleError(ValueError):
    """A rule file is malformed; the message names the file, the rule and the field."""


@lru_cache(maxsize=None)
def read_toml(name: str) -> dict[str, Any]:
    path = RULES_DIR / name
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise RuleError(f"{name}: not valid TOML: {exc}") from None


def records(name: str, table: str, fields: dict[str, type], optional: dict[str, type] | None = None) -> list[dict]:
    """The ``[[table]]`` entries of rule file ``name``, each checked to have exactly the given fields.

    ``fields`` are required, ``optional`` may be absent (then ``None``); a ``list`` field must be a
    list of strings, a field named ``pattern`` must compile. Unknown fields are errors too: a
    misspelt key would otherwise be a rule that silently does nothing.
    """
    optional = optional or {}
    entries = read_toml(name).get(table)
    if not isinstance(entries, list) or not entries:
        raise RuleError(f"{name}: no [[{table}]] entries")
    out = []
    for i, entry in enumerate(entries):
        label = f"{name}: [[{table}]] #{i + 1} {entry.get('name', 'unnamed')!r}"
        unknown = set(entry) - set(fields) - set(optional)
        if unknown:
            raise RuleError(f"{label}: unknown field(s) {sorted(unknown)}")
        record = {}
        for key, kind in {**fields, **optional}.items():
            if key not in entry:
                if key in fields:
                    raise RuleError(f"{label}: missing field {key!r}")
                record[key] = None
                continue
            value = entry[key]
            if kind is list:
                if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                    raise RuleError(f"{label}: {key!r} must be a list of strings")
            elif not isinstance(value, kind):
                raise RuleError(f"{label}: {key!r} must be {kind.__name__}, not {type(value).__name__}")
            if key == "pattern":
                try:
                    re.compile(value)
                except re.error as exc:
                    raise RuleError(f"{label}: pattern does not compile: {exc}") from None
            record[key] = value
        out.append(record)
    return out


def choice(name: str, record: dict, key: str, allowed: tuple[str, ...]) -> str:
    """``record[key]``, which must be one of ``allowed``."""
    value = record[key]
    if value not in allowed:
        raise RuleError(f"{name}: rule {record.get('name')!r}: {key} = {value!r}, expected one of {list(allowed)}")
    return value


@dataclass(frozen=True)
class Cue:
    """A ``[[cue]]``-like rule: a pattern that the text next to a name says something about it by.

    ``where`` says which side of the name the pattern reads (each file has its own choices: "before",
    "after", "after_person"); ``examples`` and ``counterexamples`` are texts a test runs it on.
    """

    name: str
    where: str
    pattern: re.Pattern
    examples: tuple[str, ...]
    counterexamples: tuple[str, ...] = ()


CUE_FIELDS = {"name": str, "where": str, "pattern": str, "examples": list}


def cues(name: str, where: tuple[str, ...], table: str = "cue", flags: int = re.IGNORECASE,
         fields: dict[str, type] | None = None, optional: dict[str, type] | None = None) -> list[tuple[Cue, dict]]:
    """The cues of rule file ``name`` (its ``[[table]]`` entries), each with its record.

    ``where``: the sides this file's cues may read; ``flags``: how their patterns compile;
    ``fields`` / ``optional``: what the file's cues carry beyond :class:`Cue`'s (read from the record).
    """
    out = []
    for r in records(name, table, CUE_FIELDS | (fields or {}), {"counterexamples": list} | (optional or {})):
        cue = Cue(r["name"], choice(name, r, "where", where), re.compile(r["pattern"], flags), tuple(r["examples"]),
                  tuple(r["counterexamples"] or ()))
        out.append((cue, r))
    return out
