from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dunning_engine.levels import (
    Decision,
    LevelRule,
    LineState,
    decide,
    trigger_date,
    validate_levels,
)

DUE = date(2026, 1, 10)
# demo plan: J+1, J+7, J+14, J+30
PLAN = [
    LevelRule(number=1, delay_days=1, key="L1"),
    LevelRule(number=2, delay_days=7, key="L2"),
    LevelRule(number=3, delay_days=14, key="L3"),
    LevelRule(number=4, delay_days=30, key="L4"),
]


def state(level=0, last=None, count=None, due=DUE):
    return LineState(
        due_date=due,
        level_number=level,
        last_reminder_date=last,
        reminder_count=level if count is None else count,
    )


# ---------------------------------------------------------------- level 1


def test_level_1_reached_on_day_after_due_date():
    decision = decide(PLAN, state(), date(2026, 1, 11))
    assert decision == Decision(
        level=PLAN[0],
        current=None,
        trigger_date=date(2026, 1, 11),
        overdue_days=1,
        is_overdue=True,
        reason="escalate",
    )
    assert decision.level.key == "L1"


def test_level_1_not_before_its_date():
    decision = decide(PLAN, state(), date(2026, 1, 10))
    assert decision.level is None
    assert decision.reason == "not_due"
    assert decision.trigger_date == date(2026, 1, 11)
    assert decision.overdue_days == 0
    assert decision.is_overdue is False


def test_before_due_date_is_not_due():
    decision = decide(PLAN, state(), date(2025, 12, 1))
    assert (decision.level, decision.reason, decision.trigger_date) == (
        None,
        "not_due",
        date(2026, 1, 11),
    )


def test_overdue_but_first_level_later_is_waiting():
    plan = [LevelRule(1, 5), LevelRule(2, 10)]
    decision = decide(plan, state(), date(2026, 1, 13))
    assert decision.reason == "waiting"
    assert decision.level is None
    assert decision.trigger_date == date(2026, 1, 15)
    assert decision.overdue_days == 3
    assert decision.is_overdue is True


def test_zero_delay_level_reached_on_the_due_date():
    plan = [LevelRule(1, 0), LevelRule(2, 10)]
    decision = decide(plan, state(), DUE)
    assert decision.reason == "escalate"
    assert decision.level == plan[0]
    assert decision.is_overdue is False


def test_grace_days_delay_the_first_level():
    plan = [LevelRule(1, 1, grace_days=3), LevelRule(2, 7)]
    assert decide(plan, state(), date(2026, 1, 13)).reason == "waiting"
    decision = decide(plan, state(), date(2026, 1, 14))
    assert decision.reason == "escalate"
    assert decision.trigger_date == date(2026, 1, 14)


# ---------------------------------------------------------------- next levels


def test_level_2_six_days_after_level_1_on_time():
    after_l1 = state(level=1, last=date(2026, 1, 11))
    waiting = decide(PLAN, after_l1, date(2026, 1, 16))
    assert waiting.level is None
    assert waiting.reason == "waiting"
    assert waiting.trigger_date == date(2026, 1, 17)
    assert waiting.current == PLAN[0]
    reached = decide(PLAN, after_l1, date(2026, 1, 17))
    assert reached.level == PLAN[1]
    assert reached.reason == "escalate"
    assert reached.trigger_date == date(2026, 1, 17)


def test_level_2_counted_from_late_level_1():
    after_late_l1 = state(level=1, last=date(2026, 1, 20))
    assert decide(PLAN, after_late_l1, date(2026, 1, 25)).level is None
    decision = decide(PLAN, after_late_l1, date(2026, 1, 26))
    assert decision.level == PLAN[1]
    assert decision.trigger_date == date(2026, 1, 26)
    assert trigger_date(PLAN, after_late_l1) == date(2026, 1, 26)


def test_levels_3_and_4_use_the_gaps():
    after_l2 = state(level=2, last=date(2026, 1, 17))
    assert trigger_date(PLAN, after_l2) == date(2026, 1, 24)
    assert decide(PLAN, after_l2, date(2026, 1, 24)).level == PLAN[2]
    after_l3 = state(level=3, last=date(2026, 1, 24))
    assert trigger_date(PLAN, after_l3) == date(2026, 2, 9)
    assert decide(PLAN, after_l3, date(2026, 2, 8)).level is None
    assert decide(PLAN, after_l3, date(2026, 2, 9)).level == PLAN[3]


def test_one_level_at_a_time_without_jump():
    # long overdue and never reminded: still level 1 first
    decision = decide(PLAN, state(), date(2026, 6, 1))
    assert decision.level == PLAN[0]
    assert decision.trigger_date == date(2026, 1, 11)


