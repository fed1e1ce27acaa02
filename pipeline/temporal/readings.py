"""What a matched expression means, before any reference date is known.

A :class:`Reading` keeps exactly what the words say: "April 18" has a month and a day but no
year; "the following day" is one day after whatever date the story is at; "five hours" is PT5H
whatever the context. :mod:`pipeline.temporal.resolve` later fills the gaps from the document.
Each ``reading = "..."`` name in the rule file is a function here taking (match, lexicon).
"""

from __future__ import annotations

import re
from calendar import monthrange
from dataclasses import dataclass, replace

from pipeline import numbers
from pipeline.temporal.lexicon import Lexicon


@dataclass(frozen=True)
class Fields:
    """Calendar fields given in the text (None = not said)."""

    year: int | None = None
    month: int | None = None
    day: int | None = None
    weekday: int | None = None  # ISO, 1 = Monday
    quarter: int | None = None
    half: int | None = None
    season: str | None = None
    decade: int | None = None  # 199 for "the 1990s"
    century: int | None = None  # 19 for "the 20th century"
    holiday: str | None = None  # the library holiday the rule file maps the words to: "convertdate:thanksgiving"
    decade_in_century: int | None = None  # "the '90s", "the nineties": century from context


@dataclass(frozen=True)
class Shift:
    """A value counted from a reference: ``n`` units from the DCT or from the story's date.

    ``target`` names a calendar field ("weekday", "month", "season", "holiday") when the
    expression is "last Friday", "next May", "this summer": the nearest such unit in direction n.
    """

    anchor: str  # "dct" or "narrative"
    unit: str  # day, week, weekend, month, quarter, half, year, decade, century, hour, minute, named
    n: int
    # None: n units from the anchor, at the unit's granularity. "compare": "a year earlier", counted
    # from the quarter (half, month, ...) just talked about, at its granularity. "compare-quarter":
    # "the year-ago quarter". "reported": "the quarter", "the latest period" (the one just talked
    # about, else the last one ended at the DCT). "nearest": "the weekend" (just past, or coming).
    mode: str | None = None
    target: Fields | None = None


@dataclass(frozen=True)
class Clock:
    hour: int | None = None
    minute: int | None = None
    part: str | None = None  # MO, AF, EV, NI, MI
    second: int | None = None  # only when the text gives seconds ("11:02:30 PM")
    # The text said a.m./p.m. (or a 24-hour time): a part of the day joined to it no longer decides the half.
    explicit: bool = False


def by_part(hour: int, part: str | None) -> int:
    """The hour a part of the day gives a 12-hour clock time: "nine tonight" is 21:00, "4 in the
    morning" 04:00, "6 in the evening" 18:00; "2 at night" stays 02:00 (after midnight)."""
    if part in ("AF", "EV") and hour < 12:
        return hour + 12
    if part == "NI" and 6 <= hour < 12:
        return hour + 12
    if part == "MO" and hour == 12:
        return 0
    return hour


@dataclass(frozen=True)
class Reading:
    type: str  # DATE, TIME, DURATION, SET
    fields: Fields | None = None
    shift: Shift | None = None
    clock: Clock | None = None
    fixed: str | None = None  # a value that needs no context: P3D, PRESENT_REF, XXXX-WXX-1
    mod: str | None = None  # TIMEX3 mod: START, MID, END, APPROX, LESS_THAN, MORE_THAN, ...
    end: Reading | None = None  # second end of a range ("between 2019 and 2021")
    # The n-th day, weekday, week or weekend inside the period the rest names ("the last Friday of
    # October": (-1, "day", 5)); n = -1 counts from the period's end.
    nth: tuple[int, str, int | None] | None = None
    # Counted from the point the rest names, or from the reference instant when the rest is a
    # duration: "a week from Friday" (Friday + ("week", 1)), "in 20 minutes" (("minute", 20)).
    offset: tuple[str, int] | None = None

    @property
    def is_point(self) -> bool:
        """A date or time that names one calendar unit (not a duration, set or vague reference)."""
        return self.type in ("DATE", "TIME") and self.fixed is None and self.end is None


# ----- small parsers shared by the readings -------------------------------------------------------

def mod_of(text: str, lex: Lexicon) -> str | None:
    """The TIMEX3 mod of the words an expression starts with ("almost five hours" -> LESS_THAN,
    "early March" -> START): the tables ``approx_word`` and ``mod_word`` of the rule file."""
    lowered = " ".join(text.lower().split())
    for word, mod in sorted(lex.vocab["approx_word"].items(), key=lambda kv: -len(kv[0])):
        if lowered.startswith(word + " "):
            return mod
    m = re.match(r"(?:very\s+|the\s+)?([a-z]+)", lowered)
    return lex.vocab["mod_word"].get(m.group(1)) if m else None


