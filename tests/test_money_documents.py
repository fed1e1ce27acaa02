"""Money in whole documents without the model: currencies read from what the document points
to, offsets through invisible characters, and a scan whose cost grows linearly with the text.

The entity spans a model would give are written by hand here (``_ents``), so these tests stay in
the fast lane; tests/test_money_extract.py runs the real model.
"""

from __future__ import annotations

import pytest

from pipeline.money import extract_money, normalize
from pipeline.money.reading import scan
from pipeline.schema import Document
from pipeline.spans import Span
from timing_support import cpu_seconds, growth


def _ents(text: str, label: str, *names: str) -> list[Span]:
    """A span for every occurrence of each name."""
    out = []
    for name in names:
        start = text.find(name)
        while start >= 0:
            out.append(Span(start, start + len(name), label))
            start = text.find(name, start + 1)
    return sorted(out, key=lambda s: s.start)


def _rows(text: str, ents: list[Span] = ()):
    rows = extract_money(Document("d", "", text), list(ents))
    for r in rows:
        assert text[r.start_char:r.end_char] == r.text
    return rows


@pytest.mark.parametrize("text, places, currency", [
    ("Pakistan's finance ministry said the dam would cost Rs. 500 million, and Pakistan would pay half.",
     ("Pakistan",), "PKR"),
    ("The Indian railway ministry said the line costs Rs. 500 crore; India will fund it.", ("India",), "INR"),
    ("In Sri Lanka, tea prices rose to Rs. 800 a kilo, Sri Lanka's tea board said.", ("Sri Lanka",), "LKR"),
    ("Nepal will spend Rs 2 billion on roads, Nepal's minister said on Sunday.", ("Nepal",), "NPR"),
    ("Morocco set aside Dh 2 billion for the quake zone, Morocco's government said.", ("Morocco",), "MAD"),
    ("Uganda will borrow 300 billion shillings, Uganda's finance minister said.", ("Uganda",), "UGX"),
    ("The Philippines will spend 9 billion pesos, the Philippines' budget office said.", ("Philippines",), "PHP"),
    ("Kuwait's fund invested 5 million dinars in the project, Kuwait said.", ("Kuwait",), "KWD"),
])
def test_ambiguous_marker_takes_the_country_the_document_points_to(text, places, currency):
    [row] = _rows(text, _ents(text, "GPE", *places))
    assert (row.currency, row.currency_inferred) == (currency, True)


@pytest.mark.parametrize("text, currency", [
    ("Tickets cost Rs. 500 at the gate.", "INR"),
    ("The lawyer was paid Dh 50,000.", "AED"),
    ("He owed 300 shillings.", "KES"),
    ("It sold for 9 billion pesos.", "MXN"),
])
def test_ambiguous_marker_without_context_takes_the_most_used(text, currency):
    [row] = _rows(text)
    assert (row.currency, row.currency_inferred) == (currency, True)


def test_an_explicit_currency_is_evidence_for_the_bare_ones():
    text = "The bank lent PKR 2 billion last year and Rs. 500 million this year."
    rows = _rows(text)
    assert [(r.text, r.currency) for r in rows] == [("PKR 2 billion", "PKR"), ("Rs. 500 million", "PKR")]


