"""pipeline.numbers: the one number-words parser of dates and money, and its table's examples."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from pipeline import numbers
from pipeline.money import lexicon

EXAMPLES = numbers.table().examples


@pytest.mark.parametrize("text, value", EXAMPLES, ids=[t for t, _ in EXAMPLES])
def test_every_example_of_the_table_parses(text, value):
    assert numbers.parse(text) == value


@pytest.mark.parametrize("text, value", [
    ("1 250 000", 1250000), ("2. 6 million", 2600000), ("1.250,50", Decimal("1250.50")),
    ("twenty-five thousand", 25000), ("a dozen", 12), ("one hundred", 100), ("ninety-nine", 99),
    ("1.5", Decimal("1.5")), ("½", Decimal("0.5")), ("2 3/4", Decimal("2.75")), ("3.2 trillion", Decimal("3.2e12")),
    ("1.250.000", 1250000), ("1.250,50", Decimal("1250.50")), ("two hundred million", 200000000),
    ("three hundred and fifty thousand", 350000), ("1.5 billion", Decimal("1.5e9")), ("10K", 10000),
    ("500 crore", 5000000000), ("one point five", Decimal("1.5")), ("2 ⅔", Decimal("2.6666666666666667")),
])
def test_forms_dates_and_money_write(text, value):
    assert numbers.parse(text) == value


def test_a_couple_is_approximate():
    assert numbers.read("a couple of million") == numbers.Number(Decimal(2000000), approximate=True)
    assert numbers.read("two million") == numbers.Number(Decimal(2000000), approximate=False)


@pytest.mark.parametrize("text, scale", [("2.3bn", 10**9), ("10 lakh crore", 10**12), ("two hundred", 1),
                                         ("5k", 1000), ("k", 1), ("1.5 million", 10**6)])
def test_scale_of(text, scale):
    assert numbers.scale_of(text) == scale


def test_every_word_has_an_example():
    """Every number word occurs in an example: this table's own, or money's for the roles money reads."""
    table = numbers.table()
    texts = [t for t, _ in table.examples] + [e for n in lexicon.load().numbers for e in n.examples]
    spaced = [re.sub(r"(?<=\d)(?=[^\W\d_])", " ", t) for t in texts]  # "5k" -> "5 k"
    missing = []
    for role in ("units", "tens", "hundreds", "dozens", "scales", "plurals", "abbreviations", "short_forms",
                 "fractions", "glyphs", "approximate", "articles", "decimal_points"):
        flags = 0 if role in ("abbreviations", "short_forms") else re.I
        for word in getattr(table, role):
            if not any(re.search(rf"(?<![^\W\d_]){re.escape(word)}(?![^\W\d_])", t, flags) for t in spaced):
                missing.append(f"[{role}] {word}")
    assert not missing, missing


def test_continental_grouping_when_the_currency_follows():
    assert numbers.parse("3.000") == Decimal("3.000")
    assert numbers.parse("3.000", currency_after=True) == 3000


@pytest.mark.parametrize("text", ["", "several", "the", "five apples", "1/0", "$"])
def test_not_a_number(text):
    assert numbers.parse(text) is None


@pytest.mark.parametrize("text, value", [("first", 1), ("third", 3), ("twenty-first", 21), ("thirty first", 31),
                                         ("21st", 21), ("2nd", 2), ("thirtieth", 30), ("fifth", 5)])
def test_ordinals(text, value):
    assert numbers.ordinal(text) == value


@pytest.mark.parametrize("text", ["last", "twenty", "firsts", "21"])
def test_not_an_ordinal(text):
    assert numbers.ordinal(text) is None


def test_a_bad_table_is_refused(tmp_path):
    numbers.table.cache_clear()
    bad = tmp_path / "numbers.toml"
    bad.write_text('[units]\none = "1"\n', encoding="utf-8")
    with pytest.raises(ValueError, match=r"\[units\] 'one' must be a non-negative integer"):
        numbers.table(bad)
    bad.write_text('[unit]\none = 1\n', encoding="utf-8")
    with pytest.raises(ValueError, match=r"unknown section\(s\) \['unit'\]"):
        numbers.table(bad)
    bad.write_text('[units]\none = 1\n[scales]\nOne = 1\n', encoding="utf-8")
    with pytest.raises(ValueError, match=r"\[scales\] 'One' is also in \[units\]"):
        numbers.table(bad)
    numbers.table.cache_clear()
