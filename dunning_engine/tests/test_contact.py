from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dunning_engine.contact import (
    ADVANCES,
    CAPPED,
    FIRST,
    HELD_QUIET,
    NOT_DUE,
    QUIET,
    REMINDED_TODAY,
    SAME_DAY,
    SPACED,
    TO_LAST_LEVEL,
    ContactPolicy,
    PlanOptions,
    decide_contact,
    held_by_quiet_period,
    item_advance,
    item_may_advance,
    next_contact_date,
    target_level,
    validate_policy,
)
from dunning_engine.levels import LevelRule, LineState, decide

D = date(2026, 3, 2)
PAYCATCH = [
    LevelRule(number=1, delay_days=1),
    LevelRule(number=2, delay_days=7),
    LevelRule(number=3, delay_days=14),
    LevelRule(number=4, delay_days=21),
    LevelRule(number=5, delay_days=30),
]


def test_first_contact_is_allowed():
    decision = decide_contact(ContactPolicy(min_days=7), D)
    assert decision.allowed and decision.reason == FIRST
    assert decision.next_contact is None and not decision.cap_reached


def test_quiet_period_boundaries():
    policy = ContactPolicy(min_days=7)
    assert decide_contact(policy, D + timedelta(days=6), D).reason == QUIET
    assert not decide_contact(policy, D + timedelta(days=6), D).allowed
    assert decide_contact(policy, D + timedelta(days=6), D).next_contact == D + timedelta(days=7)
    later = decide_contact(policy, D + timedelta(days=7), D)
    assert later.allowed and later.reason == SPACED


def test_zero_days_is_off():
    assert decide_contact(ContactPolicy(min_days=0), D, D).allowed


def test_cap_sends_the_last_level():
    policy = ContactPolicy(min_days=7, max_before_last=4)
    assert not decide_contact(policy, D, D - timedelta(days=7), 3).cap_reached
    capped = decide_contact(policy, D, D - timedelta(days=7), 4)
    assert capped.allowed and capped.cap_reached and capped.reason == CAPPED
    assert target_level(2, 5, capped.cap_reached) == 5
    assert target_level(2, 5, False) == 2
    # The cap never lifts the quiet period.
    assert decide_contact(policy, D, D - timedelta(days=1), 9).reason == QUIET


def test_invalid_policy():
    assert validate_policy(ContactPolicy(min_days=-1, max_before_last=-2)) == [
        "The minimum days between two reminders cannot be negative (-1).",
        "The maximum number of reminders before the last level cannot be negative (-2).",
    ]
    assert validate_policy(ContactPolicy()) == []
    with pytest.raises(ValueError):
        decide_contact(ContactPolicy(min_days=-1), D)
    with pytest.raises(ValueError):
        target_level(0, 5, False)
    with pytest.raises(ValueError):
        target_level(6, 5, True)


def test_held_by_quiet_period():
    policy = ContactPolicy(min_days=7)
    assert held_by_quiet_period(policy, D + timedelta(days=3), D, D + timedelta(days=7))
    assert not held_by_quiet_period(policy, D + timedelta(days=7), D, D + timedelta(days=7))
    assert not held_by_quiet_period(policy, D + timedelta(days=3), None, D + timedelta(days=7))
    assert not held_by_quiet_period(ContactPolicy(0), D, D - timedelta(days=1), D)


@given(
    st.integers(min_value=0, max_value=30),
    st.one_of(st.none(), st.dates(date(2025, 1, 1), date(2027, 1, 1))),
    st.dates(date(2025, 1, 1), date(2027, 1, 1)),
    st.integers(min_value=0, max_value=10),
    st.integers(min_value=0, max_value=10),
)
def test_contact_properties(min_days, last, as_of, count, cap):
    policy = ContactPolicy(min_days=min_days, max_before_last=cap)
    decision = decide_contact(policy, as_of, last, count)
    assert decision.next_contact == next_contact_date(policy, last)
    if last is not None and decision.allowed:
        # a reminder the same day (another currency) is the same contact
        assert (as_of - last).days >= min_days or as_of == last
    if last is not None and not decision.allowed:
        assert (as_of - last).days < min_days
    assert decision.cap_reached == (cap > 0 and count >= cap)
    if last is None:
        assert decision.allowed


