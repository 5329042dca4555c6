# Copyright 2026 account_dunning_automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import api, fields, models
from odoo.exceptions import UserError


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

    # ------------------------------------------------------------------
    # Undoing an issued reminder
    # ------------------------------------------------------------------

    def _check_fees_not_paid(self):
        """A reminder whose fees entry was paid (fully or partly) is not
        cancelled: reversing the entry would take the customer's payment off
        it. The fees are credited by a credit note instead."""
        self.ensure_one()
        receivable = self.sudo().move_id.line_ids.filtered(
            lambda l: l.account_type == "asset_receivable"
        )
        if (receivable.matched_debit_ids | receivable.matched_credit_ids) and not (
            self.move_id.reversal_move_ids.filtered(lambda m: m.state == "posted")
        ):
            raise UserError(
                self.env._(
                    "Reminder %(name)s cannot be cancelled: its fees entry %(entry)s "
                    "was paid (fully or partly) by the customer. Give the fees back "
                    "with a credit note or a refund instead.",
                    name=self.name,
                    entry=self.move_id.name,
                )
            )

    def _undo_issue(self):
        """Give the items back the level they had before this reminder."""
        self.ensure_one()
        for line in self.line_ids.filtered("is_new_level"):
            move_line = line.move_line_id
            if move_line.dunning_count != line.previous_count + 1:
                raise UserError(
                    self.env._(
                        "Reminder %(name)s cannot be cancelled: %(item)s was reminded "
                        "again afterwards. Cancel the later reminder first.",
                        name=self.name,
                        item=move_line.move_id.name,
                    )
                )
            values = {
                "dunning_level_id": line.previous_level_id.id,
                "dunning_level_number": line.previous_level_number,
                "dunning_last_date": line.previous_date,
                "dunning_count": line.previous_count,
            }
            if line.amount_fee_invoice:
                values["dunning_fee_charged"] = False
            if line.level_id.is_pre_due:
                values["dunning_notice_count"] = max(move_line.dunning_notice_count - 1, 0)
            if line.interest_date_to:
                values["dunning_interest_date"] = line.previous_interest_date
            # As superuser: see DUNNING_ITEM_FIELDS.
            move_line.sudo().write(values)
        self._log_on_invoices(
            self.line_ids.filtered("is_new_level"),
            lambda line: self.env._(
                "Payment reminder %(name)s cancelled: back to level %(level)s.",
                name=self.name,
                level=line.previous_level_id.display_name or 0,
            ),
        )
        reversed_by_hand = self.move_id.reversal_move_ids.filtered(
            lambda m: m.state == "posted"
        )
        if reversed_by_hand:
            # Reversed by hand already: never a second reversal.
            # As superuser: see LIFECYCLE_FIELDS.
            self.sudo().write({"reversal_move_id": reversed_by_hand[:1].id})
        elif self.move_id and self.move_id.state == "posted":
            reversal = self.move_id._reverse_moves(
                [
                    {
                        "date": fields.Date.context_today(self),
                        "ref": self.env._("Cancellation of %s", self.name),
                    }
                ],
                cancel=True,
            )
            # As superuser: see LIFECYCLE_FIELDS.
            self.sudo().write({"reversal_move_id": reversal[:1].id})
