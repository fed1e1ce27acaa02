"""normalize() as a new user calls it: spelling, case and punctuation variants of every class of
issue 14, and news phrasing, against one reference instant.

Reference: R = Wednesday 2024-10-09, 15:00 (ISO week 41 = Oct 7-13). Every expected value below was
worked out by hand from a calendar of 2024-2026; the weekday conventions are the README's (a bare
"Friday" is the nearest past one, "next Friday" the coming one, "last Wednesday" the one a week
back). Holidays: Thanksgiving 2024 is Nov 28, Easter 2024 Mar 31 and 2026 Apr 5, Pentecost 2024
May 19. None of these forms is copied from another tool's test suite.
"""

from __future__ import annotations

from datetime import datetime

import pytest

from pipeline.temporal import normalize

R = datetime(2024, 10, 9, 15, 0)
D = "2024-10-09"

# text, TIMEX3 type, value, start (None: not checked), prefer
CASES: list[tuple[str, str, str | None, datetime | None, str]] = []


def add(text, kind, value, start=None, prefer="past"):
    CASES.append((text, kind, value, start, prefer))


def day(s: str) -> datetime:
    return datetime.fromisoformat(s)


# ----- weekdays with a direction, any case ----------------------------------------------------------
add("next friday", "DATE", "2024-10-11", day("2024-10-11"))
add("Next Friday", "DATE", "2024-10-11")
add("NEXT FRIDAY", "DATE", "2024-10-11")
add("last monday", "DATE", "2024-10-07")
add("Last Wednesday", "DATE", "2024-10-02")
add("this saturday", "DATE", "2024-10-12")
add("this coming monday", "DATE", "2024-10-14")
add("the coming tuesday", "DATE", "2024-10-15")
add("friday", "DATE", "2024-10-04")
add("friday", "DATE", "2024-10-11", prefer="future")
add("on saturday", "DATE", "2024-10-05")
add("wednesday", "DATE", "2024-10-09")
add("Thurs.", "DATE", "2024-10-03")
add("next monday morning", "TIME", "2024-10-14TMO")
add("last friday night", "TIME", "2024-10-04TNI")
add("tuesday evening", "TIME", "2024-10-08TEV")
add("this sunday afternoon", "TIME", "2024-10-13TAF")
add("next thursday at 10am", "TIME", "2024-10-10T10:00", day("2024-10-10T10:00"))
add("monday at 9", "TIME", "2024-10-07T09:00")
add("sunday", "DATE", "2024-10-13", prefer="future")
add("Monday, Oct. 7", "DATE", "2024-10-07")
add("9:00 on Monday", "TIME", "2024-10-07T09:00")
add("yesterday at 4:30pm", "TIME", "2024-10-08T16:30")
add("tomorrow evening", "TIME", "2024-10-10TEV")
add("tonight at 9:30", "TIME", f"{D}T21:30")
add("Oct. 7, 2024 at 8:00 p.m.", "TIME", "2024-10-07T20:00")
add("this coming weekend", "DATE", "2024-W41-WE")

