"""Holiday dates from calendar libraries, never from a hand-kept list of days.

``holidays`` (national and religious public holidays of many countries, in English) and
``convertdate`` (Hebrew and Islamic calendars, US observances) compute each year's date; the rule
file only maps what a text writes ("Bastille Day", "Hanukkah") to the library's holiday:

    "convertdate:thanksgiving"        convertdate.holidays.thanksgiving(year)
    "holidays:FR:National Day"        the day the ``holidays`` calendar of France names so

Imported and computed lazily, and cached per (holiday, year): a text that names no holiday pays
nothing, and one that names many computes each year once.
"""

from __future__ import annotations

import warnings
from datetime import date
from functools import lru_cache


class UnknownHoliday(ValueError):
    """The rule file names a holiday that the library does not know."""


@lru_cache(maxsize=4096)
def holiday_date(rule: str, year: int) -> date | None:
    """The day of ``rule`` in Gregorian ``year`` (its first day for a multi-day feast), None if it has none."""
    source, _, name = rule.partition(":")
    if source == "convertdate":
        from convertdate import holidays as conv

        function = getattr(conv, name, None)
        if function is None:
            raise UnknownHoliday(rule)
        found = function(year)
        return date(*found) if found else None
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