def test_grace_days_added_to_the_gap():
    plan = [LevelRule(1, 1), LevelRule(2, 7, grace_days=2)]
    assert trigger_date(plan, state(level=1, last=date(2026, 1, 11))) == date(2026, 1, 19)


def test_missing_last_reminder_date_falls_back_on_due_date():
    assert trigger_date(PLAN, state(level=1, last=None)) == date(2026, 1, 17)
    assert trigger_date(PLAN, state(level=2, last=None)) == date(2026, 1, 24)


def test_levels_in_any_order():
    shuffled = [PLAN[2], PLAN[0], PLAN[3], PLAN[1]]
    for as_of in (date(2026, 1, 11), date(2026, 1, 30)):
        for jump in (False, True):
            assert decide(shuffled, state(), as_of, jump=jump) == decide(
                PLAN, state(), as_of, jump=jump
            )


# ---------------------------------------------------------------- cap and repeat


def test_exhausted_after_four_reminders_without_cap():
    after_l4 = state(level=4, last=date(2026, 2, 9))
    decision = decide(PLAN, after_l4, date(2027, 1, 1), max_reminders=0)
    assert decision.reason == "exhausted"
    assert decision.level is None
    assert decision.trigger_date is None
    assert decision.current == PLAN[3]
    assert trigger_date(PLAN, after_l4) is None


def test_last_level_repeats_up_to_max_reminders():
    after_l4 = state(level=4, last=date(2026, 2, 9), count=4)
    assert trigger_date(PLAN, after_l4, max_reminders=6) == date(2026, 2, 25)
    waiting = decide(PLAN, after_l4, date(2026, 2, 24), max_reminders=6)
    assert (waiting.level, waiting.reason) == (None, "waiting")
    assert waiting.trigger_date == date(2026, 2, 25)
    repeat = decide(PLAN, after_l4, date(2026, 2, 25), max_reminders=6)
    assert (repeat.level, repeat.reason) == (PLAN[3], "repeat")
    fifth = state(level=4, last=date(2026, 2, 25), count=5)
    assert decide(PLAN, fifth, date(2026, 3, 13), max_reminders=6).reason == "repeat"
    assert decide(PLAN, fifth, date(2026, 3, 12), max_reminders=6).reason == "waiting"
    sixth = state(level=4, last=date(2026, 3, 13), count=6)
    assert decide(PLAN, sixth, date(2027, 1, 1), max_reminders=6).reason == "exhausted"


def test_max_reminders_below_number_of_levels_caps():
    after_l2 = state(level=2, last=date(2026, 1, 17))
    decision = decide(PLAN, after_l2, date(2026, 6, 1), max_reminders=2)
    assert decision.reason == "exhausted"
    assert decision.current == PLAN[1]


def test_single_level_with_zero_delay_repeats_daily_at_least():
    plan = [LevelRule(1, 0)]
    after = state(level=1, last=DUE, count=1)
    assert trigger_date(plan, after, max_reminders=3) == date(2026, 1, 11)
    assert decide(plan, after, DUE, max_reminders=3).reason == "not_due"  # as_of <= due date
    assert decide(plan, after, date(2026, 1, 11), max_reminders=3).reason == "repeat"


def test_single_level_repeats_every_delay():
    plan = [LevelRule(1, 10, grace_days=1)]
    after = state(level=1, last=date(2026, 1, 21), count=1)
    assert trigger_date(plan, after, max_reminders=2) == date(2026, 2, 1)


def test_level_number_above_plan_repeats_last_level():
    # a level was deleted from the terms after the line reached it
    after = state(level=6, last=date(2026, 2, 9), count=4)
    decision = decide(PLAN, after, date(2026, 2, 25), max_reminders=10)
    assert decision.current == PLAN[3]
    assert (decision.level, decision.reason) == (PLAN[3], "repeat")


def test_repeat_without_last_date_counts_from_planned_last_level():
    after = state(level=4, last=None, count=4)
    # planned J+30 = 2026-02-09, plus gap 16
    assert trigger_date(PLAN, after, max_reminders=5) == date(2026, 2, 25)


# ---------------------------------------------------------------- jump


def test_jump_picks_level_3_when_20_days_overdue():
    as_of = DUE + timedelta(days=20)
    decision = decide(PLAN, state(), as_of, jump=True)
    assert decision.level == PLAN[2]
    assert decision.reason == "escalate"
    assert decision.trigger_date == date(2026, 1, 24)
    assert decision.overdue_days == 20


