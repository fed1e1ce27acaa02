"""Dates in whole documents: detection with the real spaCy model, anchoring in reading order, the DCT.

The seed articles are scored against their hand-checked gold (tests/gold/seeds.json) with the
real model; the rest are short texts that pin one behaviour each.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime, timezone

import pytest

from pipeline import ingest
from pipeline.tools.metrics import score_dates
from pipeline.extract import extract_document
from pipeline.extract.nlp import annotate
from pipeline.spans import NlpResult
from pipeline.schema import Document
from pipeline.temporal import extract_dates

from conftest import RAW


MODEL_FIXTURES = ("seeds",)


@pytest.fixture(scope="module")
def seeds():
    """The sample articles through ingest, the real model and the per-document extraction (no Prefect)."""
    documents = ingest.read_sources(ingest.discover(RAW), RAW).documents
    results = annotate([d.text for d in documents])
    extractions = [extract_document(d, r) for d, r in zip(documents, results)]
    return documents, extractions


def test_seed_dates_against_gold(seeds, gold):
    documents, extractions = seeds
    rows = [asdict(r) for x in extractions for r in x.dates]
    scores = score_dates(rows, gold["dates"])
    print(f"\nseeds dates relaxed {scores.relaxed}\nseeds dates strict  {scores.strict}\nseeds dates value   {scores.value}")
    assert scores.relaxed.f1 >= 0.95
    assert scores.strict.f1 >= 0.95
    assert scores.value.f1 >= 0.95


def test_seed_rows_are_their_text_and_typed(seeds):
    documents, extractions = seeds
    texts = {d.doc_id: d.text for d in documents}
    for x in extractions:
        for r in x.dates:
            assert texts[r.doc_id][r.start_char:r.end_char] == r.text
            assert r.type in ("DATE", "TIME", "DURATION", "SET")
            assert r.anchor in ("absolute", "dct", "narrative")
            assert (r.start is None) == (r.end is None)
            if r.type == "DURATION":
                assert r.start is None


def test_seed_look_alikes_are_not_dates(seeds):
    _, extractions = seeds
    texts = {r.text for x in extractions for r in x.dates}
    assert not any("year-old" in t or "times" in t or "this day" in t for t in texts), texts


def test_seed_dct_inferred_from_the_text(seeds, gold):
    """No metadata: "Friday, April 18, 2025" (a weekday-dated day, the latest year written) and
    "so far in 2025 ... this month ... April 18" give the month (README, "Dates and times")."""
    documents, _ = seeds
    for doc in documents:
        expected = gold["documents"][doc.doc_id]["dct"]
        if doc.dct_source == "inferred":
            assert doc.dct == expected
    inferred = {d.doc_id: d.dct for d in documents if d.dct_source == "inferred"}
    assert inferred == {"000_335914f0895e3fc9": "2025-04", "001_5c306b0cc539d323": "2025-04"}
    # The review names no day or month at all, only "2022": too little to date it.
    assert {d.doc_id: d.dct_source for d in documents}["002_de932c668fe899be"] == "none"


def test_flow_writes_the_same_dates(seed_run, seeds):
    """The Prefect flow and the direct extraction agree row for row."""
    import pyarrow.parquet as pq

    _, out = seed_run
    documents, extractions = seeds
    key = ["doc_id", "start_char", "end_char", "type", "value", "start", "end", "anchor", "granularity"]
    from_flow = sorted(tuple(r[k] for k in key) for r in pq.read_table(out / "dates.parquet").to_pylist())
    direct = sorted(tuple(getattr(r, k) for k in key) for x in extractions for r in x.dates)
    assert from_flow == direct
    dcts = pq.read_table(out / "documents.parquet", columns=["doc_id", "dct", "dct_source"]).to_pylist()
    assert sorted(tuple(r.values()) for r in dcts) == sorted((d.doc_id, d.dct, d.dct_source) for d in documents)


# ----- one behaviour each (rules only: no model spans needed for these forms) --------------------

def _doc(text: str, published: datetime | None = None) -> Document:
    return Document(doc_id="t", source_path="t.txt", text=text, published=published)


def _sentences(text: str) -> NlpResult:
    spans, start = [], 0
    for i, ch in enumerate(text):
        if ch == "." and (i + 1 == len(text) or text[i + 1] == " "):
            spans.append((start, i + 1))
            start = i + 2
    if start < len(text):
        spans.append((start, len(text)))
    return NlpResult(ents=[], sentences=spans)


def _values(text: str, published: datetime | None = None):
    doc = _doc(text, published)
    result = extract_dates(doc, _sentences(text))
    return result, [(r.text, r.value, r.anchor) for r in result.rows]


def test_times_and_narrative_follow_the_story():
    text = ("The stand-off began Feb. 22, 2022 in a store. Around 5:30 p.m. that evening a man walked in. "
            "At 10:30 p.m. he asked for water. He died the following day. Two days later the store reopened.")
    result, values = _values(text)
    assert values == [
        ("Feb. 22, 2022", "2022-02-22", "absolute"),
        ("5:30 p.m. that evening", "2022-02-22T17:30", "narrative"),
        ("10:30 p.m.", "2022-02-22T22:30", "narrative"),
        ("the following day", "2022-02-23", "narrative"),
        ("Two days later", "2022-02-25", "narrative"),
    ]
    # A narrative that never counts from its own date ("yesterday", "on Friday") gives no DCT: its
    # latest date may be decades before the writing (issue 14), so none is claimed.
    assert (result.dct, result.dct_source) == (None, "none")


def test_published_metadata_is_the_dct():
    result, values = _values("Officials said yesterday that the plant will reopen next Friday.",
                             datetime(2022, 3, 1, 14, 0, tzinfo=timezone.utc))
    assert (result.dct, result.dct_source) == ("2022-03-01", "metadata")
    assert values == [("yesterday", "2022-02-28", "dct"), ("next Friday", "2022-03-04", "dct")]


def test_dct_is_the_local_date_of_publication():
    """21:30 in New York is already the next day in UTC; the article's "yesterday" is local."""
    from pipeline.ingest import parse_published

    for published, dct, yesterday in (("2022-03-01T21:30:00-05:00", "2022-03-01", "2022-02-28"),
                                      ("2022-03-02T01:00:00+09:00", "2022-03-02", "2022-03-01")):
        result, values = _values("Officials said yesterday that the plant would reopen.", parse_published(published))
        assert (result.dct, values[0][1]) == (dct, yesterday)


