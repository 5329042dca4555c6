# Copyright 2026 account_dunning_automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import api, fields, models


class AccountDunningAutomationRun(models.Model):
    """Log of one run of a reminder automation."""

    _name = "account.dunning.automation.run"
    _description = "Reminder Automation Run"
    _order = "start desc, id desc"
    _check_company_auto = True

    automation_id = fields.Many2one(
        "account.dunning.automation",
        required=True,
        index=True,
        ondelete="cascade",
        readonly=True,
    )
    company_id = fields.Many2one(
        related="automation_id.company_id", store=True, index=True, precompute=True
    )
    date = fields.Date(string="Reminder Date", readonly=True)
    start = fields.Datetime(string="Start Time", readonly=True)
    end = fields.Datetime(string="End Time", readonly=True)
    state = fields.Selection(
        [
            ("running", "Running"),
            ("done", "Done"),
            ("error", "Done with Errors"),
            ("stopped", "Stopped on Error"),
        ],
        default="running",
        required=True,
        readonly=True,
    )
    stopped_action_id = fields.Many2one(
        "account.dunning.automation.action",
        string="Stopped at",
        readonly=True,
        ondelete="set null",
    )
    created_count = fields.Integer(string="Created", readonly=True)
    issued_count = fields.Integer(string="Issued", readonly=True)
    sent_count = fields.Integer(string="Sent", readonly=True)
    reminder_ids = fields.Many2many(
        "account.dunning.reminder", string="Reminders", readonly=True
    )
    error_ids = fields.One2many(
        "account.dunning.automation.error", "run_id", string="Errors", readonly=True
    )
    error_count = fields.Integer(compute="_compute_error_count", store=True)

    @api.depends("error_ids")
    def _compute_error_count(self):
        for run in self:
            run.error_count = len(run.error_ids)

    @api.depends("automation_id.name", "start")
    def _compute_display_name(self):
        for run in self:
            run.display_name = (
                f"{run.automation_id.name} ({fields.Datetime.to_string(run.start)})"
                if run.start
                else run.automation_id.name
            )

    def _log_error(self, action, message, reminder=None, severity="error"):
        self.ensure_one()
        return self.env["account.dunning.automation.error"].create(
            {
                "run_id": self.id,
                "action_id": action.id if action else False,
                "reminder_id": reminder.id if reminder else False,
                "partner_id": reminder.partner_id.id if reminder else False,
                "message": message,
                "severity": severity,
            }
        )
