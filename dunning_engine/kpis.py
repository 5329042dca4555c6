"""Receivable key figures: DSO, overdue ratio, average days late, aging."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal

from ._decimal import ZERO, quantize, to_decimal

NOT_DUE = "not_due"


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


def _bucket_labels(bounds: Sequence[int]) -> list[str]:
    bounds = list(bounds)
    if not bounds or any(low >= high for low, high in zip(bounds, bounds[1:])):
        raise ValueError("The aging bounds must be a non-empty strictly increasing sequence.")
    if bounds[0] < 0:
        raise ValueError("The aging bounds cannot be negative.")
    if bounds[0] > 0:
        bounds.insert(0, 0)
    labels = [f"{low + 1}-{high}" for low, high in zip(bounds, bounds[1:])]
    return [NOT_DUE, *labels, f"{bounds[-1]}+"]


def aging_buckets(
    items: Iterable[tuple[float, int]], bounds: Sequence[int] = (0, 30, 60, 90)
) -> dict[str, Decimal]:
    """Sum ``(amount, days_overdue)`` items into aging buckets.

    With the default bounds the keys are ``not_due`` (days <= 0), ``1-30``,
    ``31-60``, ``61-90`` and ``90+`` (more than 90 days), always all present,
    in that order. A bucket ``low+1-high`` holds ``low < days <= high``.
    """
    labels = _bucket_labels(bounds)
    uppers = sorted({0, *bounds})  # upper bound of each bucket but the last
    sums = [ZERO] * len(labels)
    for amount, days in items:
        index = next((i for i, upper in enumerate(uppers) if days <= upper), len(uppers))
        sums[index] += to_decimal(amount)
    return {label: quantize(value) for label, value in zip(labels, sums)}
