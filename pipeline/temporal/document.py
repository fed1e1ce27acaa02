"""One document's temporal expressions, resolved in reading order, and its reference date (DCT).

The DCT comes from the ``published`` metadata; without it, it is inferred from the text: the
latest calendar date the text names explicitly (a day or a month, with its year written or taken
from the last year written before it), at month precision. A news text is written soon after
the latest thing it reports, but rarely on the very day, so only the month is claimed. A text
that names no such date has no DCT, and its DCT-relative values ("yesterday") stay null.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from pipeline.spans import NlpResult, sentence_of
from pipeline.schema import DateRow, Document
from pipeline.temporal.calendar import When
from pipeline.temporal.detect import Candidate, find
from pipeline.temporal.resolve import Context, resolve

# Words that put what follows in the future: a weekday then means the coming one, a quarter the next.
_FUTURE = re.compile(
    r"\b(?:will|won['’]t|shall|['’]ll|going\s+to|scheduled|expected\s+to|expects?\s+to|plans?\s+to|"
    r"planned|planning|set\s+to|due\s+to|is\s+to|are\s+to|as\s+(?:soon|early)\s+as|to\s+resume)\b", re.I)
# ... and words that put it in the past: "the year ended March 31" is the last March 31.
_PAST = re.compile(r"\b(?:ended|since|was|were|had|did|ago)\b", re.I)
TENSE_WINDOW = 60  # characters
_DCT_GRANULARITIES = ("month", "week", "weekend", "day", "part", "hour", "minute")


@dataclass
class DocumentDates:
    dct: str | None
    dct_source: str  # metadata, inferred, none
    rows: list[DateRow] = field(default_factory=list)


def extract_dates(doc: Document, nlp: NlpResult) -> DocumentDates:
    # A range is two TIMEX3 values (TimeML links them; a row each here), resolved in order.
    candidates = [p for c in find(doc.text, nlp.ents) for p in (c.parts or (c,))]
    sentences = nlp.sentences or [(0, len(doc.text))]
    dct, source = document_date(doc, candidates, sentences)
    ctx = Context(dct=dct)
    rows = []
    for cand in _with_tense(candidates, sentences, doc.text, ctx):
        tv, when = resolve(cand.reading, ctx)
        if when is not None:
            ctx.remember(when, cand.reading)
        rows.append(DateRow(
            doc_id=doc.doc_id, start_char=cand.start, end_char=cand.end, text=doc.text[cand.start:cand.end],
            type=tv.type, value=tv.value, start=tv.start, end=tv.end, anchor=tv.anchor,
            granularity=tv.granularity, mod=tv.mod,
        ))
    return DocumentDates(dct.value if dct else None, source, rows)


def document_date(doc: Document, candidates: list[Candidate], sentences) -> tuple[When | None, str]:
    """The DCT and where it came from: ``metadata``, ``inferred`` (see module docstring) or ``none``."""
    if doc.published is not None:
        return When.of(doc.published.replace(tzinfo=None), "day"), "metadata"
    latest = infer_dct(candidates, sentences, doc.text)
    return (latest, "inferred") if latest is not None else (None, "none")


def infer_dct(candidates: list[Candidate], sentences, text: str) -> When | None:
    ctx = Context()
    latest: When | None = None
    for cand in _with_tense(candidates, sentences, text, ctx):
        tv, when = resolve(cand.reading, ctx)
        if when is None:
            continue
        ctx.remember(when, cand.reading)
        explicit = cand.reading.fields is not None and cand.reading.end is None
        if explicit and tv.anchor != "dct" and when.gran in _DCT_GRANULARITIES:
            if latest is None or when.start > latest.start:
                latest = when
    return latest.at("month") if latest is not None else None


def _with_tense(candidates: list[Candidate], sentences, text: str, ctx: Context):
    """Each candidate, with the context's tense cues set from the words just before it in its sentence.

    The verb that governs an expression is usually just before it ("will meet on Friday", "the year
    ended March 31"); the whole sentence is too wide ("said Friday that it will ...").
    """
    for cand in candidates:
        index = sentence_of(sentences, cand.start)
        window_start = max(sentences[index][0], cand.start - TENSE_WINDOW)
        ctx.future = bool(_FUTURE.search(text, window_start, cand.start))
        ctx.past = not ctx.future and bool(_PAST.search(text, window_start, cand.start))
        yield cand
