"""Late-payment interest and reminder fees."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from ._decimal import ZERO, quantize, to_decimal

DAY_BASES = (360, 365, 366)


def days_between(start: date, end: date) -> int:
    """Number of days from ``start`` to ``end``, never negative."""
    return max(0, (end - start).days)


def compute_interest(
    amount,
    annual_rate_percent,
    start: date,
    end: date,
    day_basis: int = 365,
    digits: int = 2,
) -> Decimal:
    """Simple interest ``amount * rate / 100 * days / day_basis``.

    The result is a ``Decimal`` rounded half-up to ``digits`` places; it is 0
    when the amount, the rate or the number of days is not positive.

    :raises ValueError: if ``day_basis`` is not 360, 365 or 366
    """
    if day_basis not in DAY_BASES:
        raise ValueError(f"The day basis must be 360, 365 or 366, not {day_basis!r}.")
    amount = to_decimal(amount)
    rate = to_decimal(annual_rate_percent)
    days = days_between(start, end)
    if amount <= 0 or rate <= 0 or days <= 0:
        return quantize(ZERO, digits)
    return quantize(amount * rate * days / (100 * day_basis), digits)


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
