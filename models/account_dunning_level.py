# Copyright 2026 account_dunning_automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from types import MappingProxyType

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import format_date, formatLang

from ..dunning_engine import bounds as engine_bounds
from ..dunning_engine import interest as engine_interest
from ..dunning_engine import levels as engine_levels
from .dunning_numbers import check_finite_numbers

# Bounds of the numbers of a level (see dunning_engine.bounds).
LEVEL_BOUNDS = MappingProxyType(
    {
        # negative: a courtesy notice before the due date
        "delay_days": engine_bounds.SIGNED_DAYS,
        "grace_days": engine_bounds.DAYS,
        "payment_delay_days": engine_bounds.DAYS,
        "min_amount": engine_bounds.AMOUNT,
        "fee_amount": engine_bounds.AMOUNT,
        "fee_percent": engine_bounds.RATE,
        "fee_min": engine_bounds.AMOUNT,
        "fee_max": engine_bounds.AMOUNT,
        "fee_per_invoice": engine_bounds.AMOUNT,
        "interest_rate": engine_bounds.RATE,
        "interest_margin": engine_bounds.RATE,
    }
)


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
        # Not additive (nor the other numbers of a level): no sum in
        # grouped lists.
        aggregator=None,
        string="Level",
        compute="_compute_number",
        store=True,
        help="Position of the level in its terms (1 for the first reminder).",
    )
    name = fields.Char(required=True, translate=True)
    delay_days = fields.Integer(
        aggregator=None,
        string="Days After Due Date",
        required=True,
        default=0,
        help="The level is planned this many days after the due date of the "
        "invoice (J+N). From the second level on, the interval between two "
        "levels is also kept from the date of the previous reminder, so that a "
        "late reminder never brings the next one closer. A negative number "
        "plans a courtesy notice before the due date (J-N): never charged, "
        "never counted as a reminder, it does not delay the first reminder.",
    )
    is_pre_due = fields.Boolean(
        string="Notice Before Due Date",
        compute="_compute_is_pre_due",
        store=True,
        help="Planned before the due date: a courtesy notice, not a reminder.",
    )
    grace_days = fields.Integer(
        aggregator=None,
        string="Grace Period (Days)",
        default=0,
        help="Extra days of tolerance before the level is reached, e.g. to "
        "leave time for a bank transfer to arrive.",
    )
    min_amount = fields.Monetary(
        aggregator=None,
        string="Minimum Open Amount",
        currency_field="currency_id",
        help="The level is only reached when the overdue balance of the "
        "customer in the currency of the invoice, less its open credits in that "
        "currency, is at least this amount (converted from the company currency "
        "at the reminder date).",
    )
    payment_delay_days = fields.Integer(
        aggregator=None,
        string="Payment Deadline (Days)",
        default=8,
        help="Days given to the customer to pay, counted from the reminder date.",
    )
    fee_type = fields.Selection(
        [
            ("fixed", "Fixed amount"),
            ("percentage", "Percentage of the overdue amount"),
        ],
        default="fixed",
        required=True,
        help="Fixed amount: the fee below on each reminder of this level.\n"
        "Percentage of the overdue amount: a percentage of what the reminder "
        "claims (overdue items less open credits, in the reminder's currency), "
        "raised to the minimum and lowered to the maximum, like the fee "
        "brackets of other accounting software.",
    )
    fee_amount = fields.Monetary(
        aggregator=None,
        string="Fixed Fee",
        currency_field="currency_id",
        help="Fee charged to the customer when a reminder of this level is "
        "issued, converted to the reminder's currency at the reminder date.",
    )
    fee_percent = fields.Float(
        string="Fee (% of the Overdue Amount)",
        digits=(16, 4),
        help="Percentage of the overdue amount of the reminder charged as fee.",
    )
    fee_min = fields.Monetary(
        string="Minimum Fee",
        currency_field="currency_id",
        help="Lowest percentage fee (0: none), converted to the reminder's "
        "currency at the reminder date.",
    )
    fee_max = fields.Monetary(
        string="Maximum Fee",
        currency_field="currency_id",
        help="Highest percentage fee (0: none), converted to the reminder's "
        "currency at the reminder date.",
    )
    fee_per_invoice = fields.Monetary(
        aggregator=None,
        string="Fee per Invoice",
        currency_field="currency_id",
        help="Flat fee charged once per invoice, the first time the invoice "
        "reaches a level with such a fee (e.g. the EUR 40 recovery indemnity "
        "of French law), converted to the invoice's currency at the reminder "
        "date.",
    )
    interest_rate_type = fields.Selection(
        [
            ("fixed", "Fixed rate"),
            ("reference", "Reference rate + points"),
        ],
        default="fixed",
        required=True,
        help="Fixed: the annual rate below.\nReference rate + points: the ECB "
        "main refinancing rate of each half-year (Reference Rates menu) plus the "
        "points below, as French law (+10) and the EU directive (+8) require.",
    )
    interest_rate = fields.Float(
        aggregator=None,
        string="Annual Interest Rate (%)",
        digits=(16, 4),
        help="Late-payment interest charged per year on the amount of each "
        "overdue invoice open each day, from the day after its due date (or the "
        "date up to which interest was last charged) to the reminder date, when "
        "a reminder of this level is issued.",
    )
    interest_margin = fields.Float(
        aggregator=None,
        string="Points Above the Reference Rate",
        digits=(16, 4),
        help="Added to the reference rate of each half-year, e.g. 10 for French "
        "law, 8 for the EU directive 2011/7/EU.",
    )
    legal_text = fields.Html(
        string="Legal Mention",
        translate=True,
        sanitize=True,
        help="Legal mention printed on the letter of this level, e.g. the "
        "articles of law on which the interest and the recovery indemnity are "
        "charged.",
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
    manual_review = fields.Boolean(
        string="Reviewed by a Person",
        help="Reminders of this level (typically the formal notice) are left "
        "as drafts by the automations and are sent only from their sending "
        "dialog, which shows the email, the recipients and every attachment "
        "before they go: never by Issue & Send or a send of a selection.",
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
    attach_letter = fields.Boolean(
        default=True,
        help="Attach the reminder letter in PDF to the reminder email. Without "
        "it the email alone goes out: no PDF is rendered for it.",
    )
    call_script = fields.Html(
        translate=True,
        sanitize=True,
        help="Suggested script of the phone call, in the language of the "
        "customer, put in the call activity. Placeholders replaced with the "
        "customer's figures: {customer}, {amount_overdue}, {oldest_invoice}, "
        "{last_contact}, {promise_history}.",
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
    is_formal_notice = fields.Boolean(
        string="Formal Notice",
        help="The letter of this level is a formal notice (mise en demeure): "
        "subject line, salutation, the sentence putting the customer on notice "
        "with the deadline, the registered-letter mention, place and date, and "
        "no \"please disregard\" sentence.",
    )
    indemnity_label = fields.Char(
        translate=True,
        help="Label of the fee per invoice on the letter, e.g. \"Fixed indemnity "
        "for recovery costs (art. D441-5)\" in France; \"Fixed recovery "
        "indemnities\" when empty.",
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

    @api.depends("delay_days")
    def _compute_is_pre_due(self):
        for level in self:
            level.is_pre_due = level.delay_days < 0

    @api.constrains("delay_days", "grace_days", "fee_amount", "fee_per_invoice",
                    "fee_type", "fee_percent", "fee_min",
                    "interest_rate_type", "interest_rate", "interest_margin")
    def _check_pre_due(self):
        """A notice before the due date is a courtesy: never charged, and sent
        by the due date at the latest."""
        for level in self.filtered(lambda lvl: lvl.delay_days < 0):
            if level.delay_days + level.grace_days > 0:
                raise ValidationError(
                    self.env._(
                        "%(level)s is a notice before the due date: its delay and "
                        "grace period must bring it by the due date.",
                        level=level.display_name,
                    )
                )
            if (
                level._has_fee()
                or level.fee_per_invoice
                or level._has_interest(True)
            ):
                raise ValidationError(
                    self.env._(
                        "%(level)s is a notice before the due date: it charges no "
                        "fee, indemnity nor interest.",
                        level=level.display_name,
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        check_finite_numbers(self, vals_list)
        return super().create(vals_list)

    def write(self, vals):
        check_finite_numbers(self, [vals])
        return super().write(vals)

    @api.constrains(*LEVEL_BOUNDS)
    def _check_not_negative(self):
        """Refuse negative and out-of-range numbers (bounds of the engine)."""
        for level in self:
            violations = engine_bounds.check(
                {name: (kind, level[name]) for name, kind in LEVEL_BOUNDS.items()}
            )
            if violations:
                raise ValidationError(
                    "\n".join(
                        self._bound_message(level.display_name, violation)
                        for violation in violations
                    )
                )

    @api.constrains("fee_type", "fee_min", "fee_max")
    def _check_fee_bounds(self):
        for level in self.filtered(lambda lvl: lvl.fee_type == "percentage"):
            if level.fee_max and level.fee_min > level.fee_max:
                raise ValidationError(
                    self.env._(
                        "%(level)s: the minimum fee (%(min)s) cannot exceed the "
                        "maximum fee (%(max)s).",
                        level=level.display_name,
                        min=level.fee_min,
                        max=level.fee_max,
                    )
                )

    def _bound_message(self, record_name, violation):
        """Translated message of an engine bounds violation on a field."""
        field = self._fields[violation.name].get_description(self.env)["string"]
        if violation.maximum is None or (
            violation.minimum == 0 and violation.value < violation.minimum
        ):
            return self.env._(
                "%(record)s: %(field)s cannot be negative.",
                record=record_name,
                field=field,
            )
        return self.env._(
            "%(record)s: %(field)s must be between %(min)s and %(max)s (got %(value)s).",
            record=record_name,
            field=field,
            min=violation.minimum,
            max=violation.maximum,
            value=violation.value,
        )

    @api.constrains("delay_days", "sequence", "term_id")
    def _check_term_delays(self):
        self.term_id._check_levels()

    @api.constrains(
        "fee_type", "fee_amount", "fee_percent", "fee_min", "fee_per_invoice",
        "interest_rate_type", "interest_rate", "delay_days", "term_id",
    )
    def _check_term_charges_setup(self):
        self.term_id._check_charges_setup()

    @api.depends("term_id.name", "name")
    def _compute_display_name(self):
        for level in self:
            level.display_name = (
                f"{level.term_id.name} - {level.name}" if level.term_id else level.name
            )

    def _to_engine_rule(self, currency=None, date=None):
        """The level as an engine rule; with ``currency``, its minimum amount
        converted from the company currency at ``date``."""
        self.ensure_one()
        min_amount = self.min_amount
        company_currency = self.company_id.currency_id
        if currency and currency != company_currency and min_amount:
            min_amount = company_currency._convert(
                min_amount, currency, self.company_id, date or fields.Date.today()
            )
        return engine_levels.LevelRule(
            number=self.number,
            delay_days=self.delay_days,
            grace_days=self.grace_days,
            min_amount=min_amount,
            key=self.id,
        )

    # ------------------------------------------------------------------
    # Fees
    # ------------------------------------------------------------------

    def _has_fee(self):
        """Reminders of this level charge a fee (fixed or percentage)."""
        self.ensure_one()
        if self.fee_type == "percentage":
            return bool(self.fee_percent or self.fee_min)
        return bool(self.fee_amount)

    def _convert_amount(self, amount, currency, date):
        """``amount`` of the level (in company currency) in ``currency`` at
        ``date``: the fees of a reminder are charged in its currency."""
        self.ensure_one()
        company_currency = self.company_id.currency_id
        if not amount or not currency or currency == company_currency:
            return amount
        return company_currency._convert(amount, currency, self.company_id, date)

    def _compute_reminder_fee(self, overdue, currency, date):
        """Fee (before taxes) of a reminder of this level claiming ``overdue``
        in ``currency`` at ``date``: the fixed fee, or the percentage of the
        overdue amount within the minimum and the maximum, all converted from
        the company currency at ``date``."""
        self.ensure_one()
        if self.fee_type != "percentage":
            return self._convert_amount(self.fee_amount, currency, date)
        return float(
            engine_interest.compute_fee(
                percent=self.fee_percent,
                amount=max(overdue, 0.0),
                minimum=self._convert_amount(self.fee_min, currency, date),
                maximum=self._convert_amount(self.fee_max, currency, date),
                digits=currency.decimal_places,
            )
        )

    # ------------------------------------------------------------------
    # Late-payment interest
    # ------------------------------------------------------------------

    def _has_interest(self, configured=False):
        """Reminders of this level charge late-payment interest (a notice
        before the due date never does; ``configured``: whatever its delay)."""
        self.ensure_one()
        if self.delay_days < 0 and not configured:
            return False
        if self.interest_rate_type == "reference":
            return True
        return self.interest_rate > 0

    def _compute_late_interest(self, amount, start, end, payments, currency):
        """Interest of one item at this level (engine result), in ``currency``.

        :raises UserError: when a half-year of the period has no reference rate
        """
        self.ensure_one()
        if self.interest_rate_type == "reference":
            rate = engine_interest.ReferenceRate(
                self.env["account.dunning.reference.rate"]._get_table(),
                self.interest_margin,
            )
        else:
            rate = self.interest_rate
        try:
            return engine_interest.late_interest(
                amount,
                start,
                end,
                rate,
                payments=payments,
                digits=currency.decimal_places,
            )
        except engine_interest.MissingReferenceRate as exc:
            raise UserError(
                self.env._(
                    "No reference rate is recorded for the half-year starting on "
                    "%(date)s, needed by the reminder level %(level)s. Add it under "
                    "%(menu)s.",
                    date=format_date(self.env, exc.half_year),
                    level=self.display_name,
                    menu=self.env["account.dunning.reference.rate"]._menu_path(),
                )
            ) from exc

    def _describe_interest(self, result):
        """Short description of the rates and periods of an interest result,
        e.g. "12.15 % a year (reference rate 2.15 % + 10 points) from
        03/03/2026 to 16/03/2026 (14 days)"."""
        self.ensure_one()
        parts = []
        for period in result.periods:
            rate = self._format_rate(period.rate)
            if period.reference_rate is not None:
                rate = self.env._(
                    "%(rate)s a year (reference rate %(reference)s + %(points)s points)",
                    rate=rate,
                    reference=self._format_rate(period.reference_rate),
                    points=self._format_number(self.interest_margin),
                )
            else:
                rate = self.env._("%(rate)s a year", rate=rate)
            parts.append(
                self.env._(
                    "%(rate)s from %(start)s to %(end)s (%(days)s days)",
                    rate=rate,
                    start=format_date(self.env, period.date_from),
                    end=format_date(self.env, period.date_to),
                    days=period.days,
                )
            )
        return "; ".join(parts)

    def _format_number(self, value):
        """A rate or a number of points in the language of the context."""
        return formatLang(self.env, float(value), digits=2)

    def _format_rate(self, value):
        return f"{self._format_number(value)} %"
