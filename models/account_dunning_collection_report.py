# Copyright 2026 account_dunning_automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import api, fields, models
from odoo.tools import SQL

from ..dunning_engine import insight as engine_insight


class AccountDunningCollectionReport(models.Model):
    """Receivables collected per month over the last 12 months, for the
    company and per account manager: the collection effectiveness index of
    any group is computed from the sums of the group."""

    _name = "account.dunning.collection.report"
    _inherit = ["account.dunning.report.mixin"]
    _description = "Collection Effectiveness"
    _auto = False
    _order = "month, company_id, responsible_id"
    _dunning_ratios = {
        "cei": (
            engine_insight.collection_effectiveness,
            ("amount_opening", "amount_sales", "amount_closing", "amount_closing_current"),
        )
    }

    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    responsible_id = fields.Many2one("res.users", string="Account Manager", readonly=True)
    month = fields.Date(readonly=True)
    amount_opening = fields.Monetary(string="Receivables at Start", readonly=True)
    amount_sales = fields.Monetary(
        string="Credit Sales",
        readonly=True,
        help="Customer invoices less credit notes of the month, taxes included.",
    )
    amount_closing = fields.Monetary(string="Receivables at End", readonly=True)
    amount_closing_current = fields.Monetary(
        string="Not Due at End",
        readonly=True,
        help="Part of the receivables at the end of the month not yet due.",
    )
    amount_collected = fields.Monetary(
        string="Collected",
        readonly=True,
        help="Receivables at start + credit sales - receivables at end.",
    )
    cei = fields.Float(
        string="CEI (%)",
        readonly=True,
        digits=(16, 2),
        help="Collection effectiveness index: (receivables at start + credit "
        "sales - receivables at end) / (receivables at start + credit sales - "
        "not due at end) x 100.",
    )

    def init(self):
        self._dunning_create_view(self._dunning_query())

    @api.model
    def _dunning_query(self):
        today = self._dunning_today_sql()
        return SQL(
            """
            WITH lines AS (
                SELECT aml.id,
                       aml.company_id,
                       COALESCE(
                           (cp.dunning_responsible_id ->> aml.company_id::text)::int, 0
                       ) AS responsible_key,
                       aml.date,
                       COALESCE(aml.date_maturity, aml.date) AS date_due,
                       aml.balance,
                       am.move_type IN ('out_invoice', 'out_refund') AS is_sale
                  FROM account_move_line aml
                  JOIN account_account acc ON acc.id = aml.account_id
                  JOIN account_move am ON am.id = aml.move_id
                  JOIN res_partner p ON p.id = aml.partner_id
                  JOIN res_partner cp ON cp.id = COALESCE(p.commercial_partner_id, p.id)
                 WHERE acc.account_type = 'asset_receivable'
                   AND aml.parent_state = 'posted'
            ), months AS (
                SELECT m::date AS month_start,
                       (m + interval '1 month' - interval '1 day')::date AS month_end
                  FROM generate_series(
                           date_trunc('month', %(today)s) - interval '11 months',
                           date_trunc('month', %(today)s),
                           interval '1 month'
                       ) m
            ), keys AS (
                SELECT company_id, responsible_key,
                       SUM(balance) FILTER (
                           WHERE date < (SELECT MIN(month_start) FROM months)
                       ) AS before
                  FROM lines GROUP BY 1, 2
            ), movements AS (
                SELECT company_id, responsible_key,
                       date_trunc('month', date)::date AS month_start,
                       SUM(balance) AS movement,
                       SUM(balance) FILTER (WHERE is_sale) AS sales
                  FROM lines
                 WHERE date >= (SELECT MIN(month_start) FROM months)
                 GROUP BY 1, 2, 3
            ), current_items AS (
                SELECT l.company_id, l.responsible_key, m.month_start,
                       SUM(l.balance - COALESCE(paid.amount, 0)) AS amount
                  FROM lines l
                  JOIN months m ON l.date <= m.month_end AND l.date_due > m.month_end
                  LEFT JOIN LATERAL (
                      SELECT SUM(apr.amount) AS amount
                        FROM account_partial_reconcile apr
                       WHERE apr.debit_move_id = l.id AND apr.max_date <= m.month_end
                  ) paid ON TRUE
                 WHERE l.balance > 0
                 GROUP BY 1, 2, 3
            ), grid AS (
                SELECT k.company_id, k.responsible_key, m.month_start,
                       COALESCE(k.before, 0) + SUM(COALESCE(mv.movement, 0)) OVER (
                           PARTITION BY k.company_id, k.responsible_key
                           ORDER BY m.month_start
                       ) AS closing,
                       COALESCE(mv.movement, 0) AS movement,
                       COALESCE(mv.sales, 0) AS sales,
                       COALESCE(ci.amount, 0) AS closing_current
                  FROM keys k
                 CROSS JOIN months m
                  LEFT JOIN movements mv
                         ON mv.company_id = k.company_id
                        AND mv.responsible_key = k.responsible_key
                        AND mv.month_start = m.month_start
                  LEFT JOIN current_items ci
                         ON ci.company_id = k.company_id
                        AND ci.responsible_key = k.responsible_key
                        AND ci.month_start = m.month_start
            )
            SELECT row_number() OVER (
                       ORDER BY company_id, responsible_key, month_start
                   ) AS id,
                   company_id,
                   NULLIF(responsible_key, 0) AS responsible_id,
                   month_start AS month,
                   closing - movement AS amount_opening,
                   sales AS amount_sales,
                   closing AS amount_closing,
                   closing_current AS amount_closing_current,
                   closing - movement + sales - closing AS amount_collected,
                   0.0 AS cei
              FROM grid
            """,
            today=today,
        )
