from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from dunning_engine.totals import totals_by_currency


def test_sums_per_currency_sorted_by_code():
    totals = totals_by_currency(
        [("USD", 10.5), ("EUR", 0.1), ("CHF", 3), ("EUR", 0.2), ("USD", -0.5)]
    )
    assert totals == {"CHF": Decimal("3.00"), "EUR": Decimal("0.30"), "USD": Decimal("10.00")}
    assert list(totals) == ["CHF", "EUR", "USD"]
    assert str(totals["EUR"]) == "0.30"  # not 0.30000000000000004


def test_rounds_the_sum_not_each_amount():
    assert totals_by_currency([("EUR", 0.004)] * 3) == {"EUR": Decimal("0.01")}


def test_half_up_and_per_currency_digits():
    totals = totals_by_currency(
        [("USD", 1.005), ("JPY", 100.5), ("KWD", 1.0005)], digits={"JPY": 0, "KWD": 3}
    )
    assert totals == {"JPY": Decimal("101"), "KWD": Decimal("1.001"), "USD": Decimal("1.01")}
    assert str(totals["JPY"]) == "101"


def test_integer_digits_for_all():
    assert totals_by_currency([("EUR", 2.5), ("USD", 3.49)], digits=0) == {
        "EUR": Decimal("3"),
        "USD": Decimal("3"),
    }


def test_empty():
    assert totals_by_currency([]) == {}


@given(st.lists(st.tuples(st.sampled_from(["EUR", "USD", "GBP"]), st.integers(-10**9, 10**9))))
def test_cent_amounts_add_up_exactly(items):
    as_floats = [(code, cents / 100) for code, cents in items]
    totals = totals_by_currency(as_floats)
    for code in {code for code, _ in items}:
        expected = Decimal(sum(cents for c, cents in items if c == code)) / 100
        assert totals[code] == expected
    assert list(totals) == sorted(totals)