def test_jump_boundaries():
    assert decide(PLAN, state(), date(2026, 1, 23), jump=True).level == PLAN[1]
    assert decide(PLAN, state(), date(2026, 1, 24), jump=True).level == PLAN[2]
    assert decide(PLAN, state(), date(2026, 2, 9), jump=True).level == PLAN[3]
    assert decide(PLAN, state(), date(2026, 1, 11), jump=True).level == PLAN[0]
    not_due = decide(PLAN, state(), date(2026, 1, 10), jump=True)
    assert (not_due.level, not_due.reason, not_due.trigger_date) == (
        None,
        "not_due",
        date(2026, 1, 11),
    )


def test_jump_bounded_by_max_reminders():
    decision = decide(PLAN, state(), date(2026, 6, 1), jump=True, max_reminders=2)
    assert decision.level == PLAN[1]


def test_jump_only_for_never_reminded_lines():
    after_l1 = state(level=1, last=date(2026, 1, 11))
    decision = decide(PLAN, after_l1, date(2026, 6, 1), jump=True)
    assert decision.level == PLAN[1]


def test_jump_falls_back_to_level_meeting_min_amount():
    plan = [
        LevelRule(1, 1),
        LevelRule(2, 7, min_amount=100),
        LevelRule(3, 14, min_amount=500),
    ]
    as_of = date(2026, 1, 30)
    assert decide(plan, state(), as_of, jump=True, total_overdue=1000).level == plan[2]
    assert decide(plan, state(), as_of, jump=True, total_overdue=499.99).level == plan[1]
    assert decide(plan, state(), as_of, jump=True, total_overdue=50).level == plan[0]


def test_jump_with_no_level_meeting_min_amount_waits():
    plan = [LevelRule(1, 1, min_amount=100), LevelRule(2, 7, min_amount=100)]
    decision = decide(plan, state(), date(2026, 1, 30), jump=True, total_overdue=10)
    assert (decision.level, decision.reason) == (None, "waiting")
    assert decision.trigger_date == date(2026, 1, 17)


# ---------------------------------------------------------------- min amount


def test_min_amount_blocks_the_level():
    plan = [LevelRule(1, 1, min_amount=100.0), LevelRule(2, 7)]
    as_of = date(2026, 1, 11)
    blocked = decide(plan, state(), as_of, total_overdue=99.99)
    assert blocked.level is None
    assert blocked.reason == "waiting"
    assert blocked.trigger_date == date(2026, 1, 11)
    assert decide(plan, state(), as_of, total_overdue=100.0).level == plan[0]
    assert decide(plan, state(), as_of, total_overdue=None).level == plan[0]


def test_min_amount_blocks_repeat():
    plan = [LevelRule(1, 1), LevelRule(2, 7, min_amount=50)]
    after = state(level=2, last=date(2026, 1, 17))
    as_of = date(2026, 1, 30)
    assert decide(plan, after, as_of, max_reminders=3, total_overdue=20).reason == "waiting"
    assert decide(plan, after, as_of, max_reminders=3, total_overdue=60).reason == "repeat"


# ---------------------------------------------------------------- misc


def test_no_levels():
    decision = decide([], state(), date(2026, 2, 1))
    assert decision == Decision(None, None, None, 22, True, "no_levels")
    assert trigger_date([], state()) is None


def test_invalid_numbering_raises():
    with pytest.raises(ValueError, match="consecutive"):
        decide([LevelRule(1, 1), LevelRule(3, 7)], state(), DUE)
    with pytest.raises(ValueError):
        trigger_date([LevelRule(2, 1)], state())


def test_negative_level_number_raises():
    with pytest.raises(ValueError):
        decide(PLAN, LineState(DUE, level_number=-1), DUE)


def test_objects_are_frozen():
    with pytest.raises(AttributeError):
        PLAN[0].delay_days = 3  # type: ignore[misc]


# ---------------------------------------------------------------- validation


def test_valid_plans():
    assert validate_levels(PLAN) == []
    assert validate_levels(list(reversed(PLAN))) == []
    assert validate_levels([]) == []
    assert validate_levels(PLAN, max_reminders=2) == []
    assert validate_levels([LevelRule(1, 0)]) == []


def test_non_increasing_delays():
    errors = validate_levels([LevelRule(1, 7), LevelRule(2, 7), LevelRule(3, 3)])
    assert len(errors) == 2
    assert all("strictly increasing" in error for error in errors)
    assert errors[0].startswith("Level 2")


def test_negative_values():
    # a negative delay is a notice before the due date (see test_pre_due)
    errors = validate_levels([LevelRule(1, -1, grace_days=-2, min_amount=-5.0)])
    assert len(errors) == 2
    assert all("cannot be negative" in error for error in errors)
    assert any("minimum amount" in error for error in errors)
    assert any("grace" in error for error in errors)


