"""normalize() over real-world forms of news text: absolute, partial, relative, narrative, times,
durations, sets, ranges, holidays, and look-alikes that are not temporal.

Expected values are TIMEX3 as TimeML writes them (decades and centuries of durations in years, so
ISO 8601 parsers read them). Weekday facts used below: 2022-03-01 and 2022-02-22 are Tuesdays,
2025-04-10 is a Thursday, 2025-04-18 a Friday; 2022-03-01 is in ISO week 9.
"""

from __future__ import annotations

from datetime import datetime

import pytest

from pipeline.temporal import normalize

T = datetime(2022, 3, 1)  # a Tuesday
S = datetime(2022, 2, 22)  # the Tuesday of an incident
R = datetime(2025, 4, 10)  # a Thursday
NONE = None

CASES = [
    # ----- full dates, US and UK orders, abbreviations, numeric forms
    ("Feb. 22, 2022", NONE, "DATE", "2022-02-22"),
    ("February 22, 2022", NONE, "DATE", "2022-02-22"),
    ("February 22 2022", NONE, "DATE", "2022-02-22"),
    ("Feb 22, 2022", NONE, "DATE", "2022-02-22"),
    ("FEB. 22, 2022", NONE, "DATE", "2022-02-22"),
    ("February 22nd, 2022", NONE, "DATE", "2022-02-22"),
    ("22 February 2022", NONE, "DATE", "2022-02-22"),
    ("22nd February 2022", NONE, "DATE", "2022-02-22"),
    ("the 22nd of February, 2022", NONE, "DATE", "2022-02-22"),
    ("22 Feb 2022", NONE, "DATE", "2022-02-22"),
    ("2/22/2022", NONE, "DATE", "2022-02-22"),
    ("22/02/2022", NONE, "DATE", "2022-02-22"),
    ("02/03/2022", NONE, "DATE", "2022-02-03"),
    ("22.02.2022", NONE, "DATE", "2022-02-22"),
    ("2/22/22", NONE, "DATE", "2022-02-22"),
    ("2022-02-22", NONE, "DATE", "2022-02-22"),
    ("2022-02-22T17:30", NONE, "TIME", "2022-02-22T17:30"),
    ("Tuesday, Feb. 22, 2022", NONE, "DATE", "2022-02-22"),
    ("Friday, April 18, 2025", NONE, "DATE", "2025-04-18"),
    ("Sept. 11, 2001", NONE, "DATE", "2001-09-11"),
    ("Sep 11 2001", NONE, "DATE", "2001-09-11"),
    ("11 Sept 2001", NONE, "DATE", "2001-09-11"),
    ("Jan. 1, 2000", NONE, "DATE", "2000-01-01"),
    ("Dec. 31, 1999", NONE, "DATE", "1999-12-31"),
    ("March 5, 1946", NONE, "DATE", "1946-03-05"),
    ("July 4th, 1776", NONE, "DATE", "1776-07-04"),
    ("1 January 2023", NONE, "DATE", "2023-01-01"),
    ("Monday 3 March 2025", NONE, "DATE", "2025-03-03"),
    ("Mon, 3 Mar 2025", NONE, "DATE", "2025-03-03"),
    ("3rd March 2025", NONE, "DATE", "2025-03-03"),
    ("Oct. 23, 1998", NONE, "DATE", "1998-10-23"),
    ("Aug. 7, 1998", NONE, "DATE", "1998-08-07"),
    # ----- dates without a year: the year from the reference; with a weekday, the year it fits
    ("Friday, April 18", R, "DATE", "2025-04-18"),
    ("Tuesday, Feb 22", R, "DATE", "2022-02-22"),
    ("Tuesday, February 22", R, "DATE", "2022-02-22"),
    ("April 18", R, "DATE", "2025-04-18"),
    ("Feb. 22", T, "DATE", "2022-02-22"),
    ("the 3rd of March", R, "DATE", "2025-03-03"),
    ("Dec. 15", datetime(1989, 11, 2), "DATE", "1989-12-15"),
    ("Jan. 14", datetime(2000, 1, 6), "DATE", "2000-01-14"),
    ("March 31", datetime(1989, 11, 1), "DATE", "1989-03-31"),
    ("April 18", NONE, "DATE", "XXXX-04-18"),
    # ----- months, years, decades, centuries
    ("February 2022", NONE, "DATE", "2022-02"),
    ("Feb. 2022", NONE, "DATE", "2022-02"),
    ("March of 2020", NONE, "DATE", "2020-03"),
    ("September '98", NONE, "DATE", "1998-09"),
    ("early March 2021", NONE, "DATE", "2021-03"),
    ("late November 2019", NONE, "DATE", "2019-11"),
    ("in May", R, "DATE", "2025-05"),
    ("in March", datetime(1989, 10, 30), "DATE", "1989-03"),
    ("mid-June", R, "DATE", "2025-06"),
    ("last October", R, "DATE", "2024-10"),
    ("next January", R, "DATE", "2026-01"),
    ("this December", R, "DATE", "2025-12"),
    ("April next year", R, "DATE", "2026-04"),
    ("February this year", R, "DATE", "2025-02"),
    ("2022", NONE, "DATE", "2022"),
    ("in 2022", NONE, "DATE", "2022"),
    ("the year 2000", NONE, "DATE", "2000"),
    ("mid-2021", NONE, "DATE", "2021"),
    ("early 2020", NONE, "DATE", "2020"),
    ("late 1990", NONE, "DATE", "1990"),
    ("the end of 1990", NONE, "DATE", "1990"),
    ("fiscal 2024", NONE, "DATE", "2024"),
    ("FY2024", NONE, "DATE", "2024"),
    ("fiscal year 2019", NONE, "DATE", "2019"),
    ("the 1990s", NONE, "DATE", "199"),
    ("the 1980s", NONE, "DATE", "198"),
    ("the early 2000s", NONE, "DATE", "200"),
    ("the '90s", R, "DATE", "199"),
    ("the nineties", R, "DATE", "199"),
    ("the 20th century", NONE, "DATE", "19"),
    ("the twenty-first century", NONE, "DATE", "20"),
    ("the 19th century", NONE, "DATE", "18"),
    ("nineteen ninety-six", NONE, "DATE", "1996"),
    ("two thousand and eight", NONE, "DATE", "2008"),
    # ----- quarters, halves, seasons
    ("Q3 2024", NONE, "DATE", "2024-Q3"),
    ("Q1 2023", NONE, "DATE", "2023-Q1"),
    ("2024 Q2", NONE, "DATE", "2024-Q2"),
    ("the third quarter of 2024", NONE, "DATE", "2024-Q3"),
    ("2024's second quarter", NONE, "DATE", "2024-Q2"),
    ("the first quarter of fiscal 1990", NONE, "DATE", "1990-Q1"),
    ("third-quarter", datetime(1989, 10, 30), "DATE", "1989-Q3"),
    ("the fourth quarter", R, "DATE", "2024-Q4"),
    ("the first half of 2024", NONE, "DATE", "2024-H1"),
    ("H2 2023", NONE, "DATE", "2023-H2"),
    ("spring 2020", NONE, "DATE", "2020-SP"),
    ("summer of 2019", NONE, "DATE", "2019-SU"),
    ("autumn 2018", NONE, "DATE", "2018-FA"),
    ("fall 2018", NONE, "DATE", "2018-FA"),
    ("the winter of 2021", NONE, "DATE", "2021-WI"),
    ("last summer", R, "DATE", "2024-SU"),
    ("this winter", datetime(2025, 1, 15), "DATE", "2024-WI"),
    ("next spring", R, "DATE", "2026-SP"),
    ("the spring of last year", R, "DATE", "2024-SP"),
    # ----- holidays
    ("Christmas 2021", NONE, "DATE", "2021-12-25"),
    ("Christmas Day", T, "DATE", "2021-12-25"),
    ("Thanksgiving 2023", NONE, "DATE", "2023-11-23"),
    ("New Year's Eve 2019", NONE, "DATE", "2019-12-31"),
    ("Easter 2024", NONE, "DATE", "2024-03-31"),
    ("Good Friday 2024", NONE, "DATE", "2024-03-29"),
    ("Memorial Day 2022", NONE, "DATE", "2022-05-30"),
    ("Labor Day 2022", NONE, "DATE", "2022-09-05"),
    ("Independence Day 2020", NONE, "DATE", "2020-07-04"),
    ("last Christmas", T, "DATE", "2021-12-25"),
    # ----- relative to the document date
    ("today", T, "DATE", "2022-03-01"),
    ("yesterday", T, "DATE", "2022-02-28"),
    ("tomorrow", T, "DATE", "2022-03-02"),
    ("the day before yesterday", T, "DATE", "2022-02-27"),
    ("tonight", T, "TIME", "2022-03-01TNI"),
    ("this morning", T, "TIME", "2022-03-01TMO"),
    ("yesterday afternoon", T, "TIME", "2022-02-28TAF"),
    ("last night", T, "TIME", "2022-02-28TNI"),
    ("this week", T, "DATE", "2022-W09"),
    ("last week", T, "DATE", "2022-W08"),
    ("next week", T, "DATE", "2022-W10"),
    ("this weekend", T, "DATE", "2022-W09-WE"),
    ("last weekend", T, "DATE", "2022-W08-WE"),
    ("this month", T, "DATE", "2022-03"),
    ("last month", T, "DATE", "2022-02"),
    ("next month", T, "DATE", "2022-04"),
    ("earlier this month", T, "DATE", "2022-03"),
    ("this year", T, "DATE", "2022"),
    ("last year", T, "DATE", "2021"),
    ("next year", T, "DATE", "2023"),
    ("late last year", T, "DATE", "2021"),
    ("earlier this year", T, "DATE", "2022"),
    ("this quarter", T, "DATE", "2022-Q1"),
    ("last quarter", T, "DATE", "2021-Q4"),
    ("this decade", T, "DATE", "202"),
    ("last decade", T, "DATE", "201"),
    ("this century", T, "DATE", "20"),
    ("last Friday", T, "DATE", "2022-02-25"),
    ("next Friday", T, "DATE", "2022-03-04"),
    ("this Friday", T, "DATE", "2022-03-04"),
    ("Friday", T, "DATE", "2022-02-25"),
    ("on Monday", T, "DATE", "2022-02-28"),
    ("Tuesday", T, "DATE", "2022-03-01"),
    ("two days ago", T, "DATE", "2022-02-27"),
    ("three weeks ago", T, "DATE", "2022-W06"),
    ("a month ago", T, "DATE", "2022-02"),
    ("two years ago", T, "DATE", "2020"),
    ("three days from now", T, "DATE", "2022-03-04"),
    ("two weeks from now", T, "DATE", "2022-W11"),
    ("the end of the year", T, "DATE", "2022"),
    ("year-end", T, "DATE", "2022"),
    ("now", T, "DATE", "PRESENT_REF"),
    ("right now", T, "DATE", "PRESENT_REF"),
    ("currently", T, "DATE", "PRESENT_REF"),
    ("nowadays", T, "DATE", "PRESENT_REF"),
    ("these days", T, "DATE", "PRESENT_REF"),
    ("recently", T, "DATE", "PAST_REF"),
    ("the past", T, "DATE", "PAST_REF"),
    ("the future", T, "DATE", "FUTURE_REF"),
    ("the near future", T, "DATE", "FUTURE_REF"),
    # ----- narrative: counted from the date the story is at (here the reference)
    ("the following day", T, "DATE", "2022-03-02"),
    ("the next day", T, "DATE", "2022-03-02"),
    ("the previous day", T, "DATE", "2022-02-28"),
    ("the day before", T, "DATE", "2022-02-28"),
    ("two days later", T, "DATE", "2022-03-03"),
    ("that night", T, "TIME", "2022-03-01TNI"),
    ("that evening", T, "TIME", "2022-03-01TEV"),
    ("the same day", T, "DATE", "2022-03-01"),
    ("later that day", T, "DATE", "2022-03-01"),
    ("the following week", T, "DATE", "2022-W10"),
    ("the following year", T, "DATE", "2023"),
    ("a year earlier", T, "DATE", "2021"),
    ("the year before", T, "DATE", "2021"),
    # ----- times of day, on the date in force
    ("5:30 p.m.", S, "TIME", "2022-02-22T17:30"),
    ("5:30 pm", S, "TIME", "2022-02-22T17:30"),
    ("5:30PM", S, "TIME", "2022-02-22T17:30"),
    ("5 p.m.", S, "TIME", "2022-02-22T17:00"),
    ("10:30 a.m.", S, "TIME", "2022-02-22T10:30"),
    ("12:01 a.m.", S, "TIME", "2022-02-22T00:01"),
    ("12:30 p.m.", S, "TIME", "2022-02-22T12:30"),
    ("noon", S, "TIME", "2022-02-22T12:00"),
    ("midnight", S, "TIME", "2022-02-22T24:00"),
    ("17:30 GMT", S, "TIME", "2022-02-22T17:30"),
    ("at 17:30", S, "TIME", "2022-02-22T17:30"),
    ("0735 GMT", S, "TIME", "2022-02-22T07:35"),
    ("9 o'clock", S, "TIME", "2022-02-22T09:00"),
    ("5:30 p.m. that evening", S, "TIME", "2022-02-22T17:30"),
    ("9 a.m. Tuesday", S, "TIME", "2022-02-22T09:00"),
    ("Tuesday at 9 a.m.", S, "TIME", "2022-02-22T09:00"),
    ("Feb. 22 at 5:30 p.m.", S, "TIME", "2022-02-22T17:30"),
    ("10 p.m. on Feb. 22, 2022", NONE, "TIME", "2022-02-22T22:00"),
    ("Friday night", S, "TIME", "2022-02-18TNI"),
    ("Sunday morning", S, "TIME", "2022-02-20TMO"),
    ("5:30 p.m.", NONE, "TIME", "XXXX-XX-XXT17:30"),
    # ----- durations (ISO 8601)
    ("five hours", NONE, "DURATION", "PT5H"),
    ("almost five hours", NONE, "DURATION", "PT5H"),
    ("5 hours", NONE, "DURATION", "PT5H"),
    ("three days", NONE, "DURATION", "P3D"),
    ("two weeks", NONE, "DURATION", "P2W"),
    ("six months", NONE, "DURATION", "P6M"),
    ("two years", NONE, "DURATION", "P2Y"),
    ("a decade", NONE, "DURATION", "P10Y"),
    ("two decades", NONE, "DURATION", "P20Y"),
    ("a century", NONE, "DURATION", "P100Y"),
    ("90 minutes", NONE, "DURATION", "PT90M"),
    ("30 seconds", NONE, "DURATION", "PT30S"),
    ("a year and a half", NONE, "DURATION", "P1Y6M"),
    ("one and a half years", NONE, "DURATION", "P1Y6M"),
    ("half an hour", NONE, "DURATION", "PT30M"),
    ("an hour and a half", NONE, "DURATION", "PT1H30M"),
    ("2 1/2 years", NONE, "DURATION", "P2Y6M"),
    ("5 1/2 hours", NONE, "DURATION", "PT5H30M"),
    ("1.5 hours", NONE, "DURATION", "PT1H30M"),
    ("the next few hours", NONE, "DURATION", "PTXH"),
    ("several years", NONE, "DURATION", "PXY"),
    ("a few days", NONE, "DURATION", "PXD"),
    ("a couple of weeks", NONE, "DURATION", "P2W"),
    ("hundred-minute", NONE, "DURATION", "PT100M"),
    ("one hundred-minute", NONE, "DURATION", "PT100M"),
    ("16-hour", NONE, "DURATION", "PT16H"),
    ("two-year", NONE, "DURATION", "P2Y"),
    ("the past two months", NONE, "DURATION", "P2M"),
    ("the last three years", NONE, "DURATION", "P3Y"),
    ("the next 12 months", NONE, "DURATION", "P12M"),
    ("the first nine months", NONE, "DURATION", "P9M"),
    ("24 hours", NONE, "DURATION", "PT24H"),
    ("a fortnight", NONE, "DURATION", "P2W"),
    ("three nights", NONE, "DURATION", "P3D"),
    ("more than two hours", NONE, "DURATION", "PT2H"),
    ("nearly a decade", NONE, "DURATION", "P10Y"),
    ("about 20 minutes", NONE, "DURATION", "PT20M"),
    ("twenty-five years", NONE, "DURATION", "P25Y"),
    ("decades", NONE, "DURATION", "PXDE"),
    ("years", NONE, "DURATION", "PXY"),
    ("day-long", NONE, "DURATION", "P1D"),
    # ----- sets (recurring times)
    ("every Monday", NONE, "SET", "XXXX-WXX-1"),
    ("on Mondays", NONE, "SET", "XXXX-WXX-1"),
    ("every day", NONE, "SET", "P1D"),
    ("daily", NONE, "SET", "P1D"),
    ("weekly", NONE, "SET", "P1W"),
    ("monthly", NONE, "SET", "P1M"),
    ("annually", NONE, "SET", "P1Y"),
    ("hourly", NONE, "SET", "PT1H"),
    ("every year", NONE, "SET", "P1Y"),
    ("each week", NONE, "SET", "P1W"),
    ("per year", NONE, "SET", "P1Y"),
    ("twice a week", NONE, "SET", "P1W"),
    ("three times a day", NONE, "SET", "P1D"),
    ("every other week", NONE, "SET", "P2W"),
    ("every two years", NONE, "SET", "P2Y"),
    ("every morning", NONE, "SET", "XXXX-XX-XXTMO"),
    ("every summer", NONE, "SET", "XXXX-SU"),
    ("every January", NONE, "SET", "XXXX-01"),
    # ----- ranges: one interval (ISO 8601 start/end)
    ("Feb. 22–23", T, "DATE", "2022-02-22/2022-02-23"),
    ("Feb. 22-23, 2022", NONE, "DATE", "2022-02-22/2022-02-23"),
    ("22–23 February 2022", NONE, "DATE", "2022-02-22/2022-02-23"),
    ("between 2019 and 2021", NONE, "DATE", "2019/2021"),
    ("from 2019 to 2021", NONE, "DATE", "2019/2021"),
    ("2019-2021", NONE, "DATE", "2019/2021"),
    ("1990-95", NONE, "DATE", "1990/1995"),
    ("from May to July 2020", NONE, "DATE", "2020-05/2020-07"),
    ("between March 1 and March 15, 2022", NONE, "DATE", "2022-03-01/2022-03-15"),
]

