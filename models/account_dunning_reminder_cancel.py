# Copyright 2026 account_dunning_automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import api, fields, models


class AccountDunningReminder(models.Model):
    """What a cancelled reminder shows: the entry that reversed its charges
    and the amounts no longer claimed, instead of a total still due."""

    _inherit = "account.dunning.reminder"

    reversal_move_id = fields.Many2one(
        "account.move",
        string="Reversal Entry",
        readonly=True,
        copy=False,
        check_company=True,
        help="Entry that reversed the fees and interest entry when the reminder "
        "was cancelled.",
    )
    amount_due = fields.Monetary(
        string="Still Due (Company Currency)",
        compute="_compute_amount_due",
        store=True,
        # in company currency: reminders in several currencies add up
        currency_field="company_currency_id",
        help="Total due of the reminder in company currency (overdue items less "
        "open credits, plus charges, interest and fees); 0 once the reminder is "
        "cancelled, so that the totals of the list count only the reminders "
        "that stand.",
    )
    cancelled_fee = fields.Monetary(
        string="Fees Cancelled",
        compute="_compute_cancelled_amounts",
        currency_field="currency_id",
        help="Fixed fees of the reminder, reversed when it was cancelled.",
    )
    cancelled_indemnity = fields.Monetary(
        string="Recovery Indemnity Cancelled",
        compute="_compute_cancelled_amounts",
        currency_field="currency_id",
        help="Fixed recovery indemnity per invoice, reversed when the reminder "
        "was cancelled.",
    )
    cancelled_interest = fields.Monetary(
        string="Interest Cancelled",
        compute="_compute_cancelled_amounts",
        currency_field="currency_id",
        help="Late-payment interest of the reminder, reversed when it was "
        "cancelled.",
    )
    cancelled_total = fields.Monetary(
        string="Charges Cancelled",
        compute="_compute_cancelled_amounts",
        currency_field="currency_id",
        help="Fees, recovery indemnity and interest no longer claimed since the "
        "reminder was cancelled.",
    )
    @api.depends("state", "amount_total_company")
    def _compute_amount_due(self):
        for reminder in self:
            reminder.amount_due = (
                0.0 if reminder.state == "cancel" else reminder.amount_total_company
            )

    @api.depends(
        "state", "issue_date", "amount_fee", "amount_interest", "line_ids.amount_fee_invoice"
    )
    def _compute_cancelled_amounts(self):
        for reminder in self:
            # Only an issued reminder charged anything: a draft cancelled
            # never posted its charges.
            charged = reminder.state == "cancel" and reminder.issue_date
            indemnity = (
                sum(reminder.line_ids.filtered("is_new_level").mapped("amount_fee_invoice"))
                if charged
                else 0.0
            )
            reminder.cancelled_indemnity = indemnity
            reminder.cancelled_fee = reminder.amount_fee - indemnity if charged else 0.0
            reminder.cancelled_interest = reminder.amount_interest if charged else 0.0
            reminder.cancelled_total = (
                reminder.amount_fee + reminder.amount_interest if charged else 0.0
            )
