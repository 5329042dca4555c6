from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dunning_engine import bounds
from dunning_engine.interest import (
    MissingReferenceRate,
    ReferenceRate,
    half_year_start,
    late_interest,
    reference_rate_for,
)

ECB = {
    date(2025, 1, 1): "3.15",
    date(2025, 7, 1): "2.15",
    date(2026, 1, 1): "2.15",
}


def test_known_figure_1000_over_30_days_at_12_15():
    result = late_interest(1000, date(2026, 3, 2), date(2026, 4, 1), "12.15")
    # 1000 * 12.15 % * 30 / 365 = 9.986...
    assert result.amount == Decimal("9.99")
    assert (result.date_from, result.date_to) == (date(2026, 3, 3), date(2026, 4, 1))
    assert [period.days for period in result.periods] == [30]
    assert result.rates == (Decimal("12.15"),)


def test_french_rate_j14_and_j7():
    due = date(2026, 3, 2)
    ecb_plus_10 = ReferenceRate(ECB, 10)
    assert late_interest(1000, due, due + timedelta(days=14), ecb_plus_10).amount == Decimal(
        "4.66"
    )
    assert late_interest(1000, due, due + timedelta(days=7), ecb_plus_10).amount == Decimal(
        "2.33"
    )


def test_period_over_1_july_split_over_two_reference_rates():
    result = late_interest(
        1000, date(2025, 6, 20), date(2025, 7, 10), ReferenceRate(ECB, 10)
    )
    first, second = result.periods
    assert (first.date_from, first.date_to, first.days) == (
        date(2025, 6, 21),
        date(2025, 6, 30),
        10,
    )
    assert (first.rate, first.reference_rate) == (Decimal("13.15"), Decimal("3.15"))
    assert (second.date_from, second.date_to, second.days) == (
        date(2025, 7, 1),
        date(2025, 7, 10),
        10,
    )
    assert (second.rate, second.reference_rate) == (Decimal("12.15"), Decimal("2.15"))
    # 1000 * (13.15 % * 10 + 12.15 % * 10) / 365 = 6.9315...
    assert result.amount == Decimal("6.93")
    assert result.rates == (Decimal("13.15"), Decimal("12.15"))


def test_same_reference_rate_over_1_january_is_one_period():
    result = late_interest(
        1000, date(2025, 12, 20), date(2026, 1, 9), ReferenceRate(ECB, 8)
    )
    assert len(result.periods) == 1
    assert result.periods[0].days == 20


def test_partial_payment_mid_period():
    # 1000 open for 10 days, then 100 for 20 days, at 12.15 %
    result = late_interest(
        1000,
        date(2026, 3, 2),
        date(2026, 4, 1),
        "12.15",
        payments=[(date(2026, 3, 12), 900)],
    )
    # (1000 * 10 + 100 * 20) * 12.15 % / 365 = 3.9945...
    assert result.amount == Decimal("3.99")
    assert [period.days for period in result.periods] == [30]  # one rate: one period


def test_payments_before_the_period_reduce_it_all():
    result = late_interest(
        1000, date(2026, 3, 2), date(2026, 4, 1), "12.15", payments=[(date(2026, 3, 2), 900)]
    )
    assert (
        result.amount
        == late_interest(100, date(2026, 3, 2), date(2026, 4, 1), "12.15").amount
    )
    paid = late_interest(
        1000, date(2026, 3, 2), date(2026, 4, 1), "12.15", payments=[(date(2026, 3, 1), 1000)]
    )
    assert paid.amount == 0
    assert paid.periods == ()


def test_from_last_charged_date_after_a_level_without_interest():
    due = date(2026, 3, 2)
    # J+7 without interest: nothing charged, the last charged date stays the due date.
    # J+14 with interest: the 14 days from the due date are charged.
    at_j14 = late_interest(1000, due, due + timedelta(days=14), "12.15")
    assert at_j14.amount == Decimal("4.66")
    assert at_j14.date_from == date(2026, 3, 3)
    # J+30 after interest charged up to J+14: the 16 following days only.
    at_j30 = late_interest(1000, at_j14.date_to, due + timedelta(days=30), "12.15")
    assert at_j30.date_from == date(2026, 3, 17)
    assert at_j30.periods[0].days == 16
    assert at_j30.amount == Decimal("5.33")


def test_nothing_when_the_period_is_empty_or_reversed():
    assert late_interest(1000, date(2026, 3, 2), date(2026, 3, 2), 10).amount == 0
    assert late_interest(1000, date(2026, 3, 2), date(2026, 3, 1), 10).periods == ()


