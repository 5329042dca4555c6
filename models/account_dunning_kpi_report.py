# Copyright 2026 account_dunning_automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import api, fields, models
from odoo.tools import SQL

from ..dunning_engine import insight as engine_insight
from ..dunning_engine import kpis as engine_kpis

MONTHS = engine_insight.COUNTBACK_MONTHS
SALES_MONTHS = tuple(f"sales_m{index}" for index in range(MONTHS))


def _dso_countback(receivables, *monthly_sales):
    """Countback DSO of a group from its summed receivables and monthly
    sales (the view's months end today, in UTC as the view's)."""
    return engine_insight.dso_countback_months(
        fields.Date.today(), receivables, monthly_sales
    )


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
        # The DSO compares sales with what they left open: the reminders'
        # own charges (fees, indemnity, interest entries) are neither, and
        # would inflate it. The overdue rate is a share of the open debits
        # (credits not deducted), never over 100 %.
        "dso": (_dso_countback, ("amount_trade_receivable",) + SALES_MONTHS),
        "dso_365": (engine_kpis.dso, ("amount_trade_receivable", "amount_sales")),
        "overdue_rate": (engine_kpis.overdue_ratio, ("amount_overdue", "amount_open_debit")),
    }

    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    responsible_id = fields.Many2one("res.users", string="Account Manager", readonly=True)
    amount_receivable = fields.Monetary(
        string="Receivables", readonly=True, help="Open receivables, less open credits."
    )
    amount_trade_receivable = fields.Monetary(
        string="Receivables from Sales",
        readonly=True,
        help="Open receivables less open credits, without the charges of the "
        "reminders (fees, indemnity, interest): the base of the DSO.",
    )
    amount_open_debit = fields.Monetary(
        string="Open Debits",
        readonly=True,
        help="Open amounts due by the customers, open credits not deducted: the "
        "base of the overdue rate.",
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
        help="Days sales outstanding, countback method: the open receivables of "
        "each group are matched against its credit sales of the current month, "
        "then of each previous month (12 at most); the DSO is the number of "
        "days of sales they represent.",
    )
    dso_365 = fields.Float(
        string="DSO, 365-Day Method (days)",
        readonly=True,
        digits=(16, 2),
        help="Receivables / credit sales of the last 365 days x 365, over the "
        "customers of each group. Overstated for young customers: prefer the "
        "countback DSO.",
    )
    overdue_rate = fields.Float(
        string="Overdue Rate (%)",
        readonly=True,
        digits=(16, 2),
        help="Overdue amount / open receivables x 100, over the customers of "
        "each group.",
    )

    sales_m0 = fields.Monetary(readonly=True, string="Credit Sales, This Month")
    sales_m1 = fields.Monetary(readonly=True, string="Credit Sales, Month -1")
    sales_m2 = fields.Monetary(readonly=True, string="Credit Sales, Month -2")
    sales_m3 = fields.Monetary(readonly=True, string="Credit Sales, Month -3")
    sales_m4 = fields.Monetary(readonly=True, string="Credit Sales, Month -4")
    sales_m5 = fields.Monetary(readonly=True, string="Credit Sales, Month -5")
    sales_m6 = fields.Monetary(readonly=True, string="Credit Sales, Month -6")
    sales_m7 = fields.Monetary(readonly=True, string="Credit Sales, Month -7")
    sales_m8 = fields.Monetary(readonly=True, string="Credit Sales, Month -8")
    sales_m9 = fields.Monetary(readonly=True, string="Credit Sales, Month -9")
    sales_m10 = fields.Monetary(readonly=True, string="Credit Sales, Month -10")
    sales_m11 = fields.Monetary(readonly=True, string="Credit Sales, Month -11")

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
                       SUM(CASE WHEN am.dunning_charge_reminder_id IS NULL
                                THEN aml.amount_residual ELSE 0 END)
                           AS amount_trade_receivable,
                       SUM(GREATEST(aml.amount_residual, 0)) AS amount_open_debit,
                       SUM(CASE WHEN aml.amount_residual > 0
                                 AND COALESCE(aml.date_maturity, aml.date) < %(today)s
                                THEN aml.amount_residual ELSE 0 END) AS amount_overdue
                  FROM account_move_line aml
                  JOIN account_move am ON am.id = aml.move_id
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
                       SUM(CASE WHEN am.invoice_date > %(today)s - 365
                                THEN am.amount_total_signed ELSE 0 END) AS amount_sales,
                       %(months)s
                  FROM account_move am
                 WHERE am.state = 'posted'
                   AND am.move_type IN ('out_invoice', 'out_refund')
                   -- the reminders' fees invoices are charges, not sales
                   AND am.dunning_charge_reminder_id IS NULL
                   AND am.invoice_date > LEAST(
                           %(today)s - 365,
                           date_trunc('month', %(today)s) - interval '%(count)s months')
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
                   COALESCE(o.amount_trade_receivable, 0) AS amount_trade_receivable,
                   COALESCE(o.amount_open_debit, 0) AS amount_open_debit,
                   COALESCE(o.amount_overdue, 0) AS amount_overdue,
                   COALESCE(s.amount_sales, 0) AS amount_sales,
                   %(month_columns)s,
                   0.0 AS dso,
                   0.0 AS dso_365,
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
            months=SQL(", ").join(
                SQL(
                    """SUM(CASE WHEN am.invoice_date >= date_trunc('month', %(today)s)
                                    - interval '%(index)s months'
                                 AND am.invoice_date < date_trunc('month', %(today)s)
                                    - interval '%(index)s months' + interval '1 month'
                            THEN am.amount_total_signed ELSE 0 END) AS %(column)s""",
                    today=today,
                    index=SQL(str(index)),
                    column=SQL.identifier(column),
                )
                for index, column in enumerate(SALES_MONTHS)
            ),
            count=SQL(str(MONTHS - 1)),
            month_columns=SQL(", ").join(
                SQL("COALESCE(s.%(column)s, 0) AS %(column)s", column=SQL.identifier(column))
                for column in SALES_MONTHS
            ),
        )
