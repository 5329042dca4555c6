"""Choice of the reminder level an overdue item reaches at a given date.

A reminder plan is a list of levels "J+N": level *k* is planned ``delay_days``
after the due date of the item. The first level is counted from the due date;
each next level is counted from the date the previous reminder was actually
issued, using the gap between the two planned delays. This way a reminder sent
late does not make the next one follow too closely.

A level with a negative delay ("J-3") is a courtesy notice planned before the
due date. The notices come first in a plan (the delays are increasing) and
live apart from the reminders: a notice is only reached while the item is not
overdue (never after its due date), one at a time (the latest one whose date
has come), and it is neither counted in the maximum number of reminders nor
used as the start of the next interval: the first reminder after the due date
is planned from the due date as if no notice had been sent, so a notice never
delays the J+1 reminder. Notices ignore the minimum amounts.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta

from . import bounds
from ._decimal import to_decimal

NOT_DUE = "not_due"
WAITING = "waiting"
ESCALATE = "escalate"
REPEAT = "repeat"
EXHAUSTED = "exhausted"
NO_LEVELS = "no_levels"
NOTICE = "notice"  # a courtesy notice before the due date (pre-due level)


@dataclass(frozen=True)
class LevelRule:
    """One level of a reminder plan."""

    number: int  # 1-based ordinal of the level in its terms
    delay_days: int  # "J+N": days after the due date at which the level is planned
    grace_days: int = 0  # extra tolerance days added to the trigger date (>= 0)
    min_amount: float = 0.0  # minimum total overdue amount of the customer
    key: object = None  # opaque id (e.g. Odoo record id), passed through

    @property
    def is_pre_due(self) -> bool:
        """Planned before the due date (J-N): a courtesy notice, not a reminder."""
        return self.delay_days < 0


@dataclass(frozen=True)
class LineState:
    """Dunning state of one receivable item."""

    due_date: date
    level_number: int = 0  # last issued level for this line (0 = never reminded)
    last_reminder_date: date | None = None
    reminder_count: int = 0  # reminders already issued for this line (notices included)
    notice_count: int = 0  # courtesy notices (pre-due levels) among reminder_count


@dataclass(frozen=True)
class Decision:
    """Result of :func:`decide`."""

    level: LevelRule | None  # level to reach now (None = nothing to do now)
    current: LevelRule | None  # level already reached, None if never reminded
    trigger_date: date | None  # when ``level`` (or the next level) is due
    overdue_days: int  # max(0, (as_of - due_date).days)
    is_overdue: bool  # as_of > due_date
    reason: str  # not_due, waiting, escalate, repeat, exhausted, no_levels, notice


def validate_levels(levels: Sequence[LevelRule], max_reminders: int = 0) -> list[str]:
    """Return the problems of a reminder plan as English messages (empty = valid).

    An empty plan is valid. Levels may be given in any order.
    """
    errors = []
    if max_reminders < 0:
        errors.append(f"The maximum number of reminders cannot be negative ({max_reminders}).")
    ordered = sorted(levels, key=lambda rule: rule.number)
    numbers = [rule.number for rule in ordered]
    if numbers != list(range(1, len(ordered) + 1)):
        listed = ", ".join(str(number) for number in numbers)
        errors.append(f"Level numbers must be consecutive starting at 1 (got {listed}).")
    if max_reminders > bounds.MAX_COUNT:
        errors.append(
            f"The maximum number of reminders cannot exceed {bounds.MAX_COUNT} ({max_reminders})."
        )
    previous = None
    for rule in ordered:
        days = {
            "the delay": (bounds.SIGNED_DAYS, rule.delay_days),
            "the grace days": (bounds.DAYS, rule.grace_days),
        }
        for violation in bounds.check(days):
            # a negative delay plans a notice before the due date; negative
            # grace days are reported below
            if violation.kind == bounds.SIGNED_DAYS or violation.value > violation.maximum:
                errors.append(f"Level {rule.number}: {violation.message}")
        if rule.is_pre_due and rule.delay_days + max(rule.grace_days, 0) > 0:
            errors.append(
                f"Level {rule.number}: a notice before the due date must be planned "
                f"by the due date ({rule.delay_days} days and {rule.grace_days} grace days)."
            )
        if rule.grace_days < 0:
            errors.append(
                f"Level {rule.number}: the grace days cannot be negative ({rule.grace_days})."
            )
        if to_decimal(rule.min_amount) < 0:
            errors.append(
                f"Level {rule.number}: the minimum amount cannot be negative ({rule.min_amount})."
            )
        if previous is not None and rule.delay_days <= previous.delay_days:
            errors.append(
                f"Level {rule.number}: the delays must be strictly increasing "
                f"({rule.delay_days} days does not come after {previous.delay_days} days "
                f"of level {previous.number})."
            )
        previous = rule
    return errors


def _sorted_levels(levels: Sequence[LevelRule]) -> list[LevelRule]:
    ordered = sorted(levels, key=lambda rule: rule.number)
    if [rule.number for rule in ordered] != list(range(1, len(ordered) + 1)):
        raise ValueError("Level numbers must be consecutive starting at 1.")
    return ordered


def _cap(ordered: list[LevelRule], max_reminders: int) -> int:
    return max_reminders if max_reminders > 0 else len(ordered)


def _exhausted(ordered: list[LevelRule], state: LineState, max_reminders: int) -> bool:
    """No reminder is left for ``state``.

    Without a maximum (0) each level is reached once and the last one never
    repeats: an item that jumped over levels stops at the last level instead
    of repeating it until the count of levels is reached.
    """
    if state.reminder_count >= _cap(ordered, max_reminders):
        return True
    return max_reminders <= 0 and state.level_number >= len(ordered)


def _gap(ordered: list[LevelRule], number: int) -> int:
    """Days between level ``number - 1`` and level ``number`` (from due date for 1)."""
    if number == 1:
        return ordered[0].delay_days
    return ordered[number - 1].delay_days - ordered[number - 2].delay_days


def _planned_date(rule: LevelRule, due_date: date) -> date:
    """Trigger date of ``rule`` counted from the due date only."""
    return due_date + timedelta(days=rule.delay_days + rule.grace_days)


def _next_step(
    ordered: list[LevelRule], state: LineState, follow_plan: bool = False
) -> tuple[LevelRule, date, bool]:
    """Return ``(level, trigger, is_repeat)`` of the next reminder, one level at a time.

    ``ordered`` must not be empty and the cap must not be reached. With
    ``follow_plan``, every level is planned from the due date: the spacing of
    the reminders comes from the contact policy of the customer instead.
    """
    count = len(ordered)
    if state.level_number >= count:
        last = ordered[-1]
        base = state.last_reminder_date or (state.due_date + timedelta(days=last.delay_days))
        gap = max(_gap(ordered, count), 1)
        return last, base + timedelta(days=gap + last.grace_days), True
    rule = ordered[state.level_number]  # level_number + 1, 0-based
    if rule.number == 1 or state.last_reminder_date is None or follow_plan:
        return rule, _planned_date(rule, state.due_date), False
    gap = _gap(ordered, rule.number)
    return rule, state.last_reminder_date + timedelta(days=gap + rule.grace_days), False


def _amount_ok(rule: LevelRule, total_overdue) -> bool:
    if total_overdue is None:
        return True
    return to_decimal(total_overdue) >= to_decimal(rule.min_amount)


def _jump_target(ordered, state, as_of, cap, total_overdue):
    """Return ``(reached, best_by_date)`` for a never-reminded item.

    ``best_by_date`` is the highest level whose planned date has passed,
    ``reached`` the highest one of those also meeting its minimum amount.
    """
    passed = [
        rule
        for rule in ordered[: min(cap, len(ordered))]
        if _planned_date(rule, state.due_date) <= as_of
    ]
    reached = [rule for rule in passed if _amount_ok(rule, total_overdue)]
    return (reached[-1] if reached else None), (passed[-1] if passed else None)


def _split(ordered: list[LevelRule]) -> tuple[list[LevelRule], list[LevelRule]]:
    """``(notices, reminders)``: the pre-due levels as they are, the other levels
    renumbered 1..m (their keys unchanged), a plan of their own."""
    notices = [rule for rule in ordered if rule.is_pre_due]
    reminders = [
        replace(rule, number=index)
        for index, rule in enumerate((r for r in ordered if not r.is_pre_due), 1)
    ]
    return notices, reminders


def _reminder_state(state: LineState, notices: int) -> LineState:
    """``state`` seen from the plan of the reminders alone: its notices are
    neither a level, nor a reminder counted, nor the date of a last reminder."""
    level = max(0, state.level_number - notices)
    return LineState(
        due_date=state.due_date,
        level_number=level,
        last_reminder_date=state.last_reminder_date if level else None,
        reminder_count=max(0, state.reminder_count - max(state.notice_count, 0)),
    )


def _choose_notice(notices, state, as_of):
    """``(level, trigger_date, reason)`` of the notices before the due date, or
    None when the notices are over for ``state`` (overdue, or all sent)."""
    if as_of > state.due_date:
        return None
    pending = [rule for rule in notices if rule.number > state.level_number]
    if not pending:
        return None
    passed = [rule for rule in pending if _planned_date(rule, state.due_date) <= as_of]
    if passed:
        # only the latest notice whose date has come: never two at once
        return passed[-1], _planned_date(passed[-1], state.due_date), NOTICE
    return None, _planned_date(pending[0], state.due_date), NOT_DUE


def _choose(ordered, state, as_of, max_reminders, jump, total_overdue, follow_plan=False):
    """Return ``(level, trigger_date, reason)`` for a non-empty plan: a notice
    before the due date, else the reminders' own plan (notices left out)."""
    notices, reminders = _split(ordered)
    notice = _choose_notice(notices, state, as_of)
    if notice is not None:
        return notice
    if not reminders:
        return None, None, EXHAUSTED
    offset = len(notices)
    level, trigger, reason = _choose_reminder(
        reminders,
        _reminder_state(state, offset),
        as_of,
        max_reminders,
        jump,
        total_overdue,
        follow_plan,
    )
    if level is not None:
        level = ordered[offset + level.number - 1]
    return level, trigger, reason


