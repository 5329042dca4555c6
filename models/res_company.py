# Copyright 2026 account_dunning_automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..dunning_engine import insight as engine_insight


class ResCompany(models.Model):
    """The company's default reminder terms and the minimum payment scores of
    the profiles A to D (E below). Its default plan is made by the service
    account.dunning.default.plan."""

    _inherit = "res.company"

    dunning_term_id = fields.Many2one(
        "account.dunning.term",
        string="Default Reminder Terms",
        domain="[('company_id', '=', id)]",
        help="Reminder terms used for the customers that have none.",
    )

    @api.model_create_multi
    def create(self, vals_list):
        companies = super().create(vals_list)
        # A company created later gets its plan too (accounts and journals
        # when its chart is loaded, see account.chart.template).
        self.env["account.dunning.default.plan"]._setup(companies)
        return companies

    # ------------------------------------------------------------------
    # Minimum payment scores of the profiles
    # ------------------------------------------------------------------

    dunning_profile_a_min = fields.Float(
        string="Profile A From", default=engine_insight.DEFAULT_THRESHOLDS[0]
    )
    dunning_profile_b_min = fields.Float(
        string="Profile B From", default=engine_insight.DEFAULT_THRESHOLDS[1]
    )
    dunning_profile_c_min = fields.Float(
        string="Profile C From", default=engine_insight.DEFAULT_THRESHOLDS[2]
    )
    dunning_profile_d_min = fields.Float(
        string="Profile D From", default=engine_insight.DEFAULT_THRESHOLDS[3]
    )

    def _dunning_profile_thresholds(self):
        self.ensure_one()
        return (
            self.dunning_profile_a_min,
            self.dunning_profile_b_min,
            self.dunning_profile_c_min,
            self.dunning_profile_d_min,
        )

    @api.constrains(
        "dunning_profile_a_min",
        "dunning_profile_b_min",
        "dunning_profile_c_min",
        "dunning_profile_d_min",
    )
    def _check_dunning_profile_thresholds(self):
        for company in self:
            if engine_insight.validate_thresholds(company._dunning_profile_thresholds()):
                raise ValidationError(
                    self.env._(
                        "%(company)s: the minimum payment scores of the profiles "
                        "must be between 0 and 100 and decrease strictly from A "
                        "to D.",
                        company=company.name,
                    )
                )
