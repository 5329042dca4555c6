"""Bounds of the numbers typed on reminder terms and levels.

Out-of-range values (a delay of a billion days, an interest rate of a billion
percent) are accepted by the database but make date arithmetic overflow or
produce absurd charges later, in the middle of a run. They are refused when
the terms are saved instead; the Odoo models turn the violations returned here
into translated messages.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from ._decimal import to_decimal

MAX_DAYS = 3650  # ten years: more than any reminder plan or payment deadline
MAX_RATE = 100  # percent a year, for a rate or a number of points above a reference
MAX_COUNT = 100  # reminders of one item
# A thousand billion in any currency: above it a float no longer keeps the
# cents (posted amounts drift) and no reminder fee or promise makes sense.
MAX_AMOUNT = 10**12
# A promise to pay pauses the reminders up to its date: at most a year.
MAX_PROMISE_DAYS = 366

DAYS = "days"
# -MAX_DAYS .. MAX_DAYS: the delay of a level, negative for a courtesy notice
# planned before the due date
SIGNED_DAYS = "signed_days"
RATE = "rate"  # 0 .. MAX_RATE
SIGNED_RATE = "signed_rate"  # -MAX_RATE .. MAX_RATE (a reference rate may be negative)
AMOUNT = "amount"  # 0 .. MAX_AMOUNT
COUNT = "count"

_LIMITS = {
    DAYS: (0, MAX_DAYS),
    SIGNED_DAYS: (-MAX_DAYS, MAX_DAYS),
    RATE: (0, MAX_RATE),
    SIGNED_RATE: (-MAX_RATE, MAX_RATE),
    AMOUNT: (0, MAX_AMOUNT),
    COUNT: (0, MAX_COUNT),
}


@dataclass(frozen=True)
class Violation:
    """A value out of its bounds."""

    name: str  # the key given to :func:`check`, e.g. a field name
    kind: str  # DAYS, SIGNED_DAYS, RATE, SIGNED_RATE, AMOUNT or COUNT
    value: object
    minimum: int
    maximum: int | None  # None = no upper bound

    @property
    def message(self) -> str:
        """English description of the problem."""
        if self.maximum is None or (self.minimum == 0 and _negative(self.value)):
            return f"{self.name} cannot be negative ({self.value})."
        return f"{self.name} must be between {self.minimum} and {self.maximum} ({self.value})."


def limits(kind: str) -> tuple[int, int | None]:
    """``(minimum, maximum)`` of ``kind``; maximum None means unbounded."""
    try:
        return _LIMITS[kind]
    except KeyError:
        raise ValueError(f"Unknown kind of bound {kind!r}.") from None


def check(values: Mapping[str, tuple[str, object]]) -> list[Violation]:
    """Return the values out of bounds, in the order given.

    :param values: ``{name: (kind, value)}``; None values count as 0
    """
    violations = []
    for name, (kind, value) in values.items():
        minimum, maximum = limits(kind)
        try:
            number = to_decimal(value)
        except ValueError:
            # NaN or an infinity (typed over RPC): out of any bounds
            violations.append(Violation(name, kind, value, minimum, maximum))
            continue
        if number < minimum or (maximum is not None and number > maximum):
            violations.append(Violation(name, kind, value, minimum, maximum))
    return violations


def _negative(value) -> bool:
    try:
        return to_decimal(value) < 0
    except ValueError:
        return False
