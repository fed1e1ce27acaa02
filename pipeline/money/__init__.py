"""Amounts of money: found in the text, normalised to amount, ISO 4217 currency and bounds.

One grammar (:mod:`pipeline.money.grammar`, a single compiled regex per document) reads every
form news uses:

    [qualifier] [between|from] part [(- | to | and) part] [or more]
    part = [prefix] amount [suffix] [and 50 cents]

- amount: digits in English or European style (1,250,000 / 1.250.000 / 2,5), scale words and
  abbreviations (million, bn, m, K, MM, crore), written numbers ("two hundred million", "half a
  billion", "a euro");
- prefix / suffix: symbols, ISO codes and currency names, from CLDR plus the alias file
  (:mod:`pipeline.money.currencies`), before or after the number ("$25", "25$", "30SGD");
- qualifier: "in excess of", "up to", "nearly", ... -> amount_min / amount_max / approximate.

Every word list is data in ``rules/money.toml`` and ``rules/currency_aliases.toml``; the number
words are ``rules/numbers.toml``, read by :mod:`pipeline.numbers`, the parser dates share. A match
counts as money only with a currency marker, so "5 million people", "per cent" and "the 2022
budget" never are. Vague magnitudes ("millions of dollars", "a multibillion-dollar deal") have
their own pattern and give bounds without an amount.

Why rules over the text rather than spaCy's MONEY spans alone: the small model splits or clips
money spans ("$" left out, "in excess of" left out, "2 million" without its "euros") and tags
plain numbers as MONEY. The regex scan is about a millisecond per article; the model is used where
it is good, as a second opinion for markers that are also English words ("200 pounds", "5 won").

Amount conventions (``MoneyValue``):
- exact: amount_min == amount_max == amount;
- one-sided ("more than", "up to"): the stated amount and that bound, the other bound null;
- approximate ("about", "an estimated"): approximate=True, both bounds null; "nearly" / "almost"
  also give amount_max, "just over" amount_min;
- range ("$5-10 million", "from 30 to 40 dollars"): both bounds, amount their midpoint,
  approximate=True;
- vague ("millions of dollars"): amount null, bounds the order of magnitude, approximate=True.
"""

from __future__ import annotations

import bisect
import re
from collections import Counter
from dataclasses import asdict
from decimal import Decimal
from typing import Iterable

from pipeline.money.currencies import table
from pipeline.money.reading import Found, Marker, scan
from pipeline.schema import Document, MoneyRow, MoneyValue
from pipeline.spans import Span


# --- currency resolution -------------------------------------------------------------------------

def resolve(marker: Marker, evidence: Counter | None = None) -> tuple[str | None, bool]:
    """(ISO code, inferred): an unambiguous marker is its code; an ambiguous one goes to the
    candidate the document points at clearly more than the default (by ``prior`` clues, and at
    least half of all its clues), else to the default."""
    reading = marker.reading
    if not reading.ambiguous:
        return reading.default, False
    best = reading.default
    if evidence:
        top = min(reading.codes, key=lambda c: (-evidence.get(c, 0), c != reading.default, c))
        clues = evidence.get(top, 0)
        if clues > evidence.get(reading.default, 0) + reading.prior and 2 * clues >= sum(evidence.values()):
            best = top
    return best, True


# An amount written with an explicit currency ("C$5m", "50 Swiss francs") says more about the
# document's other amounts than a mention of the country does.
EXPLICIT_WEIGHT = 2


def document_evidence(text: str, ents: Iterable[Span], found: Iterable[Found] = ()) -> Counter:
    """Currencies the document points at: countries and nationalities it names (GPE, NORP) and
    the unambiguous currencies it writes out."""
    t = table()
    evidence: Counter = Counter()
    for span in ents:
        if span.label not in ("GPE", "NORP"):
            continue
        name = re.sub(r"^the\s+", "", text[span.start:span.end].strip(), flags=re.I)
        code = t.territory_currency.get(name.lower())
        codes = {code} if code else t.demonym_currency.get(name.lower().replace(".", ""), set())
        if len(codes) == 1:
            evidence[next(iter(codes))] += 1
    for f in found:
        if not f.marker.reading.ambiguous and f.marker.reading.default:
            evidence[f.marker.reading.default] += EXPLICIT_WEIGHT
    return evidence


