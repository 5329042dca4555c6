from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dunning_engine import insight
from dunning_engine.contact import ContactPolicy
from dunning_engine.levels import LevelRule, LineState

amounts = st.decimals(min_value=0, max_value=10**9, places=2)


def test_dso_countback_by_hand():
    # 15 000 receivable; last month 10 000 sold over 30 days, the month
    # before 10 000 over 31 days: 30 + 31 x 5 000 / 10 000 = 45.5 days.
    months = [(30, 10000), (31, 10000), (31, 8000)]
    assert insight.dso_countback(15000, months) == Decimal("45.50")
    assert insight.dso_countback(10000, months) == Decimal("30.00")
    assert insight.dso_countback(0, months) == Decimal("0.00")
    # More receivables than sales: every day given counts.
    assert insight.dso_countback(50000, months) == Decimal("92.00")
    # A month without sales counts fully.
    assert insight.dso_countback(500, [(30, 0), (31, 1000)]) == Decimal("45.50")
    with pytest.raises(ValueError):
        insight.dso_countback(10, [(-1, 10)])


@given(amounts, st.lists(st.tuples(st.integers(28, 31), amounts), max_size=12))
def test_dso_countback_bounded_by_days(receivables, months):
    result = insight.dso_countback(receivables, months)
    assert Decimal(0) <= result <= sum(days for days, _s in months)


@given(amounts, st.lists(st.tuples(st.integers(28, 31), amounts), max_size=12))
def test_dso_countback_grows_with_receivables(receivables, months):
    assert insight.dso_countback(receivables, months) <= insight.dso_countback(
        receivables + 100, months
    )


def test_cei_by_hand():
    # 1 000 open at start, 5 000 invoiced, 1 500 open at the end of which
    # 500 not yet due: collected 4 500 of 5 500 collectable.
    assert insight.collection_effectiveness(1000, 5000, 1500, 500) == Decimal("81.82")
    assert insight.collection_effectiveness(1000, 0, 0, 0) == Decimal("100.00")
    assert insight.collection_effectiveness(0, 0, 0, 0) == Decimal("0.00")


@given(amounts, amounts, st.data())
def test_cei_between_0_and_100(opening, sales, data):
    collectable = opening + sales
    closing = data.draw(st.decimals(min_value=0, max_value=collectable, places=2))
    current = data.draw(st.decimals(min_value=0, max_value=closing, places=2))
    result = insight.collection_effectiveness(opening, sales, closing, current)
    assert Decimal(0) <= result <= Decimal(100)


def test_paid_share():
    assert insight.paid_share(3000, 1000) == Decimal("33.33")
    assert insight.paid_share(0, 10) == Decimal("0.00")
    assert insight.paid_share(100, 150) == Decimal("100.00")
    assert insight.paid_share(100, -5) == Decimal("0.00")


def test_score_by_hand():
    assert insight.payment_score(0, 0, 0) == Decimal("100.00")
    # 12 days late (10 points), half late (15), 0.5 reminder (5).
    assert insight.payment_score(12, 50, 0.5) == Decimal("70.00")
    assert insight.payment_score(90, 100, 3) == Decimal("0.00")
    assert insight.payment_score(-5, -1, -1) == Decimal("100.00")


@given(
    st.decimals(0, 400, places=2),
    st.decimals(0, 100, places=2),
    st.decimals(0, 10, places=2),
    st.decimals(0, 50, places=2),
)
def test_score_bounded_and_worse_when_later(days, share, reminders, more):
    score = insight.payment_score(days, share, reminders)
    assert Decimal(0) <= score <= Decimal(100)
    assert insight.payment_score(days + more, share, reminders) <= score
    assert insight.payment_score(days, min(share + more, 100), reminders) <= score
    assert insight.payment_score(days, share, reminders + more) <= score


def test_profile_thresholds():
    assert insight.profile(100) == "A"
    assert insight.profile(80) == "A"
    assert insight.profile(79.99) == "B"
    assert insight.profile(40) == "C"
    assert insight.profile(20) == "D"
    assert insight.profile(19.99) == "E"
    assert insight.profile(50, (90, 70, 50, 30)) == "C"
    assert insight.validate_thresholds((80, 60, 40, 20)) == []
    assert insight.validate_thresholds((80, 80, 40, 20))
    assert insight.validate_thresholds((80, 60, 40))
    assert insight.validate_thresholds((120, 60, 40, 20))
    with pytest.raises(ValueError):
        insight.profile(50, (20, 40, 60, 80))


def test_countback_by_calendar_months():
    today = date(2026, 3, 20)
    assert insight.month_periods(today, 3) == [
        (date(2026, 3, 1), date(2026, 3, 20)),
        (date(2026, 2, 1), date(2026, 2, 28)),
        (date(2026, 1, 1), date(2026, 1, 31)),
    ]
    # 3 000 open: March's 1 000 (20 days) then February's 2 000 (28 days);
    # the 365-day method would say 3 000 / 6 000 x 365 = 182.5 days.
    assert insight.dso_countback_months(today, 3000, [1000, 2000, 3000]) == Decimal("48.00")
    # Half of February: 20 + 14 days.
    assert insight.dso_countback_months(today, 2000, [1000, 2000, 3000]) == Decimal("34.00")
    with pytest.raises(ValueError):
        insight.month_periods(today, 0)


