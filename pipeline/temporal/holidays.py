"""Holiday dates from calendar libraries, never from a hand-kept list of days.

``holidays`` (national and religious public holidays of many countries, in English) and
``convertdate`` (Hebrew and Islamic calendars, US observances) compute each year's date; the rule
file only maps what a text writes ("Bastille Day", "Hanukkah") to the library's holiday:

    "convertdate:thanksgiving"        convertdate.holidays.thanksgiving(year)
    "holidays:FR:National Day"        the day the ``holidays`` calendar of France names so
    "fixed:04-22"                     the same day every year (days no library names: Earth Day)
    "convertdate:easter-P7D"          days counted from another holiday (Palm Sunday)
    "hindu:amavasya:ashvin@18:20"     a lunar day of a Hindu month, from the Moon (pipeline/temporal/hindu.py)
    "holidays:IN:Diwali|hindu:..."    the first source that has a day that year (the table, else the rule)

A feast of several days is its first day and, after "/", its length or the day it ends before:

    "convertdate:hanukkah/P8D"                      eight days from 25 Kislev
    "convertdate:ramadan/convertdate:eid_alfitr"    from 1 Ramadan to the day before Eid al-Fitr

Imported and computed lazily, and cached per (holiday, year): a text that names no holiday pays
nothing, and one that names many computes each year once.
"""

from __future__ import annotations

import re
import warnings
from datetime import date, timedelta
from functools import lru_cache


_SHIFTED = re.compile(r"(?P<rule>.+?)(?P<sign>[+-])P(?P<n>[0-9]+)D")


class UnknownHoliday(ValueError):
    """The rule file names a holiday that the library does not know."""


@lru_cache(maxsize=4096)
def holiday_date(rule: str, year: int) -> date | None:
    """The day of ``rule`` in Gregorian ``year`` (its first day for a multi-day feast), None if it has none."""
    return _one_day(rule.partition("/")[0], year)


def holiday_last_day(rule: str, first: date) -> date | None:
    """The last day of a multi-day feast that begins on ``first`` (None for a one-day holiday)."""
    _, _, until = rule.partition("/")
    if not until:
        return None
    if until.startswith("P") and until.endswith("D"):
        return first + timedelta(days=int(until[1:-1]) - 1)
    for year in (first.year, first.year + 1):
        end = _one_day(until, year)
        if end is not None and end > first:
            return end - timedelta(days=1)
    return None


def _one_day(rule: str, year: int) -> date | None:
    if "|" in rule:  # "holidays:IN:Diwali|hindu:amavasya:ashvin@18:20": the table where it has the year
        for one in rule.split("|"):
            found = _one_day(one, year)
            if found is not None:
                return found
        return None
    shifted = _SHIFTED.fullmatch(rule)  # "holidays:US:Thanksgiving Day+P1D": Black Friday
    if shifted is not None:
        day = _one_day(shifted.group("rule"), year)
        days = int(shifted.group("n")) * (1 if shifted.group("sign") == "+" else -1)
        return day + timedelta(days=days) if day is not None else None
    source, _, name = rule.partition(":")
    if source == "fixed":
        month, day = name.split("-")
        return date(year, int(month), int(day))
    if source == "convertdate":
        from convertdate import holidays as conv

        function = getattr(conv, name, None)
        if function is None:
            raise UnknownHoliday(rule)
        found = function(year)
        return date(*found) if found else None
    if source == "hindu":
        from pipeline.temporal.hindu import MONTHS, feast

        kind, _, rest = name.partition(":")
        month, _, cutoff = rest.partition("@")
        if kind not in ("amavasya", "purnima") or month not in MONTHS:
            raise UnknownHoliday(rule)
        hour, _, minute = (cutoff or "20:00").partition(":")
        return feast(kind, month, year, (int(hour), int(minute)))
    if source == "holidays":
        country, _, title = name.partition(":")
        days = _country_days(country, year)
        matches = sorted(d for d, names in days.items() if title in names)
        return matches[0] if matches else None
    raise UnknownHoliday(rule)


@lru_cache(maxsize=256)
def _country_days(country: str, year: int) -> dict[date, tuple[str, ...]]:
    import holidays

    cls = holidays.country_holidays(country).__class__
    language = "en_US" if "en_US" in getattr(cls, "supported_languages", ()) else None
    # Every category: US Mother's Day and Halloween are "unofficial", still on every calendar.
    categories = getattr(cls, "supported_categories", None)
    with warnings.catch_warnings():  # "available only from 2001 to 2035" (Hindu feasts): then no day
        warnings.simplefilter("ignore", UserWarning)
        table = holidays.country_holidays(country, years=year, language=language, categories=categories)
    return {d: tuple(n.strip() for n in names.split(";") if "observed" not in n) for d, names in table.items()}