def _to_value(f: Found, evidence: Counter | None = None) -> MoneyValue:
    currency, inferred = resolve(f.marker, evidence)
    return MoneyValue(
        amount=_float(f.amount), currency=currency, amount_min=_float(f.low), amount_max=_float(f.high),
        approximate=f.approximate, currency_inferred=inferred,
    )


def _float(d: Decimal | None) -> float | None:
    return None if d is None else float(d)


# --- public API -------------------------------------------------------------------------------------

def normalize(expression: str, context: Counter | None = None) -> MoneyValue | None:
    """The value of one money expression ("in excess of 200 million dollars"), or None if it
    names no currency ("5 million people", "per cent"). ``context`` is a document's
    :func:`document_evidence`, used to read ambiguous symbols."""
    # The caller's word that this is money also covers its case: "FIVE HUNDRED POUNDS", "Twenty Quid"
    # (in running text a capitalised weak name is a name: "Real Madrid").
    found = scan(expression) or scan(_upper_codes(expression)) or scan(_upper_codes(expression.lower()))
    if not found:
        return None
    best = max(found, key=lambda f: (f.end - f.start, -f.start))
    return _to_value(best, context)


def _upper_codes(expression: str) -> str:
    """ISO codes typed in lower case beside a number ("usd 250", "250 eur"), in capitals: an
    expression handed to normalize() is money by the caller's word. In running text a lower-case
    "try", "all" or "mad" is a word, so the scan of documents wants codes in capitals."""
    codes = table().codes
    return re.sub(r"(?<![^\W\d_])[a-z]{3}(?![^\W\d_])",
                  lambda m: m.group(0).upper() if m.group(0).upper() in codes and _beside_digit(expression, m) else m.group(0),
                  expression)


def _beside_digit(text: str, m: re.Match) -> bool:
    return bool(re.search(r"\d\s*$", text[:m.start()]) or re.match(r"\s*\d", text[m.end():]))


def extract_money(doc: Document, ents: list[Span]) -> list[MoneyRow]:
    """Money rows of one document: the rule scan, with the NER model as a second opinion.

    The model vetoes a match that lies inside a name ("Million Dollar Baby", "1B Mark Teixeira")
    and confirms markers that are also ordinary words ("200 pounds" may be a weight).
    """
    text = doc.text
    ents = sorted(ents, key=lambda s: (s.start, s.end))
    overlapping = _Overlaps(ents)
    kept = [f for f in scan(text) if _plausible(f, text, overlapping)]
    evidence = document_evidence(text, ents, kept)
    rows = []
    for f in kept:
        rows.append(MoneyRow(doc_id=doc.doc_id, start_char=f.start, end_char=f.end, text=text[f.start:f.end],
                             **asdict(_to_value(f, evidence))))
    return rows


NAME_LABELS = {"PERSON", "ORG", "WORK_OF_ART", "PRODUCT", "EVENT", "FAC", "LAW"}


class _Overlaps:
    """The entity spans overlapping a range, found by bisection: the spans are sorted and do not
    overlap each other (spaCy's doc.ents), so a document with many amounts and many entities
    costs n log n, not n * m."""

    def __init__(self, ents: list[Span]):
        self.ents = ents
        self.starts = [s.start for s in ents]
        self.ends = [s.end for s in ents]

    def __call__(self, start: int, end: int) -> list[Span]:
        lo = bisect.bisect_right(self.ends, start)
        hi = bisect.bisect_left(self.starts, end)
        return [s for s in self.ents[lo:hi] if s.start < end and start < s.end]


def _plausible(f: Found, text: str, overlapping_of: _Overlaps) -> bool:
    words = text[f.start:f.end].split()
    if len(words) > 1 and all(w[0].isupper() for w in words) and not re.search(r"\d", text[f.start:f.end]):
        return False  # "Million Dollar Mermaid": a title in capitals, not an amount
    overlapping = overlapping_of(f.start, f.end)
    model_says_money = any(s.label == "MONEY" for s in overlapping)
    if not model_says_money and any(s.label in NAME_LABELS and s.start <= f.start and f.end <= s.end
                                    for s in overlapping):
        return False
    if f.weak:
        return model_says_money  # weights in pounds are already left out by the scan
    return True
