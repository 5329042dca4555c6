# Copyright 2026 account_dunning_automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import api, fields, models
from odoo.tools import SQL

from ..dunning_engine import kpis as engine_kpis


class AccountDunningKpiReport(models.Model):
    """Receivables, overdue amount and credit sales of the last 365 days per
    customer: DSO and overdue rate of any group (company, account manager,
    customer) are computed from the sums of the group."""

    _name = "account.dunning.kpi.report"
    _inherit = ["account.dunning.report.mixin"]
    _description = "Receivables Key Figures"
    _auto = False
    _order = "company_id, partner_id"
    _dunning_ratios = {
        "dso": (engine_kpis.dso, ("amount_receivable", "amount_sales")),
        "overdue_rate": (engine_kpis.overdue_ratio, ("amount_overdue", "amount_receivable")),
    }

    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    responsible_id = fields.Many2one("res.users", string="Account Manager", readonly=True)
    amount_receivable = fields.Monetary(
        string="Receivables", readonly=True, help="Open receivables, less open credits."
    )
    amount_overdue = fields.Monetary(string="Overdue", readonly=True)
    amount_sales = fields.Monetary(
        string="Credit Sales (365 Days)",
        readonly=True,
        help="Customer invoices less credit notes, taxes included, dated in the "
        "last 365 days.",
    )
    dso = fields.Float(
        string="DSO (days)",
        readonly=True,
        digits=(16, 2),
        help="Days sales outstanding, 365-day method: receivables / credit sales "
        "of the last 365 days x 365, over the customers of each group.",
    )
    overdue_rate = fields.Float(
        string="Overdue Rate (%)",
        readonly=True,
        digits=(16, 2),
        help="Overdue amount / open receivables x 100, over the customers of "
        "each group.",
    )

    def init(self):
        self._dunning_create_view(self._dunning_query())

    @api.model
    def _dunning_query(self):
        today = self._dunning_today_sql()
        return SQL(
            """
            WITH open_items AS (
                SELECT aml.company_id,
                       COALESCE(p.commercial_partner_id, p.id) AS partner_id,
                       SUM(aml.amount_residual) AS amount_receivable,
                       SUM(CASE WHEN aml.amount_residual > 0
                                 AND COALESCE(aml.date_maturity, aml.date) < %(today)s
                                THEN aml.amount_residual ELSE 0 END) AS amount_overdue
                  FROM account_move_line aml
                  JOIN account_account acc ON acc.id = aml.account_id
                  JOIN res_partner p ON p.id = aml.partner_id
                 WHERE acc.account_type = 'asset_receivable'
                   AND aml.parent_state = 'posted'
                   AND NOT aml.reconciled
                   AND aml.amount_residual != 0
                 GROUP BY 1, 2
            ), sales AS (
                SELECT am.company_id,
                       am.commercial_partner_id AS partner_id,
                       SUM(am.amount_total_signed) AS amount_sales
                  FROM account_move am
                 WHERE am.state = 'posted'
                   AND am.move_type IN ('out_invoice', 'out_refund')
                   AND am.invoice_date > %(today)s - 365
                   AND am.invoice_date <= %(today)s
                   AND am.commercial_partner_id IS NOT NULL
                 GROUP BY 1, 2
            )
            SELECT row_number() OVER (ORDER BY keys.company_id, keys.partner_id) AS id,
                   keys.company_id,
                   keys.partner_id,
                   (cp.dunning_responsible_id ->> keys.company_id::text)::int
                       AS responsible_id,
                   COALESCE(o.amount_receivable, 0) AS amount_receivable,
                   COALESCE(o.amount_overdue, 0) AS amount_overdue,
                   COALESCE(s.amount_sales, 0) AS amount_sales,
                   0.0 AS dso,
                   0.0 AS overdue_rate
              FROM (SELECT company_id, partner_id FROM open_items
                    UNION SELECT company_id, partner_id FROM sales) keys
              JOIN res_partner cp ON cp.id = keys.partner_id
              LEFT JOIN open_items o
                     ON o.company_id = keys.company_id AND o.partner_id = keys.partner_id
              LEFT JOIN sales s
                     ON s.company_id = keys.company_id AND s.partner_id = keys.partner_id
            """,
            today=today,
        )
