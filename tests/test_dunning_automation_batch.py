# Copyright 2026 account_dunning_automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from datetime import date
from unittest.mock import patch

from freezegun import freeze_time
from lxml import etree

from odoo import Command, fields
from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged
from odoo.tools import config, mute_logger

from odoo.addons.base.models.ir_qweb import IrQWeb as BaseIrQweb

from .common import DunningCommon

ACTION_LOGGER = "odoo.addons.account_dunning_automation.models.account_dunning_automation_action"
AUTOMATION_LOGGER = "odoo.addons.account_dunning_automation.models.account_dunning_automation"
CRON_XMLID = "account_dunning_automation.ir_cron_dunning_automation"
RUN_LOGGER = "odoo.addons.account_dunning_automation.models.account_dunning_automation_run"


@tagged("post_install", "-at_install")
class TestDunningAutomationBatch(DunningCommon):
    """Runs processed by the cron in batches of customers, each batch on its
    own (committed outside tests), errors isolated per reminder."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Automation = cls.env["account.dunning.automation"]
        cls.customers = cls.partner_a | cls.partner_b | cls.env["res.partner"].create(
            [
                {"name": f"Batch customer {i}", "is_company": True, "email": f"c{i}@example.com"}
                for i in range(3)
            ]
        )
        for customer in cls.customers:
            cls._invoice("2026-01-05", partner=customer)

    def _automation(self, actions=("create", "issue", "send"), **values):
        return self.Automation.create(
            {
                "name": values.pop("name", "Batched reminders"),
                "action_ids": [
                    Command.create({"action_type": action, "sequence": index})
                    for index, action in enumerate(actions, 1)
                ],
                **values,
            }
        )

    def _state_of(self, partner):
        # The emails of a batch are queued: Odoo's mail queue sends them (its
        # cron), then each reminder follows its email's delivery.
        self.env["mail.mail"].process_email_queue()
        return self._reminders(partner, ("draft", "issued", "sent", "cancel")).mapped("state")

    def test_five_customers_three_batches_progress_one_run(self):
        automation = self._automation(batch_size=2)
        cron = self.env.ref(CRON_XMLID)
        progress = []
        notify = type(self.env["ir.cron"])._notify_progress

        def record_progress(cron_self, *, done, remaining, deactivate=False):
            progress.append((done, remaining))
            return notify(cron_self, done=done, remaining=remaining, deactivate=deactivate)

        with freeze_time("2026-01-11"):
            automation.action_start()
            run = automation.run_ids
            # Started in the background: nothing is done before the cron runs.
            self.assertEqual((run.state, run.customer_count, run.done_count), ("running", 5, 0))
            self.assertEqual(automation.running_run_id, run)
            self.assertFalse(self.Reminder.search([("partner_id", "in", self.customers.ids)]))
            with patch.object(type(self.env["ir.cron"]), "_notify_progress", record_progress):
                cron.method_direct_trigger()
        self.assertEqual(len(automation.run_ids), 1)
        self.assertEqual(run.batch_count, 3)
        self.assertEqual(progress, [(2, 3), (4, 1), (5, 0)])
        self.assertEqual((run.state, run.done_count, run.progress), ("done", 5, 100.0))
        self.assertEqual(
            (run.created_count, run.issued_count, run.sent_count), (5, 5, 5)
        )
        for customer in self.customers:
            self.assertEqual(self._state_of(customer), ["sent"])
        self.assertFalse(run.queue)
        # The progress the cron reads is the last one notified.
        last = self.env["ir.cron.progress"].search(
            [("cron_id", "=", cron.id)], order="id desc", limit=1
        )
        self.assertEqual((last.done, last.remaining), (5, 0))

    def test_interrupted_run_goes_on_without_doing_anything_twice(self):
        automation = self._automation(batch_size=2)
        with freeze_time("2026-01-11"):
            automation.action_start()
            # processed as the cron does, as superuser (issue 18)
            run = automation.run_ids.sudo()
            # The server dies after the first batch was committed: the next
            # cron call goes on with the queue of the same run.
            run._process_batch()
            self.assertEqual((run.state, run.done_count, len(run.queue)), ("running", 2, 3))
            done_first = self.Reminder.search([("partner_id", "in", self.customers.ids)])
            self.assertEqual(done_first.mapped("send_state"), ["queued", "queued"])
            self.env["mail.mail"].process_email_queue()
            self.assertEqual(done_first.mapped("state"), ["sent", "sent"])
            self.Automation._cron_run_due()
            self.env["mail.mail"].process_email_queue()
        self.assertEqual(len(automation.run_ids), 1)
        self.assertEqual((run.state, run.batch_count, run.sent_count), ("done", 3, 5))
        for customer in self.customers:
            reminder = self._reminders(customer)
            self.assertEqual((len(reminder), reminder.send_count), (1, 1))
            emails = reminder.message_ids.filtered(lambda m: m.message_type == "comment")
            self.assertEqual(len(emails), 1)

    @mute_logger(ACTION_LOGGER)
    def test_error_of_one_reminder_rolls_back_only_that_reminder(self):
        serial, buggy = self.customers[0], self.customers[1]
        original_issue = type(self.Reminder).action_issue

        def action_issue(reminders):
            for reminder in reminders:
                if reminder.partner_id == serial:
                    # Half of the work done, then a payment booked meanwhile
                    # makes PostgreSQL refuse the transaction (SQLSTATE 40001).
                    reminder.note = "half issued"
                    reminder.flush_recordset()
                    self.env.cr.execute(
                        "DO $$ BEGIN RAISE EXCEPTION 'could not serialize access due "
                        "to concurrent update' USING ERRCODE = 'serialization_failure'; END $$",
                        log_exceptions=False,
                    )
                if reminder.partner_id == buggy:
                    reminder.note = "half issued"
                    return {}["no such key"]
            return original_issue(reminders)

        automation = self._automation(batch_size=50)
        with patch.object(type(self.Reminder), "action_issue", action_issue), freeze_time(
            "2026-01-11"
        ):
            automation.action_start()
            self.Automation._cron_run_due()
        run = automation.run_ids
        self.assertEqual(run.state, "error")
        self.assertEqual((run.created_count, run.issued_count, run.sent_count), (5, 3, 3))
        self.assertEqual(len(run.error_ids), 2)
        serial_error = run.error_ids.filtered(lambda e: e.partner_id == serial)
        self.assertIn("SerializationFailure", serial_error.message)
        self.assertIn("Traceback", serial_error.details)
        self.assertIn("could not serialize access", serial_error.details)
        self.assertEqual(serial_error.reminder_id, self._reminders(serial))
        buggy_error = run.error_ids.filtered(lambda e: e.partner_id == buggy)
        self.assertIn("KeyError", buggy_error.message)
        self.assertIn("no such key", buggy_error.details)
        for partner in (serial, buggy):
            reminder = self._reminders(partner)
            self.assertEqual(reminder.state, "draft")
            self.assertFalse(reminder.note)
            self.assertFalse(self._receivable_line(reminder.line_ids.move_id).dunning_level_id)
        for partner in self.customers[2:]:
            self.assertEqual(self._state_of(partner), ["sent"])

    @mute_logger(AUTOMATION_LOGGER)
    def test_one_automation_failing_never_stops_the_others(self):
        broken = self._automation(name="Broken", cadence="custom", cadence_formula="1M")
        healthy = self._automation(name="Healthy", cadence="weekly")
        with freeze_time("2026-01-31"):
            (broken | healthy).action_start()
        # Saved before the validation existed: "CM" from a month end stays
        # on the same day, no next run date can be computed.
        self.env.cr.execute(
            "UPDATE account_dunning_automation SET cadence_formula = 'CM' WHERE id = %s",
            [broken.id],
        )
        broken.invalidate_recordset()
        with freeze_time("2026-01-31"):
            due = self.Automation._cron_run_due()
        self.assertEqual(due, broken | healthy)
        self.assertEqual(broken.run_ids.state, "error")
        self.assertIn("not after the last run", broken.run_ids.error_ids.message)
        self.assertEqual(broken.state, "paused")
        self.assertEqual(broken.next_run_date, date(2026, 1, 31))
        self.assertEqual(healthy.run_ids.state, "done")
        self.assertEqual(healthy.next_run_date, date(2026, 2, 7))
        for customer in self.customers:
            self.assertEqual(self._state_of(customer), ["sent"])

    def test_cadence_validated_over_many_start_dates(self):
        with self.assertRaisesRegex(ValidationError, r"1M-29D.*2024-01-31"):
            self._automation(cadence="custom", cadence_formula="1M-29D")
        with self.assertRaisesRegex(ValidationError, r"CM.*2024-01-31.*not after the last run"):
            self._automation(cadence="custom", cadence_formula="CM")
        automation = self._automation(cadence="custom", cadence_formula="CM+1D")
        self.assertEqual(automation._next_date(date(2026, 1, 31)), date(2026, 2, 1))

    def test_run_now_in_background_leaves_the_schedule(self):
        automation = self._automation(cadence="weekly", next_run_date="2026-01-18")
        with freeze_time("2026-01-11"):
            automation.action_start()
            self.assertEqual(automation.next_run_date, date(2026, 1, 18))
            action = automation.action_run_now()
            run = automation.run_ids
            self.assertEqual((action["res_model"], action["res_id"]), (run._name, run.id))
            self.assertEqual((run.state, run.scheduled), ("running", False))
            self.assertTrue(
                self.env["ir.cron.trigger"].search([("cron_id", "=", self.env.ref(CRON_XMLID).id)])
            )
            with self.assertRaisesRegex(UserError, "already running"):
                automation.action_run_now()
            self.Automation._cron_run_due()
        self.assertEqual(run.state, "done")
        self.assertEqual(automation.next_run_date, date(2026, 1, 18))
        self.assertEqual(len(automation.run_ids), 1)
        for customer in self.customers:
            self.assertEqual(self._state_of(customer), ["sent"])

    def test_customer_being_paid_is_skipped_and_taken_later(self):
        busy_partner = self.customers[0]
        run_model = type(self.env["account.dunning.automation.run"])
        original_lock = run_model._lock_customers
        calls = []

        def lock_customers(run, partners):
            calls.append(partners)
            busy = original_lock(run, partners)
            if len(calls) == 1:
                # Someone registers a payment of this customer right now.
                busy |= partners & busy_partner
            return busy

        automation = self._automation(batch_size=2)
        with patch.object(run_model, "_lock_customers", lock_customers), freeze_time("2026-01-11"):
            automation.action_start()
            self.Automation._cron_run_due()
        run = automation.run_ids
        self.assertIn(busy_partner, calls[0])
        # Put back at the end of the queue: taken with the last customer.
        self.assertEqual(calls[-1], self.customers[4] | busy_partner)
        self.assertEqual((run.state, run.done_count, run.batch_count), ("done", 5, 3))
        for customer in self.customers:
            self.assertEqual(self._state_of(customer), ["sent"])

    def test_customer_busy_during_the_whole_run_is_logged(self):
        busy_partner = self.customers[0]
        run_model = type(self.env["account.dunning.automation.run"])
        original_lock = run_model._lock_customers

        def lock_customers(run, partners):
            return original_lock(run, partners) | (partners & busy_partner)

        automation = self._automation(batch_size=2)
        with patch.object(run_model, "_lock_customers", lock_customers), freeze_time("2026-01-11"):
            automation.action_start()
            self.Automation._cron_run_due()
        run = automation.run_ids
        self.assertEqual(run.state, "error")
        self.assertIn("was skipped", run.error_ids.message)
        self.assertEqual(run.error_ids.partner_id, busy_partner)
        self.assertFalse(self._state_of(busy_partner))
        for customer in self.customers - busy_partner:
            self.assertEqual(self._state_of(customer), ["sent"])

    def test_lock_skips_items_locked_by_another_transaction(self):
        # The real SQL lock: within one transaction every row can be locked.
        automation = self._automation()
        with freeze_time("2026-01-11"):
            run = automation._start_run(date(2026, 1, 11), scheduled=False)
        self.assertFalse(run._lock_customers(self.customers))

    def test_batch_rendered_in_bulk_and_invoice_pdf_kept(self):
        self.level_1.write({"send_letter": True, "attach_invoices": "overdue"})
        composers = []
        renders = []
        composer_model = type(self.env["mail.compose.message"])
        report_model = type(self.env["ir.actions.report"])
        original_create = composer_model.create
        original_render = report_model._pre_render_qweb_pdf

        def create(composer_self, vals_list):
            composers.append(composer_self.env.context.get("default_res_ids"))
            return original_create(composer_self, vals_list)

        def pre_render(report_self, report_ref, res_ids=None, data=None):
            renders.append((report_self._get_report(report_ref).report_name, list(res_ids or [])))
            return original_render(report_self, report_ref, res_ids=res_ids, data=data)

        automation = self._automation(batch_size=50)
        with patch.object(composer_model, "create", create), patch.object(
            report_model, "_pre_render_qweb_pdf", pre_render
        ), freeze_time("2026-01-11"):
            automation.action_start()
            self.Automation._cron_run_due()
        run = automation.run_ids
        self.assertEqual((run.state, run.sent_count), ("done", 5))
        reminders = run.reminder_ids
        # One composer for the five emails, the letters in one rendering, the
        # invoices in another one.
        self.assertEqual(len(composers), 1)
        self.assertEqual(sorted(composers[0]), sorted(reminders.ids))
        self.assertEqual(
            sorted(name for name, _ids in renders),
            [
                "account.report_invoice_with_payments",
                "account_dunning_automation.report_dunning_reminder",
            ],
        )
        invoices = reminders.line_ids.move_id
        self.assertEqual(len(invoices.invoice_pdf_report_id), 5)
        for reminder in reminders:
            email = reminder.message_ids.filtered(
                lambda m: m.message_type == "comment" and m.partner_ids
            )
            self.assertEqual(len(email), 1)
            self.assertIn(reminder.partner_id, email.partner_ids)
            self.assertIn(reminder.line_ids.move_id.invoice_pdf_report_id, email.attachment_ids)
            self.assertEqual(len(email.attachment_ids), 2)  # letter + invoice
            mails = self.env["mail.mail"].search([("mail_message_id", "=", email.id)])
            self.assertEqual(mails.mapped("state"), ["outgoing"])  # queued
        # A week later: the next level reuses the invoice PDFs kept.
        renders.clear()
        with patch.object(report_model, "_pre_render_qweb_pdf", pre_render), freeze_time(
            "2026-01-17"
        ):
            automation.action_start()
            self.Automation._cron_run_due()
        self.assertEqual(automation.run_ids.sorted("id")[-1].sent_count, 5)
        self.assertEqual(
            [name for name, _ids in renders], ["account_dunning_automation.report_dunning_reminder"]
        )

    @mute_logger(RUN_LOGGER)
    def test_failure_outside_the_actions_ends_that_run_only(self):
        broken = self._automation(name="Broken", batch_size=2)
        healthy = self._automation(name="Healthy", batch_size=2)
        run_model = type(self.env["account.dunning.automation.run"])
        original_lock = run_model._lock_customers

        def lock_customers(run, partners):
            if run.automation_id == broken:
                raise RuntimeError("lock table exploded")
            return original_lock(run, partners)

        with patch.object(run_model, "_lock_customers", lock_customers), freeze_time(
            "2026-01-11"
        ):
            broken.action_start()
            healthy.action_start()
            self.Automation._cron_run_due()
        self.assertEqual(broken.run_ids.state, "error")
        self.assertIn("RuntimeError", broken.run_ids.error_ids.message)
        self.assertIn("lock table exploded", broken.run_ids.error_ids.details)
        self.assertEqual((healthy.run_ids.state, healthy.run_ids.sent_count), ("done", 5))

    def test_batch_size_follows_the_time_per_customer(self):
        automation = self._automation(batch_size=50)
        with freeze_time("2026-01-11"):
            automation.action_start()
        # the cron works as superuser: runs are not written directly (issue 18)
        run = automation.run_ids.sudo()
        # The first batch (5 asked, no size kept yet): 0.2 s per customer, 50
        # would fit in 10 s, at most four times the size asked.
        self.assertFalse(run.current_batch_size)
        run._adapt_batch_size(5, 1.0, size=5)
        self.assertEqual(run.current_batch_size, 20)
        run.current_batch_size = 5
        # 0.2 s per customer: 50 would fit in 10 s, at most four times the last.
        run._adapt_batch_size(5, 1.0)
        self.assertEqual(run.current_batch_size, 20)
        # 0.1 s per customer: never more than the automation's batch size.
        run._adapt_batch_size(20, 2.0)
        self.assertEqual(run.current_batch_size, 50)
        # Letters rendered one per call, 2 s per customer: 5 per batch.
        run._adapt_batch_size(50, 100.0)
        self.assertEqual(run.current_batch_size, 5)
        # A very slow server: one customer per batch, never none.
        run._adapt_batch_size(5, 200.0)
        self.assertEqual(run.current_batch_size, 1)
        # The first batch: one customer when a level renders PDFs (a letter or
        # invoices attached: seconds per document), five for emails alone.
        self.assertEqual(run._first_batch_size(), 1)
        self.env["account.dunning.level"].search([]).write(
            {"send_letter": False, "attach_letter": False, "attach_invoices": "none"}
        )
        self.assertEqual(run._first_batch_size(), 5)

    def test_bulk_issue_reads_its_checks_once_and_refuses_per_reminder(self):
        promised = self.customers[0]
        with freeze_time("2026-01-11"):
            drafts = self._create(self.customers)
            self.assertEqual(len(drafts), 5)
            # The customer promises to pay after the drafts were made.
            self.env["account.dunning.promise"].create(
                {
                    "partner_id": promised.id,
                    "company_id": self.env.company.id,
                    "promised_date": date(2026, 1, 20),
                    "amount": 100.0,
                }
            )
            # The promise cancelled its customer's draft; set back to draft
            # by hand, it is refused when issued.
            promised_draft = drafts.filtered(lambda r: r.partner_id == promised)
            self.assertEqual(promised_draft.state, "cancel")
            promised_draft.action_draft()
            self.assertEqual(promised_draft.state, "draft")
            promise_model = type(self.env["account.dunning.promise"])
            original = promise_model._dunning_open_promises
            calls = []

            def counting(promises, *args, **kwargs):
                calls.append(args)
                return original(promises, *args, **kwargs)

            with patch.object(promise_model, "_dunning_open_promises", counting):
                with self.assertRaisesRegex(UserError, "promised to pay"), self.env.cr.savepoint():
                    drafts.action_issue()
                # The promises of the five customers read in one search.
                self.assertEqual(len(calls), 1)
                others = drafts.filtered(lambda r: r.partner_id != promised)
                others.action_issue()
            self.assertEqual(len(calls), 2)
        self.assertEqual(others.mapped("state"), ["issued"] * 4)
        self.assertEqual((drafts - others).state, "draft")

    def test_call_over_its_budget_reports_progress_and_triggers_itself(self):
        # Odoo 18's pattern: a call of the cron takes batches within its time
        # budget, reports what it did to Odoo (_notify_progress) and, when
        # work remains, leaves a trigger due now for a new pass (the worker's
        # time limit covers a whole pass: the call reports nothing remaining
        # for this pass, so that Odoo does not call again in it).
        automation = self._automation(batch_size=2)
        model = type(self.Automation)
        cron = self.env.ref(CRON_XMLID)
        progress = []
        notify = type(self.env["ir.cron"])._notify_progress

        def record_progress(cron_self, *, done, remaining, deactivate=False):
            progress.append((done, remaining))
            return notify(cron_self, done=done, remaining=remaining, deactivate=deactivate)

        def due_triggers():
            return self.env["ir.cron.trigger"].search(
                [("cron_id", "=", cron.id), ("call_at", "<=", fields.Datetime.now())]
            )

        with freeze_time("2026-01-11 08:00:00"):
            automation.action_start()
            run = automation.run_ids
            calls = []
            with (
                patch.object(model, "_in_test_mode", lambda self: False),
                patch.object(model, "_commit", lambda self: None),
                # A budget spent by the first batch: one batch per call.
                patch.object(model, "_cron_time_budget", lambda self: 0),
                patch.object(type(self.env["ir.cron"]), "_notify_progress", record_progress),
            ):
                while run.state == "running" and len(calls) < 10:
                    due_triggers().unlink()
                    before = run.done_count
                    progress.clear()
                    self.Automation._cron_run_due()
                    calls.append(run.done_count - before)
                    if run.state == "running":
                        # at most its budget: one batch, then a trigger due
                        # now and nothing remaining reported for this pass
                        self.assertEqual(progress[-1], (calls[-1], 0))
                        self.assertTrue(due_triggers())
                    else:
                        self.assertEqual(progress[-1], (calls[-1], 0))
        self.assertEqual((run.state, run.done_count), ("done", 5))
        # one batch per call, never more than the batch size
        self.assertEqual(len(calls), run.batch_count)
        self.assertTrue(all(0 < done <= 2 for done in calls))
        self.assertGreater(len(calls), 1)

    def test_time_budget_read_from_the_server_limits(self):
        budget = self.Automation._cron_time_budget
        options = {"limit_time_real_cron": -1, "limit_time_real": 120, "limit_time_cpu": 60}
        # Odoo's defaults, prefork: 120 s less the worker's sleep, halved
        with patch.dict(config.options, dict(options, workers=2)):
            self.assertEqual(budget(), 25)
        # threaded server: half of the CPU limit, the smaller
        with patch.dict(config.options, dict(options, workers=0)):
            self.assertEqual(budget(), 30)
        # a limit of its own for cron workers
        with patch.dict(config.options, dict(options, workers=2, limit_time_real_cron=600)):
            self.assertEqual(budget(), 30)
        with patch.dict(
            config.options, dict(options, workers=0, limit_time_cpu=0, limit_time_real_cron=100)
        ):
            self.assertEqual(budget(), 50)
        # no limit at all
        with patch.dict(
            config.options,
            {"limit_time_real_cron": 0, "limit_time_real": 0, "limit_time_cpu": 0, "workers": 0},
        ):
            self.assertEqual(budget(), 600)

    def test_batch_emails_compiled_once_numbered_and_tracked_in_bulk(self):
        # Heavy work once per batch: the email template compiled once for the
        # five emails (each still rendered for its own customer), the five
        # numbers drawn in one query, the tracking notes of the five reminders
        # (issued, then email queued) created together, each with its own
        # changes.
        compiled = []
        tracked_batches = []
        base_compile = BaseIrQweb._compile
        tracking_model = type(self.env["mail.tracking.value"])
        tracking_create = tracking_model.create

        def compile_counting(qweb_self, template):
            if isinstance(template, etree._Element):
                compiled.append(template)
            return base_compile(qweb_self, template)

        def create_counting(tracking_self, vals_list):
            vals_list = vals_list if isinstance(vals_list, list) else [vals_list]
            # the tracked messages of one creation
            tracked_batches.append(len({vals.get("mail_message_id") for vals in vals_list}))
            return tracking_create(tracking_self, vals_list)

        # The tracking values of a batch's notes are inserted as create()
        # would store them (issue 23): counted like a creation.
        batch_model = type(self.env["account.dunning.mail.batch"])
        insert_rows = batch_model._dunning_insert_rows

        def insert_counting(batch_self, model_name, vals_list):
            if model_name == "mail.tracking.value":
                tracked_batches.append(len({vals.get("mail_message_id") for vals in vals_list}))
            return insert_rows(batch_self, model_name, vals_list)

        automation = self._automation(batch_size=50)
        # The invoicing test case disables tracking: this test is about it.
        tracking = {"tracking_disable": False, "mail_notrack": False}
        self.env.cr.precommit.run()
        with (
            patch.object(BaseIrQweb, "_compile", compile_counting),
            patch.object(tracking_model, "create", create_counting),
            patch.object(batch_model, "_dunning_insert_rows", insert_counting),
            freeze_time("2026-01-11"),
        ):
            taken = self.env["ir.sequence"].next_by_code("account.dunning.reminder")
            automation.action_start()
            self.Automation.with_context(**tracking)._cron_run_due()
            self.env.cr.precommit.run()  # tracking values are written at commit
            # The mail queue then delivers the emails one by one (its own
            # transactions, outside the run).
            self.assertEqual(tracked_batches, [5, 5])  # issued, email queued
            self.env["mail.mail"].with_context(**tracking).process_email_queue()
            self.env.cr.precommit.run()
        self.env.invalidate_all()
        run = automation.run_ids
        self.assertEqual((run.state, run.sent_count), ("done", 5))
        self.assertEqual(len(compiled), 1)
        reminders = run.reminder_ids.sorted("name")
        self.assertEqual(reminders.mapped("state"), ["sent"] * 5)
        prefix, number = taken.rsplit("/", 1)
        self.assertEqual(
            reminders.mapped("name"),
            [f"{prefix}/{int(number) + i:05d}" for i in range(1, 6)],
        )
        for reminder in reminders:
            email = reminder.message_ids.filtered(
                lambda m: m.message_type == "comment" and m.partner_ids
            )
            self.assertIn(f"Dear {reminder.partner_id.name},", email.body)
            self.assertIn(reminder.line_ids.move_id.name, email.body)
            changes = sorted(
                (t.field_id.name, t.old_value_char or "", t.new_value_char)
                for t in reminder.message_ids.tracking_value_ids
                if t.field_id.name in ("state", "send_state")
            )
            self.assertEqual(
                changes,
                [
                    ("send_state", "", "Email Queued"),
                    ("send_state", "Email Queued", "Email Delivered"),
                    ("state", "Draft", "Issued"),
                    ("state", "Issued", "Sent"),
                ],
            )

    def test_items_of_contacts_at_any_depth_in_the_batch(self):
        # The items of a customer's contacts (a contact of a contact, an
        # archived one too) are its items: read with the customer's family in
        # one query, locked and reminded with it.
        customer = self.customers[2]
        office = self.env["res.partner"].create({"name": "Office", "parent_id": customer.id})
        clerk = self.env["res.partner"].create({"name": "Clerk", "parent_id": office.id})
        invoice = self._invoice("2026-01-06", amount=300.0, partner=clerk)
        clerk.active = False
        other = self.customers[3]
        domain = self.env["account.move.line"]._dunning_partners_domain(customer | other)
        self.assertEqual(
            set(domain[0][2]), {customer.id, office.id, clerk.id, other.id}
        )
        automation = self._automation(batch_size=50)
        with freeze_time("2026-01-11"):
            automation.action_start()
            self.Automation._cron_run_due()
        reminder = automation.run_ids.reminder_ids.filtered(lambda r: r.partner_id == customer)
        self.assertIn(invoice, reminder.line_ids.move_id)
        self.assertEqual(len(reminder.line_ids), 2)
