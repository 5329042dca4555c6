# Copyright 2026 account_dunning_automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from collections import defaultdict
from datetime import timedelta

import logging

import psycopg2

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import format_amount, format_date

from ..dunning_engine import totals as engine_totals

# One draft per customer, company and currency (see _auto_init); the index of
# earlier versions (one draft per customer and company) is replaced.
_logger = logging.getLogger(__name__)

DRAFT_UNIQUE_INDEX = "account_dunning_reminder_one_draft_per_partner_currency"


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
    currency, each with its own totals, charges and fees entry."""

    _name = "account.dunning.reminder"
    _description = "Payment Reminder"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "date desc, id desc"
    _check_company_auto = True

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
                + reminder._to_company_currency(reminder.amount_fee)
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

    def _get_totals_by_currency(self, line_types=("overdue", "credit")):
        """Open amounts of the lines of ``line_types``, per currency record:
        by default what is overdue, less the open credits."""
        self.ensure_one()
        lines = self.line_ids.filtered(
            lambda l: l.line_type in line_types and not l.excluded
        )
        currencies = {line.currency_id.name: line.currency_id for line in lines}
        totals = engine_totals.totals_by_currency(
            [(line.currency_id.name, line.amount_residual_currency) for line in lines],
            digits={name: cur.decimal_places for name, cur in currencies.items()},
        )
        return {currencies[name]: amount for name, amount in totals.items()}

    def _get_amounts_to_pay(self):
        """What the customer is asked to pay, per currency record: the overdue
        items less the open credits, the unpaid charges of earlier reminders,
        and the fees and interest of this reminder (in its currency)."""
        self.ensure_one()
        lines = self.line_ids.filtered(
            lambda l: l.line_type in ("overdue", "credit", "charge") and not l.excluded
        )
        currencies = {line.currency_id.name: line.currency_id for line in lines}
        items = [(line.currency_id.name, line.amount_residual_currency) for line in lines]
        currency = self.currency_id
        charges = self.amount_fee + self.amount_interest
        if currency and not currency.is_zero(charges):
            currencies[currency.name] = currency
            items.append((currency.name, charges))
        totals = engine_totals.totals_by_currency(
            items, digits={name: cur.decimal_places for name, cur in currencies.items()}
        )
        return {currencies[name]: amount for name, amount in totals.items()}

    # ------------------------------------------------------------------
    # ORM
    # ------------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        self._create_check_lifecycle(vals_list)
        self._dunning_assign_names(vals_list)
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
    # Computes everything before writing (see below): many locals.
    def _create_reminders(  # pylint: disable=too-many-locals
        self, partners=None, as_of=None, include_not_due=False, include_blocked=False
    ):
        """Create (or refresh) the draft reminders of the current company.

        One draft reminder at most per customer and currency (the items of a
        customer are grouped by their currency): an existing draft is
        recomputed instead of duplicated, and cancelled when nothing is left to
        remind. Customers marked "No Reminders" are skipped, and so are the
        invoices on hold unless ``include_blocked`` lists them for information.
        The contact policy stays per customer: its reminders in several
        currencies made the same day are one contact.
        Returns the draft reminders created or refreshed.
        """
        company = self.env.company
        as_of = as_of or fields.Date.context_today(self)
        self._check_reminder_date(as_of)
        open_lines = self._dunning_open_lines(company, partners, include_blocked)
        by_partner = open_lines.grouped(lambda l: l.partner_id.commercial_partner_id)
        draft_domain = [("state", "=", "draft"), ("company_id", "=", company.id)]
        if partners is not None:
            draft_domain.append(
                ("partner_id", "in", partners.commercial_partner_id.ids)
            )
        drafts = self.search(draft_domain)
        drafts_by_key = {(draft.partner_id, draft.currency_id): draft for draft in drafts}
        # First compute everything, then write: writes (and the unlink of
        # the lines of refreshed drafts) invalidate the cache, which would make
        # every following customer fetch its items again.
        to_refresh = []
        to_create = []
        kept = self.browse()
        line_model = self.env["account.dunning.reminder.line"]
        contacts = self._dunning_contact_states(company, as_of, by_partner)
        for partner, partner_lines in by_partner.items():
            if not self._dunning_may_remind(partner, company):
                continue  # its drafts are cancelled below
            contact = contacts[partner]
            if line_model._dunning_under_notice(partner_lines, as_of):
                contact = dict(contact, under_notice=True)
            term = partner.with_company(company)._get_dunning_term()
            for currency, move_lines in self._dunning_group_by_currency(
                partner_lines
            ).items():
                draft = drafts_by_key.get((partner, currency), self.browse())
                line_values, has_new_level = [], False
                if contact["decision"].allowed or contact.get("notices_allowed"):
                    line_values, has_new_level = line_model._prepare_lines_vals(
                        move_lines,
                        as_of,
                        include_not_due,
                        contact=dict(
                            contact, notices_only=not contact["decision"].allowed
                        ),
                    )
                if not contact["decision"].allowed and not has_new_level:
                    # Quiet period (or a promise to pay): the items that reached
                    # a level wait for the next contact; a draft (made before a
                    # policy change) is kept and refused at issue. Courtesy
                    # notices before the due date still go out in a quiet period.
                    kept |= draft
                    continue
                if not has_new_level:
                    continue  # its draft is cancelled below
                if self.env.context.get("dunning_highest_level"):
                    line_values = line_model._dunning_raise_to_highest(line_values, as_of)
                    if line_values is None:  # waits for the customer's next step
                        kept |= draft
                        continue
                values = self._reminder_values(as_of, term)
                if draft:
                    to_refresh.append((draft, values, line_values))
                else:
                    to_create.append(
                        (
                            dict(
                                values,
                                partner_id=partner.id,
                                company_id=company.id,
                                currency_id=currency.id,
                            ),
                            line_values,
                        )
                    )
        result = self.browse()
        if to_refresh:
            refreshed = self.browse([draft.id for draft, _values, _lines in to_refresh])
            # What the user decided on the lines (exclusions, notes) survives
            # the recomputation.
            adjustments = refreshed.line_ids._get_adjustments()
            refreshed.line_ids.unlink()
            for draft, values, _lines in to_refresh:
                draft.write(values)
            refreshed._dunning_create_lines([lines for _draft, _values, lines in to_refresh])
            refreshed.line_ids._apply_adjustments(adjustments)
            result |= refreshed
        if to_create:
            created = self.create([values for values, _lines in to_create])
            created._dunning_create_lines([lines for _values, lines in to_create])
            result |= created
        result._set_fee()
        # Drafts with nothing left to remind (items paid, customer on hold,
        # nothing left in their currency) are cancelled.
        to_cancel = drafts - kept - result
        if to_cancel:
            to_cancel.sudo().write({"state": "cancel"})
            for reminder in to_cancel:
                reminder.message_post(
                    body=self.env._(
                        "Cancelled when reminders were created on %(date)s: nothing "
                        "is left to remind for this customer.",
                        date=format_date(self.env, as_of),
                    )
                )
        return result

    @api.model
    def _dunning_may_remind(self, partner, company):
        """False for a customer on hold or archived: never reminded."""
        if partner.with_company(company).dunning_blocked:
            return False
        if not partner.active:
            _logger.info("Payment reminders: %s is archived, skipped", partner.display_name)
            return False
        return True

    @api.model
    def _reminder_values(self, as_of, term):
        """Values of a draft reminder at ``as_of`` (its lines apart, see
        _dunning_create_lines)."""
        return {"date": as_of, "term_id": term.id}

    def _replace_lines(self, line_values, as_of, term):
        self.ensure_one()
        adjustments = self.line_ids._get_adjustments()
        self.line_ids.unlink()
        self.write(self._reminder_values(as_of, term))
        self._dunning_create_lines([line_values])
        self.line_ids._apply_adjustments(adjustments)
        self._set_fee()

    def action_refresh(self):
        """Recompute a draft reminder at its date (paid items drop out)."""
        self._check_dunning_access()
        for reminder in self:
            if reminder.state != "draft":
                raise UserError(
                    self.env._("Only draft reminders can be recomputed (%s).", reminder.name)
                )
            move_lines = self._dunning_open_lines(
                reminder.company_id,
                reminder.partner_id,
                include_blocked=any(
                    line.line_type == "blocked" for line in reminder.line_ids
                ),
            )
            partner = reminder.partner_id.commercial_partner_id
            contact = reminder._dunning_contact_states(
                reminder.company_id, reminder.date, {partner: move_lines}
            )[partner]
            reminder._check_contact_allowed(contact)
            # the contact policy is per customer, the lines per currency
            line_values, has_new_level = reminder.line_ids._prepare_lines_vals(
                move_lines.filtered(
                    lambda l, reminder=reminder: l.currency_id == reminder.currency_id
                ),
                reminder.date,
                include_not_due=any(
                    line.line_type == "not_due" for line in reminder.line_ids
                ),
                contact=contact,
            )
            if not has_new_level:
                raise UserError(
                    self.env._(
                        "Nothing is left to remind on %(name)s: the items were paid "
                        "or already reminded. Cancel the reminder.",
                        name=reminder.name,
                    )
                )
            reminder._replace_lines(
                line_values,
                reminder.date,
                reminder.term_id or reminder.partner_id._get_dunning_term(),
            )
        return True

    # ------------------------------------------------------------------
    # Issue
    # ------------------------------------------------------------------

    def _drop_paid_lines(self):
        """Remove lines whose item was paid or reconciled since creation, whose
        entry is no longer posted (cancelled, reset to draft) or was put on
        hold since, and refresh the open amounts of the others."""
        for reminder in self:
            # The open amounts follow the journal items, whoever issues.
            for line in reminder.sudo().line_ids:
                move_line = line.move_line_id
                if line._dunning_item_gone():
                    line.unlink()
                elif line.amount_residual != move_line.amount_residual:
                    line.write(
                        {
                            "amount_residual": move_line.amount_residual,
                            "amount_residual_currency": (
                                move_line.amount_residual_currency
                            ),
                        }
                    )

    def _add_new_credits(self):
        """List the credits (payments, credit notes) booked since creation."""
        for reminder in self:
            prefetched = reminder._dunning_prefetched("open_lines")
            if prefetched is None:
                open_lines = reminder._dunning_open_lines(
                    reminder.company_id, reminder.partner_id
                )
            else:
                open_lines = self.env["account.move.line"].browse(prefetched or [])
            new_credits = (open_lines - reminder.line_ids.move_line_id).filtered(
                lambda l, reminder=reminder: l.amount_residual < 0
                and l.currency_id == reminder.currency_id
            )
            if new_credits:
                reminder._dunning_create_lines(
                    [
                        [
                            dict(
                                reminder.line_ids._prepare_line_vals(
                                    credit, reminder.date, "credit", False, False
                                ),
                                **reminder._dunning_explain(("credit", {}), credit, False),
                            )
                            for credit in new_credits
                        ]
                    ]
                )

    def action_issue(self):
        self._check_dunning_access()
        for reminder in self:
            if reminder.state != "draft":
                raise UserError(
                    self.env._("Only draft reminders can be issued (%s).", reminder.name)
                )
        issue_date = fields.Date.context_today(self)
        self._lock_claimed_items()
        # Many reminders (automation batch): the checks read their data once.
        checked = (
            self.with_context(dunning_issue_prefetch=self._dunning_issue_prefetch())
            if len(self) > 1
            else self
        )
        for reminder in checked:
            reminder._check_issuable()
        self._check_items_claimed_once()
        self._record_levels(issue_date)
        # The charges are posted by the terms of each reminder (its journals
        # and accounts), in the currency of the reminder.
        moves = {}
        # Business Central's issue setting: the charges entry dated the issue
        # date (default), or the reminder's date as created.
        keep = self.env.context.get("dunning_charges_date") == "reminder"
        for (term, date), reminders in self.grouped(
            lambda r: (r._fee_term(), min(r.date, issue_date) if keep else issue_date)).items():
            moves.update(term._post_charges(reminders, date))
        for reminder in self:
            move = moves.get(reminder)
            reminder.sudo().write(
                {
                    "state": "issued",
                    "issue_date": issue_date,
                    "move_id": move.id if move else False,
                    "payment_reference": move.payment_reference if move else False,
                }
            )
        return True

    def _check_issuable(self):
        """Bring a draft up to date (payments since creation, entries no longer
        posted, holds) and refuse to issue it when its customer is on hold or
        was reminded too recently, or when it is stale, empty, covered by
        credits or when its fees cannot be posted."""
        self.ensure_one()
        self._check_partner_remindable()
        self._check_quiet_period()
        self._drop_paid_lines()
        # Every item is the customer's, in the company and currency of the
        # reminder, checked again under the lock of the items.
        self._check_items_of_reminder(self.line_ids.move_line_id)
        self._add_new_credits()
        new_lines = self.line_ids.filtered("is_new_level")
        if not new_lines and self.line_ids.filtered("excluded"):
            raise UserError(
                self.env._(
                    "Reminder %(name)s has no item left to remind: every item "
                    "reaching a new level is excluded from it. Include one again "
                    "or cancel the reminder.",
                    name=self.name,
                )
            )
        if not new_lines:
            raise UserError(
                self.env._(
                    "Reminder %(name)s has no item left to remind: they were paid "
                    "in the meantime. Cancel it.",
                    name=self.name,
                )
            )
        stale = new_lines.filtered(
            lambda l: l.move_line_id.dunning_count != l.previous_count
        )
        if stale:
            raise UserError(
                self.env._(
                    "Reminder %(name)s is out of date: %(items)s were reminded by "
                    "another reminder since it was created. Recompute it or "
                    "cancel it.",
                    name=self.name,
                    items=", ".join(stale.move_line_id.move_id.mapped("name")),
                )
            )
        # per currency, like at creation: never at historical exchange rates
        if not self.is_notice and all(
            total <= 0 for total in self._get_totals_by_currency().values()
        ):
            raise UserError(
                self.env._(
                    "Reminder %(name)s is not issued: the open credits of "
                    "%(partner)s (credit notes, payments) cover the overdue "
                    "amount. Match them with the invoices, then cancel the "
                    "reminder.",
                    name=self.name,
                    partner=self.partner_id.display_name,
                )
            )
        self._refresh_interest()
        self._set_fee()
        self._fee_term()._check_charges_config(self)

    def _record_levels(self, issue_date):
        """Record the new levels on the journal items, so that the next
        reminder escalates. Items are written in groups of equal values: each
        write of journal items runs the synchronisation of their entries."""
        groups = defaultdict(lambda: self.env["account.move.line"])
        for line in self.line_ids.filtered("is_new_level"):
            move_line = line.move_line_id
            key = (
                line.level_id.id,
                line.level_id.number,
                move_line.dunning_count + 1,
                bool(line.amount_fee_invoice),
                line.interest_date_to,
                # a courtesy notice is counted apart (see dunning_notice_count)
                move_line.dunning_notice_count + 1 if line.level_id.is_pre_due else None,
            )
            groups[key] |= move_line
        for (
            level_id,
            number,
            count,
            fee_charged,
            interest_date,
            notice_count,
        ), move_lines in groups.items():
            values = {
                "dunning_level_id": level_id,
                "dunning_level_number": number,
                "dunning_last_date": issue_date,
                "dunning_count": count,
            }
            if notice_count is not None:
                values["dunning_notice_count"] = notice_count
            if fee_charged:
                values["dunning_fee_charged"] = True
            if interest_date:
                # interest was charged up to this date: the next runs from the day after
                values["dunning_interest_date"] = interest_date
            # As superuser: the dunning state of journal items is written by
            # the reminders only (see DUNNING_ITEM_FIELDS). The items are not
            # tracked: skip the tracking machinery, the invoices get a message.
            # Nor do they change the invoice: skip its synchronisation (taxes,
            # payment terms), half of the time of issuing a batch.
            move_lines.sudo().with_context(
                tracking_disable=True, skip_invoice_sync=True
            ).write(values)
        self._log_on_invoices(
            self.line_ids.filtered("is_new_level"),
            lambda line: self.env._(
                "Payment reminder %(name)s issued: level %(level)s.",
                name=line.reminder_id.name,
                level=line.level_id.display_name,
            ),
        )

    def _log_on_invoices(self, lines, body):
        """One note per invoice in its chatter (in one batch), so that the
        invoice tells when its reminder level changed and by which reminder."""
        bodies = {}
        for line in lines:
            bodies.setdefault(line.move_id.id, []).append(body(line))
        moves = self.env["account.move"].browse(list(bodies))
        moves.sudo()._message_log_batch(
            bodies={move_id: "<br/>".join(texts) for move_id, texts in bodies.items()}
        )

    # ------------------------------------------------------------------
    # Cancel / reset
    # ------------------------------------------------------------------

    def action_cancel(self):
        self._check_dunning_access()
        for reminder in self:
            if reminder.state == "cancel":
                continue
            if reminder.state in ("issued", "sent"):
                reminder._check_fees_not_paid()
                reminder._undo_issue()
        # What has not left yet never leaves: the email waiting in the mail
        # queue (or failed, which a retry would send again), the SMS in the
        # SMS queue. An email delivered stays delivered (it was received).
        self._dunning_cancel_pending()
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
        self._dunning_cancel_pending()
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
