from datetime import date
from decimal import Decimal

import pytest

from dunning_engine.interest import compute_fee, days_between

START = date(2026, 1, 10)


def test_days_between():
    assert days_between(START, date(2026, 2, 9)) == 30
    assert days_between(START, START) == 0
    assert days_between(date(2026, 2, 9), START) == 0
    assert days_between(date(2024, 2, 28), date(2024, 3, 1)) == 2  # leap year


def test_fixed_plus_percent():
    assert compute_fee(fixed=10, percent=1.5, amount=1000) == Decimal("25.00")
    assert compute_fee(fixed=7.5) == Decimal("7.50")
    assert compute_fee() == Decimal("0.00")


def test_fee_minimum_and_maximum():
    assert compute_fee(fixed=10, percent=1.5, amount=1000, minimum=30) == Decimal("30.00")
    assert compute_fee(fixed=10, percent=1.5, amount=1000, maximum=20) == Decimal("20.00")
    assert compute_fee(fixed=10, percent=1.5, amount=1000, minimum=5, maximum=40) == Decimal(
        "25.00"
    )
    # conflicting bounds: the maximum is applied last
    assert compute_fee(fixed=10, minimum=30, maximum=20) == Decimal("20.00")


def test_fee_rounding():
    assert compute_fee(percent=0.5, amount=1) == Decimal("0.01")  # 0.005 half up
    assert compute_fee(percent=1.5, amount=0.3) == Decimal("0.00")  # 0.0045
    assert compute_fee(percent=2, amount=1234.5678, digits=3) == Decimal("24.691")
    assert compute_fee(fixed=0.1, percent=0, amount=0.2) == Decimal("0.10")


@pytest.mark.parametrize("name", ["fixed", "percent", "amount", "minimum", "maximum"])
def test_negative_fee_inputs(name):
    with pytest.raises(ValueError, match=name):
        compute_fee(**{name: -1})