def test_bad_max_reminders_and_numbering():
    assert len(validate_levels(PLAN, max_reminders=-1)) == 1
    assert "cannot be negative" in validate_levels(PLAN, max_reminders=-1)[0]
    errors = validate_levels([LevelRule(1, 1), LevelRule(1, 7)])
    assert any("consecutive" in error for error in errors)
    assert validate_levels([LevelRule(2, 1)]) != []


# ---------------------------------------------------------------- properties


@st.composite
def plans(draw):
    gaps = draw(st.lists(st.integers(1, 60), min_size=1, max_size=6))
    first = draw(st.integers(0, 30))
    delays = [first + sum(gaps[:i]) for i in range(len(gaps))]
    return [
        LevelRule(
            number=index + 1,
            delay_days=delay,
            grace_days=draw(st.integers(0, 5)),
            key=index,
        )
        for index, delay in enumerate(delays)
    ]


@st.composite
def plan_and_state(draw):
    plan = draw(plans())
    due = draw(st.dates(date(2020, 1, 1), date(2030, 12, 31)))
    level = draw(st.integers(0, len(plan)))
    last = due + timedelta(days=draw(st.integers(0, 400))) if level else None
    count = draw(st.integers(level, level + 3)) if level else 0
    return plan, LineState(due, level, last, count)


@given(plan_and_state(), st.integers(-100, 800), st.integers(0, 8))
def test_decide_agrees_with_trigger_date(data, offset, max_reminders):
    plan, line = data
    as_of = line.due_date + timedelta(days=offset)
    decision = decide(plan, line, as_of, max_reminders=max_reminders)
    assert validate_levels(plan, max_reminders) == []
    assert decision.trigger_date == trigger_date(plan, line, max_reminders)
    assert decision.overdue_days == max(0, offset)
    assert decision.is_overdue == (offset > 0)
    if decision.trigger_date is None:
        assert decision.reason == "exhausted"
    else:
        reached = decision.trigger_date <= as_of
        assert (decision.level is not None) == reached
        if reached:
            expected = min(line.level_number + 1, len(plan))
            assert decision.level.number == expected


@given(plan_and_state(), st.integers(0, 800), st.integers(1, 60))
def test_reached_level_stays_reached_later(data, offset, later):
    plan, line = data
    as_of = line.due_date + timedelta(days=offset)
    first = decide(plan, line, as_of, max_reminders=8)
    second = decide(plan, line, as_of + timedelta(days=later), max_reminders=8)
    if first.level is not None:
        assert second.level == first.level


@given(plans(), st.integers(0, 800), st.integers(0, 8))
def test_jump_never_below_one_step_and_within_cap(plan, offset, max_reminders):
    line = LineState(date(2026, 1, 10))
    as_of = line.due_date + timedelta(days=offset)
    step = decide(plan, line, as_of, max_reminders=max_reminders)
    jumped = decide(plan, line, as_of, max_reminders=max_reminders, jump=True)
    if step.level is not None:
        # (the reverse does not hold: grace days may plan level 2 before level 1)
        assert jumped.level is not None
        assert jumped.level.number >= step.level.number
    if jumped.level is not None:
        cap = max_reminders or len(plan)
        assert jumped.level.number <= cap
        assert line.due_date + timedelta(
            days=jumped.level.delay_days + jumped.level.grace_days
        ) <= as_of


# ---------------------------------------------------------------- jump without maximum


def test_jump_with_max_zero_reaches_each_level_once():
    """Jump to level 3 at once, then level 4, then never again (no repeats)."""
    as_of = date(2026, 1, 30)  # J+20: level 3 (J+14) reached
    jumped = decide(PLAN, state(), as_of, jump=True, max_reminders=0)
    assert jumped.level == PLAN[2]
    after_l3 = state(level=3, last=as_of, count=1)
    fourth = decide(PLAN, after_l3, as_of + timedelta(days=16), jump=True, max_reminders=0)
    assert fourth.level == PLAN[3]
    after_l4 = state(level=4, last=as_of + timedelta(days=16), count=2)
    for later in (30, 365, 3000):
        decision = decide(PLAN, after_l4, as_of + timedelta(days=later), jump=True)
        assert (decision.level, decision.reason) == (None, "exhausted")
    assert trigger_date(PLAN, after_l4) is None
    # an explicit maximum still repeats the last level up to it
    assert decide(PLAN, after_l4, date(2027, 1, 1), max_reminders=4).reason == "repeat"


def test_bounds_of_days_and_maximum():
    errors = validate_levels([LevelRule(1, 3651), LevelRule(2, 4000, grace_days=5000)], 101)
    assert any("cannot exceed 100" in error for error in errors)
    assert any("Level 1: the delay must be between -3650 and 3650" in error for error in errors)
    assert any("Level 2: the grace days must be between 0 and 3650" in error for error in errors)
