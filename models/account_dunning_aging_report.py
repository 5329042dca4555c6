# Copyright 2026 account_dunning_automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import api, fields, models
from odoo.tools import SQL

from ..dunning_engine import kpis as engine_kpis

BUCKETS = (
    ("not_due", "Not Due"),
    ("1_30", "1-30 Days"),
    ("31_60", "31-60 Days"),
    ("61_90", "61-90 Days"),
    ("90_plus", "Over 90 Days"),
    ("credit", "Open Credits"),
)


class AccountDunningAgingReport(models.Model):
    """Open receivable items of the customers by age (days past their due
    date), for the company and per account manager."""

    _name = "account.dunning.aging.report"
    _inherit = ["account.dunning.report.mixin"]
    _description = "Receivables Aging"
    _auto = False
    _order = "date_due, id"
    _dunning_ratios = {
        # A share of the open debits: the credits are not deducted from the
        # base (they made the rate exceed 100 %).
        "overdue_rate": (engine_kpis.overdue_ratio, ("amount_overdue", "amount_open_debit"))
    }

    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    responsible_id = fields.Many2one("res.users", string="Account Manager", readonly=True)
    move_id = fields.Many2one("account.move", string="Entry", readonly=True)
    date_due = fields.Date(string="Due Date", readonly=True)
    days_overdue = fields.Integer(readonly=True, aggregator="max")
    bucket = fields.Selection(list(BUCKETS), string="Age", readonly=True)
    dunning_level_number = fields.Integer(string="Level No.", readonly=True, aggregator="max")
    amount_residual = fields.Monetary(string="Open Amount", readonly=True)
    amount_open_debit = fields.Monetary(
        string="Open Debits",
        readonly=True,
        help="Open amount of the items due by the customer (open credits not "
        "deducted): the base of the overdue rate.",
    )
    amount_overdue = fields.Monetary(string="Overdue", readonly=True)
    amount_not_due = fields.Monetary(string="Not Due", readonly=True)
    amount_1_30 = fields.Monetary(string="1-30", readonly=True)
    amount_31_60 = fields.Monetary(string="31-60", readonly=True)
    amount_61_90 = fields.Monetary(string="61-90", readonly=True)
    amount_90_plus = fields.Monetary(string="Over 90", readonly=True)
    overdue_rate = fields.Float(
        string="Overdue Rate (%)",
        readonly=True,
        digits=(16, 2),
        help="Overdue amount / open debits x 100 (open credits not deducted), "
        "over the items of each group.",
    )

    def init(self):
        self._dunning_create_view(self._dunning_query())

    @api.model
    def _dunning_query(self):
        today = self._dunning_today_sql()
        return SQL(
            """
            SELECT aml.id,
                   aml.company_id,
                   COALESCE(p.commercial_partner_id, p.id) AS partner_id,
                   (cp.dunning_responsible_id ->> aml.company_id::text)::int
                       AS responsible_id,
                   aml.move_id,
                   due.date_due,
                   GREATEST(0, %(today)s - due.date_due) AS days_overdue,
                   CASE
                       WHEN aml.amount_residual < 0 THEN 'credit'
                       WHEN due.date_due >= %(today)s THEN 'not_due'
                       WHEN %(today)s - due.date_due <= 30 THEN '1_30'
                       WHEN %(today)s - due.date_due <= 60 THEN '31_60'
                       WHEN %(today)s - due.date_due <= 90 THEN '61_90'
                       ELSE '90_plus'
                   END AS bucket,
                   aml.dunning_level_number,
                   aml.amount_residual,
                   GREATEST(aml.amount_residual, 0) AS amount_open_debit,
                   CASE WHEN aml.amount_residual > 0 AND due.date_due < %(today)s
                        THEN aml.amount_residual ELSE 0 END AS amount_overdue,
                   CASE WHEN aml.amount_residual > 0 AND due.date_due >= %(today)s
                        THEN aml.amount_residual ELSE 0 END AS amount_not_due,
                   CASE WHEN aml.amount_residual > 0
                         AND %(today)s - due.date_due BETWEEN 1 AND 30
                        THEN aml.amount_residual ELSE 0 END AS amount_1_30,
                   CASE WHEN aml.amount_residual > 0
                         AND %(today)s - due.date_due BETWEEN 31 AND 60
                        THEN aml.amount_residual ELSE 0 END AS amount_31_60,
                   CASE WHEN aml.amount_residual > 0
                         AND %(today)s - due.date_due BETWEEN 61 AND 90
                        THEN aml.amount_residual ELSE 0 END AS amount_61_90,
                   CASE WHEN aml.amount_residual > 0 AND %(today)s - due.date_due > 90
                        THEN aml.amount_residual ELSE 0 END AS amount_90_plus,
                   0.0 AS overdue_rate
              FROM account_move_line aml
              JOIN account_account acc ON acc.id = aml.account_id
              JOIN res_partner p ON p.id = aml.partner_id
              JOIN res_partner cp ON cp.id = COALESCE(p.commercial_partner_id, p.id)
              CROSS JOIN LATERAL (
                  SELECT COALESCE(aml.date_maturity, aml.date) AS date_due
              ) due
             WHERE acc.account_type = 'asset_receivable'
               AND aml.parent_state = 'posted'
               AND NOT aml.reconciled
               AND aml.amount_residual != 0
            """,
            today=today,
        )

    @api.model
    def _dunning_buckets(self, domain=None):
        """Open amount per age bucket over ``domain`` (one read_group)."""
        rows = self._read_group(domain or [], ["bucket"], ["amount_residual:sum"])
        totals = dict.fromkeys(dict(BUCKETS), 0.0)
        totals.update(dict(rows))
        return totals
