# Copyright 2026 account_dunning_automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from collections import defaultdict
from datetime import timedelta

from odoo import api, fields, models

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
        of ``company`` over the next ``days`` days, date order."""
        today = today or fields.Date.context_today(self)
        horizon = today + timedelta(days=days)
        reminder_model = self.env["account.dunning.reminder"].with_company(company).sudo()
        open_lines = reminder_model._dunning_open_lines(company, partners)
        if not open_lines:
            return []
        # Run dates of each customer: those of the automations selecting it.
        dates_by_partner = defaultdict(set)
        customers = open_lines.partner_id.commercial_partner_id
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
        terms = {}
        items_by_dates = defaultdict(list)
        for line in open_lines:
            partner = line.partner_id.commercial_partner_id
            run_dates = dates_by_partner.get(partner.id)
            if not run_dates or partner.with_company(company).dunning_blocked:
                continue
            term = line._dunning_term() if line.amount_residual > 0 else False
            if term and term.id not in terms:
                terms[term.id] = self._engine_term(term)
            items_by_dates[frozenset(run_dates)].append(
                engine_insight.ForecastItem(
                    key=line.id,
                    partner=partner.id,
                    term=term.id if term else None,
                    amount=line.amount_residual,
                    state=line._dunning_engine_state(),
                    fee_charged=line.dunning_fee_charged,
                )
            )
        contacts = []
        digits = company.currency_id.decimal_places
        for run_dates, items in items_by_dates.items():
            contacts += engine_insight.forecast_contacts(
                items, terms, run_dates, digits=digits
            )
        return sorted(contacts, key=lambda c: (c.date, c.partner))

    @api.model
    def _engine_term(self, term):
        return engine_insight.ForecastTerm(
            levels=tuple(term._get_engine_levels()),
            max_reminders=term.max_reminders,
            jump=term.escalation_mode == "jump",
            charges={
                level.number: engine_insight.LevelCharges(
                    fee_amount=level.fee_amount,
                    fee_per_invoice=level.fee_per_invoice,
                    interest_rate=level.interest_rate,
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
