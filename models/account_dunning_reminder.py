# Copyright 2026 account_dunning_automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from datetime import timedelta

import psycopg2

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import format_amount, format_date

from ..dunning_engine import totals as engine_totals

# One draft per customer, company and currency (see _auto_init); the index of
# earlier versions (one draft per customer and company) is replaced.
DRAFT_UNIQUE_INDEX = "account_dunning_reminder_one_draft_per_partner_currency"
LETTER_REPORT = "account_dunning_automation.action_report_dunning_reminder"
# Context key of the tracking notes of a batch waiting to be created in one go
# (see account.dunning.mail.batch).
COLLECT_KEY = "dunning_collect_tracking_logs"


# What a reminder did (its lifecycle, its charges): changed only by its
# actions, which write as superuser after checking the user's rights, never by
# a direct write (form, import, RPC).
LIFECYCLE_FIELDS = (
    "state",
    "name",
    "company_id",
    "amount_fee",
    "move_id",
    "reversal_move_id",
    "issue_date",
    "sent_date",
    "send_count",
    "payment_reference",
    "send_state",
    "send_error",
    "email_message_id",
    "send_run_id",
    "thanked_date",
)
# What a draft is made of: fixed once the reminder is issued.
DRAFT_FIELDS = ("date", "term_id", "partner_id", "currency_id", "line_ids")