# Without a reference, what depends on one is null; what is written out stays as written.
NO_REFERENCE = [
    ("yesterday", "DATE", None),
    ("last year", "DATE", None),
    ("this month", "DATE", None),
    ("next Friday", "DATE", None),
    ("Friday", "DATE", "XXXX-WXX-5"),
    ("Feb. 22, 2022", "DATE", "2022-02-22"),
    ("five hours", "DURATION", "PT5H"),
]

NOT_TEMPORAL = ["27-year-old", "a 44-year-old man", "four times", "to this day", "6/10", "$230 million",
                "the film", "at least four", "real-time", "7.5/10"]


@pytest.mark.parametrize("expression, reference, kind, value", CASES, ids=[c[0] for c in CASES])
def test_normalize(expression, reference, kind, value):
    tv = normalize(expression, reference)
    assert tv is not None, expression
    assert (tv.type, tv.value) == (kind, value)


@pytest.mark.parametrize("expression, kind, value", NO_REFERENCE)
def test_without_reference(expression, kind, value):
    tv = normalize(expression, None)
    assert (tv.type, tv.value) == (kind, value)
    if value is None or value.startswith("X"):
        assert tv.start is None and tv.end is None


@pytest.mark.parametrize("expression", NOT_TEMPORAL)
def test_not_temporal(expression):
    assert normalize(expression, T) is None


