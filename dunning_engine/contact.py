"""Contact policy: when a customer may be reminded again.

Collection practice spaces the reminders to one customer (5 to 7 days at
least) and sends a handful of them at most before the formal notice. The
decision is taken per customer, not per invoice: one reminder carries every
item that reached its next level by the contact date, and an item reaching a
level inside the quiet period waits for the next contact.

A contact is a day: a customer owing in several currencies gets one reminder
per currency, and the reminders issued to it on the same day are one contact
(the quiet period runs from that day, the cap counts that day once). That
same-day contact only carries items not yet reminded that day (the other
currency): an item advances at most one level per contact, never twice the
same day (see :func:`item_may_advance`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from . import levels as engine_levels

FIRST = "first"  # the customer was never reminded (in this episode)
SPACED = "spaced"  # the quiet period after the last reminder is over
QUIET = "quiet"  # too soon after the last reminder: no contact today
CAPPED = "capped"  # contact allowed, but only the last level may be sent
SAME_DAY = "same_day"  # already reminded today: the same contact goes on


@dataclass(frozen=True)
class ContactPolicy:
    """Contact policy of reminder terms."""

    min_days: int = 7  # minimum days between two reminders (0 = no minimum)
    max_before_last: int = 0  # reminders before the last level (0 = no limit)


@dataclass(frozen=True)
class ContactDecision:
    """Result of :func:`decide_contact`."""

    allowed: bool  # a reminder may be issued to the customer on the date
    next_contact: date | None  # first date a reminder is allowed again
    cap_reached: bool  # escalations go straight to the last level
    reason: str  # first, spaced, quiet, capped


def validate_policy(policy: ContactPolicy) -> list[str]:
    """Problems of a contact policy as English messages (empty = valid)."""
    errors = []
    if policy.min_days < 0:
        errors.append(
            f"The minimum days between two reminders cannot be negative ({policy.min_days})."
        )
    if policy.max_before_last < 0:
        errors.append(
            "The maximum number of reminders before the last level cannot be "
            f"negative ({policy.max_before_last})."
        )
    return errors


def next_contact_date(policy: ContactPolicy, last_contact: date | None) -> date | None:
    """First date a customer last reminded on ``last_contact`` may be reminded."""
    if last_contact is None:
        return None
    return last_contact + timedelta(days=max(policy.min_days, 0))


def decide_contact(
    policy: ContactPolicy,
    as_of: date,
    last_contact: date | None = None,
    reminders_before_last: int = 0,
) -> ContactDecision:
    """Decide whether a customer may be reminded on ``as_of``.

    :param last_contact: date of the last reminder issued to the customer
        (None: never reminded); a reminder issued on ``as_of`` is the same
        contact (another currency of the customer), never a second one
    :param reminders_before_last: contacts (days with reminders) below the
        last level the customer already had for the items still open, before
        ``as_of``
    """
    if policy.min_days < 0 or policy.max_before_last < 0:
        raise ValueError("; ".join(validate_policy(policy)))
    next_contact = next_contact_date(policy, last_contact)
    cap_reached = bool(policy.max_before_last) and (
        reminders_before_last >= policy.max_before_last
    )
    if last_contact is not None and as_of == last_contact:
        return ContactDecision(True, next_contact, cap_reached, SAME_DAY)
    if next_contact is not None and as_of < next_contact:
        return ContactDecision(False, next_contact, cap_reached, QUIET)
    if cap_reached:
        reason = CAPPED
    else:
        reason = FIRST if last_contact is None else SPACED
    return ContactDecision(True, next_contact, cap_reached, reason)


def item_may_advance(item_last_date: date | None, as_of: date) -> bool:
    """An item last reminded on ``item_last_date`` may reach a new level on
    ``as_of``: never a second time the day it was reminded (nor on a date
    before it), whatever the policy: "Run now" twice, or creating and
    issuing reminders twice the same day, takes no item two levels up."""
    return item_last_date is None or item_last_date < as_of


def held_by_quiet_period(
    policy: ContactPolicy, trigger: date | None, last_contact: date | None, as_of: date
) -> bool:
    """The level planned on ``trigger`` fell inside the quiet period after
    ``last_contact`` and was carried to the contact of ``as_of``."""
    if trigger is None or last_contact is None or not policy.min_days:
        return False
    next_contact = next_contact_date(policy, last_contact)
    return trigger < next_contact <= as_of and trigger < as_of


def target_level(next_number: int, last_number: int, cap_reached: bool) -> int:
    """Level an escalating item gets: its next level, or the last level of its
    terms once the customer had the maximum number of reminders before it."""
    if next_number < 1 or last_number < next_number:
        raise ValueError("The next level must be between 1 and the last level.")
    return last_number if cap_reached else next_number


# Why an item does or does not advance (see ``item_advance``).
ADVANCES = "advances"  # to the level of the plan
TO_LAST_LEVEL = "to_last_level"  # brought to the last level (cap, formal notice)
AS_NOTICE = "as_notice"  # a courtesy notice before the due date
REMINDED_TODAY = "reminded_today"  # the item itself was reminded today
HELD_QUIET = "held_quiet"  # quiet period: only notices go out
EXHAUSTED = "exhausted"  # one reminder per level, already had it
NOT_DUE = "not_due"  # no level reached


@dataclass(frozen=True)
class Advance:
    """The level an item reaches today (``level``: a rule of the terms, or
    None) and why, with the plain decision of the levels it came from."""

    level: object
    reason: str
    decision: object


@dataclass(frozen=True)
class PlanOptions:
    """How a reminder plan escalates (from its terms)."""

    max_reminders: int = 0  # reminders at one level (0: one per level)
    jump: bool = False  # straight to the level reached, or one at a time
    follow_plan: bool = True  # levels spaced by the plan, not by catching up


def item_advance(
    rules,
    state,
    as_of: date,
    plan: PlanOptions,
    *,
    total_overdue,
    notices_only: bool,
    cap_reached: bool,
) -> Advance:
    """THE decision of whether an invoice advances a level on ``as_of``, used
    by the reminders (account.dunning.contact.policy) and by the forecast
    (insight): the plan's level (``levels.decide``), then the contact policy —
    never twice the same day, only notices in a quiet period
    (``notices_only``), one reminder per level without repeats, the last
    level once the cap is reached or the customer is under formal notice."""
    decision = engine_levels.decide(
        rules,
        state,
        as_of,
        max_reminders=plan.max_reminders,
        jump=plan.jump,
        total_overdue=total_overdue,
        follow_plan=plan.follow_plan,
    )
    if decision.level is None:
        return Advance(None, NOT_DUE, decision)
    if not item_may_advance(state.last_reminder_date, as_of):
        return Advance(None, REMINDED_TODAY, decision)
    if decision.reason == engine_levels.NOTICE:
        return Advance(decision.level, AS_NOTICE, decision)
    if notices_only:
        return Advance(None, HELD_QUIET, decision)
    if decision.reason == engine_levels.REPEAT and not plan.max_reminders:
        return Advance(None, EXHAUSTED, decision)
    ordered = sorted(rules, key=lambda rule: rule.number)
    number = target_level(decision.level.number, ordered[-1].number, cap_reached)
    reason = TO_LAST_LEVEL if number != decision.level.number else ADVANCES
    return Advance(ordered[number - 1], reason, decision)
