# Copyright 2026 account_dunning_automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from datetime import date

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import UserError, ValidationError
from odoo.tests import Form, new_test_user, tagged

from .common import DunningCommon


@tagged("post_install", "-at_install")
class TestDunningAutomation(DunningCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Automation = cls.env["account.dunning.automation"]

    def _automation(self, actions=("create", "issue", "send"), **values):
        return self.Automation.create(
            {
                "name": "Reminders",
                "action_ids": [
                    Command.create(
                        {"action_type": action, "sequence": index}
                        if isinstance(action, str)
                        else {"sequence": index, **action}
                    )
                    for index, action in enumerate(actions, 1)
                ],
                **values,
            }
        )

    def _run(self, automation, day):
        """Start a manual automation and let the cron process its run."""
        with freeze_time(day):
            automation.action_start()
            self.Automation._cron_run_due()
            # The emails of a batch are queued: Odoo's mail queue sends them
            # (its cron), then each reminder follows its email's delivery.
            self.env["mail.mail"].process_email_queue()
        return automation.run_ids.sorted("id")[-1]

    def test_create_issue_send_in_one_run_and_never_twice(self):
        invoice = self._invoice("2026-01-05")
        self._invoice("2026-01-06", partner=self.partner_b)
        automation = self._automation()
        run = self._run(automation, "2026-01-11")
        self.assertEqual(run.state, "done")
        self.assertEqual(
            (run.created_count, run.issued_count, run.sent_count), (2, 2, 2)
        )
        reminder = self._reminders()
        self.assertEqual(reminder.state, "sent")
        self.assertEqual(reminder.send_count, 1)
        self.assertEqual(self._receivable_line(invoice).dunning_level_id, self.level_1)
        message = reminder.message_ids.filtered(lambda m: m.message_type == "comment")
        self.assertEqual(len(message), 1)
        self.assertIn(self.partner_a, message.partner_ids)
        self.assertTrue(message.attachment_ids)
        self.assertEqual(automation.last_run_date, date(2026, 1, 11))

        # Same day again: nothing new to remind, nothing sent twice.
        rerun = self._run(automation, "2026-01-11")
        self.assertEqual(
            (rerun.created_count, rerun.issued_count, rerun.sent_count), (0, 0, 0)
        )
        self.assertEqual(reminder.send_count, 1)
        self.assertEqual(len(self._reminders()), 1)
        # A week later the next level is reached, issued and sent.
        later = self._run(automation, "2026-01-17")
        self.assertEqual(later.sent_count, 2)
        self.assertEqual(
            self._receivable_line(invoice).dunning_level_id, self.level_2
        )

    def test_paid_draft_cancelled_by_the_next_run(self):
        invoice = self._invoice("2026-01-05")
        automation = self._automation(["create"])
        self._run(automation, "2026-01-11")
        draft = self._reminders(states=("draft",))
        self.assertTrue(draft)
        self._pay(invoice, date="2026-01-12")
        automation.action_ids = [Command.create({"action_type": "issue", "sequence": 2})]
        run = self._run(automation, "2026-01-12")
        self.assertEqual(draft.state, "cancel")
        self.assertFalse(run.error_ids)
        self.assertEqual(run.state, "done")

    def _fees_on_a_deprecated_account(self):
        """Level 1 charges a fee on an account deprecated since: valid when
        saved (terms missing an account are refused then, issue #19), the
        posting fails at issue."""
        account = self.company_data["default_account_revenue"].copy(
            {"code": "758900", "name": "Reminder fees (closed)"}
        )
        self.term.write(
            {
                "journal_id": self.company_data["default_journal_misc"].id,
                "fee_account_id": account.id,
            }
        )
        self.level_1.fee_amount = 10.0
        account.deprecated = True

    def test_error_logged_and_other_reminders_go_on(self):
        # Fees on a deprecated account: issuing partner A's reminder fails.
        self._fees_on_a_deprecated_account()
        other_term = self._create_term("No fees", [("Only", 1, {})])
        self.partner_b.dunning_term_id = other_term
        self._invoice("2026-01-05")
        self._invoice("2026-01-05", partner=self.partner_b)
        automation = self._automation()
        run = self._run(automation, "2026-01-11")
        self.assertEqual(run.state, "error")
        self.assertEqual(run.error_ids.partner_id, self.partner_a)
        self.assertIn("deprecated", run.error_ids.message)
        self.assertEqual(run.error_ids.action_id.action_type, "issue")
        self.assertEqual(self._reminders().state, "draft")
        self.assertEqual(self._reminders(self.partner_b).state, "sent")
        self.assertEqual((run.issued_count, run.sent_count), (1, 1))

    def test_stop_on_error(self):
        self._fees_on_a_deprecated_account()
        self._invoice("2026-01-05")
        automation = self._automation(
            ["create", {"action_type": "issue", "stop_on_error": True}, "send"]
        )
        run = self._run(automation, "2026-01-11")
        self.assertEqual(run.state, "stopped")
        self.assertEqual(run.stopped_action_id.action_type, "issue")
        # the error, and the run saying it stopped (issue #19)
        self.assertEqual(len(run.error_ids.filtered(lambda e: e.severity == "error")), 1)
        warning = run.error_ids.filtered(lambda e: e.severity == "warning")
        self.assertIn("Stopped on error", warning.message)
        self.assertEqual(run.sent_count, 0)
        self.assertEqual(self._reminders().state, "draft")

    def test_missing_email_is_an_error_entry(self):
        self.partner_a.email = False
        self._invoice("2026-01-05")
        self._invoice("2026-01-05", partner=self.partner_b)
        run = self._run(self._automation(), "2026-01-11")
        self.assertIn("no email address", run.error_ids.message)
        self.assertEqual(run.error_ids.reminder_id, self._reminders())
        self.assertEqual(self._reminders().state, "issued")
        self.assertEqual(self._reminders(self.partner_b).state, "sent")

    def test_letter_attached_for_levels_sent_by_post(self):
        self.level_1.write({"send_email": False, "send_letter": True})
        self._invoice("2026-01-05")
        run = self._run(self._automation(), "2026-01-11")
        reminder = self._reminders()
        self.assertEqual(run.sent_count, 1)
        self.assertEqual(reminder.state, "sent")
        letters = self.env["ir.attachment"].search(
            [("res_model", "=", reminder._name), ("res_id", "=", reminder.id)]
        )
        self.assertEqual(len(letters), 1)
        self.assertTrue(letters.name.endswith(".pdf"))

    def test_sms_and_phone_call_channels(self):
        collector = new_test_user(
            self.env, login="collector_sms", groups="account.group_account_user"
        )
        self.partner_a.write(
            {"mobile": "+32 470 12 34 56", "dunning_responsible_id": collector.id}
        )
        self.level_1.write(
            {"send_email": False, "send_sms": True, "create_call_activity": True}
        )
        self._invoice("2026-01-05")
        run = self._run(self._automation(), "2026-01-11")
        reminder = self._reminders()
        self.assertEqual(run.sent_count, 1)
        self.assertEqual((reminder.state, reminder.send_count), ("sent", 1))
        sms = self.env["sms.sms"].search([("partner_id", "=", self.partner_a.id)])
        self.assertEqual(len(sms), 1)
        self.assertIn(reminder.name, sms.body)
        self.assertEqual(sms.number.replace(" ", ""), "+32470123456")
        call = reminder.activity_ids
        self.assertEqual(call.activity_type_id, self.env.ref("mail.mail_activity_data_call"))
        self.assertEqual(call.user_id, collector)

    def test_sms_without_number_is_an_error_entry(self):
        self.partner_a.write({"mobile": False, "phone": False})
        self.level_1.write({"send_email": False, "send_sms": True})
        self._invoice("2026-01-05")
        run = self._run(self._automation(), "2026-01-11")
        self.assertIn("no mobile or phone number", run.error_ids.message)
        self.assertEqual(self._reminders().state, "issued")
        self.assertFalse(self.env["sms.sms"].search([("partner_id", "=", self.partner_a.id)]))

    def test_filters_and_level_range(self):
        vip = self._create_term("VIP", [("Call", 1, {}), ("Letter", 10, {})])
        self.partner_b.dunning_term_id = vip
        self._invoice("2026-01-05")
        self._invoice("2026-01-05", partner=self.partner_b)
        automation = self._automation(
            ["create", {"action_type": "issue", "max_level": 1}], term_ids=[vip.id]
        )
        run = self._run(automation, "2026-01-11")
        self.assertEqual(run.reminder_ids.partner_id, self.partner_b)
        self.assertFalse(self._reminders())
        self.assertEqual(self._reminders(self.partner_b).state, "issued")
        # Level 2 is above the range of the issue action: left in draft.
        run = self._run(automation, "2026-01-20")
        self.assertEqual((run.created_count, run.issued_count), (1, 0))
        self.assertEqual(
            self._reminders(self.partner_b, ("draft",)).level_id.name, "Letter"
        )
        # The customer filter of an action.
        automation.action_ids.filtered(lambda a: a.action_type == "issue").write(
            {"max_level": 0, "partner_domain": f"[('id', '!=', {self.partner_b.id})]"}
        )
        run = self._run(automation, "2026-01-20")
        self.assertEqual(run.issued_count, 0)

    def test_cadences_and_cron(self):
        self._invoice("2026-01-05")
        weekly = self._automation(cadence="weekly")
        with freeze_time("2026-01-11"):
            weekly.action_start()
        self.assertEqual(weekly.state, "scheduled")
        self.assertFalse(weekly.run_ids)
        self.assertEqual(weekly.next_run_date, date(2026, 1, 11))
        with freeze_time("2026-01-11"):
            self.env.ref(
                "account_dunning_automation.ir_cron_dunning_automation"
            ).method_direct_trigger()
        self.assertEqual(len(weekly.run_ids), 1)
        self.assertEqual(weekly.next_run_date, date(2026, 1, 18))
        # Run by the cron, the email waits in the outgoing queue: the reminder
        # is sent once the mail server accepted it.
        self.assertEqual(
            (self._reminders().state, self._reminders().send_state), ("issued", "queued")
        )
        self.env["mail.mail"].process_email_queue()
        self.assertEqual(
            (self._reminders().state, self._reminders().send_state), ("sent", "delivered")
        )
        self.assertFalse(self.Automation._cron_run_due(date(2026, 1, 12)))
        weekly.action_pause()
        self.assertFalse(self.Automation._cron_run_due(date(2026, 1, 20)))

        monthly = self._automation(cadence="monthly", next_run_date="2026-01-31")
        with freeze_time("2026-01-31"):
            monthly.action_start()
        self.assertEqual(self.Automation._cron_run_due(date(2026, 1, 31)), monthly)
        self.assertEqual(monthly.next_run_date, date(2026, 2, 28))
        custom = self._automation(cadence="custom", cadence_formula="CM+1D")
        with freeze_time("2026-01-14"):
            custom.action_start()
        self.Automation._cron_run_due(date(2026, 1, 14))
        self.assertEqual(custom.next_run_date, date(2026, 2, 1))

    def test_manual_run_needs_actions(self):
        with self.assertRaisesRegex(UserError, "has no action"):
            self.Automation.create({"name": "Empty"}).action_start()

    def test_invalid_configuration_refused(self):
        with self.assertRaisesRegex(ValidationError, "needs a date formula"):
            self._automation(cadence="custom")
        with self.assertRaisesRegex(ValidationError, "invalid date formula"):
            self._automation(cadence="custom", cadence_formula="3X")
        with self.assertRaisesRegex(ValidationError, "after the last run"):
            self._automation(cadence="custom", cadence_formula="-1D")
        with self.assertRaisesRegex(ValidationError, "customer filter"):
            self._automation(partner_domain="[('no_such_field', '=', 1)]")
        with self.assertRaisesRegex(ValidationError, "level range"):
            self._automation([{"action_type": "issue", "min_level": 3, "max_level": 2}])

    def test_form(self):
        with Form(self.Automation) as form:
            form.name = "Weekly"
            form.cadence = "weekly"
            with form.action_ids.new() as action:
                action.action_type = "create"
                action.include_not_due = True
            with form.action_ids.new() as action:
                action.action_type = "issue"
                action.stop_on_error = True
        automation = form.record
        self.assertEqual(automation.action_ids.mapped("action_type"), ["create", "issue"])
        self.assertEqual(automation.company_id, self.env.company)
