# Copyright 2026 account_dunning_automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from collections import defaultdict
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..dunning_engine import insight as engine_insight

HORIZON_DAYS = 30


class AccountDunningForecast(models.TransientModel):
    """A contact the scheduled automations will make in the next 30 days if
    nothing is paid: computed by the engine from the terms, the levels and
    the open items, without touching reminders nor journal items."""

    _name = "account.dunning.forecast"
    _description = "Payment Reminder Forecast"
    _order = "date, partner_id, id"

    date = fields.Date(required=True, readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    responsible_id = fields.Many2one("res.users", string="Account Manager", readonly=True)
    level_id = fields.Many2one("account.dunning.level", readonly=True)
    level_number = fields.Integer(string="Level No.", readonly=True)
    channels = fields.Char(readonly=True)
    amount = fields.Monetary(
        string="Amount Due",
        readonly=True,
        help="Overdue amount less the open credits on that date, if nothing "
        "is paid meanwhile.",
    )
    amount_fee = fields.Monetary(string="Fees", readonly=True)
    amount_interest = fields.Monetary(string="Interest", readonly=True)
    amount_charges = fields.Monetary(string="Charges", readonly=True)
    invoice_count = fields.Integer(string="Invoices Reaching a Level", readonly=True)

    # ------------------------------------------------------------------
    # Computation (pure: nothing is written)
    # ------------------------------------------------------------------

    @api.model
    def _run_dates(self, automation, today, horizon):
        """Dates on which ``automation`` runs from ``today`` to ``horizon``."""
        if automation.state != "scheduled":
            return []
        dates = []
        day = max(automation.next_run_date or today, today)
        while day and day <= horizon:
            dates.append(day)
            following = automation._next_date(day)
            day = following if following and following > day else False
        return dates

    @api.model
    def _sending_automations(self, company):
        """Scheduled automations of ``company`` that create, issue and send."""
        automations = (
            self.env["account.dunning.automation"]
            .sudo()
            .search([("company_id", "=", company.id), ("state", "=", "scheduled")])
        )
        return automations.filtered(
            lambda a: {"create", "issue", "send"} <= set(a.action_ids.mapped("action_type"))
        )

    @api.model
    def _compute_contacts(self, company, partners=None, today=None, days=HORIZON_DAYS):
        """Engine contacts of the customers (all when ``partners`` is None)
        of ``company`` over the next ``days`` days, date order: the decisions
        of the reminder creation (terms, contact policy, promises, fees
        entries, credits per currency) replayed on each run date."""
        today = today or fields.Date.context_today(self)
        horizon = today + timedelta(days=days)
        # The contact policy decides which customers may be reminded and how
        # (the same service the reminder creation asks); the engine replays
        # its decisions on the run dates.
        policy_model = (
            self.env["account.dunning.contact.policy"].with_company(company).sudo()
        )
        by_partner = policy_model._dunning_customer_items(company, partners)
        if not by_partner:
            return []
        open_lines = self.env["account.move.line"].sudo().union(*by_partner.values())
        dates_by_partner = self._run_dates_by_partner(
            company,
            self.env["res.partner"].sudo().browse([partner.id for partner in by_partner]),
            today,
            horizon,
        )
        by_partner = {
            partner: lines
            for partner, lines in by_partner.items()
            if partner.id in dates_by_partner
        }
        states = policy_model._dunning_contact_states(company, today, by_partner)
        terms, levels = {}, {}
        items_by_dates = defaultdict(list)
        engine_customers = {}
        for partner, lines in by_partner.items():
            engine_customers[partner.id] = self._engine_customer(states[partner])
            for line in lines:
                term = line._dunning_term() if line.amount_residual > 0 else False
                key = (term.id, line.currency_id.id) if term else None
                if term and key not in terms:
                    terms[key] = self._engine_term(term, line.currency_id, today)
                    levels.update({level.id: level for level in term.level_ids})
                items_by_dates[frozenset(dates_by_partner[partner.id])].append(
                    self._engine_item(line, partner, key)
                )
        interest = self._interest_function(open_lines, levels)
        contacts = []
        digits = company.currency_id.decimal_places
        for run_dates, items in items_by_dates.items():
            contacts += engine_insight.forecast_contacts(
                items,
                terms,
                run_dates,
                digits=digits,
                customers=engine_customers,
                interest=interest,
            )
        return sorted(contacts, key=lambda c: (c.date, c.partner))

    @api.model
    def _run_dates_by_partner(self, company, customers, today, horizon):
        """Run dates of each customer (id): those of the automations that
        select it."""
        dates_by_partner = defaultdict(set)
        for automation in self._sending_automations(company):
            run_dates = self._run_dates(automation, today, horizon)
            if not run_dates:
                continue
            create = automation.action_ids.filtered(lambda a: a.action_type == "create")[:1]
            selected = automation.with_company(company)._filter_partners(
                customers, create._partner_filter_domain()
            )
            for partner in selected:
                dates_by_partner[partner.id].update(run_dates)
        return dates_by_partner

    @api.model
    def _engine_item(self, line, partner, term_key):
        return engine_insight.ForecastItem(
            key=line.id,
            partner=partner.id,
            term=term_key,
            amount=line.amount_residual_currency,
            state=line._dunning_engine_state(),
            fee_charged=line.dunning_fee_charged,
            currency=line.currency_id.id,
            is_invoice=line.move_id.is_invoice(include_receipts=True),
            is_charge=bool(line.move_id.dunning_charge_reminder_id),
            fee_per_invoice_allowed=line.move_id.move_type == "out_invoice",
            interest_date=line.dunning_interest_date or None,
        )

    @api.model
    def _engine_customer(self, state):
        """Contact state of a customer (see
        ``account.dunning.contact.policy._dunning_contact_states``)."""
        decision = state["decision"]
        term = state["term"]
        return engine_insight.ForecastCustomer(
            policy=state["policy"],
            last_contact=state["last_contact"],
            reminders_before_last=state.get("count", 0),
            last_level_number=max(term.level_ids.mapped("number"), default=0),
            # a promise to pay: nothing, not even a notice, before its end
            paused_until=decision.next_contact if state.get("promise") else None,
        )

    @api.model
    def _interest_function(self, open_lines, levels):
        """Interest of an item at a level, as the reminder line computes it
        (the payments already made lower it from their date)."""
        lines = {line.id: line for line in open_lines}

        def interest(item, charges, start, end):
            line = lines[item.key]
            level = levels[charges.key]
            try:
                result = level._compute_late_interest(
                    line.amount_currency,
                    start,
                    end,
                    line._dunning_interest_payments(),
                    line.currency_id,
                )
            except UserError:
                # A reference rate not entered yet: the run will stop on it
                # with the same message; the forecast shows no interest.
                return 0.0
            return result.amount

        return interest

    @api.model
    def _engine_term(self, term, currency, today):
        return engine_insight.ForecastTerm(
            levels=tuple(term._get_engine_levels(currency, today)),
            max_reminders=term.max_reminders,
            jump=term.escalation_mode == "jump",
            follow_plan=bool(term.min_contact_days),
            charges={
                level.number: engine_insight.LevelCharges(
                    fee_amount=term._fee_with_taxes(level.fee_amount, currency),
                    fee_per_invoice=level.fee_per_invoice,
                    # Any true value: the interest function computes the
                    # level's rate (fixed, or reference rate + points).
                    interest_rate=1.0 if level._has_interest() else 0.0,
                    key=level.id,
                )
                for level in term.level_ids
            },
        )

    @api.model
    def _channels(self, level):
        labels = [
            (level.send_email, self.env._("Email")),
            (level.send_letter, self.env._("Letter")),
            (level.send_sms, self.env._("SMS")),
            (level.create_call_activity, self.env._("Phone Call")),
        ]
        return ", ".join(label for enabled, label in labels if enabled)

    @api.model
    def _fill(self, company, partners=None, today=None):
        """Create the forecast records (of this session only) and return them."""
        contacts = self._compute_contacts(company, partners, today)
        levels = self.env["account.dunning.level"].sudo().browse(
            {c.level_key for c in contacts}
        )
        level_by_id = {level.id: level for level in levels}
        partner_model = self.env["res.partner"].with_company(company).sudo()
        values = []
        for contact in contacts:
            level = level_by_id[contact.level_key]
            partner = partner_model.browse(contact.partner)
            values.append(
                {
                    "date": contact.date,
                    "company_id": company.id,
                    "partner_id": contact.partner,
                    "responsible_id": partner.dunning_responsible_id.id,
                    "level_id": level.id,
                    "level_number": contact.level_number,
                    "channels": self._channels(level),
                    "amount": float(contact.amount),
                    "amount_fee": float(contact.fees),
                    "amount_interest": float(contact.interest),
                    "amount_charges": float(contact.fees + contact.interest),
                    "invoice_count": len(contact.items),
                }
            )
        return self.create(values)

    @api.model
    def action_open_forecast(self, partner_ids=None):
        """Forecast of the current company (or of some customers), as a list
        and a calendar."""
        partners = self.env["res.partner"].browse(partner_ids) if partner_ids else None
        if partners is not None:
            partners.check_access("read")
        records = self._fill(self.env.company, partners)
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "account_dunning_automation.action_account_dunning_forecast"
        )
        action["domain"] = [("id", "in", records.ids)]
        return action
