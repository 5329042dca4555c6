from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dunning_engine.interest import compute_fee, compute_interest, days_between

START = date(2026, 1, 10)


def test_days_between():
    assert days_between(START, date(2026, 2, 9)) == 30
    assert days_between(START, START) == 0
    assert days_between(date(2026, 2, 9), START) == 0
    assert days_between(date(2024, 2, 28), date(2024, 3, 1)) == 2  # leap year


def test_full_year_interest():
    result = compute_interest(1000, 10, date(2025, 1, 1), date(2026, 1, 1))
    assert result == Decimal("100.00")
    assert isinstance(result, Decimal)
    assert result.as_tuple().exponent == -2


def test_leap_year_with_each_basis():
    start, end = date(2024, 1, 1), date(2025, 1, 1)  # 366 days
    assert compute_interest(1000, 10, start, end) == Decimal("100.27")
    assert compute_interest(1000, 10, start, end, day_basis=366) == Decimal("100.00")
    assert compute_interest(1000, 10, start, end, day_basis=360) == Decimal("101.67")


def test_partial_period():
    # 1234.56 * 8 % * 45 / 365 = 12.1764...
    assert compute_interest(1234.56, 8, START, START + timedelta(days=45)) == Decimal("12.18")
    # 1000 * 12 % * 30 / 360 = 10
    assert compute_interest(1000, 12, START, date(2026, 2, 9), day_basis=360) == Decimal(
        "10.00"
    )


def test_rounds_half_up():
    # 1 * 36 % * 5 / 360 = 0.005 exactly: banker's rounding would give 0.00
    end = START + timedelta(days=5)
    assert compute_interest(1, 36, START, end, day_basis=360) == Decimal("0.01")
    assert compute_interest(1, 36, START, end, day_basis=360, digits=3) == Decimal("0.005")


def test_zero_digits_currency():
    # 10000 * 5 % * 30 / 365 = 41.0958...
    assert compute_interest(10000, 5, START, date(2026, 2, 9), digits=0) == Decimal("41")


def test_accepts_decimal_and_string_inputs():
    end = date(2026, 2, 9)
    assert compute_interest(Decimal("1000"), "12", START, end, day_basis=360) == Decimal("10.00")


@pytest.mark.parametrize(
    "amount, rate, end",
    [
        (0, 10, date(2026, 2, 9)),
        (-500, 10, date(2026, 2, 9)),
        (500, 0, date(2026, 2, 9)),
        (500, -3, date(2026, 2, 9)),
        (500, 10, START),
        (500, 10, date(2025, 12, 1)),
    ],
)
def test_zero_interest(amount, rate, end):
    assert compute_interest(amount, rate, START, end) == Decimal("0.00")


@pytest.mark.parametrize("basis", [0, 364, 367, 180])
def test_invalid_day_basis(basis):
    with pytest.raises(ValueError, match="360, 365 or 366"):
        compute_interest(0, 0, START, START, day_basis=basis)


@given(
    st.decimals(min_value=0, max_value=10**9, places=2),
    st.decimals(min_value=0, max_value=50, places=3),
    st.integers(0, 3000),
    st.integers(0, 100),
)
def test_interest_is_exact_rounding_and_monotone(amount, rate, days, more):
    end = START + timedelta(days=days)
    result = compute_interest(amount, rate, START, end)
    exact = amount * rate * days / Decimal(36500)
    assert result >= 0
    assert abs(result - exact) <= Decimal("0.005")
    later = compute_interest(amount, rate, START, end + timedelta(days=more))
    assert later >= result


# ---------------------------------------------------------------- fees


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
