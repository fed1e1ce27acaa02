"""normalize() on money, round 4 of issue 14: bounds and comparatives, ranges with scale words,
prices with a per-unit basis, written numbers in any case, currencies named by a country's adjective
("Australian $200", "100 Israeli shekels", "1,000 Brazilian reais"), local symbols and subunits.

Every value was worked out by hand; no form is copied from another tool's test suite or was in a
table under tests/ or rules/ before. Conventions (pipeline/money/__init__.py): a range's amount is its
midpoint, approximate; "up to"/"more than" keep the stated amount and one bound; "nearly" and
"almost" give amount_max and approximate. A price ("$4.99 a gallon", "$20 per share") is valued at
the price: the unit it is per is not part of MoneyValue (SPEC has no field for it).
Each row: expression, amount, currency, amount_min, amount_max, approximate.
"""

from __future__ import annotations

import math

import pytest

from pipeline.money import normalize

CASES = [
    # a subunit named with the country's adjective keeps its factor
    ("37.5 Canadian cents", 0.375, "CAD", 0.375, 0.375, False),
    ("eight Canadian cents", 0.08, "CAD", 0.08, 0.08, False),
    ("20 Australian cents", 0.2, "AUD", 0.2, 0.2, False),
    ('up to $5 million', 5000000.0, 'USD', None, 5000000.0, False),
    ('more than €300', 300.0, 'EUR', 300.0, None, False),
    ('nearly half a billion dollars', 500000000.0, 'USD', None, 500000000.0, True),
    ('between £10m and £12m', 11000000.0, 'GBP', 10000000.0, 12000000.0, True),
    ('$4.99 a gallon', 4.99, 'USD', 4.99, 4.99, False),
    ('$20 per share', 20.0, 'USD', 20.0, 20.0, False),
    ('C$500', 500.0, 'CAD', 500.0, 500.0, False),
    ('Australian $200', 200.0, 'AUD', 200.0, 200.0, False),
    ('A$1.5 billion', 1500000000.0, 'AUD', 1500000000.0, 1500000000.0, False),
    ('2,000 Mexican pesos', 2000.0, 'MXN', 2000.0, 2000.0, False),
    ('50,000 Indian rupees', 50000.0, 'INR', 50000.0, 50000.0, False),
    ('10 Swiss francs', 10.0, 'CHF', 10.0, 10.0, False),
    ('CHF 10', 10.0, 'CHF', 10.0, 10.0, False),
    ('1,000 Japanese yen', 1000.0, 'JPY', 1000.0, 1000.0, False),
    ('5 billion Chinese yuan', 5000000000.0, 'CNY', 5000000000.0, 5000000000.0, False),
    ('5 billion renminbi', 5000000000.0, 'CNY', 5000000000.0, 5000000000.0, False),
    ('RMB 5 billion', 5000000000.0, 'CNY', 5000000000.0, 5000000000.0, False),
    ('two hundred euros', 200.0, 'EUR', 200.0, 200.0, False),
    ('FIVE HUNDRED POUNDS', 500.0, 'GBP', 500.0, 500.0, False),
    ('one million dollars', 1000000.0, 'USD', 1000000.0, 1000000.0, False),
    ('ONE MILLION US DOLLARS', 1000000.0, 'USD', 1000000.0, 1000000.0, False),
    ('at least $2 billion', 2000000000.0, 'USD', 2000000000.0, None, False),
    ('less than $100', 100.0, 'USD', None, 100.0, False),
    ('over £50m', 50000000.0, 'GBP', 50000000.0, None, False),
    ('almost €1bn', 1000000000.0, 'EUR', None, 1000000000.0, True),
    ('roughly $3.5 million', 3500000.0, 'USD', None, None, True),
    ('an estimated $10 billion', 10000000000.0, 'USD', None, None, True),
    ('as much as $400 million', 400000000.0, 'USD', None, 400000000.0, False),
    ('in excess of £1 billion', 1000000000.0, 'GBP', 1000000000.0, None, False),
    ('$10-$20 million', 15000000.0, 'USD', 10000000.0, 20000000.0, True),
    ('from €5m to €7m', 6000000.0, 'EUR', 5000000.0, 7000000.0, True),
    ('between $1 and $2 a share', 1.5, 'USD', 1.0, 2.0, True),
    ('$1.25 per pound', 1.25, 'USD', 1.25, 1.25, False),
    ('$2.5bn-a-year', 2500000000.0, 'USD', 2500000000.0, 2500000000.0, False),
    ('£9.99 a month', 9.99, 'GBP', 9.99, 9.99, False),
    ('€2 per litre', 2.0, 'EUR', 2.0, 2.0, False),
    ('$3.2 billion in revenue', 3200000000.0, 'USD', 3200000000.0, 3200000000.0, False),
    ('sixty-five dollars', 65.0, 'USD', 65.0, 65.0, False),
    ('forty thousand pounds', 40000.0, 'GBP', 40000.0, 40000.0, False),
    ('$50k', 50000.0, 'USD', 50000.0, 50000.0, False),
    ('£2.3m', 2300000.0, 'GBP', 2300000.0, 2300000.0, False),
    ('€750,000', 750000.0, 'EUR', 750000.0, 750000.0, False),
    ('US$2.5 million', 2500000.0, 'USD', 2500000.0, 2500000.0, False),
    ('HK$3.8 billion', 3800000000.0, 'HKD', 3800000000.0, 3800000000.0, False),
    ('NZ$40 million', 40000000.0, 'NZD', 40000000.0, 40000000.0, False),
    ('S$1.2 billion', 1200000000.0, 'SGD', 1200000000.0, 1200000000.0, False),
    ('₹5 crore', 50000000.0, 'INR', 50000000.0, 50000000.0, False),
    ('Rs 2 lakh', 200000.0, 'INR', 200000.0, 200000.0, False),
    ('1.5 lakh rupees', 150000.0, 'INR', 150000.0, 150000.0, False),
    ('10 million won', 10000000.0, 'KRW', 10000000.0, 10000000.0, False),
    ('₩10 million', 10000000.0, 'KRW', 10000000.0, 10000000.0, False),
    ('3 million Swedish kronor', 3000000.0, 'SEK', 3000000.0, 3000000.0, False),
    ('500 Norwegian kroner', 500.0, 'NOK', 500.0, 500.0, False),
    ('200 Danish kroner', 200.0, 'DKK', 200.0, 200.0, False),
    ('1,000 Brazilian reais', 1000.0, 'BRL', 1000.0, 1000.0, False),
    ('2 million South African rand', 2000000.0, 'ZAR', 2000000.0, 2000000.0, False),
    ('40 Turkish lira', 40.0, 'TRY', 40.0, 40.0, False),
    ('100 Russian roubles', 100.0, 'RUB', 100.0, 100.0, False),
    ('100 Russian rubles', 100.0, 'RUB', 100.0, 100.0, False),
    ('£1.50', 1.5, 'GBP', 1.5, 1.5, False),
    ('$1,234.56', 1234.56, 'USD', 1234.56, 1234.56, False),
    ('1.2 billion USD', 1200000000.0, 'USD', 1200000000.0, 1200000000.0, False),
    ('EUR1,000', 1000.0, 'EUR', 1000.0, 1000.0, False),
    ('€ 1.000,50', 1000.5, 'EUR', 1000.5, 1000.5, False),
    ('1.000,50 €', 1000.5, 'EUR', 1000.5, 1000.5, False),
    ('five hundred pounds', 500.0, 'GBP', 500.0, 500.0, False),
    ('FIVE HUNDRED EUROS', 500.0, 'EUR', 500.0, 500.0, False),
    ('Five Hundred Pounds', 500.0, 'GBP', 500.0, 500.0, False),
    ('£500', 500.0, 'GBP', 500.0, 500.0, False),
    ('Canadian $50', 50.0, 'CAD', 50.0, 50.0, False),
    ('Mexican $300', 300.0, 'MXN', 300.0, 300.0, False),
    ('NT$500', 500.0, 'TWD', 500.0, 500.0, False),
    ('CDN$100', 100.0, 'CAD', 100.0, 100.0, False),
    ('Can$100', 100.0, 'CAD', 100.0, 100.0, False),
    ('AU$20', 20.0, 'AUD', 20.0, 20.0, False),
    ('US $5', 5.0, 'USD', 5.0, 5.0, False),
    ('U.S. $5 million', 5000000.0, 'USD', 5000000.0, 5000000.0, False),
    ('100 Brazilian real', 100.0, 'BRL', 100.0, 100.0, False),
    ('R$ 1,000', 1000.0, 'BRL', 1000.0, 1000.0, False),
    ('1,000 reais', 1000.0, 'BRL', 1000.0, 1000.0, False),
    ('500 Hong Kong dollars', 500.0, 'HKD', 500.0, 500.0, False),
    ('2 million Singapore dollars', 2000000.0, 'SGD', 2000000.0, 2000000.0, False),
    ('300 New Zealand dollars', 300.0, 'NZD', 300.0, 300.0, False),
    ('100 Egyptian pounds', 100.0, 'EGP', 100.0, 100.0, False),
    ('5,000 Nigerian naira', 5000.0, 'NGN', 5000.0, 5000.0, False),
    ('500 Philippine pesos', 500.0, 'PHP', 500.0, 500.0, False),
    ('100 Thai baht', 100.0, 'THB', 100.0, 100.0, False),
    ('200 Polish zlotys', 200.0, 'PLN', 200.0, 200.0, False),
    ('1,000 Czech crowns', 1000.0, 'CZK', 1000.0, 1000.0, False),
    ('1,000 Czech korunas', 1000.0, 'CZK', 1000.0, 1000.0, False),
    ('10,000 Hungarian forints', 10000.0, 'HUF', 10000.0, 10000.0, False),
    ('100 Israeli shekels', 100.0, 'ILS', 100.0, 100.0, False),
    ('50 Saudi riyals', 50.0, 'SAR', 50.0, 50.0, False),
    ('100 UAE dirhams', 100.0, 'AED', 100.0, 100.0, False),
    ('1,000 Pakistani rupees', 1000.0, 'PKR', 1000.0, 1000.0, False),
    ('1 million Indonesian rupiah', 1000000.0, 'IDR', 1000000.0, 1000000.0, False),
    ('100 Malaysian ringgit', 100.0, 'MYR', 100.0, 100.0, False),
    ('1 million Vietnamese dong', 1000000.0, 'VND', 1000000.0, 1000000.0, False),
    ('1,000 Argentine pesos', 1000.0, 'ARS', 1000.0, 1000.0, False),
    ('20 euro cents', 0.2, 'EUR', 0.2, 0.2, False),
    ('twenty quid', 20.0, 'GBP', 20.0, 20.0, False),
    ('1.5 billion Swiss francs', 1500000000.0, 'CHF', 1500000000.0, 1500000000.0, False),
    ('CHF1.5bn', 1500000000.0, 'CHF', 1500000000.0, 1500000000.0, False),
    ('JPY 100 million', 100000000.0, 'JPY', 100000000.0, 100000000.0, False),
    ('¥100 million', 100000000.0, 'JPY', 100000000.0, 100000000.0, False),
    ('100 million yen', 100000000.0, 'JPY', 100000000.0, 100000000.0, False),
    ('ten thousand yen', 10000.0, 'JPY', 10000.0, 10000.0, False),
    ('CNY 2.3 billion', 2300000000.0, 'CNY', 2300000000.0, 2300000000.0, False),
    ('2.3 billion RMB', 2300000000.0, 'CNY', 2300000000.0, 2300000000.0, False),
    ('two and a half million dollars', 2500000.0, 'USD', 2500000.0, 2500000.0, False),
    ('up to three million dollars', 3000000.0, 'USD', None, 3000000.0, False),
    ('more than a thousand euros', 1000.0, 'EUR', 1000.0, None, False),
    ('at most £20', 20.0, 'GBP', None, 20.0, False),
    ('a minimum of $1,000', 1000.0, 'USD', 1000.0, None, False),
    ('$4.99/gallon', 4.99, 'USD', 4.99, 4.99, False),
    ('US$ 12.50 per share', 12.5, 'USD', 12.5, 12.5, False),
    ('£5bn-£6bn', 5500000000.0, 'GBP', 5000000000.0, 6000000000.0, True),
    ('€3bn to €4bn', 3500000000.0, 'EUR', 3000000000.0, 4000000000.0, True),
    ('between 10 and 12 million pounds', 11000000.0, 'GBP', 10000000.0, 12000000.0, True),
]

