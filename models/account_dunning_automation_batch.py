# Copyright 2026 account_dunning_automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import api, fields, models


class AccountDunningAutomationBatch(models.Model):
    """One batch of a run: the customers one worker took at once (see
    account.dunning.automation.run.item), in one transaction, and what it
    did. The run's figures are the sums of its batches: several workers
    process batches of one run at the same time, each writing only its own
    batch, never the run's row (two transactions updating one row would
    make PostgreSQL refuse one of them)."""

    _name = "account.dunning.automation.batch"
    _description = "Reminder Automation Batch"
    _order = "id"

    run_id = fields.Many2one(
        "account.dunning.automation.run",
        required=True,
        index=True,
        ondelete="cascade",
        readonly=True,
    )
    company_id = fields.Many2one(related="run_id.company_id")
    phase = fields.Integer(readonly=True)
    state = fields.Selection(
        [("running", "Running"), ("done", "Done"), ("killed", "Interrupted")],
        default="running",
        required=True,
        readonly=True,
        help="Running: being processed (the worker holds its row locked). "
        "Interrupted: its worker died before the end (time limit, crash); its "
        "customers were processed again by a later batch, nothing was kept of it.",
    )
    worker = fields.Char(
        readonly=True, help="Host and process of the Odoo worker that took the batch."
    )
    size = fields.Integer(string="Customers Asked", readonly=True)
    customer_count = fields.Integer(string="Customers", readonly=True)
    duration = fields.Float(string="Duration (s)", readonly=True, digits=(16, 2))
    created_count = fields.Integer(string="Created", readonly=True)
    issued_count = fields.Integer(string="Issued", readonly=True)
    sent_count = fields.Integer(string="Sent", readonly=True)
    reminder_ids = fields.Many2many("account.dunning.reminder", readonly=True)
    failed_action_id = fields.Many2one(
        "account.dunning.automation.action",
        readonly=True,
        ondelete="set null",
        help="The action set to stop on error that logged an error in this batch.",
    )

    @api.model_create_multi
    def create(self, vals_list):
        self.env["account.dunning.automation.run"]._check_run_internal()
        return super().create(vals_list)

    def write(self, vals):
        self.env["account.dunning.automation.run"]._check_run_internal()
        return super().write(vals)

    def _count(self, counter, reminders):
        """Add ``reminders`` to this batch's figure ``counter`` (created,
        issued, sent) and to its reminders."""
        self.ensure_one()
        self.write(
            {
                counter: self[counter] + len(reminders),
                "reminder_ids": [fields.Command.link(r.id) for r in reminders],
            }
        )
