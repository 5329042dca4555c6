# Copyright 2026 account_dunning_automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    dunning_term_id = fields.Many2one(
        related="company_id.dunning_term_id",
        readonly=False,
        domain="[('company_id', '=', company_id)]",
    )

    # ------------------------------------------------------------------
    # Minimum payment scores of the profiles (company settings)
    # ------------------------------------------------------------------

    dunning_profile_a_min = fields.Float(
        related="company_id.dunning_profile_a_min", readonly=False
    )
    dunning_profile_b_min = fields.Float(
        related="company_id.dunning_profile_b_min", readonly=False
    )
    dunning_profile_c_min = fields.Float(
        related="company_id.dunning_profile_c_min", readonly=False
    )
    dunning_profile_d_min = fields.Float(
        related="company_id.dunning_profile_d_min", readonly=False
    )
