"""normalize() as a new user calls it, round 4 of issue 14: abbreviations, number words, date + time
+ zone combinations, ranges with dates, durations, sets, period boundaries, holidays and seasons,
each in forms no table under tests/ or rules/ held before (and none copied from another tool's suite).

Reference: R = Wednesday 2024-10-09, 15:00 (ISO week 41 = Oct 7-13), as in test_temporal_new_forms.py
and with its conventions (a bare "Friday" the nearest past one, "next Friday" the coming one, "the
12th" the nearest 12th). Every value was worked out by hand from a 2024-2025 calendar: June 10 2024
is a Monday of ISO week 24, Sept. 16 of week 38, March 9 a Saturday of week 10; Labor Day 2025 is
Sept. 1, Father's Day 2025 June 15, MLK Day 2025 Jan. 20, Black Friday 2024 Nov. 29. British "Monday
week" is a week after the coming Monday (Oct. 21), "two weeks on Friday" two weeks after the coming
Friday (Oct. 25). A clock zone ("EST") is read but, as in TimeML, not written into the value.
"""

from __future__ import annotations

from datetime import datetime

import pytest

from pipeline.temporal import normalize

R = datetime(2024, 10, 9, 15, 0)

CASES: list[tuple[str, str, str, str | None, str]] = []  # text, type, value, mod, prefer


def add(text, kind, value, mod=None, prefer="past"):
    CASES.append((text, kind, value, mod, prefer))