def _choose_reminder(ordered, state, as_of, max_reminders, jump, total_overdue, follow_plan):
    """Return ``(level, trigger_date, reason)`` for a non-empty plan of reminders."""
    cap = _cap(ordered, max_reminders)
    if _exhausted(ordered, state, max_reminders):
        return None, None, EXHAUSTED
    if jump and state.level_number == 0:
        reached, best = _jump_target(ordered, state, as_of, cap, total_overdue)
        if reached is not None:
            return reached, _planned_date(reached, state.due_date), ESCALATE
        if best is not None:  # date passed, but the amount is too small for any level
            return None, _planned_date(best, state.due_date), WAITING
    rule, trigger, is_repeat = _next_step(ordered, state, follow_plan)
    if trigger > as_of:
        return None, trigger, NOT_DUE if as_of <= state.due_date else WAITING
    if not _amount_ok(rule, total_overdue):
        return None, trigger, WAITING
    return rule, trigger, REPEAT if is_repeat else ESCALATE


def decide(
    levels: Sequence[LevelRule],
    state: LineState,
    as_of: date,
    max_reminders: int = 0,
    jump: bool = False,
    total_overdue: float | None = None,
    follow_plan: bool = False,
) -> Decision:
    """Decide which reminder level, if any, ``state`` reaches on ``as_of``.

    :param levels: the levels of the terms, in any order, numbered 1..n
    :param max_reminders: cap on the reminders of one item (0 = each level once,
        the last one never repeats, even after a jump; above the number of
        levels the last level repeats); notices before the due date are not
        counted
    :param jump: for an item never reminded, go directly to the highest level
        whose planned date has passed instead of level 1
    :param total_overdue: total overdue amount of the customer, compared with
        the ``min_amount`` of the levels (None = no amount check)
    :param follow_plan: plan every level from the due date (J+N) instead of
        from the last reminder; used when a contact policy spaces the
        reminders of the customer, so that the items held by its quiet period
        catch up with their plan
    :raises ValueError: if the level numbers are not 1..n or the line's level
        number is negative
    """
    ordered = _sorted_levels(levels)
    if state.level_number < 0:
        raise ValueError("The level number of an item cannot be negative.")
    current = None
    if not ordered:
        level, trigger, reason = None, None, NO_LEVELS
    else:
        if state.level_number:
            current = ordered[min(state.level_number, len(ordered)) - 1]
        level, trigger, reason = _choose(
            ordered, state, as_of, max_reminders, jump, total_overdue, follow_plan
        )
    return Decision(
        level=level,
        current=current,
        trigger_date=trigger,
        overdue_days=max(0, (as_of - state.due_date).days),
        is_overdue=as_of > state.due_date,
        reason=reason,
    )


def trigger_date(
    levels: Sequence[LevelRule],
    state: LineState,
    max_reminders: int = 0,
    follow_plan: bool = False,
    as_of: date | None = None,
) -> date | None:
    """Date at which the next level (one level at a time) becomes due.

    Same as ``decide(...).trigger_date`` without ``jump``. None when there are
    no levels or the cap is reached. The next notice before the due date
    counts unless ``as_of`` is after the due date (the notices are over).
    """
    ordered = _sorted_levels(levels)
    if not ordered:
        return None
    notices, reminders = _split(ordered)
    if as_of is None or as_of <= state.due_date:
        pending = [rule for rule in notices if rule.number > state.level_number]
        if pending:
            return _planned_date(pending[0], state.due_date)
    rstate = _reminder_state(state, len(notices))
    if not reminders or _exhausted(reminders, rstate, max_reminders):
        return None
    return _next_step(reminders, rstate, follow_plan)[1]