# ----- clock times: spelling and punctuation --------------------------------------------------------
add("5 p.m. today", "TIME", f"{D}T17:00", day(f"{D}T17:00"))
add("5PM", "TIME", f"{D}T17:00")
add("5 pm.", "TIME", f"{D}T17:00")
add("5:45 a.m.", "TIME", f"{D}T05:45")
add("7.15pm", "TIME", f"{D}T19:15")
add("noon today", "TIME", f"{D}T12:00")
add("at noon tomorrow", "TIME", "2024-10-10T12:00", day("2024-10-10T12:00"))
add("tomorrow noon", "TIME", "2024-10-10T12:00")
add("noon friday", "TIME", "2024-10-04T12:00")
add("10:30 tomorrow morning", "TIME", "2024-10-10T10:30")
add("8 tonight", "TIME", f"{D}T20:00")
add("eleven tonight", "TIME", f"{D}T23:00")
add("at 7 this evening", "TIME", f"{D}T19:00")
add("seven in the evening", "TIME", f"{D}T19:00")
add("at 3 in the afternoon", "TIME", f"{D}T15:00")
add("2 in the morning", "TIME", f"{D}T02:00")
add("four o'clock in the afternoon", "TIME", f"{D}T16:00")
add("a quarter past seven", "TIME", f"{D}T07:15")
add("quarter to midnight", "TIME", f"{D}T23:45")
add("ten past noon", "TIME", f"{D}T12:10")
add("twenty past 4pm", "TIME", f"{D}T16:20")
add("half past 11 am", "TIME", f"{D}T11:30")
add("five to midnight", "TIME", f"{D}T23:55")
add("twenty-five to three", "TIME", f"{D}T02:35")
add("21h", "TIME", f"{D}T21:00")
add("07:45:10", "TIME", f"{D}T07:45:10")
add("12 noon", "TIME", f"{D}T12:00")
add("6am", "TIME", f"{D}T06:00")
add("6 A.M.", "TIME", f"{D}T06:00")
add("0800 GMT", "TIME", f"{D}T08:00")
add("3 p.m. EDT", "TIME", f"{D}T15:00")
add("10am ET tomorrow", "TIME", "2024-10-10T10:00")

# ----- counted offsets from the reference -----------------------------------------------------------
add("day after tomorrow", "DATE", "2024-10-11")
add("2 days ago", "DATE", "2024-10-07")
add("ten days ago", "DATE", "2024-09-29")
add("4 years ago", "DATE", "2020")
add("six months ago", "DATE", "2024-04")
add("in five days", "DURATION", "P5D", day("2024-10-14"))
add("in 5 days' time", "DURATION", "P5D", day("2024-10-14"))
add("5 days from now", "DATE", "2024-10-14")
add("three days from today", "DATE", "2024-10-12")
add("two weeks from today", "DATE", "2024-10-23")
add("in 2 hours", "DURATION", "PT2H", day(f"{D}T17:00"))
add("in 45 minutes", "DURATION", "PT45M", day(f"{D}T15:45"))
add("three hours ago", "TIME", f"{D}T12:00")
add("in an hour's time", "DURATION", "PT1H", day(f"{D}T16:00"))
add("an hour from now", "TIME", f"{D}T16:00")
add("in half an hour", "DURATION", "PT30M", day(f"{D}T15:30"))
add("in an hour and a half", "DURATION", "PT1H30M", day(f"{D}T16:30"))
add("in a day and a half", "DURATION", "P1DT12H", day("2024-10-11T03:00"))
add("day before yesterday", "DATE", "2024-10-07")
add("a couple of days ago", "DATE", "2024-10-07")
add("three Fridays from now", "DATE", "2024-10-25")
add("tomorrow in 3 hours", "TIME", "2024-10-10T18:00")
add("5 days after Christmas", "DATE", "2024-12-30")
add("two weeks before Thanksgiving", "DATE", "2024-11-14")
add("the day before New Year's Eve", "DATE", "2024-12-30")
add("3 days before halloween", "DATE", "2024-10-28")
add("the day before thanksgiving", "DATE", "2024-11-27")

# ----- months, years, parts of them, any case ---------------------------------------------------------
add("in june", "DATE", "2024-06")
add("last june", "DATE", "2024-06")
add("next march", "DATE", "2025-03")
add("this december", "DATE", "2024-12")
add("june 2022", "DATE", "2022-06")
add("jun 2022", "DATE", "2022-06")
add("Sept 2019", "DATE", "2019-09")
add("september of 2019", "DATE", "2019-09")
add("early june", "DATE", "2024-06")
add("mid-july", "DATE", "2024-07")
add("late august 2021", "DATE", "2021-08")
add("the end of june", "DATE", "2024-06")
add("the beginning of next month", "DATE", "2024-11")
add("the end of next year", "DATE", "2025")
add("the mid-2010s", "DATE", "201")
add("the late '90s", "DATE", "199")
add("the 1970s", "DATE", "197")
add("the '60s", "DATE", "196")
add("the sixties", "DATE", "196")
add("the 2020s", "DATE", "202")
add("the early 20th century", "DATE", "19")

