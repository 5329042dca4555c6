# Copyright 2026 account_dunning_automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from collections import defaultdict
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import format_amount

from ..dunning_engine import bounds as engine_bounds
from ..dunning_engine import contact as engine_contact
from ..dunning_engine import plan as engine_plan

THANKS_XMLID = "account_dunning_automation.mail_template_dunning_thanks"


class AccountDunningTerm(models.Model):
    """Reminder terms: an ordered plan of reminder levels for a company."""

    _name = "account.dunning.term"
    _description = "Reminder Terms"
    _order = "sequence, name, id"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company",
        required=True,
        index=True,
        default=lambda self: self.env.company,
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    level_ids = fields.One2many(
        "account.dunning.level",
        "term_id",
        string="Levels",
        copy=True,
    )
    level_count = fields.Integer(compute="_compute_level_count")
    collector_id = fields.Many2one(
        "res.users",
        domain="[('share', '=', False), ('company_ids', 'in', company_id)]",
        help="Calls of the reminders of these terms go to the customer's "
        "account manager, else to this collector, else to the salesperson of "
        "the invoices.",
    )
    max_reminders = fields.Integer(
        string="Max. Reminders per Invoice",
        default=0,
        help="Maximum number of reminders issued for one invoice. 0 means one "
        "reminder per level. A higher number repeats the last level at the "
        "same interval until the maximum is reached.",
    )
    escalation_mode = fields.Selection(
        [
            ("step", "One level at a time"),
            ("jump", "Jump to the level matching the delay"),
        ],
        default="step",
        required=True,
        help="One level at a time: an invoice that was never reminded always "
        "starts at the first level.\nJump: an invoice that was never reminded "
        "gets directly the highest level whose delay has passed.",
    )
    min_contact_days = fields.Integer(
        string="Min. Days Between Reminders",
        # The seeds' rule of thumb is 5 to 7 days: 5 keeps their own scenario
        # (J+1, J+7, J+14, J+21, J+30) as typed, 7 would shift it a day at
        # every step.
        default=5,
        help="Minimum number of days between two reminders to the same "
        "customer (0: no minimum). One reminder carries every item that "
        "reached its next level by then; an item reaching a level in between "
        "waits for the next reminder.",
    )
    max_contacts_before_last = fields.Integer(
        string="Max. Reminders Before the Last Level",
        default=5,
        help="Maximum number of reminders a customer receives for its open "
        "items before the last level (formal notice); once reached, the items "
        "due for a new level go to the last level (0: no limit).",
    )
    include_not_due = fields.Boolean(
        string="List Items Not Yet Due",
        help="Reminders also list the open invoices that are not yet due, in a "
        "separate section, so that the customer sees the whole balance.",
    )
    journal_id = fields.Many2one(
        "account.journal",
        string="Fees Journal",
        check_company=True,
        domain="[('type', '=', 'general')]",
        help="General journal of the miscellaneous entries posted when a "
        "reminder with fees or interest without taxes is issued (a sales "
        "journal is refused: it would break the numbering of the invoices).",
    )
    fee_invoice_journal_id = fields.Many2one(
        "account.journal",
        string="Fees Invoice Journal",
        check_company=True,
        domain="[('type', '=', 'sale')]",
        help="Sales journal of the customer invoices posted when the fees of a "
        "reminder carry taxes.",
    )
    fee_tax_ids = fields.Many2many(
        "account.tax",
        string="Taxes on Fees",
        check_company=True,
        domain="[('type_tax_use', '=', 'sale')]",
        help="Taxes on the fixed fees of the levels. Fees with taxes are "
        "invoiced. Interest and the fee per invoice (recovery indemnity) are "
        "outside the scope of VAT and never taxed.",
    )
    indemnity_account_id = fields.Many2one(
        "account.account",
        string="Recovery Indemnity Account",
        check_company=True,
        domain="[('account_type', 'in', ('income', 'income_other'))]",
        help="Account of the fee per invoice (e.g. the EUR 40 fixed recovery "
        "indemnity of French law), outside the scope of VAT.",
    )
    fee_account_id = fields.Many2one(
        "account.account",
        string="Fees Account",
        check_company=True,
        domain="[('account_type', 'in', ('income', 'income_other'))]",
    )
    interest_account_id = fields.Many2one(
        "account.account",
        check_company=True,
        domain="[('account_type', 'in', ('income', 'income_other'))]",
    )
    thank_you_template_id = fields.Many2one(
        "mail.template",
        string="Thank-You Email",
        domain="[('model', '=', 'account.dunning.reminder'), ('dunning_thank_you', '=', True)]",
        default=lambda self: self.env.ref(THANKS_XMLID, raise_if_not_found=False),
        help="Sent once to a customer who received a reminder and has nothing "
        "overdue left after a payment (in the customer's language, as the "
        "template says). No thank-you when empty.",
    )
    plan_explanation = fields.Text(
        string="What the Policy Does to the Plan",
        compute="_compute_plan_explanation",
        help="The days each level goes out for one invoice reminded on time, "
        "once the contact policy is applied to the configured delays.",
    )
    note = fields.Html(translate=True)
    partner_count = fields.Integer(compute="_compute_partner_count")
    reference_rate_warning = fields.Char(compute="_compute_reference_rate_warning")

    @api.depends("level_ids.interest_rate_type")
    def _compute_reference_rate_warning(self):
        """The current half-year has no reference rate while a level charges
        interest at that rate: said before a run fails on it."""
        warning = self.env["account.dunning.reference.rate"]._missing_rate_warning()
        for term in self:
            term.reference_rate_warning = (
                warning
                if warning
                and any(
                    level.interest_rate_type == "reference" for level in term.level_ids
                )
                else False
            )

    @api.depends("level_ids")
    def _compute_level_count(self):
        for term in self:
            term.level_count = len(term.level_ids)

    def _compute_partner_count(self):
        partner_model = self.env["res.partner"]
        for term in self:
            if not term.id:
                term.partner_count = 0
                continue
            term.partner_count = partner_model.with_company(
                term.company_id
            ).search_count(term._partners_domain())

    def _partners_domain(self):
        """The customers these terms apply to: those that name them, and for
        the company's default terms, the customers without terms of their own
        (what "Customers 0" hid on the default terms)."""
        self.ensure_one()
        domain = [("dunning_term_id", "=", self.id)]
        if self.company_id.dunning_term_id == self:
            domain = [
                "|",
                *domain,
                "&",
                "&",
                ("dunning_term_id", "=", False),
                ("customer_rank", ">", 0),
                ("parent_id", "=", False),
            ]
        return domain

    @api.depends(
        "level_ids.delay_days",
        "level_ids.sequence",
        "level_ids.name",
        "min_contact_days",
        "max_contacts_before_last",
    )
    def _compute_plan_explanation(self):
        for term in self:
            term.plan_explanation = term._explain_plan()

    def _explain_plan(self):
        """Say, in the user's language, on which days after the due date
        each level goes out once the contact policy applies, e.g. "J+1, J+7,
        J+14 are kept; a level less than 5 days after the previous one
        waits"."""
        self.ensure_one()
        levels = self.level_ids._sorted_by_sequence()
        if not levels:
            return False
        planned = engine_plan.effective_days(levels.mapped("delay_days"), self.min_contact_days)

        def day(value):
            return f"J{value:+d}"

        parts = []
        kept = [day(p.configured) for p in planned if not p.shifted]
        if kept:
            parts.append(
                self.env._("%(days)s are kept as configured.", days=", ".join(kept))
            )
        for level, item in zip(levels, planned, strict=True):
            if item.shifted:
                parts.append(
                    self.env._(
                        "%(level)s, configured on %(configured)s, goes out on "
                        "%(effective)s: less than %(min)s days after the previous "
                        "reminder, it waits.",
                        level=level.name,
                        configured=day(item.configured),
                        effective=day(item.effective),
                        min=self.min_contact_days,
                    )
                )
        if self.min_contact_days:
            parts.append(
                self.env._(
                    "A level less than %(min)s days after the previous reminder to "
                    "the customer waits until then; one reminder carries every "
                    "invoice of the customer that reached a level by that day.",
                    min=self.min_contact_days,
                )
            )
        else:
            parts.append(
                self.env._(
                    "No minimum between two reminders: each invoice reaching a "
                    "level makes a reminder on that day."
                )
            )
        if self.max_contacts_before_last and len(levels) > 1:
            parts.append(
                self.env._(
                    "After %(count)s reminders before the last level, the next "
                    "one is the last level (%(level)s).",
                    count=self.max_contacts_before_last,
                    level=levels[-1].name,
                )
            )
        return "\n".join(parts)

    def _get_engine_levels(self, currency=None, date=None):
        """Return the levels of the terms as engine rules, in level order; with
        ``currency``, their minimum amounts converted at ``date``."""
        self.ensure_one()
        return [
            level._to_engine_rule(currency, date)
            for level in self.level_ids.sorted("number")
        ]

    def _contact_policy(self):
        """Contact policy of the terms, for the engine (none without terms)."""
        if not self:
            return engine_contact.ContactPolicy(min_days=0, max_before_last=0)
        self.ensure_one()
        return engine_contact.ContactPolicy(
            min_days=self.min_contact_days,
            max_before_last=self.max_contacts_before_last,
        )

    @api.constrains("journal_id", "fee_invoice_journal_id")
    def _check_fee_journals(self):
        """The fees entry goes in a general journal, the fees invoice in a
        sales journal: never a bank or cash journal (the entry would pass for
        a payment) nor the other way round."""
        for term in self:
            if term.journal_id and term.journal_id.type != "general":
                raise ValidationError(
                    self.env._(
                        "Reminder terms %(term)s: the fees journal must be a "
                        "general (miscellaneous) journal, not %(journal)s.",
                        term=term.display_name,
                        journal=term.journal_id.display_name,
                    )
                )
            if term.fee_invoice_journal_id and term.fee_invoice_journal_id.type != "sale":
                raise ValidationError(
                    self.env._(
                        "Reminder terms %(term)s: the fees invoice journal must be "
                        "a sales journal, not %(journal)s.",
                        term=term.display_name,
                        journal=term.fee_invoice_journal_id.display_name,
                    )
                )

    @api.constrains("thank_you_template_id")
    def _check_thank_you_template(self):
        # The domain of the field is not enforced on write (RPC): a reminder
        # template as thank-you would claim again what was just paid.
        for term in self:
            template = term.thank_you_template_id.sudo()
            if template and not template.dunning_thank_you:
                raise ValidationError(
                    self.env._(
                        "Reminder terms %(term)s: %(template)s is not a thank-you "
                        "email (tick \"Thank-You After Payment\" on the template).",
                        term=term.display_name,
                        template=template.display_name,
                    )
                )

    @api.constrains("min_contact_days", "max_contacts_before_last")
    def _check_contact_policy(self):
        for term in self:
            if term.min_contact_days < 0 or term.max_contacts_before_last < 0:
                raise ValidationError(
                    self.env._(
                        "Reminder terms %(term)s: the minimum days between two "
                        "reminders and the maximum number of reminders cannot be "
                        "negative.",
                        term=term.display_name,
                    )
                )

    @api.constrains("max_reminders", "level_ids")
    def _check_levels(self):
        for term in self:
            if term.max_reminders > engine_bounds.MAX_COUNT:
                raise ValidationError(
                    self.env._(
                        "Reminder terms %(term)s: the maximum number of reminders "
                        "cannot exceed %(max)s.",
                        term=term.display_name,
                        max=engine_bounds.MAX_COUNT,
                    )
                )
            if term.max_reminders < 0:
                raise ValidationError(
                    self.env._(
                        "Reminder terms %(term)s: the maximum number of reminders "
                        "cannot be negative.",
                        term=term.display_name,
                    )
                )
            previous = None
            for level in term.level_ids._sorted_by_sequence():
                if previous is not None and level.delay_days <= previous.delay_days:
                    raise ValidationError(
                        self.env._(
                            "Reminder terms %(term)s: the delays of the levels must be "
                            "strictly increasing. Level %(level)s (%(days)s days) does "
                            "not come after level %(previous)s (%(previous_days)s days).",
                            term=term.display_name,
                            level=level.name,
                            days=level.delay_days,
                            previous=previous.name,
                            previous_days=previous.delay_days,
                        )
                    )
                previous = level

    @api.constrains(
        "journal_id",
        "fee_invoice_journal_id",
        "fee_tax_ids",
        "indemnity_account_id",
        "fee_account_id",
        "interest_account_id",
        "level_ids",
    )
    def _check_charges_setup(self):
        """Refuse, when saved, terms whose charges could never be posted: a
        run would fail with the same error every day."""
        for term in self:
            for level in term.level_ids._sorted_by_sequence():
                missing = term._charges_setup_missing(level)
                if missing:
                    field, reason = missing[0]
                    raise ValidationError(
                        self.env._(
                            "Reminder terms %(term)s: level %(level)s %(reason)s, so "
                            "the field \"%(field)s\" of the terms must be set.",
                            term=term.display_name,
                            level=level.name,
                            reason=reason,
                            field=term._fields[field].get_description(self.env)["string"],
                        )
                    )
                if (
                    (level.fee_per_invoice or level._has_interest() or (
                        level._has_fee() and not term.fee_tax_ids))
                    and term.journal_id.type == "sale"
                ):
                    raise ValidationError(
                        self.env._(
                            "Reminder terms %(term)s: the fees journal %(journal)s is a "
                            "sales journal; the fees entries without taxes of level "
                            "%(level)s need a general journal (field \"%(field)s\").",
                            term=term.display_name,
                            journal=term.journal_id.display_name,
                            level=level.name,
                            field=term._fields["journal_id"].get_description(self.env)[
                                "string"
                            ],
                        )
                    )

    def _charges_setup_missing(self, level):
        """``[(field name, reason)]`` the terms miss to post what ``level``
        charges."""
        self.ensure_one()
        missing = []
        has_fee = level._has_fee()
        untaxed = bool(level.fee_per_invoice or level._has_interest() or (
            has_fee and not self.fee_tax_ids))
        if level.fee_per_invoice and not self.indemnity_account_id:
            missing.append(("indemnity_account_id", self.env._("charges a fee per invoice")))
        if level._has_interest() and not self.interest_account_id:
            missing.append(("interest_account_id", self.env._("charges interest")))
        if has_fee and not self.fee_account_id:
            missing.append(("fee_account_id", self.env._("charges a fee")))
        if untaxed and not self.journal_id:
            missing.append(
                ("journal_id", self.env._("charges fees or interest without taxes"))
            )
        if has_fee and self.fee_tax_ids and not self.fee_invoice_journal_id:
            missing.append(
                ("fee_invoice_journal_id", self.env._("charges a fee with taxes"))
            )
        return missing

    # ------------------------------------------------------------------
    # Posting of the charges of reminders (their fees entry)
    # ------------------------------------------------------------------

    def _post_charges(self, reminders, issue_date):
        """Post the fees and interest of ``reminders`` (issued under these
        terms) on ``issue_date``, each in its reminder's currency; return
        ``{reminder: entry}`` for those that charge something. The entry is an
        open receivable item of the customer, marked so that the next
        reminders claim it without escalating it."""
        moves = {}
        for reminder in reminders:
            if not reminder._has_charges():
                continue
            move = self.env["account.move"].create(
                self._prepare_charges_move_vals(reminder, issue_date)
            )
            move.action_post()
            move.sudo().write({"dunning_charge_reminder_id": reminder.id})
            moves[reminder] = move
        return moves

    def _prepare_charges_move_vals(self, reminder, issue_date):
        """Values of the entry of the charges of ``reminder``, in its
        currency: a customer invoice in the fees invoice journal when the fees
        carry taxes, else a miscellaneous entry in the fees journal."""
        self.ensure_one()
        charges = self.env["account.dunning.charges"]._charge_items(reminder)
        company = reminder.company_id
        currency = reminder.currency_id
        label = self.env._("Reminder %s", reminder.name)
        due_date = issue_date + timedelta(days=reminder.level_id.payment_delay_days)
        values = {
            "company_id": company.id,
            "date": issue_date,
            "ref": label,
            "payment_reference": self.env["account.dunning.charges"]._payment_reference(reminder),
            "partner_id": reminder.partner_id.id,
        }
        if any(charge["taxes"] for charge in charges):
            # An invoice has one currency, the reminder's: a charge in another
            # one (reminders of earlier versions) is converted at the reminder
            # date, its amount kept in the label.
            return dict(
                values,
                move_type="out_invoice",
                journal_id=self.fee_invoice_journal_id.id,
                currency_id=currency.id,
                invoice_date=issue_date,
                invoice_payment_term_id=False,
                invoice_date_due=due_date,
                invoice_line_ids=[
                    fields.Command.create(
                        {
                            "name": charge["name"]
                            if charge["currency"] == currency
                            else f"{charge['name']} "
                            f"({format_amount(self.env, charge['amount'], charge['currency'])})",
                            "account_id": charge["account"].id,
                            "quantity": 1,
                            "price_unit": charge["currency"]._convert(
                                charge["amount"], currency, company, reminder.date
                            ),
                            "tax_ids": [fields.Command.set(charge["taxes"].ids)],
                        }
                    )
                    for charge in charges
                ],
            )
        company_currency = company.currency_id
        receivable = reminder.partner_id.with_company(
            company
        ).property_account_receivable_id
        line_cmds = []
        per_currency = defaultdict(lambda: [0.0, 0.0])
        for charge in charges:
            charge_currency = charge["currency"]
            balance = charge_currency._convert(
                charge["amount"], company_currency, company, issue_date
            )
            per_currency[charge_currency][0] += charge["amount"]
            per_currency[charge_currency][1] += balance
            line_cmds.append(
                fields.Command.create(
                    {
                        "name": charge["name"],
                        "account_id": charge["account"].id,
                        "partner_id": reminder.partner_id.id,
                        "currency_id": charge_currency.id,
                        "amount_currency": -charge["amount"],
                        "balance": -balance,
                    }
                )
            )
        for charge_currency, (amount, balance) in per_currency.items():
            line_cmds.append(
                fields.Command.create(
                    {
                        "name": label,
                        "account_id": receivable.id,
                        "partner_id": reminder.partner_id.id,
                        "currency_id": charge_currency.id,
                        "amount_currency": amount,
                        "balance": balance,
                        "date_maturity": due_date,
                    }
                )
            )
        return dict(
            values, move_type="entry", journal_id=self.journal_id.id, line_ids=line_cmds
        )

    def _fee_with_taxes(self, fee, currency, partner=None):
        """``fee`` of a reminder of these terms with their fee taxes, if any
        (what the customer is charged)."""
        if not fee or not self.fee_tax_ids:
            return fee
        return self.fee_tax_ids.compute_all(fee, currency=currency, partner=partner)[
            "total_included"
        ]

    def _check_charges_config(self, reminder):
        """Refuse to issue ``reminder`` when its fees or interest cannot be
        posted with these terms."""
        if not reminder._has_charges():
            return
        self.ensure_one()
        charges = self.env["account.dunning.charges"]._charge_items(reminder)
        invoiced = any(charge["taxes"] for charge in charges)
        missing = []
        if invoiced and not self.fee_invoice_journal_id:
            missing.append(self.env._("a fees invoice journal (the fees carry taxes)"))
        if not invoiced and not self.journal_id:
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
                    name=reminder.name,
                    term=self.display_name,
                    missing=", ".join(missing),
                )
            )
        if not invoiced and self.journal_id.type == "sale":
            raise UserError(
                self.env._(
                    "Reminder %(name)s: its fees and interest carry no tax and are "
                    "posted as a miscellaneous entry, which cannot go in the sales "
                    "journal %(journal)s (it would break the numbering of the "
                    "invoices). Choose a general journal as fees journal of the "
                    "reminder terms %(term)s.",
                    name=reminder.name,
                    journal=self.journal_id.display_name,
                    term=self.display_name,
                )
            )

    def action_open_charges_preset(self):
        """Open the wizard applying the legal late-payment charges of a country."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Legal Late-Payment Charges"),
            "res_model": "account.dunning.charges.preset",
            "view_mode": "form",
            "target": "new",
            "context": {"default_term_id": self.id},
        }

    def action_view_partners(self):
        self.ensure_one()
        partners = (
            self.env["res.partner"]
            .with_company(self.company_id)
            .search(self._partners_domain())
        )
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Customers"),
            "res_model": "res.partner",
            "view_mode": "list,form",
            "domain": [("id", "in", partners.ids)],
            "context": {"allowed_company_ids": [self.company_id.id]},
        }
