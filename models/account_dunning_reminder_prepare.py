# Copyright 2026 account_dunning_automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import api, models

from ..dunning_engine import contact as engine_contact
from ..dunning_engine import levels as engine_levels


class AccountDunningReminder(models.Model):
    """Preparation of the lines of a reminder from the open items of a
    customer: which items are listed, which reach a new level, and the values
    of each line."""

    _inherit = "account.dunning.reminder"

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
    # One pass over the items of a customer keeps every decision together
    # (currency totals, terms, contact policy, explanation): many locals.
    def _prepare_line_values(  # pylint: disable=too-many-locals
        self, move_lines, as_of, include_not_due=False, contact=None
    ):
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
                why = self._dunning_why(decision, as_of, policy, contact)
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
