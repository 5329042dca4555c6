# Copyright 2026 account_dunning_automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import fields, models


class MailTemplate(models.Model):
    _inherit = "mail.template"

    dunning_thank_you = fields.Boolean(
        string="Thank-You After Payment",
        help="A thank-you email of the payment reminders: only such templates "
        "can be chosen as the thank-you of reminder terms (a reminder template "
        "would claim again what was just paid).",
    )
