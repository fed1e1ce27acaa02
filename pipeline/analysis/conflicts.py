"""Figures that sources report differently: the ``conflicts`` table.

Two amounts are compared only when they are figures of the same thing: tied to the same entity (the
nearest name in the amount's sentence), stating the same kind of fact (the nearest cue word, e.g.
"acquisition", "bail", "salary": ``rules/money_facts.toml``), in the same currency, and from
different documents. Within one such group the figures either agree (their ranges overlap once
each is widened by half a unit of its last written digit: "$7.7 billion" agrees with "$7.68 billion",
"about $13 billion" with "$13.2 billion", "$200 million" not with "$230 million") or they fall
into several clusters, which is a conflict. Never compared:

- a restatement of the amount before it in the same sentence (a conversion "€200 million ($230
  million)", a breakdown "($281M in cash)", "$184 million, or $23 million a season");
- amounts with no entity or no fact cue in their sentence (nothing says what they are figures of);
- amounts in different currencies (a conversion by another source is not a disagreement);
- amounts from documents that tell different stories: two documents are compared only when they are
  linked by documents that each share at least ``STORY_MIN_SHARED`` entities (AMD buying ATI in 2006
  and AMD buying SeaMicro in 2012 are both "AMD, acquisition", told by documents that share little
  else);
- open-ended figures ("more than $160 million", "as much as $180 million"): they agree with every
  larger (or smaller) figure and would chain disagreeing ones into one "agreeing" cluster;
- figures more than ``MAX_RATIO`` apart: "$9.21" a share and "$334 million" for a company are both
  "AMD, price", but no source misreports a figure by that much; such figures are different facts;
- the figures of a document that itself gives disagreeing figures for the group: there the key
  names several facts (two products' prices, two seasons' salaries), not one.

A pure function over the flow's rows (:func:`find_conflicts`); the flow runs it after alignment.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache

from pipeline import rulefiles
from pipeline.schema import ConflictRow, Document, Entity, Mention, MoneyRow

RULE_FILE = "money_facts.toml"
# A fact cue counts when it is at most this many characters from the amount (within its sentence).
CUE_WINDOW = 60
# Labels of the names a figure can be tied to.
TIE_LABELS = frozenset({"PERSON", "ORG", "GPE", "FAC", "NORP", "PRODUCT", "WORK_OF_ART", "EVENT", "LOC"})
QUALIFIER_WHERE = ("before", "after")
# Figures further apart than this factor are figures of different facts, not a disagreement.
MAX_RATIO = 2.0
# Two documents tell the same story when they name at least this many of the same entities.
STORY_MIN_SHARED = 3


@dataclass(frozen=True)
class Rule:
    name: str
    pattern: re.Pattern
    examples: tuple[str, ...]
    where: str = ""
    label: str = ""


@dataclass(frozen=True)
class Rules:
    facts: tuple[Rule, ...]
    qualifiers: tuple[Rule, ...]
    restatements: tuple[Rule, ...]


@lru_cache(maxsize=1)
def rules() -> Rules:
    base = {"name": str, "pattern": str, "examples": list}
    facts = tuple(Rule(r["name"], re.compile(r["pattern"], re.I), tuple(r["examples"]))
                  for r in rulefiles.records(RULE_FILE, "fact", base))
    qualifiers = tuple(Rule(r["name"], re.compile(r["pattern"], re.I), tuple(r["examples"]),
                            rulefiles.choice(RULE_FILE, r, "where", QUALIFIER_WHERE), r["label"])
                       for r in rulefiles.records(RULE_FILE, "qualifier", {**base, "where": str, "label": str}))
    restatements = tuple(Rule(r["name"], re.compile(r["pattern"], re.I), tuple(r["examples"]))
                         for r in rulefiles.records(RULE_FILE, "restatement", base))
    return Rules(facts, qualifiers, restatements)


# --- reading one amount -----------------------------------------------------------------------------

def fact_of(text: str, start: int, end: int, sentence: tuple[int, int]) -> str | None:
    """The kind of fact the amount at ``text[start:end]`` states: the nearest cue in its sentence, qualified."""
    s_start, s_end = sentence
    best: tuple[int, str] | None = None
    for rule in rules().facts:
        for m in rule.pattern.finditer(text, max(s_start, start - CUE_WINDOW), min(s_end, end + CUE_WINDOW)):
            if m.start() < end and start < m.end():
                continue  # a cue inside the amount itself ("in damages" is not part of "$1 million")
            gap = start - m.end() if m.end() <= start else m.start() - end
            if best is None or gap < best[0]:
                best = (gap, rule.name)
    if best is None:
        return None
    fact = best[1]
    for rule in rules().qualifiers:
        if rule.where == "after":
            m = rule.pattern.match(text[end:s_end])
        else:
            m = rule.pattern.search(text[max(s_start, start - CUE_WINDOW):start])
        if m:
            fact += " " + rule.label.format(*(g.lower() for g in m.groups() if g))
            break
    return fact


def is_restatement(gap: str) -> bool:
    """True when ``gap`` (the text between two amounts of one sentence) makes the second restate the first."""
    return any(rule.pattern.match(gap) for rule in rules().restatements)


_NUMBER = re.compile(r"\d+(?:,\s?\d{3})*(?:\s?\.\s?\d+)?")


def bounds(row: MoneyRow) -> tuple[float, float]:
    """The range a figure allows: its stated bounds, widened by half a unit of its last written digit.

    An upper bound alone ("nearly $80 million") reaches a tenth below it; a lower bound alone is open.
    """
    # "nearly $80 million" has only an upper bound: read it as within a tenth below
    low = row.amount_min if row.amount_min is not None else (0.9 * row.amount_max if row.amount_max is not None else row.amount)
    high = row.amount_max if row.amount_max is not None else (math.inf if row.amount_min is not None else row.amount)
    slack = rounding(row)
    return low - slack, high + slack


def rounding(row: MoneyRow) -> float:
    """Half a unit of the last digit written: "$7.7 billion" -> 0.05e9; "$200 million" -> 0.5e6."""
    numbers = _NUMBER.findall(row.text)
    ranged = row.amount_min is not None and row.amount_max is not None and row.amount_min != row.amount_max
    reference = row.amount_max if ranged else row.amount
    if not numbers or not reference:
        return 0.005 * abs(row.amount or 0.0)
    written = re.sub(r"[,\s]", "", numbers[-1])
    value = float(written)
    if value == 0:
        return 0.005 * abs(reference)
    decimals = len(written.split(".")[1]) if "." in written else 0
    return 0.5 * 10 ** -decimals * abs(reference) / value


# --- the groups -------------------------------------------------------------------------------------

@dataclass
class Figure:
    row: MoneyRow
    entity_id: str
    fact: str
    low: float
    high: float
    sentence: str = ""  # the amount's sentence, as the conflict row shows it


def find_conflicts(documents: list[Document], sentences: dict[str, list[tuple[int, int]]],
                   mentions: list[Mention], entities: list[Entity], money: list[MoneyRow]) -> list[ConflictRow]:
    """Every figure of every group whose sources disagree (see the module docstring), in a stable order."""
    figures = document_figures(documents, sentences, mentions, money)
    return conflicts_among(figures, named_entities(mentions), {e.entity_id: e.name for e in entities})


def document_figures(documents: list[Document], sentences: dict[str, list[tuple[int, int]]],
                     mentions: list[Mention], money: list[MoneyRow]) -> list[Figure]:
    """The comparable figures of some documents: a function of each document alone (and its entities)."""
    texts = {d.doc_id: d.text for d in documents}
    return read_figures(texts, sentences, _tie_mentions(mentions), money)


def named_entities(mentions: list[Mention]) -> dict[str, set[str]]:
    """Per document, the entities its figures can be tied to (what two documents of one story share)."""
    named: dict[str, set[str]] = defaultdict(set)
    for (doc_id, _), ms in _tie_mentions(mentions).items():
        named[doc_id].update(m.entity_id for m in ms)
    return named


def _tie_mentions(mentions: list[Mention]) -> dict[tuple[str, int], list[Mention]]:
    by_sentence: dict[tuple[str, int], list[Mention]] = defaultdict(list)
    for m in mentions:
        if m.entity_id and m.label in TIE_LABELS:
            by_sentence[(m.doc_id, m.sentence_index)].append(m)
    return by_sentence


def conflicts_among(figures: list[Figure], named: dict[str, set[str]], names: dict[str, str]) -> list[ConflictRow]:
    """The conflict rows of these figures, grouped by entity, fact and currency, then story."""
    groups: dict[tuple[str, str, str | None], list[Figure]] = defaultdict(list)
    for figure in figures:
        groups[(figure.entity_id, figure.fact, figure.row.currency)].append(figure)
    out: list[ConflictRow] = []
    for (entity_id, fact, currency), group in sorted(groups.items(), key=lambda kv: (kv[0][0], kv[0][1], kv[0][2] or "")):
        for story in stories(_unambiguous(group), named):
            for family in same_magnitude(story):
                clusters = agreeing_clusters(family)
                if len({f.row.doc_id for f in family}) < 2 or len(clusters) < 2:
                    continue
                out.extend(_rows(entity_id, names.get(entity_id, entity_id), fact, currency, clusters))
    return out


def same_magnitude(figures: list[Figure]) -> list[list[Figure]]:
    """The figures cut where one is more than ``MAX_RATIO`` times the one below it."""
    families: list[list[Figure]] = []
    for f in sorted(figures, key=lambda f: f.row.amount):
        if families and f.row.amount <= MAX_RATIO * families[-1][-1].row.amount:
            families[-1].append(f)
        else:
            families.append([f])
    return families


def stories(figures: list[Figure], named: dict[str, set[str]]) -> list[list[Figure]]:
    """The figures split by story: documents linked (transitively) by ``STORY_MIN_SHARED`` shared entities."""
    docs = sorted({f.row.doc_id for f in figures})
    parent = {d: d for d in docs}

    def root(d: str) -> str:
        while parent[d] != d:
            parent[d] = parent[parent[d]]
            d = parent[d]
        return d

    for i, a in enumerate(docs):
        for b in docs[i + 1:]:
            if len(named.get(a, set()) & named.get(b, set())) >= STORY_MIN_SHARED:
                parent[root(b)] = root(a)
    out: dict[str, list[Figure]] = defaultdict(list)
    for f in figures:
        out[root(f.row.doc_id)].append(f)
    return [out[k] for k in sorted(out)]


def read_figures(texts: dict[str, str], sentences: dict[str, list[tuple[int, int]]],
                 by_sentence: dict[tuple[str, int], list[Mention]], money: list[MoneyRow]) -> list[Figure]:
    """The amounts that can be compared: with a figure, not a restatement, tied to an entity and a fact."""
    figures = []
    previous: MoneyRow | None = None
    for row in sorted(money, key=lambda r: (r.doc_id, r.start_char)):
        text = texts.get(row.doc_id)
        after = previous
        previous = row
        if text is None or row.amount is None:
            continue
        if (after is not None and after.doc_id == row.doc_id and after.sentence_index == row.sentence_index
                and is_restatement(text[after.end_char:row.start_char])):
            continue
        doc_sentences = sentences.get(row.doc_id) or [(0, len(text))]
        sentence = doc_sentences[min(row.sentence_index, len(doc_sentences) - 1)]
        tie = nearest(by_sentence.get((row.doc_id, row.sentence_index), []), row.start_char, row.end_char)
        fact = fact_of(text, row.start_char, row.end_char, sentence)
        if tie is None or fact is None:
            continue
        low, high = bounds(row)
        if math.isinf(high) or (row.amount_min is None and row.amount_max is not None and not row.approximate):
            continue  # open-ended: "more than", "at least", "as much as", "up to"
        figures.append(Figure(row, tie.entity_id, fact, low, high, text[sentence[0]:sentence[1]].strip()))
    return figures


def nearest(mentions: list[Mention], start: int, end: int) -> Mention | None:
    """The mention closest to the span (the one before it on a tie); none that overlaps it."""
    best, best_key = None, None
    for m in mentions:
        if m.start_char < end and start < m.end_char:
            continue
        before = m.end_char <= start
        key = (start - m.end_char if before else m.start_char - end, not before)
        if best_key is None or key < best_key:
            best, best_key = m, key
    return best


def agreeing_clusters(figures: list[Figure]) -> list[list[Figure]]:
    """Figures whose ranges overlap, chained: one cluster means the sources agree."""
    clusters: list[list[Figure]] = []
    high = -math.inf
    for f in sorted(figures, key=lambda f: (f.low, f.high)):
        if clusters and f.low <= high:
            clusters[-1].append(f)
            high = max(high, f.high)
        else:
            clusters.append([f])
            high = f.high
    return clusters


def _unambiguous(figures: list[Figure]) -> list[Figure]:
    """Without the documents that give disagreeing figures for this key themselves."""
    by_doc: dict[str, list[Figure]] = defaultdict(list)
    for f in figures:
        by_doc[f.row.doc_id].append(f)
    return [f for doc in by_doc.values() if len(agreeing_clusters(doc)) == 1 for f in doc]


def _rows(entity_id: str, entity: str, fact: str, currency: str | None, clusters: list[list[Figure]]) -> list[ConflictRow]:
    figures = [f for c in clusters for f in c]
    first_doc = min(f.row.doc_id for f in figures)  # the story, for an id that differs between stories
    conflict_id = "C" + hashlib.blake2b(f"{entity_id}\0{fact}\0{currency}\0{first_doc}".encode(), digest_size=8).hexdigest()
    values = [f.row.amount for f in figures]
    spread = max(values) / min(values) if min(values) > 0 else math.inf
    n_docs = len({f.row.doc_id for f in figures})
    sides = " vs ".join(
        f"{_money(c[0].row.amount, currency)} ({len({f.row.doc_id for f in c})} document"
        f"{'s' if len({f.row.doc_id for f in c}) > 1 else ''})" for c in clusters)
    reason = f"{entity}, {fact}: {sides}"
    rows = []
    for f in sorted(figures, key=lambda f: (f.row.doc_id, f.row.start_char)):
        r = f.row
        rows.append(ConflictRow(
            conflict_id=conflict_id, entity_id=entity_id, kind="money", doc_id=r.doc_id,
            start_char=r.start_char, end_char=r.end_char, text=r.text, value=r.amount, reason=reason,
            currency=currency, fact=fact, entity=entity, sentence_index=r.sentence_index,
            sentence=f.sentence, spread=spread, n_docs=n_docs,
        ))
    return rows


def _money(amount: float, currency: str | None) -> str:
    for scale, word in ((1e12, "trillion"), (1e9, "billion"), (1e6, "million")):
        if abs(amount) >= scale:
            return f"{currency or '?'} {amount / scale:g} {word}"
    return f"{currency or '?'} {amount:,.2f}".rstrip("0").rstrip(".")
