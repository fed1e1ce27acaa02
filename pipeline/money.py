"""Amounts of money: detection on top of spaCy's MONEY spans, normalisation to amount + ISO 4217.

First level (the money issue deepens it): spaCy's MONEY spans, a symbol or code or currency word,
a number and a scale word.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pipeline.nlp import Span
from pipeline.schema import Document, MoneyRow


@dataclass(frozen=True)
class MoneyValue:
    amount: float | None
    currency: str | None
    amount_min: float | None
    amount_max: float | None
    approximate: bool
    currency_inferred: bool = False


_SYMBOLS = {"$": "USD", "€": "EUR", "£": "GBP", "¥": "JPY", "₹": "INR"}
_WORDS = {"dollar": "USD", "euro": "EUR", "pound": "GBP", "yen": "JPY", "rupee": "INR"}
_SCALES = {"thousand": 1e3, "k": 1e3, "million": 1e6, "m": 1e6, "mn": 1e6, "billion": 1e9, "bn": 1e9, "b": 1e9, "trillion": 1e12}
_NUMBER = re.compile(r"(\d[\d,]*(?:\.\d+)?)\s*(thousand|million|billion|trillion|bn|mn|k|m|b)?\b", re.I)


def normalize(expression: str) -> MoneyValue | None:
    m = _NUMBER.search(expression)
    if not m:
        return None
    amount = float(m.group(1).replace(",", "")) * _SCALES.get((m.group(2) or "").lower(), 1.0)
    currency, inferred = None, False
    for symbol, code in _SYMBOLS.items():
        if symbol in expression:
            currency, inferred = code, symbol in "$¥"
    lowered = expression.lower()
    for word, code in _WORDS.items():
        if word in lowered:
            currency = code
    lower_bound_only = bool(re.search(r"\b(in excess of|more than|over|at least)\b", lowered))
    upper_bound_only = bool(re.search(r"\b(up to|under|less than|at most)\b", lowered))
    approximate = bool(re.search(r"\b(about|around|roughly|nearly|almost|some)\b", lowered))
    return MoneyValue(
        amount=amount,
        currency=currency,
        amount_min=None if upper_bound_only else amount,
        amount_max=None if lower_bound_only else amount,
        approximate=approximate,
        currency_inferred=inferred,
    )


def extract_money(doc: Document, ents: list[Span]) -> list[MoneyRow]:
    rows = []
    for span in ents:
        if span.label != "MONEY":
            continue
        text = doc.text[span.start : span.end]
        mv = normalize(text)
        if mv is None:
            continue
        rows.append(MoneyRow(doc.doc_id, span.start, span.end, text, mv.amount, mv.currency,
                             mv.amount_min, mv.amount_max, mv.approximate, mv.currency_inferred))
    return rows
