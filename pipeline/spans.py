"""Spans of text as every stage sees them: model output records and the span conventions.

Extraction makes these and alignment reads them; neither reaches into the other's internals,
they share this module. The records are plain tuples rather than spaCy ``Doc`` objects: cheap to
pickle (worker processes, Dask), to store, and to test without a model.

Conventions every stage keeps, so that a mention found by the model and one found later by
alignment look alike: a name span holds the proper name only (:func:`trim_name`), never runs across
a line break (:func:`one_line`), and a mention row carries its full provenance (:func:`make_mention`).
"""

from __future__ import annotations

import bisect
import re
from functools import lru_cache
from dataclasses import dataclass, field

from pipeline.schema import Document, Mention, mention_id


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    label: str


@dataclass
class NlpResult:
    """What the model says about one document: entity spans of every label, sentence bounds."""

    ents: list[Span] = field(default_factory=list)
    sentences: list[tuple[int, int]] = field(default_factory=list)


def sentence_of(sentences: list[tuple[int, int]], offset: int) -> int:
    """Index of the sentence holding ``offset``, given the sorted (start, end) sentence bounds."""
    return max(bisect.bisect_right(sentences, offset, key=lambda s: s[0]) - 1, 0)


_LEADING = re.compile(r"^(?:the|The|THE)\s+")
# Titles keep their article: "The Last of Us" is the name, "the Netherlands" is not.
_KEEPS_ARTICLE = {"WORK_OF_ART", "LAW", "EVENT"}
_TRAILING = re.compile(r"(?:['’]s?|\s+)$")


def trim_name(text: str, start: int, end: int, label: str = "") -> tuple[int, int]:
    """Shrink a name span to the proper name: no leading "the", no possessive, no edge spaces or punctuation."""
    leading = re.compile(r"^the\s+") if label in _KEEPS_ARTICLE else _LEADING
    while start < end:
        span = text[start:end]
        m = leading.match(span) or re.match(r"^[\s\"“‘'(\[]+", span)
        if m and m.end() < len(span):
            start += m.end()
            continue
        m = _TRAILING.search(span) or re.search(r"[\s\"”’',.;:)\]]+$", span)
        if m and m.start() > 0:
            end = start + m.start()
            continue
        break
    return start, end


def one_line(text: str, start: int, end: int) -> tuple[int, int]:
    """A name never runs across a line break: the model's "html\nEllen DeGeneres" is "Ellen DeGeneres".

    Of the lines the span covers, the one with most capitalised words is kept (the last on a tie:
    spans that cross a break usually start in the end of a URL or a headline above).
    """
    if "\n" not in text[start:end]:
        return start, end
    pieces = [(m.start() + start, m.end() + start) for m in re.finditer(r"[^\n]+", text[start:end])]
    return max(pieces, key=lambda p: (len(re.findall(r"\b[A-Z]", text[p[0]:p[1]])), p[0]))


def make_mention(doc: Document, start: int, end: int, label: str, sentences: list[tuple[int, int]], *,
                 model_label: str | None, origin: str = "model") -> Mention:
    """A mention row with its full provenance: offsets, exact text, and the sentence it is in."""
    index = sentence_of(sentences, start)
    s_start, s_end = sentences[index] if sentences else (0, len(doc.text))
    return Mention(
        doc_id=doc.doc_id,
        mention_id=mention_id(doc.doc_id, start, end),
        start_char=start,
        end_char=end,
        text=doc.text[start:end],
        label=label,
        sentence=sentence_text(doc.text, s_start, s_end, start, end),
        sentence_index=index,
        model_label=model_label,
        origin=origin,
    )


# Prose sentences are far shorter (the longest in ECB+ and GUM: under 900 characters); a
# "sentence" longer than this is a list, a table or text without punctuation.
SENTENCE_MAX_CHARS = 2000


def sentence_text(text: str, s_start: int, s_end: int, start: int, end: int) -> str:
    """The sentence of a mention at ``start:end``, as its ``sentence`` column shows it.

    A sentence longer than :data:`SENTENCE_MAX_CHARS` is cut to that many characters around the
    mention: every mention copying a whole 100,000-character run-on "sentence" would cost time
    and memory quadratic in its length. The cuts are on a fixed grid (steps of half the maximum,
    with at least a quarter of it before the mention's start and after it), so the mentions of
    one stretch share one string instead of each holding its own copy.
    """
    if s_end - s_start <= SENTENCE_MAX_CHARS:
        return text[s_start:s_end].strip()
    step = SENTENCE_MAX_CHARS // 2
    lo = s_start + ((start - s_start) // step) * step - step // 2
    lo = min(max(s_start, lo), s_end - SENTENCE_MAX_CHARS)
    return _cut(text, lo, lo + SENTENCE_MAX_CHARS)


@lru_cache(maxsize=8)  # small: the key holds the document's text
def _cut(text: str, start: int, end: int) -> str:
    """One string per stretch of a long sentence: consecutive mentions share it (and its memory)."""
    return text[start:end].strip()
