# Copyright 2026 account_dunning_automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

import logging
import time
from datetime import timedelta

from psycopg2 import errors as pg_errors

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL, format_datetime

_logger = logging.getLogger(__name__)

# A customer whose items are locked by another transaction (a payment being
# registered) is put back at the end of the queue; after this many tries the
# run gives up on it and logs it (the next run reminds it).
MAX_BUSY_RETRIES = 3
# A batch is one transaction holding the locks of its customers' items: it
# must stay short (well under 30 s, and inside the cron worker's time limit
# whatever the letters cost). The size of the next batch follows the time
# per customer of the last one, aiming at half of this target.
BATCH_TARGET_SECONDS = 20.0
# The first batch of a run is small: its time per customer (letters, PDFs
# of the invoices, or emails only) sets the size of the next ones. One
# customer when PDFs are rendered: each document may be a call of the PDF
# engine of a second or two (one per document with the unpatched
# wkhtmltopdf of Linux distributions), a customer with five invoices
# already ten seconds.
FIRST_BATCH_SIZE = 5
FIRST_BATCH_SIZE_PDF = 1


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
    scheduled = fields.Boolean(
        readonly=True,
        help="Started by the schedule; otherwise started by hand (Run Now).",
    )
    queue = fields.Json(
        string="Customers to Process",
        readonly=True,
        copy=False,
        help="Ids of the customers not processed yet, in order: the cursor "
        "of the run, updated with each committed batch.",
    )
    busy_retries = fields.Json(readonly=True, copy=False)
    all_partner_ids = fields.Json(
        readonly=True,
        copy=False,
        help="Ids of every customer of the run: each phase of the run (the "
        "actions up to one that stops on error) goes through all of them.",
    )
    phase = fields.Integer(
        readonly=True,
        copy=False,
        help="Index of the phase in progress: the actions are cut after each "
        "action set to stop on error, and a phase processes every customer "
        "before the next one starts, so that an action stopping on error has "
        "run for all customers and the actions after it for none.",
    )
    batch_running = fields.Boolean(
        readonly=True,
        copy=False,
        help="Set (and committed) when a batch starts, unset with its results: "
        "found set, the previous batch was killed (time limit, crash).",
    )
    current_batch_size = fields.Integer(
        readonly=True,
        copy=False,
        help="Size of the next batch of this run: small at first, then set "
        "by the time per customer of the last batch (at most the automation's "
        "batch size), halved each time a batch is killed, so that a batch "
        "stays short and a run always ends under the time limits.",
    )
    customer_count = fields.Integer(string="Customers", readonly=True)
    done_count = fields.Integer(string="Customers Processed", readonly=True)
    batch_count = fields.Integer(string="Batches", readonly=True)
    progress = fields.Float(compute="_compute_progress")
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

    @api.depends("customer_count", "done_count", "state")
    def _compute_progress(self):
        for run in self:
            if run.state != "running":
                run.progress = 100.0
            else:
                run.progress = (
                    100.0 * run.done_count / run.customer_count
                    if run.customer_count
                    else 0.0
                )

    @api.depends("automation_id.name", "start")
    @api.depends_context("lang", "tz")
    def _compute_display_name(self):
        # The start in the reader's date and time format and time zone, not
        # an ISO timestamp in UTC.
        for run in self:
            run.display_name = (
                f"{run.automation_id.name} "
                f"({format_datetime(self.env, run.start, dt_format=False)})"
                if run.start
                else run.automation_id.name
            )

    @api.model_create_multi
    def create(self, vals_list):
        self._check_run_internal()
        return super().create(vals_list)

    def write(self, vals):
        self._check_run_internal()
        return super().write(vals)

    def _check_run_internal(self):
        """A run is created by its automation (Start, Run Now, the schedule)
        and moved on by the processing only, which work as superuser after
        checking the user's rights: a run created or changed directly (RPC,
        import) would block the automation as "already running" or lie about
        what was done."""
        if not self.env.su:
            raise UserError(
                self.env._(
                    "Runs of reminder automations are started and updated by "
                    "their automation only (Start, Run Now, the schedule): they "
                    "cannot be created or changed directly."
                )
            )

    def _log_error(
        self, action, message, reminder=None, partner=None, details=None, severity="error"
    ):
        self.ensure_one()
        if reminder and not partner:
            partner = reminder.partner_id
        return self.env["account.dunning.automation.error"].create(
            {
                "run_id": self.id,
                "action_id": action.id if action else False,
                "reminder_id": reminder.id if reminder else False,
                "partner_id": partner.id if partner else False,
                "message": message,
                "details": details or False,
                "severity": severity,
            }
        )

    # ------------------------------------------------------------------
    # Processing, batch by batch
    # ------------------------------------------------------------------

    def _prepare_queue(self):
        """The customers the run will process: those with open receivable
        items, or with a draft or issued reminder, selected by the filters
        of the automation (the filters of each action apply per batch)."""
        self.ensure_one()
        ids = self._queue_partner_ids(self.automation_id)
        self.write(
            {
                "queue": ids,
                "all_partner_ids": ids,
                "phase": 0,
                "customer_count": len(ids),
                "busy_retries": {},
            }
        )

    @api.model
    def _queue_partner_ids(self, automation):
        """Ids of the customers a run of ``automation`` would process now
        (also counted before a manual start, to confirm it)."""
        automation = automation.with_company(automation.company_id)
        company = automation.company_id
        line_groups = self.env["account.move.line"]._read_group(
            self.env["account.move.line"]._dunning_open_receivable_domain(
                company, with_credits=True
            )
            + [("partner_id", "!=", False)],
            ["partner_id"],
        )
        # Reminded customers not thanked yet too: one who paid everything has
        # no open item left, and the send step thanks them once.
        reminder_groups = self.env["account.dunning.reminder"]._read_group(
            [
                ("company_id", "=", company.id),
                "|",
                ("state", "in", ("draft", "issued")),
                "&",
                ("state", "=", "sent"),
                ("thanked_date", "=", False),
            ],
            ["partner_id"],
        )
        partners = self.env["res.partner"].union(
            *(partner for (partner,) in line_groups + reminder_groups)
        ).commercial_partner_id
        partners = automation._filter_partners(partners, [])
        return sorted(partners.ids)

    @api.model
    def _process_running(self, time_budget=None):
        """Process the runs in progress batch by batch, each batch committed
        with the cursor of its run (not in tests). Reports the progress to
        the cron; with a ``time_budget`` (seconds), stops taking batches after
        it (the cron calls again, or the trigger left behind does)."""
        automation_model = self.env["account.dunning.automation"]
        started = time.monotonic()
        done = 0
        safety_triggers = False
        while True:
            runs = self.search([("state", "=", "running")], order="id")
            if not runs:
                break
            # The notes of the run (errors, chatter, fees entries, call
            # activities) in its company's language, whoever runs it (the
            # cron runs as OdooBot, in English); what reaches the customer
            # is rendered in the customer's language.
            run = runs[0]._dunning_in_company_lang()
            if run.batch_running:
                # The previous batch of this run was killed with its process
                # (time limit, crash): smaller batches from now on.
                size = max(1, (run.current_batch_size or run.automation_id.batch_size) // 2)
                _logger.warning(
                    "Reminder automation run %s: a batch was interrupted, batches of %s "
                    "customers from now on",
                    run.id,
                    size,
                )
                run.current_batch_size = size
            elif not run.current_batch_size and not automation_model._in_test_mode():
                run.current_batch_size = min(
                    run._first_batch_size(), run.automation_id.batch_size
                )
            run.batch_running = True
            if not safety_triggers and not automation_model._in_test_mode():
                # Should a batch of this call be killed (time limit), Odoo
                # gives up on the cron after three timeouts in a row until its
                # next day: a trigger committed now brings it back in two
                # minutes (a call lasts well under that: its time budget and
                # one batch). The pass that gives up (its third timeout)
                # deletes the triggers already due: a later one brings the run
                # back after it.
                now = fields.Datetime.now()
                automation_model._trigger_cron(
                    [now + timedelta(minutes=2), now + timedelta(minutes=6)]
                )
                safety_triggers = True
            # A new transaction for the batch, whose locks come first.
            automation_model._commit()
            batch_start = time.monotonic()
            try:
                with self.env.cr.savepoint():
                    processed = run._process_batch()
                if processed and not automation_model._in_test_mode():
                    run._adapt_batch_size(processed, time.monotonic() - batch_start)
            except Exception as exc:  # pylint: disable=broad-except
                # A failure outside the actions (locks, bookkeeping): this
                # run ends in error, the other runs go on.
                _logger.warning("Reminder automation run %s failed", run.id, exc_info=True)
                run._abort(exc)
                processed = 0
            done += processed
            self.env.flush_all()
            # the runs started meanwhile are seen at the next batch
            remaining = sum(len(r.queue or []) for r in runs if r.state == "running")
            self.env["ir.cron"]._notify_progress(done=done, remaining=remaining)
            automation_model._commit()
            if not remaining:
                break
            if automation_model._in_test_mode():
                continue
            if not processed and run._only_busy_left():
                # Only customers being modified by others are left: let
                # their transactions end before trying again (reported as
                # done, so that the cron does not call again at once).
                automation_model._trigger_cron_later()
                self.env["ir.cron"]._notify_progress(done=done, remaining=0)
                automation_model._commit()
                break
            if time_budget is not None and time.monotonic() - started >= time_budget:
                # The call used its budget: the rest goes to a new pass of the
                # cron (Odoo's pattern for long work, as account's
                # _cron_account_move_send: bounded work per call and a
                # trigger). The worker's time limit covers a whole pass, every
                # call Odoo makes in it while work is reported remaining: this
                # call reports what it did and nothing remaining for this
                # pass, so that Odoo ends the pass; the trigger, due now,
                # wakes a cron worker at once for a new pass with a fresh
                # limit. The run's own progress (done_count) is what users see.
                automation_model._trigger_cron()
                self.env["ir.cron"]._notify_progress(done=done, remaining=0)
                automation_model._commit()
                break
        return done

    def _first_batch_size(self):
        """FIRST_BATCH_SIZE_PDF when a level of the company's reminder terms
        renders PDFs (letter to print, letter or invoices attached)."""
        self.ensure_one()
        renders_pdf = self.env["account.dunning.level"].search_count(
            [
                ("company_id", "in", [self.company_id.id, False]),
                ("term_id.active", "=", True),
                "|",
                "|",
                ("send_letter", "=", True),
                ("attach_letter", "=", True),
                ("attach_invoices", "!=", "none"),
            ],
            limit=1,
        )
        return FIRST_BATCH_SIZE_PDF if renders_pdf else FIRST_BATCH_SIZE

    def _adapt_batch_size(self, processed, elapsed):
        """Size of the next batch from the time per customer of the last
        one (``processed`` customers in ``elapsed`` seconds): about half of
        BATCH_TARGET_SECONDS, at most four times the last size (the first
        batches may be unusually fast or slow) and at most the batch size of
        the automation."""
        self.ensure_one()
        if self.state != "running":
            return
        maximum = self.automation_id.batch_size
        size = self.current_batch_size or maximum
        per_customer = max(elapsed, 0.001) / processed
        ideal = int(BATCH_TARGET_SECONDS / 2 / per_customer)
        new_size = max(1, min(maximum, size * 4, ideal))
        if new_size != size:
            _logger.info(
                "Reminder automation run %s: %.2f s per customer, batches of %s "
                "customers from now on",
                self.id,
                per_customer,
                new_size,
            )
            self.current_batch_size = new_size

    def _only_busy_left(self):
        self.ensure_one()
        retries = self.busy_retries or {}
        return self.state == "running" and all(
            str(partner_id) in retries for partner_id in self.queue or []
        )

    def _process_all(self):
        """Process this run to the end in the current transaction."""
        while any(run.state == "running" for run in self):
            for run in self.filtered(lambda r: r.state == "running"):
                run._dunning_in_company_lang()._process_batch()

    def _dunning_in_company_lang(self):
        """This run in its company's language (the company partner's)."""
        self.ensure_one()
        lang = self.company_id.partner_id.lang
        return self.with_context(lang=lang) if lang else self

    def _process_batch(self):
        """Process the next batch of customers of the run through every
        action, in order. Customers whose items are locked by another
        transaction are skipped and retried later. Returns the number of
        customers processed."""
        self.ensure_one()
        # The contacts of the batch's customers, read once for the batch (see
        # account.move.line._dunning_partners_domain).
        self = self.with_context(dunning_partner_families={})  # pylint: disable=self-cls-assignment
        automation = self.automation_id.with_company(self.company_id)
        queue = list(self.queue or [])
        batch_ids = queue[: max(self.current_batch_size or automation.batch_size, 1)]
        partners = self.env["res.partner"].browse(batch_ids).exists()
        busy = self._lock_customers(partners)
        ready = partners - busy
        phases = self._phases(automation)
        phase = phases[self.phase] if self.phase < len(phases) else automation.action_ids.browse()
        if ready and phase:
            failed = self._run_actions(automation, ready, phase)
            if failed and not self.stopped_action_id:
                self.stopped_action_id = failed
        retries = dict(self.busy_retries or {})
        requeue = []
        for partner in busy:
            count = retries.get(str(partner.id), 0) + 1
            if count > MAX_BUSY_RETRIES:
                self._log_error(
                    False,
                    self.env._(
                        "%(partner)s was skipped: its items were being modified "
                        "by another user during the whole run. The next run "
                        "will process it.",
                        partner=partner.display_name,
                    ),
                    partner=partner,
                )
            else:
                retries[str(partner.id)] = count
                requeue.append(partner.id)
        rest = queue[len(batch_ids) :] + requeue
        values = {
            "queue": rest,
            "busy_retries": retries,
            "done_count": self.done_count + len(ready),
            "batch_count": self.batch_count + 1,
            "batch_running": False,
        }
        if not rest and not self.stopped_action_id and self.phase + 1 < len(phases):
            # The next phase goes through every customer again.
            values.update(
                {
                    "phase": self.phase + 1,
                    "queue": list(self.all_partner_ids or []),
                    "busy_retries": {},
                    "done_count": 0,
                }
            )
        elif not rest:
            if self.stopped_action_id:
                self._log_stop(phases)
            values.update(
                {
                    "end": fields.Datetime.now(),
                    "state": "stopped"
                    if self.stopped_action_id
                    else (
                        "error"
                        if self.error_ids.filtered(lambda e: e.severity == "error")
                        else "done"
                    ),
                }
            )
        self.write(values)
        _logger.info(
            "Reminder automation %s: batch %s, %s customers processed, %s busy, "
            "%s left",
            automation.name,
            self.batch_count,
            len(ready),
            len(busy),
            len(rest),
        )
        return len(ready)

    def _abort(self, exc):
        """End the run in error after an unexpected failure of a batch."""
        self.ensure_one()
        action_model = self.env["account.dunning.automation.action"]
        self._log_error(
            False, action_model._error_message(exc), details=action_model._error_details(exc)
        )
        self.write(
            {"state": "error", "end": fields.Datetime.now(), "queue": [], "batch_running": False}
        )

    @api.model
    def _phases(self, automation):
        """The actions of ``automation`` in order, cut after each action set
        to stop on error: Business Central runs an action for every customer
        before the next one, and batching must not change what "stop on
        error" means (the failing action processes everyone, the following
        ones nobody)."""
        phases = []
        current = automation.action_ids.browse()
        for action in automation.action_ids.sorted(lambda a: (a.sequence, a.id)):
            current |= action
            if action.stop_on_error:
                phases.append(current)
                current = current.browse()
        if current:
            phases.append(current)
        return phases

    def _log_stop(self, phases):
        """Say in the run's log which action stopped the run, why, and which
        actions were not run."""
        self.ensure_one()
        action = self.stopped_action_id
        skipped = self.env["account.dunning.automation.action"]
        for phase in phases[self.phase + 1 :]:
            skipped |= phase
        errors = self.error_ids.filtered(lambda e: e.action_id == action and e.severity == "error")
        self._log_error(
            action,
            self.env._(
                "Stopped on error: %(action)s logged %(count)s error(s) (first: "
                "%(error)s) and is set to stop on error. It processed every customer "
                "of the run; the following actions were not run: %(skipped)s.",
                action=action.name or action._fields["action_type"].convert_to_export(
                    action.action_type, action
                ),
                count=len(errors),
                error=errors[:1].message or "",
                skipped=", ".join(
                    a.name
                    or a._fields["action_type"].convert_to_export(a.action_type, a)
                    for a in skipped
                )
                or self.env._("none"),
            ),
            severity="warning",
        )

    def _run_actions(self, automation, partners, actions=None):
        """Run ``actions`` (the automation's, by default) for ``partners``;
        return the first action set to stop on error that logged one."""
        actions = automation.action_ids if actions is None else actions
        for action in actions.sorted(lambda a: (a.sequence, a.id)):
            try:
                with self.env.cr.savepoint():
                    ok = action._execute(self, self.date, partners)
            except Exception as exc:  # pylint: disable=broad-except
                # An unexpected failure of a whole action is logged, never
                # lost: the run goes on or stops as the action says.
                _logger.warning(
                    "Reminder automation %s failed", automation.name, exc_info=True
                )
                self._log_error(
                    action,
                    action._error_message(exc),
                    details=action._error_details(exc),
                )
                ok = False
            if not ok and action.stop_on_error:
                # the last action of its phase: nothing after it runs
                return action
        return self.env["account.dunning.automation.action"]

    def _lock_customers(self, partners):
        """Lock the open items and the draft or issued reminders of
        ``partners`` (SELECT ... FOR UPDATE SKIP LOCKED, like account's
        _with_locked_records); return the customers of which something is
        locked by another transaction (a payment being registered): they are
        left for a later batch instead of waiting or failing."""
        self.ensure_one()
        if not partners:
            return partners
        company = self.company_id
        busy_ids = set()
        queries = [
            (
                self.env["account.move.line"],
                self.env["account.move.line"]._dunning_open_receivable_domain(
                    company, with_credits=True
                )
                + self.env["account.move.line"]._dunning_partners_domain(partners),
            ),
            (
                self.env["account.dunning.reminder"],
                [
                    ("company_id", "=", company.id),
                    ("state", "in", ("draft", "issued")),
                    ("partner_id", "in", partners.ids),
                ],
            ),
        ]
        try:
            with self.env.cr.savepoint(flush=False):
                for model, domain in queries:
                    table = SQL.identifier(model._table)
                    query = model.sudo()._search(domain)
                    select = query.select(
                        SQL.identifier(model._table, "id"),
                        SQL.identifier(model._table, "partner_id"),
                    )
                    self.env.cr.execute(select)
                    rows = self.env.cr.fetchall()
                    if not rows:
                        continue
                    self.env.cr.execute(
                        SQL(
                            "SELECT id FROM %s WHERE id IN %s FOR UPDATE SKIP LOCKED",
                            table,
                            tuple(row[0] for row in rows),
                        )
                    )
                    locked = {row[0] for row in self.env.cr.fetchall()}
                    busy_ids.update(
                        partner_id for row_id, partner_id in rows if row_id not in locked
                    )
        except (pg_errors.SerializationFailure, pg_errors.LockNotAvailable):
            # Changed by another transaction since the batch started: all
            # of the batch is tried again later.
            return partners
        if not busy_ids:
            return partners.browse()
        busy = self.env["res.partner"].browse(busy_ids).commercial_partner_id
        return partners & busy