NOT_MONEY = ["Australian troops", "the Canadian dollar's fall", "Swiss watches", "Brazilian players",
             "5 Canadian provinces", "20 Mexican states"]


@pytest.mark.parametrize("text, amount, currency, low, high, approximate", CASES, ids=[c[0] for c in CASES])
def test_round_four_amount(text, amount, currency, low, high, approximate):
    got = normalize(text)
    assert got is not None, f"{text!r}: no money found"
    assert got.currency == currency, got
    for name, want, have in (("amount", amount, got.amount), ("amount_min", low, got.amount_min),
                             ("amount_max", high, got.amount_max)):
        assert (want is None and have is None) or (want is not None and have is not None
                                                   and math.isclose(want, have)), (name, got)
    assert got.approximate is approximate, got


@pytest.mark.parametrize("text", NOT_MONEY)
def test_a_country_adjective_alone_is_no_money(text):
    assert normalize(text) is None


def test_a_country_adjective_is_read_in_running_text():
    from pipeline.money.reading import scan

    found = scan("The fare rose to Australian $200 and 100 Israeli shekels were paid.")
    assert [(f.amount, f.marker.reading.default) for f in found] == [(200, "AUD"), (100, "ILS")]


def test_the_table_is_large_and_has_no_duplicates():
    texts = [c[0] for c in CASES]
    assert len(texts) == len(set(texts)) and len(texts) >= 100
