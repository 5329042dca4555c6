"""Sums of open amounts, per currency (a customer's balance is never netted
across currencies)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal

from ._decimal import ZERO, quantize, to_decimal

DEFAULT_DIGITS = 2


def totals_by_currency(
    items: Iterable[tuple[str, float]], digits: int | Mapping[str, int] = DEFAULT_DIGITS
) -> dict[str, Decimal]:
    """Sum the amounts of ``(currency_code, amount)`` pairs per currency.

    The exact sum is rounded half-up once per currency, to ``digits`` places,
    or to ``digits[code]`` when a mapping is given (2 for a missing code).
    The result is ordered by currency code.
    """
    sums: dict[str, Decimal] = {}
    for code, amount in items:
        sums[code] = sums.get(code, ZERO) + to_decimal(amount)
    result = {}
    for code in sorted(sums):
        places = digits.get(code, DEFAULT_DIGITS) if isinstance(digits, Mapping) else digits
        result[code] = quantize(sums[code], places)
    return result