@pytest.mark.parametrize("invisible", ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad"])
def test_invisible_characters_are_read_through_and_the_span_kept(invisible):
    text = f"Police said the thieves took ${invisible}3{invisible} million in cash."
    [row] = _rows(text)
    assert (row.amount, row.currency) == (3e6, "USD")
    assert row.text == f"${invisible}3{invisible} million" and text[row.start_char:row.end_char] == row.text
    assert normalize(f"${invisible}3{invisible} million").amount == 3e6


def test_invisible_characters_inside_words_and_before_a_second_amount():
    text = "It cost a mil\u00adlion dol\u200blars, then \u200b€2 bil\u200blion."
    rows = _rows(text)
    assert [(r.text, r.amount, r.currency) for r in rows] == [
        ("a mil\u00adlion dol\u200blars", 1e6, "USD"), ("€2 bil\u200blion", 2e9, "EUR")]


def test_weight_in_pounds_is_not_money_even_when_the_model_says_money():
    text = "The suspect, weighing about 200 pounds, fled. The fine was 200 pounds."
    ents = _ents(text, "MONEY", "200 pounds")
    assert [(r.start_char, r.text) for r in _rows(text, ents)] == [(text.rindex("200 pounds"), "200 pounds")]


def test_weak_marker_needs_the_model():
    text = "He paid 200 pounds for it and South Korea won 5."
    assert _rows(text) == []
    [row] = _rows(text, _ents(text, "MONEY", "200 pounds"))
    assert (row.amount, row.currency) == (200, "GBP")


def test_a_match_inside_a_name_is_vetoed_unless_the_model_says_money():
    text = "She starred in Five Dollars a Day before Million Dollar Baby."
    assert _rows(text, _ents(text, "WORK_OF_ART", "Five Dollars a Day", "Million Dollar Baby")) == []


def test_from_to_after_a_verb_of_change_is_two_amounts():
    text = "Prices rose from $5 to $6 in March, while fares cost from $30 to $40."
    assert [(r.text, r.amount_min, r.amount_max) for r in _rows(text)] == [
        ("$5", 5, 5), ("$6", 6, 6), ("from $30 to $40", 30, 40)]


# --- cost: linear in the text --------------------------------------------------------------------

PATHOLOGICAL = {
    "amounts": "$1 ",
    "ranges": "between $1 and ",
    "compounds": "$1 and 50 cents ",
    "number words": "one ",
    "articles": "a dollar a ",
    "qualifiers": "more than about ",
    "grouped digits": "1, 000, ",
    "vague": "millions of dollars ",
    "invisible": "$\u200b1 ",
}


def _ratio(piece: str, repeats: int, with_entities: bool = False) -> float:
    """Cost of 4n repeats over cost of n, n grown until n repeats take 50 ms (timer noise); see
    tests/timing_support.py for how a busy CPU is kept out of the ratio."""
    def inputs(n: int):
        text = piece * n
        ents = [Span(i, i + len(piece) - 1, "MONEY") for i in range(0, len(text), len(piece))] if with_entities else []
        doc = Document("d", "", text)
        return (lambda: extract_money(doc, ents)) if with_entities else (lambda: scan(text))

    small = inputs(repeats)
    while cpu_seconds(small, 1) < 0.05 and repeats < 1_000_000:
        repeats *= 2
        small = inputs(repeats)
    small_s, large_s = growth(small, inputs(4 * repeats), bound=6)
    return large_s / small_s


# Timing tests take seconds each: one runs in the fast lane, the family in the slow one.
@pytest.mark.xdist_group("timing")  # one timing test at a time (tests/conftest.py)
@pytest.mark.parametrize("name", [n if n == "amounts" else pytest.param(n, marks=pytest.mark.slow) for n in PATHOLOGICAL])
def test_money_scan_is_linear_on_pathological_input(name):
    """n and 4n repeats (n: from 5 kB of text, see _ratio): the time ratio
    stays near 4, where a quadratic scan would give 16."""
    piece = PATHOLOGICAL[name]
    assert _ratio(piece, 5_000 // len(piece)) < 6, name


@pytest.mark.xdist_group("timing")  # one timing test at a time (tests/conftest.py)
@pytest.mark.slow
@pytest.mark.parametrize("piece", ["$1 ", "between $1 and "])
def test_money_scan_is_linear_at_40k_repeats(piece):
    assert _ratio(piece, 10_000) < 6


@pytest.mark.xdist_group("timing")  # one timing test at a time (tests/conftest.py)
@pytest.mark.slow
def test_money_extraction_with_an_entity_per_amount_is_linear():
    assert _ratio("$1 ", 1_000, with_entities=True) < 6