def test_without_any_date_relative_values_stay_null():
    result, values = _values("Officials said yesterday that talks would resume this month.")
    assert (result.dct, result.dct_source) == (None, "none")
    assert values == [("yesterday", None, "dct"), ("this month", None, "dct")]


def test_partial_dates_take_the_year_of_the_context():
    text = "The film opened on March 3, 2019. It left theaters on April 18 after a long run."
    _, values = _values(text)
    assert values[1] == ("April 18", "2019-04-18", "narrative")  # the year of the story (no DCT claimed)


def test_a_date_written_once_with_its_year_keeps_it():
    text = "He was killed on Oct. 23, 1998. Police said the Oct. 23 attack was planned."
    _, values = _values(text, datetime(1999, 10, 24, tzinfo=timezone.utc))
    assert values[1] == ("the Oct. 23", "1998-10-23", "narrative")


def test_ranges_are_two_timex_values():
    _, values = _values("Talks were held Feb. 22-23, 2022 and again between 2019 and 2021.")
    assert [v[:2] for v in values] == [("Feb. 22", "2022-02-22"), ("23, 2022", "2022-02-23"),
                                      ("2019", "2019"), ("2021", "2021")]


def test_ages_and_frequencies_are_not_dates():
    _, values = _values("The 27-year-old fired four times. He is 44 years old. The case is open to this day.")
    assert values == []


def test_durations_and_sets():
    _, values = _values("He held the man for almost five hours. The market opens every Monday.")
    assert [v[:2] for v in values] == [("almost five hours", "PT5H"), ("every Monday", "XXXX-WXX-1")]


def test_dates_inside_urls_are_not_expressions():
    _, values = _values("Read it at https://example.com/2009/11/30/story.html before Monday.")
    assert [v[0] for v in values] == ["Monday"]


def test_dateparser_reads_what_the_model_found_and_no_rule_did():
    """A form outside the rules ("2022/02/22"): the model's DATE span, read by dateparser."""
    from pipeline.spans import Span

    text = "The filing is dated 2022/02/22 in the register."
    start = text.index("2022")
    doc = _doc(text)
    result = extract_dates(doc, NlpResult(ents=[Span(start, start + 10, "DATE")], sentences=[(0, len(text))]))
    assert [(r.text, r.value, r.anchor) for r in result.rows] == [("2022/02/22", "2022-02-22", "absolute")]


# ----- the DCT without metadata (pipeline/temporal/dct.py) -----------------------------------------

def test_dct_from_a_dated_address():
    for url, dct in (("https://example.com/2013/05/03/story.html", "2013-05-03"),
                     ("https://example.com/news/2013/may/03/story", "2013-05-03"),
                     ("https://example.com/20130504-story", "2013-05-04")):
        doc = Document(doc_id="t", source_path="t.txt", text="Officials said yesterday the plant would close.", url=url)
        result = extract_dates(doc, _sentences(doc.text))
        assert (result.dct, result.dct_source) == (dct, "inferred"), url
        assert result.rows[0].value is not None
    doc = Document(doc_id="APW19980807.0261", source_path="docs.jsonl", text="Bombs exploded Friday.")
    assert extract_dates(doc, _sentences(doc.text)).dct == "1998-08-07"
    # A content hash is no date, even when its digits look like one.
    doc = Document(doc_id="000_335914f19980807c", source_path="000_335914f19980807c.txt", text="It rained Friday.")
    assert extract_dates(doc, _sentences(doc.text)).dct is None


