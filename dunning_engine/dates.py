"""Date formulas in the style of Business Central, for custom reminder cadences.

A formula is a sequence of terms applied left to right. Letters are
case-insensitive and spaces are ignored. Every term but the first needs a
sign (``+`` or ``-``); the first one defaults to ``+``.

=========  ===============================================================
``<n>D``   n days
``<n>W``   n weeks
``<n>M``   n calendar months (the day is clamped: Jan 31 + 1M = Feb 28/29)
``<n>Q``   n quarters (3 months)
``<n>Y``   n years (Feb 29 + 1Y = Feb 28)
``<n>WD``  weekday n (1 = Monday ... 7 = Sunday): the next such day, or the
           previous one with ``-``; stays on the date if it already is one
``CW``     end of the current week (Sunday); ``-CW`` its start (Monday)
``CM``     end of the current month; ``-CM`` its first day
``CQ``     end of the current quarter; ``-CQ`` its first day
``CY``     end of the current year; ``-CY`` January 1
=========  ===============================================================

Examples: ``CM+1D`` is the first day of next month, ``1M-CM`` the first day
of the month after, ``5WD`` the next Friday.
"""

from __future__ import annotations

import calendar
import re
from datetime import date, timedelta

# Start dates a cadence formula is checked against: eight years, so every day
# of the month, every month end (February 28 and 29 included) and every
# weekday are met, in many combinations.
CADENCE_CHECK_START = date(2024, 1, 1)
CADENCE_CHECK_END = date(2031, 12, 31)

_TERM = re.compile(r"([+-]?)(?:(C)([WMQY])|(\d+)(WD|[DWMQY]))")


def _parse(formula: str) -> list[tuple[int, str, int | None]]:
    """Return the terms of ``formula`` as ``(sign, unit, number)``.

    ``unit`` is one of D, W, M, Q, Y, WD, CW, CM, CQ, CY; ``number`` is None
    for the current-period units.
    """
    if not isinstance(formula, str):
        raise ValueError(f"A date formula must be a string, not {type(formula).__name__}.")
    text = re.sub(r"\s+", "", formula).upper()
    if not text:
        raise ValueError("A date formula cannot be empty.")
    terms = []
    position = 0
    while position < len(text):
        match = _TERM.match(text, position)
        if match is None or (terms and not match.group(1)):
            expected = "a signed term such as '+1D'" if terms else "a term such as '1M' or 'CM'"
            raise ValueError(
                f"Invalid date formula {formula!r}: expected {expected} at {text[position:]!r}."
            )
        sign = -1 if match.group(1) == "-" else 1
        if match.group(2):
            terms.append((sign, "C" + match.group(3), None))
        else:
            number, unit = int(match.group(4)), match.group(5)
            if unit == "WD" and not 1 <= number <= 7:
                raise ValueError(
                    f"Invalid date formula {formula!r}: the weekday must be between "
                    f"1 (Monday) and 7 (Sunday), not {number}."
                )
            terms.append((sign, unit, number))
        position = match.end()
    return terms


def validate_formula(formula: str) -> None:
    """Check the syntax of ``formula``.

    :raises ValueError: with an English message describing the problem
    """
    _parse(formula)


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _period(day: date, unit: str, start: bool) -> date:
    """Start or end of the week, month, quarter or year containing ``day``."""
    if unit == "CW":
        monday = day - timedelta(days=day.weekday())
        return monday if start else monday + timedelta(days=6)
    if unit == "CY":
        return date(day.year, 1, 1) if start else date(day.year, 12, 31)
    first_month = day.month if unit == "CM" else 3 * ((day.month - 1) // 3) + 1
    if start:
        return date(day.year, first_month, 1)
    last_month = first_month if unit == "CM" else first_month + 2
    return date(day.year, last_month, calendar.monthrange(day.year, last_month)[1])


def _apply_term(day: date, sign: int, unit: str, number: int | None) -> date:
    if unit.startswith("C"):
        return _period(day, unit, start=sign < 0)
    if unit == "WD":
        shift = (number - day.isoweekday()) % 7
        return day + timedelta(days=shift) if sign > 0 else day - timedelta(days=(7 - shift) % 7)
    if unit in ("D", "W"):
        return day + timedelta(days=sign * number * (7 if unit == "W" else 1))
    months = {"M": 1, "Q": 3, "Y": 12}[unit]
    return _add_months(day, sign * number * months)


def apply_formula(start: date, formula: str) -> date:
    """Return ``start`` moved by the date ``formula`` (see the module docstring).

    :raises ValueError: if the formula is invalid or the result is out of range
    """
    result = start
    for sign, unit, number in _parse(formula):
        try:
            result = _apply_term(result, sign, unit, number)
        except (OverflowError, ValueError) as exc:
            raise ValueError(
                f"The date formula {formula!r} applied to {start} gives a date out of range."
            ) from exc
    return result


def next_run(last: date, formula: str) -> date:
    """Date of the run after the one of ``last`` on the cadence ``formula``.

    :raises ValueError: if the formula is invalid or does not move forward
        from ``last``
    """
    result = apply_formula(last, formula)
    if result <= last:
        raise ValueError(
            f"The date formula {formula!r} applied to {last} gives {result}, "
            "which is not after the last run."
        )
    return result


def validate_cadence(formula: str, start: date | None = None, end: date | None = None) -> None:
    """Check that ``formula`` gives a next run strictly after the last one
    from every start date between ``start`` and ``end`` (by default eight
    years: every month end and every weekday).

    A formula checked only against today may stall on other days: ``1M-29D``
    from January 31 gives January 30 (back in time), ``CM`` from a month end
    gives the same day, so the automation would run again and again.

    :raises ValueError: naming the first start date where it fails
    """
    terms = _parse(formula)
    day = start or CADENCE_CHECK_START
    end = end or CADENCE_CHECK_END
    one_day = timedelta(days=1)
    while day <= end:
        result = day
        try:
            for sign, unit, number in terms:
                result = _apply_term(result, sign, unit, number)
        except (OverflowError, ValueError) as exc:
            raise ValueError(
                f"The date formula {formula!r} applied to {day} gives a date out of range."
            ) from exc
        if result <= day:
            raise ValueError(
                f"The date formula {formula!r} applied to {day} gives {result}, "
                "which is not after the last run."
            )
        day += one_day
