"""Hostile input for the date stage (issue 17): pathological sizes cost linear time, dates at the
calendar's ends give null values instead of exceptions, and the DCT keeps TIMEX3's 4-digit year.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest

from pipeline.extract import extract_document
from pipeline.ingest import parse_published
from pipeline.spans import NlpResult, Span
from pipeline.schema import Document
from pipeline.temporal import extract_dates, normalize
from pipeline.temporal.detect import find
from timing_support import growth

# One sentence of every family the detector joins or overlaps: full dates, a clock time joined to a
# day, a narrative shift, a range, a duration, an age (blocked) and a bare year the model licenses.
UNIT = ("January 1, 2020 at 5:30 p.m. they met; two days later, between 2019 and 2021, "
        "for three hours, a 27-year-old spoke in 1995. ")


def detection(repeats: int):
    """A call that detects the dates of ``repeats`` units (its input made beforehand)."""
    text = UNIT * repeats
    year = UNIT.index("1995")
    spans = [Span(i * len(UNIT) + year, i * len(UNIT) + year + 4, "DATE") for i in range(repeats)]

    def run():
        found = find(text, spans)
        assert len(found) == 5 * repeats  # nothing lost or merged across repeats

    return run


@pytest.mark.timeout(300)
@pytest.mark.xdist_group("timing")  # one timing test at a time (tests/conftest.py)
def test_detection_time_grows_linearly_with_repeats():
    """4x the text costs about 4x the time (quadratic would be 16x)."""
    detection(200)()  # rule tables loaded, regexes warm
    small, large = growth(detection(600), detection(2_400), bound=6)
    assert large / small < 6, (small, large)


@pytest.mark.timeout(300)
@pytest.mark.xdist_group("timing")  # one timing test at a time (tests/conftest.py)
def test_repeated_dates_at_10k_and_40k_stay_linear():
    text = "January 1, 2020 "
    find(text)

    def dates(repeats: int):
        long_text = text * repeats

        def run():
            assert len(find(long_text)) == repeats
        return run

    small, large = growth(dates(10_000), dates(40_000), bound=6)
    assert large / small < 6, (small, large)


@pytest.mark.timeout(300)
@pytest.mark.xdist_group("timing")  # one timing test at a time (tests/conftest.py)
def test_whole_document_extraction_stays_linear():
    def extraction(repeats: int):
        text = UNIT * repeats
        sentences = [(i * len(UNIT), (i + 1) * len(UNIT)) for i in range(repeats)]

        def run():
            result = extract_dates(Document("t", "t.txt", text), NlpResult([], sentences))
            assert len(result.rows) == 6 * repeats  # the range is two rows
        return run

    extraction(100)()
    # 1,000 repeats (~130 kB, about a second) take long enough that per-call set-up is noise; 4x more must cost
    # about 4x (quadratic code: 16x, far past the bound even on a loaded machine).
    small, large = growth(extraction(1_000), extraction(4_000), bound=6)
    assert large / small < 6, (small, large)


TEXT = "Officials said yesterday that the plant reopens tomorrow, next year at the latest. Today it is shut."


@pytest.mark.parametrize("published, dct", [("9999-12-31", "9999-12-31"), ("0001-01-01", "0001-01-01"),
                                            ("9999-12-31T23:59:59Z", "9999-12-31")])
def test_calendar_ends_keep_the_document(published, dct):
    doc = Document("t", "t.txt", TEXT, published=parse_published(published))
    x = extract_document(doc, NlpResult([], [(0, len(TEXT))]))
    assert doc.dct == dct and doc.dct_source == "metadata"
    values = {r.text: r.value for r in x.dates}
    assert set(values) == {"yesterday", "tomorrow", "next year", "Today"}
    if published.startswith("9999"):
        # Past the year 9999 there is no value; nothing raised, and what stays inside the calendar resolves.
        assert values == {"yesterday": "9999-12-30", "tomorrow": None, "next year": None, "Today": None}
    else:
        assert values == {"yesterday": None, "tomorrow": "0001-01-02", "next year": "0002", "Today": "0001-01-01"}
    for r in x.dates:
        assert (r.start is None) == (r.end is None) == (r.value is None)


def test_four_digit_years_everywhere():
    early = datetime(1, 1, 1)
    assert normalize("today", early).value == "0001-01-01"
    assert normalize("tomorrow at 5:30 p.m.", early).value == "0001-01-02T17:30"
    assert normalize("midnight", early).value == "0001-01-01T24:00"
    assert normalize("the following week", early).value == "0001-W02"
    assert normalize("next month", datetime(9999, 12, 1)).value is None
    assert normalize("last month", datetime(9999, 12, 31, tzinfo=timezone.utc)).value == "9999-11"


def test_a_far_future_document_goes_through_the_flow(prefect_server, tmp_path):
    """The real flow: the far-future article and its neighbour are both kept, with their DCTs."""
    import pandas as pd

    from pipeline.flows import extract_corpus

    raw = tmp_path / "raw"
    raw.mkdir()
    lines = [{"id": "far", "text": TEXT, "published": "9999-12-31"},
             {"id": "early", "text": TEXT, "published": "0001-01-01"},
             {"id": "plain", "text": TEXT, "published": "2022-03-01"}]
    (raw / "docs.jsonl").write_text("\n".join(json.dumps(x) for x in lines) + "\n", encoding="utf-8")
    extract_corpus(raw, tmp_path / "out", progress=False)
    docs = pd.read_parquet(tmp_path / "out" / "documents.parquet")
    assert dict(zip(docs.doc_id, docs.dct)) == {"far": "9999-12-31", "early": "0001-01-01", "plain": "2022-03-01"}
    errors = pd.read_parquet(tmp_path / "out" / "errors.parquet")
    assert errors.empty, errors.to_dict("records")
