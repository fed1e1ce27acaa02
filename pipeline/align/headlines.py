"""Span repair that needs the corpus: headline words the model took for part of a name.

In a Title Case headline every word is capitalised, and the model reads "AMD Buys SeaMicro" as
the person "Buys SeaMicro" and "Obama Overturns Ban" as "Obama Overturns". Those spans then make
"SeaMicro" a surname and "Obama" a first name. The corpus tells which capitalised words are really
ordinary words: they are written in lowercase elsewhere, and they never occur inside a name in an
ordinary sentence. Such words are cut out of names in Title Case lines; the pieces left are names
if they hold a word that names hold elsewhere in the corpus.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import replace


from pipeline.spans import trim_name
from pipeline.align.names import STOP_WORDS, fold
from pipeline.schema import Document, Mention, mention_id

_WORD = re.compile(r"\w+(?:['’]\w+)?")
_LINE_BREAK = re.compile("\n")
# A line's words of 4+ characters (a letter, then word characters, apostrophes, hyphens). A shorter
# run never matches, nor does any part of it, so these are the long ones of all such words.
_LONG_LINE_WORD = re.compile(r"[A-Za-z][\w'’-]{3,}")
# A line is Title Case when this share of its words of 4+ letters are capitalised (and it has 3+).
TITLE_CASE_SHARE = 0.8


def is_title_case(line: str) -> bool:
    long_words = _LONG_LINE_WORD.findall(line)
    if len(long_words) < 3:
        return False
    return sum(w[0].isupper() for w in long_words) >= TITLE_CASE_SHARE * len(long_words)


def title_line_flags(documents: list[Document], mentions: list[Mention]) -> list[bool]:
    """Per mention, whether its line is Title Case; decided once per distinct line.

    Mentions share lines (a headline holds several names, and repeated or syndicated articles
    repeat whole lines), so there are several times fewer lines than mentions to look at. A
    mention's line is found by its position among the document's line breaks, so a line holding
    thousands of names is cut out and read once, not once per name.
    """
    texts = {d.doc_id: d.text for d in documents}
    breaks: dict[str, list[int]] = {}  # doc_id -> offsets of its "\n"s
    by_position: dict[tuple[str, int, int], bool] = {}  # (doc_id, line start, line end) -> Title Case
    decided: dict[str, bool] = {}  # line text -> Title Case, across documents
    flags = []
    for m in mentions:
        text = texts[m.doc_id]
        if m.doc_id not in breaks:
            breaks[m.doc_id] = [b.start() for b in _LINE_BREAK.finditer(text)]
        line_start, line_end = _line_bounds(breaks[m.doc_id], len(text), m.start_char, m.end_char)
        title = by_position.get((m.doc_id, line_start, line_end))
        if title is None:
            line = text[line_start:line_end]
            title = decided.get(line)
            if title is None:
                title = decided[line] = is_title_case(line)
            by_position[(m.doc_id, line_start, line_end)] = title
        flags.append(title)
    return flags


def _line_bounds(breaks: list[int], n_chars: int, start: int, end: int) -> tuple[int, int]:
    """The line of a span ``start:end``, as offsets: from after the last line break before ``start``
    to the first line break at or after ``end`` (the whole text when there is none)."""
    before = bisect_left(breaks, start) - 1  # the last break before start (rfind("\n", 0, start))
    after = bisect_left(breaks, end)  # the first break at or after end (find("\n", end))
    return (breaks[before] + 1 if before >= 0 else 0), (breaks[after] if after < len(breaks) else n_chars)


def name_words(mentions: list[Mention], in_title_line: list[bool]) -> set[str]:
    """Words seen inside names in ordinary (not Title Case) lines: "Mark" in "W. Mark Felt"."""
    seen: set[str] = set()
    for text in {m.text for m, title in zip(mentions, in_title_line) if not title}:
        seen.update(fold(w) for w in _WORD.findall(text))
    return seen


def split_headline_names(documents: list[Document], mentions: list[Mention], common: set[str]) -> list[Mention]:
    """Mentions with ordinary words in Title Case lines cut out (a span may become two names, or none)."""
    docs = {d.doc_id: d for d in documents}
    in_title_line = title_line_flags(documents, mentions)
    known = name_words(mentions, in_title_line)
    out = []
    for m, title in zip(mentions, in_title_line):
        out.extend(split_mention(docs[m.doc_id].text, m, common, known) if title else [m])
    return out


def split_mention(text: str, m: Mention, common, known) -> list[Mention]:
    """The names left of a mention in a Title Case line once its ordinary words are cut out.

    ``common``: words the corpus writes in lowercase; ``known``: words it writes inside names in
    ordinary lines (:func:`name_words`). Both only need ``in``.
    """
    words = [(w.start() + m.start_char, w.end() + m.start_char, w.group()) for w in _WORD.finditer(m.text)]
    junk = [w for w in words if w[2][0].isupper() and fold(w[2]) in common and fold(w[2]) not in known]
    if not junk:
        return [m]
    out = []
    bounds = [m.start_char] + [x for s, e, _ in junk for x in (s, e)] + [m.end_char]
    for start, end in zip(bounds[::2], bounds[1::2]):
        start, end = trim_name(text, start, end, m.label)
        piece = text[start:end]
        piece_words = [fold(w) for w in _WORD.findall(piece)]
        if any(w in known and w not in STOP_WORDS for w in piece_words):
            out.append(replace(m, start_char=start, end_char=end, text=piece,
                               mention_id=mention_id(m.doc_id, start, end)))
    return out


def headline_words(mentions: list[Mention], in_title_line: list[bool]) -> set[str]:
    """The capitalised words of mentions in Title Case lines: the only words whose status matters."""
    return {fold(w) for m, title in zip(mentions, in_title_line) if title for w in _WORD.findall(m.text) if w[0].isupper()}
