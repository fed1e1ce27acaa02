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
    found = dct.infer(doc, candidates, lambda cands, ctx: _with_tense(cands, sentences, doc.text, ctx),
                      lead_end(doc.text, sentences))
    return (found.when, "inferred") if found is not None else (None, "none")


# A sentence of prose: this many words at least, ending as sentences do.
LEAD_MIN_WORDS = 8
_SENTENCE_END = ('.', '!', '?', '"', "'", '”', '’', ')')


def lead_end(text: str, sentences: list[tuple[int, int]]) -> int:
    """Where the lead ends: after the first two sentences of prose.

    A headline, a caption word or a dateline on a line of its own is a sentence too (sentences end
    at such line breaks) but not part of the lead: the news of the day is in the first prose.
    """
    if not sentences:
        return len(text)
    prose = [e for s, e in sentences
             if len(text[s:e].split()) >= LEAD_MIN_WORDS and text[s:e].rstrip().endswith(_SENTENCE_END)]
    if len(prose) >= 2:
        return prose[1]
    return prose[0] if prose else sentences[min(1, len(sentences) - 1)][1]


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