def test_same_day_is_the_same_contact():
    """A customer reminded today in EUR may get its USD reminder today too:
    one contact, the quiet period running from today."""
    policy = ContactPolicy(min_days=7, max_before_last=2)
    same_day = decide_contact(policy, D, D, 1)
    assert same_day.allowed
    assert same_day.reason == SAME_DAY
    assert same_day.next_contact == D + timedelta(days=7)
    assert not same_day.cap_reached
    assert not decide_contact(policy, D + timedelta(days=1), D).allowed


def simulate(due_offsets, policy, days, levels=PAYCATCH):
    """Daily runs over ``days`` days: one reminder per customer carrying every
    item that reached its next level; return the contact dates and the items'
    levels."""
    states = {i: LineState(due_date=D + timedelta(days=o)) for i, o in enumerate(due_offsets)}
    contacts = []
    for day in range(days):
        as_of = D + timedelta(days=day)
        last = contacts[-1] if contacts else None
        before_last = sum(1 for _c in contacts)  # all contacts here are below the last level
        decision = decide_contact(policy, as_of, last, before_last)
        if not decision.allowed:
            continue
        escalated = {}
        for key, line in states.items():
            result = decide(levels, line, as_of, follow_plan=bool(policy.min_days))
            if result.level is not None:
                escalated[key] = result.level.number
        if not escalated:
            continue
        contacts.append(as_of)
        for key, number in escalated.items():
            line = states[key]
            states[key] = LineState(
                due_date=line.due_date,
                level_number=number,
                last_reminder_date=as_of,
                reminder_count=line.reminder_count + 1,
            )
    return contacts, states


def test_four_invoices_two_days_apart_paycatch_plan():
    contacts, states = simulate([0, 2, 4, 6], ContactPolicy(min_days=7), 41)
    gaps = [(b - a).days for a, b in zip(contacts, contacts[1:], strict=False)]
    assert all(gap >= 7 for gap in gaps)
    assert len([c for c in contacts if c < D + timedelta(days=14)]) <= 3
    # Five reminders before the formal notice, which every invoice gets by D+36.
    assert [(c - D).days for c in contacts] == [1, 8, 15, 22, 29, 36]
    assert all(state.level_number == 5 for state in states.values())


def test_follow_plan_keeps_the_items_on_their_plan():
    after_late_l1 = LineState(due_date=D, level_number=1, last_reminder_date=D + timedelta(days=6),
                              reminder_count=1)
    # Without a contact policy, level 2 keeps its 6-day gap from the late reminder;
    # with one, it is due at J+7 and the quiet period of the customer spaces it.
    assert decide(PAYCATCH, after_late_l1, D + timedelta(days=7)).level is None
    assert decide(PAYCATCH, after_late_l1, D + timedelta(days=7), follow_plan=True).level.number == 2


# Each example simulates 150 days: no deadline on a loaded machine.
@settings(deadline=None, max_examples=60)
@given(
    st.lists(st.integers(min_value=0, max_value=20), min_size=1, max_size=6),
    st.integers(min_value=0, max_value=10),
)
def test_spacing_holds_and_no_item_is_left_behind(due_offsets, min_days):
    policy = ContactPolicy(min_days=min_days)
    contacts, states = simulate(due_offsets, policy, 150)
    gaps = [(b - a).days for a, b in zip(contacts, contacts[1:], strict=False)]
    assert all(gap >= min_days for gap in gaps)
    assert len(set(contacts)) == len(contacts)
    # A quiet period only delays the levels: every item reaches the last one.
    assert all(state.level_number == len(PAYCATCH) for state in states.values())


def test_item_never_advances_twice_the_same_day():
    assert item_may_advance(None, D)
    assert item_may_advance(D - timedelta(days=1), D)
    assert not item_may_advance(D, D)
    # a reminder dated before the item's last one never takes it further
    assert not item_may_advance(D + timedelta(days=1), D)


