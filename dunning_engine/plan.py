"""What the contact policy does to the configured delays of a plan.

The levels of reminder terms are configured as days after the due date
(J+1, J+7, ...); the contact policy then keeps a minimum number of days
between two reminders to one customer. For one invoice reminded on time, a
level configured less than that minimum after the previous reminder waits:
it goes out that minimum after the previous one, and so do the following
levels if the shift brings them too close. This module computes the days
each level actually goes out, to explain the plan on the terms before it
surprises anybody.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PlannedLevel:
    """A level of the plan: configured and effective day after the due date."""

    number: int
    configured: int
    effective: int

    @property
    def shifted(self) -> bool:
        return self.effective != self.configured


def effective_days(delays: list[int], min_days: int) -> list[PlannedLevel]:
    """Days after the due date each level goes out for one invoice reminded
    on time, with ``min_days`` at least between two reminders (0: none).

    Notices before the due date (negative delays) are courtesies: never held
    by the quiet period, and they do not start it.
    """
    result = []
    last = None
    for number, delay in enumerate(delays, 1):
        if delay < 0:
            result.append(PlannedLevel(number, delay, delay))
            continue
        day = delay
        if last is not None and min_days > 0:
            day = max(day, last + min_days)
        result.append(PlannedLevel(number, delay, day))
        last = day
    return result
