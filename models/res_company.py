# Copyright 2026 account_dunning_automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    dunning_term_id = fields.Many2one(
        "account.dunning.term",
        string="Default Reminder Terms",
        domain="[('company_id', '=', id)]",
        help="Reminder terms used for the customers that have none.",
    )
