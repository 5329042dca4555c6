# Copyright 2026 account_dunning_automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The phone call of a reminder's level: who calls the customer (the
collector) and the note of the call activity (the level's script with the
customer's figures, in the customer's language).
"""

import re

from markupsafe import Markup, escape

from odoo import api, models
from odoo.tools import format_amount, format_date, is_html_empty

CALL_PLACEHOLDER = re.compile(
    r"\{(customer|amount_overdue|oldest_invoice|last_contact|promise_history)\}"
)


class AccountDunningCall(models.AbstractModel):
    _name = "account.dunning.call"
    _description = "Payment Reminder Phone Call"

    @api.model
    def _dunning_collector(self, reminder):
        """Who calls the customer: its account manager, else the collector of
        the terms, else the salesperson of the claimed invoices (the most
        frequent), else the customer's salesperson, else the user sending;
        never OdooBot or the superuser (an automation runs as them, and a call
        assigned to them is lost): then an administrator of the reminders."""
        reminder.ensure_one()

        def usable(user):
            return (
                user
                and user.active
                and not user.share
                and not user._is_superuser()
                and reminder.company_id in user.company_ids
            )

        invoices = reminder.line_ids.filtered(lambda l: not l.excluded).move_id
        by_count = sorted(
            invoices.invoice_user_id,
            key=lambda u: (-len(invoices.filtered(lambda m, u=u: m.invoice_user_id == u)), u.id),
        )
        candidates = [
            reminder.responsible_id,
            reminder.sudo().term_id.collector_id or reminder.sudo().level_id.term_id.collector_id,
            *by_count,
            reminder.partner_id.commercial_partner_id.user_id,
            reminder.env.user,
        ]
        for user in candidates:
            if usable(user.sudo()):
                return user
        manager_group = reminder.env.ref(
            "account_dunning_automation.group_dunning_manager", raise_if_not_found=False
        )
        managers = reminder.env["res.users"].sudo().search(
            [
                ("groups_id", "in", manager_group.ids),
                ("share", "=", False),
                ("company_ids", "in", reminder.company_id.ids),
            ],
            order="id",
        )
        return next((u for u in managers if usable(u)), reminder.env.user)

    @api.model
    def _dunning_call_note(self, reminder):
        """Note of the call activity: the level's script (in the customer's
        language) with the customer's figures, and the link to the reminder."""
        reminder.ensure_one()
        lang = reminder.partner_id.lang or reminder.env.lang
        reminder = reminder.with_context(lang=lang)
        env = reminder.env
        script = reminder.level_id.call_script
        if is_html_empty(script):
            script = Markup("<p>%s</p>") % env._(
                "Hello, I am calling about the invoices of {customer}: {amount_overdue} "
                "is overdue, the oldest being {oldest_invoice}. Our last contact: "
                "{last_contact}. Promises to pay: {promise_history}. When can we "
                "expect the payment?"
            )
        figures = self._dunning_call_figures(reminder)
        body = CALL_PLACEHOLDER.sub(
            lambda match: str(escape(figures[match.group(1)])), str(script)
        )
        link = Markup('<p>%s <a href="/odoo/account.dunning.reminder/%s">%s</a></p>') % (
            env._("Reminder:"),
            reminder.id,
            reminder.name,
        )
        return Markup(body) + link

    @api.model
    def _dunning_call_figures(self, reminder):
        """Values of the placeholders of the call script, as text."""
        reminder.ensure_one()
        env = reminder.env
        overdue = reminder.line_ids.filtered(lambda l: l.line_type == "overdue")
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
        previous = reminder.search(
            [
                ("partner_id", "=", reminder.partner_id.id),
                ("company_id", "=", reminder.company_id.id),
                ("state", "in", ("issued", "sent")),
                ("is_notice", "=", False),
                ("id", "!=", reminder.id),
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
                ("partner_id", "=", reminder.partner_id.id),
                ("company_id", "=", reminder.company_id.id),
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
            "customer": reminder.partner_id.display_name,
            "amount_overdue": reminder.amount_to_pay_display or format_amount(
                env, reminder.amount_overdue, reminder.currency_id
            ),
            "oldest_invoice": oldest_text,
            "last_contact": last_text,
            "promise_history": promise_text,
        }
