"""Collection insight: DSO countback, collection effectiveness index,
effectiveness of the reminders, payment behaviour score and profile, and the
forecast of the next contacts of the automations.

The Odoo models aggregate in SQL and call these formulas on the aggregates
only; the forecast simulates the daily runs on plain values, without writing
anything.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import Decimal

from . import contact as engine_contact
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


COUNTBACK_MONTHS = 12


def month_periods(today: date, months: int = COUNTBACK_MONTHS) -> list[tuple[date, date]]:
    """``(first day, last day)`` of the current month up to ``today``, then of
    each previous calendar month, ``months`` periods in all, most recent first
    (the periods of the countback DSO)."""
    if months < 1:
        raise ValueError("The countback needs at least one month.")
    periods = []
    end = today
    for _index in range(months):
        start = end.replace(day=1)
        periods.append((start, end))
        end = start - timedelta(days=1)
    return periods


def dso_countback_months(today: date, receivables, monthly_sales: Sequence[float]) -> Decimal:
    """Countback DSO at ``today`` from the credit sales of the current month
    (to date) and of each previous month, most recent first."""
    periods = month_periods(today, len(monthly_sales))
    return dso_countback(
        receivables,
        [((end - start).days + 1, sales) for (start, end), sales in zip(periods, monthly_sales)],
    )


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

    fee_amount: float = 0.0  # per reminder (taxes included)
    fee_per_invoice: float = 0.0  # once per invoice (recovery indemnity)
    interest_rate: object = 0.0  # annual percent, or an interest.ReferenceRate
    key: object = None  # opaque id of the level, passed to the interest function


@dataclass(frozen=True)
class ForecastTerm:
    """Reminder terms as the forecast needs them (the levels with their
    minimum amounts in the currency of the items they are used for)."""

    levels: tuple[engine_levels.LevelRule, ...]
    max_reminders: int = 0
    jump: bool = False
    charges: Mapping[int, LevelCharges] = field(default_factory=dict)  # by number
    follow_plan: bool = False  # the terms space the contacts (see levels.decide)


@dataclass(frozen=True)
class ForecastItem:
    """One open receivable item (negative amount: open credit)."""

    key: object
    partner: object
    term: object  # key in the terms mapping; None: never reminded
    amount: float  # open amount, in the item's currency
    state: engine_levels.LineState
    fee_charged: bool = False
    currency: object = None
    is_invoice: bool = True  # invoices and receipts escalate, other entries never
    is_charge: bool = False  # fees entry of an earlier reminder: never escalated
    fee_per_invoice_allowed: bool = True  # customer invoices only
    interest_date: date | None = None  # interest charged up to this date


@dataclass(frozen=True)
class ForecastCustomer:
    """Contact state of one customer when the forecast starts."""

    policy: engine_contact.ContactPolicy = engine_contact.ContactPolicy(0, 0)
    last_contact: date | None = None  # last reminder issued (notices excluded)
    reminders_before_last: int = 0  # reminders below the last level so far
    last_level_number: int = 0  # last level of the customer's terms
    paused_until: date | None = None  # a promise to pay: no contact before


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
    is_notice: bool = False


def forecast_contacts(
    items: Iterable[ForecastItem],
    terms: Mapping[object, ForecastTerm],
    run_dates: Iterable[date],
    digits: int = 2,
    customers: Mapping[object, ForecastCustomer] | None = None,
    interest: Callable | None = None,
) -> list[Contact]:
    """Contacts that runs creating, issuing and sending reminders on each of
    ``run_dates`` will make if nothing is paid meanwhile.

    The decisions are those of the reminder creation: per customer, the
    contact policy of its terms (:func:`contact.decide_contact`: quiet period,
    cap before the last level; inside a quiet period only the courtesy notices
    before the due date go out; a promise to pay stops everything up to its
    date), then per item the level of :func:`levels.decide` on the net overdue
    total of its currency (fees entries of earlier reminders and open credits
    are never escalated; the last level is reached once when the terms allow
    no repetition). The reminder's level is the highest new one, its fees the
    fee of that level plus the per-invoice fees not yet charged, its interest
    that of the items reaching a level with a rate, from the date interest was
    last charged (or the due date) to the run date. The items and the
    customer then remember the reminder, as issuing does.

    :param customers: contact state of each customer (default: no policy,
        never reminded)
    :param interest: ``interest(item, charges, start, end) -> Decimal``; the
        default charges ``charges.interest_rate`` on the open amount for the
        days after ``start`` up to ``end`` (:func:`interest.late_interest`)
    """
    customers = dict(customers or {})
    interest = interest or _simple_interest(digits)
    by_partner: dict[object, list[ForecastItem]] = {}
    for item in items:
        by_partner.setdefault(item.partner, []).append(item)
    contacts = []
    for day in sorted(set(run_dates)):
        for partner, partner_items in by_partner.items():
            customer = customers.get(partner, ForecastCustomer())
            contact, updated, customer = _contact_on(
                partner, partner_items, terms, day, digits, customer, interest
            )
            if contact is None:
                continue
            by_partner[partner] = updated
            customers[partner] = customer
            contacts.append(contact)
    return contacts


def _simple_interest(digits):
    def simple(item, charges, start, end):
        return engine_interest.late_interest(
            item.amount, start, end, charges.interest_rate, digits=digits
        ).amount

    return simple


def _net_overdue(items, day):
    """Net overdue total of each currency: the overdue invoices less the open
    credits (fees entries apart)."""
    totals: dict[object, Decimal] = {}
    for item in items:
        if item.is_charge or (item.amount > 0 and item.state.due_date >= day):
            continue
        totals[item.currency] = totals.get(item.currency, ZERO) + to_decimal(item.amount)
    return totals


def _new_level(item, term, day, total, notices_only, cap_reached):
    """Level ``item`` reaches on ``day`` (None: not escalated): the same
    decision as the reminders' (``contact.item_advance``)."""
    return engine_contact.item_advance(
        term.levels,
        item.state,
        day,
        engine_contact.PlanOptions(term.max_reminders, term.jump, term.follow_plan),
        total_overdue=total,
        notices_only=notices_only,
        cap_reached=cap_reached,
    ).level


