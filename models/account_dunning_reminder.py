# Copyright 2026 account_dunning_automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from collections import defaultdict
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import format_amount

from ..dunning_engine import interest as engine_interest
from ..dunning_engine import levels as engine_levels
from ..dunning_engine import references as engine_references
from ..dunning_engine import totals as engine_totals


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

    @api.depends("date", "issue_date", "level_id.payment_delay_days")
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
        "line_ids.amount_interest",
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
            reminder.amount_interest = sum(overdue.mapped("amount_interest"))
            reminder.amount_total = (
                reminder.amount_overdue
                + reminder.amount_credit
                + reminder.amount_interest
                + reminder.amount_fee
            )

    @api.depends(
        "line_ids.amount_residual_currency", "line_ids.currency_id", "line_ids.line_type"
    )
    def _compute_totals_by_currency(self):
        for reminder in self:
            totals = reminder._get_totals_by_currency()
            reminder.totals_by_currency = " / ".join(
                format_amount(self.env, float(amount), currency)
                for currency, amount in totals.items()
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

    # ------------------------------------------------------------------
    # ORM
    # ------------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
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
        return super().create(vals_list)

    @api.ondelete(at_uninstall=False)
    def _unlink_only_draft_or_cancel(self):
        for reminder in self:
            if reminder.state not in ("draft", "cancel"):
                raise UserError(
                    self.env._(
                        "Reminder %(name)s is %(state)s: cancel it instead of "
                        "deleting it.",
                        name=reminder.name,
                        state=dict(
                            reminder._fields["state"]._description_selection(self.env)
                        )[reminder.state],
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
    def _prepare_line_values(self, move_lines, as_of, include_not_due=False):
        """Compute the reminder lines of one customer.

        Returns ``(line_values, has_new_level)``. A reminder is due for the
        customer when at least one item reaches a new level; the other overdue
        items are listed for the overview, the items not yet due only when
        asked (by the terms or by ``include_not_due``). Items on hold
        (disputed invoices, when they are asked for) are listed apart: never
        escalated, never counted in what is due.
        """
        on_hold = move_lines.filtered(lambda l: l.move_id.dunning_blocked)
        move_lines -= on_hold
        credit_lines = move_lines.filtered(lambda l: l.amount_residual < 0)
        debits = move_lines - credit_lines
        overdue = debits.filtered(lambda l: l._dunning_due_date() < as_of)
        # Open credits (credit notes, unmatched payments) reduce what is owed:
        # the minimum amounts of the levels apply to the net overdue total, and
        # nobody is reminded who owes nothing once the credits are deducted.
        total_overdue = float(
            engine_totals.partner_overdue_total(
                overdue.mapped("amount_residual")
                + credit_lines.mapped("amount_residual"),
                digits=self.env.company.currency_id.decimal_places,
            )
        )
        if total_overdue <= 0:
            return [], False
        rules_cache = {}
        values = []
        has_new_level = False
        for line in debits:
            term = line._dunning_term()
            due_date = line._dunning_due_date()
            is_overdue = due_date < as_of
            new_level = self.env["account.dunning.level"]
            if term:
                if term not in rules_cache:
                    rules_cache[term] = term._get_engine_levels()
                decision = engine_levels.decide(
                    rules_cache[term],
                    line._dunning_engine_state(),
                    as_of,
                    max_reminders=term.max_reminders,
                    jump=term.escalation_mode == "jump",
                    total_overdue=total_overdue,
                )
                if decision.level is not None:
                    new_level = new_level.browse(decision.level.key)
            if new_level:
                has_new_level = True
                line_type = "overdue"
            elif is_overdue:
                line_type = "overdue"
            elif include_not_due or (term and term.include_not_due):
                line_type = "not_due"
            else:
                continue
            values.append(
                self._prepare_line_vals(line, as_of, line_type, new_level, term)
            )
        values += [
            self._prepare_line_vals(line, as_of, "credit", False, False)
            for line in credit_lines
        ]
        values += [
            self._prepare_line_vals(line, as_of, "blocked", False, False)
            for line in on_hold
        ]
        return values, has_new_level

    @api.model
    def _prepare_line_vals(self, move_line, as_of, line_type, new_level, term):
        due_date = move_line._dunning_due_date()
        interest = 0.0
        if new_level and new_level.interest_rate:
            interest = float(
                engine_interest.compute_interest(
                    move_line.amount_residual,
                    new_level.interest_rate,
                    move_line.dunning_last_date or due_date,
                    as_of,
                    digits=move_line.company_currency_id.decimal_places,
                )
            )
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
            "amount_interest": interest,
            "amount_fee_invoice": (
                new_level.fee_per_invoice
                if new_level and not move_line.dunning_fee_charged
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
        for partner, move_lines in by_partner.items():
            draft = drafts_by_partner.get(partner, self.browse())[:1]
            if partner.with_company(company).dunning_blocked:
                to_cancel |= draft
                continue
            line_values, has_new_level = self._prepare_line_values(
                move_lines, as_of, include_not_due
            )
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
            to_cancel.write({"state": "cancel"})
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
        for reminder in self:
            reminder.amount_fee = reminder.level_id.fee_amount + sum(
                reminder.line_ids.filtered("is_new_level").mapped("amount_fee_invoice")
            )
        return self

    def action_refresh(self):
        """Recompute a draft reminder at its date (paid items drop out)."""
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
            line_values, has_new_level = reminder._prepare_line_values(
                move_lines,
                reminder.date,
                include_not_due=any(
                    line.line_type == "not_due" for line in reminder.line_ids
                ),
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
        """Remove lines whose item was paid or reconciled since creation and
        refresh the open amounts of the others."""
        for reminder in self:
            for line in reminder.line_ids:
                move_line = line.move_line_id
                if (
                    not move_line
                    or move_line.reconciled
                    or move_line.company_currency_id.is_zero(move_line.amount_residual)
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
                                reminder._prepare_line_vals(
                                    credit, reminder.date, "credit", False, False
                                )
                            )
                            for credit in new_credits
                        ]
                    }
                )

    def action_issue(self):
        for reminder in self:
            if reminder.state != "draft":
                raise UserError(
                    self.env._("Only draft reminders can be issued (%s).", reminder.name)
                )
        issue_date = fields.Date.context_today(self)
        for reminder in self:
            reminder._check_issuable()
        self._record_levels(issue_date)
        for reminder in self:
            move = reminder._create_fee_move(issue_date)
            reminder.write(
                {
                    "state": "issued",
                    "issue_date": issue_date,
                    "move_id": move.id if move else False,
                    "payment_reference": move.payment_reference if move else False,
                }
            )
        return True

    def _check_issuable(self):
        """Bring a draft up to date (payments since creation) and refuse to
        issue it when it is stale, empty, covered by credits or when its fees
        cannot be posted."""
        self.ensure_one()
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
        if self.currency_id.compare_amounts(
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
        self._set_fee()
        self._check_fee_config()

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
            )
            groups[key] |= move_line
        for (level_id, number, count, fee_charged), move_lines in groups.items():
            values = {
                "dunning_level_id": level_id,
                "dunning_level_number": number,
                "dunning_last_date": issue_date,
                "dunning_count": count,
            }
            if fee_charged:
                values["dunning_fee_charged"] = True
            # The dunning fields are not tracked: skip the tracking machinery;
            # nor do they change the invoice: skip its synchronisation (taxes,
            # payment terms), half of the time of issuing a batch.
            move_lines.with_context(tracking_disable=True, skip_invoice_sync=True).write(values)

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

    def _check_fee_config(self):
        """Refuse to issue when fees or interest cannot be posted."""
        self.ensure_one()
        currency = self.currency_id
        if not self._has_charges():
            return
        term = self._fee_term()
        missing = []
        if not term.journal_id:
            missing.append(self.env._("a fees journal"))
        if not currency.is_zero(self.amount_fee) and not term.fee_account_id:
            missing.append(self.env._("a fees account"))
        if not currency.is_zero(self.amount_interest) and not term.interest_account_id:
            missing.append(self.env._("an interest account"))
        if missing:
            raise UserError(
                self.env._(
                    "Reminder %(name)s charges fees or interest, but the reminder "
                    "terms %(term)s have no %(missing)s.",
                    name=self.name,
                    term=term.display_name,
                    missing=", ".join(missing),
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
        currency = self.currency_id
        if not self._has_charges():
            return self.env["account.move"]
        term = self._fee_term()
        partner = self.partner_id.with_company(self.company_id)
        receivable = partner.property_account_receivable_id
        label = self.env._("Reminder %s", self.name)
        due_date = issue_date + timedelta(days=self.level_id.payment_delay_days)
        line_cmds = []
        for amount, account, name in (
            (self.amount_fee, term.fee_account_id, self.env._("Reminder fees %s", self.name)),
            (
                self.amount_interest,
                term.interest_account_id,
                self.env._("Late-payment interest %s", self.name),
            ),
        ):
            if currency.is_zero(amount):
                continue
            line_cmds.append(
                fields.Command.create(
                    {
                        "name": name,
                        "account_id": account.id,
                        "partner_id": self.partner_id.id,
                        "balance": -amount,
                    }
                )
            )
        line_cmds.append(
            fields.Command.create(
                {
                    "name": label,
                    "account_id": receivable.id,
                    "partner_id": self.partner_id.id,
                    "balance": self.amount_fee + self.amount_interest,
                    "date_maturity": due_date,
                }
            )
        )
        move = self.env["account.move"].create(
            {
                "move_type": "entry",
                "journal_id": term.journal_id.id,
                "company_id": self.company_id.id,
                "date": issue_date,
                "ref": label,
                "payment_reference": self._compute_fee_payment_reference(),
                "partner_id": self.partner_id.id,
                "line_ids": line_cmds,
            }
        )
        move.action_post()
        return move

    # ------------------------------------------------------------------
    # Cancel / reset
    # ------------------------------------------------------------------

    def action_cancel(self):
        for reminder in self:
            if reminder.state == "cancel":
                continue
            if reminder.state in ("issued", "sent"):
                reminder._undo_issue()
        self.write({"state": "cancel"})
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
            move_line.write(values)
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
        self.write(
            {
                "state": "draft",
                "issue_date": False,
                "move_id": False,
                "payment_reference": False,
            }
        )
        return True
