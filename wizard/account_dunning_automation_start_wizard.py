# Copyright 2026 account_dunning_automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import api, fields, models


class AccountDunningAutomationStartWizard(models.TransientModel):
    """Confirmation of the start of a manual automation: what it will do and
    for how many customers, before it runs in the background."""

    _name = "account.dunning.automation.start.wizard"
    _description = "Start a Reminder Automation"

    automation_id = fields.Many2one(
        "account.dunning.automation", required=True, readonly=True, ondelete="cascade"
    )
    customer_count = fields.Integer(
        string="Customers to Consider",
        compute="_compute_summary",
        help="Customers with open items or reminders in progress that the "
        "filters of the automation select now; each action applies its own "
        "filter on top.",
    )
    action_summary = fields.Char(string="Actions", compute="_compute_summary")

    @api.depends("automation_id")
    def _compute_summary(self):
        run_model = self.env["account.dunning.automation.run"]
        for wizard in self:
            automation = wizard.automation_id
            wizard.customer_count = (
                len(run_model._queue_partner_ids(automation)) if automation else 0
            )
            labels = dict(
                self.env["account.dunning.automation.action"]
                ._fields["action_type"]
                ._description_selection(self.env)
            )
            wizard.action_summary = ", ".join(
                action.name or labels.get(action.action_type, "")
                for action in automation.action_ids.sorted(lambda a: (a.sequence, a.id))
            )

    def action_start(self):
        self.ensure_one()
        return self.automation_id.action_start()
