# Copyright 2026 account_dunning_automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import api, fields, models
from odoo.exceptions import UserError

# What a line says was owed and reached: computed by the module from the
# journal item, never typed in (a reminder shows what the books say).
COMPUTED_LINE_FIELDS = (
    "move_line_id",
    "line_type",
    "date_due",
    "days_overdue",
    "currency_id",
    "amount_residual",
    "amount_residual_currency",
    "amount_fee_invoice",
    "amount_interest",
    "amount_interest_company",
    "interest_date_from",
    "interest_date_to",
    "interest_rate_text",
    "interest_description",
    "escalation",
    "explanation",
    "term_id",
    "level_id",
    "is_new_level",
    "previous_level_id",
    "previous_level_number",
    "previous_date",
    "previous_count",
    "previous_interest_date",
)


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
    escalation = fields.Selection(
        [
            ("escalated", "Escalated"),
            ("notice", "Notice before the due date"),
            ("held", "Escalated after the quiet period"),
            ("held_quiet", "Waiting for the quiet period"),
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
    portal_url = fields.Char(
        string="Online Payment Link",
        compute="_compute_portal_url",
        help="Link to the invoice on the customer portal (with its access "
        "token), where the customer can see and pay it.",
    )
    # State of the item before this reminder, to undo an issued reminder and to
    # refuse issuing a reminder made stale by another one.
    previous_level_id = fields.Many2one("account.dunning.level")
    previous_level_number = fields.Integer()
    previous_date = fields.Date()
    previous_count = fields.Integer()
    previous_interest_date = fields.Date()

    def _compute_portal_url(self):
        # The tokens of all the invoices at once (see the method).
        self.move_id.filtered(
            lambda m: m.is_invoice(include_receipts=True) and m.state == "posted"
        ).sudo()._dunning_ensure_access_tokens()
        for line in self:
            move = line.move_id
            if move and move.is_invoice(include_receipts=True) and move.state == "posted":
                # As superuser: the access token of the invoice is created on
                # the first link, whoever sends the reminder; the link itself
                # only opens this invoice.
                move = move.sudo()
                line.portal_url = move.get_base_url() + move.get_portal_url()
            else:
                line.portal_url = False

    # ------------------------------------------------------------------
    # Lines of issued reminders are fixed; computed values are never edited
    # ------------------------------------------------------------------

    def _check_reminder_draft(self, reminders):
        not_draft = reminders.filtered(lambda r: r.state != "draft")
        if not_draft and not self.env.su:
            raise UserError(
                self.env._(
                    "Reminder %(name)s is no longer a draft: its lines cannot be "
                    "changed.",
                    name=not_draft[0].name,
                )
            )

    def _dunning_item_gone(self):
        """The item of this line left the reminder since it was created: paid
        or reconciled, its entry no longer posted (cancelled, reset to
        draft), or put on hold."""
        self.ensure_one()
        move_line = self.move_line_id
        return (
            not move_line
            or move_line.reconciled
            or move_line.company_currency_id.is_zero(move_line.amount_residual)
            or move_line.parent_state != "posted"
            or (self.line_type != "blocked" and move_line.move_id.dunning_blocked)
        )

    @api.model_create_multi
    def create(self, vals_list):
        self._check_reminder_draft(
            self.env["account.dunning.reminder"].browse(
                {vals.get("reminder_id") for vals in vals_list if vals.get("reminder_id")}
            )
        )
        return super().create(vals_list)

    def write(self, vals):
        if not self.env.su:
            self._check_reminder_draft(self.reminder_id)
            computed = [name for name in COMPUTED_LINE_FIELDS if name in vals]
            if computed:
                raise UserError(
                    self.env._(
                        "The %(fields)s of a reminder line come from the journal "
                        "item and the reminder terms: recompute the draft instead.",
                        fields=", ".join(computed),
                    )
                )
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_only_draft(self):
        self._check_reminder_draft(self.reminder_id)
