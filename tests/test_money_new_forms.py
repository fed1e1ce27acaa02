"""normalize() on money as a new user writes it: spacing, case, symbol and code order, local
symbols, compound amounts, negatives, bounds, and look-alikes that are not money.

Every expected value was worked out by hand; no form is copied from another tool's test suite.
Each row: expression, amount, currency, amount_min, amount_max, approximate.
"""

from __future__ import annotations

import math

import pytest

from pipeline.money import normalize

K, M, B, T = 1e3, 1e6, 1e9, 1e12


def exact(text, amount, currency):
    return (text, amount, currency, amount, amount, False)


def lower(text, amount, currency, approximate=False):
    return (text, amount, currency, amount, None, approximate)


def upper(text, amount, currency, approximate=False):
    return (text, amount, currency, None, amount, approximate)


def about(text, amount, currency):
    return (text, amount, currency, None, None, True)


def span(text, low, high, currency):
    return (text, (low + high) / 2, currency, low, high, True)


CASES = [
    # codes and symbols, before or after, with scale abbreviations
    exact("USD 2.5bn", 2.5 * B, "USD"),
    exact("7 bn dollars", 7 * B, "USD"),
    exact("EUR 1.2 trillion", 1.2 * T, "EUR"),
    exact("GBP 40k", 40 * K, "GBP"),
    exact("$7bn", 7 * B, "USD"),
    exact("$500M", 500 * M, "USD"),
    exact("$3B", 3 * B, "USD"),
    exact("$40K", 40 * K, "USD"),
    exact("£1.5bn", 1.5 * B, "GBP"),
    exact("US$ 1,500", 1500, "USD"),
    exact("1,500 US dollars", 1500, "USD"),
    exact("usd 250", 250, "USD"),
    exact("250 usd", 250, "USD"),
    exact("eur 80", 80, "EUR"),
    exact("$ 1.2 million", 1.2 * M, "USD"),
    exact("$1.2million", 1.2 * M, "USD"),
    exact("1.2 million USD", 1.2 * M, "USD"),
    exact("USD1.2m", 1.2 * M, "USD"),
    # European separators and order
    exact("3.500 €", 3500, "EUR"),
    exact("2.300.000 euros", 2.3 * M, "EUR"),
    exact("1 000 Kč", 1000, "CZK"),
    exact("2 500 zł", 2500, "PLN"),
    exact("€ 4,50", 4.5, "EUR"),
    exact("12,99 €", 12.99, "EUR"),
    # other dollars and local symbols
    exact("500 Canadian dollars", 500, "CAD"),
    exact("AU$ 50", 50, "AUD"),
    exact("NZ$ 10", 10, "NZD"),
    exact("S$2 billion", 2 * B, "SGD"),
    exact("HK$500", 500, "HKD"),
    exact("NT$1,000", 1000, "TWD"),
    exact("R$3.5 million", 3.5 * M, "BRL"),
    exact("JPY 1.5 billion", 1.5 * B, "JPY"),
    exact("RMB 500", 500, "CNY"),
    exact("500 yuan", 500, "CNY"),
    exact("CNY 3 billion", 3 * B, "CNY"),
    exact("Rs. 50 lakh", 5 * M, "INR"),
    exact("INR 1,200", 1200, "INR"),
    exact("CHF 2.5 million", 2.5 * M, "CHF"),
    exact("2 million Swiss francs", 2 * M, "CHF"),
    exact("SFr 100", 100, "CHF"),
    exact("₦2.5 billion", 2.5 * B, "NGN"),
    exact("PLN 300", 300, "PLN"),
    exact("RM1.2 billion", 1.2 * B, "MYR"),
    exact("Dh500", 500, "AED"),
    exact("AED 2 million", 2 * M, "AED"),
    exact("₩50,000", 50 * K, "KRW"),
    exact("₽1,000", 1000, "RUB"),
    exact("1,000 rubles", 1000, "RUB"),
    exact("₺200", 200, "TRY"),
    exact("200 rand", 200, "ZAR"),
    exact("KSh 500", 500, "KES"),
    exact("Ksh500", 500, "KES"),
    # attached markers, slang, subunits, compound amounts
    exact("10$", 10, "USD"),
    exact("2.5k€", 2500, "EUR"),
    exact("20CHF", 20, "CHF"),
    exact("15USD", 15, "USD"),
    exact("50 grand", 50 * K, "USD"),
    exact("five bucks", 5, "USD"),
    exact("10 quid", 10, "GBP"),
    exact("$0.50", 0.5, "USD"),
    exact("$12.50", 12.5, "USD"),
    exact("3 euros 50", 3.5, "EUR"),
    exact("a pound and 20 pence", 1.2, "GBP"),
    exact("$5 and 25 cents", 5.25, "USD"),
    exact("$1.99", 1.99, "USD"),
    exact("99p", 0.99, "GBP"),
    exact("€0.75", 0.75, "EUR"),
    exact("a thousand bucks", 1000, "USD"),
    exact("£5k", 5000, "GBP"),
    exact("5k USD", 5000, "USD"),
    # written numbers
    exact("two thousand pounds", 2000, "GBP"),
    exact("one hundred and fifty dollars", 150, "USD"),
    exact("three and a half million dollars", 3.5 * M, "USD"),
    # negative amounts
    exact("-$20", -20, "USD"),
    exact("−€5", -5, "EUR"),
    exact("minus $300", -300, "USD"),
    exact("-5 USD", -5, "USD"),
    exact("-£1.2m", -1.2 * M, "GBP"),
    exact("negative $2 billion", -2 * B, "USD"),
    # ranges and bounds
    span("$3-4bn", 3 * B, 4 * B, "USD"),
    span("between €10m and €20m", 10 * M, 20 * M, "EUR"),
    span("from $5 to $7 a share", 5, 7, "USD"),
    span("£20-30", 20, 30, "GBP"),
    span("$10 to $15", 10, 15, "USD"),
    span("10-15 dollars", 10, 15, "USD"),
    upper("up to €500", 500, "EUR"),
    lower("at least $1 million", 1 * M, "USD"),
    upper("less than $10", 10, "USD"),
    lower("over £1bn", 1 * B, "GBP"),
    upper("under $5", 5, "USD"),
    lower("more than 2 million euros", 2 * M, "EUR"),
    about("around $300", 300, "USD"),
    about("approximately ¥10 billion", 10 * B, "JPY"),
    upper("almost $2 trillion", 2 * T, "USD", approximate=True),
    lower("in excess of £50m", 50 * M, "GBP"),
    about("roughly 40 euros", 40, "EUR"),
]

NOT_MONEY = ["30 percent", "5 million voters", "the 2023 budget", "a dollar sign", "200 miles", "10 points",
             "3.5 million barrels", "100 pounds of flour", "a pound of butter", "euro zone", "the dollar fell",
             "Euro 2024", "15 yards", "a 5-point lead", "1,200 jobs", "the Dollar General store"]


def close(a, b):
    return (a is None and b is None) or (a is not None and b is not None and math.isclose(a, b, rel_tol=1e-9))


@pytest.mark.parametrize("text, amount, currency, low, high, approximate", CASES, ids=[c[0] for c in CASES])
def test_new_money_form(text, amount, currency, low, high, approximate):
    got = normalize(text)
    assert got is not None, f"{text!r}: nothing found"
    assert got.currency == currency, got
    assert close(got.amount, amount) and close(got.amount_min, low) and close(got.amount_max, high), got
    assert got.approximate == approximate, got


@pytest.mark.parametrize("text", NOT_MONEY)
def test_new_not_money_form(text):
    assert normalize(text) is None


def test_the_tables_have_no_duplicates():
    texts = [c[0] for c in CASES] + NOT_MONEY
    assert len(texts) == len(set(texts))
