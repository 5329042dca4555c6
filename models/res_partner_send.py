# Copyright 2026 account_dunning_automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import models
from odoo.exceptions import UserError


class ResPartner(models.Model):
    _inherit = "res.partner"

    def action_dunning_send_now(self):
        """One click from the customer: create (or recompute) the draft
        reminder of the customer at today's date, issue it and send it by the
        channels of its level, through the sending wizard (summary shown)."""
        self.ensure_one()
        partner = self.commercial_partner_id
        reminders = self.env["account.dunning.reminder"]._create_reminders(partners=partner)
        if not reminders:
            raise UserError(
                self.env._(
                    "No reminder to send to %(partner)s today: no overdue invoice "
                    "reaches a new reminder level (or the customer is marked \"No "
                    "Reminders\", or was reminded too recently).",
                    partner=partner.display_name,
                )
            )
        return self.env["account.dunning.send"]._action_issue_and_send(reminders)
