# Copyright 2026 account_dunning_automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import models


class AccountDunningAutomationAction(models.Model):
    """The daily run checks the promises to pay before creating reminders, and
    thanks the customers who paid when it sends."""

    _inherit = "account.dunning.automation.action"

    def _execute_create(self, run, as_of, partners):
        # Promises first: a broken promise resumes the reminders today, a kept
        # one is closed before anything is created.
        self.env["account.dunning.promise"]._check_promises(
            as_of, self.automation_id.company_id
        )
        return super()._execute_create(run, as_of, partners)

    def _execute_send(self, run, as_of, partners):
        ok = super()._execute_send(run, as_of, partners)
        # The customers of the batch with a sent reminder not thanked yet (the
        # run's queue holds them even when nothing is left open).
        automation = self.automation_id
        reminders = self.env["account.dunning.reminder"]
        thanked = automation._filter_partners(
            reminders.search(
                [
                    ("company_id", "=", automation.company_id.id),
                    ("partner_id", "in", partners.ids),
                    ("state", "=", "sent"),
                    ("thanked_date", "=", False),
                ]
            ).partner_id,
            self._partner_filter_domain(),
        )
        if thanked:
            thanks = self.env["account.dunning.thanks"]
            thanks._dunning_send_thanks(automation.company_id, as_of, thanked)
        return ok
