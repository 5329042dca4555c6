# Copyright 2026 account_dunning_automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

import math

from odoo.exceptions import ValidationError
from odoo.tools import SQL

# The ORM's log columns, written by insert_rows for every row.
LOG_COLUMNS = ("create_uid", "create_date", "write_uid", "write_date")


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


def insert_rows(records, columns, rows):
    """Insert ``rows`` (tuples of the values of ``columns``, already
    converted for the database) into the table of ``records``' model, with
    the log columns of the current user and transaction, a thousand rows per
    query; return the new ids in order. For the batches of an automation,
    where create() would insert one row at a time the values it already has."""
    env = records.env
    now = env.cr.now()
    ids = []
    for start in range(0, len(rows), 1000):
        env.cr.execute(
            SQL(
                "INSERT INTO %s (%s) VALUES %s RETURNING id",
                SQL.identifier(records._table),
                SQL(", ").join(map(SQL.identifier, list(columns) + list(LOG_COLUMNS))),
                SQL(", ").join(
                    row + (env.uid, now, env.uid, now) for row in rows[start : start + 1000]
                ),
            )
        )
        ids += [row_id for (row_id,) in env.cr.fetchall()]
    return ids
