# Copyright 2026 account_dunning_automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

import logging
from collections import defaultdict
from datetime import timedelta

from odoo import api, fields, models, modules
from odoo.tools.misc import formatLang

from ..dunning_engine import insight as engine_insight
from .account_move import DUNNING_READ_GROUPS

_logger = logging.getLogger(__name__)

PROFILE_SELECTION = [(name, name) for name in engine_insight.PROFILES]
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
    """Payment behaviour score and profile of the customer in each company,
    recomputed every night; the next contact the automations will make."""

    _inherit = "res.partner"

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
        PROFILE_SELECTION,
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