@given(st.dates(date(2000, 1, 1), date(2100, 1, 1)), st.integers(1, 24))
def test_month_periods_cover_the_days_back(today, months):
    periods = insight.month_periods(today, months)
    assert periods[0][1] == today and len(periods) == months
    for (start, _end), (_s, previous_end) in zip(periods, periods[1:]):
        assert start.day == 1 and previous_end == start - timedelta(days=1)


@given(st.decimals(0, 100, places=2), st.decimals(0, 100, places=2))
def test_profile_monotonic(a, b):
    low, high = sorted((a, b))
    assert insight.profile(low) >= insight.profile(high)  # "A" < "E"


# ----------------------------------------------------------------------
# Forecast
# ----------------------------------------------------------------------

DUE = date(2026, 1, 5)
TERMS = {
    "std": insight.ForecastTerm(
        levels=(
            LevelRule(1, 1, key="L1"),
            LevelRule(2, 7, key="L2"),
            LevelRule(3, 14, key="L3"),
        ),
        charges={
            2: insight.LevelCharges(fee_amount=10),
            3: insight.LevelCharges(fee_amount=20, fee_per_invoice=40, interest_rate=36.5),
        },
    )
}


def _days(start, count):
    return [start + timedelta(days=n) for n in range(count)]


def _item(key="inv", amount=1000.0, partner="A", due=DUE, **state):
    return insight.ForecastItem(
        key=key, partner=partner, term="std", amount=amount,
        state=LineState(due_date=due, **state),
    )


def _spaced_terms(follow_plan=True):
    return {"std": replace(TERMS["std"], follow_plan=follow_plan)}


def _customer(min_days, cap=0, **values):
    return insight.ForecastCustomer(
        policy=ContactPolicy(min_days=min_days, max_before_last=cap),
        last_level_number=3,
        **values,
    )


def test_forecast_daily_runs_follow_the_plan():
    contacts = insight.forecast_contacts([_item()], TERMS, _days(DUE, 30))
    assert [(c.date.day, c.level_number, c.fees) for c in contacts] == [
        (6, 1, Decimal("0.00")),
        (12, 2, Decimal("10.00")),
        (19, 3, Decimal("60.00")),
    ]
    # Interest of level 3: 1 000 x 36.5 % x 14 days / 365 from the due date
    # (no interest was charged before).
    assert contacts[-1].interest == Decimal("14.00")
    assert contacts[0].amount == Decimal("1000.00")
    assert contacts[-1].level_key == "L3"


def test_forecast_credits_and_nothing_due():
    credit = insight.ForecastItem(
        key="cn", partner="A", term=None, amount=-1000.0, state=LineState(due_date=DUE)
    )
    assert insight.forecast_contacts([_item(), credit], TERMS, _days(DUE, 30)) == []
    half = insight.ForecastItem(
        key="cn", partner="A", term=None, amount=-400.0, state=LineState(due_date=DUE)
    )
    contacts = insight.forecast_contacts([_item(), half], TERMS, _days(DUE, 8))
    assert [c.amount for c in contacts] == [Decimal("600.00"), Decimal("600.00")]


def test_forecast_contact_policy_spaces_the_contacts():
    items = [_item("a"), _item("b", due=DUE + timedelta(days=3))]
    free = insight.forecast_contacts(items, TERMS, _days(DUE, 16))
    assert [(c.date.day, c.items) for c in free] == [
        (6, ("a",)), (9, ("b",)), (12, ("a",)), (15, ("b",)), (19, ("a",))
    ]
    spaced = insight.forecast_contacts(
        items, _spaced_terms(), _days(DUE, 16), customers={"A": _customer(5)}
    )
    # b's first level waits until day 11; a's second (planned on the 12th)
    # until 16, with b's second (planned from its due date on the 15th).
    assert [(c.date.day, c.items) for c in spaced] == [
        (6, ("a",)), (11, ("b",)), (16, ("a", "b"))
    ]


