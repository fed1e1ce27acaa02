"""Temporal expressions: found in text, normalised to TIMEX3 values, anchored the way a reader would.

    text ──detect──> candidates (rules in rules/temporal_rules.toml + the NER model's DATE/TIME)
         ──readings─> what the words say ("April 18": month and day, no year)
         ──resolve──> value and interval, from the document date (DCT) and the date the story is at

Public API (SPEC.md): :func:`normalize` for one expression, :class:`TemporalValue`.
The pipeline calls :func:`extract_dates` per document.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date, datetime

from pipeline.spans import Span
from pipeline.temporal import lexicon
from pipeline.temporal.detect import find
from pipeline.temporal.document import DocumentDates, extract_dates
from pipeline.temporal.resolve import Context, TemporalValue, reference_when, resolve

__all__ = ["TemporalValue", "normalize", "extract_dates", "DocumentDates"]

# What may surround an expression given to normalize() without changing its meaning.
_FILLER = re.compile(r"[\s,.;:()\[\]\"'“”‘’]*(?:(?:on|in|at|by|around|about|since|until|from|of|during|the)\s+)*[\s,.;:()\[\]\"'“”‘’]*",
                     re.I)


def normalize(expression: str, reference: datetime | date | None = None, prefer: str = "past") -> TemporalValue | None:
    """One temporal expression to its TIMEX3 value, resolved against ``reference`` when relative.

    ``reference`` stands for both the document date and the date a story is at ("the following
    day" is the day after it). Without it, values that depend on it are None ("yesterday") or
    underspecified TIMEX3 ("XXXX-04-18", "XXXX-WXX-5"); absolute ones resolve as written.
    ``prefer``: which occurrence a bare "Monday", "April 18" or "Thanksgiving" means: ``"past"``
    (the default, as news reads them: the nearest past one unless the next is much nearer) or
    ``"future"`` (text about schedules: the coming one). Returns None when the text holds no
    temporal expression.
    """
    if prefer not in ("past", "future"):
        raise ValueError(f"prefer must be 'past' or 'future', not {prefer!r}")
    text = _capitalise_names(expression.strip(), lexicon.load())
    if not text:
        return None
    # The whole expression was given as temporal, so a bare number like "2022" may be a year.
    candidates = find(text, [Span(0, len(text), "DATE")], compose=True)
    if not candidates:
        return None
    best = max(candidates, key=lambda c: c.end - c.start)
    leftover = text[:best.start] + " " + text[best.end:]
    if len(candidates) > 1 and not _FILLER.fullmatch(leftover):
        best = candidates[0] if _FILLER.fullmatch(text[:candidates[0].start]) else best
    if _needs_model(best.rule) and not _FILLER.fullmatch(text[:best.start]):
        return None  # "room 1230", "Flight 2020": a number after a noun, no year
    zone = reference.tzinfo if isinstance(reference, datetime) else None
    if zone is not None:
        reference = reference.replace(tzinfo=None)
    ctx = Context(dct=reference_when(reference), future=prefer == "future", prefer_future=prefer == "future",
                  now=reference if isinstance(reference, datetime) else None)
    value, _ = resolve(best.reading, ctx)
    if value.value == "PRESENT_REF" and isinstance(reference, datetime) and lexicon.load().lookup(
            "instant_ref", text[best.start:best.end]):
        value = replace(value, start=reference, end=reference, granularity="instant")  # "right now"
    if zone is not None:  # an aware reference gives aware bounds, in its zone
        value = replace(value, start=value.start and value.start.replace(tzinfo=zone),
                        end=value.end and value.end.replace(tzinfo=zone))
    return value


def _needs_model(rule_name: str) -> bool:
    """Whether a candidate was found by a rule that counts only where the model saw a date: a bare
    year, which normalize() licenses by handing its whole text over as a date."""
    return any(r.name == rule_name and r.needs_model for r in lexicon.load().rules)


_NAME_TABLES = ("month", "weekday", "weekday_plural", "holiday")


def _capitalise_names(text: str, lex: lexicon.Lexicon) -> str:
    """Calendar names typed in lower case, capitalised ("next thursday", "christmas eve").

    The rules want month, weekday and holiday names capitalised so that the verbs "may" and "march"
    in running text stay out; an expression handed to normalize() is temporal by the caller's word,
    so its names are read whatever their case. Names that are also common words
    (``[vocab.lowercase_ambiguous]``: "may", "sun", "lent") only beside a number, another calendar
    name or a cue word ("in may", "sat 12 oct"), never alone ("the sun").
    """
    chars = list(text)
    for table in _NAME_TABLES:
        for m in lex.phrases(table).finditer(text):
            first = m.group(0)[0]
            if not ("a" <= first <= "z"):
                continue
            if lex.lookup("lowercase_ambiguous", m.group(0)) is not None and not _beside_a_date(text, m, lex):
                continue
            chars[m.start()] = first.upper()
    return "".join(chars)


def _beside_a_date(text: str, m: re.Match, lex: lexicon.Lexicon) -> bool:
    before = re.search(r"([^\W_]+)[^\w]*$", text[:m.start()])
    after = re.match(r"[^\w]*([^\W_]+)", text[m.end():])
    words = [w.group(1) for w in (before, after) if w is not None]
    if before is not None and lex.lookup("lowercase_cue", before.group(1)) is not None:
        return True
    return any(w[0].isdigit() or lex.lookup("month", w) is not None or lex.lookup("weekday", w) is not None
               for w in words)
