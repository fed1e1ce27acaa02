"""Recall repair: a name the model recognised somewhere in the corpus is found everywhere it is written.

The model misses names it tags elsewhere (a surname found in nine sentences, missed in three). The
names it did tag become a phrase list, and a sweep over every document adds the occurrences it
missed, with the same provenance as model mentions (offsets, exact text, sentence, mention_id).

The sweep is a phrase matcher over word tokens (a dict from first token to the names it starts),
linear in the corpus size. It is our own rather than spaCy's ``PhraseMatcher`` because it must run
over the whole corpus on every alignment: regex tokenisation is 15x faster than spaCy's tokenizer
here, and it gives what we need beyond exact matching (case variants of later words, "Apple store"
for "Apple Store"; "T - Mobile" for "T-Mobile" in re-tokenised text).

Guards against common words, which are most of what could go wrong:
- a one-word name is swept only if it is not a stop word and its lowercase form is never written in
  lowercase anywhere in the corpus (so "Promises" or "Style" are not swept if "promises"/"style" occur);
- names must start with a capital (or contain one: "iPhone"), and every later word be capitalised
  or a particle ("Bank of America"); nothing longer than six words;
- a case variant ("Apple store") is accepted only mid-sentence and when its first word is not a stop word;
- an occurrence that is a piece of a longer name or word ("Prague" in "Prague Conservatory", "Terre"
  in "Basse-Terre", "CBC" in "CBC.ca") is not added: the guards of ``rules/sweep_guards.toml``.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections import Counter, defaultdict

from functools import lru_cache
from itertools import islice


from pipeline.spans import make_mention
from pipeline.align.headlines import is_title_case
from pipeline.align.names import PARTICLES, PERSON, STOP_WORDS, TITLES, fold
from pipeline.rulefiles import Cue, cues
from pipeline.align.votes import majority
from pipeline.schema import Document, Mention

TOKEN = re.compile(r"\w+|[^\w\s]")
# A word token (all of it) with some character other than a-z: a capital, a digit, an accent.
_NOT_LOWERCASE_WORD = re.compile(r"\b[a-z]*+[^\Wa-z]\w*")
_WORD_CHAR = re.compile(r"\w")
_LOWERCASE_WORD = re.compile(r"\b[a-z]+\b")
MAX_NAME_TOKENS = 6
ORIGIN_SWEEP = "sweep"
# What may lie between two names the model ran together: a possessive, quotes, spaces.
_JOINER = re.compile(r"[\s\"'‘’“”]*(?:['’]s?)?[\s\"'‘’“”]*")


SWEEP_GUARDS_FILE = "sweep_guards.toml"
GUARD_WHERE = ("before", "after")
# How much text on each side of an occurrence the guards look at (same line only).
GUARD_WINDOW = 40


@lru_cache(maxsize=1)
def guards() -> tuple[Cue, ...]:
    """The entries of ``rules/sweep_guards.toml``: where a found name is a piece of a longer one
    (patterns case-sensitive: a capitalised neighbour is what makes the longer name)."""
    return tuple(cue for cue, _ in cues(SWEEP_GUARDS_FILE, GUARD_WHERE, table="guard", flags=0))


def guarded(text: str, start: int, end: int, edges: frozenset[int] = frozenset()) -> str | None:
    """The guard that keeps the sweep from adding ``text[start:end]``, or None.

    A guard's ``word`` (the capitalised word next to the occurrence) does not count when it is a
    stop word or a title ("When Vargas", "Governor Vargas" are the name alone), when the model
    tagged it as a name of its own (``edges``: where the document's model mentions start and end;
    "the Egyptian MENA agency"), or when the line is Title Case (a headline: "Lindsay Lohan Checks
    Into Rehab"), where every word is capitalised.
    """
    before = text[max(0, start - GUARD_WINDOW) : start].rpartition("\n")[2]
    after = text[end : end + GUARD_WINDOW].partition("\n")[0]
    for g in guards():
        hit = g.pattern.search(before) if g.where == "before" else g.pattern.match(after)
        if hit is None:
            continue
        word = hit.groupdict().get("word")
        if word is not None:
            if word.lower() in STOP_WORDS or fold(word.rstrip(".")) in TITLES:
                continue
            own = start - len(before) + hit.end("word") if g.where == "before" else end + hit.start("word")
            if own in edges:
                continue
            line_start = text.rfind("\n", 0, start) + 1
            line_end = text.find("\n", end)
            if is_title_case(text[line_start : line_end if line_end >= 0 else len(text)]):
                continue
        return g.name
    return None


def lowercase_vocabulary(texts) -> set[str]:
    """Every word written in lowercase somewhere in the corpus: the corpus's own list of common words."""
    seen: set[str] = set()
    for text in texts:
        seen.update(_LOWERCASE_WORD.findall(text))
    return seen


def _is_name_word(tok: str) -> bool:
    return any(ch.isupper() for ch in tok) or fold(tok) in PARTICLES or not tok[0].isalnum() or tok.isdigit()


def name_phrases(mentions: list[Mention], common: set[str]) -> dict[tuple[str, ...], str]:
    """The model's names worth sweeping for, each with its majority label (model labels only),
    and the surnames of the people it named in full."""
    return phrases_from_votes(phrase_votes(mentions), common)


def phrase_votes(mentions: list[Mention]) -> dict[str, Counter]:
    """The model's labels on each name it wrote (the corpus tally the sweep is built from)."""
    votes: dict[str, Counter] = defaultdict(Counter)
    for m in mentions:
        if m.model_label is not None:
            votes[m.text][m.model_label] += 1
    return votes


def phrases_from_votes(votes_by_text: dict[str, Counter], common, memo: dict | None = None) -> dict[tuple[str, ...], str]:
    """Sweepable names (the guards of the module docstring) with their majority label, plus surnames.

    ``common``: the corpus's lowercase words among the names' words. ``memo`` (text -> its
    sweepable tokens) may be kept while the lowercase tally stays the same: a name's answer
    depends on nothing else."""
    votes: dict[tuple[str, ...], Counter] = defaultdict(Counter)
    if memo is None:
        memo = {}
    for text, counts in votes_by_text.items():
        toks = memo.get(text, memo)
        if toks is memo:
            toks = memo[text] = _sweepable(text, common)
        if toks:
            votes[toks].update(counts)
    phrases = {toks: majority(c) for toks, c in votes.items()}
    # Surnames of people named in full ("Jansen" of "Pieter Jansen"): news shortens to them.
    for toks, label in list(phrases.items()):
        last = toks[-1]
        if label == PERSON and len(toks) > 1 and fold(toks[-2]) not in PARTICLES and last[0].isupper() \
                and last.isalpha() and len(last) > 2 and last.lower() not in STOP_WORDS \
                and last.lower() not in common:
            phrases.setdefault((last,), PERSON)
    return phrases


def first_tokens(text: str) -> set[str]:
    """The words of a text at which a phrase may start (what :class:`Sweeper` looks at)."""
    return set(_NOT_LOWERCASE_WORD.findall(text))


def _sweepable(text: str, common: set[str]) -> tuple[str, ...] | None:
    """The tokens of a model mention worth sweeping for, or None: the guards of the module docstring."""
    toks = tuple(TOKEN.findall(text))
    if not toks or len(toks) > MAX_NAME_TOKENS or not any(ch.isupper() for ch in toks[0]):
        return None
    if not all(_is_name_word(t) for t in toks[1:]) or not toks[-1][0].isalnum():
        return None
    if len(toks) == 1:
        word = toks[0]
        if len(word) < 2 or word.isdigit() or word.lower() in STOP_WORDS or word.lower() in common:
            return None
    elif all(t.lower() in STOP_WORDS or not t[0].isalnum() for t in toks):
        return None
    return toks


class Sweeper:
    """The phrase list, indexed by first token then by the folded words after it; finds the names in one document.

    Lookups are by dict, never by scanning candidates, so the cost per token does not grow with
    the number of names in the corpus.
    """

    def __init__(self, phrases: dict[tuple[str, ...], str]):
        # first token as written -> number of later tokens -> later tokens folded -> [(label, tokens as written)]
        self.by_first: dict[str, dict[int, dict[tuple[str, ...], list]]] = defaultdict(lambda: defaultdict(dict))
        for toks, label in phrases.items():
            rest = tuple(fold(t) for t in toks[1:])
            self.by_first[toks[0]][len(rest)].setdefault(rest, []).append((label, toks))
        self.by_first = {k: dict(sorted(v.items(), reverse=True)) for k, v in self.by_first.items()}
        self.first_tokens = _first_token_pattern(self.by_first)

    def find(self, text: str, sentence_starts: set[int]) -> list[tuple[int, int, str]]:
        """(start, end, label) of every phrase occurrence, longest first where they overlap.

        Only tokens that may start a phrase are looked at (capitalised words, as name_phrases
        makes them: about one token in six), and the words after one are tokenised only when it
        does start a phrase, so the text is never tokenised in full.
        """
        found = []
        resume = 0  # a phrase found ends here: the next one starts at or after it
        for first in self.first_tokens.finditer(text):
            by_length = self.by_first.get(first.group())
            if by_length is None or first.start() < resume:
                continue
            hit = self._match(text, first, by_length, sentence_starts)
            if hit:
                found.append(hit)
                resume = hit[1]
        return found

    @staticmethod
    def _match(text: str, first: re.Match, by_length: dict, sentence_starts: set[int]) -> tuple[int, int, str] | None:
        """The longest phrase starting at ``first``; a case variant only mid-sentence and after no stop word."""
        longest = next(iter(by_length))
        later = list(islice(TOKEN.finditer(text, first.end()), longest)) if longest else []
        later_folded = tuple(fold(t.group()) for t in later)
        for length, table in by_length.items():
            if length > len(later):
                continue
            for label, written in table.get(later_folded[:length], ()):
                exact = all(t.group() == w for t, w in zip(later, written[1:]))
                if not exact and (first.start() in sentence_starts or written[0].lower() in STOP_WORDS):
                    continue
                return first.start(), later[length - 1].end() if length else first.end(), label
        return None


def _first_token_pattern(firsts) -> re.Pattern:
    """Finds every token that is one of ``firsts``, and more: any word holding a letter other than a-z.

    A first token that this word pattern would miss (a lowercase word or a symbol, which
    :func:`name_phrases` never gives) is added literally, so no phrase is ever missed.
    """
    other = sorted(t for t in firsts if not _NOT_LOWERCASE_WORD.fullmatch(t))
    literal = [rf"\b{re.escape(t)}\b" if re.match(r"\w", t) else re.escape(t) for t in other]
    return re.compile("|".join([_NOT_LOWERCASE_WORD.pattern, *literal]))


def sweep(documents: list[Document], mentions: list[Mention],
          sentences: dict[str, list[tuple[int, int]]], common: set[str] | None = None) -> list[Mention]:
    """Model mentions plus the names it missed; a longer swept name replaces the model spans inside it.

    ``common``: the corpus's lowercase words (computed here when not given).
    """
    if common is None:
        common = lowercase_vocabulary(d.text for d in documents)
    sweeper = Sweeper(name_phrases(mentions, common))
    by_doc: dict[str, list[Mention]] = defaultdict(list)
    for m in mentions:
        by_doc[m.doc_id].append(m)
    out: list[Mention] = []
    for doc in documents:
        sents = sentences.get(doc.doc_id) or [(0, len(doc.text))]
        out.extend(merge_spans(doc, by_doc.get(doc.doc_id, []), sweeper, sents))
    return out


def merge_spans(doc: Document, model: list[Mention], sweeper: Sweeper,
                sents: list[tuple[int, int]]) -> list[Mention]:
    starts = {s for s, _ in sents}
    starts |= {_first_word(doc.text, s, e) for s, e in sents}
    edges = frozenset(x for m in model for x in (m.start_char, m.end_char))
    # The guards run here, not in Sweeper.find: the incremental index asks find() which documents
    # hold a name at all, and must hear of every one that may gain a mention.
    found = [f for f in sweeper.find(doc.text, starts) if guarded(doc.text, f[0], f[1], edges) is None]
    found_starts = [s for s, _, _ in found]
    # Most names found are spans the model tagged too. Such a model mention is never removed
    # before its own turn comes: found names do not overlap, so it overlaps no earlier one.
    model_spans = {(m.start_char, m.end_char) for m in model}
    removed = [False] * len(model)
    # Found names come in text order and do not overlap, so the model mentions overlapping the
    # current one are found by a sweep over the model's sorted by start: each enters once and
    # leaves once it ends before the current name starts (linear, not found x model).
    by_start = sorted(range(len(model)), key=lambda i: model[i].start_char)
    entered, active = 0, []
    added = []
    for start, end, label in found:
        if (start, end) in model_spans:
            continue
        while entered < len(by_start) and model[by_start[entered]].start_char < end:
            active.append(by_start[entered])
            entered += 1
        active = [i for i in active if not removed[i] and start < model[i].end_char]
        overlapping = [model[i] for i in active]
        if any(m.start_char == start and m.end_char == end for m in overlapping):
            continue
        inside = all(start <= m.start_char and m.end_char <= end for m in overlapping)
        if overlapping and not inside and not all(_possessive_compound(m, found, found_starts) for m in overlapping):
            continue
        for i in active:
            removed[i] = True
        added.append(new_mention(doc, start, end, label, sents))
    kept_model = [m for i, m in enumerate(model) if not removed[i]]
    return sorted(kept_model + added, key=lambda m: (m.start_char, m.end_char))


def _first_word(text: str, start: int, end: int) -> int:
    m = _WORD_CHAR.search(text, start, end)
    return m.start() if m else start


def _possessive_compound(m: Mention, found: list[tuple[int, int, str]], found_starts: list[int] | None = None) -> bool:
    """The model's "Apple's iPhone": swept names joined by a possessive, not one name.

    ``found`` is in text order and does not overlap (``found_starts``: its starts, to look up the
    names inside ``m`` without scanning them all).
    """
    if found_starts is None:
        found_starts = [s for s, _, _ in found]
    inside = []
    for k in range(bisect_left(found_starts, m.start_char), len(found)):
        s, e, _ = found[k]
        if s >= m.end_char:
            break
        if e <= m.end_char:
            inside.append((s, e))
    if len(inside) < 2:
        return False
    rest = list(m.text)
    for s, e in inside:
        rest[s - m.start_char : e - m.start_char] = " " * (e - s)
    return _JOINER.fullmatch("".join(rest)) is not None


def new_mention(doc: Document, start: int, end: int, label: str, sents: list[tuple[int, int]]) -> Mention:
    return make_mention(doc, start, end, label, sents, model_label=None, origin=ORIGIN_SWEEP)
