# Copyright 2026 account_dunning_automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

import re
from datetime import timedelta

from markupsafe import Markup, escape

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import format_amount, format_date, is_html_empty

from ..dunning_engine import contact as engine_contact

CALL_PLACEHOLDER = re.compile(
    r"\{(customer|amount_overdue|oldest_invoice|last_contact|promise_history)\}"
)


class AccountDunningReminder(models.Model):
    """The customer's journey around the reminders: courtesy notices before
    the due date, thank-you after payment, promises to pay pausing the
    reminders, links to pay online, call script."""

    _inherit = "account.dunning.reminder"

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

    # ------------------------------------------------------------------
    # Promises to pay pause the reminders
    # ------------------------------------------------------------------

    @api.model
    def _dunning_contact_states(self, company, as_of, lines_by_partner):
        """A customer with an open promise to pay is not contacted up to the
        promised date, not even by a notice before a due date."""
        result = super()._dunning_contact_states(company, as_of, lines_by_partner)
        partners = self.env["res.partner"].browse([p.id for p in lines_by_partner])
        promises = self.env["account.dunning.promise"]._dunning_open_promises(
            company, as_of, partners
        )
        for promise in promises:
            state = result.get(promise.partner_id)
            if state is None:
                continue
            state.update(
                decision=engine_contact.ContactDecision(
                    allowed=False,
                    next_contact=promise.promised_date + timedelta(days=1),
                    cap_reached=state["decision"].cap_reached,
                    reason="promise",
                ),
                notices_allowed=False,
                promise=promise,
            )
        return result

    @api.model
    def _create_reminders(self, partners=None, as_of=None, **kwargs):
        as_of = as_of or fields.Date.context_today(self)
        result = super()._create_reminders(partners=partners, as_of=as_of, **kwargs)
        self._dunning_note_held_by_promises(partners, as_of)
        return result

    @api.model
    def _dunning_note_held_by_promises(self, partners, as_of):
        """Say on the promise (once) that it held a reminder that was due."""
        company = self.env.company
        promises = self.env["account.dunning.promise"]._dunning_open_promises(
            company, as_of, partners
        ).filtered(lambda p: not p.held_date)
        for promise in promises:
            move_lines = self._dunning_open_lines(company, promise.partner_id)
            _values, due = self.env[
                "account.dunning.reminder.line"
            ]._prepare_lines_vals(move_lines, as_of)
            if not due:
                continue
            # As superuser: see PROMISE_STATE_FIELDS.
            promise.sudo().held_date = as_of
            promise.message_post(
                body=self.env._(
                    "A payment reminder was due on %(date)s: it is held by this "
                    "promise until %(until)s.",
                    date=format_date(self.env, as_of),
                    until=format_date(self.env, promise.promised_date),
                )
            )

    def _check_issuable(self):
        """Nothing is issued to a customer who promised to pay, up to the date."""
        self.ensure_one()
        promise_id = self._dunning_prefetched("promise")
        if promise_id is None:
            promise = self.env["account.dunning.promise"]._dunning_open_promises(
                self.company_id, fields.Date.context_today(self), self.partner_id
            )[:1]
        else:
            promise = self.env["account.dunning.promise"].browse(promise_id or [])
        if promise:
            raise UserError(
                self.env._(
                    "Reminder %(name)s is not issued: %(partner)s promised to pay "
                    "%(amount)s by %(date)s; the reminders are paused until then.",
                    name=self.name,
                    partner=self.partner_id.display_name,
                    amount=format_amount(self.env, promise.amount, promise.currency_id),
                    date=format_date(self.env, promise.promised_date),
                )
            )
        return super()._check_issuable()

    def action_new_promise(self):
        """Record a promise to pay from this reminder."""
        self.ensure_one()
        return self.partner_id.with_context(
            default_reminder_id=self.id
        ).action_new_dunning_promise()

    # ------------------------------------------------------------------
    # Thank-you once nothing is overdue
    # ------------------------------------------------------------------

    @api.model
    def _dunning_send_thanks(self, company=None, as_of=None, partners=None):
        """Send the thank-you email of the terms to each customer whose last
        reminder was sent and who has nothing overdue left: once per reminder,
        logged on the reminder and the customer. Returns the reminders thanked."""
        company = company or self.env.company
        as_of = as_of or fields.Date.context_today(self)
        domain = [
            ("company_id", "=", company.id),
            ("state", "=", "sent"),
            ("is_notice", "=", False),
            ("term_id.thank_you_template_id", "!=", False),
        ]
        if partners is not None:
            domain.append(("partner_id", "in", partners.commercial_partner_id.ids))
        candidates = self.search(domain, order="issue_date desc, id desc")
        thanked = self.browse()
        seen = set()
        for reminder in candidates:
            if reminder.partner_id.id in seen:
                continue
            seen.add(reminder.partner_id.id)  # only the customer's last reminder
            if reminder.thanked_date or reminder._dunning_still_overdue(as_of):
                continue
            if reminder.partner_id.with_company(company).dunning_blocked:
                continue
            try:
                with self.env.cr.savepoint():
                    reminder._dunning_thank(as_of)
                thanked |= reminder
            except UserError as exc:
                reminder.message_post(
                    body=self.env._("Thank-you email not sent: %(error)s", error=exc.args[0])
                )
        return thanked

    def _dunning_still_overdue(self, as_of):
        """The customer still owes something the reminders claimed: an item
        overdue (invoices on hold included), or the charges of a reminder
        (fees, indemnity, interest) whatever their due date: a thank-you
        saying nothing is owed any more would forgive them by omission. Once
        waived by a decision (action_waive_charges), they are no longer open."""
        self.ensure_one()
        lines = self._dunning_open_lines(self.company_id, self.partner_id, include_blocked=True)
        return any(
            line.amount_residual > 0
            and (line._dunning_due_date() < as_of or line._dunning_is_charge_item())
            for line in lines
        )

    def _dunning_open_charge_lines(self):
        """Open items of the charges entries of the customer's reminders."""
        self.ensure_one()
        lines = self._dunning_open_lines(self.company_id, self.partner_id, include_blocked=True)
        return lines.filtered(lambda l: l.amount_residual > 0 and l._dunning_is_charge_item())

    def action_waive_charges(self):
        """Waive the open charges of the customer (fees, indemnity, interest
        of its reminders): a decision of an accountant, logged on the
        reminder and the customer. Each charges entry is reversed (a credit
        note for a fees invoice) and reconciled with it; the thank-you can
        then go out. A charges entry already partly paid is refused: its
        rest is written off from the entry itself."""
        self.ensure_one()
        self._check_dunning_access()
        # Writing off receivables is an accounting decision: the caller's own
        # rights on entries are required (no sudo below).
        if not self.env.user.has_group("account_dunning_automation.group_dunning_manager"):
            raise AccessError(
                self.env._("Only an administrator of the payment reminders can waive charges.")
            )
        self.env["account.move"].check_access("create")
        lines = self._dunning_open_charge_lines()
        if not lines:
            raise UserError(
                self.env._(
                    "%(partner)s has no open charges to waive.",
                    partner=self.partner_id.display_name,
                )
            )
        moves = lines.move_id
        partly_paid = moves.filtered(
            lambda m: any(
                l.amount_residual != l.balance
                for l in m.line_ids
                if l.account_id.account_type == "asset_receivable"
            )
        )
        if partly_paid:
            raise UserError(
                self.env._(
                    "The charges %(entries)s are partly paid: write off their rest "
                    "from the entry itself.",
                    entries=", ".join(partly_paid.mapped("name")),
                )
            )
        amount = sum(lines.mapped("amount_residual"))
        today = fields.Date.context_today(self)
        reversals = moves._reverse_moves(
            [
                {
                    "date": today,
                    "ref": self.env._("Charges waived: %(ref)s", ref=move.ref or move.name),
                }
                for move in moves
            ],
            cancel=True,
        )
        note = self.env._(
            "Charges waived by %(user)s: %(entries)s (%(amount)s), reversed by "
            "%(reversals)s.",
            user=self.env.user.name,
            entries=", ".join(moves.mapped("name")),
            amount=format_amount(self.env, amount, self.company_id.currency_id),
            reversals=", ".join(reversals.mapped("name")),
        )
        self.message_post(body=note)
        self.partner_id._message_log(body=note)
        return True

    def _dunning_thank(self, as_of):
        self.ensure_one()
        self._check_email_recipients()
        template = self.term_id.thank_you_template_id
        self.env["mail.compose.message"].with_context(
            default_model=self._name,
            default_res_ids=self.ids,
            default_template_id=template.id,
            default_composition_mode="comment",
            default_email_layout_xmlid="mail.mail_notification_layout",
        ).create({})._action_send_mail()
        # As superuser: thanked_date is a lifecycle field (see LIFECYCLE_FIELDS),
        # set only here so that the customer is thanked once.
        self.sudo().thanked_date = as_of
        self.partner_id.sudo()._message_log(
            body=self.env._(
                "Thank-you email sent: nothing is overdue any more after reminder "
                "%(name)s.",
                name=self.name,
            )
        )

    # ------------------------------------------------------------------
    # Call script
    # ------------------------------------------------------------------

    def _dunning_call_note(self):
        """Note of the call activity: the level's script (in the customer's
        language) with the customer's figures, and the link to the reminder."""
        self.ensure_one()
        lang = self.partner_id.lang or self.env.lang
        reminder = self.with_context(lang=lang)
        env = reminder.env
        script = reminder.level_id.call_script
        if is_html_empty(script):
            script = Markup("<p>%s</p>") % env._(
                "Hello, I am calling about the invoices of {customer}: {amount_overdue} "
                "is overdue, the oldest being {oldest_invoice}. Our last contact: "
                "{last_contact}. Promises to pay: {promise_history}. When can we "
                "expect the payment?"
            )
        figures = reminder._dunning_call_figures()
        body = CALL_PLACEHOLDER.sub(
            lambda match: str(escape(figures[match.group(1)])), str(script)
        )
        link = Markup('<p>%s <a href="/odoo/account.dunning.reminder/%s">%s</a></p>') % (
            env._("Reminder:"),
            self.id,
            self.name,
        )
        return Markup(body) + link

    def _dunning_call_figures(self):
        """Values of the placeholders of the call script, as text."""
        self.ensure_one()
        env = self.env
        overdue = self.line_ids.filtered(lambda l: l.line_type == "overdue")
        oldest = overdue.sorted(lambda l: (l.date_due, l.id))[:1]
        if oldest:
            oldest_text = env._(
                "%(invoice)s of %(amount)s, due on %(date)s (%(days)s days late)",
                invoice=oldest.move_id.name,
                amount=format_amount(env, oldest.amount_residual_currency, oldest.currency_id),
                date=format_date(env, oldest.date_due),
                days=oldest.days_overdue,
            )
        else:
            oldest_text = env._("none")
        previous = self.search(
            [
                ("partner_id", "=", self.partner_id.id),
                ("company_id", "=", self.company_id.id),
                ("state", "in", ("issued", "sent")),
                ("is_notice", "=", False),
                ("id", "!=", self.id),
            ],
            order="issue_date desc, id desc",
            limit=1,
        )
        if previous:
            last_text = env._(
                "reminder %(name)s (%(level)s) on %(date)s",
                name=previous.name,
                level=previous.level_id.name,
                date=format_date(env, previous.sent_date or previous.issue_date),
            )
        else:
            last_text = env._("none")
        promises = env["account.dunning.promise"].search(
            [
                ("partner_id", "=", self.partner_id.id),
                ("company_id", "=", self.company_id.id),
                ("state", "!=", "cancel"),
            ],
            order="date, id",
        )
        states = dict(promises._fields["state"]._description_selection(env))
        promise_text = "; ".join(
            env._(
                "%(amount)s promised on %(date)s for %(due)s: %(state)s",
                amount=format_amount(env, p.amount, p.currency_id),
                date=format_date(env, p.date),
                due=format_date(env, p.promised_date),
                state=states[p.state],
            )
            for p in promises
        ) or env._("none")
        return {
            "customer": self.partner_id.display_name,
            "amount_overdue": self.amount_to_pay_display or format_amount(
                env, self.amount_overdue, self.currency_id
            ),
            "oldest_invoice": oldest_text,
            "last_contact": last_text,
            "promise_history": promise_text,
        }