# ----- new forms ---------------------------------------------------------------------------------------
add('Thu', 'DATE', '2024-10-03')
add('next Thurs.', 'DATE', '2024-10-10')
add('last Sat.', 'DATE', '2024-10-05')
add('Sept. 12', 'DATE', '2024-09-12')
add('SEPT 12, 2023', 'DATE', '2023-09-12')
add('Sept. 5th', 'DATE', '2024-09-05')
add('Thurs., Sept. 12', 'DATE', '2024-09-12')
add('Tues., Oct. 1', 'DATE', '2024-10-01')
add('Fri, 4 Oct 2024', 'DATE', '2024-10-04')
add('Mon 14 Oct', 'DATE', '2024-10-14', prefer='future')
add('3:30 a.m.', 'TIME', '2024-10-09T03:30')
add('3:30am', 'TIME', '2024-10-09T03:30')
add('3:30 AM', 'TIME', '2024-10-09T03:30')
add('11 P.M.', 'TIME', '2024-10-09T23:00')
add('quarter past ten at night', 'TIME', '2024-10-09T22:15')
add('a quarter to noon', 'TIME', '2024-10-09T11:45')
add('ten past seven in the evening', 'TIME', '2024-10-09T19:10')
add('half past eight tonight', 'TIME', '2024-10-09T20:30')
add('3pm on the 5th', 'TIME', '2024-10-05T15:00')
add('the morning of June 3rd', 'TIME', '2024-06-03TMO')
add('the evening of Oct. 4', 'TIME', '2024-10-04TEV')
add('Tuesday, March 5 at 3:30 p.m. EST', 'TIME', '2024-03-05T15:30')
add('at 9:45 on Friday', 'TIME', '2024-10-04T09:45')
add('Friday at 2:15 p.m.', 'TIME', '2024-10-04T14:15')
add('2:15 p.m. Friday', 'TIME', '2024-10-04T14:15')
add('noon on Sunday', 'TIME', '2024-10-06T12:00')
add('6 a.m. tomorrow', 'TIME', '2024-10-10T06:00')
add('tomorrow at 6 AM', 'TIME', '2024-10-10T06:00')
add('yesterday morning at 7', 'TIME', '2024-10-08T07:00')
add("9 o'clock tomorrow morning", 'TIME', '2024-10-10T09:00')
add('at 1430 hours', 'TIME', '2024-10-09T14:30')
add('June 3rd', 'DATE', '2024-06-03')
add('3rd of June', 'DATE', '2024-06-03')
add('the 3rd of June, 2021', 'DATE', '2021-06-03')
add('2024/10/01', 'DATE', '2024-10-01')
add('Oct 2023', 'DATE', '2023-10')
add("October '23", 'DATE', '2023-10')
add('in Sept.', 'DATE', '2024-09')
add('early Sept.', 'DATE', '2024-09', mod='START')
add('late 2023', 'DATE', '2023', mod='END')
add('mid-2025', 'DATE', '2025', mod='MID')
add("the '80s", 'DATE', '198')
add('the mid-1980s', 'DATE', '198', mod='MID')
add('the early noughties', 'DATE', '200', mod='START')
add('the 2010s', 'DATE', '201')
add('the 21st century', 'DATE', '20')
add('March 3-5', 'DATE', '2024-03-03/2024-03-05')
add('March 3 to 5, 2023', 'DATE', '2023-03-03/2023-03-05')
add('from May 1 to May 10, 2023', 'DATE', '2023-05-01/2023-05-10')
add('May 1 - May 10', 'DATE', '2024-05-01/2024-05-10')
add('between 1990 and 1995', 'DATE', '1990/1995')
add('from 2001 to 2003', 'DATE', '2001/2003')
add('the week of June 10', 'DATE', '2024-W24')
add('the week of Sept. 16', 'DATE', '2024-W38')
add('June to August', 'DATE', '2024-06/2024-08')
add('from January to March 2024', 'DATE', '2024-01/2024-03')
add('between 9am and 5pm', 'TIME', '2024-10-09T09:00/2024-10-09T17:00')
add('9 a.m. to 5 p.m.', 'TIME', '2024-10-09T09:00/2024-10-09T17:00')
add('1-3pm', 'TIME', '2024-10-09T13:00/2024-10-09T15:00')
add('48 hours', 'DURATION', 'PT48H')
add('over the past two decades', 'DURATION', 'P20Y')
add('for 90 minutes', 'DURATION', 'PT90M')
add('three and a half years', 'DURATION', 'P3Y6M')
add('two and a half hours', 'DURATION', 'PT2H30M')
add('the last 12 months', 'DURATION', 'P12M')
add('the next five years', 'DURATION', 'P5Y')
add('for several days', 'DURATION', 'PXD')
add('for a few minutes', 'DURATION', 'PTXM')
add('ten years', 'DURATION', 'P10Y')
add('for an hour', 'DURATION', 'PT1H')
add('every two hours', 'SET', 'PT2H')
add('every Sunday morning', 'SET', 'XXXX-WXX-7TMO')
add('on Tuesdays', 'SET', 'XXXX-WXX-2')
add('once a month', 'SET', 'P1M')
add('every quarter', 'SET', 'P3M')
add('three days ago', 'DATE', '2024-10-06')
add('two days from now', 'DATE', '2024-10-11')
add('10 years ago', 'DATE', '2014')
add('a week on Tuesday', 'DATE', '2024-10-22')
add('three weeks from Friday', 'DATE', '2024-11-01')
add('the start of the year', 'DATE', '2024', mod='START')
add('early next week', 'DATE', '2024-W42', mod='START')
add('by the end of the month', 'DATE', '2024-10', mod='END')
add('the beginning of 2025', 'DATE', '2025', mod='START')
add('mid-Sept.', 'DATE', '2024-09', mod='MID')
add('EOM', 'DATE', '2024-10', mod='END')
add('COB Thursday', 'DATE', '2024-10-10', mod='END', prefer='future')
add('Labor Day 2025', 'DATE', '2025-09-01')
add('Easter Sunday 2025', 'DATE', '2025-04-20')
add('Easter Monday 2024', 'DATE', '2024-04-01')
add('Ash Wednesday 2025', 'DATE', '2025-03-05')
add('Martin Luther King Day 2025', 'DATE', '2025-01-20')
add('MLK Day 2024', 'DATE', '2024-01-15')
add("Presidents' Day 2025", 'DATE', '2025-02-17')
add("Father's Day 2025", 'DATE', '2025-06-15')
add('Black Friday 2024', 'DATE', '2024-11-29')
add('Eid al-Fitr 2024', 'DATE', '2024-04-10')
add('Halloween 2023', 'DATE', '2023-10-31')
add("St. Patrick's Day 2025", 'DATE', '2025-03-17')
add('Juneteenth 2024', 'DATE', '2024-06-19')
add('Canada Day 2025', 'DATE', '2025-07-01')
add('Bastille Day 2023', 'DATE', '2023-07-14')
add('Lunar New Year 2024', 'DATE', '2024-02-10')
add("summer '24", 'DATE', '2024-SU')
add('the winter of 2022', 'DATE', '2022-WI')
add('fall 2025', 'DATE', '2025-FA')
add('autumn of 1999', 'DATE', '1999-FA')
add('at sunrise', 'TIME', '2024-10-09TMO')
add('at sunset', 'TIME', '2024-10-09TEV')
add('year-to-date', 'DATE', '2024-01-01/2024-10-09')
add('the year ahead', 'DURATION', 'P1Y')
add('the days ahead', 'DURATION', 'PXD')
add('the 12th', 'DATE', '2024-10-12')
add('THURSDAY, OCT. 3', 'DATE', '2024-10-03')
add('Wed., Oct. 2, 2024', 'DATE', '2024-10-02')
add('at 7:05 a.m. on Tuesday', 'TIME', '2024-10-08T07:05')
add('Sept. 30 at noon', 'TIME', '2024-09-30T12:00')
add('quarter to three in the morning', 'TIME', '2024-10-09T02:45')
add('twenty-five past nine', 'TIME', '2024-10-09T09:25')
add('a quarter after 11 am', 'TIME', '2024-10-09T11:15')
add('the afternoon of Sept. 3', 'TIME', '2024-09-03TAF')
add('the night of Oct. 5', 'TIME', '2024-10-05TNI')
add('Sunday, Oct. 6, at 10 a.m.', 'TIME', '2024-10-06T10:00')
add('Oct. 14-18, 2024', 'DATE', '2024-10-14/2024-10-18')
add('July 4-7', 'DATE', '2024-07-04/2024-07-07')
add('from Monday to Wednesday', 'DATE', '2024-10-07/2024-10-09')
add('between 2008 and 2012', 'DATE', '2008/2012')
add('from 1999 through 2001', 'DATE', '1999/2001')
add('the weekend of Oct. 12', 'DATE', '2024-W41-WE')
add('the week of 9 September', 'DATE', '2024-W37')
add('for two hours', 'DURATION', 'PT2H')
add('over the last three years', 'DURATION', 'P3Y')
add('in the past 24 hours', 'DURATION', 'PT24H')
add('for 10 days', 'DURATION', 'P10D')
add('every Friday', 'SET', 'XXXX-WXX-5')
add('every Tuesday evening', 'SET', 'XXXX-WXX-2TEV')
add('once a week', 'SET', 'P1W')
add('every six months', 'SET', 'P6M')
add('each weekday', 'SET', 'XXXX-WXX-WD')
add('every afternoon', 'SET', 'XXXX-XX-XXTAF')
add('two weeks on Monday', 'DATE', '2024-10-28')
add('Tuesday week', 'DATE', '2024-10-22')
add('EOD Thursday', 'DATE', '2024-10-10', mod='END', prefer='future')
add('close of business on Friday', 'DATE', '2024-10-11', mod='END', prefer='future')
add('the late noughties', 'DATE', '200', mod='END')
add("the spring of '98", 'DATE', '1998-SP')
add("winter '22", 'DATE', '2022-WI')
add('MTD', 'DATE', '2024-10-01/2024-10-09')
add('the month ahead', 'DURATION', 'P1M')
add('3rd', 'DATE', '2024-10-03')
add('25 to 7', 'TIME', '2024-10-09T06:35')
add('before dawn', 'TIME', '2024-10-09TMO')
add('by nightfall', 'TIME', '2024-10-09TNI')

