# Copyright 2026 account_dunning_automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

import math

from odoo.exceptions import ValidationError


def check_finite_numbers(records, vals_list):
    """Refuse NaN and infinities in the float and monetary values of
    ``vals_list`` (given over RPC): the ORM would fail with a bare
    ValueError when rounding them, before any constraint."""
    for vals in vals_list:
        for name, value in vals.items():
            field = records._fields.get(name)
            if (
                field
                and field.type in ("float", "monetary")
                and isinstance(value, float)
                and not math.isfinite(value)
            ):
                raise ValidationError(
                    records.env._(
                        "%(field)s must be a number (not %(value)s).",
                        field=field.get_description(records.env)["string"],
                        value=value,
                    )
                )
