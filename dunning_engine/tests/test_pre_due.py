"""Courtesy notices before the due date (levels with a negative delay)."""

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from dunning_engine.levels import (
    ESCALATE,
    EXHAUSTED,
    NOT_DUE,
    NOTICE,
    LevelRule,
    LineState,
    decide,
    trigger_date,
    validate_levels,
)

DUE = date(2026, 3, 10)
REMINDERS = [
    LevelRule(number=1, delay_days=1, key="J+1"),
    LevelRule(number=2, delay_days=7, key="J+7"),
    LevelRule(number=3, delay_days=14, key="J+14"),
]
# PayCatch with a "rappel d'échéance" at J-3
PLAN = [LevelRule(number=1, delay_days=-3, key="J-3")] + [
    LevelRule(number=rule.number + 1, delay_days=rule.delay_days, key=rule.key)
    for rule in REMINDERS
]


def day(offset):
    return DUE + timedelta(days=offset)


def test_negative_delays_are_valid_within_bounds():
    assert validate_levels(PLAN) == []
    assert validate_levels([LevelRule(1, -3650), LevelRule(2, 1)]) == []
    errors = validate_levels([LevelRule(1, -3651), LevelRule(2, 1)])
    assert errors == ["Level 1: the delay must be between -3650 and 3650 (-3651)."]


def test_notice_must_be_planned_by_the_due_date():
    errors = validate_levels([LevelRule(1, -3, grace_days=5), LevelRule(2, 1)])
    assert len(errors) == 1 and "by the due date" in errors[0]
    assert validate_levels([LevelRule(1, -3, grace_days=3)]) == []


def test_notice_at_j_minus_3_then_reminder_at_j_plus_1():
    fresh = LineState(due_date=DUE)
    assert decide(PLAN, fresh, day(-4)).reason == NOT_DUE
    assert decide(PLAN, fresh, day(-4)).trigger_date == day(-3)
    notice = decide(PLAN, fresh, day(-3))
    assert (notice.level.key, notice.reason) == ("J-3", NOTICE)
    assert not notice.is_overdue
    # the notice was sent on J-3
    after = LineState(
        due_date=DUE, level_number=1, last_reminder_date=day(-3), reminder_count=1,
        notice_count=1,
    )
    assert decide(PLAN, after, day(0)).level is None
    assert decide(PLAN, after, day(0)).trigger_date == day(1)
    first = decide(PLAN, after, day(1))
    assert (first.level.key, first.level.number, first.reason) == ("J+1", 2, ESCALATE)
    assert trigger_date(PLAN, after) == day(1)


def test_notice_is_never_sent_once_overdue():
    fresh = LineState(due_date=DUE)
    # the invoice is already overdue (posted late, or no run before): J+1 directly
    assert decide(PLAN, fresh, day(1)).level.key == "J+1"
    assert decide(PLAN, fresh, day(0)).level.key == "J-3"  # on the due date: still a notice
    assert trigger_date(PLAN, fresh, as_of=day(1)) == day(1)
    assert trigger_date(PLAN, fresh) == day(-3)


def test_only_the_latest_notice_is_sent():
    plan = [LevelRule(1, -7, key="J-7"), LevelRule(2, -3, key="J-3"), LevelRule(3, 1, key="J+1")]
    assert decide(plan, LineState(due_date=DUE), day(-2)).level.key == "J-3"
    after_first = LineState(DUE, 1, day(-7), 1, 1)
    assert decide(plan, after_first, day(-5)).level is None
    assert decide(plan, after_first, day(-3)).level.key == "J-3"


def test_notices_are_not_counted_in_the_maximum():
    after = LineState(DUE, 1, day(-3), 1, 1)
    # max 3 reminders: J+1, J+7, J+14, no repeat of J+14 after them
    assert decide(PLAN, after, day(1), max_reminders=3).level.key == "J+1"
    after_three = LineState(DUE, 4, day(14), 4, 1)
    assert decide(PLAN, after_three, day(40), max_reminders=3).reason == EXHAUSTED
    # with a maximum of 4, the last level repeats once
    assert decide(PLAN, after_three, day(40), max_reminders=4).level.key == "J+14"


