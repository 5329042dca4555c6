# Copyright 2026 account_dunning_automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

import logging
from collections import defaultdict
from datetime import timedelta

from odoo import api, fields, models, modules
from odoo.exceptions import UserError, ValidationError
from odoo.tools.misc import formatLang

from ..dunning_engine import insight as engine_insight
from ..dunning_engine import kpis as engine_kpis
from .account_move import DUNNING_READ_GROUPS

_logger = logging.getLogger(__name__)

SCORE_FIELDS = (
    "dunning_score",
    "dunning_profile",
    "dunning_score_days_late",
    "dunning_score_late_share",
    "dunning_score_reminders",
    "dunning_score_invoice_count",
)

# Invoices due in the last 12 months of one company, per customer: average
# days late weighted by amount (open items count as late until today), share
# of invoices paid late, reminders issued per invoice. One query per company:
# the cron never loops over invoices in Python.
SCORE_QUERY = """
    WITH items AS (
        SELECT COALESCE(p.commercial_partner_id, p.id) AS partner_id,
               aml.balance,
               COALESCE(aml.dunning_count, 0) AS reminders,
               GREATEST(0, COALESCE(
                   CASE WHEN aml.reconciled THEN (
                       SELECT MAX(apr.max_date) FROM account_partial_reconcile apr
                        WHERE apr.debit_move_id = aml.id
                   ) END,
                   %(today)s::date
               ) - COALESCE(aml.date_maturity, aml.date)) AS days_late
          FROM account_move_line aml
          JOIN account_account acc ON acc.id = aml.account_id
          JOIN account_move am ON am.id = aml.move_id
          JOIN res_partner p ON p.id = aml.partner_id
         WHERE aml.company_id = %(company)s
           AND acc.account_type = 'asset_receivable'
           AND aml.parent_state = 'posted'
           AND am.move_type = 'out_invoice'
           AND aml.balance > 0
           AND COALESCE(aml.date_maturity, aml.date) > %(start)s::date
           AND COALESCE(aml.date_maturity, aml.date) <= %(today)s::date
    )
    SELECT partner_id,
           SUM(balance * days_late) / NULLIF(SUM(balance), 0),
           100.0 * COUNT(*) FILTER (WHERE days_late > 0) / COUNT(*),
           SUM(reminders)::numeric / COUNT(*),
           COUNT(*)
      FROM items
     GROUP BY partner_id
     ORDER BY partner_id
"""


