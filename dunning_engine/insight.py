"""Collection insight: DSO countback, collection effectiveness index,
effectiveness of the reminders, payment behaviour score and profile, and the
forecast of the next contacts of the automations.

The Odoo models aggregate in SQL and call these formulas on the aggregates
only; the forecast simulates the daily runs on plain values, without writing
anything.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal

from . import interest as engine_interest
from . import levels as engine_levels
from ._decimal import ZERO, quantize, to_decimal

PROFILES = ("A", "B", "C", "D", "E")
# Default minimum scores of the profiles A to D (E below the last one).
DEFAULT_THRESHOLDS = (80, 60, 40, 20)
EFFECTIVENESS_WINDOWS = (7, 14, 30)


# ----------------------------------------------------------------------
# Company key figures
# ----------------------------------------------------------------------


def dso_countback(receivables, monthly_sales: Sequence[tuple[int, float]]) -> Decimal:
    """Days sales outstanding by the countback method, 2 digits.

    ``monthly_sales`` lists ``(days_in_period, credit_sales)`` from the most
    recent period backwards. The receivables are matched against the sales of
    each period in turn: a period fully covered counts all its days, the
    period where the receivables run out counts its days pro rata. When the
    receivables exceed all the sales given, every day of them counts.
    0 when there are no receivables.
    """
    remaining = to_decimal(receivables)
    days = ZERO
    if remaining <= 0:
        return quantize(ZERO)
    for period_days, sales in monthly_sales:
        if period_days < 0:
            raise ValueError("A period cannot have a negative number of days.")
        sales = to_decimal(sales)
        if sales <= 0:
            days += period_days
            continue
        if remaining <= sales:
            days += Decimal(period_days) * remaining / sales
            remaining = ZERO
            break
        remaining -= sales
        days += period_days
    return quantize(days)


def collection_effectiveness(opening, sales, closing, closing_current) -> Decimal:
    """Collection effectiveness index (CEI) of a period, in percent, 2 digits.

    ``(opening + sales - closing) / (opening + sales - closing_current) x 100``
    where ``closing_current`` is the part of the closing receivables not yet
    due. 0 when nothing was collectable.
    """
    opening, sales = to_decimal(opening), to_decimal(sales)
    collectable = opening + sales - to_decimal(closing_current)
    if collectable <= 0:
        return quantize(ZERO)
    return quantize((opening + sales - to_decimal(closing)) * 100 / collectable)


def paid_share(reminded, paid) -> Decimal:
    """Share of the reminded amount paid (in a window), in percent, 2 digits.

    Capped to 0-100; 0 when nothing was reminded.
    """
    reminded, paid = to_decimal(reminded), to_decimal(paid)
    if reminded <= 0:
        return quantize(ZERO)
    return quantize(min(max(paid, ZERO), reminded) * 100 / reminded)


# ----------------------------------------------------------------------
# Payment behaviour score and profile
# ----------------------------------------------------------------------

# Weights of the score (100 points): lateness counts most, then how often
# invoices are paid late, then how many reminders were needed.
DAYS_LATE_POINTS = 50
DAYS_LATE_CAP = 60  # days late at which all the lateness points are lost
LATE_SHARE_POINTS = 30
REMINDERS_POINTS = 20
REMINDERS_CAP = 2  # reminders per invoice at which all those points are lost


def payment_score(days_late, late_share, reminders_per_invoice) -> Decimal:
    """Payment behaviour score from 0 (worst) to 100 (always on time), 2 digits.

    :param days_late: average days late, weighted by amount (>= 0)
    :param late_share: share of the invoices paid late, in percent (0-100)
    :param reminders_per_invoice: reminders needed per invoice (>= 0)

    ``100 - 50 x min(days, 60) / 60 - 30 x share / 100 - 20 x min(r, 2) / 2``.
    """
    days = min(max(to_decimal(days_late), ZERO), Decimal(DAYS_LATE_CAP))
    share = min(max(to_decimal(late_share), ZERO), Decimal(100))
    reminders = min(max(to_decimal(reminders_per_invoice), ZERO), Decimal(REMINDERS_CAP))
    score = (
        Decimal(100)
        - DAYS_LATE_POINTS * days / DAYS_LATE_CAP
        - LATE_SHARE_POINTS * share / 100
        - REMINDERS_POINTS * reminders / REMINDERS_CAP
    )
    return quantize(score)


def validate_thresholds(thresholds: Sequence[float]) -> list[str]:
    """Problems of the minimum scores of profiles A to D (empty = valid)."""
    errors = []
    if len(thresholds) != len(PROFILES) - 1:
        errors.append(f"Give {len(PROFILES) - 1} minimum scores (profiles A to D).")
        return errors
    if any(value < 0 or value > 100 for value in thresholds):
        errors.append("The minimum scores must be between 0 and 100.")
    if any(high <= low for high, low in zip(thresholds, thresholds[1:])):
        errors.append("The minimum scores must decrease strictly from A to D.")
    return errors


def profile(score, thresholds: Sequence[float] = DEFAULT_THRESHOLDS) -> str:
    """Profile A (best) to E of a score: the first profile whose minimum
    score is reached, E below the minimum of D."""
    if validate_thresholds(thresholds):
        raise ValueError(" ".join(validate_thresholds(thresholds)))
    score = to_decimal(score)
    for name, minimum in zip(PROFILES, thresholds):
        if score >= to_decimal(minimum):
            return name
    return PROFILES[-1]


# ----------------------------------------------------------------------
# Forecast of the next contacts
# ----------------------------------------------------------------------


@dataclass(frozen=True)
class LevelCharges:
    """What reaching a level costs the customer."""

    fee_amount: float = 0.0  # per reminder
    fee_per_invoice: float = 0.0  # once per invoice
    interest_rate: float = 0.0  # annual, percent


@dataclass(frozen=True)
class ForecastTerm:
    """Reminder terms as the forecast needs them."""

    levels: tuple[engine_levels.LevelRule, ...]
    max_reminders: int = 0
    jump: bool = False
    charges: Mapping[int, LevelCharges] = field(default_factory=dict)  # by number


@dataclass(frozen=True)
class ForecastItem:
    """One open receivable item (negative amount: open credit)."""

    key: object
    partner: object
    term: object  # key in the terms mapping; None: never reminded
    amount: float
    state: engine_levels.LineState
    fee_charged: bool = False


@dataclass(frozen=True)
class Contact:
    """A reminder the automation will issue and send."""

    date: date
    partner: object
    level_number: int
    level_key: object
    amount: Decimal  # overdue total, less the open credits
    fees: Decimal
    interest: Decimal
    items: tuple


@dataclass
class ContactPolicy:
    """Limits on how often a customer is contacted (0 = no limit)."""

    min_days_between: int = 0

    def allows(self, last_contact: date | None, day: date) -> bool:
        return (
            not self.min_days_between
            or last_contact is None
            or (day - last_contact).days >= self.min_days_between
        )


def forecast_contacts(
    items: Iterable[ForecastItem],
    terms: Mapping[object, ForecastTerm],
    run_dates: Iterable[date],
    digits: int = 2,
    policy: ContactPolicy | None = None,
    last_contacts: Mapping[object, date] | None = None,
) -> list[Contact]:
    """Contacts that runs creating, issuing and sending reminders on each of
    ``run_dates`` will make if nothing is paid meanwhile.

    On each run date a customer whose net overdue total is positive gets a
    reminder when at least one item reaches a new level (as
    :func:`levels.decide` says); the reminder's level is the highest new one,
    its fees the per-reminder fee of that level plus the per-invoice fees not
    yet charged, its interest the interest of the items reaching a level with
    a rate, from their last reminder (or due date) to the run date. The items
    then remember their new level, as issuing does.
    """
    policy = policy or ContactPolicy()
    last = dict(last_contacts or {})
    by_partner: dict[object, list[ForecastItem]] = {}
    for item in items:
        by_partner.setdefault(item.partner, []).append(item)
    contacts = []
    for day in sorted(set(run_dates)):
        for partner, partner_items in by_partner.items():
            if not policy.allows(last.get(partner), day):
                continue
            contact, updated = _contact_on(partner, partner_items, terms, day, digits)
            if contact is None:
                continue
            by_partner[partner] = updated
            last[partner] = day
            contacts.append(contact)
    return contacts


def _contact_on(partner, items, terms, day, digits):
    """``(contact, items after issue)`` of one customer on one run date."""
    overdue = [i.amount for i in items if i.amount > 0 and i.state.due_date < day]
    open_credits = [i.amount for i in items if i.amount < 0]
    total = sum((to_decimal(a) for a in overdue + open_credits), ZERO)
    if total <= 0:
        return None, items
    reached = {}
    for item in items:
        term = terms.get(item.term) if item.term is not None else None
        if item.amount <= 0 or term is None:
            continue
        decision = engine_levels.decide(
            term.levels,
            item.state,
            day,
            max_reminders=term.max_reminders,
            jump=term.jump,
            total_overdue=total,
        )
        if decision.level is not None:
            reached[item.key] = (decision.level, term)
    if not reached:
        return None, items
    top, top_term = max(reached.values(), key=lambda pair: pair[0].number)
    fees = to_decimal(top_term.charges.get(top.number, LevelCharges()).fee_amount)
    interest = ZERO
    updated = []
    for item in items:
        if item.key not in reached:
            updated.append(item)
            continue
        level, term = reached[item.key]
        charges = term.charges.get(level.number, LevelCharges())
        charged = item.fee_charged
        if charges.fee_per_invoice and not charged:
            fees += to_decimal(charges.fee_per_invoice)
            charged = True
        if charges.interest_rate:
            interest += engine_interest.compute_interest(
                item.amount,
                charges.interest_rate,
                item.state.last_reminder_date or item.state.due_date,
                day,
                digits=digits,
            )
        updated.append(
            replace(
                item,
                fee_charged=charged,
                state=replace(
                    item.state,
                    level_number=level.number,
                    last_reminder_date=day,
                    reminder_count=item.state.reminder_count + 1,
                ),
            )
        )
    contact = Contact(
        date=day,
        partner=partner,
        level_number=top.number,
        level_key=top.key,
        amount=quantize(total, digits),
        fees=quantize(fees, digits),
        interest=quantize(interest, digits),
        items=tuple(sorted(reached, key=str)),
    )
    return contact, updated
