from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dunning_engine.kpis import aging_buckets, average_days_late, dso, overdue_ratio


def test_dso():
    assert dso(50000, 365000) == Decimal("50.00")
    assert dso(30000, 90000, days=90) == Decimal("30.00")
    assert dso(1000, 3000, days=1) == Decimal("0.33")
    assert dso(1000, 0) == Decimal("0.00")
    assert dso(1000, -10) == Decimal("0.00")


def test_overdue_ratio():
    assert overdue_ratio(250, 1000) == Decimal("25.00")
    assert overdue_ratio(1, 3) == Decimal("33.33")
    assert overdue_ratio(2, 3) == Decimal("66.67")
    assert overdue_ratio(1, 8) == Decimal("12.50")
    assert overdue_ratio(0.005, 100) == Decimal("0.01")  # 0.005 % half up
    assert overdue_ratio(100, 0) == Decimal("0.00")


def test_average_days_late_is_amount_weighted():
    assert average_days_late([(100, 10), (300, 30)]) == Decimal("25.00")
    assert average_days_late([(1, 1), (1, 2), (1, 2)]) == Decimal("1.67")


def test_average_days_late_ignores_not_due_and_credits():
    items = [(100, 10), (300, 30), (5000, 0), (5000, -20), (-200, 50)]
    assert average_days_late(items) == Decimal("25.00")
    assert average_days_late([]) == Decimal("0.00")
    assert average_days_late([(100, 0)]) == Decimal("0.00")


def test_aging_buckets_default_bounds():
    items = [
        (100, -5),
        (50, 0),
        (10, 1),
        (20, 30),
        (30, 31),
        (40, 60),
        (45, 61),
        (55, 90),
        (60, 91),
        (0.005, 400),
    ]
    buckets = aging_buckets(items)
    assert list(buckets) == ["not_due", "1-30", "31-60", "61-90", "90+"]
    assert buckets == {
        "not_due": Decimal("150.00"),
        "1-30": Decimal("30.00"),
        "31-60": Decimal("70.00"),
        "61-90": Decimal("100.00"),
        "90+": Decimal("60.01"),
    }


def test_aging_buckets_empty_has_all_keys():
    assert aging_buckets([]) == dict.fromkeys(
        ["not_due", "1-30", "31-60", "61-90", "90+"], Decimal("0.00")
    )


def test_aging_buckets_custom_bounds():
    buckets = aging_buckets([(1, 15), (2, 16), (4, 0)], bounds=(0, 15))
    assert buckets == {"not_due": Decimal("4.00"), "1-15": Decimal("1.00"), "15+": Decimal("2.00")}
    # bounds not starting at 0: the first bucket starts at day 1
    assert list(aging_buckets([], bounds=(30, 60))) == ["not_due", "1-30", "31-60", "60+"]


@pytest.mark.parametrize("bounds", [(), (0, 30, 30), (60, 30), (-1, 30)])
def test_aging_bounds_invalid(bounds):
    with pytest.raises(ValueError):
        aging_buckets([], bounds=bounds)


@given(st.lists(st.tuples(st.integers(-10**7, 10**7), st.integers(-400, 400))))
def test_aging_buckets_partition_the_total(items):
    as_amounts = [(cents / 100, days) for cents, days in items]
    buckets = aging_buckets(as_amounts)
    assert sum(buckets.values()) == sum(Decimal(cents) for cents, _ in items) / 100
    assert buckets["not_due"] == sum(
        (Decimal(cents) for cents, days in items if days <= 0), Decimal(0)
    ) / 100


@given(st.lists(st.tuples(st.integers(1, 10**6), st.integers(1, 1000)), min_size=1))
def test_average_days_late_within_range(items):
    average = average_days_late(items)
    assert min(days for _, days in items) <= average <= max(days for _, days in items)