def test_negative_total_rate_counts_as_zero():
    assert (
        late_interest(
            1000,
            date(2026, 3, 2),
            date(2026, 4, 1),
            ReferenceRate({date(2026, 1, 1): -0.5}),
        ).amount
        == 0
    )


def test_missing_half_year_is_a_clear_error():
    with pytest.raises(MissingReferenceRate) as error:
        late_interest(1000, date(2026, 6, 1), date(2026, 7, 15), ReferenceRate(ECB, 10))
    assert error.value.half_year == date(2026, 7, 1)
    assert "2026-07-01" in str(error.value)


def test_bad_arguments():
    with pytest.raises(ValueError, match="negative"):
        late_interest(-1, date(2026, 1, 1), date(2026, 2, 1), 1)
    with pytest.raises(ValueError, match="day basis"):
        late_interest(1, date(2026, 1, 1), date(2026, 2, 1), 1, day_basis=300)


def test_half_year_helpers():
    assert half_year_start(date(2026, 6, 30)) == date(2026, 1, 1)
    assert half_year_start(date(2026, 7, 1)) == date(2026, 7, 1)
    assert reference_rate_for(ECB, date(2025, 12, 31)) == Decimal("2.15")


# ---------------------------------------------------------------- properties

RATES = {
    date(year, month, 1): rate for year in range(2019, 2035) for month, rate in ((1, 3), (7, 1.5))
}

days_in_range = st.dates(date(2020, 1, 1), date(2030, 12, 31))
amounts = st.decimals(0, 1_000_000, places=2)
payment_lists = st.lists(st.tuples(days_in_range, st.decimals(0, 500_000, places=2)), max_size=4)


@given(amounts, days_in_range, st.integers(0, 800), payment_lists, st.decimals(-5, 20, places=2))
def test_interest_never_negative(amount, start, length, payments, margin):
    end = start + timedelta(days=length)
    for rate in (abs(margin), ReferenceRate(RATES, margin)):
        result = late_interest(amount, start, end, rate, payments=payments)
        assert result.amount >= 0
        assert all(period.amount >= 0 for period in result.periods)
        assert sum(period.days for period in result.periods) in (0, length)


@given(
    amounts, days_in_range, st.integers(0, 400), st.integers(0, 400), payment_lists, st.booleans()
)
def test_two_steps_equal_once_within_rounding(amount, start, first, second, payments, reference):
    middle = start + timedelta(days=first)
    end = middle + timedelta(days=second)
    rate = ReferenceRate(RATES, 8) if reference else "12.15"
    once = late_interest(amount, start, end, rate, payments=payments).amount
    twice = (
        late_interest(amount, start, middle, rate, payments=payments).amount
        + late_interest(amount, middle, end, rate, payments=payments).amount
    )
    assert abs(once - twice) <= Decimal("0.01")


@given(amounts, days_in_range, st.integers(1, 400), st.decimals(0, 1_000_000, places=2))
def test_a_payment_never_raises_interest(amount, start, length, paid):
    end = start + timedelta(days=length)
    day = start + timedelta(days=length // 2)
    without = late_interest(amount, start, end, 10).amount
    with_payment = late_interest(amount, start, end, 10, payments=[(day, paid)]).amount
    assert with_payment <= without


# ---------------------------------------------------------------- bounds


def test_bounds():
    violations = bounds.check(
        {
            "delay": (bounds.DAYS, 3650),
            "grace": (bounds.DAYS, 3651),
            "rate": (bounds.RATE, 100.5),
            "fee": (bounds.AMOUNT, -1),
            "big fee": (bounds.AMOUNT, 10**9),
            "huge fee": (bounds.AMOUNT, 10**20),
            "reference": (bounds.SIGNED_RATE, -0.5),
            "count": (bounds.COUNT, 101),
        }
    )
    assert [v.name for v in violations] == ["grace", "rate", "fee", "huge fee", "count"]
    assert violations[0].message == "grace must be between 0 and 3650 (3651)."
    assert violations[2].message == "fee cannot be negative (-1)."
    assert violations[3].message == (
        "huge fee must be between 0 and 1000000000000 (100000000000000000000)."
    )
    with pytest.raises(ValueError):
        bounds.limits("weeks")
    # NaN and infinities (typed over RPC) are out of bounds, never a crash.
    odd = bounds.check(
        {"nan": (bounds.SIGNED_RATE, float("nan")), "inf": (bounds.AMOUNT, float("inf"))}
    )
    assert [v.name for v in odd] == ["nan", "inf"]
    assert odd[0].message == "nan must be between -100 and 100 (nan)."


@given(st.integers(-(10**9), 10**9))
def test_days_bounds_property(value):
    violations = bounds.check({"days": (bounds.DAYS, value)})
    assert bool(violations) == (not 0 <= value <= bounds.MAX_DAYS)
