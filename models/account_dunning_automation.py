# Copyright 2026 account_dunning_automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

import logging
import traceback
from datetime import timedelta
from types import MappingProxyType

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.modules import module as odoo_module
from odoo.tools import config, format_date

from ..dunning_engine import dates as engine_dates

_logger = logging.getLogger(__name__)

CADENCE_FORMULAS = MappingProxyType({"daily": "1D", "weekly": "1W", "monthly": "1M"})
CRON_XMLID = "account_dunning_automation.ir_cron_dunning_automation"
# The helper crons that share the runs with the main one when the settings
# ask for several workers (Odoo runs one cron job in one worker at a time:
# a worker per cron job).
WORKER_CRON_XMLID = "account_dunning_automation.ir_cron_dunning_automation_worker_%s"
MAX_CRON_WORKERS = 4
# A prefork cron worker sleeps up to this long between two passes, inside the
# time it is given (Odoo's SLEEP_INTERVAL, 60 s, and a jitter under 10 s).
CRON_WORKER_SLEEP = 70


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
            ("daily", "Daily"),
            ("weekly", "Weekly"),
            ("monthly", "Monthly"),
            ("custom", "Custom"),
        ],
        default="manual",
        required=True,
        tracking=True,
        help="Manual: runs once each time it is started. Daily, weekly, monthly "
        "or custom: runs on schedule until it is paused.",
    )
    cadence_formula = fields.Char(
        string="Date Formula",
        help="Custom cadence: date of the next run from the date of the last "
        "one, e.g. 2W (every two weeks), CM+1D (first day of next month), "
        "1W+1WD (the Monday after a week).",
    )
    next_run_date = fields.Date(copy=False, tracking=True)
    batch_size = fields.Integer(
        default=50,
        required=True,
        help="Customers processed and committed together by a run: a run "
        "interrupted (server stopped, time limit) goes on with the next batch "
        "and never does a customer twice.",
    )
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
    running_run_id = fields.Many2one(
        "account.dunning.automation.run",
        string="Run in Progress",
        compute="_compute_running_run_id",
    )
    running_progress = fields.Float(compute="_compute_running_run_id")
    reference_rate_warning = fields.Char(compute="_compute_reference_rate_warning")

    @api.depends("term_ids", "company_id")
    def _compute_reference_rate_warning(self):
        """The warning of its terms (all the company's when it names none):
        the current half-year has no reference rate."""
        term_model = self.env["account.dunning.term"]
        for automation in self:
            terms = automation.term_ids or term_model.search(
                [("company_id", "in", [automation.company_id.id, False])]
            )
            automation.reference_rate_warning = next(
                (w for w in terms.mapped("reference_rate_warning") if w), False
            )

    @api.depends("run_ids")
    def _compute_run_count(self):
        data = self.env["account.dunning.automation.run"]._read_group(
            [("automation_id", "in", self.ids)], ["automation_id"], ["__count"]
        )
        counts = {automation.id: count for automation, count in data}
        for automation in self:
            automation.run_count = counts.get(automation.id, 0)

    @api.depends("run_ids.state")
    def _compute_running_run_id(self):
        runs = self.env["account.dunning.automation.run"].search(
            [("automation_id", "in", self.ids), ("state", "=", "running")]
        )
        by_automation = runs.grouped("automation_id")
        empty = self.env["account.dunning.automation.run"]
        for automation in self:
            automation.running_run_id = by_automation.get(automation, empty)[:1]
            automation.running_progress = automation.running_run_id.progress

    @api.constrains("batch_size")
    def _check_batch_size(self):
        for automation in self:
            if automation.batch_size < 1:
                raise ValidationError(
                    self.env._(
                        "Automation %(name)s: the batch size must be at least 1.",
                        name=automation.name,
                    )
                )

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
            try:
                # Over years of start dates, not only today: "1M-29D" is
                # fine in mid-month but goes back in time from January 31.
                engine_dates.validate_cadence(automation.cadence_formula)
            except ValueError as exc:
                raise ValidationError(
                    self.env._(
                        "Automation %(name)s: the date formula %(formula)s must "
                        "give a date after the last run, whatever the date of "
                        "the last run: %(error)s",
                        name=automation.name,
                        formula=automation.cadence_formula,
                        error=exc,
                    )
                ) from exc

    @api.constrains("partner_domain")
    def _check_partner_domain(self):
        for automation in self:
            self.env["account.dunning.automation.action"]._parse_domain(
                automation.partner_domain, automation.display_name, check=True
            )

    def _partner_filter_domain(self):
        self.ensure_one()
        return self.env["account.dunning.automation.action"]._parse_domain(
            self.partner_domain, self.display_name
        )

    # ------------------------------------------------------------------
    # Scheduling
    # ------------------------------------------------------------------

    def _next_date(self, last):
        """Date of the run after ``last``; always after it (ValueError when
        the formula cannot give one)."""
        self.ensure_one()
        formula = CADENCE_FORMULAS.get(self.cadence) or self.cadence_formula
        if self.cadence == "manual" or not formula:
            return False
        return engine_dates.next_run(last, formula)

    def action_start(self):
        """Manual cadence: run now (in the background). Other cadences:
        schedule (first run today)."""
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
                automation._check_not_running()
                automation._start_run(today, scheduled=False)
            else:
                automation.write(
                    {
                        "state": "scheduled",
                        "next_run_date": max(automation.next_run_date or today, today),
                    }
                )
        manual = self.filtered(lambda a: a.cadence == "manual")
        if manual:
            self._trigger_cron()
            # The run goes on in the background: show its progress.
            return manual.action_view_runs()
        return True

    def action_confirm_start(self):
        """Start button of a manual automation: say how many customers the
        run will consider before starting it (see the start wizard)."""
        self.ensure_one()
        self.check_access("write")
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Start %(name)s", name=self.name),
            "res_model": "account.dunning.automation.start.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_automation_id": self.id},
        }

    def action_pause(self):
        self.write({"state": "paused"})
        return True

    def action_run_now(self):
        """Start a run in the background (the cron processes it batch by
        batch) and show it; the scheduled next run date does not move."""
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
            automation._check_not_running()
            automation._start_run(today, scheduled=False)
        self._trigger_cron()
        return self.action_view_runs()

    def _check_not_running(self):
        for automation in self:
            if automation.running_run_id:
                raise UserError(
                    self.env._(
                        "Automation %(name)s is already running: wait for the "
                        "end of its run (see its progress on the form).",
                        name=automation.name,
                    )
                )

    def action_view_runs(self):
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "account_dunning_automation.action_account_dunning_automation_run"
        )
        action["domain"] = [("automation_id", "in", self.ids)]
        running = self.running_run_id
        if len(self) == 1 and (running or len(self.run_ids) == 1):
            action.update(
                {
                    "view_mode": "form",
                    "views": [(False, "form")],
                    "res_id": (running or self.run_ids).id,
                }
            )
        return action

    @api.model
    def _trigger_cron(self, at=None):
        """Wake the cron of the automations, and its helper crons when the
        settings ask for several workers (see _cron_workers)."""
        for cron in self._cron_workers():
            # sudo: triggers are the cron's, whoever starts a run (rights
            # checked by the caller: starting needs write on the automation)
            cron.sudo()._trigger(at)

    @api.model
    def _cron_workers(self):
        """The crons that process the runs: the main one, and the helper
        crons up to the number of workers of the settings (1 to
        MAX_CRON_WORKERS): Odoo runs one cron job in one worker at a time,
        so that several workers (cron threads, Odoo servers on one database)
        share a run through several crons, each batch taking customers no
        other holds (account.dunning.automation.run._claim_items)."""
        try:
            # sudo: a server setting (system parameters are read by
            # administrators only), read for whoever starts a run
            workers = int(
                self.env["ir.config_parameter"].sudo().get_param(
                    "account_dunning_automation.cron_workers", 1
                )
            )
        except ValueError:
            workers = 1
        workers = max(1, min(workers, MAX_CRON_WORKERS))
        crons = self.env["ir.cron"]
        for xmlid in [CRON_XMLID] + [WORKER_CRON_XMLID % n for n in range(2, workers + 1)]:
            crons |= self.env.ref(xmlid, raise_if_not_found=False) or crons
        return crons

    @api.model
    def _cron_process_running(self):
        """Entry point of the helper crons: process the runs in progress
        beside the main cron (which also starts the scheduled runs)."""
        run_model = self.env["account.dunning.automation.run"].sudo()
        if self._in_test_mode():
            return run_model._process_running()
        return run_model._process_running(time_budget=self._cron_time_budget())

    @api.model
    def _trigger_cron_later(self):
        self._trigger_cron(fields.Datetime.now() + timedelta(minutes=1))

    # ------------------------------------------------------------------
    # Run: started here, processed by the cron in batches of customers
    # ------------------------------------------------------------------

    @api.model
    def _in_test_mode(self):
        # Read at call time: the test runner sets it while a test runs.
        return bool(odoo_module.current_test) or self.env.registry.in_test_mode()

    @api.model
    def _commit(self):
        """Commit the work of a batch, except in tests (one transaction)."""
        if not self._in_test_mode():
            self.env.cr.commit()  # pylint: disable=invalid-commit

    @api.model
    def _cron_run_due(self, as_of=None):
        """Cron entry point: start the runs of the scheduled automations whose
        next run date has come (the cron runs as superuser: the automations
        of every company), then process the runs in progress batch by batch,
        each batch committed on its own. Returns the automations started."""
        as_of = as_of or fields.Date.context_today(self)
        due = self.search(
            [
                ("state", "=", "scheduled"),
                ("next_run_date", "<=", as_of),
            ]
        )
        started = self.browse()
        for automation in due:
            if automation.running_run_id:
                continue  # an interrupted run: it goes on below
            if automation._start_run(as_of, scheduled=True):
                started |= automation
        self._commit()
        # The processing writes the runs as superuser (the cron's user; see
        # the run's create and write).
        run_model = self.env["account.dunning.automation.run"].sudo()
        if self._in_test_mode():
            run_model._process_running()
            return due
        run_model._process_running(time_budget=self._cron_time_budget())
        return due

    @api.model
    def _cron_time_budget(self):
        """Seconds one call of the cron may spend taking new batches, read
        from the server's limits (odoo.tools.config): half of the smallest of
        the real time limit of cron workers (``limit_time_real_cron``, or
        ``limit_time_real`` when it is -1) and of the CPU limit. A prefork
        cron worker counts its real time from before its sleep (up to
        CRON_WORKER_SLEEP): that part is deducted, leaving at least 10 s.
        With Odoo's defaults (120 s real, 60 s CPU): 25 s; 600 s when the
        server sets no limit."""
        real = config.get("limit_time_real_cron") or 0
        if real < 0:
            real = config.get("limit_time_real") or 0
        if real > 0 and config.get("workers"):
            real = max(real - CRON_WORKER_SLEEP, 20)
        limits = [limit for limit in (real, config.get("limit_time_cpu") or 0) if limit > 0]
        return min(limits) / 2 if limits else 600

    def _start_run(self, as_of, scheduled):
        """Create the run record of today (committed by the caller) with the
        customers to process. A scheduled run moves the next run date at
        once, so that a crash never starts the same run twice; "Run now" and
        manual automations leave the schedule alone. A failure is logged on
        a run record in error and never stops the other automations."""
        self.ensure_one()
        # Its notes and errors in the company's language (see
        # account.dunning.automation.run._dunning_in_company_lang).
        lang = self.company_id.partner_id.lang
        if lang:
            self = self.with_context(lang=lang)  # pylint: disable=self-cls-assignment
        automation = self.with_company(self.company_id)
        # As superuser, once the user's right to run the automation checked:
        # runs are never created nor written directly (see the run's create).
        automation.check_access("write")
        run_model = self.env["account.dunning.automation.run"].sudo()
        try:
            with self.env.cr.savepoint():
                run = run_model.create(
                    {
                        "automation_id": automation.id,
                        "date": as_of,
                        "start": fields.Datetime.now(),
                        "scheduled": scheduled,
                    }
                )
                values = {"last_run_date": as_of}
                if scheduled:
                    values["next_run_date"] = automation._next_date(
                        max(as_of, automation.next_run_date or as_of)
                    )
                automation.write(values)
                run._prepare_queue()
        except Exception as exc:  # pylint: disable=broad-except
            _logger.warning(
                "Reminder automation %s could not start", automation.name, exc_info=True
            )
            run = run_model.create(
                {
                    "automation_id": automation.id,
                    "date": as_of,
                    "start": fields.Datetime.now(),
                    "end": fields.Datetime.now(),
                    "scheduled": scheduled,
                    "state": "error",
                }
            )
            run._log_error(
                False,
                self.env._(
                    "The run could not start: %(error)s",
                    error=exc.args[0] if exc.args else repr(exc),
                ),
                details="".join(traceback.format_exception(exc)),
            )
            if scheduled:
                # Without a valid next date it would fail again every day:
                # paused until someone fixes it.
                automation.write({"state": "paused"})
                automation.message_post(
                    body=self.env._(
                        "Paused: the run of %(date)s could not start (%(error)s).",
                        date=format_date(self.env, as_of),
                        error=exc.args[0] if exc.args else repr(exc),
                    )
                )
            return False
        return run

    def _run(self, as_of):
        """Start and process a run at once, in the current transaction (tests,
        scripts); return the runs."""
        runs = self.env["account.dunning.automation.run"]
        for automation in self:
            run = automation._start_run(
                as_of, scheduled=automation.cadence != "manual"
                and automation.state == "scheduled"
            )
            if run:
                run._process_all()
                runs |= run
        return runs

    def _filter_partners(self, partners, action_domain):
        """The customers among ``partners`` selected by the filters of the
        automation and of one of its actions."""
        self.ensure_one()
        domain = self._partner_filter_domain() + action_domain
        if domain:
            try:
                partners = partners.filtered_domain(domain)
            except Exception:  # pylint: disable=broad-except
                # Valid in a search when saved, not in memory (a number
                # compared with a text): the search decides, as when saved.
                try:
                    with self.env.cr.savepoint():
                        partners = partners.search([("id", "in", partners.ids)] + domain)
                except Exception as exc:
                    raise UserError(
                        self.env._(
                            "%(automation)s: the customer filter %(filter)s cannot be "
                            "applied (%(error)s). Correct it in the automation.",
                            automation=self.display_name,
                            filter=domain,
                            error=exc,
                        )
                    ) from exc
        terms = self.term_ids
        if terms:
            partners = partners.filtered(
                lambda p: bool(p.with_company(self.company_id)._get_dunning_term() & terms)
            )
        return partners
