"""Decimal helpers shared by the money-related engine modules (private)."""

from decimal import ROUND_HALF_UP, Context, Decimal, InvalidOperation

ZERO = Decimal(0)


def to_decimal(value) -> Decimal:
    """Convert ``value`` (int, float, str or Decimal) to a finite ``Decimal``.

    Floats go through their shortest ``repr`` so that ``0.1`` becomes
    ``Decimal('0.1')`` and not its binary approximation. ``None`` is 0.
    """
    if value is None:
        return ZERO
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, bool):
        raise TypeError("a boolean is not an amount")
    elif isinstance(value, int):
        result = Decimal(value)
    elif isinstance(value, (float, str)):
        try:
            result = Decimal(str(value).strip())
        except InvalidOperation as exc:
            raise ValueError(f"not a number: {value!r}") from exc
    else:
        raise TypeError(f"cannot convert {type(value).__name__} to Decimal")
    if not result.is_finite():
        raise ValueError(f"not a finite number: {value!r}")
    return result


def quantize(value: Decimal, digits: int = 2) -> Decimal:
    """Round ``value`` to ``digits`` decimal places, half away from zero."""
    if digits < 0:
        raise ValueError("the number of digits cannot be negative")
    exponent = Decimal(1).scaleb(-digits)
    # enough precision for any magnitude: quantize never raises for big values
    precision = max(28, value.adjusted() + digits + 2)
    return value.quantize(exponent, rounding=ROUND_HALF_UP, context=Context(prec=precision))
