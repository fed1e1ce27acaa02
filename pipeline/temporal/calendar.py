"""Calendar values at a granularity: a year, a quarter, a day, an evening, a minute.

A :class:`When` is the start of a calendar unit plus the unit's name, which is enough to write its
TIMEX3 value ("2022-Q1", "2022-W08", "2022-02-22TEV") and its interval, and to move it
("a year earlier" keeps the granularity of what it is said of).
"""

from __future__ import annotations

from calendar import monthrange
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

# Coarse to fine. "part" is a part of a day (morning, evening, ...), "weekend" a week's weekend.
GRANULARITIES = ("millennium", "century", "decade", "year", "half", "quarter", "season", "month",
                 "week", "weekend", "day", "part", "hour", "minute", "second")

SEASON_START = {"SP": 3, "SU": 6, "FA": 9, "WI": 12}
# Hours of a day each part of the day covers (TIMEX3 leaves them open; these are the usual readings).
PART_HOURS = {"MO": (6, 12), "MI": (11, 13), "AF": (12, 18), "EV": (18, 22), "NI": (21, 30), "DT": (8, 18)}

_MONTHS_IN = {"year": 12, "half": 6, "quarter": 3, "season": 3, "month": 1, "decade": 120,
              "century": 1200, "millennium": 12000}
_DAYS_IN = {"week": 7, "weekend": 7, "day": 1, "part": 1}


@dataclass(frozen=True)
class When:
    gran: str
    start: datetime
    part: str | None = None  # MO, AF, EV, NI ... when gran == "part"

    @classmethod
    def of(cls, moment: datetime | date, gran: str, part: str | None = None) -> When:
        """The unit of granularity ``gran`` that contains ``moment``."""
        if not isinstance(moment, datetime):
            moment = datetime(moment.year, moment.month, moment.day)
        return cls(gran, floor(moment, gran, part), part)

    @property
    def end(self) -> datetime:
        if self.gran == "part":
            lo, hi = PART_HOURS[self.part]
            return self.start - timedelta(hours=lo) + timedelta(hours=hi)
        if self.gran == "weekend":
            return self.start + timedelta(days=2)
        return shift(self.start, self.gran, 1)

    @property
    def day(self) -> date:
        return self.start.date()

    def is_day_or_finer(self) -> bool:
        return GRANULARITIES.index(self.gran) >= GRANULARITIES.index("day")

    def moved(self, unit: str, n: int) -> When:
        """This value ``n`` units later (earlier when negative), at its own granularity."""
        if self.gran == "part":
            return replace(self, start=shift(self.start, unit, n))
        return When.of(shift(self.start, unit, n), self.gran, self.part)

    def at(self, gran: str, part: str | None = None) -> When:
        return When.of(self.start, gran, part)

    @property
    def value(self) -> str:
        s = self.start
        g = self.gran
        if g == "millennium":
            return f"{s.year // 1000}"
        if g == "century":
            return f"{s.year // 100:02d}"
        if g == "decade":
            return f"{s.year // 10:03d}"
        if g == "year":
            return f"{s.year:04d}"
        if g == "half":
            return f"{s.year:04d}-H{1 + (s.month - 1) // 6}"
        if g == "quarter":
            return f"{s.year:04d}-Q{1 + (s.month - 1) // 3}"
        if g == "season":
            code = {3: "SP", 6: "SU", 9: "FA", 12: "WI"}[s.month]
            return f"{s.year:04d}-{code}"
        if g == "month":
            return f"{s.year:04d}-{s.month:02d}"
        if g in ("week", "weekend"):
            iso = s.isocalendar()
            return f"{iso.year:04d}-W{iso.week:02d}" + ("-WE" if g == "weekend" else "")
        if g == "day":
            return iso_day(s)
        if g == "part":
            return iso_day(s) + "T" + self.part
        if g == "hour":
            return f"{iso_day(s)}T{s.hour:02d}"
        if g == "second":
            return f"{iso_day(s)}T{s.hour:02d}:{s.minute:02d}:{s.second:02d}"
        return f"{iso_day(s)}T{s.hour:02d}:{s.minute:02d}"


