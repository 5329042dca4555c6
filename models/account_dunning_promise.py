# Copyright 2026 account_dunning_automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import format_amount, format_date

from ..dunning_engine import bounds as engine_bounds
from .dunning_numbers import check_finite_numbers

# Set by the promise's actions and its follow-up only (Cancel, the daily
# check closing it kept or broken, the reminders it holds): never given at
# creation nor written directly (form, import, RPC).
PROMISE_STATE_FIELDS = ("state", "closed_date", "held_date", "user_id")


class AccountDunningPromise(models.Model):
    """A customer's promise to pay an amount by a date.

    While a promise is open, the customer receives no reminder up to the
    promised date (the collector negotiated instead of reminding). It is kept
    when the payments received since it was made reach the amount by that
    date; broken when the date passed without them: the reminders resume at
    the next level and the account manager gets an activity to call back."""

    _name = "account.dunning.promise"
    _description = "Promise to Pay"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "promised_date desc, id desc"
    _check_company_auto = True

    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        required=True,
        index=True,
        check_company=True,
        tracking=True,
        domain="[('is_company', '=', True)]",
    )
    company_id = fields.Many2one(
        "res.company",
        required=True,
        index=True,
        default=lambda self: self.env.company,
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    reminder_id = fields.Many2one(
        "account.dunning.reminder",
        check_company=True,
        index="btree_not_null",
        domain="[('partner_id', '=', partner_id)]",
        help="Reminder the customer answered with this promise, if any.",
    )
    date = fields.Date(
        string="Promised On",
        required=True,
        default=fields.Date.context_today,
        help="Payments received from this date on count towards the promise.",
    )
    promised_date = fields.Date(
        string="Pay By",
        required=True,
        tracking=True,
        help="Reminders to the customer are paused up to this date included.",
    )
    amount = fields.Monetary(
        string="Amount Promised", required=True, tracking=True, currency_field="currency_id"
    )
    amount_paid = fields.Monetary(
        string="Received Since",
        compute="_compute_amount_paid",
        currency_field="currency_id",
        help="Payments and credits received from the customer since the promise "
        "was made, up to the promised date.",
    )
    note = fields.Text()
    state = fields.Selection(
        [
            ("open", "Open"),
            ("kept", "Kept"),
            ("broken", "Broken"),
            ("cancel", "Cancelled"),
        ],
        default="open",
        required=True,
        readonly=True,
        copy=False,
        index=True,
        tracking=True,
    )
    closed_date = fields.Date(readonly=True, copy=False)
    user_id = fields.Many2one(
        "res.users", string="Recorded By", default=lambda self: self.env.user, readonly=True
    )
    responsible_id = fields.Many2one(
        "res.users",
        string="Account Manager",
        compute="_compute_responsible_id",
        help="Account manager of the customer: gets the activity of a broken promise.",
    )
    held_date = fields.Date(
        string="First Reminder Held",
        readonly=True,
        copy=False,
        help="First day a reminder was due for the customer but held by this promise.",
    )

    @api.depends("partner_id", "company_id", "amount", "promised_date")
    def _compute_display_name(self):
        for promise in self:
            if not promise.partner_id or not promise.promised_date:
                promise.display_name = self.env._("New Promise to Pay")
                continue
            promise.display_name = self.env._(
                "%(partner)s: %(amount)s by %(date)s",
                partner=promise.partner_id.display_name,
                amount=format_amount(self.env, promise.amount, promise.currency_id),
                date=format_date(self.env, promise.promised_date),
            )

    @api.depends("partner_id", "company_id")
    def _compute_responsible_id(self):
        for promise in self:
            promise.responsible_id = promise.partner_id.with_company(
                promise.company_id
            ).sudo().dunning_responsible_id

    def _compute_amount_paid(self):
        today = fields.Date.context_today(self)
        for promise in self:
            promise.amount_paid = promise._paid_until(
                min(promise.promised_date or today, today)
            )

    @api.constrains("amount", "date", "promised_date")
    def _check_values(self):
        for promise in self:
            if promise.currency_id.compare_amounts(promise.amount, 0.0) <= 0:
                raise ValidationError(
                    self.env._("A promise to pay needs an amount above zero.")
                )
            if promise.amount > engine_bounds.MAX_AMOUNT:
                raise ValidationError(
                    self.env._(
                        "A promise to pay of %(amount)s is not credible: at most "
                        "%(max)s.",
                        amount=promise.amount,
                        max=engine_bounds.MAX_AMOUNT,
                    )
                )
            if promise.promised_date > promise.date + timedelta(
                days=engine_bounds.MAX_PROMISE_DAYS
            ):
                raise ValidationError(
                    self.env._(
                        "The promised date of %(promise)s is more than %(days)s days "
                        "after the promise: reminders are paused a year at most. "
                        "Agree on a payment plan instead.",
                        promise=promise.display_name,
                        days=engine_bounds.MAX_PROMISE_DAYS,
                    )
                )
            if promise.promised_date < promise.date:
                raise ValidationError(
                    self.env._(
                        "The promised date of %(promise)s cannot come before the day "
                        "the promise was made.",
                        promise=promise.display_name,
                    )
                )

    @api.constrains("partner_id", "reminder_id")
    def _check_reminder_partner(self):
        for promise in self:
            if promise.reminder_id and promise.reminder_id.partner_id != promise.partner_id:
                raise ValidationError(
                    self.env._(
                        "Reminder %(reminder)s was sent to another customer than "
                        "%(partner)s.",
                        reminder=promise.reminder_id.name,
                        partner=promise.partner_id.display_name,
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        check_finite_numbers(self, vals_list)
        for vals in vals_list:
            if not self.env.su:
                given = [
                    name
                    for name in PROMISE_STATE_FIELDS
                    if vals.get(name)
                    and not (name == "state" and vals[name] == "open")
                    and not (name == "user_id" and vals[name] == self.env.uid)
                ]
                if given:
                    raise UserError(
                        self.env._(
                            "A promise to pay is recorded open; its %(fields)s are "
                            "set by its follow-up (kept, broken, cancelled).",
                            fields=", ".join(given),
                        )
                    )
            if vals.get("partner_id"):
                partner = self.env["res.partner"].browse(vals["partner_id"])
                vals["partner_id"] = partner.commercial_partner_id.id
        promises = super().create(vals_list)
        for promise in promises:
            promise._pause_reminders()
        return promises

    def write(self, vals):
        check_finite_numbers(self, [vals])
        locked = [name for name in PROMISE_STATE_FIELDS if name in vals]
        if locked and not self.env.su:
            raise UserError(
                self.env._(
                    "The %(fields)s of a promise to pay change only through its "
                    "follow-up (Cancel, kept or broken by the daily check).",
                    fields=", ".join(locked),
                )
            )
        if any(name in vals for name in ("partner_id", "company_id", "date", "amount")):
            if self.filtered(lambda p: p.state != "open"):
                raise UserError(
                    self.env._("A promise to pay that is closed cannot be changed.")
                )
        return super().write(vals)

    def _pause_reminders(self):
        """Log the promise on the customer and its reminder, and cancel the
        customer's draft reminder: nothing is issued before the date."""
        self.ensure_one()
        text = self.env._(
            "Promise to pay %(amount)s by %(date)s recorded: payment reminders are "
            "paused until that date.",
            amount=format_amount(self.env, self.amount, self.currency_id),
            date=format_date(self.env, self.promised_date),
        )
        self.message_post(body=text)
        self.partner_id.sudo()._message_log(body=text)
        if self.reminder_id:
            self.reminder_id.message_post(body=text)
        drafts = self.env["account.dunning.reminder"].search(
            [
                ("partner_id", "=", self.partner_id.id),
                ("company_id", "=", self.company_id.id),
                ("state", "=", "draft"),
            ]
        )
        if drafts:
            drafts.action_cancel()

    # ------------------------------------------------------------------
    # Follow-up
    # ------------------------------------------------------------------

    def _paid_until(self, end):
        """Payments and credits of the customer (in company currency) booked
        from the promise date to ``end``: receivable credits other than the
        customer's invoices."""
        self.ensure_one()
        if not self.partner_id or not self.date or not end or end < self.date:
            return 0.0
        lines = (
            self.env["account.move.line"]
            .sudo()
            .search(
                [
                    ("company_id", "=", self.company_id.id),
                    ("partner_id", "child_of", self.partner_id.id),
                    ("account_type", "=", "asset_receivable"),
                    ("parent_state", "=", "posted"),
                    ("balance", "<", 0),
                    ("date", ">=", self.date),
                    ("date", "<=", end),
                ]
            )
        )
        return -sum(lines.mapped("balance"))

    @api.model
    def _dunning_open_promises(self, company, as_of, partners=None):
        """Open promises of ``company`` pausing the reminders at ``as_of``."""
        domain = [
            ("company_id", "=", company.id),
            ("state", "=", "open"),
            ("date", "<=", as_of),
            ("promised_date", ">=", as_of),
        ]
        if partners is not None:
            domain.append(("partner_id", "in", partners.commercial_partner_id.ids))
        return self.search(domain)

    @api.model
    def _check_promises(self, as_of=None, company=None, partners=None):
        """Close the open promises (of ``partners`` when given: a batch of an
        automation checks its own customers' only, so that the batches of
        several workers never write the same promise): kept once the
        payments reach the amount, broken the day after the promised date
        without them. Returns ``(kept, broken)``."""
        as_of = as_of or fields.Date.context_today(self)
        domain = [("state", "=", "open"), ("date", "<=", as_of)]
        if company:
            domain.append(("company_id", "=", company.id))
        if partners is not None:
            domain.append(
                ("partner_id.commercial_partner_id", "in", partners.commercial_partner_id.ids)
            )
        kept = broken = self.browse()
        for promise in self.search(domain):
            paid = promise._paid_until(min(as_of, promise.promised_date))
            if promise.currency_id.compare_amounts(paid, promise.amount) >= 0:
                promise._close("kept", as_of, paid)
                kept |= promise
            elif promise.promised_date < as_of:
                promise._close("broken", as_of, paid)
                broken |= promise
        return kept, broken

    def _close(self, state, as_of, paid):
        self.ensure_one()
        # As superuser: see PROMISE_STATE_FIELDS (the follow-up decides).
        self.sudo().write({"state": state, "closed_date": as_of})
        values = {
            "amount": format_amount(self.env, self.amount, self.currency_id),
            "paid": format_amount(self.env, paid, self.currency_id),
            "date": format_date(self.env, self.promised_date),
        }
        if state == "kept":
            text = self.env._(
                "Promise to pay %(amount)s by %(date)s kept (%(paid)s received).",
                **values,
            )
        else:
            text = self.env._(
                "Promise to pay %(amount)s by %(date)s broken: %(paid)s received. "
                "The payment reminders resume at the next level.",
                **values,
            )
            self.activity_schedule(
                "mail.mail_activity_data_call",
                date_deadline=as_of,
                summary=self.env._(
                    "Broken promise: call %(partner)s",
                    partner=self.partner_id.display_name,
                ),
                note=text,
                user_id=(self.responsible_id or self.user_id or self.env.user).id,
            )
        self.message_post(body=text)
        self.partner_id.sudo()._message_log(body=text)
        if self.reminder_id:
            self.reminder_id.message_post(body=text)

    @api.model
    def _cron_check_promises(self):
        """Daily check of the promises (also run by the reminder automations
        before they create reminders)."""
        self._check_promises()

    def action_cancel(self):
        self.check_access("write")
        # As superuser once the access checked: see PROMISE_STATE_FIELDS.
        self.filtered(lambda p: p.state == "open").sudo().write(
            {"state": "cancel", "closed_date": fields.Date.context_today(self)}
        )
        return True
