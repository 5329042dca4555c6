# Copyright 2026 account_dunning_automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import format_date

from ..dunning_engine import bounds as engine_bounds
from .dunning_numbers import check_finite_numbers


class AccountDunningReferenceRate(models.Model):
    """Reference rate of late-payment interest for one half-year.

    French law (Code de commerce L441-10) and the EU late-payment directive
    2011/7/EU charge "the reference rate + N points", the reference rate being
    the ECB main refinancing operations rate in force on 1 January for the
    first half-year and on 1 July for the second. The module ships the known
    rates; administrators add each new half-year.
    """

    _name = "account.dunning.reference.rate"
    _description = "Late-Payment Reference Rate"
    _order = "date_from desc"
    _rec_name = "date_from"

    date_from = fields.Date(
        string="Half-Year Starting",
        required=True,
        help="1 January or 1 July: the rate applies to the days of that half-year.",
    )
    rate = fields.Float(
        string="Rate (%)",
        digits=(16, 4),
        required=True,
        help="ECB main refinancing operations rate in force on that date, in percent.",
    )
    note = fields.Char(help="Source of the rate or remark.")

    _sql_constraints = [
        (
            "date_from_unique",
            "unique(date_from)",
            "A half-year has one reference rate only.",
        ),
    ]

    @api.model_create_multi
    def create(self, vals_list):
        check_finite_numbers(self, vals_list)
        return super().create(vals_list)

    def write(self, vals):
        check_finite_numbers(self, [vals])
        return super().write(vals)

    @api.constrains("date_from", "rate")
    def _check_half_year(self):
        for record in self:
            if (record.date_from.month, record.date_from.day) not in ((1, 1), (7, 1)):
                raise ValidationError(
                    self.env._(
                        "A reference rate starts a half-year: 1 January or 1 July, "
                        "not %(date)s.",
                        date=format_date(self.env, record.date_from),
                    )
                )
            if engine_bounds.check({"rate": (engine_bounds.SIGNED_RATE, record.rate)}):
                raise ValidationError(
                    self.env._(
                        "A reference rate must be between -%(max)s %% and %(max)s %% "
                        "(got %(rate)s %%).",
                        max=engine_bounds.MAX_RATE,
                        rate=record.rate,
                    )
                )

    @api.depends("date_from")
    def _compute_display_name(self):
        for record in self:
            if not record.date_from:
                record.display_name = False
                continue
            half = 1 if record.date_from.month == 1 else 2
            record.display_name = self.env._(
                "H%(half)s %(year)s", half=half, year=record.date_from.year
            )

    @api.model
    def _get_table(self):
        """All the rates as the engine expects them: ``{date: rate}``."""
        return {record.date_from: record.rate for record in self.sudo().search([])}
