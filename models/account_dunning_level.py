# Copyright 2026 account_dunning_automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..dunning_engine import levels as engine_levels


class AccountDunningLevel(models.Model):
    """One level of reminder terms (first reminder, second reminder, ...)."""

    _name = "account.dunning.level"
    _description = "Reminder Level"
    _order = "term_id, sequence, id"
    _check_company_auto = True

    term_id = fields.Many2one(
        "account.dunning.term",
        string="Reminder Terms",
        required=True,
        index=True,
        ondelete="cascade",
    )
    company_id = fields.Many2one(
        related="term_id.company_id", store=True, index=True, precompute=True
    )
    currency_id = fields.Many2one(related="term_id.company_id.currency_id")
    sequence = fields.Integer(default=10)
    number = fields.Integer(
        string="Level",
        compute="_compute_number",
        store=True,
        help="Position of the level in its terms (1 for the first reminder).",
    )
    name = fields.Char(required=True, translate=True)
    delay_days = fields.Integer(
        string="Days After Due Date",
        required=True,
        default=0,
        help="The level is planned this many days after the due date of the "
        "invoice (J+N). From the second level on, the interval between two "
        "levels is also kept from the date of the previous reminder, so that a "
        "late reminder never brings the next one closer.",
    )
    grace_days = fields.Integer(
        string="Grace Period (Days)",
        default=0,
        help="Extra days of tolerance before the level is reached, e.g. to "
        "leave time for a bank transfer to arrive.",
    )
    min_amount = fields.Monetary(
        string="Minimum Open Amount",
        currency_field="currency_id",
        help="The level is only reached when the overdue balance of the "
        "customer (in company currency) is at least this amount.",
    )
    payment_delay_days = fields.Integer(
        string="Payment Deadline (Days)",
        default=8,
        help="Days given to the customer to pay, counted from the reminder date.",
    )
    fee_amount = fields.Monetary(
        string="Fixed Fee",
        currency_field="currency_id",
        help="Fee charged to the customer when a reminder of this level is issued.",
    )
    fee_per_invoice = fields.Monetary(
        string="Fee per Invoice",
        currency_field="currency_id",
        help="Flat fee charged once per invoice, the first time the invoice "
        "reaches a level with such a fee (e.g. the EUR 40 recovery indemnity "
        "of French law).",
    )
    interest_rate = fields.Float(
        string="Annual Interest Rate (%)",
        digits=(16, 4),
        help="Late-payment interest charged on the overdue amount, per year, "
        "when a reminder of this level is issued.",
    )
    send_email = fields.Boolean(string="Email", default=True)
    send_letter = fields.Boolean(
        string="Letter",
        help="Sending produces the letter in PDF, attached to the reminder, to "
        "print and post.",
    )
    send_sms = fields.Boolean(string="SMS", help="Send a text message to the customer.")
    sms_template_id = fields.Many2one(
        "sms.template",
        string="SMS Template",
        domain="[('model', '=', 'account.dunning.reminder')]",
        help="Template of the text message; the module's default one when empty.",
    )
    create_call_activity = fields.Boolean(
        string="Phone Call",
        help="Sending schedules a call activity for the account manager of the "
        "customer (or the user who sends).",
    )
    attach_invoices = fields.Selection(
        [
            ("none", "No Invoices"),
            ("overdue", "Overdue Invoices"),
            ("all", "All Listed Invoices"),
        ],
        default="overdue",
        required=True,
        help="Invoices attached in PDF to the reminder email.",
    )
    mail_template_id = fields.Many2one(
        "mail.template",
        string="Email Template",
        domain="[('model', '=', 'account.dunning.reminder')]",
    )
    intro_text = fields.Html(
        string="Beginning Text",
        translate=True,
        sanitize=True,
        help="Text printed before the list of invoices, in the language of the "
        "customer.",
    )
    closing_text = fields.Html(
        string="Ending Text",
        translate=True,
        sanitize=True,
        help="Text printed after the list of invoices.",
    )
    # The legal basis of the interest and indemnity (e.g. articles L441-10 and
    # D441-5 of the French Commercial Code), printed on the letter of the level.
    legal_text = fields.Html(string="Legal Mentions", translate=True)

    def _sorted_by_sequence(self):
        return self.sorted(lambda level: (level.sequence, level._origin.id or 0))

    @api.depends("term_id.level_ids.sequence")
    def _compute_number(self):
        for term in self.term_id:
            for index, level in enumerate(term.level_ids._sorted_by_sequence(), 1):
                level.number = index
        for level in self.filtered(lambda lvl: not lvl.term_id):
            level.number = 0

    @api.constrains(
        "delay_days",
        "grace_days",
        "payment_delay_days",
        "min_amount",
        "fee_amount",
        "fee_per_invoice",
        "interest_rate",
    )
    def _check_not_negative(self):
        for level in self:
            for field_name in (
                "delay_days",
                "grace_days",
                "payment_delay_days",
                "min_amount",
                "fee_amount",
                "fee_per_invoice",
                "interest_rate",
            ):
                if level[field_name] < 0:
                    raise ValidationError(
                        self.env._(
                            "Reminder level %(level)s: %(field)s cannot be negative.",
                            level=level.display_name,
                            field=level._fields[field_name].get_description(
                                self.env
                            )["string"],
                        )
                    )

    @api.constrains("delay_days", "sequence", "term_id")
    def _check_term_delays(self):
        self.term_id._check_levels()

    @api.depends("term_id.name", "name")
    def _compute_display_name(self):
        for level in self:
            level.display_name = (
                f"{level.term_id.name} - {level.name}" if level.term_id else level.name
            )

    def _to_engine_rule(self):
        self.ensure_one()
        return engine_levels.LevelRule(
            number=self.number,
            delay_days=self.delay_days,
            grace_days=self.grace_days,
            min_amount=self.min_amount,
            key=self.id,
        )
