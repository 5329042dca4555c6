# Copyright 2026 account_dunning_automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import fields, models


class AccountDunningLineExcludeWizard(models.TransientModel):
    """Reason for leaving an item out of a draft reminder."""

    _name = "account.dunning.line.exclude.wizard"
    _description = "Exclude an Item from a Reminder"

    line_id = fields.Many2one(
        "account.dunning.reminder.line", required=True, readonly=True, ondelete="cascade"
    )
    move_id = fields.Many2one(related="line_id.move_id")
    reason = fields.Char(
        required=True,
        help="Logged in the reminder's chatter, e.g. \"disputed by phone, credit "
        "note on its way\".",
    )

    def action_exclude(self):
        self.ensure_one()
        self.line_id._exclude(self.reason)
        return {"type": "ir.actions.act_window_close"}
