# Copyright 2026 account_dunning_automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import api, models


class AccountDunningReminder(models.Model):
    """Which open items make the reminders: the open receivable items of the
    customers, one reminder per customer and currency. The values of the
    lines are prepared by the line model
    (account.dunning.reminder.line._prepare_lines_vals)."""

    _inherit = "account.dunning.reminder"

    @api.model
    def _dunning_open_lines(self, company, partners=None, include_blocked=False):
        """Open receivable items of ``company`` that can be reminded; with
        ``include_blocked``, the items on hold ("No Reminders" invoices) too."""
        move_line_model = self.env["account.move.line"]
        domain = move_line_model._dunning_open_receivable_domain(
            company, with_credits=True
        ) + [("partner_id", "!=", False)]
        if not include_blocked:
            domain.append(("move_id.dunning_blocked", "=", False))
        if partners is not None:
            domain.append(
                ("partner_id", "child_of", partners.commercial_partner_id.ids)
            )
        return move_line_model.search(domain, order="date_maturity, id")

    @api.model
    def _dunning_group_by_currency(self, move_lines):
        """The items of one customer per currency, in their order: each
        currency gets its own reminder (its credits, charges and items on hold
        included), so that what a customer owes in one currency is never
        netted against another one at an exchange rate."""
        return move_lines.grouped("currency_id")