class AccountDunningReminder(models.Model):
    """A payment reminder for one customer in one currency: created (draft),
    issued, sent. A customer owing in several currencies gets one reminder per
    currency, each with its own totals, charges and fees entry.

    The document lives here (fields, computes, constraints, buttons); what is
    done to it is a service (see docs/ARCHITECTURE_REMINDER.md):
    account.dunning.contact.policy (who may be contacted, which items advance
    a level), account.dunning.builder (drafts), account.dunning.issue (issue,
    undo), account.dunning.charges, account.dunning.send (sending),
    account.dunning.delivery, account.dunning.call, account.dunning.thanks."""

    _name = "account.dunning.reminder"
    _description = "Payment Reminder"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "date desc, id desc"
    _check_company_auto = True
    # A reminder's email is its own thread, not attached to the first note of
    # its chatter (an internal note, never emailed): Odoo would search that
    # note for each email of a batch.
    _mail_flat_thread = False

    name = fields.Char(
        string="Number", readonly=True, copy=False, default="/", index="trigram"
    )
    state = fields.Selection(
        [
            ("draft", "Draft"),
            ("issued", "Issued"),
            ("sent", "Sent"),
            ("cancel", "Cancelled"),
        ],
        default="draft",
        required=True,
        readonly=True,
        copy=False,
        index=True,
        tracking=True,
    )
    company_id = fields.Many2one(
        "res.company",
        required=True,
        index=True,
        readonly=True,
        default=lambda self: self.env.company,
    )
    currency_id = fields.Many2one(
        "res.currency",
        required=True,
        readonly=True,
        index=True,
        default=lambda self: self.env.company.currency_id,
        help="Currency of the items this reminder claims: a customer owing in "
        "several currencies gets one reminder per currency. Its amounts, fees "
        "and interest are in this currency, and so is its fees entry.",
    )
    company_currency_id = fields.Many2one(
        string="Company Currency", related="company_id.currency_id"
    )
    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        required=True,
        index=True,
        check_company=True,
        tracking=True,
        domain="[('is_company', '=', True)]",
    )
    lang = fields.Selection(related="partner_id.lang")
    responsible_id = fields.Many2one(
        "res.users",
        string="Account Manager",
        compute="_compute_responsible_id",
        store=True,
        readonly=False,
        index="btree_not_null",
        tracking=True,
        help="Account manager of the customer when the reminder was created.",
    )
    recipient_ids = fields.Many2many(
        "res.partner",
        string="Recipients",
        compute="_compute_recipient_ids",
        help="Invoicing contacts of the customer with an email address, or the "
        "customer itself when it has none.",
    )
    date = fields.Date(
        string="Reminder Date",
        required=True,
        default=fields.Date.context_today,
        help="Date at which the overdue items and levels were computed.",
    )
    term_id = fields.Many2one(
        "account.dunning.term", string="Reminder Terms", check_company=True
    )
    level_id = fields.Many2one(
        "account.dunning.level",
        compute="_compute_level",
        store=True,
        help="Highest new level reached by the lines of this reminder; its "
        "texts, template and fees apply.",
    )
    level_manual_review = fields.Boolean(related="level_id.manual_review")
    level_number = fields.Integer(
        string="Level No.", related="level_id.number", store=True
    )
    issue_date = fields.Date(readonly=True, copy=False, tracking=True)
    sent_date = fields.Date(readonly=True, copy=False, tracking=True)
    send_count = fields.Integer(string="Times Sent", readonly=True, copy=False)
    payment_due_date = fields.Date(
        string="Pay Before",
        compute="_compute_payment_due_date",
        store=True,
    )
    line_ids = fields.One2many(
        "account.dunning.reminder.line",
        "reminder_id",
        string="Lines",
        copy=False,
    )
    amount_overdue = fields.Monetary(
        compute="_compute_amounts", store=True, currency_field="currency_id"
    )
    amount_not_due = fields.Monetary(
        string="Amount Not Yet Due",
        compute="_compute_amounts",
        store=True,
        currency_field="currency_id",
    )
    amount_credit = fields.Monetary(
        string="Open Credits",
        compute="_compute_amounts",
        store=True,
        currency_field="currency_id",
        help="Credit notes and payments not yet matched with an invoice: they "
        "are deducted from the total due.",
    )
    amount_interest = fields.Monetary(
        compute="_compute_amounts", store=True, currency_field="currency_id"
    )
    amount_charges = fields.Monetary(
        string="Charges Not Yet Paid",
        compute="_compute_amounts",
        store=True,
        currency_field="currency_id",
        help="Fees and interest of earlier reminders still open: claimed again, "
        "never escalated.",
    )
    amount_fee = fields.Monetary(
        string="Fees", readonly=True, copy=False, currency_field="currency_id"
    )
    amount_total = fields.Monetary(
        string="Total Due",
        compute="_compute_amounts",
        store=True,
        currency_field="currency_id",
        help="Overdue amount less open credits, plus interest and fees, in "
        "the currency of the reminder.",
    )
    amount_total_company = fields.Monetary(
        string="Total Due (Company Currency)",
        compute="_compute_amounts",
        store=True,
        currency_field="company_currency_id",
        help="Total due in company currency (the items at their booked rates, "
        "interest and fees at the reminder date), to add up reminders in "
        "several currencies.",
    )
    totals_by_currency = fields.Char(
        string="Net Due per Currency",
        compute="_compute_totals_by_currency",
        help="Overdue items less open credits, in the currency of each item, "
        "without the charges, interest and fees of the reminder.",
    )
    amount_to_pay_display = fields.Char(
        string="Total to Pay",
        compute="_compute_totals_by_currency",
        help="What the customer is asked to pay, per currency: the overdue "
        "items less the open credits, the charges of earlier reminders not yet "
        "paid, and the fees and interest of this reminder.",
    )
    move_id = fields.Many2one(
        "account.move",
        string="Fees Entry",
        readonly=True,
        copy=False,
        check_company=True,
        help="Journal entry of the fees and interest posted at issue.",
    )
    payment_reference = fields.Char(
        readonly=True,
        copy=False,
        help="Structured reference (ISO 11649 RF creditor reference) of the fees "
        "and interest entry, for the customer to pay them with.",
    )
    note = fields.Html(string="Internal Note")
    is_notice = fields.Boolean(
        string="Notice Before Due Date",
        related="level_id.is_pre_due",
        store=True,
        help="A courtesy notice before the due date: no charges, not counted "
        "as a reminder by the contact policy.",
    )
    thanked_date = fields.Date(
        string="Thanked On",
        readonly=True,
        copy=False,
        help="Date of the thank-you email sent once the customer had nothing "
        "overdue left.",
    )
    promise_ids = fields.One2many(
        "account.dunning.promise", "reminder_id", string="Promises to Pay", readonly=True
    )
    pay_all_url = fields.Char(
        string="Pay Everything Link",
        compute="_compute_pay_all_url",
        help="Link to the customer's overdue invoices on the portal, when the "
        "customer has a portal access and several invoices to pay.",
    )
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
    send_state = fields.Selection(
        [
            ("queued", "Email Queued"),
            ("delivered", "Email Delivered"),
            ("failed", "Send Failed"),
        ],
        string="Email Status",
        readonly=True,
        copy=False,
        tracking=True,
        index="btree_not_null",
    )
    send_error = fields.Char(
        string="Send Failure Reason", readonly=True, copy=False
    )
    email_message_id = fields.Many2one(
        "mail.message",
        string="Reminder Email",
        readonly=True,
        copy=False,
        ondelete="set null",
    )
    send_run_id = fields.Many2one(
        "account.dunning.automation.run",
        string="Sent by Run",
        readonly=True,
        copy=False,
        ondelete="set null",
    )

    # ------------------------------------------------------------------
    # Computes
    # ------------------------------------------------------------------

    @api.depends("line_ids.level_id", "line_ids.is_new_level")
    def _compute_level(self):
        for reminder in self:
            new_levels = reminder.line_ids.filtered("is_new_level").level_id
            reminder.level_id = (
                new_levels.sorted("number")[-1:] if new_levels else False
            )

    @api.depends("partner_id", "company_id")
    def _compute_responsible_id(self):
        for reminder in self:
            reminder.responsible_id = reminder.partner_id.with_company(
                reminder.company_id
            ).dunning_responsible_id

    @api.depends("partner_id.child_ids.type", "partner_id.child_ids.email")
    def _compute_recipient_ids(self):
        for reminder in self:
            invoicing = reminder.partner_id.child_ids.filtered(
                lambda c: c.type == "invoice" and c.email and c.active
            )
            reminder.recipient_ids = invoicing or reminder.partner_id

    # Not on level_id.payment_delay_days: "Pay before" is frozen at issue, a
    # later change of the level only applies to the next reminders.
    @api.depends("date", "issue_date", "level_id")
    def _compute_payment_due_date(self):
        for reminder in self:
            start = reminder.issue_date or reminder.date
            if start:
                reminder.payment_due_date = start + timedelta(
                    days=reminder.level_id.payment_delay_days
                )
            else:
                reminder.payment_due_date = False

    @api.depends(
        "line_ids.amount_residual",
        "line_ids.line_type",
        "line_ids.amount_residual_currency",
        "line_ids.amount_interest",
        "line_ids.amount_interest_company",
        "line_ids.excluded",
        "amount_fee",
    )
    def _compute_amounts(self):
        # In the currency of the reminder: every line is in it (one reminder
        # per customer and currency).
        charges_model = self.env["account.dunning.charges"]
        for reminder in self:
            # Items excluded from this reminder are listed, never counted.
            lines = reminder.line_ids.filtered(lambda l: not l.excluded).grouped(
                "line_type"
            )
            empty = self.env["account.dunning.reminder.line"]
            overdue = lines.get("overdue", empty)
            reminder.amount_overdue = sum(overdue.mapped("amount_residual_currency"))
            reminder.amount_not_due = sum(
                lines.get("not_due", empty).mapped("amount_residual_currency")
            )
            reminder.amount_credit = sum(
                lines.get("credit", empty).mapped("amount_residual_currency")
            )
            reminder.amount_interest = sum(overdue.mapped("amount_interest"))
            reminder.amount_charges = sum(
                lines.get("charge", empty).mapped("amount_residual_currency")
            )
            reminder.amount_total = (
                reminder.amount_overdue
                + reminder.amount_credit
                + reminder.amount_charges
                + reminder.amount_interest
                + reminder.amount_fee
            )
            counted = overdue | lines.get("credit", empty) | lines.get("charge", empty)
            reminder.amount_total_company = (
                sum(counted.mapped("amount_residual"))
                + sum(overdue.mapped("amount_interest_company"))
                + charges_model._to_company_currency(reminder, reminder.amount_fee)
            )

    @api.depends(
        "line_ids.amount_residual_currency",
        "line_ids.currency_id",
        "line_ids.line_type",
        "line_ids.excluded",
        "amount_fee",
        "amount_interest",
    )
    def _compute_totals_by_currency(self):
        for reminder in self:
            totals = reminder._get_totals_by_currency()
            reminder.totals_by_currency = " / ".join(
                format_amount(self.env, float(amount), currency)
                for currency, amount in totals.items()
            )
            reminder.amount_to_pay_display = " / ".join(
                format_amount(self.env, float(amount), currency)
                for currency, amount in reminder._get_amounts_to_pay().items()
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

    def _compute_pay_all_url(self):
        # The customers with a portal access, for all the reminders at once
        # (one query for a batch of emails instead of one per reminder).
        commercials = self.partner_id.commercial_partner_id
        with_portal = (
            self.env["res.partner"]
            .sudo()
            .search(
                [
                    ("id", "child_of", commercials.ids),
                    ("user_ids.share", "=", True),
                    ("user_ids.active", "=", True),
                ]
            )
            .commercial_partner_id
            if commercials
            else commercials
        )
        for reminder in self:
            invoices = reminder.line_ids.filtered(
                lambda l: l.line_type == "overdue"
            ).move_id
            partner = reminder.partner_id
            has_portal = partner and partner.commercial_partner_id in with_portal
            if len(invoices) > 1 and has_portal:
                reminder.pay_all_url = (
                    reminder.get_base_url() + "/my/invoices?filterby=overdue_invoices"
                )
            else:
                reminder.pay_all_url = False

    def _get_totals_by_currency(self, line_types=("overdue", "credit")):
        """Open amounts of the lines of ``line_types``, per currency record:
        by default what is overdue, less the open credits."""
        self.ensure_one()
        return self._sum_by_currency(line_types)

    def _get_amounts_to_pay(self):
        """What the customer is asked to pay, per currency record: the overdue
        items less the open credits, the unpaid charges of earlier reminders,
        and the fees and interest of this reminder (in its currency)."""
        self.ensure_one()
        return self._sum_by_currency(
            ("overdue", "credit", "charge"), self.amount_fee + self.amount_interest
        )

    def _sum_by_currency(self, line_types, charges=0.0):
        """Open amounts of the lines of ``line_types`` (excluded lines apart)
        and ``charges`` in the reminder's currency, per currency record."""
        lines = self.line_ids.filtered(lambda l: l.line_type in line_types and not l.excluded)
        currencies = {line.currency_id.name: line.currency_id for line in lines}
        items = [(line.currency_id.name, line.amount_residual_currency) for line in lines]
        currency = self.currency_id
        if currency and not currency.is_zero(charges):
            currencies[currency.name] = currency
            items.append((currency.name, charges))
        totals = engine_totals.totals_by_currency(
            items, digits={name: cur.decimal_places for name, cur in currencies.items()}
        )
        return {currencies[name]: amount for name, amount in totals.items()}

    def _fee_term(self):
        self.ensure_one()
        return self.term_id or self.level_id.term_id

    def _has_charges(self):
        """The reminder charges fees or interest."""
        self.ensure_one()
        currency = self.currency_id
        return not (
            currency.is_zero(self.amount_fee) and currency.is_zero(self.amount_interest)
        )

    def _formal_notice_sentence(self):
        """The sentence of a formal notice that puts the customer on notice:
        the sum, the deadline and the consequence, in the context's language
        (the customer's when the letter is rendered)."""
        self.ensure_one()
        return self.env._(
            "We hereby put you on notice to pay us the sum of %(amount)s within "
            "%(days)s days of this letter, that is by %(date)s at the latest. "
            "Failing payment by that date, we will take legal action to recover "
            "our claim, without further notice, the costs of the proceedings "
            "being charged to you.",
            amount=format_amount(self.env, self.amount_total, self.currency_id),
            days=self.level_id.payment_delay_days,
            date=format_date(
                self.env, self.payment_due_date or self.date, date_format="long"
            ),
        )

    # ------------------------------------------------------------------
    # ORM
    # ------------------------------------------------------------------

    def _auto_init(self):
        super()._auto_init()
        # One draft per customer, company and currency, whoever creates it:
        # a unique index (see account.dunning.builder).
        self.env["account.dunning.builder"]._dunning_ensure_draft_index()

    @api.model_create_multi
    def create(self, vals_list):
        self._create_check_lifecycle(vals_list)
        self.env["account.dunning.builder"]._dunning_assign_names(vals_list)
        # The draft index is checked by the database: the pending writes of
        # reminders (a draft just cancelled) must reach it first.
        self.flush_model(["state", "partner_id", "company_id", "currency_id"])
        try:
            # In a savepoint: the error below can still read the customers.
            with self.env.cr.savepoint(flush=False):
                return super().create(vals_list)
        except psycopg2.errors.UniqueViolation as exc:
            if exc.diag.constraint_name != DRAFT_UNIQUE_INDEX:
                raise
            partners = self.env["res.partner"].browse(
                [vals.get("partner_id") for vals in vals_list]
            )
            raise UserError(
                self.env._(
                    "A draft reminder already exists for %(partners)s (another "
                    "user or an automation may have created it at the same "
                    "moment): only one draft reminder per customer and currency "
                    "is allowed. "
                    "Create the reminders again to recompute that draft.",
                    partners=", ".join(partners.exists().mapped("display_name")),
                )
            ) from exc

    @api.constrains("partner_id", "line_ids")
    def _check_lines_partner(self):
        """The customer of a reminder is fixed once it lists items: changing
        it would send the items of one customer to another."""
        for reminder in self:
            strangers = reminder.line_ids.move_line_id.filtered(
                lambda l, reminder=reminder: l.partner_id.commercial_partner_id
                != reminder.partner_id.commercial_partner_id
            )
            if strangers:
                raise ValidationError(
                    self.env._(
                        "Reminder %(name)s lists items of %(others)s: its customer "
                        "cannot be %(partner)s. The customer of a reminder cannot be "
                        "changed once it has lines; cancel it and create a new one.",
                        name=reminder.name,
                        others=", ".join(
                            strangers.partner_id.commercial_partner_id.mapped(
                                "display_name"
                            )
                        ),
                        partner=reminder.partner_id.display_name,
                    )
                )

    @api.constrains("currency_id", "line_ids")
    def _check_lines_currency(self):
        """One reminder per customer and currency: its lines are all in its
        currency (its totals, fees and fees entry are)."""
        for reminder in self:
            others = reminder.line_ids.filtered(
                lambda l, reminder=reminder: l.currency_id != reminder.currency_id
            )
            if others:
                raise ValidationError(
                    self.env._(
                        "Reminder %(name)s is in %(currency)s: it cannot list items "
                        "in %(others)s. A customer owing in several currencies gets "
                        "one reminder per currency.",
                        name=reminder.name,
                        currency=reminder.currency_id.name,
                        others=", ".join(others.currency_id.mapped("name")),
                    )
                )

    @api.constrains("date")
    def _check_date_bounds(self):
        for reminder in self:
            self.env["account.dunning.builder"]._check_reminder_date(reminder.date)

    @api.model
    def _create_check_lifecycle(self, vals_list):
        """A reminder is created as a draft; only its actions move it on."""
        if self.env.su:
            return
        for vals in vals_list:
            locked = [
                name
                for name in LIFECYCLE_FIELDS
                if name not in ("name", "company_id") and vals.get(name)
            ]
            if locked or vals.get("state", "draft") != "draft":
                raise UserError(
                    self.env._(
                        "A reminder is created as a draft; its %(fields)s are set "
                        "by its actions (Issue, Send, Cancel).",
                        fields=", ".join(locked or ["state"]),
                    )
                )

    def write(self, vals):
        if not self.env.su:
            self._check_direct_write(vals)
        return super().write(vals)

    def _check_direct_write(self, vals):
        """Refuse what only the reminder's actions may change: its state,
        dates and charges always; its customer, date, terms and lines once
        it is issued (its customer once it has lines: _check_lines_partner)."""
        locked = [name for name in LIFECYCLE_FIELDS if name in vals]
        if locked:
            raise UserError(
                self.env._(
                    "The %(fields)s of a reminder change only through its actions "
                    "(Issue, Send, Print, Cancel, Reset to Draft).",
                    fields=", ".join(locked),
                )
            )
        draft_only = [name for name in DRAFT_FIELDS if name in vals]
        not_draft = self.filtered(lambda r: r.state != "draft")
        if draft_only and not_draft:
            raise UserError(
                self.env._(
                    "Reminder %(name)s is %(state)s: its %(fields)s can no longer "
                    "be changed. Cancel it and create a new one.",
                    name=not_draft[0].name,
                    state=not_draft[0]._state_label(),
                    fields=", ".join(draft_only),
                )
            )

    def _state_label(self):
        self.ensure_one()
        return dict(self._fields["state"]._description_selection(self.env))[self.state]

    def _check_dunning_access(self):
        """The actions write as superuser (see LIFECYCLE_FIELDS): check first
        that the user may change these reminders (record rules included)."""
        self.check_access("write")

    @api.ondelete(at_uninstall=False)
    def _unlink_only_draft_or_cancel(self):
        for reminder in self:
            if reminder.state not in ("draft", "cancel"):
                raise UserError(
                    self.env._(
                        "Reminder %(name)s is %(state)s: cancel it instead of "
                        "deleting it.",
                        name=reminder.name,
                        state=reminder._state_label(),
                    )
                )

    # ------------------------------------------------------------------
    # Creation of reminders
    # ------------------------------------------------------------------

    @api.model
    def _create_reminders(
        self, partners=None, as_of=None, include_not_due=False, include_blocked=False
    ):
        """Create (or refresh) the draft reminders of the current company:
        see ``account.dunning.builder._create_reminders``. Returns the drafts
        created or refreshed."""
        return self.env["account.dunning.builder"]._create_reminders(
            partners=partners,
            as_of=as_of,
            include_not_due=include_not_due,
            include_blocked=include_blocked,
        )

    def action_refresh(self):
        """Recompute a draft reminder at its date (paid items drop out)."""
        self._check_dunning_access()
        for reminder in self:
            if reminder.state != "draft":
                raise UserError(
                    self.env._("Only draft reminders can be recomputed (%s).", reminder.name)
                )
            self.env["account.dunning.builder"]._refresh_draft(reminder)
        return True

    # ------------------------------------------------------------------
    # Issue
    # ------------------------------------------------------------------

    def action_issue(self):
        """Issue the drafts: see ``account.dunning.issue._issue``."""
        self._check_dunning_access()
        for reminder in self:
            if reminder.state != "draft":
                raise UserError(
                    self.env._("Only draft reminders can be issued (%s).", reminder.name)
                )
        return self.env["account.dunning.issue"]._issue(self)

    # ------------------------------------------------------------------
    # Cancel / reset
    # ------------------------------------------------------------------

    def action_cancel(self):
        self._check_dunning_access()
        for reminder in self:
            if reminder.state == "cancel":
                continue
            if reminder.state in ("issued", "sent"):
                self.env["account.dunning.charges"]._check_fees_not_paid(reminder)
                self.env["account.dunning.issue"]._undo_issue(reminder)
        # What has not left yet never leaves: the email waiting in the mail
        # queue (or failed, which a retry would send again), the SMS in the
        # SMS queue. An email delivered stays delivered (it was received).
        self.env["account.dunning.delivery"]._dunning_cancel_pending(self)
        self.sudo().write({"state": "cancel"})
        not_delivered = self.filtered(lambda r: r.send_state in ("queued", "failed"))
        if not_delivered:
            not_delivered.sudo().write({"send_state": False, "send_error": False})
        return True

    def action_draft(self):
        self._check_dunning_access()
        for reminder in self:
            if reminder.state != "cancel":
                raise UserError(
                    self.env._(
                        "Only cancelled reminders can be reset to draft (%s).",
                        reminder.name,
                    )
                )
            other = self.search_count(
                [
                    ("partner_id", "=", reminder.partner_id.id),
                    ("company_id", "=", reminder.company_id.id),
                    ("currency_id", "=", reminder.currency_id.id),
                    ("state", "=", "draft"),
                    ("id", "!=", reminder.id),
                ]
            )
            if other:
                raise UserError(
                    self.env._(
                        "%(partner)s already has a draft reminder in %(currency)s: "
                        "only one draft reminder per customer and currency is "
                        "allowed.",
                        partner=reminder.partner_id.display_name,
                        currency=reminder.currency_id.name,
                    )
                )
        # The email (and SMS) of the cancelled reminder never leave, and its
        # delivery state goes: the re-issued reminder sends a new email.
        self.env["account.dunning.delivery"]._dunning_cancel_pending(self)
        self.sudo().write(
            {
                "state": "draft",
                "issue_date": False,
                "move_id": False,
                "reversal_move_id": False,
                "payment_reference": False,
                "sent_date": False,
                "send_state": False,
                "send_error": False,
                "email_message_id": False,
                "send_run_id": False,
            }
        )
        return True

    # ------------------------------------------------------------------
    # Send, print: the sending wizard (account.dunning.send) does the work
    # ------------------------------------------------------------------

    def action_send(self):
        """Open the sending dialog (account.dunning.send): the level's
        channels, the email with every attachment it will carry; once the
        email is posted, the other channels of the level (letter, SMS, phone
        call) run too, like in the automatic sending. A level that sends no
        email is sent at once by its channels; a failed email is retried."""
        self.ensure_one()
        return self.env["account.dunning.send"]._action_send_dialog(self)

    def action_issue_and_send(self):
        """Issue the drafts and send them at once (form and list): each
        reminder in its own savepoint, the summary shown. A draft of a level
        reviewed by a person is refused (from the form: an error at once)."""
        if len(self) == 1:
            self.env["account.dunning.send"]._check_not_reviewed(self)
        return self.env["account.dunning.send"]._action_issue_and_send(self)

    def message_post(self, **kwargs):
        context = self.env.context
        missing = {}
        if len(self) == 1 and (
            context.get("dunning_attach_letter") or context.get("dunning_attach_invoices")
        ):
            # The letter and the invoices in PDF (see _email_composer_context
            # of account.dunning.send).
            pdfs = self.env["account.dunning.send"]._dunning_email_attachments(self, missing)
            if pdfs:
                kwargs["attachment_ids"] = list(kwargs.get("attachment_ids") or []) + [
                    attachment.id
                    for attachment in pdfs
                    if attachment.id not in (kwargs.get("attachment_ids") or [])
                ]
        if context.get("dunning_email"):
            # Said to Odoo: the email carries no tracking values, so that it
            # does not search them when rendering the email.
            kwargs.setdefault("tracking_value_ids", [])
        message = super().message_post(**kwargs)
        if missing:
            self.env["account.dunning.send"]._warn_missing_pdfs(self, missing)
        if self.env.context.get("dunning_email") and len(self) == 1:
            self.env["account.dunning.delivery"]._dunning_email_posted(self, message)
        return message

    def action_send_batch(self):
        """Send the selected issued reminders by the channels of their level,
        each in its own savepoint: a failure is noted on the reminder and the
        others are sent. Reminders already sent are skipped, never resent."""
        return self.env["account.dunning.send"]._action_send_reminders(self)

    def action_print(self):
        """Print the reminder letter. Nothing is counted here (the layout
        dialog may open, the user may close it): the reminder counts a send
        when the PDF of this action is downloaded (account.dunning.delivery's
        _dunning_letter_printed,
        told by the action's data); no other rendering of the letter counts
        one."""
        self.env["account.dunning.send"]._check_can_send(self)
        return self.env.ref(LETTER_REPORT).report_action(
            self, data={"dunning_print_letter": True}
        )

    def action_mark_sent(self):
        self.env["account.dunning.send"]._check_can_send(self)
        self.env["account.dunning.delivery"]._mark_as_sent(self)
        return True

    def _get_report_base_filename(self):
        # The letter's file is the customer's document: its name in the
        # customer's language, like the letter itself.
        self.ensure_one()
        env = self.with_context(lang=self.partner_id.lang or self.env.lang).env
        return env._("Reminder %s", self.name).replace("/", "_")

    # ------------------------------------------------------------------
    # Promises to pay, charges waived
    # ------------------------------------------------------------------

    def action_new_promise(self):
        """Record a promise to pay from this reminder."""
        self.ensure_one()
        return self.partner_id.with_context(
            default_reminder_id=self.id
        ).action_new_dunning_promise()

    def action_waive_charges(self):
        """Waive the open charges of the customer: see
        ``account.dunning.charges._waive_charges``."""
        self.ensure_one()
        return self.env["account.dunning.charges"]._waive_charges(self)

    # ------------------------------------------------------------------
    # Mail: the batches of an automation (account.dunning.mail.batch), views
    # ------------------------------------------------------------------

    def _message_track(self, fields_iter, initial_values_dict):
        if len(self) < 2:
            return super()._message_track(fields_iter, initial_values_dict)
        collected = []
        tracking = super(
            AccountDunningReminder, self.with_context(**{COLLECT_KEY: collected})
        )._message_track(fields_iter, initial_values_dict)
        if collected:
            self.env["account.dunning.mail.batch"]._dunning_log_tracking(self, collected)
        return tracking

    def _message_log(self, **kwargs):
        collected = self.env.context.get(COLLECT_KEY)
        if collected is None or set(kwargs) - {"body", "author_id", "tracking_value_ids"}:
            return super()._message_log(**kwargs)
        self.ensure_one()
        collected.append((self.id, kwargs))
        return self.env["mail.message"]

    def _notify_get_reply_to(self, default=None):
        """The reply-to addresses of the batch's reminders (context
        ``dunning_reply_to``: {"ids": [...], "values": {default: {id:
        address}}}), asked once per batch."""
        batch = self.env.context.get("dunning_reply_to")
        if not batch or not set(self.ids) <= set(batch["ids"]):
            return super()._notify_get_reply_to(default=default)
        values = batch["values"]
        if default not in values:
            values[default] = super(
                AccountDunningReminder, self.browse(batch["ids"])
            )._notify_get_reply_to(default=default)
        return {res_id: values[default][res_id] for res_id in self.ids}

    def _notify_thread_by_web_push(self, message, recipients_data, msg_vals=False, **kwargs):
        # Browser notifications are for users: customers without a user have
        # no device to notify, no search of their devices.
        if not any(recipient.get("uid") for recipient in recipients_data):
            return None
        return super()._notify_thread_by_web_push(
            message, recipients_data, msg_vals=msg_vals, **kwargs
        )

    @api.model
    def _get_view(self, view_id=None, view_type="form", **options):
        """The confirmation of "Cancel" with buttons that say what they do,
        in the user's language: the web client's default buttons read
        "Ok / Annuler" in French (its "Ok" is not translated), and the
        button attributes naming them are not translated with the view
        (views are cached per language, as this result)."""
        arch, view = super()._get_view(view_id, view_type, **options)
        for node in arch.xpath("//button[@name='action_cancel'][@confirm]"):
            node.set("confirm-title", self.env._("Cancel the Reminder"))
            node.set("confirm-label", self.env._("Cancel the Reminder"))
            node.set("cancel-label", self.env._("Keep It"))
        return arch, view
