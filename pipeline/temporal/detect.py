"""Finding temporal expressions in a text: the rules of ``rules/temporal_rules.toml``, plus the NER model.

Each rule is tried only just before the words it needs (its anchors: a month name, a number, ...),
about 2 ms an article in all; where matches overlap the longest wins. Then neighbours that a reader takes as one expression are joined
("9 a.m. Tuesday", "5:30 p.m. that evening", "between 2019 and 2021"). The model's DATE/TIME spans
license what the rules cannot decide alone (is "1995" a year or a number?) and, where no rule
matched, are parsed with dateparser as a last resort.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, replace
from functools import lru_cache

from pipeline.spans import Span
from pipeline.temporal import lexicon
from pipeline.temporal.readings import READINGS, Clock, Fields, Reading, Shift, by_part

MODEL_LABELS = ("DATE", "TIME")


@dataclass(frozen=True)
class Candidate:
    start: int
    end: int
    reading: Reading
    rule: str
    # A range ("between 2019 and 2021", "Feb. 22-23") also knows its two ends as expressions of their own.
    parts: tuple[Candidate, ...] = ()
    # Found by a rule that needs context ("at 6", "17:30"): kept only where the model saw a date or
    # time over it, or once joined to a neighbour ("Friday evening at 6").
    weak: bool = False


def find(text: str, model_spans: list[Span] | None = None, compose: bool = False) -> list[Candidate]:
    """Temporal expressions in ``text``, in order, not overlapping.

    ``compose``: also join what a reader composes into one value but TimeML annotates as two
    expressions ("Sunday night" + "8 PM", "the night of" + "Oct. 23"): :func:`normalize` is given one
    expression and wants its one value; a document's rows follow TimeML.
    """
    lex = lexicon.load()
    model = _Intervals(sorted((s.start, s.end) for s in (model_spans or []) if s.label in MODEL_LABELS))
    words = _Words(text)
    found: list[Candidate] = []
    for rule in lex.rules_with_anchors(words.where):
        if rule.compose_only and not compose:
            continue
        interpret = READINGS[rule.reading]
        for m in words.matches(rule):
            start, end = _span(m)
            if end <= start:
                continue
            if rule.needs_model and not model.covers(start, end):
                continue
            reading = interpret(m, lex)
            if reading is not None:
                weak = rule.needs_context and not model.covers(start, end)
                found.append(Candidate(start, end, reading, rule.name, _range_parts(m, start, end, reading, rule.name),
                                       weak))
    blocked = _Occupied(len(text))
    for b in lex.rules_with_anchors(words.where, blocks=True):
        for m in words.matches(b):
            blocked.take(*m.span())
    found = [c for c in found if blocked.free(c.start, c.end)]
    chosen = _longest_first(text, found, {r.name: i for i, r in enumerate(lex.rules)})
    chosen = [c for c in _join(text, chosen, compose) if not c.weak]
    chosen += _model_only(text, model, chosen, blocked)
    return sorted(chosen, key=lambda c: c.start)


class _Occupied:
    """Which characters of the text are taken: an overlap test costs the candidate's length, not the
    number of spans already taken (a text of 100k dates stays linear, not quadratic)."""

    def __init__(self, size: int):
        self.chars = bytearray(size)

    def free(self, start: int, end: int) -> bool:
        return self.chars.find(1, start, end) < 0

    def take(self, start: int, end: int) -> None:
        self.chars[start:end] = b"\x01" * (end - start)


class _Intervals:
    """Sorted, non-overlapping (start, end) spans (the model's entities), searched by bisection."""

    def __init__(self, spans: list[tuple[int, int]]):
        self.spans = spans
        self.starts = [s for s, _ in spans]

    def __iter__(self):
        return iter(self.spans)

    def covers(self, start: int, end: int) -> bool:
        i = bisect_right(self.starts, start) - 1
        return i >= 0 and self.spans[i][1] >= end


class _Words:
    """The text's words, indexed, so a rule is tried only just before the words it needs.

    Scanning every rule over the whole text costs ~15 ms an article; trying each rule at the few
    word starts within ``rule.lead`` words of one of its anchors costs well under a tenth of that.
    """

    def __init__(self, text: str):
        self.text = text
        self.starts: list[int] = []
        self.ends: list[int] = []
        self.where: dict[str, list[int]] = {}
        for i, m in enumerate(lexicon.TOKEN.finditer(text)):
            self.starts.append(m.start())
            self.ends.append(m.end())
            word = m.group().lower()
            self.where.setdefault(lexicon.DIGITS if word[0].isdigit() else word, []).append(i)

    def matches(self, rule: lexicon.Rule):
        """Each distinct match of ``rule`` that contains one of its anchors, starting as early as it can."""
        seen = set()
        positions = sorted(i for a in rule.anchors for i in self.where.get(a, ()))
        for i in positions:
            for j in range(max(0, i - rule.lead), i + 1):
                m = rule.regex.match(self.text, self.starts[j])
                if m is not None and m.end() >= self.ends[i]:
                    if m.span() not in seen:
                        seen.add(m.span())
                        yield m
                    break


def _span(m: re.Match) -> tuple[int, int]:
    groups = m.re.groupindex
    start = m.end("pre") if "pre" in groups and m.group("pre") is not None else m.start()
    end = m.start("post") if "post" in groups and m.group("post") is not None else m.end()
    return start, end


def _range_parts(m: re.Match, start: int, end: int, reading: Reading, rule: str) -> tuple[Candidate, ...]:
    g = m.groupdict()
    if reading.type == "DURATION" and g.get("num1") and "/" in (reading.fixed or ""):
        # "between 12 and 18 months": TimeML's two durations, "12" (P12M) and "18 months" (P18M)
        low, high = reading.fixed.split("/")
        return (Candidate(m.start("num1"), m.end("num1"), replace(reading, fixed=low), rule),
                Candidate(m.start("num"), end, replace(reading, fixed=high, mod=None), rule))
    if reading.end is None or not any(g.get(k) for k in ("day2", "weekday2", "year2")):
        return ()  # one span for both ends ("year to date"): no parts
    first_end = m.end("day") if g.get("day") else m.end("weekday") if g.get("weekday") else m.end("year")
    second_start = m.start("day2") if g.get("day2") else m.start("weekday2") if g.get("weekday2") else m.start("year2")
    return (Candidate(start, first_end, replace(reading, end=None), rule),
            Candidate(second_start, end, reading.end, rule))


def _longest_first(text: str, found: list[Candidate], rank: dict[str, int]) -> list[Candidate]:
    taken: list[Candidate] = []
    occupied = _Occupied(len(text))
    for c in sorted(found, key=lambda c: (-(c.end - c.start), rank[c.rule], c.start)):
        if occupied.free(c.start, c.end):
            occupied.take(c.start, c.end)
            taken.append(c)
    return sorted(taken, key=lambda c: c.start)


# ----- joining neighbours -------------------------------------------------------------------------

_TIME_DATE_GAP = re.compile(r"\s*(?:,\s*)?(?:(?:on|of|at|in)\s+)?(?:the\s+)?$", re.I)
_RANGE_GAP = re.compile(r"\s*(?:-|–|—|to|through|thru|until|till|and)\s*$", re.I)
_RANGE_OPENER = re.compile(r"\b(?:between|from)\s+$", re.I)
_OPENER_REACH = 40  # characters before a range's first end searched for its opener


def _join(text: str, cands: list[Candidate], compose: bool = False) -> list[Candidate]:
    out: list[Candidate] = []
    for c in cands:
        if out:
            prev = out[-1]
            gap = text[prev.end:c.start]
            joined = (_join_time(prev, c, gap, compose) or _join_range(text, prev, c, gap) or _join_durations(prev, c, gap)
                      or (_join_set_time(prev, c, gap) if compose else None)
                      or (_join_offset(prev, c, gap) or _day_before(prev, c, gap) or _weekday_and_day(prev, c, gap)
                          if compose else None))
            if joined is not None:
                out[-1] = joined
                continue
        out.append(c)
    return out


def _is_clock(r: Reading) -> bool:
    return r.clock is not None and r.clock.hour is not None and r.fields is None and r.shift is None


def _is_day(r: Reading) -> bool:
    if not r.is_point or (r.clock is not None):
        return False
    if r.fields is not None:
        f = r.fields
        return f.day is not None or (f.weekday is not None and f.month is None) or f.holiday is not None
    return r.shift is not None and r.shift.unit in ("day", "named") and (r.shift.target is None or r.shift.target.weekday)


def _is_part_of_day(r: Reading) -> bool:
    """"this evening", "Friday night", "in the morning": a part of a day, with no clock time."""
    return r.is_point and r.clock is not None and r.clock.part is not None and r.clock.hour is None


def _is_bare_part(r: Reading) -> bool:
    """"the morning", "in the evening": a part of the day the story is at, not of a day it names."""
    return _is_part_of_day(r) and r.fields is None and r.shift is not None and r.shift.anchor == "narrative" \
        and r.shift.n == 0


def _join_time(a: Candidate, b: Candidate, gap: str, compose: bool = False) -> Candidate | None:
    """"9 a.m. Tuesday", "Tuesday at 9 a.m.", "Friday evening at 6", "nine tonight", "the morning of
    March 3": one TIME on that day; a part of the day decides a bare hour's half ("at 6" -> 18:00)."""
    if not _TIME_DATE_GAP.fullmatch(gap) or "\n" in gap:
        return None
    if compose and _is_bare_part(a.reading) and _is_day(b.reading) and gap.strip().lower() == "of":
        reading = replace(b.reading, type="TIME", clock=a.reading.clock, mod=b.reading.mod or a.reading.mod)
        return Candidate(a.start, b.end, reading, f"{a.rule}+{b.rule}")
    # TimeML keeps "Sunday night" and "8 PM" apart, but "9 a.m. Tuesday" and "5:30 p.m. that evening" whole.
    if _is_clock(a.reading) and (_is_day(b.reading) or _is_part_of_day(b.reading)):
        clock, day = a.reading.clock, b.reading
    elif (_is_day(a.reading) or (compose and _is_part_of_day(a.reading))) and _is_clock(b.reading):
        clock, day = b.reading.clock, a.reading
    else:
        return None
    if day.clock is not None and day.clock.part is not None and not clock.explicit and clock.hour is not None:
        clock = replace(clock, hour=by_part(clock.hour, day.clock.part), part=None, explicit=True)
    reading = replace(day, type="TIME", clock=replace(clock, part=None), mod=day.mod or a.reading.mod)
    until = (a.reading if clock is a.reading.clock else b.reading).end
    if compose and until is not None and until.clock is not None:  # "from 2 to 4 p.m. Friday": both ends on that day
        reading = replace(reading, end=replace(day, type="TIME", clock=replace(until.clock, part=None), mod=None))
    return Candidate(a.start, b.end, reading, f"{a.rule}+{b.rule}")


_OFFSET_GAP = re.compile(r"\s+(?P<word>from|after|before|following|prior\s+to|on)\s+(?:the\s+)?$|\s+(?:in\s+)?$", re.I)
_ISO_DURATION = re.compile(r"P(?:(?P<n>[0-9]+)(?P<u>[YMWD])|T(?P<tn>[0-9]+)(?P<tu>[HM]))")
_DURATION_UNITS = {"Y": "year", "M": "month", "W": "week", "D": "day", "H": "hour"}


def _counted(r: Reading) -> tuple[str, int] | None:
    """A duration of whole units as (unit, n): "P3D" -> ("day", 3), "PT20M" -> ("minute", 20)."""
    m = _ISO_DURATION.fullmatch(r.fixed or "") if r.type == "DURATION" else None
    if m is None:
        return None
    if m.group("n"):
        return _DURATION_UNITS[m.group("u")], int(m.group("n"))
    return ("hour" if m.group("tu") == "H" else "minute"), int(m.group("tn"))


def _join_offset(a: Candidate, b: Candidate, gap: str) -> Candidate | None:
    """"a week from Friday", "three days after Christmas", "the day before Thanksgiving",
    "tomorrow in two hours": a point moved by a count of units (only when normalize() composes:
    TimeML annotates the duration and the date apart)."""
    m = _OFFSET_GAP.fullmatch(gap)
    if m is None or "\n" in gap:
        return None
    word = (m.group("word") or "").lower()
    if word and _is_day(b.reading):
        counted = _counted(a.reading)
        if counted is None:
            return None
        unit, n = counted
        base = b.reading
        f = base.fields
        # "a week from Friday", "two weeks on Friday" (British): counted from the coming Friday
        if word in ("from", "on") and f is not None and f.weekday is not None and f.month is None and f.day is None:
            base = replace(base, fields=None, shift=Shift("dct", "named", 1, target=Fields(weekday=f.weekday)))
        return Candidate(a.start, b.end, replace(base, offset=(unit, n if word in ("from", "after", "following", "on") else -n)),
                         f"{a.rule}+{b.rule}")
    if not word and _is_day(a.reading) and b.reading.offset is not None and b.reading.type == "DURATION":
        return Candidate(a.start, b.end, replace(a.reading, type="TIME", offset=b.reading.offset), f"{a.rule}+{b.rule}")
    return None


_DURATION_ORDER = ("year", "month", "week", "day", "hour", "minute")


def _join_durations(a: Candidate, b: Candidate, gap: str) -> Candidate | None:
    """"2 hours and 30 minutes", "three years, six months": one duration, PT2H30M."""
    if not re.fullmatch(r"\s*(?:,\s*)?(?:and\s+)?", gap, re.I) or "\n" in gap:
        return None
    first, second = _counted(a.reading), _counted(b.reading)
    if first is None or second is None or a.reading.offset or b.reading.offset:
        return None
    if _DURATION_ORDER.index(first[0]) >= _DURATION_ORDER.index(second[0]):
        return None
    date_part = "".join(f"{n}{u[0].upper()}" for u, n in (first, second) if u in ("year", "month", "week", "day"))
    time_part = "".join(f"{n}{u[0].upper()}" for u, n in (first, second) if u in ("hour", "minute"))
    value = "P" + date_part + ("T" + time_part if time_part else "")
    return Candidate(a.start, b.end, replace(a.reading, fixed=value, mod=a.reading.mod or b.reading.mod),
                     f"{a.rule}+{b.rule}")


def _join_set_time(a: Candidate, b: Candidate, gap: str) -> Candidate | None:
    """"every Tuesday at 9am": the set, at that time of day (XXXX-WXX-2T09:00)."""
    fixed = a.reading.fixed or ""
    if a.reading.type != "SET" or not fixed.startswith("XXXX") or "T" in fixed or not _is_clock(b.reading):
        return None
    if not re.fullmatch(r"\s+(?:at\s+)?", gap, re.I):
        return None
    clock = b.reading.clock
    return Candidate(a.start, b.end, replace(a.reading, fixed=f"{fixed}T{clock.hour:02d}:{clock.minute or 0:02d}"),
                     f"{a.rule}+{b.rule}")


def _weekday_and_day(a: Candidate, b: Candidate, gap: str) -> Candidate | None:
    """"Tuesday the 8th": the 8th that is a Tuesday."""
    fa, fb = a.reading.fields, b.reading.fields
    if fa is None or fb is None or a.reading.clock or b.reading.clock or not re.fullmatch(r",?\s+", gap):
        return None
    if fa.weekday is None or fa.month or fa.day or fb.day is None or fb.weekday is not None:
        return None
    return Candidate(a.start, b.end, replace(b.reading, fields=replace(fb, weekday=fa.weekday)), f"{a.rule}+{b.rule}")


def _day_before(a: Candidate, b: Candidate, gap: str) -> Candidate | None:
    """"the day after Christmas", "the day before Thanksgiving": the named day, moved by one."""
    r = a.reading
    if r.shift is None or r.shift.unit != "day" or abs(r.shift.n) != 1 or r.fields is not None:
        return None
    if a.rule != "the_day_after" or not re.fullmatch(r"\s+(?:the\s+)?", gap) or not _is_day(b.reading):
        return None
    return Candidate(a.start, b.end, replace(b.reading, offset=("day", r.shift.n)), f"{a.rule}+{b.rule}")


def _join_range(text: str, a: Candidate, b: Candidate, gap: str) -> Candidate | None:
    """"between 2019 and 2021", "from May to July", "Tuesday through Thursday", "8:15 - 10:45",
    "from 1 to 3pm": one interval."""
    m = _RANGE_GAP.fullmatch(gap)
    if not m or not (a.reading.is_point and b.reading.is_point) or "\n" in gap:
        return None
    opener = _RANGE_OPENER.search(text, max(0, a.start - _OPENER_REACH), a.start)
    word = gap.strip().lower()
    if word == "and" and not (opener and opener.group(0).lower().startswith("between")):
        return None
    if _is_clock(a.reading) and _is_clock(b.reading):
        return _clock_range(a, b, opener)
    if a.reading.clock or b.reading.clock or a.reading.fields is None or b.reading.fields is None:
        return None
    # "Monday to Friday", "June through August", "5th of March to 7th of March": the ends say what they are.
    named = all(_is_named_unit(r.fields) or r.fields.day is not None and r.fields.month is not None for r in (a.reading, b.reading))
    if word in ("to", "until", "till", "through", "thru") and not opener and not named:
        return None
    if _granularity_of(a.reading.fields) != _granularity_of(b.reading.fields):
        return None
    first = a.reading
    second = b.reading
    if first.fields.year is None and second.fields.year is not None:
        first = replace(first, fields=replace(first.fields, year=second.fields.year))
    start = opener.start() if opener else a.start
    return Candidate(start, b.end, replace(first, end=second), f"{a.rule}..{b.rule}",
                     (replace(a, reading=first), b))


def _is_named_unit(f: Fields) -> bool:
    """A weekday or a month said by its name alone: either end of "Monday to Friday"."""
    return f.year is None and f.day is None and (f.weekday is not None) != (f.month is not None)


def _clock_range(a: Candidate, b: Candidate, opener: re.Match | None) -> Candidate:
    """Two clock times as one interval; the first takes the second's half of the day when it has
    none of its own and fits before it ("from 1 to 3pm" is 13:00-15:00, "11 to 1pm" 11:00-13:00)."""
    first, second = a.reading.clock, b.reading.clock
    if not first.explicit and second.explicit and first.hour < 12 <= second.hour and first.hour + 12 <= second.hour:
        first = replace(first, hour=first.hour + 12)
    start = opener.start() if opener else a.start
    reading = replace(a.reading, clock=first, end=b.reading)
    return Candidate(start, b.end, reading, f"{a.rule}..{b.rule}", (replace(a, reading=replace(a.reading, clock=first)), b))


def _granularity_of(f: Fields) -> str:
    for name in ("day", "weekday", "month", "quarter", "half", "season", "year", "decade", "century"):
        if getattr(f, name) is not None:
            return name
    return "?"


# ----- what only the model saw --------------------------------------------------------------------

_DATE_WORDS = re.compile(
    r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s|\b(?:1[0-9]|20)[0-9]{2}\b", re.I)


def _model_only(text: str, model: _Intervals, chosen: list[Candidate], blocked: _Occupied) -> list[Candidate]:
    """Model DATE spans the rules did not read in full, read by dateparser when they look like a date.

    Either no rule matched at all, or a rule read only part of it ("2022" in "2022/02/22"): then
    dateparser's reading replaces the rule's when it is finer (it says which parts it found).
    """
    extra, replaced = [], set()
    chosen_starts = [c.start for c in chosen]  # chosen is sorted and does not overlap
    for start, end in model:
        if not blocked.free(start, end):
            continue
        first = max(0, bisect_right(chosen_starts, start) - 1)
        inside = [c for c in chosen[first:bisect_right(chosen_starts, end, first)] if start < c.end and c.start < end]
        span = Span(start, end, "DATE")
        if len(inside) > 1 or (inside and not _partly_read(text, span, inside[0])):
            continue
        phrase = text[start:end]
        if not _DATE_WORDS.search(phrase + " "):
            continue
        reading = _dateparser_reading(phrase)
        if reading is None or (inside and _detail(reading) <= _detail(inside[0].reading)):
            continue
        if inside:
            replaced.add(id(inside[0]))
        extra.append(Candidate(start, end, reading, "model+dateparser"))
    if replaced:
        chosen[:] = [c for c in chosen if id(c) not in replaced]
    return extra


def _partly_read(text: str, span: Span, c: Candidate) -> bool:
    """A rule matched inside the model's span and left digits or letters of a date outside it."""
    if c.start < span.start or c.end > span.end or c.reading.fields is None:
        return False
    rest = text[span.start:c.start] + " " + text[c.end:span.end]
    return bool(re.search(r"[0-9]", rest) or _DATE_WORDS.search(rest + " "))


def _detail(r: Reading) -> int:
    f = r.fields
    if f is None:
        return 0
    return (f.year is not None) + (f.month is not None) + (f.day is not None) + (r.clock is not None)


@lru_cache(maxsize=1)
def dateparser_parser():
    """English only (~50x faster than detecting the language); a year is required, never guessed."""
    from dateparser.date import DateDataParser

    settings = {"RETURN_TIME_AS_PERIOD": True, "REQUIRE_PARTS": ["year"], "PREFER_DAY_OF_MONTH": "first"}
    return DateDataParser(languages=["en"], settings=settings)


@lru_cache(maxsize=8192)
def _dateparser_reading(phrase: str) -> Reading | None:
    """dateparser for the forms the rules do not know; it says which parts it read (``period``)."""
    data = dateparser_parser().get_date_data(phrase)
    if data is None or data.date_obj is None:
        return None
    d, period = data.date_obj, data.period
    if period == "year":
        return Reading("DATE", fields=Fields(year=d.year))
    if period == "month":
        return Reading("DATE", fields=Fields(year=d.year, month=d.month))
    if period == "time":
        return Reading("TIME", fields=Fields(year=d.year, month=d.month, day=d.day), clock=Clock(d.hour, d.minute))
    return Reading("DATE", fields=Fields(year=d.year, month=d.month, day=d.day))
