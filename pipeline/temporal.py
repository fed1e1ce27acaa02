"""Temporal expressions: detection on top of spaCy's DATE/TIME spans, TIMEX3 normalisation.

First level (the dates issue deepens it): spaCy's DATE and TIME spans, each normalised on its own
with dateparser against the document's reference date.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache

from pipeline.nlp import Span
from pipeline.schema import DateRow, Document

TEMPORAL_LABELS = ("DATE", "TIME")


@dataclass(frozen=True)
class TemporalValue:
    type: str  # DATE, TIME, DURATION, SET
    value: str | None  # TIMEX3 value
    start: datetime | None
    end: datetime | None
    granularity: str | None  # year, month, day, minute, ...


_YEAR = re.compile(r"^\s*(1[5-9]\d\d|20\d\d)\s*$")


def normalize(expression: str, reference: datetime | None = None) -> TemporalValue | None:
    """One temporal expression to its TIMEX3 value, resolved against ``reference`` when relative."""
    m = _YEAR.match(expression)
    if m:
        year = int(m.group(1))
        return TemporalValue("DATE", str(year), datetime(year, 1, 1), datetime(year + 1, 1, 1), "year")
    parsed = _dateparse(expression, reference.replace(tzinfo=None) if reference else None)
    if parsed is None:
        return None
    moment, period = parsed
    if period == "time":
        value = moment.strftime("%Y-%m-%dT%H:%M")
        return TemporalValue("TIME", value, moment, moment + timedelta(minutes=1), "minute")
    if period == "month":
        start = moment.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
        end = (start + timedelta(days=32)).replace(day=1)
        return TemporalValue("DATE", start.strftime("%Y-%m"), start, end, "month")
    if period == "year":
        start = datetime(moment.year, 1, 1)
        return TemporalValue("DATE", str(moment.year), start, datetime(moment.year + 1, 1, 1), "year")
    start = moment.replace(hour=0, minute=0, second=0, microsecond=0)
    return TemporalValue("DATE", start.strftime("%Y-%m-%d"), start, start + timedelta(days=1), "day")


@lru_cache(maxsize=65536)
def _dateparse(expression: str, reference: datetime | None):
    import dateparser

    settings = {"RETURN_TIME_AS_PERIOD": True, "PREFER_DATES_FROM": "past"}
    if reference is not None:
        settings["RELATIVE_BASE"] = reference
    data = dateparser.date.DateDataParser(languages=["en"], settings=settings).get_date_data(expression)
    if data is None or data.date_obj is None:
        return None
    return data.date_obj, data.period


def document_reference(doc: Document) -> tuple[str | None, str]:
    """The document creation time (DCT) as a TIMEX3 value, and where it came from."""
    if doc.published is not None:
        return doc.published.strftime("%Y-%m-%d"), "metadata"
    return None, "none"


def reference_datetime(dct: str | None) -> datetime | None:
    if not dct:
        return None
    parts = [int(p) for p in dct.split("-")]
    while len(parts) < 3:
        parts.append(1)
    return datetime(*parts[:3])


def extract_dates(doc: Document, ents: list[Span]) -> list[DateRow]:
    reference = reference_datetime(doc.dct)
    rows = []
    for span in ents:
        if span.label not in TEMPORAL_LABELS:
            continue
        text = doc.text[span.start : span.end]
        tv = normalize(text, reference)
        rows.append(DateRow(
            doc_id=doc.doc_id, start_char=span.start, end_char=span.end, text=text,
            type=tv.type if tv else span.label, value=tv.value if tv else None,
            start=tv.start if tv else None, end=tv.end if tv else None,
            anchor="absolute" if tv and tv.value and not _looks_relative(text) else "dct",
            granularity=tv.granularity if tv else None,
        ))
    return rows


def _looks_relative(text: str) -> bool:
    return not re.search(r"\b\d{4}\b", text)