def number(text: str, lex: Lexicon) -> float | str | None:
    """"five" -> 5, "5 1/2" -> 5.5, "twenty-five" -> 25, "one hundred" -> 100, "several" -> "X".

    Counting words are :mod:`pipeline.numbers` (shared with money); only the quantities a reader
    cannot count ("several", "a few": TIMEX3's X) belong to the date rules.
    """
    text = " ".join(text.lower().split())
    if not text:
        return None
    vague = lex.lookup("vague_number", text)
    if vague is not None:
        return vague
    value = numbers.parse(text)
    return float(value) if value is not None else None


def cardinal(word: str) -> int | None:
    """One cardinal word ("nine", "twenty") or digits."""
    word = word.lower()
    return int(word) if word.isdigit() else numbers.table().cardinals.get(word)


def _year(text: str | None) -> int | None:
    """A written year: "2022", "'98" (a two-digit year is read in the century that makes it recent)."""
    if not text:
        return None
    digits = re.sub(r"[^0-9]", "", text)
    if len(digits) == 2:
        yy = int(digits)
        return 2000 + yy if yy < 50 else 1900 + yy
    return int(digits)


def _group(m: re.Match, name: str) -> str | None:
    return m.groupdict().get(name)


def _capitalised(word: str | None) -> bool:
    return word is None or word[:1].isupper() or word[:1].isdigit()


# ----- the readings named in the rule file --------------------------------------------------------

