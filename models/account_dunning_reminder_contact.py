# Copyright 2026 account_dunning_automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from collections import Counter

from odoo import api, fields, models, tools
from odoo.exceptions import UserError

from ..dunning_engine import contact as engine_contact
from ..dunning_engine import levels as engine_levels


class AccountDunningReminder(models.Model):
    """The contact policy of reminders: why each item is (or is not)
    escalated, the quiet period and the cap per customer, and the invariants
    that keep one contact per customer (an item claimed by one reminder
    only, holds re-checked)."""

    _inherit = "account.dunning.reminder"

    @api.model
    def _dunning_why(self, decision, as_of, policy, contact):
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
        date = params.get("date")
        date_str = tools.format_date(self.env, date) if date else ""
        level = new_level.name if new_level else ""
        texts = {
            "escalated": lambda: self.env._("Reaches level %(level)s, planned on %(date)s.",
                                   level=level, date=date_str),
            "held": lambda: self.env._(
                "Reaches level %(level)s, planned on %(date)s: it waited for this "
                "reminder (at least %(days)s days between two reminders to the "
                "customer).",
                level=level,
                date=date_str,
                days=params.get("days"),
            ),
            "last_level": lambda: self.env._(
                "Brought to the last level %(level)s: the customer already received "
                "%(count)s reminders before it.",
                level=level,
                count=params.get("count"),
            ),
            "waiting": lambda: self.env._("Not escalated: its next level is due on %(date)s.",
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
            "below_minimum": lambda: self.env._(
                "Not escalated: the overdue balance of the customer is below the "
                "minimum amount of its next level."
            ),
            "exhausted": lambda: self.env._("Not escalated: every level of its terms was reached."),
            "not_due": lambda: self.env._("Not yet due: listed for information."),
            "no_terms": lambda: self.env._("Not escalated: no reminder terms apply."),
            "not_invoice": lambda: self.env._(
                "Not an invoice: listed and counted, never escalated."
            ),
            "charge": lambda: self.env._(
                "Fees and interest of reminder %(name)s, not yet paid: counted in "
                "the total to pay, never escalated.",
                name=move_line.move_id.sudo().dunning_charge_reminder_id.name or "",
            ),
            "credit": lambda: self.env._("Open credit: deducted from the total to pay."),
            "blocked": lambda: self.env._(
                "On hold: listed for information, never escalated nor counted."
            ),
            "manual": lambda: self.env._(
                "Added by hand: listed and counted, not escalated by this reminder."
            ),
            "same_day": lambda: self.env._(
                "Not escalated: already reminded today, its next level waits for "
                "the next contact."
            ),
        }
        return {"escalation": code, "explanation": texts[code]()}

    @api.model
    def _dunning_contact_states(self, company, as_of, lines_by_partner):
        """Contact state of each customer of ``lines_by_partner`` (commercial
        partner -> its open items) at ``as_of``: the contact policy of its
        terms, the date of its last reminder, and the engine's decision (may it
        be reminded now, is the cap before the last level reached)."""
        partners = self.env["res.partner"].browse(
            [partner.id for partner in lines_by_partner]
        )
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
                # Contacts below the last level since the oldest open item
                # fell due: a customer who paid everything starts afresh. A
                # contact is a day: the reminders of a customer in several
                # currencies issued the same day count once, and those of
                # today are the contact being made.
                due_dates = [
                    line._dunning_due_date()
                    for line in move_lines
                    if line.amount_residual > 0
                ]
                if due_dates:
                    count = len(
                        self._read_group(
                            issued_domain[1:]
                            + [
                                ("partner_id", "=", partner.id),
                                ("issue_date", ">=", min(due_dates)),
                                ("issue_date", "<", as_of),
                                (
                                    "level_number",
                                    "<",
                                    max(term.level_ids.mapped("number")),
                                ),
                            ],
                            ["issue_date:day"],
                        )
                    )
            result[partner] = {
                "term": term,
                "policy": policy,
                "last_contact": last_contact,
                "count": count,
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
            fnames = ["dunning_count", "dunning_level_id", "dunning_level_number"]
            move_lines.invalidate_recordset(fnames)
            # Read again at once, not item by item by the checks.
            move_lines.fetch(fnames)

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

    def _check_partner_remindable(self):
        """A customer marked "No Reminders" (or archived) since the reminder
        was created is neither issued nor sent a reminder."""
        self.ensure_one()
        partner = self.partner_id.with_company(self.company_id)
        if not partner.commercial_partner_id.active:
            raise UserError(
                self.env._(
                    "Reminder %(name)s: %(partner)s is archived. Cancel the "
                    "reminder, or restore the customer first.",
                    name=self.name,
                    partner=partner.display_name,
                )
            )
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
        customer, as the contact policy of its terms says. A reminder of the
        customer in another currency issued the same day is the same contact
        (see dunning_engine.contact)."""
        self.ensure_one()
        term = self.partner_id.with_company(self.company_id)._get_dunning_term()
        policy = term._contact_policy()
        if not policy.min_days or self.is_notice:
            # a courtesy notice before the due date is not a reminder
            return
        last_date = self._dunning_prefetched("last_issue")
        if last_date is None:
            last_date = self.search(
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
            ).issue_date
        if not last_date:
            return
        decision = engine_contact.decide_contact(
            policy, fields.Date.context_today(self), last_date
        )
        self._check_contact_allowed(
            {
                "decision": decision,
                "policy": policy,
                "term": term,
                "last_contact": last_date,
            }
        )
