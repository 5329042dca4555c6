# Copyright 2026 account_dunning_automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import api, fields, models


class AccountDunningAutomationRunItem(models.Model):
    """A customer to process in one phase of a run: the work queue of the
    run, one row per customer, so that several workers (cron threads, Odoo
    servers on one database) share a run: a batch takes its customers with
    SELECT ... FOR UPDATE SKIP LOCKED (account.dunning.automation.run.
    _claim_items), keeps them locked until its commit, which marks them done
    with the batch's work; a batch killed before its commit leaves them to
    do, unlocked, for the next batch."""

    _name = "account.dunning.automation.run.item"
    _description = "Reminder Automation Run Customer"
    _order = "run_id, phase, busy_retries, id"

    run_id = fields.Many2one(
        "account.dunning.automation.run",
        required=True,
        ondelete="cascade",
        readonly=True,
    )
    phase = fields.Integer(required=True, readonly=True)
    partner_id = fields.Many2one(
        "res.partner", string="Customer", required=True, readonly=True, ondelete="cascade"
    )
    state = fields.Selection(
        [("todo", "To Do"), ("done", "Done"), ("skipped", "Skipped")],
        default="todo",
        required=True,
        readonly=True,
    )
    busy_retries = fields.Integer(
        readonly=True,
        help="Times the customer was put back because another transaction "
        "held its items (a payment being registered).",
    )
    batch_id = fields.Many2one(
        "account.dunning.automation.batch", readonly=True, ondelete="set null"
    )

    _sql_constraints = [
        (
            "run_phase_partner_unique",
            "UNIQUE(run_id, phase, partner_id)",
            "A customer is processed once per phase of a run.",
        )
    ]

    def init(self):
        # The claim of a batch (_claim_items) reads the customers to do of
        # one run and phase, in this order.
        self.env.cr.execute(
            "CREATE INDEX IF NOT EXISTS account_dunning_automation_run_item_todo_idx "
            "ON account_dunning_automation_run_item (run_id, phase, busy_retries, id) "
            "WHERE state = 'todo'"
        )

    @api.model_create_multi
    def create(self, vals_list):
        self.env["account.dunning.automation.run"]._check_run_internal()
        return super().create(vals_list)

    def write(self, vals):
        self.env["account.dunning.automation.run"]._check_run_internal()
        return super().write(vals)