class ResPartner(models.Model):
    """The customer's reminder settings in each company (terms, blocking,
    account manager), its payment score and profile (recomputed every night),
    its promises to pay and the one-click "send a reminder now"."""

    _inherit = "res.partner"

    dunning_term_id = fields.Many2one(
        "account.dunning.term",
        string="Reminder Terms",
        company_dependent=True,
        domain="[('company_id', '=', current_company_id)]",
        tracking=True,
        groups=DUNNING_READ_GROUPS,
        help="Reminder terms of this customer in the current company. When "
        "empty, the default terms of the company apply.",
    )
    dunning_blocked = fields.Boolean(
        string="No Reminders",
        company_dependent=True,
        tracking=True,
        groups=DUNNING_READ_GROUPS,
        help="Never send payment reminders to this customer (e.g. dispute, "
        "payment plan agreed).",
    )
    dunning_responsible_id = fields.Many2one(
        "res.users",
        string="Account Manager",
        company_dependent=True,
        tracking=True,
        groups=DUNNING_READ_GROUPS,
        help="User in charge of collecting the invoices of this customer in the "
        "current company: reminders and follow-up calls are assigned to them.",
    )
    dunning_effective_term_id = fields.Many2one(
        "account.dunning.term",
        string="Terms Applied",
        compute="_compute_dunning_effective_term_id",
        groups=DUNNING_READ_GROUPS,
        help="Reminder terms used for this customer: its own terms (those of "
        "its company for a contact), else the default terms of the company.",
    )
    dunning_reminder_ids = fields.One2many(
        "account.dunning.reminder",
        "partner_id",
        string="Reminders",
        readonly=True,
        groups=DUNNING_READ_GROUPS,
    )
    dunning_reminder_count = fields.Integer(
        string="Reminder Count", compute="_compute_dunning_reminder_stats",
        groups=DUNNING_READ_GROUPS,
    )
    dunning_last_reminder_date = fields.Date(
        string="Last Reminder", compute="_compute_dunning_reminder_stats",
        groups=DUNNING_READ_GROUPS,
    )
    dunning_max_level = fields.Integer(
        string="Highest Reminder Level",
        compute="_compute_dunning_kpis",
        groups=DUNNING_READ_GROUPS,
        help="Highest level among the open invoices of the customer.",
    )

    dunning_amount_due = fields.Monetary(
        string="Open Balance",
        compute="_compute_dunning_kpis",
        currency_field="currency_id",
        groups=DUNNING_READ_GROUPS,
        help="Open receivable balance in the current company, less open credits.",
    )
    dunning_amount_overdue = fields.Monetary(
        string="Overdue Amount",
        compute="_compute_dunning_kpis",
        currency_field="currency_id",
        groups=DUNNING_READ_GROUPS,
    )
    dunning_overdue_ratio = fields.Float(
        string="Overdue Ratio (%)",
        compute="_compute_dunning_kpis",
        digits=(16, 2),
        groups=DUNNING_READ_GROUPS,
        help="Share of the open amounts due that is overdue (open credits not "
        "deducted).",
    )
    dunning_days_late = fields.Float(
        string="Average Days Late",
        compute="_compute_dunning_kpis",
        digits=(16, 2),
        groups=DUNNING_READ_GROUPS,
        help="Days overdue of the overdue invoices, weighted by their open amount.",
    )
    dunning_dso = fields.Float(
        string="DSO (days)",
        compute="_compute_dunning_kpis",
        digits=(16, 2),
        groups=DUNNING_READ_GROUPS,
        help="Days sales outstanding, countback method: the open balance is "
        "matched against the invoices of the current month, then of each "
        "previous month (12 at most); the DSO is the number of days of sales it "
        "represents.",
    )

    def write(self, vals):
        self.env["account.move.line"]._dunning_check_user_fields(
            vals, ("dunning_term_id", "dunning_blocked", "dunning_responsible_id")
        )
        return super().write(vals)

    @api.depends_context("company")
    def _compute_dunning_kpis(self):
        line_model = self.env["account.move.line"]
        today = fields.Date.context_today(self)
        company = self.env.company
        for partner in self:
            commercial = partner.commercial_partner_id
            if not commercial.id:
                partner.update(
                    {
                        "dunning_amount_due": 0.0,
                        "dunning_amount_overdue": 0.0,
                        "dunning_overdue_ratio": 0.0,
                        "dunning_days_late": 0.0,
                        "dunning_dso": 0.0,
                        "dunning_max_level": 0,
                    }
                )
                continue
            open_lines = line_model.search(
                line_model._dunning_open_receivable_domain(company, with_credits=True)
                + [("partner_id", "child_of", commercial.id)]
            )
            overdue = open_lines.filtered(
                lambda l: l.amount_residual > 0 and l._dunning_due_date() < today
            )
            amount_due = sum(open_lines.mapped("amount_residual"))
            amount_overdue = sum(overdue.mapped("amount_residual"))
            # The overdue ratio is a share of the open debits (never over
            # 100 %); the DSO compares the sales with what they left open,
            # without the reminders' own charges (neither sales nor their
            # receivables).
            open_debits = sum(l.amount_residual for l in open_lines if l.amount_residual > 0)
            trade_due = sum(
                l.amount_residual for l in open_lines if not l._dunning_is_charge_item()
            )
            periods = engine_insight.month_periods(today)
            monthly = dict(
                self.env["account.move"]._read_group(
                    [
                        ("company_id", "=", company.id),
                        ("commercial_partner_id", "=", commercial.id),
                        ("state", "=", "posted"),
                        ("move_type", "in", ("out_invoice", "out_refund")),
                        ("dunning_charge_reminder_id", "=", False),
                        ("invoice_date", ">=", periods[-1][0]),
                        ("invoice_date", "<=", today),
                    ],
                    ["invoice_date:month"],
                    ["amount_total_signed:sum"],
                )
            )
            sales = [monthly.get(start, 0.0) for start, _end in periods]
            partner.update(
                {
                    "dunning_amount_due": amount_due,
                    "dunning_amount_overdue": amount_overdue,
                    "dunning_overdue_ratio": float(
                        engine_kpis.overdue_ratio(amount_overdue, open_debits)
                    ),
                    "dunning_days_late": float(
                        engine_kpis.average_days_late(
                            (l.amount_residual, (today - l._dunning_due_date()).days)
                            for l in overdue
                        )
                    ),
                    "dunning_dso": float(
                        engine_insight.dso_countback_months(today, trade_due, sales)
                    ),
                    "dunning_max_level": max(
                        open_lines.mapped("dunning_level_number") or [0]
                    ),
                }
            )

    @api.depends_context("company")
    @api.depends("dunning_term_id", "commercial_partner_id.dunning_term_id")
    def _compute_dunning_effective_term_id(self):
        for partner in self:
            partner.dunning_effective_term_id = partner._get_dunning_term()

    @api.depends_context("company")
    def _compute_dunning_reminder_stats(self):
        reminder_model = self.env["account.dunning.reminder"]
        for partner in self:
            commercial = partner.commercial_partner_id
            if not commercial.id:
                partner.dunning_reminder_count = 0
                partner.dunning_last_reminder_date = False
                continue
            reminders = reminder_model.search(
                [
                    ("partner_id", "=", commercial.id),
                    ("company_id", "in", self.env.companies.ids),
                    ("state", "!=", "cancel"),
                ]
            )
            partner.dunning_reminder_count = len(reminders)
            issued = reminders.filtered("issue_date")
            partner.dunning_last_reminder_date = (
                max(issued.mapped("issue_date")) if issued else False
            )

    @api.constrains("dunning_term_id")
    def _check_dunning_term_company(self):
        for partner in self:
            term = partner.dunning_term_id
            if term and term.company_id != self.env.company:
                raise ValidationError(
                    self.env._(
                        "The reminder terms %(term)s belong to %(company)s: they "
                        "cannot be set on %(partner)s for %(current)s.",
                        term=term.display_name,
                        company=term.company_id.name,
                        partner=partner.display_name,
                        current=self.env.company.name,
                    )
                )

    def _get_dunning_term(self):
        """Terms applying to this partner in the current company."""
        self.ensure_one()
        commercial = self.commercial_partner_id
        return commercial.dunning_term_id or self.env.company.dunning_term_id

    def action_view_dunning_reminders(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "account_dunning_automation.action_account_dunning_reminder"
        )
        action["domain"] = [("partner_id", "=", self.commercial_partner_id.id)]
        action["context"] = {"default_partner_id": self.commercial_partner_id.id}
        return action

    def _dunning_rule_partners(self, company):
        """The partners among these a reminder rule of ``company`` may write:
        shared or of that company, never the contact of an internal user (its
        email is a login and password-reset address)."""
        return self.filtered(
            lambda p: (not p.company_id or p.company_id == company)
            and not p.sudo().user_ids.filtered(lambda u: not u.share)
        )

    # ------------------------------------------------------------------
    # Payment score and profile, the next contact of the automations
    # ------------------------------------------------------------------

    dunning_score = fields.Float(
        string="Payment Score",
        company_dependent=True,
        digits=(16, 2),
        readonly=True,
        groups=DUNNING_READ_GROUPS,
        help="Payment behaviour over the invoices due in the last 12 months, "
        "from 100 (always on time) to 0: 100 - 50 x days late (up to 60) / 60 "
        "- 30 x share paid late - 20 x reminders per invoice (up to 2) / 2. "
        "Recomputed every night.",
    )
    dunning_score_label = fields.Char(
        string="Payment Score Shown",
        compute="_compute_dunning_score_label",
        groups=DUNNING_READ_GROUPS,
        help="The payment score, or \"No score yet\" before the nightly "
        "computation scored the customer (0 is the worst score, not an unknown "
        "one).",
    )
    dunning_profile = fields.Selection(
        [(name, name) for name in engine_insight.PROFILES],
        string="Payment Profile",
        company_dependent=True,
        readonly=True,
        groups=DUNNING_READ_GROUPS,
        help="A (best) to E, from the payment score and the minimum scores set "
        "in the settings; usable in reminder rules and automation filters.",
    )
    dunning_score_days_late = fields.Float(
        string="Days Late (12 Months)",
        company_dependent=True,
        digits=(16, 2),
        readonly=True,
        groups=DUNNING_READ_GROUPS,
        help="Days between the due date and the payment of the invoices due in "
        "the last 12 months (today for the unpaid ones), weighted by amount.",
    )
    dunning_score_late_share = fields.Float(
        string="Paid Late (%)",
        company_dependent=True,
        digits=(16, 2),
        readonly=True,
        groups=DUNNING_READ_GROUPS,
        help="Share of the invoices due in the last 12 months paid after their "
        "due date (or still unpaid).",
    )
    dunning_score_reminders = fields.Float(
        string="Reminders per Invoice",
        company_dependent=True,
        digits=(16, 2),
        readonly=True,
        groups=DUNNING_READ_GROUPS,
        help="Reminders issued per invoice due in the last 12 months.",
    )
    dunning_score_invoice_count = fields.Integer(
        string="Invoices Scored",
        company_dependent=True,
        readonly=True,
        groups=DUNNING_READ_GROUPS,
    )
    dunning_next_contact_date = fields.Date(
        string="Next Reminder On",
        compute="_compute_dunning_next_contact",
        groups=DUNNING_READ_GROUPS,
        help="Next reminder the scheduled automations will send in the next 30 "
        "days if nothing is paid.",
    )
    dunning_next_contact_level_id = fields.Many2one(
        "account.dunning.level",
        string="Next Reminder Level",
        compute="_compute_dunning_next_contact",
        groups=DUNNING_READ_GROUPS,
    )

    @api.depends_context("company", "lang")
    @api.depends("dunning_score", "dunning_profile")
    def _compute_dunning_score_label(self):
        # Scored customers have a profile (A to E); without one, the score
        # field's 0.00 means "never computed".
        for partner in self:
            partner.dunning_score_label = (
                formatLang(self.env, partner.dunning_score, digits=2)
                if partner.dunning_profile
                else self.env._("No score yet")
            )

    @api.depends_context("company")
    def _compute_dunning_next_contact(self):
        forecast = self.env["account.dunning.forecast"]
        level_model = self.env["account.dunning.level"]
        for partner in self:
            contacts = []
            if partner.commercial_partner_id.id:
                contacts = forecast._compute_contacts(
                    self.env.company, partner.commercial_partner_id
                )
            first = contacts[0] if contacts else None
            partner.dunning_next_contact_date = first.date if first else False
            partner.dunning_next_contact_level_id = level_model.browse(
                first.level_key if first else []
            )

    # ------------------------------------------------------------------
    # Nightly score
    # ------------------------------------------------------------------

    @api.model
    def _cron_dunning_score(self, batch_size=500, commit=True):
        """Recompute the payment score and profile of the customers of every
        company, in batches. The values are written through the ORM (only
        when they change) so that reminder rules watching the profile run.
        As superuser (like any cron): every company is scored."""
        self = self.sudo()  # pylint: disable=self-cls-assignment
        # A handful of companies: all of them are scored.
        companies = self.env["res.company"].search([])  # pylint: disable=no-search-all
        plans = [(company, self._dunning_score_values(company)) for company in companies]
        total = sum(len(values) for _company, values in plans)
        done = 0
        for company, values in plans:
            partner_ids = sorted(values)
            for start in range(0, len(partner_ids), batch_size):
                batch = partner_ids[start : start + batch_size]
                self._dunning_write_scores(company, {pid: values[pid] for pid in batch})
                done += len(batch)
                self.env["ir.cron"]._notify_progress(done=done, remaining=total - done)
                if commit and not modules.module.current_test:
                    # Commit each batch: a long run keeps what it computed.
                    self.env.cr.commit()  # pylint: disable=invalid-commit
        _logger.info("Payment scores recomputed for %s customers", total)
        return done

    @api.model
    def _dunning_score_values(self, company, today=None):
        """``{partner_id: values}`` of the score fields in ``company``: the
        customers scored from their invoices and those that had a score and
        have no invoice due in the last 12 months any more (cleared)."""
        today = today or fields.Date.context_today(self)
        self.env.flush_all()
        self.env.cr.execute(
            SCORE_QUERY,
            {"company": company.id, "today": today, "start": today - timedelta(days=365)},
        )
        thresholds = company._dunning_profile_thresholds()
        result = {}
        for partner_id, days, share, reminders, count in self.env.cr.fetchall():
            days, share, reminders = days or 0, share or 0, reminders or 0
            score = engine_insight.payment_score(days, share, reminders)
            result[partner_id] = {
                "dunning_score": float(score),
                "dunning_profile": engine_insight.profile(score, thresholds),
                "dunning_score_days_late": round(float(days), 2),
                "dunning_score_late_share": round(float(share), 2),
                "dunning_score_reminders": round(float(reminders), 2),
                "dunning_score_invoice_count": count,
            }
        scored = (
            self.with_company(company)
            .with_context(active_test=False)
            .search([("dunning_profile", "!=", False), ("id", "not in", list(result))])
        )
        empty = {name: False for name in SCORE_FIELDS}
        for partner_id in scored.ids:
            result[partner_id] = dict(empty, dunning_score_invoice_count=0)
        return result

    @api.model
    def _dunning_write_scores(self, company, values_by_partner):
        """Write the changed score values, one ORM write per group of equal
        values (as the company, so that company-dependent values and the
        rules of that company apply)."""
        partners = self.with_company(company).browse(list(values_by_partner))
        groups = defaultdict(list)
        for partner in partners:
            values = values_by_partner[partner.id]
            changed = {
                name: value
                for name, value in values.items()
                if (partner[name] or False) != (value or False)
            }
            if changed:
                groups[tuple(sorted(changed.items()))].append(partner.id)
        for items, ids in groups.items():
            partners.browse(ids).write(dict(items))
        return len(groups)

    def action_view_dunning_forecast(self):
        """The next reminders of this customer in the current company."""
        self.ensure_one()
        return self.env["account.dunning.forecast"].action_open_forecast(
            self.commercial_partner_id.ids
        )

    # ------------------------------------------------------------------
    # Promises to pay of the customer (see account.dunning.promise)
    # ------------------------------------------------------------------

    dunning_promise_ids = fields.One2many(
        "account.dunning.promise",
        "partner_id",
        string="Promises to Pay",
        readonly=True,
        groups=DUNNING_READ_GROUPS,
    )
    dunning_promise_count = fields.Integer(
        string="Promise Count",
        compute="_compute_dunning_promise_count",
        groups=DUNNING_READ_GROUPS,
    )

    def _compute_dunning_promise_count(self):
        data = self.env["account.dunning.promise"]._read_group(
            [("partner_id", "in", self.commercial_partner_id.ids)],
            ["partner_id"],
            ["__count"],
        )
        counts = {partner.id: count for partner, count in data}
        for partner in self:
            partner.dunning_promise_count = counts.get(partner.commercial_partner_id.id, 0)

    def action_new_dunning_promise(self):
        """Open the form of a new promise to pay of the customer, its amount
        starting at what the customer has overdue (from a reminder: the
        reminder's total due), not at 0."""
        self.ensure_one()
        context = dict(self.env.context, default_partner_id=self.commercial_partner_id.id)
        if "default_amount" not in context:
            reminder = self.env["account.dunning.reminder"].browse(
                context.get("default_reminder_id")
            ).exists()
            amount = (
                reminder.amount_total_company
                if reminder
                else self.commercial_partner_id.dunning_amount_overdue
            )
            context["default_amount"] = max(amount, 0.0)
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Promise to Pay"),
            "res_model": "account.dunning.promise",
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
            "context": context,
        }

    def action_view_dunning_promises(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "account_dunning_automation.action_account_dunning_promise"
        )
        action["domain"] = [("partner_id", "=", self.commercial_partner_id.id)]
        action["context"] = {"default_partner_id": self.commercial_partner_id.id}
        return action

    # ------------------------------------------------------------------
    # Send a reminder now
    # ------------------------------------------------------------------

    def action_dunning_send_now(self):
        """One click from the customer: create (or recompute) the draft
        reminder of the customer at today's date, issue it and send it by the
        channels of its level, through the sending wizard (summary shown)."""
        self.ensure_one()
        partner = self.commercial_partner_id
        reminders = self.env["account.dunning.reminder"]._create_reminders(partners=partner)
        if not reminders:
            raise UserError(
                self.env._(
                    "No reminder to send to %(partner)s today: no overdue invoice "
                    "reaches a new reminder level (or the customer is marked \"No "
                    "Reminders\", or was reminded too recently).",
                    partner=partner.display_name,
                )
            )
        return self.env["account.dunning.send"]._action_issue_and_send(reminders)
