"""The linear-time tests' measure tells a quadratic cost from a linear one (tests/timing_support.py)."""

import pytest

from timing_support import growth

pytestmark = pytest.mark.xdist_group("timing")  # one timing test at a time (tests/conftest.py)


def _pairs(n: int):
    items = list(range(n))
    return lambda: sum(1 for a in items for b in items if a == b)


def _walk(n: int):
    items = list(range(n))
    return lambda: sum(1 for a in items if a >= 0)


def test_a_quadratic_cost_stays_past_the_bound_however_long_it_is_retried():
    small, large = growth(_pairs(300), _pairs(1_200), bound=6, patience=1.0)
    assert large / small > 10


def test_a_linear_cost_stays_under_the_bound():
    small, large = growth(_walk(200_000), _walk(800_000), bound=6, patience=1.0)
    assert large / small < 6