def test_dct_from_a_url_on_the_first_line():
    text = "http: / / nypost. com / 2013 / 05 / 02 / lohan - story\nLindsay Lohan left rehab on Thursday."
    assert extract_dates(_doc(text), _sentences(text)).dct == "2013-05-02"


def test_a_biography_gets_no_dct():
    """The dates of a life, however late, are no evidence of when it was written."""
    text = ("Born on March 5, 1923, she moved to New York in 1947. She starred in films in the 1950s. "
            "She retired on Dec. 11, 1958, and died on Thursday, Dec. 11, 1958 in Los Angeles.")
    result, _ = _values(text)
    assert (result.dct, result.dct_source) == (None, "none")


def test_a_weekday_dated_day_is_the_news_of_the_day():
    text = "The embassy reopened on Friday, Aug. 7, 1998 after the bombing. Officials said yesterday it would stay open."
    result, values = _values(text)
    assert (result.dct, result.dct_source) == ("1998-08", "inferred")


def test_a_weekday_dated_day_before_a_later_year_is_history():
    text = "The strike began on Tuesday, Oct. 10, 1972. The agent was named in 2005 and died yesterday."
    result, _ = _values(text)
    assert result.dct is None


def test_dateline_month_and_day_take_the_reported_year():
    text = ("WASHINGTON, August 13 (Xinhua) --\nThe president on Thursday, Aug. 13, 1998 condemned the attacks. "
            "He had spoken on Wednesday.")
    result, _ = _values(text)
    assert (result.dct, result.dct_source) == ("1998-08", "inferred")


@pytest.mark.parametrize("line, dct", [
    ("May 03, 2013", "2013-05-03"), ("PUBLISHED: THURSDAY, MAY 2, 2013, 1: 32 PM", "2013-05-02"),
    ("UPDATED 05 / 03 / 2013 at 11: 00 AM EDT", "2013-05-03"), ("Posted on Thu Jun 13, 2013 08:45 AM PDT", "2013-06-13"),
    ("12:52 p.m. EDT May 2, 2013", "2013-05-02"), ("By Jane Doe | March 3, 2009", "2009-03-03"),
    ("First Published: June 13, 2013 4:59 PM EDT", "2013-06-13"), ("14 June 2013", "2013-06-14"),
])
def test_dct_from_a_date_line_in_the_header(line, dct):
    text = f"Actress checks into rehab\n{line}\nThe actress checked into a clinic on Thursday, her lawyer said."
    assert extract_dates(_doc(text), _sentences(text)).dct == dct


def test_dct_from_a_dated_footer_line():
    text = "Headline\nThe actress checked into a clinic on Thursday.\nShe is well.\nLast updated at 10:32 on 3 March 2009"
    assert extract_dates(_doc(text), _sentences(text)).dct == "2009-03-03"
    text = "Headline\nThe actress checked into a clinic on Thursday.\nShe was born on 3 March 1959"
    assert extract_dates(_doc(text), _sentences(text)).dct is None


def test_a_sentence_that_names_a_date_is_no_date_line():
    text = "Headline\nOn May 3, 2013, the actress checked into a clinic, her lawyer said.\nShe left on Thursday."
    assert extract_dates(_doc(text), _sentences(text)).dct is None


@pytest.mark.parametrize("doc_id, dct", [("AP900815-0044", "1990-08-15"), ("WSJ910225-0066", "1991-02-25"),
                                         ("ea980120.1830.0071", "1998-01-20"), ("story123456-7", None)])
def test_dct_from_a_news_archive_id_with_a_two_digit_year(doc_id, dct):
    doc = Document(doc_id=doc_id, source_path="docs.jsonl", text="Officials said today the talks would go on.")
    assert extract_dates(doc, _sentences(doc.text)).dct == dct


def test_a_range_of_durations_is_two_rows_as_timeml_annotates_it():
    # TempEval-3 annotates "between 12 and 18 months" as "12" (P12M) and "18 months" (P18M);
    # normalize() given the whole range gives "P12M/P18M".
    _, values = _values("Recovery will take between 12 and 18 months, and two to three weeks more.",
                        datetime(2013, 3, 22))
    assert [(t, v) for t, v, _ in values] == [("12", "P12M"), ("18 months", "P18M"),
                                              ("two", "P2W"), ("three weeks", "P3W")]