def calendar(m: re.Match, lex: Lexicon) -> Reading | None:
    g = m.groupdict()
    if not (_capitalised(g.get("month")) and _capitalised(g.get("weekday")) and _capitalised(g.get("holiday"))):
        return None  # "may", "march", "lent": the verbs
    month = _month(g.get("month"), lex)
    day = int(re.sub(r"\D", "", g["day"])) if g.get("day") else None
    if g.get("day_word"):
        day = numbers.ordinal(g["day_word"])
        if day is None or not 1 <= day <= 31:
            return None
    year = _year(g.get("year") or g.get("year_before"))
    if g.get("spoken_year"):
        year = _spoken_year(g["spoken_year"], lex)
    weekday = lex.lookup("weekday", g["weekday"]) if g.get("weekday") else None
    if day and month and not _valid_day(year, month, day):
        return None
    fields = Fields(
        year=year, month=month, day=day, weekday=weekday,
        quarter=_ordinal_or_int(g.get("quarter"), lex),
        half=_ordinal_or_int(g.get("half"), lex),
        season=lex.lookup("season", g["season"]) if g.get("season") else None,
        century=_century(g.get("century"), lex),
        holiday=lex.lookup("holiday", g["holiday"]) if g.get("holiday") else None,
    )
    if g.get("decade"):
        digits = re.sub(r"\D", "", g["decade"])
        if len(digits) == 4:
            fields = replace(fields, decade=int(digits) // 10)
        else:
            fields = replace(fields, decade_in_century=int(digits) // 10)
    if g.get("decade_word"):
        tens = cardinal(g["decade_word"].lower().removesuffix("ies") + "y")
        fields = replace(fields, decade_in_century=tens // 10 if tens else None)
    if g.get("decade_name"):  # "the noughties": a decade named outright
        fields = replace(fields, decade=lex.lookup("decade_name", g["decade_name"]))
    clock = Clock(part=lex.lookup("part", g["part"])) if g.get("part") else None
    if g.get("hour"):
        clock = Clock(int(g["hour"]), int(g["minute"] or 0), second=int(g["second"]) if g.get("second") else None,
                      explicit=True)
    mod = mod_of(m.group(0), lex) if g.get("mod") else None
    kind = "TIME" if clock else "DATE"
    return Reading(kind, fields=fields, clock=clock, mod=mod)


def numeric_date(m: re.Match, lex: Lexicon) -> Reading | None:
    """2/22/2022 and 11-05-98 (US), 22/2/2022 (UK, when the first number cannot be a month),
    22.02.2022 (European); "6/12" without a year: month and day, US order."""
    g = m.groupdict()
    a, b, year = int(g["a"]), int(g["b"]), _year(g.get("y"))
    if year is None and not (g.get("pre") or g.get("weekday") or g.get("at") is not None) and b <= 12:
        return None  # "6/10", "1/2", "3/4": a rating or a fraction as often as a date
    day_first = g["sep"] == "." or a > 12
    month, day = (b, a) if day_first else (a, b)
    if not (1 <= month <= 12) or not _valid_day(year, month, day):
        return None
    if g.get("y") and len(g["y"]) == 2 and g["sep"] == ".":
        return None  # 1.5.20 is more often a version or a score than a date
    weekday = lex.lookup("weekday", g["weekday"]) if g.get("weekday") else None
    if weekday is not None and not _capitalised(g["weekday"]):
        return None
    return Reading("DATE", fields=Fields(year=year, month=month, day=day, weekday=weekday))


def named_day(m: re.Match, lex: Lexicon) -> Reading:
    named = " ".join(m.group("named").lower().split())
    n = lex.lookup("named_day", named)
    part = _group(m, "part")
    if named == "tonight":
        part = "night"
    if named == "last" and part and part.lower() != "night":
        n = -1  # "last evening" = yesterday evening
    clock = Clock(part=lex.lookup("part", part)) if part else None
    return Reading("TIME" if clock else "DATE", shift=Shift("dct", "day", n), clock=clock,
                   mod=mod_of(m.group(0), lex) if _group(m, "mod") else None)


def this_unit(m: re.Match, lex: Lexicon) -> Reading:
    """"last week", "next year", "the end of the year", "year-end", "the weekend"."""
    rel = " ".join((_group(m, "rel") or "this").lower().split())
    unit = m.group("unit").lower()
    n = lex.lookup("relative", rel) or 0
    anchor = "narrative" if lex.lookup("relative_narrative", rel) else "dct"
    # "the weekend" is the one just past (or, in future-tense text, the coming one).
    mode = "nearest" if unit == "weekend" and rel in ("the", "over the") else None
    if unit == "weekend" and rel in ("coming", "this coming"):
        mode = "coming"  # "this coming weekend": the next Saturday and Sunday, this week's if still ahead
    mod = _group(m, "mod")
    if mod is not None:
        mod = "END" if re.search(r"end|close", mod, re.I) else mod_of(m.group(0), lex)  # "the close of the quarter"
    if _group(m, "same"):
        mode = "same-day"  # "this time last year": the reference's day, a year back
    return Reading("DATE", shift=Shift(anchor, unit, n, mode=mode), mod=mod)


def boundary(m: re.Match, lex: Lexicon) -> Reading | None:
    """"EOQ", "close of business": the end of the unit the reference is in."""
    word = m.group("abbr")
    if " " not in word and not word.isupper():
        return None  # "eod", "cob" in lower case are other words
    unit = lex.lookup("boundary_abbreviation", word)
    weekday = _group(m, "weekday")
    if weekday and unit == "day" and _capitalised(weekday):  # "EOD Friday": the end of that Friday
        return Reading("DATE", fields=Fields(weekday=lex.lookup("weekday", weekday)), mod="END")
    return Reading("DATE", shift=Shift("dct", unit, 0), mod="END")


def week_of(m: re.Match, lex: Lexicon) -> Reading | None:
    """"the week of June 10", "the weekend of March 9": the week (weekend) that day is in."""
    day = calendar(m, lex)
    if day is None:
        return None
    unit = m.group("unit").lower()
    return replace(day, nth=(1, f"{unit}_of", None))


def holiday_weekend(m: re.Match, lex: Lexicon) -> Reading | None:
    """"Easter weekend", "the Memorial Day weekend": the weekend nearest that holiday."""
    day = calendar(m, lex)
    return None if day is None else replace(day, nth=(1, "weekend_near", None))


def weekday_week(m: re.Match, lex: Lexicon) -> Reading | None:
    """"Monday week" (British): the coming Monday, a week on."""
    if not _capitalised(m.group("weekday")):
        return None
    target = Fields(weekday=lex.lookup("weekday", m.group("weekday")))
    return Reading("DATE", shift=Shift("dct", "named", 1, target=target), offset=("week", 1))


_TO_DATE = {"ytd": "year", "mtd": "month", "qtd": "quarter"}


def to_date(m: re.Match, lex: Lexicon) -> Reading:
    """"year to date", "YTD": from the first day of the reference's year (month, quarter) to its day."""
    unit = (_group(m, "unit") or _TO_DATE[m.group("abbr").lower()]).lower()
    return Reading("DATE", shift=Shift("dct", unit, 0), nth=(1, "day", None),
                   end=Reading("DATE", shift=Shift("dct", "day", 0)))


def period(m: re.Match, lex: Lexicon) -> Reading:
    """"the latest quarter", "the period", "this quarter": the period a report is about."""
    rel = m.group("rel").lower()
    which = (_group(m, "which") or "").lower()
    unit = m.group("unit").lower()
    current = rel == "this" or which == "current" or (unit == "year" and not which)
    return Reading("DATE", shift=Shift("narrative" if not current else "dct", unit, 0 if current else -1,
                                       mode="reported"))


def this_named(m: re.Match, lex: Lexicon) -> Reading | None:
    g = m.groupdict()
    rel = " ".join(g["rel"].lower().split())
    if m.re.pattern.endswith(r"year\b"):  # "April next year", "the spring of last year"
        return _month_of_year(m, rel, lex)
    if not (_capitalised(g.get("month")) and _capitalised(g.get("weekday")) and _capitalised(g.get("holiday"))):
        return None
    target = Fields(
        weekday=lex.lookup("weekday", g["weekday"]) if g.get("weekday") else None,
        month=lex.lookup("month", g["month"]) if g.get("month") else None,
        season=lex.lookup("season", g["season"]) if g.get("season") else None,
        holiday=lex.lookup("holiday", g["holiday"]) if g.get("holiday") else None,
    )
    clock = Clock(part=lex.lookup("part", g["part"])) if g.get("part") else None
    anchor = "narrative" if lex.lookup("relative_narrative", rel) else "dct"
    return Reading("TIME" if clock else "DATE", shift=Shift(anchor, "named", lex.lookup("relative", rel), target=target),
                   clock=clock, mod=mod_of(m.group(0), lex) if g.get("mod") else None)


def _month_of_year(m: re.Match, rel: str, lex: Lexicon) -> Reading | None:
    """"April next year", "the spring of last year", "the second half of next year"."""
    g = m.groupdict()
    word = g.get("month")
    month = lex.lookup("month", word) if word else None
    season = None if month or not word else lex.lookup("season", word)
    if month and not _capitalised(word):
        return None
    quarter = _ordinal_or_int(g.get("quarter") or g.get("qcode"), lex)
    half = _ordinal_or_int(g.get("half"), lex)
    narrative = lex.lookup("relative_narrative", rel)
    n = narrative if narrative is not None else lex.lookup("relative", rel)
    anchor = "narrative" if narrative is not None else "dct"
    target = Fields(month=month, season=season, quarter=quarter, half=half)
    return Reading("DATE", shift=Shift(anchor, "year", n, target=target),
                   mod=mod_of(m.group(0), lex) if _group(m, "mod") else None)




def shift(m: re.Match, lex: Lexicon) -> Reading | None:
    """"two days later", "a year ago", "the following day", "that night", "the year-earlier quarter"."""
    g = m.groupdict()
    unit = (g.get("unit") or g.get("unit2") or "").lower()
    direction = " ".join((g.get("dir") or g.get("dir2") or "").lower().split())
    if direction in ("after next", "before last"):  # "the week after next": two from now
        n = 2 if direction == "after next" else -2
        if g.get("weekday"):
            if not _capitalised(g["weekday"]):
                return None
            target = Fields(weekday=lex.lookup("weekday", g["weekday"]))
            return Reading("DATE", shift=Shift("dct", "named", n, target=target))
        return Reading("DATE", shift=Shift("dct", unit, n))
    num = (g.get("num") or "").lower()
    n = 0.5 if num.startswith("half") else number(num, lex) if num else 1
    if n is None or n == "X":
        return None  # "a few days ago": no countable shift
    if g.get("and_half"):
        n += 0.5
    if n != int(n):  # "half an hour ago": 30 minutes; "a day and a half later": 36 hours
        smaller = {"hour": ("minute", 60), "hours": ("minute", 60), "day": ("hour", 24), "days": ("hour", 24)}.get(unit)
        if smaller is None or n * smaller[1] != int(n * smaller[1]):
            return None
        unit, n = smaller[0], n * smaller[1]
    n = int(n)
    if g.get("weekday_pl"):  # "two Wednesdays from now": the second Wednesday to come
        if not _capitalised(g["weekday_pl"]):
            return None
        target = Fields(weekday=lex.lookup("weekday_plural", g["weekday_pl"]))
        return Reading("DATE", shift=Shift("dct", "named", n * lex.lookup("direction", direction), target=target))
    if unit.startswith("fortnight"):  # "a fortnight ago": two weeks
        n *= 2
    part = None
    if lex.lookup("part", unit) and lex.lookup("calendar_unit", unit) is None:  # "that night": that day, at night
        part, unit = lex.lookup("part", unit), "day"
    unit = lex.lookup("calendar_unit", unit) or unit
    sign = lex.lookup("direction", direction)
    if sign is None:
        return None
    n *= sign  # "that night", "the same day": 0
    # "ago", "from now" count from the time of writing; "earlier", "later", "the next day" from the story.
    anchor = "dct" if lex.lookup("direction_from_now", direction) else "narrative"
    # "a year earlier", "a year ago", "year-earlier" compare with what was just said: a quarter
    # a year before a quarter (resolve.py decides when the comparison applies).
    mode = "compare" if unit == "year" and n != 0 else None
    if (g.get("noun") or "").lower() in ("quarter", "period"):
        mode = "compare-quarter"  # "the year-ago quarter": the reported quarter, a year before
    clock = Clock(part=part) if part else None
    mod = mod_of(m.group(0), lex)
    if g.get("mod2"):
        mod = "END" if g["mod2"].lower() == "later" else "START"
    if g.get("mod"):
        mod = mod_of(m.group(0), lex)
    return Reading("TIME" if clock else "DATE", shift=Shift(anchor, unit, n, mode=mode), clock=clock, mod=mod)


def part_of_day(m: re.Match, lex: Lexicon) -> Reading:
    """"in the morning", "mid-afternoon", "overnight": that part of the day the story is at."""
    part = lex.lookup("part", _group(m, "part") or _group(m, "overnight"))
    return Reading("TIME", shift=Shift("narrative", "day", 0), clock=Clock(part=part),
                   mod=mod_of(m.group(0), lex) if _group(m, "mod") else None)


def time(m: re.Match, lex: Lexicon) -> Reading | None:
    """"5:30 p.m.", "17:30", "14h45", "9a", "11:02:30 PM", "ten o'clock in the morning", "noon"."""
    g = m.groupdict()
    if g.get("named_time"):
        named = g["named_time"].lower()
        clock = Clock(12, 0, explicit=True) if named in ("noon", "midday") else Clock(24, 0, explicit=True)
        return Reading("TIME", clock=clock)
    hour = cardinal(g["hour"])
    if hour is None:
        return None
    minute = int(g.get("minute") or 0)
    second = int(g["second"]) if g.get("second") else None
    ampm = (g.get("ampm") or g.get("ap") or "").lower().replace(".", "").replace(" ", "")
    explicit = bool(ampm) or g.get("minute") is not None and hour > 12 or g["hour"].startswith("0")
    if ampm:
        if hour > 12 or hour == 0:
            return None
        hour = hour % 12 + (12 if ampm.startswith("p") else 0)
    elif g.get("part"):
        hour = by_part(hour, lex.lookup("clock_part", g["part"]))
        explicit = True
    return Reading("TIME", clock=Clock(hour, minute, second=second, explicit=explicit))


# A bare hour up to this one, in a range with no a.m./p.m. ("from 1 to 3"), is an afternoon hour.
_LAST_AFTERNOON_HOUR = 6


def clock_range(m: re.Match, lex: Lexicon) -> Reading | None:
    """"from 9 to 5", "between 8 and 10": two bare hours as one interval of the day (09:00-17:00).

    Neither end says its half of the day: a working-hours reading gives 1 to 6 to the afternoon and
    puts the second end at the first such hour after the first ("from 9 to 5": 17:00)."""
    g = m.groupdict()
    if g["sep"].strip().lower() == "and" and g["opener"].lower() != "between":
        return None
    first, second = int(g["hour"]), int(g["hour2"])
    if first <= _LAST_AFTERNOON_HOUR:
        first += 12
    while second <= first and second < 24:
        second += 12
    if second > 24 or (second == 24 and g.get("minute2")):
        return None
    return Reading("TIME", clock=Clock(first, int(g["minute"] or 0), explicit=True),
                   end=Reading("TIME", clock=Clock(second, int(g["minute2"] or 0), explicit=True)))


def word_time(m: re.Match, lex: Lexicon) -> Reading | None:
    """"ten thirty", "seven forty-five p.m.", "nine oh five": an hour word, then its minutes."""
    g = m.groupdict()
    hour = cardinal(g["hour"])
    words = [w for w in re.split(r"[\s-]+", g["count"].lower()) if w not in ("oh", "o")]
    minutes = number(" ".join(words), lex)
    if hour is None or not isinstance(minutes, float) or minutes != int(minutes) or not 1 <= minutes <= 59:
        return None
    if minutes < 10 and not re.match(r"o", g["count"].lower()):
        return None  # "ten five" is no time; "ten oh five" is
    ampm = (g.get("ampm") or "").lower().replace(".", "").replace(" ", "")
    if ampm:
        hour = hour % 12 + (12 if ampm.startswith("p") else 0)
    return Reading("TIME", clock=Clock(hour, int(minutes), explicit=bool(ampm)))


def spoken_time(m: re.Match, lex: Lexicon) -> Reading | None:
    """"a quarter to nine", "half past midnight", "ten minutes past 6pm", "twenty to six": minutes
    counted from (past, after) or to (to, till, before, of) an hour; a.m./p.m. or a part of the
    day after it decides the half of the day."""
    g = m.groupdict()
    words = " ".join((g.get("minutes") or g["count"]).lower().split())
    minutes = lex.lookup("clock_fraction", words)
    if minutes is None:
        n = number(words, lex)
        if not isinstance(n, float) or n != int(n) or not 1 <= n <= 59:
            return None
        minutes = int(n)
    hour_word = g["hour"].lower()
    named = lex.lookup("clock_named_hour", hour_word)
    hour = named if named is not None else cardinal(hour_word)
    if hour is None or not 0 <= hour <= 12:
        return None
    explicit = named is not None
    ampm = (g.get("ampm") or "").lower().replace(".", "").replace(" ", "")
    if ampm and named is None:
        hour = hour % 12 + (12 if ampm.startswith("p") else 0)
        explicit = True
    elif g.get("part") and named is None:
        hour = by_part(hour, lex.lookup("clock_part", g["part"]))
        explicit = True
    if lex.lookup("clock_direction", g["rel"]) < 0:
        if minutes == 30:
            return None  # "half to nine" is no time ("half nine" is 9:30 in British speech, not read here)
        hour, minutes = (hour - 1) % 24, 60 - minutes
    return Reading("TIME", clock=Clock(hour, minutes, explicit=explicit))


def duration(m: re.Match, lex: Lexicon) -> Reading | None:
    g = m.groupdict()
    g["unit"] = g.get("unit") or g.get("unit2")
    unit_code = lex.lookup("unit", g["unit"])
    if unit_code is None:
        unit_code = lex.lookup("unit", g["unit"].rstrip("s"))
    if unit_code is None:
        return None
    text = m.group(0).lower()
    if unit_code == "TS" and (g.get("num") or "").lower().strip() in ("a", "an"):
        return None  # "a second" is an ordinal far more often than a duration
    if g.get("half"):
        n = 0.5
    elif g.get("num"):
        num_text = re.sub(r"^(?:the\s+(?:coming|past|last|next)|recent)\s*", "", g["num"].strip().lower())
        n = number(num_text, lex) if num_text else "X"
        if n is None:
            return None
    elif g["unit"].lower().endswith("s") and unit_code not in ("TS",) and g["unit"].lower() not in ("hrs", "mins"):
        n = "X"  # bare plural: "for years"
    else:
        n = 1
    after_unit = m.string[m.end("unit"):m.end()].lower()
    if n != "X" and re.search(r"\band\s+(?:a\s+)?half\b", after_unit):  # "a year and a half"
        n += 0.5
    offset = None
    if g.get("offset") is not None and n != "X":  # "in 20 minutes": ends 20 minutes on
        unit = lex.lookup("calendar_unit", g["unit"].lower()) or lex.lookup("calendar_unit", g["unit"].lower() + "s")
        count = n
        if n != int(n) and unit in _OFFSET_IN_SMALLER:  # "in half an hour": 30 minutes on
            unit, count = _OFFSET_IN_SMALLER[unit][0], n * _OFFSET_IN_SMALLER[unit][1]
        offset = (unit, int(count)) if unit and count == int(count) else None
    return Reading("DURATION", fixed=duration_value(n, unit_code), mod=mod_of(text, lex), offset=offset)


def duration_range(m: re.Match, lex: Lexicon) -> Reading | None:
    """"five to six weeks", "between 10 and 15 minutes": both ends, "P5W/P6W" (TIMEX3 has no value
    for a range of durations; a range of dates is written the same way, "2019/2021")."""
    g = m.groupdict()
    if g["sep"].strip().lower() == "and" and not g.get("between"):
        return None  # "two and three years" is no range; "between two and three years" is
    unit_code = lex.lookup("unit", g["unit"]) or lex.lookup("unit", g["unit"].rstrip("s"))
    low, high = number(g["num1"], lex), number(g["num"], lex)
    if unit_code is None or not isinstance(low, float) or not isinstance(high, float) or not 0 < low < high:
        return None
    return Reading("DURATION", fixed=f"{duration_value(low, unit_code)}/{duration_value(high, unit_code)}",
                   mod=mod_of(m.group(0), lex))


# The next smaller unit and how many of it make one: a fractional offset counted in whole ones.
_OFFSET_IN_SMALLER = {"hour": ("minute", 60), "day": ("hour", 24)}


def duration_value(n, unit_code: str) -> str:
    """ISO 8601 / TIMEX3 duration: (5, "TH") -> "PT5H", ("X", "Y") -> "PXY", (2.5, "Y") -> "P2Y6M".

    Decades and centuries are written in years (P10Y) so that any ISO 8601 parser reads them; only
    an uncounted number of them keeps TIMEX3's unit ("decades" -> PXDE).
    """
    if unit_code == "2W":
        unit_code, n = "W", (n * 2 if n != "X" else n)
    if n != "X" and unit_code in _IN_YEARS:
        n, unit_code = n * _IN_YEARS[unit_code], "Y"
    if n == "X":
        return f"PTX{unit_code[1:]}" if unit_code.startswith("T") else f"PX{unit_code}"
    whole, rest = int(n), n - int(n)
    parts = [(whole, unit_code)] if whole else []
    if rest:
        factor, smaller = _SMALLER.get(unit_code, (None, None))
        if factor is None or (rest * factor) != int(rest * factor):
            return _duration_text([(f"{n:g}", unit_code)])
        parts.append((int(rest * factor), smaller))
    return _duration_text(parts)


_IN_YEARS = {"DE": 10, "CE": 100, "ML": 1000}
_SMALLER = {"Y": (12, "M"), "M": (30, "D"), "W": (7, "D"), "D": (24, "TH"), "TH": (60, "TM"), "TM": (60, "TS"),
            "Q": (3, "M")}


def _duration_text(parts) -> str:
    date_part = "".join(f"{count}{unit}" for count, unit in parts if not unit.startswith("T"))
    time_part = "".join(f"{count}{unit[1:]}" for count, unit in parts if unit.startswith("T"))
    return "P" + date_part + ("T" + time_part if time_part else "")


def set_(m: re.Match, lex: Lexicon) -> Reading | None:
    g = m.groupdict()
    if g.get("frequency"):
        return Reading("SET", fixed=lex.lookup("frequency", g["frequency"]))
    if g.get("weekends"):  # "on weekends"
        return Reading("SET", fixed="XXXX-WXX-WE")
    if g.get("workday"):  # "every weekday": Monday to Friday (WD, as WE is the weekend)
        part = g.get("workday_part")
        return Reading("SET", fixed="XXXX-WXX-WD" + ("T" + lex.lookup("part", part) if part else ""))
    if g.get("weekday") or g.get("weekday_pl"):
        if not _capitalised(g.get("weekday") or g.get("weekday_pl")):
            return None
        weekday = lex.lookup("weekday", g["weekday"]) if g.get("weekday") else lex.lookup("weekday_plural", g["weekday_pl"])
        value = f"XXXX-WXX-{weekday}"
        part = g.get("part") or g.get("weekday_part")
        if part:
            value += "T" + lex.lookup("part", part)
        return Reading("SET", fixed=value)
    if g.get("month"):
        if not _capitalised(g["month"]):
            return None
        return Reading("SET", fixed=f"XXXX-{lex.lookup('month', g['month']):02d}")
    if g.get("season"):
        return Reading("SET", fixed=f"XXXX-{lex.lookup('season', g['season'])}")
    if g.get("part"):
        return Reading("SET", fixed=f"XXXX-XX-XXT{lex.lookup('part', g['part'])}")
    unit = g["unit"].lower()
    value = lex.lookup("set_unit", unit)
    num = (g.get("num") or "").lower()
    if num == "other":
        value = value.replace("1", "2", 1)
    elif num:
        n = number(num, lex)
        if n is None or n == "X":
            return None
        value = duration_value(n, lex.lookup("unit", unit))
    return Reading("SET", fixed=value)


def ref(m: re.Match, lex: Lexicon) -> Reading | None:
    value = lex.lookup("ref", m.group("ref"))
    return Reading("DATE", fixed=value) if value else None


def date_range(m: re.Match, lex: Lexicon) -> Reading | None:
    """"Feb. 22-23", "22-23 February 2022", "1990-95": two calendar points that share what is unsaid."""
    g = m.groupdict()
    if g.get("weekday2"):  # "Mon-Fri"
        if not (_capitalised(g["weekday"]) and _capitalised(g["weekday2"])):
            return None
        first, second = lex.lookup("weekday", g["weekday"]), lex.lookup("weekday", g["weekday2"])
        if first is None or second is None or first == second:
            return None
        return Reading("DATE", fields=Fields(weekday=first), end=Reading("DATE", fields=Fields(weekday=second)))
    if g.get("year2"):
        first = _year(g["year"])
        second_text = g["year2"]
        second = int(second_text) if len(second_text) == 4 else first - first % 100 + int(second_text)
        if second <= first:
            return None
        return Reading("DATE", fields=Fields(year=first), end=Reading("DATE", fields=Fields(year=second)))
    if not _capitalised(g.get("month")):
        return None
    month = lex.lookup("month", g["month"])
    year = _year(g.get("year"))
    day1, day2 = int(re.sub(r"\D", "", g["day"])), int(re.sub(r"\D", "", g["day2"]))
    if day2 <= day1 or not _valid_day(year, month, day2):
        return None
    return Reading("DATE", fields=Fields(year=year, month=month, day=day1),
                   end=Reading("DATE", fields=Fields(year=year, month=month, day=day2)))


def nth_in_period(m: re.Match, lex: Lexicon) -> Reading | None:
    """"the second Monday of next month", "the last day of the year", "the first week of 2021"."""
    g = m.groupdict()
    n = 1 if g["nth"] == "" else lex.lookup("nth_last", g["nth"]) or numbers.ordinal(g["nth"])  # "" : "Tuesday next week"
    if not n or n > 31:
        return None
    what = (g.get("what") or "day").lower()
    weekday = lex.lookup("weekday", what)
    if weekday is not None:
        if not _capitalised(g["what"]):
            return None
        what = "day"
    elif not g.get("what") and n < 0:
        return None  # "the last of the year": no unit
    if g.get("rel"):
        container = Reading("DATE", shift=Shift("dct", g["runit"].lower(), lex.lookup("relative", g["rel"])))
    elif g.get("unit"):
        container = Reading("DATE", shift=Shift("dct", g["unit"].lower(), 0))
    elif g.get("month"):
        if not _capitalised(g["month"]):
            return None
        container = Reading("DATE", fields=Fields(year=_year(g.get("year")), month=lex.lookup("month", g["month"])))
    elif g.get("year_only"):
        container = Reading("DATE", fields=Fields(year=_year(g["year_only"])))
    else:
        container = Reading("DATE", fields=Fields(year=_year(g.get("hyear")), holiday=lex.lookup("holiday", g["holiday"])))
    clock = Clock(part=lex.lookup("part", g["part"])) if g.get("part") else None
    return replace(container, type="TIME" if clock else "DATE", clock=clock, nth=(n, what, weekday))


def half_of_period(m: re.Match, lex: Lexicon) -> Reading | None:
    """"the first half of the decade", "the latter half of next month", "the second half of the 1990s"."""
    g = m.groupdict()
    n = lex.lookup("half_word", g["half"])
    if g.get("rel"):
        container = Reading("DATE", shift=Shift("dct", g["runit"].lower(), lex.lookup("relative", g["rel"])))
    elif g.get("unit"):
        container = Reading("DATE", shift=Shift("dct", g["unit"].lower(), 0))
    elif g.get("century"):
        container = Reading("DATE", fields=Fields(century=_century(g["century"], lex)))
    elif g.get("decade"):
        digits = re.sub(r"\D", "", g["decade"])
        decade = Fields(decade=int(digits) // 10) if len(digits) == 4 else Fields(decade_in_century=int(digits) // 10)
        container = Reading("DATE", fields=decade)
    else:
        container = Reading("DATE", fields=Fields(year=_year(g["year_only"])))
    return replace(container, nth=(n, "half", None))


def _spoken_year(text: str, lex: Lexicon) -> int | None:
    """"nineteen ninety-six" -> 1996, "two thousand one" -> 2001, "nineteen oh five" -> 1905."""
    words = re.split(r"[\s-]+", text.lower())
    if words[:2] == ["two", "thousand"]:
        rest = number(" ".join(w for w in words[2:] if w != "and"), lex) if len(words) > 2 else 0
        return 2000 + int(rest or 0)
    century = cardinal(words[0])
    rest = [w for w in words[1:] if w not in ("oh", "o")]
    tail = number(" ".join(rest), lex)
    return century * 100 + int(tail) if century and tail is not None else None


def _month(text: str | None, lex: Lexicon) -> int | None:
    if not text:
        return None
    return int(text) if text.isdigit() else lex.lookup("month", text)


def _ordinal_or_int(text: str | None, lex: Lexicon) -> int | None:
    if not text:
        return None
    return int(text) if text.isdigit() else numbers.ordinal(text)


def _century(text: str | None, lex: Lexicon) -> int | None:
    if not text:
        return None
    n = numbers.ordinal(text)
    return n - 1 if n else None


def _valid_day(year: int | None, month: int, day: int) -> bool:
    return 1 <= day <= monthrange(year or 2000, month)[1]  # 2000: a leap year, Feb. 29 is a day


READINGS = {
    "calendar": calendar, "numeric_date": numeric_date, "named_day": named_day, "this_unit": this_unit,
    "this_named": this_named, "shift": shift, "time": time, "duration": duration, "set": set_,
    "ref": ref, "range": date_range, "period": period, "part_of_day": part_of_day, "spoken_time": spoken_time,
    "nth_in_period": nth_in_period, "boundary": boundary, "word_time": word_time, "week_of": week_of,
    "weekday_week": weekday_week, "to_date": to_date, "duration_range": duration_range,
    "clock_range": clock_range, "holiday_weekend": holiday_weekend,
    "half_of_period": half_of_period,
}
