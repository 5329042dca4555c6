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
        string="Interest",
        currency_field="currency_id",
        help="Late-payment interest of the item, in its currency.",
    )
    amount_interest_company = fields.Monetary(
        string="Interest (Company Currency)",
        currency_field="company_currency_id",
        help="Interest converted at the reminder date.",
    )
    interest_date_from = fields.Date(
        string="Interest From", help="First day of the interest charged."
    )
    interest_date_to = fields.Date(
        string="Interest To",
        help="Last day of the interest charged: issuing the reminder records it "
        "on the item, the next interest runs from the day after.",
    )
    interest_rate_text = fields.Char(
        string="Rate Applied", help="Annual rate(s) of the interest charged."
    )
    interest_description = fields.Char(
        string="Interest Details",
        help="Rates and periods of the interest charged, as printed on the letter.",
    )
    term_id = fields.Many2one("account.dunning.term", string="Reminder Terms")
    level_id = fields.Many2one("account.dunning.level")
    level_number = fields.Integer(string="Level No.", related="level_id.number")
    is_new_level = fields.Boolean(
        string="Escalated",
        help="This item reaches a new level with this reminder; issuing the "
        "reminder records that level on the item.",
    )
    # State of the item before this reminder, to undo an issued reminder and to
    # refuse issuing a reminder made stale by another one.
    previous_level_id = fields.Many2one("account.dunning.level")
    previous_level_number = fields.Integer()
    previous_date = fields.Date()
    previous_count = fields.Integer()
    previous_interest_date = fields.Date()
