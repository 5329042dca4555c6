# Copyright 2026 account_dunning_automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The contact policy of the payment reminders: which customers may be
contacted today, and which of their items advance a level.

THE one place where "an invoice advances a level" is decided
(:meth:`_dunning_item_decision`): the reminder creation (through the lines,
``account.dunning.reminder.line._prepare_lines_vals``) and the forecast
(``account.dunning.forecast``) both ask it. The pure decisions (levels, quiet
period, cap before the last level) are the engine's (``dunning_engine.levels``
and ``dunning_engine.contact``); this service feeds them with the books:
open items, last contacts, promises to pay, holds. It also holds the checks
that keep one contact per customer when reminders are issued.
"""

import logging
from collections import Counter
from datetime import timedelta

from odoo import api, fields, models, tools
from odoo.exceptions import UserError
from odoo.tools import format_amount, format_date

from ..dunning_engine import contact as engine_contact
from ..dunning_engine import levels as engine_levels

_logger = logging.getLogger(__name__)


class AccountDunningContactPolicy(models.AbstractModel):
    _name = "account.dunning.contact.policy"
    _description = "Payment Reminder Contact Policy"

    # ------------------------------------------------------------------
    # Which customers, which items
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
            domain += move_line_model._dunning_partners_domain(partners.commercial_partner_id)
        return move_line_model.search(domain, order="date_maturity, id")

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
    def _dunning_customer_items(self, company, partners=None, include_blocked=False):
        """The open items of the customers (all when ``partners`` is None) of
        ``company`` that may be reminded at all: {commercial partner: its
        open items}. Customers on hold or archived are left out. Asked by the
        reminder creation and by the forecast."""
        open_lines = self._dunning_open_lines(company, partners, include_blocked)
        return {
            partner: lines
            for partner, lines in open_lines.grouped(
                lambda l: l.partner_id.commercial_partner_id
            ).items()
            if self._dunning_may_remind(partner, company)
        }

    @api.model
    def _dunning_contact_states(self, company, as_of, lines_by_partner):
        """Contact state of each customer of ``lines_by_partner`` (commercial
        partner -> its open items) at ``as_of``: the contact policy of its
        terms, the date of its last reminder, and the engine's decision (may it
        be reminded now, is the cap before the last level reached; a promise to
        pay pauses every contact up to its date)."""
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
            self.env["account.dunning.reminder"]._read_group(
                issued_domain, ["partner_id"], ["issue_date:max"]
            )
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
                        self.env["account.dunning.reminder"]._read_group(
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
        # A customer with an open promise to pay is not contacted up to the
        # promised date, not even by a notice before a due date.
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
    def _dunning_under_notice(self, move_lines, as_of):
        """Whether an open overdue item of ``move_lines`` (one customer) is
        at the last level of its terms: the customer received its formal
        notice."""
        # The items never reminded (most of them) are left out first: the
        # hold of their invoice is not read for them.
        return any(
            line.amount_residual > 0
            and line._dunning_due_date() < as_of
            and line.dunning_level_number
            >= max(line.dunning_level_id.term_id.level_ids.mapped("number"), default=0)
            for line in move_lines
            if line.dunning_level_number and not line.move_id.dunning_blocked
        )

    # ------------------------------------------------------------------
    # Which items advance a level
    # ------------------------------------------------------------------

    @api.model
    def _dunning_item_decision(self, line, term, as_of, contact, total_overdue, rules_cache):
        """Whether the journal item ``line`` advances a level at ``as_of``,
        and why: ``(new_level, why)``, ``new_level`` empty when it does not.

        ``term`` is the item's reminder terms, ``contact`` the contact state
        of its customer (:meth:`_dunning_contact_states`, with
        ``under_notice`` / ``notices_only`` set by the creation),
        ``total_overdue`` the customer's net overdue total in the item's
        currency, ``rules_cache`` a dict shared by the items of one customer
        (the engine levels of each terms and currency). The engine decides the
        level (``dunning_engine.levels.decide``); the contact policy may hold
        it (reminded today, quiet period: notices only), stop it (one reminder
        per level) or bring it to the last level (cap, formal notice)."""
        new_level = self.env["account.dunning.level"]
        if not line.move_id.is_invoice(include_receipts=True):
            return new_level, ("not_invoice", {})
        if not term or (total_overdue <= 0 and line._dunning_due_date() < as_of):
            # No terms; or its currency's credits cover what is overdue in it.
            return new_level, (("below_minimum", {}) if term else ("no_terms", {}))
        policy = contact.get("policy") or engine_contact.ContactPolicy(0, 0)
        cap_reached = bool(contact.get("decision") and contact["decision"].cap_reached)
        # A customer under formal notice (an open item at the last level of
        # its terms) gets no friendly reminder after it: the items escalating
        # go to the last level too (issue #19).
        cap_reached = cap_reached or bool(contact.get("under_notice"))
        key = (term, line.currency_id)
        if key not in rules_cache:
            rules_cache[key] = term._get_engine_levels(line.currency_id, as_of)
        rules = rules_cache[key]
        advance = engine_contact.item_advance(
            rules,
            line._dunning_engine_state(),
            as_of,
            engine_contact.PlanOptions(
                max_reminders=term.max_reminders,
                jump=term.escalation_mode == "jump",
                follow_plan=bool(term.min_contact_days),
            ),
            total_overdue=total_overdue,
            notices_only=bool(contact.get("notices_only")),
            cap_reached=cap_reached,
        )
        decision = advance.decision
        why = self._dunning_why(decision, as_of, policy, contact)
        if advance.reason == engine_contact.REMINDED_TODAY:
            # Reminded today already: the same-day contact (another
            # currency of the customer) never takes it one level more.
            why = ("same_day", {})
        elif advance.reason == engine_contact.AS_NOTICE:
            why = ("notice", {"date": decision.trigger_date})
        elif advance.reason == engine_contact.HELD_QUIET:
            why = ("held_quiet", {"date": contact["decision"].next_contact})
        elif advance.reason == engine_contact.EXHAUSTED:
            # One reminder per level: an item brought to the last level
            # by the contact cap is not reminded again at that level.
            why = ("exhausted", {})
        elif advance.reason == engine_contact.TO_LAST_LEVEL:
            why = ("last_level", {"count": policy.max_before_last})
        if advance.level is not None:
            new_level = new_level.browse(advance.level.key)
        return new_level, why

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
    @api.model
    def _dunning_raise_to_highest(self, line_values, as_of):
        """Business Central's "Set the highest level on all lines": the
        overdue items of the customer (same terms) are brought to the highest
        level one of them reaches, so that one reminder, e.g. one formal
        notice, lists them all at that level. Returns the new line values,
        or None when the customer waits: its most advanced item still has a
        level ahead and none of its items reaches a level beyond it (an
        invoice falling due in the middle of the customer's plan joins it at
        its next step instead of starting a reminder of its own)."""
        level_model = self.env["account.dunning.level"]
        new_levels = level_model.browse(
            [v["level_id"] for v in line_values if v.get("is_new_level")]
        ).filtered(lambda level: not level.is_pre_due)
        if not new_levels:
            return line_values
        highest = new_levels.sorted(lambda level: (level.number, level.id))[-1]
        current = max(
            (
                self.env["account.move.line"].browse(v["move_line_id"]).dunning_level_number
                for v in line_values
                if v["line_type"] == "overdue" and v.get("term_id") == highest.term_id.id
            ),
            default=0,
        )
        last = max(highest.term_id.level_ids.mapped("number"), default=0)
        if highest.number <= current < last:
            return None
        result = []
        for values in line_values:
            move_line = self.env["account.move.line"].browse(values["move_line_id"])
            if (
                values["line_type"] == "overdue"
                and values.get("term_id") == highest.term_id.id
                and values.get("escalation") not in ("not_invoice", "exhausted", "no_terms")
                and move_line.dunning_level_number < highest.number
                and values["level_id"] != highest.id
            ):
                values = dict(
                    self.env["account.dunning.reminder.line"]._prepare_line_vals(
                        move_line, as_of, "overdue", highest, highest.term_id
                    ),
                    escalation="escalated",
                    explanation=self.env._(
                        "Brought to level %(level)s with the other overdue items of the "
                        "customer (highest level on all lines).",
                        level=highest.name,
                    ),
                )
            result.append(values)
        return result

    # ------------------------------------------------------------------
    # One contact per customer: checked when reminders are issued and sent
    # ------------------------------------------------------------------

    @api.model
    def _check_contact_allowed(self, reminder, contact):
        """Refuse a reminder inside the quiet period of its customer."""
        reminder.ensure_one()
        decision = contact["decision"]
        if not decision.allowed:
            raise UserError(
                reminder.env._(
                    "%(partner)s was reminded on %(last)s: the reminder terms "
                    "%(term)s allow one reminder every %(days)s days, the next one "
                    "from %(next)s. The items that reached a level meanwhile wait "
                    "for it.",
                    partner=reminder.partner_id.display_name,
                    last=tools.format_date(reminder.env, contact["last_contact"]),
                    term=contact["term"].display_name,
                    days=contact["policy"].min_days,
                    next=tools.format_date(reminder.env, decision.next_contact),
                )
            )

    @api.model
    def _check_partner_remindable(self, reminder):
        """A customer marked "No Reminders" (or archived) since the reminder
        was created is neither issued nor sent a reminder."""
        reminder.ensure_one()
        partner = reminder.partner_id.with_company(reminder.company_id)
        if not partner.commercial_partner_id.active:
            raise UserError(
                reminder.env._(
                    "Reminder %(name)s: %(partner)s is archived. Cancel the "
                    "reminder, or restore the customer first.",
                    name=reminder.name,
                    partner=partner.display_name,
                )
            )
        if partner.dunning_blocked:
            raise UserError(
                reminder.env._(
                    "Reminder %(name)s: %(partner)s is marked \"No Reminders\". "
                    "Cancel the reminder, or remove the mark first.",
                    name=reminder.name,
                    partner=partner.display_name,
                )
            )

    @api.model
    def _check_quiet_period(self, reminder):
        """Refuse to issue a reminder too soon after the last one issued to the
        customer, as the contact policy of its terms says. A reminder of the
        customer in another currency issued the same day is the same contact
        (see dunning_engine.contact)."""
        reminder.ensure_one()
        term = reminder.partner_id.with_company(reminder.company_id)._get_dunning_term()
        policy = term._contact_policy()
        if not policy.min_days or reminder.is_notice:
            # a courtesy notice before the due date is not a reminder
            return
        last_date = self.env["account.dunning.issue"]._dunning_prefetched(reminder, "last_issue")
        if last_date is None:
            last_date = reminder.search(
                [
                    ("partner_id", "=", reminder.partner_id.id),
                    ("company_id", "=", reminder.company_id.id),
                    ("state", "in", ("issued", "sent")),
                    ("issue_date", "!=", False),
                    ("is_notice", "=", False),
                    ("id", "!=", reminder.id),
                ],
                order="issue_date desc",
                limit=1,
            ).issue_date
        if not last_date:
            return
        decision = engine_contact.decide_contact(
            policy, fields.Date.context_today(reminder), last_date
        )
        self._check_contact_allowed(
            reminder,
            {
                "decision": decision,
                "policy": policy,
                "term": term,
                "last_contact": last_date,
            }
        )

    @api.model
    def _check_no_open_promise(self, reminder):
        """Nothing is issued to a customer who promised to pay, up to the date."""
        reminder.ensure_one()
        promise_id = self.env["account.dunning.issue"]._dunning_prefetched(reminder, "promise")
        if promise_id is None:
            promise = self.env["account.dunning.promise"]._dunning_open_promises(
                reminder.company_id, fields.Date.context_today(reminder), reminder.partner_id
            )[:1]
        else:
            promise = self.env["account.dunning.promise"].browse(promise_id or [])
        if promise:
            raise UserError(
                reminder.env._(
                    "Reminder %(name)s is not issued: %(partner)s promised to pay "
                    "%(amount)s by %(date)s; the reminders are paused until then.",
                    name=reminder.name,
                    partner=reminder.partner_id.display_name,
                    amount=format_amount(reminder.env, promise.amount, promise.currency_id),
                    date=format_date(reminder.env, promise.promised_date),
                )
            )

    @api.model
    def _lock_claimed_items(self, reminders):
        """Lock the journal items the reminders escalate until the end of the
        transaction: two users issuing reminders for the same items at the same
        moment are serialised (the second one sees the levels recorded by the
        first and is refused as out of date)."""
        move_lines = reminders.line_ids.filtered("is_new_level").move_line_id
        if move_lines:
            reminders.env.cr.execute(
                "SELECT id FROM account_move_line WHERE id IN %s FOR UPDATE",
                [tuple(move_lines.ids)],
            )
            fnames = ["dunning_count", "dunning_level_id", "dunning_level_number"]
            move_lines.invalidate_recordset(fnames)
            # Read again at once, not item by item by the checks.
            move_lines.fetch(fnames)

    @api.model
    def _check_items_claimed_once(self, reminders):
        """The same journal item is never escalated by two reminders: not by
        two reminders issued together, nor by one already issued."""
        lines = reminders.line_ids.filtered("is_new_level")
        counts = Counter(lines.move_line_id.ids)
        twice = lines.move_line_id.filtered(lambda l: counts[l.id] > 1)
        others = reminders.env["account.dunning.reminder.line"].search(
            [
                ("move_line_id", "in", lines.move_line_id.ids),
                ("is_new_level", "=", True),
                ("reminder_id.state", "in", ("issued", "sent")),
                ("reminder_id", "not in", reminders.ids),
            ]
        )
        for line in lines:
            twice |= others.filtered(
                lambda o, line=line: o.move_line_id == line.move_line_id
                and o.previous_count == line.previous_count
            ).move_line_id
        if twice:
            raise UserError(
                reminders.env._(
                    "%(items)s cannot be claimed twice: another reminder already "
                    "escalates them to the same level. Recompute or cancel the "
                    "reminders.",
                    items=", ".join(twice.move_id.mapped("display_name")),
                )
            )
