"""Receivable key figures: DSO, overdue ratio, average days late (the aging
buckets are summed in SQL by the dashboard's view)."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from ._decimal import ZERO, quantize, to_decimal


def dso(receivables: float, credit_sales: float, days: int = 365) -> Decimal:
    """Days sales outstanding ``receivables / credit_sales * days``, 2 digits.

    0 when the credit sales are not positive.
    """
    sales = to_decimal(credit_sales)
    if sales <= 0:
        return quantize(ZERO)
    return quantize(to_decimal(receivables) * days / sales)


def overdue_ratio(overdue: float, total_open: float) -> Decimal:
    """Share of the open amount that is overdue, in percent, 2 digits.

    0 when the total open amount is not positive.
    """
    total = to_decimal(total_open)
    if total <= 0:
        return quantize(ZERO)
    return quantize(to_decimal(overdue) * 100 / total)


def average_days_late(items: Iterable[tuple[float, int]]) -> Decimal:
    """Amount-weighted average days overdue of ``(amount, days_overdue)`` items.

    Only overdue items (days > 0) with a positive amount count; 0 when there
    is none. Rounded half-up to 2 digits.
    """
    weighted = total = ZERO
    for amount, days in items:
        amount = to_decimal(amount)
        if amount > 0 and days > 0:
            weighted += amount * days
            total += amount
    if total == 0:
        return quantize(ZERO)
    return quantize(weighted / total)
