# Copyright 2026 account_dunning_automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

import logging
import os
import socket
import threading
import time
from datetime import timedelta

from psycopg2 import errors as pg_errors

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL, format_datetime

from .ir_qweb import MEMO_KEY

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
# Key of the lock that the batches posting entries take in turn (with the
# company's id), see _take_batch.
ENTRIES_LOCK = 0x44554E


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
        compute="_compute_queue",
        help="Ids of the customers of the current phase not processed yet, "
        "in the order the next batches take them.",
    )
    all_partner_ids = fields.Json(
        readonly=True,
        copy=False,
        help="Ids of every customer of the run: each phase of the run (the "
        "actions up to one that stops on error) goes through all of them.",
    )
    phase = fields.Integer(
        default=0,
        readonly=True,
        copy=False,
        help="Index of the phase in progress: the actions are cut after each "
        "action set to stop on error, and a phase processes every customer "
        "before the next one starts, so that an action stopping on error has "
        "run for all customers and the actions after it for none.",
    )
    current_batch_size = fields.Integer(
        readonly=True,
        copy=False,
        help="Size of the next batch of this run: small at first, then set "
        "by the time per customer of the last batch (at most the automation's "
        "batch size), halved each time a batch is killed, so that a batch "
        "stays short and a run always ends under the time limits.",
    )
    item_ids = fields.One2many(
        "account.dunning.automation.run.item", "run_id", string="Customers of the Phases"
    )
    batch_ids = fields.One2many(
        "account.dunning.automation.batch", "run_id", string="Batch Log", readonly=True
    )
    customer_count = fields.Integer(string="Customers", readonly=True)
    # The figures below are read from the run's batches and customers, never
    # written on the run: the batches of several workers run at the same
    # time, and each writes only its own rows.
    done_count = fields.Integer(string="Customers Processed", compute="_compute_done_count")
    batch_count = fields.Integer(string="Batches", compute="_compute_batch_figures")
    progress = fields.Float(compute="_compute_progress")
    created_count = fields.Integer(string="Created", compute="_compute_batch_figures")
    issued_count = fields.Integer(string="Issued", compute="_compute_batch_figures")
    sent_count = fields.Integer(string="Sent", compute="_compute_batch_figures")
    reminder_ids = fields.Many2many(
        "account.dunning.reminder", string="Reminders", compute="_compute_reminder_ids"
    )
    error_ids = fields.One2many(
        "account.dunning.automation.error", "run_id", string="Errors", readonly=True
    )
    error_count = fields.Integer(
        compute="_compute_error_count", search="_search_error_count"
    )

    def _compute_error_count(self):
        groups = dict(
            self.env["account.dunning.automation.error"]._read_group(
                [("run_id", "in", self.ids)], ["run_id"], ["__count"]
            )
        )
        for run in self:
            run.error_count = groups.get(run, 0)

    def _search_error_count(self, operator, value):
        if operator not in ("=", "!=", "<", "<=", ">", ">=") or not isinstance(value, int):
            raise UserError(self.env._("Search not supported on the number of errors."))
        query = SQL(
            "SELECT run.id FROM account_dunning_automation_run run "
            "LEFT JOIN account_dunning_automation_error error ON error.run_id = run.id "
            "GROUP BY run.id HAVING COUNT(error.id) %s %s",
            SQL(operator),
            value,
        )
        return [("id", "in", query)]

    @api.depends("batch_ids.state", "batch_ids.created_count")
    def _compute_batch_figures(self):
        groups = self.env["account.dunning.automation.batch"]._read_group(
            [("run_id", "in", self.ids), ("state", "=", "done")],
            ["run_id"],
            ["__count", "created_count:sum", "issued_count:sum", "sent_count:sum"],
        )
        figures = {run: rest for run, *rest in groups}
        for run in self:
            run.batch_count, run.created_count, run.issued_count, run.sent_count = (
                figures.get(run, (0, 0, 0, 0))
            )

    @api.depends("batch_ids.state", "batch_ids.reminder_ids")
    def _compute_reminder_ids(self):
        for run in self:
            run.reminder_ids = run.batch_ids.filtered(lambda b: b.state == "done").reminder_ids

    @api.depends("item_ids.state", "phase")
    def _compute_done_count(self):
        # counted by the database: a run may have thousands of customers,
        # and the log lists many runs
        groups = self.env["account.dunning.automation.run.item"]._read_group(
            [("run_id", "in", self.ids), ("state", "!=", "todo")],
            ["run_id", "phase"],
            ["__count"],
        )
        counts = {(run.id, phase): count for run, phase, count in groups}
        for run in self:
            run.done_count = counts.get((run.id, run.phase), 0)

    @api.depends("item_ids.state", "phase")
    def _compute_queue(self):
        for run in self:
            run.queue = (
                self.env["account.dunning.automation.run.item"]
                .search_fetch(
                    [("run_id", "=", run.id), ("phase", "=", run.phase), ("state", "=", "todo")],
                    ["partner_id"],
                )
                .partner_id.ids
            )

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
        self.write({"all_partner_ids": ids, "phase": 0, "customer_count": len(ids)})
        self._add_items(0, ids)
        # Shared by the batches of several workers: created now, committed
        # with the run.
        builder = self.env["account.dunning.builder"]
        for day in sorted({self.date or fields.Date.today(), fields.Date.today()}):
            builder._dunning_prepare_numbering(self.company_id, day)

    def _add_items(self, phase, partner_ids):
        """The customers ``partner_ids`` to do in ``phase``: thousands of
        rows in one query (the ORM would create them one by one)."""
        self.ensure_one()
        if not partner_ids:
            return
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                "INSERT INTO account_dunning_automation_run_item "
                "(run_id, phase, partner_id, state, busy_retries, create_uid, create_date, "
                "write_uid, write_date) "
                "SELECT %(run)s, %(phase)s, partner_id, 'todo', 0, %(uid)s, %(now)s, %(uid)s, "
                "%(now)s FROM unnest(%(ids)s::int[]) AS partner_id",
                run=self.id,
                phase=phase,
                uid=self.env.uid,
                now=self.env.cr.now(),
                ids=list(partner_ids),
            )
        )
        self.env["account.dunning.automation.run.item"].invalidate_model()
        self.invalidate_recordset(["item_ids", "queue", "done_count"])

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
        with the cursor of its run (not in tests). Several workers (cron
        threads, Odoo servers on one database) may call this at the same
        time: each batch takes customers no other batch holds (see
        _claim_items), so that they share the runs. Reports the progress to
        the cron; with a ``time_budget`` (seconds), stops taking batches after
        it (the cron calls again, or the trigger left behind does)."""
        # The email templates and their layout compiled once for the whole
        # call, not again for each batch (see ir.qweb._compile in this
        # module): pure functions of their source and of the rendering's
        # language; a template edited meanwhile is used from the next call.
        self = self.with_context(**{MEMO_KEY: {}})  # pylint: disable=self-cls-assignment
        automation_model = self.env["account.dunning.automation"]
        in_test = automation_model._in_test_mode()
        started = time.monotonic()
        done = 0
        idle = 0
        safety_triggers = False
        while True:
            # Another worker may have moved the runs on since the last batch.
            self.env.invalidate_all()
            runs = self.search([("state", "=", "running")], order="id")
            if not runs:
                break
            if not safety_triggers and not in_test:
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
                automation_model._commit()
                safety_triggers = True
            processed = None
            for run in runs:
                # The notes of the run (errors, chatter, fees entries, call
                # activities) in its company's language, whoever runs it (the
                # cron runs as OdooBot, in English); what reaches the customer
                # is rendered in the customer's language.
                processed = run._dunning_in_company_lang()._take_batch()
                if processed is not None:
                    break
            if processed is None:
                # Nothing left to take: the runs whose customers are all done
                # move on (next phase, or the end), each in its transaction.
                moved = False
                for run in runs:
                    moved |= run._dunning_in_company_lang()._advance()
                    automation_model._commit()
                if moved:
                    continue
                # What is left is being processed by other workers, or held
                # by other transactions (payments being registered): let them
                # end before trying again (reported as done, so that the cron
                # does not call again at once).
                if not in_test and any(run._only_busy_left() for run in runs):
                    automation_model._trigger_cron_later()
                self.env["ir.cron"]._notify_progress(done=done, remaining=0)
                automation_model._commit()
                break
            done += processed
            remaining = self._remaining_count()
            self.env["ir.cron"]._notify_progress(done=done, remaining=remaining)
            automation_model._commit()
            if in_test or not remaining:
                continue
            idle = 0 if processed else idle + 1
            if idle and (idle >= 3 or any(run._only_busy_left() for run in runs)):
                # Batches that did nothing: their customers held by other
                # transactions (payments being registered) or refused by
                # PostgreSQL (changed meanwhile): let those end before trying
                # again (reported as done, so that the cron does not call
                # again at once).
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

    @api.model
    def _remaining_count(self):
        """Customers still to do in the current phases of the runs in
        progress (the earlier phases have none left)."""
        return self.env["account.dunning.automation.run.item"].search_count(
            [("run_id.state", "=", "running"), ("state", "=", "todo")]
        )

    def _take_batch(self):
        """Take and process the next batch of this run, committed (not in
        tests): the batch's row is committed first, in its own transaction,
        so that a batch killed with its worker leaves a trace (see
        _next_batch_size); then the batch's transaction holds that row and its
        customers locked until its commit. Returns the number of customers
        processed, None when no customer was left to take."""
        self.ensure_one()
        automation_model = self.env["account.dunning.automation"]
        in_test = automation_model._in_test_mode()
        size = self._next_batch_size()
        batch = self.env["account.dunning.automation.batch"].create(
            {
                "run_id": self.id,
                "phase": self.phase,
                "size": size,
                "worker": f"{socket.gethostname()}:{os.getpid()}:"
                f"{threading.current_thread().name}",
            }
        )
        serialized = not in_test and self._posts_entries()
        if serialized:
            # Entries (fees, interest) are numbered in their journal from the
            # last number the transaction sees: two batches posting at once
            # would both take the next number, and PostgreSQL would refuse
            # one of them (account_move_unique_name). Batches that may post
            # take turns: a lock of the database session, taken before the
            # batch's transaction begins, so that it sees the entries of the
            # batch before it (released with the connection if the worker
            # dies).
            self.env.cr.execute(
                SQL("SELECT pg_advisory_lock(%s, %s)", ENTRIES_LOCK, self.company_id.id)
            )
        # A new transaction for the batch, whose locks come first.
        automation_model._commit()
        batch_start = time.monotonic()
        try:
            with self.env.cr.savepoint():
                processed = self._process_batch(batch)
        except (pg_errors.SerializationFailure, pg_errors.LockNotAvailable):
            # Changed by another worker since the batch started (PostgreSQL
            # refuses the batch's transaction): its customers are taken again
            # by a later batch.
            _logger.info("Reminder automation run %s: batch %s conflicted, retried", self.id,
                         batch.id, exc_info=True)
            processed = 0
        except Exception as exc:  # pylint: disable=broad-except
            # A failure outside the actions (locks, bookkeeping): this run
            # ends in error, the other runs go on.
            _logger.warning("Reminder automation run %s failed", self.id, exc_info=True)
            self._abort(exc)
            processed = 0
        if not processed:
            # Nothing taken (the others hold the rest) or rolled back: no
            # trace of an empty batch.
            batch.unlink()
        elif not in_test:
            self._adapt_batch_size(processed, time.monotonic() - batch_start, size)
        automation_model._commit()
        if serialized:
            self.env.cr.execute(
                SQL("SELECT pg_advisory_unlock(%s, %s)", ENTRIES_LOCK, self.company_id.id)
            )
            automation_model._commit()
        return processed

    def _posts_entries(self):
        """Whether a batch of the run's current phase may post entries: the
        phase issues reminders and a level of the company's terms charges
        fees or interest."""
        self.ensure_one()
        phases = self._phases(self.automation_id)
        phase = phases[self.phase] if self.phase < len(phases) else []
        if not any(action.action_type == "issue" for action in phase):
            return False
        levels = self.env["account.dunning.level"].search(
            [("company_id", "in", [self.company_id.id, False]), ("term_id.active", "=", True)]
        )
        return any(level._has_fee() or level._has_interest() for level in levels)

    def _next_batch_size(self):
        """Size of the next batch: the run's current size (small for its
        first batch), halved when a batch of the run was killed with its
        worker (time limit, crash) since the last look: its row is still
        "running" and no transaction holds it."""
        self.ensure_one()
        automation = self.automation_id
        in_test = self.env["account.dunning.automation"]._in_test_mode()
        size = self.current_batch_size or (
            automation.batch_size
            if in_test
            else min(self._first_batch_size(), automation.batch_size)
        )
        self.env.flush_all()
        # A batch row is committed a moment before its transaction locks it:
        # only rows older than that moment count (10 s is ample).
        self.env.cr.execute(
            SQL(
                "UPDATE account_dunning_automation_batch SET state = 'killed' "
                "WHERE id IN (SELECT id FROM account_dunning_automation_batch "
                "WHERE run_id = %s AND state = 'running' "
                "AND create_date < (now() AT TIME ZONE 'UTC') - interval '10 seconds' "
                "FOR UPDATE SKIP LOCKED) RETURNING id",
                self.id,
            )
        )
        if self.env.cr.fetchall():
            self.env["account.dunning.automation.batch"].invalidate_model(["state"])
            size = max(1, size // 2)
            _logger.warning(
                "Reminder automation run %s: a batch was interrupted, batches of %s "
                "customers from now on",
                self.id,
                size,
            )
            self._write_if_free({"current_batch_size": size})
        return max(size, 1)

    def _write_if_free(self, values):
        """Write ``values`` on the run unless another worker holds its row
        (or changed it since this transaction began): sizes of batches are
        hints, never worth waiting for. Returns whether it was written."""
        self.ensure_one()
        try:
            with self.env.cr.savepoint():
                self.env.cr.execute(
                    SQL(
                        # NO KEY: the batches of other workers insert rows
                        # referring to the run (errors, batches) meanwhile.
                        "SELECT id FROM account_dunning_automation_run WHERE id = %s "
                        "FOR NO KEY UPDATE NOWAIT",
                        self.id,
                    ),
                    # expected when another worker holds the run: not an error
                    log_exceptions=False,
                )
                if values:
                    self.write(values)
        except (pg_errors.SerializationFailure, pg_errors.LockNotAvailable):
            self.invalidate_recordset(list(values))
            return False
        return True

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

    def _adapt_batch_size(self, processed, elapsed, size=None):
        """Size of the next batch from the time per customer of the last
        one (``processed`` customers in ``elapsed`` seconds, ``size`` asked):
        about half of BATCH_TARGET_SECONDS, at most four times the last size
        (the first batches may be unusually fast or slow) and at most the
        batch size of the automation."""
        self.ensure_one()
        if self.state != "running":
            return
        maximum = self.automation_id.batch_size
        size = size or self.current_batch_size or maximum
        per_customer = max(elapsed, 0.001) / processed
        ideal = int(BATCH_TARGET_SECONDS / 2 / per_customer)
        new_size = max(1, min(maximum, size * 4, ideal))
        if new_size != self.current_batch_size and self._write_if_free(
            {"current_batch_size": new_size}
        ):
            _logger.info(
                "Reminder automation run %s: %.2f s per customer, batches of %s "
                "customers from now on",
                self.id,
                per_customer,
                new_size,
            )

    def _only_busy_left(self):
        """Every customer left to do was put back because other transactions
        held its items."""
        self.ensure_one()
        items = self.env["account.dunning.automation.run.item"]
        domain = [("run_id", "=", self.id), ("phase", "=", self.phase), ("state", "=", "todo")]
        return (
            self.state == "running"
            and bool(items.search_count(domain, limit=1))
            and not items.search_count(domain + [("busy_retries", "=", 0)], limit=1)
        )

    def _process_all(self):
        """Process this run to the end in the current transaction."""
        for run in self:
            run = run._dunning_in_company_lang()
            while run.state == "running":
                if run._process_batch() is None and not run._advance():
                    break

    def _dunning_in_company_lang(self):
        """This run in its company's language (the company partner's)."""
        self.ensure_one()
        lang = self.company_id.partner_id.lang
        return self.with_context(lang=lang) if lang else self

    def _claim_items(self, size):
        """Take up to ``size`` customers to do in the run's current phase,
        locked until the end of the transaction. SKIP LOCKED: the customers
        another batch (another worker) holds are not waited for, nor taken
        twice: each batch gets its own (account's _with_locked_records does
        the same for the moves it sends). Returns [(item id, partner id)]."""
        self.ensure_one()
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                "SELECT id, partner_id FROM account_dunning_automation_run_item "
                "WHERE run_id = %s AND phase = %s AND state = 'todo' "
                "ORDER BY busy_retries, id LIMIT %s FOR UPDATE SKIP LOCKED",
                self.id,
                self.phase,
                size,
            )
        )
        return self.env.cr.fetchall()

    def _process_batch(self, batch=None):
        """Take the next batch of customers of the run and process them
        through the actions of its phase, in order, in the current
        transaction (``batch``: its committed row, see _take_batch; created
        here otherwise). Customers whose items are locked by another
        transaction are put back and retried later. Returns the number of
        customers processed, None when none was left to take."""
        self.ensure_one()
        # The contacts of the batch's customers, read once for the batch (see
        # account.move.line._dunning_partners_domain).
        self = self.with_context(dunning_partner_families={})  # pylint: disable=self-cls-assignment
        automation = self.automation_id.with_company(self.company_id)
        batch_start = time.monotonic()
        size = max(self.current_batch_size or automation.batch_size, 1)
        if batch is not None:
            # The batch's row is held by this transaction: a row left
            # "running" and free is a batch killed with its worker.
            self.env.cr.execute(
                SQL(
                    "SELECT id FROM account_dunning_automation_batch WHERE id = %s FOR UPDATE",
                    batch.id,
                )
            )
            size = batch.size or size
        claimed = self._claim_items(size) if self.state == "running" else []
        if not claimed:
            return None
        if batch is None:
            batch = self.env["account.dunning.automation.batch"].create(
                {"run_id": self.id, "phase": self.phase, "size": size}
            )
        item_by_partner = {partner_id: item_id for item_id, partner_id in claimed}
        partners = self.env["res.partner"].browse(list(item_by_partner)).exists()
        busy = self._lock_customers(partners)
        ready = partners - busy
        phases = self._phases(automation)
        phase = phases[self.phase] if self.phase < len(phases) else automation.action_ids.browse()
        failed = automation.action_ids.browse()
        if ready and phase:
            failed = self.with_context(dunning_batch_id=batch.id)._run_actions(
                automation, ready, phase
            )
        items = self.env["account.dunning.automation.run.item"]
        skipped = items.browse()
        retried = items.browse()
        for partner in busy:
            item = items.browse(item_by_partner[partner.id])
            if item.busy_retries + 1 > MAX_BUSY_RETRIES:
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
                skipped |= item
            else:
                retried |= item
        self.env.flush_all()
        # The batch's customers done, set-based (a batch may hold hundreds).
        self.env.cr.execute(
            SQL(
                "UPDATE account_dunning_automation_run_item SET "
                "state = CASE WHEN id = ANY(%(retried)s) THEN 'todo' "
                "WHEN id = ANY(%(skipped)s) THEN 'skipped' ELSE 'done' END, "
                "busy_retries = busy_retries + CASE WHEN id = ANY(%(retried)s) THEN 1 ELSE 0 END, "
                "batch_id = %(batch)s, write_date = %(now)s WHERE id = ANY(%(ids)s)",
                retried=retried.ids,
                skipped=skipped.ids,
                batch=batch.id,
                now=self.env.cr.now(),
                ids=[item_id for item_id, _partner_id in claimed],
            )
        )
        items.invalidate_model()
        self.invalidate_recordset(["queue", "done_count"])
        batch.write(
            {
                "state": "done",
                "customer_count": len(ready),
                "failed_action_id": failed.id,
                "duration": time.monotonic() - batch_start,
            }
        )
        # The last batch of a phase moves the run on at once, unless another
        # worker holds the run (it will, or the next batch of any worker).
        self._advance()
        _logger.info(
            "Reminder automation %s: batch %s, %s customers processed, %s busy",
            automation.name,
            batch.id,
            len(ready),
            len(busy),
        )
        return len(ready)

    def _advance(self):
        """When no customer of the current phase is left to do: start the
        next phase (every customer again) or end the run, stopped when an
        action set to stop on error failed in the phase. Under the run's row
        lock, not waited for: a worker that finds it held leaves it to the
        holder. Returns whether the run moved on."""
        self.ensure_one()
        if self.state != "running":
            return False
        if not self._write_if_free({}):
            return False
        self.invalidate_recordset()
        if self.state != "running":
            return False
        items = self.env["account.dunning.automation.run.item"]
        if items.search_count(
            [("run_id", "=", self.id), ("phase", "=", self.phase), ("state", "=", "todo")],
            limit=1,
        ):
            return False
        automation = self.automation_id
        phases = self._phases(automation)
        failed = self.env["account.dunning.automation.batch"].search(
            [
                ("run_id", "=", self.id),
                ("phase", "=", self.phase),
                ("state", "=", "done"),
                ("failed_action_id", "!=", False),
            ]
        ).failed_action_id
        if failed:
            self.stopped_action_id = failed.sorted(lambda a: (a.sequence, a.id))[:1]
        if not failed and self.phase + 1 < len(phases):
            # The next phase goes through every customer again.
            self.phase += 1
            self._add_items(self.phase, self.all_partner_ids or [])
            return True
        if failed:
            self._log_stop(phases)
        self.write(
            {
                "end": fields.Datetime.now(),
                "state": "stopped"
                if failed
                else (
                    "error"
                    if self.error_ids.filtered(lambda e: e.severity == "error")
                    else "done"
                ),
            }
        )
        return True

    def _count(self, counter, reminders):
        """Add ``reminders`` to the figure ``counter`` (created_count,
        issued_count, sent_count) of the batch in progress."""
        self.env["account.dunning.automation.batch"].browse(
            self.env.context["dunning_batch_id"]
        )._count(counter, reminders)

    def _abort(self, exc):
        """End the run in error after an unexpected failure of a batch."""
        self.ensure_one()
        action_model = self.env["account.dunning.automation.action"]
        self._log_error(
            False, action_model._error_message(exc), details=action_model._error_details(exc)
        )
        self.flush_recordset()
        # Its customers left to do are not done by anyone.
        self.env.cr.execute(
            SQL(
                "UPDATE account_dunning_automation_run_item SET state = 'skipped' "
                "WHERE run_id = %s AND state = 'todo'",
                self.id,
            )
        )
        self.env["account.dunning.automation.run.item"].invalidate_model(["state"])
        self.write({"state": "error", "end": fields.Datetime.now()})

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