@given(
    st.lists(
        st.tuples(st.integers(-40, 40), st.integers(1, 5000), st.integers(0, 3)),
        min_size=1,
        max_size=6,
    ),
    st.integers(0, 7),
)
def test_forecast_properties(specs, gap):
    start = date(2026, 3, 1)
    # An item already reminded fell due at least 15 days before (J+14 is the
    # latest level): the states the issue of reminders leaves.
    items = [
        _item(str(n), amount=float(amount),
              due=start + timedelta(days=min(offset, -15) if level else offset),
              level_number=level, reminder_count=level,
              last_reminder_date=(start - timedelta(days=1)) if level else None)
        for n, (offset, amount, level) in enumerate(specs)
    ]
    contacts = insight.forecast_contacts(
        items, _spaced_terms(bool(gap)), _days(start, 30), customers={"A": _customer(gap)}
    )
    dates = [c.date for c in contacts]
    assert dates == sorted(dates) and len(set(dates)) == len(dates)
    assert all(b - a >= timedelta(days=gap) for a, b in zip(dates, dates[1:]))
    assert all(1 <= c.level_number <= 3 and c.amount > 0 for c in contacts)
    # Each item is reminded at most 3 times (cap = number of levels).
    counts = {}
    for contact in contacts:
        for key in contact.items:
            counts[key] = counts.get(key, 0) + 1
    assert all(
        counts.get(str(n), 0) + level <= 3 for n, (_o, _a, level) in enumerate(specs)
    )


def test_forecast_cap_brings_the_items_to_the_last_level_once():
    """With at most one reminder before the last level, the second contact
    is the last level, and the last level is never repeated."""
    items = [_item("a"), _item("b", due=DUE + timedelta(days=10))]
    contacts = insight.forecast_contacts(
        items, _spaced_terms(), _days(DUE, 40), customers={"A": _customer(5, cap=1)}
    )
    # a: level 1 on the 6th, then its level 2 (12th) goes to level 3; b: its
    # first level (16th) waits for the quiet period and goes to level 3 too.
    assert [(c.date.day, c.level_number, c.items) for c in contacts] == [
        (6, 1, ("a",)),
        (12, 3, ("a",)),
        (17, 3, ("b",)),
    ]


def test_forecast_interest_from_the_date_last_charged():
    terms = {
        "std": replace(
            TERMS["std"],
            charges={
                2: insight.LevelCharges(interest_rate=36.5),
                3: insight.LevelCharges(interest_rate=36.5),
            },
        )
    }
    contacts = insight.forecast_contacts([_item()], terms, _days(DUE, 30))
    # Level 2 on the 12th: 7 days from the due date; level 3 on the 19th:
    # the 7 days since the 12th only.
    assert [(c.date.day, c.interest) for c in contacts] == [
        (6, Decimal("0.00")),
        (12, Decimal("7.00")),
        (19, Decimal("7.00")),
    ]


def test_forecast_fees_entries_and_promises():
    fee_entry = insight.ForecastItem(
        key="fee", partner="A", term="std", amount=50.0,
        state=LineState(due_date=DUE - timedelta(days=20)), is_charge=True,
    )
    # A fees entry alone is never reminded; beside an invoice it is not counted
    # in the amount on which the levels decide.
    assert insight.forecast_contacts([fee_entry], TERMS, _days(DUE, 30)) == []
    contacts = insight.forecast_contacts([_item(), fee_entry], TERMS, _days(DUE, 7))
    assert [(c.items, c.amount) for c in contacts] == [(("inv",), Decimal("1000.00"))]
    paused = insight.forecast_contacts(
        [_item()], TERMS, _days(DUE, 30),
        customers={"A": _customer(0, paused_until=DUE + timedelta(days=10))},
    )
    # Nothing before the promised date; then every level reached meanwhile
    # at once (the highest), one level a contact.
    assert [c.date.day for c in paused][0] == 15


def test_forecast_notice_in_quiet_period_not_counted():
    levels = (LevelRule(1, -3, key="N"),) + tuple(
        replace(rule, number=rule.number + 1) for rule in TERMS["std"].levels
    )
    terms = {"std": insight.ForecastTerm(levels=levels, follow_plan=True)}
    items = [_item("a"), _item("b", due=DUE + timedelta(days=5))]
    customer = replace(_customer(7), last_level_number=4)
    contacts = insight.forecast_contacts(
        items, terms, _days(DUE - timedelta(days=5), 20), customers={"A": customer}
    )
    # a's notice on the 2nd, a's J+1 on the 6th, b's notice on the 7th inside
    # the quiet period (notices do not count), b's J+1 (10th) waits for the
    # 13th with a's level 3 (J+7, 12th).
    assert [(c.date.day, c.is_notice, c.items) for c in contacts] == [
        (2, True, ("a",)),
        (6, False, ("a",)),
        (7, True, ("b",)),
        (13, False, ("a", "b")),
    ]


def test_forecast_no_friendly_reminder_after_the_formal_notice():
    """An invoice falling due after the customer's formal notice (an item
    still open at the last level) goes to the last level: the forecast never
    plans a friendly reminder after a formal notice."""
    notice = _item(
        "a", due=DUE - timedelta(days=30), level_number=3, reminder_count=3,
        last_reminder_date=DUE - timedelta(days=1),
    )
    contacts = insight.forecast_contacts(
        [notice, _item("b")], _spaced_terms(), _days(DUE, 30), customers={"A": _customer(5)}
    )
    assert [(c.date.day, c.level_number, c.items) for c in contacts] == [(6, 3, ("b",))]
