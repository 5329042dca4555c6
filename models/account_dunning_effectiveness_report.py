# Copyright 2026 account_dunning_automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import api, fields, models
from odoo.tools import SQL

from ..dunning_engine import insight as engine_insight


class AccountDunningEffectivenessReport(models.Model):
    """Issued reminders with the part of their overdue amount paid within
    7, 14 and 30 days of their issue date (payments matched with the
    reminded invoices): reminders per level and month and how well each
    level works."""

    _name = "account.dunning.effectiveness.report"
    _inherit = ["account.dunning.report.mixin"]
    _description = "Reminder Effectiveness"
    _auto = False
    _order = "issue_date desc, id desc"
    _dunning_ratios = {
        f"paid_{days}_share": (
            engine_insight.paid_share,
            ("amount_reminded", f"amount_paid_{days}"),
        )
        for days in engine_insight.EFFECTIVENESS_WINDOWS
    }

    reminder_id = fields.Many2one("account.dunning.reminder", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    responsible_id = fields.Many2one("res.users", string="Account Manager", readonly=True)
    term_id = fields.Many2one("account.dunning.term", string="Reminder Terms", readonly=True)
    level_id = fields.Many2one("account.dunning.level", readonly=True)
    level_number = fields.Integer(string="Level No.", readonly=True, aggregator="max")
    issue_date = fields.Date(readonly=True)
    state = fields.Selection(
        [("issued", "Issued"), ("sent", "Sent")], readonly=True
    )
    amount_reminded = fields.Monetary(
        readonly=True, help="Overdue amount listed on the reminders."
    )
    amount_paid_7 = fields.Monetary(string="Paid Within 7 Days", readonly=True)
    amount_paid_14 = fields.Monetary(string="Paid Within 14 Days", readonly=True)
    amount_paid_30 = fields.Monetary(string="Paid Within 30 Days", readonly=True)
    paid_7_share = fields.Float(
        string="Paid in 7 Days (%)",
        readonly=True,
        digits=(16, 2),
        help="Share of the amount reminded paid within 7 days of the issue date.",
    )
    paid_14_share = fields.Float(
        string="Paid in 14 Days (%)",
        readonly=True,
        digits=(16, 2),
        help="Share of the amount reminded paid within 14 days of the issue date.",
    )
    paid_30_share = fields.Float(
        string="Paid in 30 Days (%)",
        readonly=True,
        digits=(16, 2),
        help="Share of the amount reminded paid within 30 days of the issue date.",
    )

    def init(self):
        self._dunning_create_view(self._dunning_query())

    @api.model
    def _dunning_query(self):
        return SQL(
            """
            SELECT r.id,
                   r.id AS reminder_id,
                   r.company_id,
                   r.partner_id,
                   r.responsible_id,
                   r.term_id,
                   r.level_id,
                   r.level_number,
                   r.issue_date,
                   r.state,
                   SUM(rl.amount_residual) AS amount_reminded,
                   SUM(LEAST(pay.paid_7, rl.amount_residual)) AS amount_paid_7,
                   SUM(LEAST(pay.paid_14, rl.amount_residual)) AS amount_paid_14,
                   SUM(LEAST(pay.paid_30, rl.amount_residual)) AS amount_paid_30,
                   0.0 AS paid_7_share,
                   0.0 AS paid_14_share,
                   0.0 AS paid_30_share
              FROM account_dunning_reminder r
              JOIN account_dunning_reminder_line rl
                ON rl.reminder_id = r.id AND rl.line_type = 'overdue'
             CROSS JOIN LATERAL (
                  -- Payments matched with the reminded item from the issue
                  -- date on, at most the amount reminded.
                  SELECT COALESCE(SUM(apr.amount) FILTER (
                             WHERE apr.max_date <= r.issue_date + 7), 0) AS paid_7,
                         COALESCE(SUM(apr.amount) FILTER (
                             WHERE apr.max_date <= r.issue_date + 14), 0) AS paid_14,
                         COALESCE(SUM(apr.amount), 0) AS paid_30
                    FROM account_partial_reconcile apr
                   WHERE apr.debit_move_id = rl.move_line_id
                     AND apr.max_date >= r.issue_date
                     AND apr.max_date <= r.issue_date + 30
              ) pay
             WHERE r.state IN ('issued', 'sent') AND r.issue_date IS NOT NULL
             GROUP BY r.id
            """
        )
