# Copyright 2026 account_dunning_automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import fields, models


class AccountDunningAutomationError(models.Model):
    """An error met by a reminder automation: what failed, on which reminder;
    or a warning about a reminder sent all the same (e.g. without its letter
    when no PDF engine is installed)."""

    _name = "account.dunning.automation.error"
    _description = "Reminder Automation Error"
    _order = "id desc"
    _check_company_auto = True

    run_id = fields.Many2one(
        "account.dunning.automation.run",
        required=True,
        index=True,
        ondelete="cascade",
        readonly=True,
    )
    automation_id = fields.Many2one(
        related="run_id.automation_id", store=True, index=True
    )
    company_id = fields.Many2one(
        related="run_id.company_id", store=True, index=True, precompute=True
    )
    date = fields.Datetime(related="run_id.start", string="Run Start")
    action_id = fields.Many2one(
        "account.dunning.automation.action", readonly=True, ondelete="set null"
    )
    action_type = fields.Selection(related="action_id.action_type", string="Action Type")
    reminder_id = fields.Many2one(
        "account.dunning.reminder", readonly=True, ondelete="set null"
    )
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    message = fields.Text(readonly=True)
    details = fields.Text(
        string="Technical Details",
        readonly=True,
        help="Traceback of an unexpected error, for the administrator.",
    )
    severity = fields.Selection(
        [("error", "Error"), ("warning", "Warning")],
        required=True,
        default="error",
        readonly=True,
        help="Error: the reminder was not processed. Warning: it was, with the "
        "shortcoming described.",
    )