# ----- forms reported wrong after round 3 ---------------------------------------------------------------
add("EOD Friday", "DATE", "2024-10-04", mod="END")
add("EOD Friday", "DATE", "2024-10-11", mod="END", prefer="future")
add("by close of business friday", "DATE", "2024-10-11", mod="END", prefer="future")
add("the summer of '69", "DATE", "1969-SU")
add("Monday week", "DATE", "2024-10-21")
add("two weeks on Friday", "DATE", "2024-10-25")
add("the noughties", "DATE", "200")
add("every weekday", "SET", "XXXX-WXX-WD")
add("at dawn", "TIME", "2024-10-09TMO")
add("at dusk", "TIME", "2024-10-09TEV")
add("the weekend of March 9", "DATE", "2024-W10-WE")
add("the week ahead", "DURATION", "P1W")
add("YTD", "DATE", "2024-01-01/2024-10-09")
add("12th", "DATE", "2024-10-12")
add("10 to 5", "TIME", "2024-10-09T04:50")

# ----- look-alikes the new rules must leave alone ---------------------------------------------------------
for text in ("the 12th floor", "from 1 to 3 people", "the week of talks", "the 12th man", "10 to 5 votes",
             "won 10 to 5"):
    add(text, "", None)
add("every weekday morning", "SET", "XXXX-WXX-WDTMO")
add("on weekends", "SET", "XXXX-WXX-WE")
add("from the 1st to the 5th", "DATE", "2024-10-01/2024-10-05")
add("Dec 24 to Jan 2", "DATE", "2024-12-24/2025-01-02")
add("quarter to 4 PM", "TIME", "2024-10-09T15:45")
add("Friday, Sept. 13, 2024 at 7 PM", "TIME", "2024-09-13T19:00")
add("3pm Thurs", "TIME", "2024-10-03T15:00")


@pytest.mark.parametrize("text, kind, value, mod, prefer", CASES,
                         ids=[f"{c[0]}|{c[4]}" if c[4] != "past" else c[0] for c in CASES])
def test_round_four_form(text, kind, value, mod, prefer):
    got = normalize(text, R, prefer=prefer)
    if value is None:
        assert got is None, f"{text!r} is no temporal expression, got {got}"
        return
    assert got is not None, f"{text!r}: nothing found"
    assert (got.type, got.value, got.mod) == (kind, value, mod), got


def test_year_to_date_ends_at_the_reference_day():
    got = normalize("year-to-date", R)
    assert (got.start, got.end) == (datetime(2024, 1, 1), datetime(2024, 10, 10))


def test_the_table_has_no_duplicates():
    keys = [(c[0], c[4]) for c in CASES]
    assert len(keys) == len(set(keys)) and len(keys) >= 150