# ----- quarters, halves, fiscal years -----------------------------------------------------------------
add("Q2 2024", "DATE", "2024-Q2")
add("q2 2024", "DATE", "2024-Q2")
add("2Q 2024", "DATE", "2024-Q2")
add("3Q24", "DATE", "2024-Q3")
add("H1 2024", "DATE", "2024-H1")
add("H2", "DATE", "2024-H2")
add("1H 2023", "DATE", "2023-H1")
add("the second half of 2025", "DATE", "2025-H2")
add("first half of next year", "DATE", "2025-H1")
add("FY2021", "DATE", "2021")
add("fiscal 2022", "DATE", "2022")

# ----- seasons, weeks, weekends ----------------------------------------------------------------------
add("this summer", "DATE", "2024-SU")
add("summer 2023", "DATE", "2023-SU")
add("the fall of 2019", "DATE", "2019-FA")
add("autumn 2020", "DATE", "2020-FA")

# ----- ordinals inside periods -------------------------------------------------------------------------
add("the first Monday of November", "DATE", "2024-11-04")
add("the third thursday of next month", "DATE", "2024-11-21")
add("the last Sunday of the month", "DATE", "2024-10-27")
add("the second Tuesday in December", "DATE", "2024-12-10")
add("the final Friday of 2024", "DATE", "2024-12-27")
add("the 1st Saturday of March 2025", "DATE", "2025-03-01")
add("the first day of next month", "DATE", "2024-11-01")
add("the last day of the year", "DATE", "2024-12-31")

# ----- written dates in every common format ---------------------------------------------------------
add("12 Oct 2024", "DATE", "2024-10-12")
add("12th October 2024", "DATE", "2024-10-12")
add("October 12th, 2024", "DATE", "2024-10-12")
add("Saturday, October 12, 2024", "DATE", "2024-10-12")
add("Sat, 12 Oct 2024", "DATE", "2024-10-12")
add("Tue 1 Oct", "DATE", "2024-10-01")
add("2024/10/12", "DATE", "2024-10-12")
add("12/10/2024", "DATE", "2024-12-10")
add("10/12/24", "DATE", "2024-10-12")
add("12.10.2024", "DATE", "2024-10-12")
add("20241012", "DATE", "2024-10-12")
add("on the 3rd", "DATE", "2024-10-03")
add("3/15", "DATE", "2024-03-15")
add("on 12/25", "DATE", "2024-12-25")
add("12-Oct-24", "DATE", "2024-10-12")
add("oct. 12", "DATE", "2024-10-12")
add("first of march", "DATE", "2024-03-01")
add("sept 30th", "DATE", "2024-09-30")
add("3pm on oct 10", "TIME", "2024-10-10T15:00")
add("2024-10-12T08:30", "TIME", "2024-10-12T08:30")
add("2024-10-12 08:30:15", "TIME", "2024-10-12T08:30:15")

# ----- ranges ----------------------------------------------------------------------------------------------
add("between 10 and 11am", "TIME", f"{D}T10:00/{D}T11:00")
add("monday through wednesday", "DATE", "2024-10-07/2024-10-09")
add("between 2015 and 2018", "DATE", "2015/2018")
add("Oct 14-18", "DATE", "2024-10-14/2024-10-18")
add("14-18 October 2024", "DATE", "2024-10-14/2024-10-18")
add("from 10:00 to 11:30", "TIME", f"{D}T10:00/{D}T11:30")