def iso_day(moment: date) -> str:
    """YYYY-MM-DD with a 4-digit year (``strftime("%Y")`` writes year 1 as "1" on glibc)."""
    return f"{moment.year:04d}-{moment.month:02d}-{moment.day:02d}"


def floor(moment: datetime, gran: str, part: str | None = None) -> datetime:
    """The start of the unit of granularity ``gran`` containing ``moment``."""
    d = datetime(moment.year, moment.month, moment.day)
    if gran == "second":
        return moment.replace(microsecond=0)
    if gran == "minute":
        return moment.replace(second=0, microsecond=0)
    if gran == "hour":
        return moment.replace(minute=0, second=0, microsecond=0)
    if gran == "part":
        return d + timedelta(hours=PART_HOURS[part][0])
    if gran == "day":
        return d
    if gran == "week":
        return d - timedelta(days=d.weekday())
    if gran == "weekend":
        return d - timedelta(days=d.weekday()) + timedelta(days=5)
    if gran == "month":
        return d.replace(day=1)
    if gran == "season":
        # Winter starts in December: January and February belong to the previous year's winter.
        month = {12: 12, 1: 12, 2: 12}.get(d.month, 3 * (d.month // 3))
        year = d.year - 1 if d.month < 3 else d.year
        return datetime(year, month, 1)
    if gran in ("quarter", "half"):
        size = 3 if gran == "quarter" else 6
        return datetime(d.year, 1 + size * ((d.month - 1) // size), 1)
    if gran == "year":
        return datetime(d.year, 1, 1)
    if gran == "decade":
        return datetime(d.year - d.year % 10, 1, 1)
    if gran == "century":
        return datetime(d.year - d.year % 100, 1, 1)
    if gran == "millennium":
        return datetime(d.year - d.year % 1000, 1, 1)
    raise ValueError(gran)


def shift(moment: datetime, unit: str, n: int) -> datetime:
    """``moment`` moved by ``n`` units; month arithmetic clamps the day (Jan 31 + 1 month = Feb 28)."""
    if unit in _MONTHS_IN:
        total = moment.year * 12 + moment.month - 1 + n * _MONTHS_IN[unit]
        year, month = divmod(total, 12)
        if not 1 <= year <= 9999:
            raise OverflowError(year)
        day = min(moment.day, _month_length(year, month + 1))
        return moment.replace(year=year, month=month + 1, day=day)
    if unit in _DAYS_IN:
        return moment + timedelta(days=n * _DAYS_IN[unit])
    if unit == "hour":
        return moment + timedelta(hours=n)
    if unit == "minute":
        return moment + timedelta(minutes=n)
    if unit == "second":
        return moment + timedelta(seconds=n)
    raise ValueError(unit)


def _month_length(year: int, month: int) -> int:
    return monthrange(year, month)[1]


def nth_weekday(year: int, month: int, weekday: int, n: int) -> date:
    """The ``n``-th ISO ``weekday`` (1 = Monday) of a month; ``n = -1`` is the last one."""
    if n > 0:
        first = date(year, month, 1)
        offset = (weekday - first.isoweekday()) % 7
        return first + timedelta(days=offset + 7 * (n - 1))
    last = date(year, month, _month_length(year, month))
    return last - timedelta(days=(last.isoweekday() - weekday) % 7)


def easter(year: int) -> date:
    """Western (Gregorian) Easter Sunday, by the anonymous Gregorian algorithm."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    l = (32 + 2 * e + 2 * i - h - k) % 7  # noqa: E741 (the algorithm's own name)
    m = (a + 11 * h + 22 * l) // 451
    month, day = divmod(h + l - 7 * m + 114, 31)
    return date(year, month, day + 1)
