# Copyright 2026 account_dunning_automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import fields, models


class AccountDunningReminderLine(models.Model):
    """One open receivable item listed on a reminder."""

    _name = "account.dunning.reminder.line"
    _description = "Payment Reminder Line"
    _order = "reminder_id, line_type desc, date_due, id"
    _check_company_auto = True

    reminder_id = fields.Many2one(
        "account.dunning.reminder",
        required=True,
        index=True,
        ondelete="cascade",
    )
    company_id = fields.Many2one(
        related="reminder_id.company_id", store=True, index=True, precompute=True
    )
    company_currency_id = fields.Many2one(
        string="Company Currency", related="company_id.currency_id"
    )
    state = fields.Selection(related="reminder_id.state")
    move_line_id = fields.Many2one(
        "account.move.line",
        string="Journal Item",
        required=True,
        index=True,
        ondelete="cascade",
        check_company=True,
    )
    move_id = fields.Many2one(
        "account.move",
        string="Invoice",
        related="move_line_id.move_id",
        store=True,
        index=True,
    )
    invoice_date = fields.Date(related="move_id.invoice_date")
    ref = fields.Char(string="Reference", related="move_id.ref")
    line_type = fields.Selection(
        [
            ("overdue", "Overdue"),
            ("not_due", "Not Yet Due"),
            ("credit", "Credit"),
            ("blocked", "On Hold"),
            ("charge", "Charges Not Yet Paid"),
        ],
        string="Type",
        required=True,
        default="overdue",
    )
    date_due = fields.Date(string="Due Date")
    days_overdue = fields.Integer()
    currency_id = fields.Many2one("res.currency", required=True)
    amount_residual_currency = fields.Monetary(
        string="Open Amount", currency_field="currency_id"
    )
    amount_residual = fields.Monetary(
        string="Open Amount (Company Currency)", currency_field="company_currency_id"
    )
    amount_fee_invoice = fields.Monetary(
        string="Fee", currency_field="company_currency_id"
    )
    amount_interest = fields.Monetary(
        string="Interest", currency_field="company_currency_id"
    )
    term_id = fields.Many2one("account.dunning.term", string="Reminder Terms")
    level_id = fields.Many2one("account.dunning.level")
    level_number = fields.Integer(string="Level No.", related="level_id.number")
    is_new_level = fields.Boolean(
        string="Escalated",
        help="This item reaches a new level with this reminder; issuing the "
        "reminder records that level on the item.",
    )
    escalation = fields.Selection(
        [
            ("escalated", "Escalated"),
            ("held", "Escalated after the quiet period"),
            ("last_level", "Brought to the last level"),
            ("waiting", "Waiting for its next level"),
            ("below_minimum", "Below the minimum amount"),
            ("exhausted", "All levels reached"),
            ("not_due", "Not yet due"),
            ("no_terms", "No reminder terms"),
            ("not_invoice", "Not an invoice"),
            ("charge", "Charges not yet paid"),
            ("credit", "Open credit"),
            ("blocked", "On hold"),
        ],
        string="Why",
        readonly=True,
        help="Why the item is (or is not) escalated by this reminder.",
    )
    explanation = fields.Char(readonly=True)
    # State of the item before this reminder, to undo an issued reminder and to
    # refuse issuing a reminder made stale by another one.
    previous_level_id = fields.Many2one("account.dunning.level")
    previous_level_number = fields.Integer()
    previous_date = fields.Date()
    previous_count = fields.Integer()

    def _dunning_dropped_at_issue(self):
        """The item of the line was paid, reconciled, is no longer posted
        (cancelled, reset to draft) or was put on hold since the reminder was
        made: the line drops out at issue."""
        self.ensure_one()
        move_line = self.move_line_id
        if not move_line or move_line.reconciled or move_line.parent_state != "posted":
            return True
        if move_line.company_currency_id.is_zero(move_line.amount_residual):
            return True
        return self.line_type != "blocked" and move_line.move_id.dunning_blocked
