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