def _issue_item(item, level, term, day, interest):
    """``(item after issue, fee per invoice, interest)`` of an item reaching
    ``level`` on ``day``."""
    charges = term.charges.get(level.number, LevelCharges())
    fee = ZERO
    charged = item.fee_charged
    if charges.fee_per_invoice and not charged and item.fee_per_invoice_allowed:
        fee = to_decimal(charges.fee_per_invoice)
        charged = True
    amount = ZERO
    interest_date = item.interest_date
    if charges.interest_rate and not level.is_pre_due:
        start = item.interest_date or item.state.due_date
        if start < day:
            amount = to_decimal(interest(item, charges, start, day))
            interest_date = day
    issued = replace(
        item,
        fee_charged=charged,
        interest_date=interest_date,
        state=replace(
            item.state,
            level_number=level.number,
            last_reminder_date=day,
            reminder_count=item.state.reminder_count + 1,
            notice_count=item.state.notice_count + (1 if level.is_pre_due else 0),
        ),
    )
    return issued, fee, amount


def _under_notice(customer, debits, day):
    """The customer is under formal notice (an overdue item at the last
    level): no friendly reminder after it, the items escalating go to the
    last level too."""
    return bool(customer.last_level_number) and any(
        i.state.level_number >= customer.last_level_number and i.state.due_date < day
        for i in debits
    )


# Mirrors one customer's reminder creation and issue.
def _contact_on(partner, items, terms, day, digits, customer, interest):
    """``(contact, items after issue, customer after issue)`` of one customer
    on one run date (``contact`` None: not reminded that day)."""
    nothing = None, items, customer
    if customer.paused_until and day < customer.paused_until:
        return nothing
    decision = engine_contact.decide_contact(
        customer.policy, day, customer.last_contact, customer.reminders_before_last
    )
    debits = [i for i in items if i.amount > 0 and not i.is_charge]
    net = _net_overdue(items, day)
    if all(total <= 0 for total in net.values()) and all(
        i.state.due_date < day for i in debits
    ):
        return nothing
    decision = replace(
        decision, cap_reached=decision.cap_reached or _under_notice(customer, debits, day)
    )
    reached = {}
    for item in debits:
        term = terms.get(item.term) if item.term is not None else None
        if term is None or not item.is_invoice:
            continue
        total = net.get(item.currency, ZERO)
        if total <= 0 and item.state.due_date < day:
            continue  # its currency's credits cover what is overdue in it
        level = _new_level(
            item, term, day, total, not decision.allowed, decision.cap_reached
        )
        if level is not None:
            reached[item.key] = (level, term)
    if not reached:
        return nothing
    top, top_term = max(reached.values(), key=lambda pair: pair[0].number)
    notice = all(level.is_pre_due for level, _term in reached.values())
    fees = to_decimal(top_term.charges.get(top.number, LevelCharges()).fee_amount)
    charged_interest = ZERO
    updated = []
    for item in items:
        if item.key not in reached:
            updated.append(item)
            continue
        item, fee, item_interest = _issue_item(item, *reached[item.key], day, interest)
        fees += fee
        charged_interest += item_interest
        updated.append(item)
    if not notice:
        customer = replace(
            customer,
            last_contact=day,
            reminders_before_last=customer.reminders_before_last
            + (1 if top.number < customer.last_level_number else 0),
        )
    contact = Contact(
        date=day,
        partner=partner,
        level_number=top.number,
        level_key=top.key,
        amount=quantize(sum((t for t in net.values() if t > 0), ZERO), digits),
        fees=quantize(fees, digits),
        interest=quantize(charged_interest, digits),
        items=tuple(sorted(reached, key=str)),
        is_notice=notice,
    )
    return contact, updated, customer
