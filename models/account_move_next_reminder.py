# Copyright 2026 account_dunning_automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import api, fields, models

from .account_move import DUNNING_READ_GROUPS


class AccountMove(models.Model):
    """"Next reminder on ... at level ..." of a customer invoice: the first
    contact of the forecast (see account.dunning.forecast) that escalates
    it, the same computation as the customer's next reminder."""

    _inherit = "account.move"

    dunning_next_reminder_date = fields.Date(
        string="Next Reminder On",
        compute="_compute_dunning_next_reminder",
        compute_sudo=True,
        groups=DUNNING_READ_GROUPS,
        help="Date of the next reminder the scheduled automations will send "
        "for this invoice in the next 30 days if nothing is paid, from the "
        "levels of its reminder terms. Empty when none is planned.",
    )
    dunning_next_reminder_level_id = fields.Many2one(
        "account.dunning.level",
        string="Next Reminder Level",
        compute="_compute_dunning_next_reminder",
        compute_sudo=True,
        groups=DUNNING_READ_GROUPS,
        help="Level of that reminder: the highest level its invoices reach.",
    )

    @api.depends_context("company")
    def _compute_dunning_next_reminder(self):
        forecast = self.env["account.dunning.forecast"]
        level_model = self.env["account.dunning.level"]
        for move in self:
            day, level = False, level_model
            receivable = move.line_ids.filtered(
                lambda l: l.account_type == "asset_receivable" and not l.reconciled
            )
            if (
                move.id
                and move.state == "posted"
                and move.is_sale_document(include_receipts=True)
                and receivable
                and not move.dunning_blocked
            ):
                contacts = forecast._compute_contacts(
                    move.company_id, move.partner_id.commercial_partner_id
                )
                for contact in contacts:
                    if set(receivable.ids) & set(contact.items):
                        day, level = contact.date, level_model.browse(contact.level_key)
                        break
            move.dunning_next_reminder_date = day
            move.dunning_next_reminder_level_id = level
