# Copyright 2026 account_dunning_automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from collections import Counter, defaultdict
from datetime import timedelta

import psycopg2

from odoo import api, fields, models, tools
from odoo.exceptions import UserError, ValidationError
from odoo.tools import format_amount

from ..dunning_engine import contact as engine_contact
from ..dunning_engine import levels as engine_levels
from ..dunning_engine import references as engine_references
from ..dunning_engine import totals as engine_totals

DRAFT_UNIQUE_INDEX = "account_dunning_reminder_one_draft_per_partner"


# What a reminder did (its lifecycle, its charges): changed only by its
# actions, which write as superuser after checking the user's rights, never by
# a direct write (form, import, RPC).
LIFECYCLE_FIELDS = (
    "state",
    "name",
    "company_id",
    "amount_fee",
    "move_id",
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
DRAFT_FIELDS = ("date", "term_id", "partner_id", "line_ids")


class AccountDunningReminder(models.Model):
    """A payment reminder for one customer: created (draft), issued, sent."""

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
    currency_id = fields.Many2one(related="company_id.currency_id")
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
        "company currency.",
    )
    totals_by_currency = fields.Char(
        string="Net Due per Currency", compute="_compute_totals_by_currency"
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
        "line_ids.amount_interest_company",
        "amount_fee",
    )
    def _compute_amounts(self):
        for reminder in self:
            lines = reminder.line_ids.grouped("line_type")
            empty = self.env["account.dunning.reminder.line"]
            overdue = lines.get("overdue", empty)
            reminder.amount_overdue = sum(overdue.mapped("amount_residual"))
            reminder.amount_not_due = sum(
                lines.get("not_due", empty).mapped("amount_residual")
            )
            reminder.amount_credit = sum(
                lines.get("credit", empty).mapped("amount_residual")
            )
            reminder.amount_interest = sum(overdue.mapped("amount_interest_company"))
            reminder.amount_charges = sum(
                lines.get("charge", empty).mapped("amount_residual")
            )
            reminder.amount_total = (
                reminder.amount_overdue
                + reminder.amount_credit
                + reminder.amount_charges
                + reminder.amount_interest
                + reminder.amount_fee
            )

    @api.depends(
        "line_ids.amount_residual_currency",
        "line_ids.currency_id",
        "line_ids.line_type",
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
        lines = self.line_ids.filtered(lambda l: l.line_type in line_types)
        currencies = {line.currency_id.name: line.currency_id for line in lines}
        totals = engine_totals.totals_by_currency(
            [(line.currency_id.name, line.amount_residual_currency) for line in lines],
            digits={name: cur.decimal_places for name, cur in currencies.items()},
        )
        return {currencies[name]: amount for name, amount in totals.items()}

    def _get_amounts_to_pay(self):
        """What the customer is asked to pay, per currency record: the overdue
        items less the open credits, the unpaid charges of earlier reminders,
        and the fees and interest of this reminder (in company currency)."""
        self.ensure_one()
        lines = self.line_ids.filtered(
            lambda l: l.line_type in ("overdue", "credit", "charge")
        )
        currencies = {line.currency_id.name: line.currency_id for line in lines}
        items = [(line.currency_id.name, line.amount_residual_currency) for line in lines]
        company_currency = self.currency_id
        charges = self.amount_fee + self.amount_interest
        if company_currency and not company_currency.is_zero(charges):
            currencies[company_currency.name] = company_currency
            items.append((company_currency.name, charges))
        totals = engine_totals.totals_by_currency(
            items, digits={name: cur.decimal_places for name, cur in currencies.items()}
        )
        return {currencies[name]: amount for name, amount in totals.items()}

    # ------------------------------------------------------------------
    # ORM
    # ------------------------------------------------------------------

    def _auto_init(self):
        super()._auto_init()
        # One draft per customer and company, whoever creates it: two users
        # (or a user and an automation) creating reminders at the same moment
        # cannot both add a draft, the second one is refused by the database.
        cr = self.env.cr
        if tools.index_exists(cr, DRAFT_UNIQUE_INDEX):
            return
        # Databases from before the invariant may hold several drafts of one
        # customer: the older ones are cancelled, the newest one is kept.
        cr.execute(
            """
            UPDATE account_dunning_reminder r SET state = 'cancel'
             WHERE r.state = 'draft'
               AND EXISTS (SELECT 1 FROM account_dunning_reminder o
                            WHERE o.state = 'draft' AND o.id > r.id
                              AND o.partner_id = r.partner_id
                              AND o.company_id = r.company_id)
            """
        )
        cr.execute(
            """
            CREATE UNIQUE INDEX account_dunning_reminder_one_draft_per_partner
                ON account_dunning_reminder (partner_id, company_id)
             WHERE state = 'draft'
            """
        )

    @api.model_create_multi
    def create(self, vals_list):
        self._create_check_lifecycle(vals_list)
        for vals in vals_list:
            if vals.get("name", "/") == "/":
                company = self.env["res.company"].browse(
                    vals.get("company_id") or self.env.company.id
                )
                vals["name"] = (
                    self.env["ir.sequence"]
                    .with_company(company)
                    .next_by_code("account.dunning.reminder")
                    or "/"
                )
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
                    "moment): only one draft reminder per customer is allowed. "
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
                lambda l: l.partner_id.commercial_partner_id
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
        it is issued; its customer once it has lines."""
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
        if "partner_id" in vals:
            moved = self.filtered(
                lambda r: r.line_ids and r.partner_id.id != vals["partner_id"]
            )
            if moved:
                raise UserError(
                    self.env._(
                        "The customer of reminder %(name)s cannot be changed: its "
                        "lines are the items of %(partner)s. Create a reminder for "
                        "the other customer instead.",
                        name=moved[0].name,
                        partner=moved[0].partner_id.display_name,
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
    def _dunning_open_lines(self, company, partners=None, include_blocked=False):
        """Open receivable items of ``company`` that can be reminded; with
        ``include_blocked``, the items on hold ("No Reminders" invoices) too."""
        move_line_model = self.env["account.move.line"]
        domain = move_line_model._dunning_open_receivable_domain(
            company, with_credits=True
        ) + [("partner_id", "!=", False)]
        if not include_blocked:
            domain.append(("move_id.dunning_blocked", "=", False))
        if partners is not None:
            domain.append(
                ("partner_id", "child_of", partners.commercial_partner_id.ids)
            )
        return move_line_model.search(domain, order="date_maturity, id")

    @api.model
    def _prepare_line_values(self, move_lines, as_of, include_not_due=False, contact=None):
        """Compute the reminder lines of one customer.

        Returns ``(line_values, has_new_level)``. A reminder is due for the
        customer when at least one item reaches a new level; the other overdue
        items are listed for the overview, the items not yet due only when
        asked (by the terms or by ``include_not_due``). Items on hold
        (disputed invoices, when they are asked for) are listed apart: never
        escalated, never counted in what is due. Only invoices and receipts
        escalate: the fees and interest entries of earlier reminders are
        listed as charges not yet paid, counted but never escalated.
        ``contact`` is the contact state of the customer
        (:meth:`_dunning_contact_states`): with its cap reached, escalating
        items go to the last level. Each line says why it is (or is not)
        escalated.
        """
        on_hold = move_lines.filtered(lambda l: l.move_id.dunning_blocked)
        move_lines -= on_hold
        credit_lines = move_lines.filtered(lambda l: l.amount_residual < 0)
        debits = move_lines - credit_lines
        charges = debits.filtered(lambda l: l.move_id.dunning_charge_reminder_id)
        debits -= charges
        overdue = debits.filtered(lambda l: l._dunning_due_date() < as_of)
        # Open credits (credit notes, unmatched payments) reduce what is owed,
        # per currency: the minimum amounts of the levels apply to the net
        # overdue total in the invoice's currency, and nobody is reminded who
        # owes nothing in a currency once the credits are deducted.
        net_overdue = self._dunning_net_overdue_by_currency(overdue, credit_lines)
        if all(total <= 0 for total in net_overdue.values()) and overdue == debits:
            # nothing overdue, and nothing coming (a notice before the due date)
            return [], False
        contact = contact or {}
        policy = contact.get("policy") or engine_contact.ContactPolicy(0, 0)
        cap_reached = bool(contact.get("decision") and contact["decision"].cap_reached)
        rules_cache = {}
        values = []
        has_new_level = False
        for line in debits:
            term = line._dunning_term()
            due_date = line._dunning_due_date()
            is_overdue = due_date < as_of
            new_level = self.env["account.dunning.level"]
            decision = None
            why = ("no_terms", {})
            total_overdue = net_overdue.get(line.currency_id, 0.0)
            if not line.move_id.is_invoice(include_receipts=True):
                why = ("not_invoice", {})
            elif term and total_overdue <= 0 and is_overdue:
                # Its currency's credits cover what is overdue in it.
                why = ("below_minimum", {})
            elif term:
                key = (term, line.currency_id)
                if key not in rules_cache:
                    rules_cache[key] = term._get_engine_levels(line.currency_id, as_of)
                rules = rules_cache[key]
                decision = engine_levels.decide(
                    rules,
                    line._dunning_engine_state(),
                    as_of,
                    max_reminders=term.max_reminders,
                    jump=term.escalation_mode == "jump",
                    total_overdue=total_overdue,
                    follow_plan=bool(term.min_contact_days),
                )
                why = self._dunning_why(decision, as_of, policy, contact, rules)
                if decision.reason == engine_levels.NOTICE or contact.get("notices_only"):
                    new_level, why, decision = self._dunning_notice_level(
                        decision, why, contact
                    )
                elif decision.reason == engine_levels.REPEAT and not term.max_reminders:
                    # One reminder per level: an item brought to the last level
                    # by the contact cap is not reminded again at that level.
                    decision = None
                    why = ("exhausted", {})
                elif decision.level is not None:
                    number = engine_contact.target_level(
                        decision.level.number, rules[-1].number, cap_reached
                    )
                    new_level = new_level.browse(rules[number - 1].key)
                    if number != decision.level.number:
                        why = ("last_level", {"count": policy.max_before_last})
            if new_level:
                has_new_level = True
                line_type = "overdue" if is_overdue else "not_due"
            elif is_overdue:
                line_type = "overdue"
            elif include_not_due or (term and term.include_not_due):
                line_type = "not_due"
                why = ("not_due", {})
            else:
                continue
            line_vals = self._prepare_line_vals(line, as_of, line_type, new_level, term)
            line_vals.update(self._dunning_explain(why, line, new_level))
            values.append(line_vals)
        for line_type, lines in (
            ("charge", charges),
            ("credit", credit_lines),
            ("blocked", on_hold),
        ):
            for line in lines:
                line_vals = self._prepare_line_vals(line, as_of, line_type, False, False)
                line_vals.update(self._dunning_explain((line_type, {}), line, False))
                values.append(line_vals)
        return values, has_new_level

    @api.model
    def _dunning_why(self, decision, as_of, policy, contact, rules):
        """Reason code (and its values) of an item's level decision."""
        if decision.level is not None:
            last_contact = contact.get("last_contact")
            held = engine_contact.held_by_quiet_period(
                policy, decision.trigger_date, last_contact, as_of
            )
            return (
                "held" if held else "escalated",
                {"date": decision.trigger_date, "days": policy.min_days},
            )
        if decision.reason == engine_levels.EXHAUSTED:
            return ("exhausted", {})
        if decision.reason == engine_levels.NO_LEVELS:
            return ("no_terms", {})
        if decision.reason == engine_levels.NOT_DUE:
            return ("not_due", {})
        if decision.trigger_date and decision.trigger_date <= as_of:
            return ("below_minimum", {})
        return ("waiting", {"date": decision.trigger_date})

    @api.model
    def _dunning_notice_level(self, decision, why, contact):
        """``(new_level, why, decision)`` of an item whose decision is a
        courtesy notice before the due date (never brought to the last level
        by the contact cap), or of any item of a customer in a quiet period
        (only the notices go out then, the reminders wait)."""
        level = self.env["account.dunning.level"]
        if decision.reason == engine_levels.NOTICE:
            return (
                level.browse(decision.level.key),
                ("notice", {"date": decision.trigger_date}),
                decision,
            )
        if decision.level is not None:
            return level, ("held_quiet", {"date": contact["decision"].next_contact}), None
        return level, why, decision

    @api.model
    def _dunning_explain(self, why, move_line, new_level):
        """Values ``escalation`` and ``explanation`` of a reminder line."""
        code, params = why
        _ = self.env._
        date = params.get("date")
        date_str = tools.format_date(self.env, date) if date else ""
        level = new_level.name if new_level else ""
        texts = {
            "escalated": lambda: _("Reaches level %(level)s, planned on %(date)s.",
                                   level=level, date=date_str),
            "held": lambda: _(
                "Reaches level %(level)s, planned on %(date)s: it waited for this "
                "reminder (at least %(days)s days between two reminders to the "
                "customer).",
                level=level,
                date=date_str,
                days=params.get("days"),
            ),
            "last_level": lambda: _(
                "Brought to the last level %(level)s: the customer already received "
                "%(count)s reminders before it.",
                level=level,
                count=params.get("count"),
            ),
            "waiting": lambda: _("Not escalated: its next level is due on %(date)s.",
                                 date=date_str),
            "notice": lambda: self.env._(
                "Courtesy notice %(level)s before the due date, planned on %(date)s: "
                "no charges, not counted as a reminder.",
                level=level,
                date=date_str,
            ),
            "held_quiet": lambda: self.env._(
                "Not escalated: the customer was reminded recently, its next "
                "reminder is possible from %(date)s.",
                date=date_str,
            ),
            "below_minimum": lambda: _(
                "Not escalated: the overdue balance of the customer is below the "
                "minimum amount of its next level."
            ),
            "exhausted": lambda: _("Not escalated: every level of its terms was reached."),
            "not_due": lambda: _("Not yet due: listed for information."),
            "no_terms": lambda: _("Not escalated: no reminder terms apply."),
            "not_invoice": lambda: _(
                "Not an invoice: listed and counted, never escalated."
            ),
            "charge": lambda: _(
                "Fees and interest of reminder %(name)s, not yet paid: counted in "
                "the total to pay, never escalated.",
                name=move_line.move_id.sudo().dunning_charge_reminder_id.name or "",
            ),
            "credit": lambda: _("Open credit: deducted from the total to pay."),
            "blocked": lambda: _(
                "On hold: listed for information, never escalated nor counted."
            ),
        }
        return {"escalation": code, "explanation": texts[code]()}

    @api.model
    def _dunning_net_overdue_by_currency(self, overdue, credit_lines):
        """Net overdue total of a customer per currency record: overdue items
        less open credits, in the items' own currency (never at historical
        company-currency rates)."""
        lines = overdue | credit_lines
        currencies = {line.currency_id.name: line.currency_id for line in lines}
        totals = engine_totals.totals_by_currency(
            [(line.currency_id.name, line.amount_residual_currency) for line in lines],
            digits={name: currency.decimal_places for name, currency in currencies.items()},
        )
        return {currencies[name]: float(total) for name, total in totals.items()}

    @api.model
    def _prepare_line_vals(self, move_line, as_of, line_type, new_level, term):
        due_date = move_line._dunning_due_date()
        return {
            "move_line_id": move_line.id,
            "line_type": line_type,
            "date_due": due_date,
            "days_overdue": (
                max(0, (as_of - due_date).days)
                if line_type in ("overdue", "blocked")
                else 0
            ),
            "amount_residual": move_line.amount_residual,
            "amount_residual_currency": move_line.amount_residual_currency,
            "currency_id": move_line.currency_id.id,
            "level_id": (new_level or move_line.dunning_level_id).id,
            "is_new_level": bool(new_level),
            "term_id": term.id if term else False,
            "previous_level_id": move_line.dunning_level_id.id,
            "previous_level_number": move_line.dunning_level_number,
            "previous_date": move_line.dunning_last_date,
            "previous_count": move_line.dunning_count,
            **move_line._dunning_interest_values(new_level, as_of),
            "amount_fee_invoice": (
                new_level.fee_per_invoice
                if new_level and move_line._dunning_charges_fee_per_invoice()
                else 0.0
            ),
        }

    @api.model
    def _create_reminders(
        self, partners=None, as_of=None, include_not_due=False, include_blocked=False
    ):
        """Create (or refresh) the draft reminders of the current company.

        One draft reminder at most per customer: an existing draft is
        recomputed instead of duplicated, and cancelled when nothing is left to
        remind. Customers marked "No Reminders" are skipped, and so are the
        invoices on hold unless ``include_blocked`` lists them for information.
        Returns the draft reminders created or refreshed.
        """
        company = self.env.company
        as_of = as_of or fields.Date.context_today(self)
        open_lines = self._dunning_open_lines(company, partners, include_blocked)
        by_partner = open_lines.grouped(lambda l: l.partner_id.commercial_partner_id)
        draft_domain = [("state", "=", "draft"), ("company_id", "=", company.id)]
        if partners is not None:
            draft_domain.append(
                ("partner_id", "in", partners.commercial_partner_id.ids)
            )
        drafts = self.search(draft_domain)
        drafts_by_partner = drafts.grouped("partner_id")
        # First compute everything, then write: writes (and the unlink of
        # the lines of refreshed drafts) invalidate the cache, which would make
        # every following customer fetch its items again.
        to_refresh = []
        to_create = []
        to_cancel = self.browse()
        contacts = self._dunning_contact_states(company, as_of, by_partner)
        for partner, move_lines in by_partner.items():
            draft = drafts_by_partner.get(partner, self.browse())[:1]
            if partner.with_company(company).dunning_blocked:
                to_cancel |= draft
                continue
            contact = contacts[partner]
            line_values, has_new_level = [], False
            if contact["decision"].allowed or contact.get("notices_allowed"):
                line_values, has_new_level = self._prepare_line_values(
                    move_lines,
                    as_of,
                    include_not_due,
                    contact=dict(contact, notices_only=not contact["decision"].allowed),
                )
            if not contact["decision"].allowed and not has_new_level:
                # Quiet period (or a promise to pay): the items that reached a
                # level wait for the next contact; a draft (made before a
                # policy change) is kept and refused at issue. Courtesy notices
                # before the due date still go out in a quiet period.
                to_cancel -= draft
                drafts -= draft
                continue
            if not has_new_level:
                to_cancel |= draft
                continue
            term = partner.with_company(company)._get_dunning_term()
            values = self._reminder_values(line_values, as_of, term)
            if draft:
                to_refresh.append((draft, values))
            else:
                to_create.append(
                    dict(values, partner_id=partner.id, company_id=company.id)
                )
        result = self.browse()
        if to_refresh:
            refreshed = self.browse([draft.id for draft, _values in to_refresh])
            refreshed.line_ids.unlink()
            for draft, values in to_refresh:
                draft.write(values)
            result |= refreshed
        if to_create:
            result |= self.create(to_create)
        result._set_fee()
        to_cancel |= drafts.filtered(lambda d: d.partner_id not in by_partner)
        to_cancel -= result
        if to_cancel:
            to_cancel.sudo().write({"state": "cancel"})
            for reminder in to_cancel:
                reminder.message_post(
                    body=self.env._(
                        "Cancelled when reminders were created on %(date)s: nothing "
                        "is left to remind for this customer.",
                        date=fields.Date.to_string(as_of),
                    )
                )
        return result

    @api.model
    def _dunning_contact_states(self, company, as_of, lines_by_partner):
        """Contact state of each customer of ``lines_by_partner`` (commercial
        partner -> its open items) at ``as_of``: the contact policy of its
        terms, the date of its last reminder, and the engine's decision (may it
        be reminded now, is the cap before the last level reached)."""
        partners = self.env["res.partner"].browse(
            [partner.id for partner in lines_by_partner]
        )
        # Courtesy notices before the due date are not reminders: they neither
        # start a quiet period nor count towards the cap before the last level.
        issued_domain = [
            ("partner_id", "in", partners.ids),
            ("company_id", "=", company.id),
            ("state", "in", ("issued", "sent")),
            ("issue_date", "!=", False),
            ("is_notice", "=", False),
        ]
        last_dates = dict(
            self._read_group(issued_domain, ["partner_id"], ["issue_date:max"])
        )
        result = {}
        for partner, move_lines in lines_by_partner.items():
            term = partner.with_company(company)._get_dunning_term()
            policy = term._contact_policy()
            last_contact = last_dates.get(partner) or None
            count = 0
            if policy.max_before_last and last_contact and term.level_ids:
                # Reminders below the last level since the oldest open item
                # fell due: a customer who paid everything starts afresh.
                due_dates = [
                    line._dunning_due_date()
                    for line in move_lines
                    if line.amount_residual > 0
                ]
                if due_dates:
                    count = self.search_count(
                        issued_domain[1:]
                        + [
                            ("partner_id", "=", partner.id),
                            ("issue_date", ">=", min(due_dates)),
                            ("level_number", "<", max(term.level_ids.mapped("number"))),
                        ]
                    )
            result[partner] = {
                "term": term,
                "policy": policy,
                "last_contact": last_contact,
                "decision": engine_contact.decide_contact(
                    policy, as_of, last_contact, count
                ),
                "notices_allowed": True,
            }
        return result

    def _check_contact_allowed(self, contact):
        """Refuse a reminder inside the quiet period of its customer."""
        self.ensure_one()
        decision = contact["decision"]
        if not decision.allowed:
            raise UserError(
                self.env._(
                    "%(partner)s was reminded on %(last)s: the reminder terms "
                    "%(term)s allow one reminder every %(days)s days, the next one "
                    "from %(next)s. The items that reached a level meanwhile wait "
                    "for it.",
                    partner=self.partner_id.display_name,
                    last=tools.format_date(self.env, contact["last_contact"]),
                    term=contact["term"].display_name,
                    days=contact["policy"].min_days,
                    next=tools.format_date(self.env, decision.next_contact),
                )
            )

    @api.model
    def _dunning_quiet_partners(self, partners, as_of):
        """Customers among ``partners`` (all when None) with items to remind
        but inside their quiet period at ``as_of``: {partner: next contact}."""
        company = self.env.company
        open_lines = self._dunning_open_lines(company, partners)
        by_partner = open_lines.grouped(lambda l: l.partner_id.commercial_partner_id)
        return {
            partner: contact["decision"].next_contact
            for partner, contact in self._dunning_contact_states(
                company, as_of, by_partner
            ).items()
            if not contact["decision"].allowed
        }

    @api.model
    def _reminder_values(self, line_values, as_of, term):
        """Values of a draft reminder at ``as_of`` with new lines."""
        return {
            "date": as_of,
            "term_id": term.id,
            "line_ids": [fields.Command.create(v) for v in line_values],
        }

    def _replace_lines(self, line_values, as_of, term):
        self.ensure_one()
        self.line_ids.unlink()
        self.write(self._reminder_values(line_values, as_of, term))
        self._set_fee()

    def _set_fee(self):
        # As superuser: the fees are set by the reminder, never by hand.
        for reminder in self.sudo():
            reminder.amount_fee = (
                reminder._fixed_fee_taxed()
                + sum(
                    reminder.line_ids.filtered("is_new_level").mapped(
                        "amount_fee_invoice"
                    )
                )
            )
        return self

    def _fixed_fee_taxed(self):
        """Fixed fee of the level with the taxes of the terms, if any."""
        self.ensure_one()
        fee = self.level_id.fee_amount
        taxes = self._fee_term().fee_tax_ids
        if not fee or not taxes:
            return fee
        return taxes.compute_all(
            fee, currency=self.currency_id, partner=self.partner_id
        )["total_included"]

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
            line_values, has_new_level = reminder._prepare_line_values(
                move_lines,
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
                if (
                    not move_line
                    or move_line.reconciled
                    or move_line.company_currency_id.is_zero(move_line.amount_residual)
                    or move_line.parent_state != "posted"
                    or (
                        line.line_type != "blocked"
                        and move_line.move_id.dunning_blocked
                    )
                ):
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
            open_lines = reminder._dunning_open_lines(
                reminder.company_id, reminder.partner_id
            )
            new_credits = (open_lines - reminder.line_ids.move_line_id).filtered(
                lambda l: l.amount_residual < 0
            )
            if new_credits:
                reminder.write(
                    {
                        "line_ids": [
                            fields.Command.create(
                                dict(
                                    reminder._prepare_line_vals(
                                        credit, reminder.date, "credit", False, False
                                    ),
                                    **reminder._dunning_explain(
                                        ("credit", {}), credit, False
                                    ),
                                )
                            )
                            for credit in new_credits
                        ]
                    }
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
        for reminder in self:
            reminder._check_issuable()
        self._check_items_claimed_once()
        self._record_levels(issue_date)
        for reminder in self:
            move = reminder._create_fee_move(issue_date)
            if move:
                # The fees entry is an open receivable item of the customer:
                # marked, so that the next reminders claim it without
                # escalating it.
                move.sudo().write(
                    {"dunning_charge_reminder_id": reminder.id}
                )
            reminder.sudo().write(
                {
                    "state": "issued",
                    "issue_date": issue_date,
                    "move_id": move.id if move else False,
                    "payment_reference": move.payment_reference if move else False,
                }
            )
        return True

    def _lock_claimed_items(self):
        """Lock the journal items the reminders escalate until the end of the
        transaction: two users issuing reminders for the same items at the same
        moment are serialised (the second one sees the levels recorded by the
        first and is refused as out of date)."""
        move_lines = self.line_ids.filtered("is_new_level").move_line_id
        if move_lines:
            self.env.cr.execute(
                "SELECT id FROM account_move_line WHERE id IN %s FOR UPDATE",
                [tuple(move_lines.ids)],
            )
            move_lines.invalidate_recordset(
                ["dunning_count", "dunning_level_id", "dunning_level_number"]
            )

    def _check_items_claimed_once(self):
        """The same journal item is never escalated by two reminders: not by
        two reminders issued together, nor by one already issued."""
        lines = self.line_ids.filtered("is_new_level")
        counts = Counter(lines.move_line_id.ids)
        twice = lines.move_line_id.filtered(lambda l: counts[l.id] > 1)
        others = self.env["account.dunning.reminder.line"].search(
            [
                ("move_line_id", "in", lines.move_line_id.ids),
                ("is_new_level", "=", True),
                ("reminder_id.state", "in", ("issued", "sent")),
                ("reminder_id", "not in", self.ids),
            ]
        )
        for line in lines:
            twice |= others.filtered(
                lambda o, line=line: o.move_line_id == line.move_line_id
                and o.previous_count == line.previous_count
            ).move_line_id
        if twice:
            raise UserError(
                self.env._(
                    "%(items)s cannot be claimed twice: another reminder already "
                    "escalates them to the same level. Recompute or cancel the "
                    "reminders.",
                    items=", ".join(twice.move_id.mapped("display_name")),
                )
            )

    def _check_issuable(self):
        """Bring a draft up to date (payments since creation, entries no longer
        posted, holds) and refuse to issue it when its customer is on hold or
        was reminded too recently, or when it is stale, empty, covered by
        credits or when its fees cannot be posted."""
        self.ensure_one()
        self._check_partner_remindable()
        self._check_quiet_period()
        self._drop_paid_lines()
        self._add_new_credits()
        new_lines = self.line_ids.filtered("is_new_level")
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
        if not self.is_notice and self.currency_id.compare_amounts(
            self.amount_overdue + self.amount_credit, 0.0
        ) <= 0:
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
        self._check_fee_config()

    def _check_partner_remindable(self):
        """A customer marked "No Reminders" (or archived) since the reminder
        was created is neither issued nor sent a reminder."""
        self.ensure_one()
        partner = self.partner_id.with_company(self.company_id)
        if partner.dunning_blocked:
            raise UserError(
                self.env._(
                    "Reminder %(name)s: %(partner)s is marked \"No Reminders\". "
                    "Cancel the reminder, or remove the mark first.",
                    name=self.name,
                    partner=partner.display_name,
                )
            )

    def _check_quiet_period(self):
        """Refuse to issue a reminder too soon after the last one issued to the
        customer, as the contact policy of its terms says."""
        self.ensure_one()
        term = self.partner_id.with_company(self.company_id)._get_dunning_term()
        policy = term._contact_policy()
        if not policy.min_days or self.is_notice:
            # a courtesy notice before the due date is not a reminder
            return
        last = self.search(
            [
                ("partner_id", "=", self.partner_id.id),
                ("company_id", "=", self.company_id.id),
                ("state", "in", ("issued", "sent")),
                ("issue_date", "!=", False),
                ("is_notice", "=", False),
                ("id", "!=", self.id),
            ],
            order="issue_date desc",
            limit=1,
        )
        if not last:
            return
        decision = engine_contact.decide_contact(
            policy, fields.Date.context_today(self), last.issue_date
        )
        self._check_contact_allowed(
            {
                "decision": decision,
                "policy": policy,
                "term": term,
                "last_contact": last.issue_date,
            }
        )

    def _refresh_interest(self):
        """Recompute the interest of the escalated lines at the reminder date
        with the payments known now: a payment booked since the draft was made
        lowers the interest from its date."""
        for reminder in self:
            for line in reminder.line_ids.filtered("is_new_level"):
                values = line.move_line_id._dunning_interest_values(
                    line.level_id, reminder.date
                )
                # As superuser: see COMPUTED_LINE_FIELDS.
                line.sudo().write(values)

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
            move_lines.sudo().with_context(tracking_disable=True).write(values)
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

    def _charge_items(self):
        """Charges of the reminder, one dict each: the fixed fee of the level
        (taxes of the terms on it), the fee per invoice (recovery indemnity,
        outside VAT, on its own account) and the interest per currency of the
        items (outside VAT)."""
        self.ensure_one()
        term = self._fee_term()
        company_currency = self.currency_id
        new_lines = self.line_ids.filtered("is_new_level")
        no_tax = self.env["account.tax"]
        charges = []
        fixed = self.level_id.fee_amount
        if not company_currency.is_zero(fixed):
            charges.append(
                {
                    "kind": "fee",
                    "name": self.env._("Reminder fees %s", self.name),
                    "amount": fixed,
                    "currency": company_currency,
                    "account": term.fee_account_id,
                    "taxes": term.fee_tax_ids,
                }
            )
        indemnity = sum(new_lines.mapped("amount_fee_invoice"))
        if not company_currency.is_zero(indemnity):
            charges.append(
                {
                    "kind": "indemnity",
                    "name": self.env._(
                        "Fixed recovery indemnity %(name)s (%(count)s invoices)",
                        name=self.name,
                        count=len(new_lines.filtered("amount_fee_invoice")),
                    ),
                    "amount": indemnity,
                    "currency": company_currency,
                    "account": term.indemnity_account_id,
                    "taxes": no_tax,
                }
            )
        for currency, lines in new_lines.grouped("currency_id").items():
            amount = sum(lines.mapped("amount_interest"))
            if currency.is_zero(amount):
                continue
            charges.append(
                {
                    "kind": "interest",
                    "name": self.env._("Late-payment interest %s", self.name),
                    "amount": amount,
                    "currency": currency,
                    "account": term.interest_account_id,
                    "taxes": no_tax,
                }
            )
        return charges

    def _check_fee_config(self):
        """Refuse to issue when fees or interest cannot be posted."""
        self.ensure_one()
        if not self._has_charges():
            return
        term = self._fee_term()
        charges = self._charge_items()
        invoiced = any(charge["taxes"] for charge in charges)
        missing = []
        if invoiced and not term.fee_invoice_journal_id:
            missing.append(self.env._("a fees invoice journal (the fees carry taxes)"))
        if not invoiced and not term.journal_id:
            missing.append(self.env._("a fees journal"))
        labels = {
            "fee": self.env._("a fees account"),
            "indemnity": self.env._("a recovery indemnity account"),
            "interest": self.env._("an interest account"),
        }
        for kind, label in labels.items():
            if any(c["kind"] == kind and not c["account"] for c in charges):
                missing.append(label)
        if missing:
            raise UserError(
                self.env._(
                    "Reminder %(name)s charges fees or interest, but the reminder "
                    "terms %(term)s are missing %(missing)s.",
                    name=self.name,
                    term=term.display_name,
                    missing=", ".join(missing),
                )
            )
        if not invoiced and term.journal_id.type == "sale":
            raise UserError(
                self.env._(
                    "Reminder %(name)s: its fees and interest carry no tax and are "
                    "posted as a miscellaneous entry, which cannot go in the sales "
                    "journal %(journal)s (it would break the numbering of the "
                    "invoices). Choose a general journal as fees journal of the "
                    "reminder terms %(term)s.",
                    name=self.name,
                    journal=term.journal_id.display_name,
                    term=term.display_name,
                )
            )

    def _compute_fee_payment_reference(self):
        """RF creditor reference built on the reminder number."""
        self.ensure_one()
        base = "".join(ch for ch in (self.name or "").upper() if ch.isalnum())
        return engine_references.rf_reference(base[-21:] or str(self.id))

    def _create_fee_move(self, issue_date):
        """Post the fees and interest of the reminder; return the entry."""
        self.ensure_one()
        if not self._has_charges():
            return self.env["account.move"]
        move = self.env["account.move"].create(self._prepare_fee_move_vals(issue_date))
        move.action_post()
        return move

    def _prepare_fee_move_vals(self, issue_date):
        """Values of the entry of the charges: a customer invoice in the fees
        invoice journal when the fees carry taxes, else a miscellaneous entry
        in the fees journal, with one receivable item per currency (interest
        stays in the currency of the invoices it is charged on)."""
        self.ensure_one()
        term = self._fee_term()
        charges = self._charge_items()
        company = self.company_id
        company_currency = self.currency_id
        label = self.env._("Reminder %s", self.name)
        due_date = issue_date + timedelta(days=self.level_id.payment_delay_days)
        values = {
            "company_id": company.id,
            "date": issue_date,
            "ref": label,
            "payment_reference": self._compute_fee_payment_reference(),
            "partner_id": self.partner_id.id,
        }
        if any(charge["taxes"] for charge in charges):
            # An invoice has one currency: interest in another currency is
            # converted at the issue date (its amount is kept in the label).
            return dict(
                values,
                move_type="out_invoice",
                journal_id=term.fee_invoice_journal_id.id,
                currency_id=company_currency.id,
                invoice_date=issue_date,
                invoice_payment_term_id=False,
                invoice_date_due=due_date,
                invoice_line_ids=[
                    fields.Command.create(
                        {
                            "name": charge["name"]
                            if charge["currency"] == company_currency
                            else f"{charge['name']} "
                            f"({format_amount(self.env, charge['amount'], charge['currency'])})",
                            "account_id": charge["account"].id,
                            "quantity": 1,
                            "price_unit": charge["currency"]._convert(
                                charge["amount"], company_currency, company, issue_date
                            ),
                            "tax_ids": [fields.Command.set(charge["taxes"].ids)],
                        }
                    )
                    for charge in charges
                ],
            )
        receivable = self.partner_id.with_company(company).property_account_receivable_id
        line_cmds = []
        per_currency = defaultdict(lambda: [0.0, 0.0])
        for charge in charges:
            currency = charge["currency"]
            balance = currency._convert(charge["amount"], company_currency, company, issue_date)
            per_currency[currency][0] += charge["amount"]
            per_currency[currency][1] += balance
            line_cmds.append(
                fields.Command.create(
                    {
                        "name": charge["name"],
                        "account_id": charge["account"].id,
                        "partner_id": self.partner_id.id,
                        "currency_id": currency.id,
                        "amount_currency": -charge["amount"],
                        "balance": -balance,
                    }
                )
            )
        for currency, (amount, balance) in per_currency.items():
            line_cmds.append(
                fields.Command.create(
                    {
                        "name": label,
                        "account_id": receivable.id,
                        "partner_id": self.partner_id.id,
                        "currency_id": currency.id,
                        "amount_currency": amount,
                        "balance": balance,
                        "date_maturity": due_date,
                    }
                )
            )
        return dict(
            values, move_type="entry", journal_id=term.journal_id.id, line_ids=line_cmds
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
                reminder._undo_issue()
        self.sudo().write({"state": "cancel"})
        return True

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
        if self.move_id and self.move_id.state == "posted":
            self.move_id._reverse_moves(
                [
                    {
                        "date": fields.Date.context_today(self),
                        "ref": self.env._("Cancellation of %s", self.name),
                    }
                ],
                cancel=True,
            )

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
                    ("state", "=", "draft"),
                    ("id", "!=", reminder.id),
                ]
            )
            if other:
                raise UserError(
                    self.env._(
                        "%(partner)s already has a draft reminder: only one draft "
                        "reminder per customer is allowed.",
                        partner=reminder.partner_id.display_name,
                    )
                )
        self.sudo().write(
            {
                "state": "draft",
                "issue_date": False,
                "move_id": False,
                "payment_reference": False,
            }
        )
        return True
