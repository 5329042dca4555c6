"""Late-payment interest and reminder fees."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from ._decimal import ZERO, quantize, to_decimal

DAY_BASES = (360, 365, 366)


def days_between(start: date, end: date) -> int:
    """Number of days from ``start`` to ``end``, never negative."""
    return max(0, (end - start).days)


def compute_fee(
    fixed: float = 0.0,
    percent: float = 0.0,
    amount: float = 0.0,
    minimum: float = 0.0,
    maximum: float = 0.0,
    digits: int = 2,
) -> Decimal:
    """Reminder fee ``fixed + amount * percent / 100``, bounded.

    The fee is raised to ``minimum`` when ``minimum`` > 0, then lowered to
    ``maximum`` when ``maximum`` > 0 (so ``maximum`` wins if both conflict),
    and rounded half-up to ``digits`` places.

    :raises ValueError: if any input is negative
    """
    values = {
        "fixed": to_decimal(fixed),
        "percent": to_decimal(percent),
        "amount": to_decimal(amount),
        "minimum": to_decimal(minimum),
        "maximum": to_decimal(maximum),
    }
    for name, value in values.items():
        if value < 0:
            raise ValueError(f"The fee {name} cannot be negative ({value}).")
    fee = values["fixed"] + values["amount"] * values["percent"] / 100
    if values["minimum"] > 0:
        fee = max(fee, values["minimum"])
    if values["maximum"] > 0:
        fee = min(fee, values["maximum"])
    return quantize(fee, digits)


# ---------------------------------------------------------------------------
# Late-payment interest per item, on the amount open each day
# ---------------------------------------------------------------------------


class MissingReferenceRate(ValueError):
    """No reference rate is known for a half-year of the period."""

    def __init__(self, half_year: date):
        self.half_year = half_year
        super().__init__(
            f"No reference rate is recorded for the half-year starting on {half_year.isoformat()}."
        )


@dataclass(frozen=True)
class ReferenceRate:
    """A rate "reference rate + ``margin`` points": ``rates`` maps the start of
    each half-year (1 January, 1 July) to the reference rate in percent."""

    rates: Mapping[date, object]
    margin: object = 0


@dataclass(frozen=True)
class InterestPeriod:
    """Consecutive days charged at one rate (days ``date_from`` to ``date_to`` included)."""

    date_from: date
    date_to: date
    days: int
    rate: Decimal  # annual rate applied, in percent
    reference_rate: Decimal | None  # reference rate of the half-year, if any
    amount: Decimal  # interest of these days, rounded for display


@dataclass(frozen=True)
class InterestResult:
    """Interest of one item over one period, with the rates applied."""

    amount: Decimal  # total, rounded once
    periods: tuple[InterestPeriod, ...]  # empty when nothing is charged

    @property
    def date_from(self) -> date | None:
        return self.periods[0].date_from if self.periods else None

    @property
    def date_to(self) -> date | None:
        return self.periods[-1].date_to if self.periods else None

    @property
    def rates(self) -> tuple[Decimal, ...]:
        """Distinct rates applied, in the order of the periods."""
        seen = []
        for period in self.periods:
            if period.rate not in seen:
                seen.append(period.rate)
        return tuple(seen)


def half_year_start(day: date) -> date:
    """1 January or 1 July of the half-year containing ``day``."""
    return date(day.year, 1 if day.month <= 6 else 7, 1)


def _half_year_last_days(start: date, end: date) -> list[date]:
    """30 June and 31 December strictly between ``start`` and ``end``."""
    result = []
    for year in range(start.year, end.year + 1):
        for last in (date(year, 6, 30), date(year, 12, 31)):
            if start < last < end:
                result.append(last)
    return result


def reference_rate_for(reference_rates: Mapping[date, object], day: date) -> Decimal:
    """Reference rate of the half-year of ``day`` (the rate in force on 1 January
    or 1 July, as in French and EU late-payment law).

    :param reference_rates: ``{half-year start date: rate in percent}``
    :raises MissingReferenceRate: when the half-year is not in the table; the
        rate of another half-year is never used instead, the law fixing one rate
        per half-year.
    """
    start = half_year_start(day)
    if start not in reference_rates:
        raise MissingReferenceRate(start)
    return to_decimal(reference_rates[start])


def late_interest(
    amount,
    start: date,
    end: date,
    rate,
    *,
    payments: Iterable[tuple[date, object]] = (),
    day_basis: int = 365,
    digits: int = 2,
) -> InterestResult:
    """Simple late-payment interest of one item for the days after ``start`` up to ``end``.

    The days charged are ``start + 1`` to ``end`` included, so that charging
    up to a date and later from that date never counts a day twice. The first
    time, ``start`` is the due date; afterwards the date up to which interest
    was last charged.

    Interest runs on the amount open each day: ``amount`` (the original amount
    of the item) less the ``payments`` ``(date, amount)`` made on or before
    that day's eve, i.e. the paid part bears interest up to its payment date
    included. Payments made on or before ``start`` reduce the whole period.

    ``rate`` is a fixed annual rate in percent, or a :class:`ReferenceRate`:
    the reference rate of each day's half-year plus its margin in points; a
    period spanning half-years is split. A negative total rate counts as 0.
    The exact interest is rounded once, half-up, to ``digits`` places.

    :raises ValueError: on a bad day basis or a negative amount
    :raises MissingReferenceRate: when a half-year of the period has no rate
    """
    if day_basis not in DAY_BASES:
        raise ValueError(f"The day basis must be 360, 365 or 366, not {day_basis!r}.")
    amount = to_decimal(amount)
    if amount < 0:
        raise ValueError(f"The amount of an item cannot be negative ({amount}).")
    reductions = sorted((day, to_decimal(paid)) for day, paid in payments)
    if end <= start:
        return InterestResult(quantize(ZERO, digits), ())
    cuts = {start, end}
    cuts.update(day for day, _paid in reductions if start < day < end)
    cuts.update(_half_year_last_days(start, end))
    points = sorted(cuts)
    reference_rate = rate if isinstance(rate, ReferenceRate) else None
    fixed = None if reference_rate else to_decimal(rate)
    margin = to_decimal(reference_rate.margin) if reference_rate else ZERO
    exact_total = ZERO
    merged: list[list] = []  # [date_from, date_to, days, rate, reference, exact]
    for low, high in zip(points, points[1:]):
        open_amount = amount - sum((paid for day, paid in reductions if day <= low), ZERO)
        open_amount = max(open_amount, ZERO)
        if fixed is None:
            reference = reference_rate_for(reference_rate.rates, high)
            applied = max(reference + margin, ZERO)
        else:
            reference, applied = None, max(fixed, ZERO)
        days = (high - low).days
        exact = open_amount * applied * days / (100 * day_basis)
        exact_total += exact
        if merged and merged[-1][3] == applied and merged[-1][4] == reference:
            merged[-1][1] = high
            merged[-1][2] += days
            merged[-1][5] += exact
        else:
            merged.append([low + timedelta(days=1), high, days, applied, reference, exact])
    total = quantize(exact_total, digits)
    if total <= 0:
        return InterestResult(quantize(ZERO, digits), ())
    periods = tuple(
        InterestPeriod(d_from, d_to, days, applied, reference, quantize(exact, digits))
        for d_from, d_to, days, applied, reference, exact in merged
    )
    return InterestResult(total, periods)
