"""Sentence bounds: the model's, cut again where a line break ends a line of its own.

spaCy's sentence recogniser reads a line break as a space, so a headline, a dateline and the first
sentence below them ("Fire destroys mill\\nMay 3, 2013\\nA fire broke out ...") come out as one
sentence, as does the tail of a URL printed above a headline. News text puts headlines, bylines,
datelines and paragraphs on lines of their own, so a line break ends the sentence, except where
the text is visibly wrapped prose:

- a paragraph break (a blank line between) always ends a sentence;
- a single line break ends a sentence unless the next line continues the sentence in lowercase
  after a line without closing punctuation ("... said the\\nofficials on Tuesday");
- in a hard-wrapped document (at least a third of its single line breaks fall inside sentences
  that way, the mark of text wrapped at a fixed width), only paragraph breaks end a sentence.

Bounds are trimmed of surrounding whitespace, so ``text[start:end]`` is the sentence as shown;
whitespace-only pieces are dropped.
"""

from __future__ import annotations

import re

from pipeline.schema import SentenceRow

_LINE_BREAK = re.compile(r"[ \t\r\f\v]*\n\s*")
_CLOSING = set(".!?:;\"'”’»)]…")
# Share of single line breaks that fall inside a sentence above which a document is hard-wrapped.
WRAPPED_SHARE = 1 / 3
# Below this many single line breaks a document is too short to call hard-wrapped.
WRAPPED_MIN_BREAKS = 6


def line_break_cuts(text: str) -> list[int]:
    """Offsets (the first character of the next line) where a line break ends a sentence."""
    paragraph, single, inside = [], [], 0
    for m in _LINE_BREAK.finditer(text):
        nxt = m.end()
        if nxt >= len(text) or m.start() == 0:
            continue
        if m.group().count("\n") > 1:
            paragraph.append(nxt)
            continue
        before = text[m.start() - 1]
        continues = text[nxt].islower() and before not in _CLOSING
        inside += continues
        if not continues:
            single.append(nxt)
    n_single = len(single) + inside
    if n_single >= WRAPPED_MIN_BREAKS and inside >= WRAPPED_SHARE * n_single:
        return paragraph
    return sorted(paragraph + single)


def split_at_line_breaks(text: str, bounds: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The model's sorted sentence ``bounds`` cut at :func:`line_break_cuts`, trimmed, empties dropped."""
    cuts = line_break_cuts(text)
    out: list[tuple[int, int]] = []
    i = 0
    for start, end in bounds:
        pieces = [start]
        while i < len(cuts) and cuts[i] <= start:
            i += 1
        j = i
        while j < len(cuts) and cuts[j] < end:
            pieces.append(cuts[j])
            j += 1
        pieces.append(end)
        for a, b in zip(pieces, pieces[1:]):
            trimmed = _trim(text, a, b)
            if trimmed is not None:
                out.append(trimmed)
    return out or [(0, len(text))]


def _trim(text: str, start: int, end: int) -> tuple[int, int] | None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return (start, end) if end > start else None


def sentence_rows(doc_id: str, text: str, bounds: list[tuple[int, int]]) -> list[SentenceRow]:
    """The ``sentences`` table's rows of one document: its index is the ``sentence_index`` of every other table."""
    return [SentenceRow(doc_id, i, s, e, text[s:e]) for i, (s, e) in enumerate(bounds)]
