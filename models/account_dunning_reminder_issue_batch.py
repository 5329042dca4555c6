# Copyright 2026 account_dunning_automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import fields, models


class AccountDunningReminder(models.Model):
    """Issuing many reminders at once (automation batches): what the checks
    of issuing read, read once for the batch. (Sending a batch is the sending
    wizard's, ``account.dunning.send``.)"""

    _inherit = "account.dunning.reminder"

    # ------------------------------------------------------------------
    # Issue
    # ------------------------------------------------------------------

    def _dunning_issue_prefetch(self):
        """What the checks of issuing read for each reminder, read once for
        all the reminders ``self`` (a batch): the customers' open items (new
        credits), the date of their last reminder (quiet period) and their
        open promises to pay. Keys: (company id, commercial partner id).
        Passed in the context (``dunning_issue_prefetch``) to the checks,
        which search themselves without it (one reminder)."""
        today = fields.Date.context_today(self)
        data = {"open_lines": {}, "last_issue": {}, "promise": {}}
        for company, reminders in self.grouped("company_id").items():
            partners = reminders.partner_id.commercial_partner_id
            open_lines = self._dunning_open_lines(company, partners)
            for line in open_lines:
                key = (company.id, line.partner_id.commercial_partner_id.id)
                data["open_lines"].setdefault(key, []).append(line.id)
            for partner, last in self._read_group(
                [
                    ("partner_id", "in", reminders.partner_id.ids),
                    ("company_id", "=", company.id),
                    ("state", "in", ("issued", "sent")),
                    ("issue_date", "!=", False),
                    ("is_notice", "=", False),
                    ("id", "not in", self.ids),
                ],
                ["partner_id"],
                ["issue_date:max"],
            ):
                data["last_issue"][(company.id, partner.id)] = last
            promises = self.env["account.dunning.promise"]._dunning_open_promises(
                company, today, partners
            )
            for promise in promises:
                key = (company.id, promise.partner_id.commercial_partner_id.id)
                data["promise"].setdefault(key, promise.id)
        return data

    def _dunning_prefetched(self, kind):
        """The value of ``kind`` read by _dunning_issue_prefetch for this
        reminder; None without prefetch (then the caller searches)."""
        self.ensure_one()
        data = self.env.context.get("dunning_issue_prefetch")
        if data is None:
            return None
        # The last reminder of the partner itself (as the search without
        # prefetch), the items and promises of its commercial entity.
        partner = self.partner_id
        if kind != "last_issue":
            partner = partner.commercial_partner_id
        return data[kind].get((self.company_id.id, partner.id), False)
