"""One document's temporal expressions, resolved in reading order, and its reference date (DCT).

The DCT comes from the ``published`` metadata; without it, it is inferred from evidence (a date
in the URL or id, a weekday-dated day in the lead, a dateline; :mod:`pipeline.temporal.dct`), else
there is none and DCT-relative values ("yesterday") stay null.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pipeline.spans import NlpResult, sentence_of
from pipeline.schema import DateRow, Document
from pipeline.temporal.calendar import When
from pipeline.temporal import dct, lexicon
from pipeline.temporal.detect import Candidate, find
from pipeline.temporal.resolve import Context, resolve

TENSE_WINDOW = 60  # characters


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
    """The DCT and where it came from: ``metadata``, ``inferred`` (see :mod:`pipeline.temporal.dct`) or ``none``."""
    if doc.published is not None:
        return When.of(doc.published.replace(tzinfo=None), "day"), "metadata"
    lead_end = sentences[min(1, len(sentences) - 1)][1]
    found = dct.infer(doc, candidates, lambda cands, ctx: _with_tense(cands, sentences, doc.text, ctx), lead_end)
    return (found.when, "inferred") if found is not None else (None, "none")


def _with_tense(candidates: list[Candidate], sentences, text: str, ctx: Context):
    """Each candidate, with the context's tense cues set from the words just before it in its sentence.

    The verb that governs an expression is usually just before it ("will meet on Friday", "the year
    ended March 31"); the whole sentence is too wide ("said Friday that it will ..."). The cue words
    are the rule file's ``tense_future`` and ``tense_past`` tables.
    """
    lex = lexicon.load()
    future, past = lex.phrases("tense_future"), lex.phrases("tense_past")
    for cand in candidates:
        index = sentence_of(sentences, cand.start)
        window_start = max(sentences[index][0], cand.start - TENSE_WINDOW)
        ctx.future = bool(future.search(text, window_start, cand.start))
        ctx.past = not ctx.future and bool(past.search(text, window_start, cand.start))
        yield cand