def test_jump_never_lands_on_a_notice():
    fresh = LineState(due_date=DUE)
    jumped = decide(PLAN, fresh, day(20), jump=True)
    assert jumped.level.key == "J+14"
    assert decide(PLAN, fresh, day(-1), jump=True).level.key == "J-3"


def test_a_plan_of_notices_only():
    plan = [LevelRule(1, -3, key="J-3")]
    assert decide(plan, LineState(due_date=DUE), day(-3)).level.key == "J-3"
    assert decide(plan, LineState(due_date=DUE), day(5)).reason == EXHAUSTED
    assert decide(plan, LineState(DUE, 1, day(-3), 1, 1), day(-1)).reason == EXHAUSTED


def test_notices_ignore_the_minimum_amount():
    plan = [LevelRule(1, -3, min_amount=1000.0, key="J-3"), LevelRule(2, 1, key="J+1")]
    assert decide(plan, LineState(due_date=DUE), day(-3), total_overdue=0.0).level.key == "J-3"


# ---------------------------------------------------------------- properties

reminder_plans = st.lists(st.integers(0, 60), min_size=1, max_size=5, unique=True).map(
    lambda delays: [
        LevelRule(number=i, delay_days=d, key=f"R{i}") for i, d in enumerate(sorted(delays), 1)
    ]
)
notice_delays = st.lists(st.integers(-30, -1), min_size=0, max_size=3, unique=True).map(sorted)


def with_notices(reminders, delays):
    notices = [LevelRule(number=i, delay_days=d, key=f"N{i}") for i, d in enumerate(delays, 1)]
    shifted = [
        LevelRule(
            number=rule.number + len(notices),
            delay_days=rule.delay_days,
            grace_days=rule.grace_days,
            key=rule.key,
        )
        for rule in reminders
    ]
    return notices + shifted


@given(
    reminders=reminder_plans,
    delays=notice_delays,
    level=st.integers(0, 5),
    gap=st.integers(0, 40),
    offset=st.integers(1, 200),
    max_reminders=st.integers(0, 8),
    jump=st.booleans(),
    sent_notice=st.booleans(),
)
def test_notices_never_change_the_reminders_after_the_due_date(
    reminders, delays, level, gap, offset, max_reminders, jump, sent_notice
):
    """After the due date, a plan with notices decides exactly as the same plan
    without them: the notices never delay nor advance a reminder."""
    level = min(level, len(reminders))
    count = level
    last = DUE + timedelta(days=gap) if level else None
    plain_state = LineState(DUE, level, last, count)
    notices = len(delays) if (sent_notice and delays) else 0
    if level:
        state = LineState(DUE, level + len(delays), last, count + notices, notices)
    elif notices:
        # only the notice was sent, on its date before the due date
        state = LineState(DUE, len(delays), DUE + timedelta(days=delays[-1]), 1, 1)
    else:
        state = LineState(DUE)
    as_of = DUE + timedelta(days=offset)
    plain = decide(reminders, plain_state, as_of, max_reminders=max_reminders, jump=jump)
    mixed = decide(
        with_notices(reminders, delays), state, as_of, max_reminders=max_reminders, jump=jump
    )
    assert (mixed.level.key if mixed.level else None) == (
        plain.level.key if plain.level else None
    )
    assert (mixed.trigger_date, mixed.reason) == (plain.trigger_date, plain.reason)


@given(
    reminders=reminder_plans,
    delays=notice_delays.filter(bool),
    offset=st.integers(-40, 0),
)
def test_a_notice_comes_only_before_the_due_date_and_on_its_date(reminders, delays, offset):
    plan = with_notices(reminders, delays)
    as_of = DUE + timedelta(days=offset)
    decision = decide(plan, LineState(DUE), as_of)
    if decision.reason == NOTICE:
        assert decision.level.is_pre_due
        assert DUE + timedelta(days=decision.level.delay_days) <= as_of <= DUE
        # the latest notice whose date has come
        later = [d for d in delays if d > decision.level.delay_days]
        assert all(DUE + timedelta(days=d) > as_of for d in later)
    else:
        assert decision.level is None or not decision.level.is_pre_due
        assert as_of < DUE + timedelta(days=delays[0]) or decision.level is not None
