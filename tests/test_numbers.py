"""pipeline.numbers: the one number-words parser (dates now, money next), its table's examples."""

from __future__ import annotations

from decimal import Decimal

import pytest

from pipeline import numbers

EXAMPLES = numbers.table().examples


@pytest.mark.parametrize("text, value", EXAMPLES, ids=[t for t, _ in EXAMPLES])
def test_every_example_of_the_table_parses(text, value):
    assert numbers.parse(text) == value


@pytest.mark.parametrize("text, value", [
    ("1 250 000", 1250000), ("2. 6 million", 2600000), ("1.250,50", Decimal("1250.50")),
    ("twenty-five thousand", 25000), ("a dozen", 12), ("one hundred", 100), ("ninety-nine", 99),
    ("1.5", Decimal("1.5")), ("½", Decimal("0.5")), ("2 3/4", Decimal("2.75")), ("3.2 trillion", Decimal("3.2e12")),
])
def test_forms_dates_and_money_write(text, value):
    assert numbers.parse(text) == value


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
    numbers.table.cache_clear()
