# Copyright 2026 account_dunning_automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..dunning_engine import insight as engine_insight
from ..dunning_engine import kpis as engine_kpis
from .account_move import DUNNING_READ_GROUPS


class ResPartner(models.Model):
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