def simulate_runs(due_offsets, policy, days, runs_per_day, jump=False):
    """Like :func:`simulate`, with ``runs_per_day`` runs each day (Run now,
    then the scheduled run): the same-day contact is allowed, but only items
    not yet reminded that day may advance. Returns the levels reached per
    item and day."""
    states = {i: LineState(due_date=D + timedelta(days=o)) for i, o in enumerate(due_offsets)}
    contacts = []
    history = []
    for day in range(days):
        as_of = D + timedelta(days=day)
        for _run in range(runs_per_day):
            last = contacts[-1] if contacts else None
            decision = decide_contact(policy, as_of, last, len(set(contacts)))
            if not decision.allowed:
                continue
            for key, line in states.items():
                if not item_may_advance(line.last_reminder_date, as_of):
                    continue
                result = decide(
                    PAYCATCH, line, as_of, jump=jump, follow_plan=bool(policy.min_days)
                )
                if result.level is None:
                    continue
                contacts.append(as_of)
                history.append((key, as_of, result.level.number))
                states[key] = LineState(
                    due_date=line.due_date,
                    level_number=result.level.number,
                    last_reminder_date=as_of,
                    reminder_count=line.reminder_count + 1,
                )
    return history, states


@settings(deadline=None, max_examples=40)
@given(
    st.lists(st.integers(min_value=-40, max_value=10), min_size=1, max_size=4),
    st.integers(min_value=0, max_value=10),
    st.integers(min_value=1, max_value=3),
    st.booleans(),
)
def test_several_runs_a_day_advance_one_level_at_most(due_offsets, min_days, runs, jump):
    """Runs repeated the same day change nothing: at most one new level per
    item and day, the same levels as one run a day, and a long-overdue item
    first gets the level its terms say."""
    policy = ContactPolicy(min_days=min_days)
    history, states = simulate_runs(due_offsets, policy, 60, runs, jump)
    once, once_states = simulate_runs(due_offsets, policy, 60, 1, jump)
    per_item_day = [(key, day) for key, day, _level in history]
    assert len(per_item_day) == len(set(per_item_day))
    assert history == once
    assert states == once_states
    firsts = {}
    for key, day, level in history:
        firsts.setdefault(key, (day, level))
    for key, (day, level) in firsts.items():
        if not jump:
            assert level == 1
        days_late = (day - states[key].due_date).days
        # jump: the highest level whose delay has passed
        if jump:
            assert level == max(r.number for r in PAYCATCH if r.delay_days <= days_late)


# ------------------------------------------------------------ item_advance
# The one decision shared by the reminders and the forecast.


def _advance(state, as_of, **kwargs):
    plan = PlanOptions(jump=kwargs.pop("jump", False))
    options = {"total_overdue": 1000.0, "notices_only": False, "cap_reached": False}
    options.update(kwargs)
    return item_advance(PAYCATCH, state, as_of, plan, **options)


def test_item_advance_the_plan_the_cap_and_the_quiet_period():
    due = date(2026, 1, 1)
    fresh = LineState(due_date=due)
    result = _advance(fresh, due + timedelta(days=1))
    assert (result.level.number, result.reason) == (1, ADVANCES)
    result = _advance(fresh, due + timedelta(days=1), cap_reached=True)
    assert (result.level.number, result.reason) == (5, TO_LAST_LEVEL)
    result = _advance(fresh, due + timedelta(days=1), notices_only=True)
    assert (result.level, result.reason) == (None, HELD_QUIET)


@settings(max_examples=200, deadline=None)
@given(
    level=st.integers(min_value=0, max_value=5),
    overdue=st.integers(min_value=-5, max_value=60),
    cap=st.booleans(),
    jump=st.booleans(),
)
def test_item_advance_never_twice_the_same_day(level, overdue, cap, jump):
    # An item reminded today (at any level) never reaches a level again today,
    # whatever the plan, the cap or the escalation mode.
    due = date(2026, 1, 1)
    today = due + timedelta(days=overdue)
    state = LineState(
        due_date=due,
        level_number=level,
        last_reminder_date=today if level else None,
        reminder_count=1 if level else 0,
    )
    result = _advance(state, today, cap_reached=cap, jump=jump)
    if level:
        assert result.level is None
        assert result.reason in (REMINDED_TODAY, NOT_DUE)
    # and the level reached is always one of the plan's, never beyond the last
    if result.level is not None:
        assert 1 <= result.level.number <= 5
