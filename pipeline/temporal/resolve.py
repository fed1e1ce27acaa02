"""A :class:`Reading` plus what the document has said so far -> a TIMEX3 value and an interval.

The context mirrors what a reader keeps in mind: the document's creation time (DCT), the date the
story is at (the last day named, "Feb. 22, 2022", which "that evening" and "the following day"
refer to), the last calendar value of any kind ("the third quarter", which "a year earlier"
compares with), the last year written out, and whether the sentence speaks of the future.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta

from pipeline.temporal.calendar import GRANULARITIES, SEASON_START, When, iso_day
from pipeline.temporal.holidays import holiday_date, holiday_last_day
from pipeline.temporal.readings import Clock, Fields, Reading, Shift


@dataclass(frozen=True)
class TemporalValue:
    type: str  # DATE, TIME, DURATION, SET
    value: str | None  # TIMEX3 value; None when it cannot be resolved
    start: datetime | None
    end: datetime | None
    granularity: str | None  # year, quarter, month, week, day, part_of_day, minute, ...
    anchor: str = "absolute"  # absolute, dct, narrative: what the value was resolved against
    mod: str | None = None  # TIMEX3 mod: START, MID, END, APPROX, LESS_THAN, MORE_THAN, ...


@dataclass
class Context:
    dct: When | None = None
    story: When | None = None  # the last day (or finer) named: the date the narrative is at
    last: When | None = None  # the last calendar value of any granularity
    year: int | None = None  # the last year written out in the text
    future: bool = False  # the words before the expression speak of the future (will, is expected to, ...)
    past: bool = False  # ... or of the past (ended, was)
    # normalize(prefer="future"): text about schedules, where a bare "April 18" is the coming one.
    prefer_future: bool = False
    # Dates already written with their year: a later "Oct. 23" is the same Oct. 23 (month, day) -> year.
    written: dict = field(default_factory=dict)
    # The reference instant, when known to the minute (normalize() given a datetime): "an hour ago",
    # "in 20 minutes" count from it.
    now: datetime | None = None

    def remember(self, when: When, reading: Reading) -> None:
        """Move the story on after ``reading`` resolved to ``when``."""
        if reading.shift is not None and reading.shift.mode in ("compare", "compare-quarter"):
            return  # "a year earlier" compares; the story stays where it was
        self.last = when
        if when.is_day_or_finer():
            self.story = when.at("day")
        f = reading.fields
        if f is not None and f.year is not None:
            self.year = f.year
            if f.month is not None:
                self.written[(f.month, f.day)] = f.year


class Unresolvable(Exception):
    """The words need a reference that the document does not give (no DCT for "yesterday")."""


def resolve(reading: Reading, ctx: Context) -> tuple[TemporalValue, When | None]:
    """The value of ``reading`` in ``ctx``, and the calendar point it names (None for durations, sets, ...)."""
    if reading.fixed is not None:
        anchor = "dct" if reading.fixed.endswith("_REF") else "absolute"
        if reading.offset is not None and reading.type == "DURATION":
            return _duration_ending(reading, ctx), None
        return TemporalValue(reading.type, reading.fixed, None, None, None, anchor, reading.mod), None
    if reading.end is not None:
        return _resolve_range(reading, ctx), None
    if reading.nth is not None and reading.nth[1] == "half":
        return _half_of(reading, ctx), None
    try:
        when, anchor, underspecified = _point(reading, ctx)
        if when is None:
            return TemporalValue(reading.type, underspecified, None, None, None, anchor, reading.mod), None
        kind = "TIME" if when.gran in ("part", "hour", "minute", "second") else "DATE"
        value = when.value
        if reading.clock is not None and reading.clock.hour == 24:
            value = iso_day(when.start - timedelta(days=1)) + "T24:00"
        gran = "part_of_day" if when.gran == "part" else when.gran
        f = reading.fields
        if f is not None and f.holiday is not None and when.gran == "day" and reading.nth is None and reading.offset is None:
            last = holiday_last_day(f.holiday, when.day)
            if last is not None:  # "Ramadan 2022": the feast's days, first/last
                return TemporalValue(kind, f"{value}/{iso_day(last)}", when.start, datetime(last.year, last.month, last.day)
                                     + timedelta(days=1), gran, anchor, reading.mod), when
        return TemporalValue(kind, value, when.start, when.end, gran, anchor, reading.mod), when
    except (Unresolvable, OverflowError, ValueError):
        # No such date, no reference, or past the calendar's ends (year 1 to 9999): null, never a crash.
        return TemporalValue(reading.type, None, None, None, None, _anchor_kind(reading), reading.mod), None


# The unit a period's half is counted in when TIMEX3 has no half of it ("the first half of the decade").
_HALF_IN = {"millennium": "year", "century": "year", "decade": "year", "quarter": "day", "season": "day",
            "month": "day", "week": "day"}


def _half_of(reading: Reading, ctx: Context) -> TemporalValue:
    """The first or second half of the period the rest names: a year's is TIMEX3's "2024-H2"; any
    other's the interval of its years or days ("2020/2024", "2024-10-16/2024-10-31")."""
    n = reading.nth[0]
    null = TemporalValue(reading.type, None, None, None, None, _anchor_kind(reading), reading.mod)
    try:
        period, anchor, _ = _point(replace(reading, nth=None), ctx)
    except (Unresolvable, OverflowError, ValueError):
        period = None
    if period is None:  # "the second half of the year" with no document date: XXXX-H2
        of_year = reading.shift is not None and reading.shift.unit == "year"
        return replace(null, value=f"XXXX-H{n}") if of_year else null
    if period.gran == "year":
        half = period.at("half") if n == 1 else When.of(period.start.replace(month=7), "half")
        return TemporalValue("DATE", half.value, half.start, half.end, "half", anchor, reading.mod)
    unit = _HALF_IN.get(period.gran)
    if unit is None:
        return null
    units = [period.at(unit)]
    while units[-1].end < period.end:
        units.append(units[-1].moved(unit, 1))
    part = units[:len(units) // 2] if n == 1 else units[len(units) // 2:]
    return TemporalValue("DATE", f"{part[0].value}/{part[-1].value}", part[0].start, part[-1].end, unit, anchor,
                         reading.mod)


def _duration_ending(reading: Reading, ctx: Context) -> TemporalValue:
    """"in 20 minutes": the duration, and (when the reference allows) the unit it ends in as start/end."""
    unit, n = reading.offset
    plain = TemporalValue("DURATION", reading.fixed, None, None, None, "absolute", reading.mod)
    try:
        if unit in ("hour", "minute"):
            if ctx.now is None:
                return plain
            when = When("minute", ctx.now.replace(second=0, microsecond=0)).moved(unit, n)
        elif ctx.dct is not None and ctx.dct.is_day_or_finer():
            when = ctx.dct.at("day").moved(unit, n)
        else:
            return plain
    except (OverflowError, ValueError):
        return plain
    return TemporalValue("DURATION", reading.fixed, when.start, when.end, when.gran, "dct", reading.mod)


def _anchor_kind(reading: Reading) -> str:
    if reading.shift is not None:
        return reading.shift.anchor
    return "absolute" if reading.fields and reading.fields.year else "dct"


def _resolve_range(reading: Reading, ctx: Context) -> TemporalValue:
    """Two ends as one interval; an end that names no year ("to Friday", "through August", "3pm")
    is the first such occurrence at or after the start."""
    first, first_when = resolve(replace(reading, end=None), ctx)
    second_ctx = ctx
    end_fields = reading.end.fields
    if first_when is not None and (end_fields is None or end_fields.year is None) and reading.end.shift is None:
        second_ctx = replace(ctx, dct=first_when.at("day") if first_when.is_day_or_finer() else first_when,
                             story=first_when.at("day") if first_when.is_day_or_finer() else ctx.story,
                             future=True, prefer_future=True)
    second, second_when = resolve(reading.end, second_ctx)
    if first.value is None or second.value is None:
        return TemporalValue(first.type, None, None, None, None, first.anchor, reading.mod)
    return TemporalValue(first.type, f"{first.value}/{second.value}", first.start, second.end, first.granularity,
                         first.anchor, reading.mod)


# ----- points -------------------------------------------------------------------------------------

def _point(reading: Reading, ctx: Context) -> tuple[When | None, str, str | None]:
    """(the calendar point, the anchor kind, an underspecified TIMEX3 value when there is no point)."""
    if reading.nth is not None:
        container, anchor, underspecified = _point(replace(reading, nth=None, clock=None), ctx)
        if container is None:
            return None, anchor, None
        return _with_clock(_nth_within(container, *reading.nth), reading.clock), anchor, None
    if reading.shift is not None:
        when, anchor = _shifted(reading.shift, ctx)
    elif reading.fields is not None:
        when, anchor, underspecified = _from_fields(reading.fields, reading.clock, ctx)
        if when is None:
            return None, anchor, underspecified
    else:  # a time of day alone: on the day the story is at
        when, anchor = _day_in_force(ctx)
        if when is None:
            return None, "dct", "XXXX-XX-XX" + _clock_suffix(reading.clock)
    when = _with_clock(when, reading.clock)
    if reading.offset is not None:
        when = _offset(when, *reading.offset, ctx)
    return when, anchor, None


def _offset(when: When, unit: str, n: int, ctx: Context) -> When:
    """"a week from Friday", "three days after Christmas"; "tomorrow in two hours" counts the hours
    from the reference's time of day on that day."""
    if unit in ("hour", "minute") and not GRANULARITIES.index(when.gran) >= GRANULARITIES.index("minute"):
        if ctx.now is None or not when.is_day_or_finer():
            raise Unresolvable("hours from a day without a time")
        when = When("minute", datetime.combine(when.day, ctx.now.time()).replace(second=0, microsecond=0))
    return when.moved(unit, n)


def _day_in_force(ctx: Context) -> tuple[When | None, str]:
    if ctx.story is not None:
        return ctx.story, "narrative"
    if ctx.dct is not None and ctx.dct.is_day_or_finer():
        return ctx.dct.at("day"), "dct"
    return None, "dct"


def _with_clock(when: When, clock: Clock | None) -> When:
    if clock is None:
        return when
    day = when.at("day") if GRANULARITIES.index(when.gran) >= GRANULARITIES.index("day") else None
    if day is None:
        raise Unresolvable("a time of day needs a day")
    if clock.hour is not None:
        at = day.start + timedelta(hours=clock.hour, minutes=clock.minute or 0, seconds=clock.second or 0)
        return When("second" if clock.second is not None else "minute", at)
    return When.of(day.start, "part", clock.part)


def _nth_within(period: When, n: int, unit: str, weekday: int | None) -> When:
    """The n-th (n = -1: last) day, weekday, week or weekend of ``period``. A week belongs to the
    period its Thursday is in (as ISO 8601 numbers weeks), a weekend to the period of its Saturday."""
    if unit in ("week_of", "weekend_of"):  # "the week of June 10": the week that day is in
        return period.at(unit.removesuffix("_of"))
    if unit == "weekend_near":  # "Easter weekend": its own, a Monday's the one before, a Thursday's the one after
        weekday = period.day.isoweekday()
        if weekday >= 6:
            return period.at("weekend")
        return When.of(period.day - timedelta(days=weekday) if weekday <= 2 else period.day + timedelta(days=6 - weekday),
                       "weekend")
    first, last = period.day, (period.end - timedelta(days=1)).date()
    want = {"day": weekday, "week": 4, "weekend": 6}[unit]
    days = []
    d = first if n > 0 else last
    step = timedelta(days=1 if n > 0 else -1)
    while first <= d <= last and len(days) < abs(n):
        if want is None or d.isoweekday() == want:
            days.append(d)
        d += step
    if len(days) < abs(n):
        raise Unresolvable(f"no {n}-th {unit} in {period.value}")
    return When.of(days[-1], "day" if unit == "day" else unit)


def _clock_suffix(clock: Clock | None) -> str:
    if clock is None:
        return ""
    if clock.hour is not None:
        seconds = f":{clock.second:02d}" if clock.second is not None else ""
        return f"T{clock.hour:02d}:{clock.minute or 0:02d}{seconds}"
    return "T" + clock.part


_UNIT_GRAN = {"day": "day", "week": "week", "weekend": "weekend", "month": "month", "quarter": "quarter",
              "half": "half", "year": "year", "decade": "decade", "century": "century", "hour": "hour",
              "minute": "minute"}


def _shifted(s: Shift, ctx: Context) -> tuple[When, str]:
    if s.mode == "compare" and ctx.last is not None and ctx.last.gran in ("quarter", "half", "month", "season", "week"):
        return ctx.last.moved(s.unit, s.n), "narrative"
    if s.mode == "compare-quarter":
        if ctx.last is not None and ctx.last.gran in ("quarter", "half"):
            return ctx.last.moved(s.unit, s.n), "narrative"
        reported, anchor = _reported_period(Shift("narrative", "quarter", -1, mode="reported"), ctx)
        return reported.moved(s.unit, s.n), anchor
    if s.mode == "reported":
        return _reported_period(s, ctx)
    base, anchor = _anchor(s, ctx)
    if s.mode == "nearest" and s.unit == "weekend" and base.is_day_or_finer():
        weekday = base.day.isoweekday()
        n = 0 if weekday >= 6 or ctx.future else -1
        return base.at("weekend").moved("week", n), anchor
    if s.mode == "coming" and s.unit == "weekend" and base.is_day_or_finer():
        return base.at("weekend").moved("week", 0 if base.day.isoweekday() < 6 else 1), anchor
    if s.unit == "named":
        return _nearest_named(s.target, base, s.n), anchor
    if s.mode == "same-day" and base.is_day_or_finer():
        return base.at("day").moved(s.unit, s.n), anchor
    if s.unit in ("hour", "minute") and anchor == "dct" and ctx.now is not None:
        return When("minute", ctx.now.replace(second=0, microsecond=0)).moved(s.unit, s.n), anchor  # "an hour ago"
    gran = _UNIT_GRAN[s.unit]
    if GRANULARITIES.index(base.gran) >= GRANULARITIES.index(gran) or base.is_day_or_finer():
        moved = base.at(gran).moved(s.unit, s.n)
        if s.target is not None:  # "April next year": a month of the year counted
            moved = _fields_in_year(s.target, moved.start.year)
        return moved, anchor
    raise Unresolvable(f"{s.unit} from a reference known only to the {base.gran}")


_PERIODS = ("quarter", "half", "month", "year")


def _reported_period(s: Shift, ctx: Context) -> tuple[When, str]:
    """"the quarter", "the latest period": the period just talked about, else the last one ended at the DCT."""
    wanted = _PERIODS if s.unit == "period" else (s.unit,)
    if s.n != 0 and ctx.last is not None and ctx.last.gran in wanted:
        return ctx.last, "narrative"
    if ctx.dct is None:
        raise Unresolvable("no document date")
    unit = "quarter" if s.unit == "period" else s.unit
    return ctx.dct.at(unit).moved(unit, s.n), "dct"


def _anchor(s: Shift, ctx: Context) -> tuple[When, str]:
    if s.anchor == "narrative":
        fine = s.unit in ("day", "hour", "minute", "named")
        if fine and ctx.story is not None:
            return ctx.story, "narrative"
        if not fine and ctx.last is not None:
            return ctx.last, "narrative"
        if ctx.story is not None:
            return ctx.story, "narrative"
    if ctx.dct is None:
        raise Unresolvable("no document date")
    return ctx.dct, "dct"


def _nearest_named(target: Fields, base: When, n: int) -> When:
    """"last Friday" (n=-1), "this Friday" (0), "next Friday" (1) from ``base``; same for months, seasons."""
    if target.weekday is not None:
        day = base.day
        if n == 0:
            return When.of(day + timedelta(days=target.weekday - day.isoweekday()), "day")
        step = 1 if n > 0 else -1  # "next Friday" is the first to come, "two Fridays from now" the second
        d = day + timedelta(days=step)
        while d.isoweekday() != target.weekday:
            d += timedelta(days=step)
        return When.of(d + timedelta(days=7 * (n - step)), "day")
    candidates = [c for c in (_fields_in_year(target, y) for y in range(base.start.year - 2, base.start.year + 3)) if c]
    if n == 0:  # "this summer": the one we are in, else the one of this year
        current = [c for c in candidates if c.start <= base.start < c.end]
        same = current or [c for c in candidates if c.start.year == base.start.year]
        if same:
            return same[0]
    if n < 0:
        return max((c for c in candidates if c.end <= base.start or (c.start < base.start and c.gran == "day")),
                   key=lambda c: c.start)
    return min((c for c in candidates if c.start >= base.end or (c.start > base.start and c.gran == "day")),
               key=lambda c: c.start)


# ----- calendar fields ----------------------------------------------------------------------------

def _from_fields(f: Fields, clock: Clock | None, ctx: Context) -> tuple[When | None, str, str | None]:
    if f.century is not None:
        return When.of(date(max(f.century * 100, 1), 1, 1), "century"), "absolute", None
    if f.decade is not None:
        return When.of(date(f.decade * 10, 1, 1), "decade"), "absolute", None
    if f.decade_in_century is not None:
        ref = _reference(ctx)
        if ref is None:
            return None, "dct", f"XX{f.decade_in_century}"
        century = ref.start.year // 100
        if f.decade_in_century * 10 > ref.start.year % 100:
            century -= 1
        return When.of(date(century * 100 + f.decade_in_century * 10, 1, 1), "decade"), "dct", None
    if f.year is not None:
        when = _fields_in_year(f, f.year)
        if when is None:
            raise Unresolvable("no such date")
        return when, "absolute", None
    if _only_weekday(f):
        ref, anchor = _weekday_reference(ctx)
        if ref is None:
            return None, "dct", f"XXXX-WXX-{f.weekday}" + _clock_suffix(clock)
        return _weekday_near(f.weekday, ref, ctx.future), anchor, None
    # A month, day, season, quarter, half or holiday without its year.
    if f.month is not None and (f.month, f.day) in ctx.written:
        return _fields_in_year(f, ctx.written[(f.month, f.day)]), "narrative", None
    ref, anchor = _partial_reference(ctx)
    if ref is None:
        return None, "dct", _underspecified(f) + _clock_suffix(clock)
    if f.day is not None and f.month is None:  # "on the 21st": of the month in force, or a neighbour
        span = range(-12, 13) if f.weekday is not None else (-1, 0, 1)  # "Tuesday the 8th": an 8th that is a Tuesday
        months = [ref.at("month").moved("month", k) for k in span]
        days = [When.of(m.start.replace(day=f.day), "day") for m in months if _valid(m.start.year, m.start.month, f.day)
                and (f.weekday is None or date(m.start.year, m.start.month, f.day).isoweekday() == f.weekday)]
        return _nearest(days, ref, ctx.future, ctx.prefer_future), anchor, None
    return _year_nearest(f, ref, ctx.future, ctx.past, ctx.prefer_future), anchor, None


def _only_weekday(f: Fields) -> bool:
    return f.weekday is not None and f.month is None and f.day is None


def _reference(ctx: Context) -> When | None:
    return ctx.dct or ctx.story or ctx.last


def _weekday_reference(ctx: Context) -> tuple[When | None, str]:
    """A weekday alone counts from the document date (news: "said Friday"); without one, from the story."""
    if ctx.dct is not None and ctx.dct.is_day_or_finer():
        return ctx.dct, "dct"
    return (ctx.story, "narrative") if ctx.story is not None else (None, "dct")


def _partial_reference(ctx: Context) -> tuple[When | None, str]:
    if ctx.dct is not None:
        return ctx.dct, "dct"
    if ctx.story is not None:
        return ctx.story, "narrative"
    if ctx.last is not None:
        return ctx.last, "narrative"
    if ctx.year is not None:
        return When.of(date(ctx.year, 7, 1), "year"), "narrative"
    return None, "dct"


def _weekday_near(weekday: int, ref: When, future: bool) -> When:
    """The day with this weekday in the week around ``ref``: before it in past-tense text, after in future."""
    day = ref.day
    back = (day.isoweekday() - weekday) % 7
    if future:
        return When.of(day + timedelta(days=(weekday - day.isoweekday()) % 7), "day")
    return When.of(day - timedelta(days=back), "day")


# News reports more than it announces: a date without a year is read as the past one unless the
# next one is clearly nearer (FUTURE_PENALTY times nearer).
FUTURE_PENALTY = 2.0


def _year_nearest(f: Fields, ref: When, future: bool, past: bool = False, prefer_future: bool = False) -> When:
    """The year for a date written without one: the nearest occurrence to ``ref`` in which any weekday
    given fits; in future-tense sentences the next occurrence that has not ended."""
    year = ref.start.year
    if f.weekday is not None and f.month is not None and f.day is not None:
        fits = [y for y in range(year - 11, year + 12) if _fits_weekday(f, y)]
        if fits:
            return _fields_in_year(f, min(fits, key=lambda y: (abs(y - year), y > year)))
    candidates = [c for c in (_fields_in_year(f, y) for y in (year - 1, year, year + 1)) if c is not None]
    if (f.quarter or f.half or past) and not future and not prefer_future:
        # Quarters and halves are named when they are reported on: the latest one begun.
        begun = [c for c in candidates if c.start <= ref.start]
        if begun:
            return max(begun, key=lambda c: c.start)
    return _nearest(candidates, ref, future, prefer_future)


def _nearest(candidates: list[When], ref: When, future: bool, prefer_future: bool) -> When:
    """Of the occurrences of a date written without its year (or month), the one a reader means."""
    if not candidates:
        raise Unresolvable("no such date")
    if prefer_future:  # text about schedules: the next occurrence that has not ended
        coming = [c for c in candidates if c.end > ref.start]
        if coming:
            return min(coming, key=lambda c: c.start)

    def distance(c: When) -> float:
        if c.start <= ref.start < c.end:
            return 0.0
        if c.start > ref.start:
            return (c.start - ref.start).total_seconds() * FUTURE_PENALTY
        return (ref.start - c.end).total_seconds()

    return min(candidates, key=distance)


def _valid(year: int, month: int, day: int) -> bool:
    try:
        date(year, month, day)
        return True
    except ValueError:
        return False


def _fits_weekday(f: Fields, year: int) -> bool:
    try:
        return date(year, f.month, f.day).isoweekday() == f.weekday
    except ValueError:
        return False


def _fields_in_year(f: Fields, year: int) -> When | None:
    """The calendar unit the fields name in ``year`` (None if there is no such day, e.g. Feb 30)."""
    try:
        if f.holiday is not None:
            return When.of(_holiday(f.holiday, year), "day")
        if f.month is not None and f.day is not None:
            return When.of(date(year, f.month, f.day), "day")
        if f.month is not None:
            return When.of(date(year, f.month, 1), "month")
        if f.quarter is not None:
            return When.of(date(year, 3 * f.quarter - 2, 1), "quarter")
        if f.half is not None:
            return When.of(date(year, 6 * f.half - 5, 1), "half")
        if f.season is not None:
            return When.of(date(year, SEASON_START[f.season], 1), "season")
        return When.of(date(year, 1, 1), "year")
    except ValueError:
        return None


def _holiday(rule: str, year: int) -> date:
    found = holiday_date(rule, year)
    if found is None:
        raise ValueError(f"{rule} has no day in {year}")
    return found


def _underspecified(f: Fields) -> str:
    """TIMEX3 with X for what is unknown: "XXXX-04-18", "XXXX-Q3"."""
    if f.month is not None and f.day is not None:
        return f"XXXX-{f.month:02d}-{f.day:02d}"
    if f.month is not None:
        return f"XXXX-{f.month:02d}"
    if f.day is not None:
        return f"XXXX-XX-{f.day:02d}"
    if f.quarter is not None:
        return f"XXXX-Q{f.quarter}"
    if f.half is not None:
        return f"XXXX-H{f.half}"
    if f.season is not None:
        return f"XXXX-{f.season}"
    if f.holiday is not None:
        return "XXXX-XX-XX"
    return "XXXX"


def reference_when(moment: datetime | date | None, gran: str = "day") -> When | None:
    return When.of(moment, gran) if moment is not None else None