def test_intervals_follow_granularity():
    day = normalize("Feb. 22, 2022", None)
    assert (day.start, day.end, day.granularity) == (datetime(2022, 2, 22), datetime(2022, 2, 23), "day")
    quarter = normalize("Q3 2024", None)
    assert (quarter.start, quarter.end) == (datetime(2024, 7, 1), datetime(2024, 10, 1))
    week = normalize("last week", T)
    assert (week.start, week.end) == (datetime(2022, 2, 21), datetime(2022, 2, 28))
    minute = normalize("5:30 p.m.", S)
    assert (minute.start, minute.end) == (datetime(2022, 2, 22, 17, 30), datetime(2022, 2, 22, 17, 31))
    winter = normalize("the winter of 2021", None)
    assert (winter.start, winter.end) == (datetime(2021, 12, 1), datetime(2022, 3, 1))
    assert normalize("five hours", None).start is None


def test_anchor_and_modifier():
    assert normalize("Feb. 22, 2022", T).anchor == "absolute"
    assert normalize("yesterday", T).anchor == "dct"
    assert normalize("mid-2021", None).mod == "MID"
    assert normalize("almost five hours", None).mod == "LESS_THAN"


def test_aware_reference_is_read_as_its_calendar_day():
    from datetime import timezone

    assert normalize("yesterday", datetime(2022, 3, 1, 9, 0, tzinfo=timezone.utc)).value == "2022-02-28"
