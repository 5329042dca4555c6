# Copyright 2026 account_dunning_automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

import logging

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from ..dunning_engine import dates as engine_dates

_logger = logging.getLogger(__name__)

CADENCE_FORMULAS = {"weekly": "1W", "monthly": "1M"}


class AccountDunningAutomation(models.Model):
    """Ordered reminder actions (create, issue, send) run on a cadence."""

    _name = "account.dunning.automation"
    _description = "Reminder Automation"
    _inherit = ["mail.thread"]
    _order = "sequence, id"
    _check_company_auto = True

    name = fields.Char(required=True, tracking=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company",
        required=True,
        index=True,
        default=lambda self: self.env.company,
    )
    state = fields.Selection(
        [("draft", "Not Started"), ("scheduled", "Scheduled"), ("paused", "Paused")],
        default="draft",
        required=True,
        readonly=True,
        copy=False,
        tracking=True,
    )
    term_ids = fields.Many2many(
        "account.dunning.term",
        string="Reminder Terms Filter",
        check_company=True,
        help="Only customers under these reminder terms are processed; all "
        "customers when empty.",
    )
    partner_domain = fields.Char(
        string="Customer Filter",
        default="[]",
        help="Only the customers matching this filter are processed.",
    )
    cadence = fields.Selection(
        [
            ("manual", "Manual"),
            ("weekly", "Weekly"),
            ("monthly", "Monthly"),
            ("custom", "Custom"),
        ],
        default="manual",
        required=True,
        tracking=True,
        help="Manual: runs once each time it is started. Weekly, monthly or "
        "custom: runs on schedule until it is paused.",
    )
    cadence_formula = fields.Char(
        string="Date Formula",
        help="Custom cadence: date of the next run from the date of the last "
        "one, e.g. 2W (every two weeks), CM+1D (first day of next month), "
        "1W+1WD (the Monday after a week).",
    )
    next_run_date = fields.Date(copy=False, tracking=True)
    last_run_date = fields.Date(readonly=True, copy=False)
    action_ids = fields.One2many(
        "account.dunning.automation.action",
        "automation_id",
        string="Actions",
        copy=True,
    )
    run_ids = fields.One2many(
        "account.dunning.automation.run", "automation_id", string="Runs", readonly=True
    )
    run_count = fields.Integer(compute="_compute_run_count")

    @api.depends("run_ids")
    def _compute_run_count(self):
        data = self.env["account.dunning.automation.run"]._read_group(
            [("automation_id", "in", self.ids)], ["automation_id"], ["__count"]
        )
        counts = {automation.id: count for automation, count in data}
        for automation in self:
            automation.run_count = counts.get(automation.id, 0)

    @api.constrains("cadence", "cadence_formula")
    def _check_cadence_formula(self):
        for automation in self:
            if automation.cadence != "custom":
                continue
            if not automation.cadence_formula:
                raise ValidationError(
                    self.env._(
                        "Automation %(name)s: a custom cadence needs a date formula.",
                        name=automation.name,
                    )
                )
            try:
                engine_dates.validate_formula(automation.cadence_formula)
                start = fields.Date.today()
                moves_forward = engine_dates.apply_formula(
                    start, automation.cadence_formula
                ) > start
            except ValueError as exc:
                raise ValidationError(
                    self.env._(
                        "Automation %(name)s: invalid date formula %(formula)s: "
                        "%(error)s",
                        name=automation.name,
                        formula=automation.cadence_formula,
                        error=exc,
                    )
                ) from exc
            if not moves_forward:
                raise ValidationError(
                    self.env._(
                        "Automation %(name)s: the date formula %(formula)s must "
                        "give a date after the last run.",
                        name=automation.name,
                        formula=automation.cadence_formula,
                    )
                )

    @api.constrains("partner_domain")
    def _check_partner_domain(self):
        for automation in self:
            automation._partner_filter_domain()

    def _partner_filter_domain(self):
        self.ensure_one()
        return self.env["account.dunning.automation.action"]._parse_domain(
            self.partner_domain, self.display_name
        )

    # ------------------------------------------------------------------
    # Scheduling
    # ------------------------------------------------------------------

    def _next_date(self, last):
        self.ensure_one()
        formula = CADENCE_FORMULAS.get(self.cadence) or self.cadence_formula
        if self.cadence == "manual" or not formula:
            return False
        return engine_dates.apply_formula(last, formula)

    def action_start(self):
        """Manual cadence: run now. Other cadences: schedule (first run today)."""
        today = fields.Date.context_today(self)
        for automation in self:
            if not automation.action_ids:
                raise UserError(
                    self.env._(
                        "Automation %(name)s has no action: add create, issue or "
                        "send actions first.",
                        name=automation.name,
                    )
                )
            if automation.cadence == "manual":
                automation._run(today)
            else:
                automation.write(
                    {
                        "state": "scheduled",
                        "next_run_date": max(automation.next_run_date or today, today),
                    }
                )
        return True

    def action_pause(self):
        self.write({"state": "paused"})
        return True

    def action_run_now(self):
        self._run(fields.Date.context_today(self))
        return self.action_view_runs()

    def action_view_runs(self):
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "account_dunning_automation.action_account_dunning_automation_run"
        )
        action["domain"] = [("automation_id", "in", self.ids)]
        if len(self) == 1 and len(self.run_ids) == 1:
            action.update(
                {"view_mode": "form", "views": [(False, "form")], "res_id": self.run_ids.id}
            )
        return action

    @api.model
    def _cron_run_due(self, as_of=None):
        """Run the scheduled automations whose next run date has come (the
        cron runs as superuser: the automations of every company)."""
        as_of = as_of or fields.Date.context_today(self)
        due = self.search(
            [
                ("state", "=", "scheduled"),
                ("next_run_date", "<=", as_of),
            ]
        )
        for automation in due:
            automation._run(as_of)
        return due

    # ------------------------------------------------------------------
    # Run
    # ------------------------------------------------------------------

    def _run(self, as_of):
        """Run the actions in order; return the run logs."""
        runs = self.env["account.dunning.automation.run"]
        for automation in self:
            automation = automation.with_company(automation.company_id)
            run = runs.create(
                {
                    "automation_id": automation.id,
                    "date": as_of,
                    "start": fields.Datetime.now(),
                }
            )
            stopped = False
            for action in automation.action_ids.sorted(lambda a: (a.sequence, a.id)):
                try:
                    with self.env.cr.savepoint():
                        ok = action._execute(run, as_of)
                except Exception as exc:  # pylint: disable=broad-except
                    # An unexpected failure of a whole action is logged, never
                    # lost: the run goes on or stops as the action says.
                    _logger.exception("Reminder automation %s failed", automation.name)
                    run._log_error(action, str(exc))
                    ok = False
                if not ok and action.stop_on_error:
                    run.stopped_action_id = action
                    stopped = True
                    break
            run.write(
                {
                    "end": fields.Datetime.now(),
                    "state": "stopped"
                    if stopped
                    else (
                        "error"
                        if run.error_ids.filtered(lambda e: e.severity == "error")
                        else "done"
                    ),
                }
            )
            values = {"last_run_date": as_of}
            if automation.cadence != "manual" and automation.state == "scheduled":
                values["next_run_date"] = automation._next_date(
                    max(as_of, automation.next_run_date or as_of)
                )
            automation.write(values)
            runs |= run
        return runs

    def _filter_partners(self, partners, action_domain):
        """The customers among ``partners`` selected by the filters of the
        automation and of one of its actions."""
        self.ensure_one()
        domain = self._partner_filter_domain() + action_domain
        if domain:
            partners = partners.filtered_domain(domain)
        terms = self.term_ids
        if terms:
            partners = partners.filtered(
                lambda p: bool(p.with_company(self.company_id)._get_dunning_term() & terms)
            )
        return partners