# ----- holidays, any case, with a year or around the reference -------------------------------------------
add("christmas 2025", "DATE", "2025-12-25")
add("xmas", "DATE", "2024-12-25")
add("thanksgiving", "DATE", "2024-11-28")
add("Thanksgiving Day 2023", "DATE", "2023-11-23")
add("halloween", "DATE", "2024-10-31")
add("easter 2026", "DATE", "2026-04-05")
add("Good Friday 2025", "DATE", "2025-04-18")
add("Memorial Day 2025", "DATE", "2025-05-26")
add("mothers day", "DATE", "2024-05-12")
add("Valentines Day", "DATE", "2024-02-14")
add("new years eve", "DATE", "2024-12-31")
add("New Year's Day 2025", "DATE", "2025-01-01")
add("Independence Day 2026", "DATE", "2026-07-04")
add("Pentecost", "DATE", "2024-05-19")
add("Whit Monday", "DATE", "2024-05-20")
add("Ascension Day", "DATE", "2024-05-09")
add("Yom Kippur 2025", "DATE", "2025-10-02")
add("Rosh Hashana 2025", "DATE", "2025-09-23")
add("Diwali 2025", "DATE", "2025-10-20")
add("Chinese New Year 2025", "DATE", "2025-01-29")
add("Hanukkah 2025", "DATE", "2025-12-15/2025-12-22")
add("Passover 2025", "DATE", "2025-04-13/2025-04-20")
add("Boxing Day 2023", "DATE", "2023-12-26")
add("St Patrick's Day", "DATE", "2024-03-17")
add("Guy Fawkes Night", "DATE", "2024-11-05")
add("Epiphany", "DATE", "2025-01-06")
add("All Saints' Day", "DATE", "2024-11-01")
add("Christmas Eve 2023", "DATE", "2023-12-24")

# ----- the present ------------------------------------------------------------------------------------------
add("as of now", "DATE", "PRESENT_REF", R)

# ----- durations and sets --------------------------------------------------------------------------------
add("for three hours", "DURATION", "PT3H")
add("six weeks", "DURATION", "P6W")
add("18 months", "DURATION", "P18M")
add("several weeks", "DURATION", "PXW")
add("the past 48 hours", "DURATION", "PT48H")
add("each monday", "SET", "XXXX-WXX-1")

# ----- not temporal --------------------------------------------------------------------------------------
for text in ("60 mph", "Flight 2020", "sat", "3.5 million", "page 12", "room 1230",
             "march on the capital", "a pair of shoes"):
    add(text, "", None)


@pytest.mark.parametrize("text, kind, value, start, prefer", CASES,
                         ids=[f"{c[0]}|{c[4]}" if c[4] != "past" else c[0] for c in CASES])
def test_new_user_form(text, kind, value, start, prefer):
    got = normalize(text, R, prefer=prefer)
    if value is None:
        assert got is None or got.value is None, f"{text!r} is no temporal expression, got {got}"
        return
    assert got is not None, f"{text!r}: nothing found"
    assert (got.type, got.value) == (kind, value), got
    if start is not None:
        assert got.start == start, got


def test_the_table_is_large_and_has_no_duplicates():
    keys = [(c[0], c[4]) for c in CASES]
    assert len(keys) == len(set(keys)) and len(keys) >= 150


LEX_AMBIGUOUS = sorted(__import__("pipeline.temporal.lexicon", fromlist=["load"]).load().vocab["lowercase_ambiguous"].items())


@pytest.mark.parametrize("word, example", LEX_AMBIGUOUS, ids=[w for w, _ in LEX_AMBIGUOUS])
def test_a_lower_case_name_that_is_also_a_word_is_read_only_beside_a_date(word, example):
    got = normalize(example, R)
    assert got is not None and got.value is not None, example
    assert normalize(f"they {word} it", R) is None


def test_an_aware_reference_gives_aware_bounds_in_its_zone():
    from datetime import timezone

    got = normalize("in 20 minutes", R.replace(tzinfo=timezone.utc))
    assert got.start == datetime(2024, 10, 9, 15, 20, tzinfo=timezone.utc)
    assert got.end.tzinfo is timezone.utc
