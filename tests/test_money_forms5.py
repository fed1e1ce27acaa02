"""normalize() on money, round 5 of issue 14: each class of the issue again as news writes it, with
look-alikes that must stay out (rates, scores, model and phone numbers, a tournament, a weight).

Every value was worked out by hand; no form is copied from another tool's test suite or was in a
table under tests/ or rules/ before, except "Hong Kong dollars 500", the form the round started from
(a currency name before the number). Conventions as in test_money_forms4.py: a range's amount is
its midpoint, approximate; "under"/"more than" keep the stated amount and one bound; "nearly" gives
amount_max and approximate; a price is valued at the price.
Each row: expression, amount, currency, amount_min, amount_max, approximate.
"""

from __future__ import annotations

import math

import pytest

from pipeline.money import normalize

CASES = [
    # a currency name written before the number
    ("Hong Kong dollars 500", 500.0, "HKD", 500.0, 500.0, False),
    ("US dollars 2 million", 2000000.0, "USD", 2000000.0, 2000000.0, False),
    ("Singapore dollars 1.2 billion", 1200000000.0, "SGD", 1200000000.0, 1200000000.0, False),
    ("euros 1,200", 1200.0, "EUR", 1200.0, 1200.0, False),
    # prices, subunits and compound amounts
    ("$12.50 an hour", 12.5, "USD", 12.5, 12.5, False),
    ("25 cents", 0.25, "USD", 0.25, 0.25, False),
    ("49p", 0.49, "GBP", 0.49, 0.49, False),
    ("5 euros 50", 5.5, "EUR", 5.5, 5.5, False),
    ("two pounds forty", 2.4, "GBP", 2.4, 2.4, False),
    ("two dollars and fifty cents", 2.5, "USD", 2.5, 2.5, False),
    ("$3.50 per gallon", 3.5, "USD", 3.5, 3.5, False),
    ("€9.99/month", 9.99, "EUR", 9.99, 9.99, False),
    ("$0.05", 0.05, "USD", 0.05, 0.05, False),
    ("£30,000-a-year", 30000.0, "GBP", 30000.0, 30000.0, False),
    # local symbols, codes and abbreviations
    ("R$ 150", 150.0, "BRL", 150.0, 150.0, False),
    ("Rs. 1,250", 1250.0, "INR", 1250.0, 1250.0, False),
    ("1,000 rupees", 1000.0, "INR", 1000.0, 1000.0, False),
    ("₦750 million", 750000000.0, "NGN", 750000000.0, 750000000.0, False),
    ("500 zł", 500.0, "PLN", 500.0, 500.0, False),
    ("350 Kč", 350.0, "CZK", 350.0, 350.0, False),
    ("RM50 million", 50000000.0, "MYR", 50000000.0, 50000000.0, False),
    ("AED 100", 100.0, "AED", 100.0, 100.0, False),
    ("NT$300", 300.0, "TWD", 300.0, 300.0, False),
    ("₩1.5 trillion", 1500000000000.0, "KRW", 1500000000000.0, 1500000000000.0, False),
    ("CAD 75", 75.0, "CAD", 75.0, 75.0, False),
    ("5,000 yuan", 5000.0, "CNY", 5000.0, 5000.0, False),
    ("US$ 150", 150.0, "USD", 150.0, 150.0, False),
    ("SFr 20", 20.0, "CHF", 20.0, 20.0, False),
    # scale words and abbreviations
    ("$2.2 trillion", 2200000000000.0, "USD", 2200000000000.0, 2200000000000.0, False),
    ("USD 3.4bn", 3400000000.0, "USD", 3400000000.0, 3400000000.0, False),
    ("3.4 bln euros", 3400000000.0, "EUR", 3400000000.0, 3400000000.0, False),
    ("EUR 500m", 500000000.0, "EUR", 500000000.0, 500000000.0, False),
    ("a billion euros", 1000000000.0, "EUR", 1000000000.0, 1000000000.0, False),
    ("half a million Swiss francs", 500000.0, "CHF", 500000.0, 500000.0, False),
    ("a quarter of a million pounds", 250000.0, "GBP", 250000.0, 250000.0, False),
    ("twelve thousand euros", 12000.0, "EUR", 12000.0, 12000.0, False),
    ("20 bucks", 20.0, "USD", 20.0, 20.0, False),
    ("fifty quid", 50.0, "GBP", 50.0, 50.0, False),
    # ranges, bounds and qualifiers
    ("between $40 and $50", 45.0, "USD", 40.0, 50.0, True),
    ("$5 to $7 billion", 6000000000.0, "USD", 5000000000.0, 7000000000.0, True),
    ("from 100 to 150 euros", 125.0, "EUR", 100.0, 150.0, True),
    ("about £40", 40.0, "GBP", None, None, True),
    ("under $1,000", 1000.0, "USD", None, 1000.0, False),
    ("more than 2 million dollars", 2000000.0, "USD", 2000000.0, None, False),
    ("some $80 million", 80000000.0, "USD", None, None, True),
    ("nearly €2bn", 2000000000.0, "EUR", None, 2000000000.0, True),
]

NOT_MONEY = ["at 120 miles per hour", "a 747", "version 2.0", "won 3-2", "dial 555-0142", "Euro 2028",
             "the dollar fell 2%", "20 percent", "pound for pound", "Dollar General", "a 50-pound bag"]


@pytest.mark.parametrize("text, amount, currency, low, high, approximate", CASES, ids=[c[0] for c in CASES])
def test_round_five_amount(text, amount, currency, low, high, approximate):
    got = normalize(text)
    assert got is not None, f"{text!r}: no money found"
    assert got.currency == currency, got
    for name, want, have in (("amount", amount, got.amount), ("amount_min", low, got.amount_min),
                             ("amount_max", high, got.amount_max)):
        assert (want is None and have is None) or (want is not None and have is not None
                                                   and math.isclose(want, have)), (name, got)
    assert got.approximate is approximate, got


@pytest.mark.parametrize("text", NOT_MONEY)
def test_no_money(text):
    assert normalize(text) is None


def test_the_table_has_no_duplicates():
    texts = [c[0] for c in CASES] + NOT_MONEY
    assert len(texts) == len(set(texts)) and len(texts) >= 50
