"""Pure-Python business logic of the dunning (payment reminder) module.

This package never imports Odoo: it only uses the standard library so that it
can be unit-tested anywhere with pytest. The Odoo models import it as
``from ..dunning_engine import levels``.
"""

from . import bounds, dates, insight, interest, kpis, levels, references, totals

__all__ = [
    "bounds",
    "dates",
    "insight",
    "interest",
    "kpis",
    "levels",
    "references",
    "totals",
]
