from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from dunning_engine.kpis import average_days_late, dso, overdue_ratio


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


@given(st.lists(st.tuples(st.integers(1, 10**6), st.integers(1, 1000)), min_size=1))
def test_average_days_late_within_range(items):
    average = average_days_late(items)
    assert min(days for _, days in items) <= average <= max(days for _, days in items)
