# Copyright 2026 account_dunning_automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from datetime import date

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, new_test_user, tagged

from .common import DunningCommon


@tagged("post_install", "-at_install")
class TestDunningScreens(DunningCommon):
    """What the accountant's daily screens show (issue 13), as a billing
    clerk: a manual automation started in the background, the reversal of a
    cancelled reminder, items excluded from a draft, the totals of the list,
    the summary of Create Reminders, the next reminder of an invoice and the
    dates of messages in the user's format."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        company = cls.env.company
        common = {"company_id": company.id, "company_ids": [company.id]}
        cls.billing = new_test_user(
            cls.env,
            login="screens_billing",
            groups="account.group_account_invoice,base.group_partner_manager",
            **common,
        )
        cls.accountant = new_test_user(
            cls.env,
            login="screens_accountant",
            groups="account.group_account_manager,base.group_partner_manager",
            **common,
        )
        revenue = cls.company_data["default_account_revenue"]
        cls.term.write(
            {
                "journal_id": cls.company_data["default_journal_misc"].id,
                "fee_account_id": revenue.copy({"code": "758200", "name": "Fees"}).id,
                "indemnity_account_id": revenue.copy(
                    {"code": "758100", "name": "Indemnity"}
                ).id,
                "interest_account_id": revenue.copy(
                    {"code": "763100", "name": "Interest"}
                ).id,
            }
        )
        cls.level_1.write(
            {"fee_amount": 10.0, "fee_per_invoice": 40.0, "interest_rate": 12.0}
        )
        cls.partner_c = cls.env["res.partner"].create(
            {"name": "Customer C", "is_company": True, "email": "c@example.com"}
        )
        cls.partner_d = cls.env["res.partner"].create(
            {"name": "Customer D", "is_company": True, "email": "d@example.com"}
        )

    def _as_billing(self, model="account.dunning.reminder"):
        return self.env[model].with_user(self.billing)

    # ------------------------------------------------------------------
    # Manual automation: confirmed, in the background, with its progress
    # ------------------------------------------------------------------

    def test_manual_start_confirmed_then_processed_by_the_cron(self):
        self._invoice("2026-01-05")
        self._invoice("2026-01-05", partner=self.partner_b)
        automation = self.env["account.dunning.automation"].create(
            {
                "name": "By hand",
                "cadence": "manual",
                "action_ids": [
                    Command.create({"action_type": kind, "sequence": index})
                    for index, kind in enumerate(("create", "issue", "send"), 1)
                ],
            }
        )
        # Only the managers start automations: the billing clerk reads them.
        with self.assertRaises(AccessError):
            automation.with_user(self.billing).action_confirm_start()
        automation = automation.with_user(self.accountant)
        with freeze_time("2026-01-10"):
            action = automation.action_confirm_start()
            self.assertEqual(action["res_model"], "account.dunning.automation.start.wizard")
            wizard = (
                self.env[action["res_model"]]
                .with_user(self.accountant)
                .with_context(**action["context"])
                .create({})
            )
            self.assertEqual(wizard.customer_count, 2)
            self.assertEqual(
                wizard.action_summary, "Create Reminders, Issue Reminders, Send Reminders"
            )
            result = wizard.action_start()
        # The run log opens on the run in progress: nothing is done yet.
        run = self.env["account.dunning.automation.run"].browse(result["res_id"])
        self.assertEqual(result["res_model"], "account.dunning.automation.run")
        self.assertEqual(run.automation_id, automation)
        self.assertEqual(run.state, "running")
        self.assertEqual((run.customer_count, run.done_count, run.batch_count), (2, 0, 0))
        self.assertEqual(run.progress, 0.0)
        self.assertFalse(self._reminders(self.partner_a) | self._reminders(self.partner_b))
        self.assertEqual(automation.running_run_id, run)
        with self.assertRaisesRegex(UserError, "already running"):
            automation.action_start()
        # The cron processes it batch by batch.
        with freeze_time("2026-01-10"):
            self.env["account.dunning.automation"]._cron_run_due()
            self.env["mail.mail"].process_email_queue()
        self.assertEqual(run.state, "done")
        self.assertEqual((run.done_count, run.created_count, run.sent_count), (2, 2, 2))
        self.assertGreaterEqual(run.batch_count, 1)
        self.assertEqual(run.progress, 100.0)
        self.assertEqual(self._reminders(self.partner_a).state, "sent")
        self.assertFalse(automation.running_run_id)

    # ------------------------------------------------------------------
    # Cancelled reminder: its reversal and what was cancelled
    # ------------------------------------------------------------------

    def test_cancel_shows_reversal_and_cancelled_charges(self):
        self._invoice("2026-01-05")
        self._invoice("2026-01-05", partner=self.partner_b)
        with freeze_time("2026-01-10"):
            reminders = self._as_billing()._create_reminders(as_of=date(2026, 1, 10))
            reminders.action_issue()
        first = reminders.filtered(lambda r: r.partner_id == self.partner_a)
        other = reminders - first
        self.assertEqual(first.amount_fee, 50.0)  # 10 fixed + 40 indemnity
        self.assertGreater(first.amount_interest, 0.0)
        total = first.amount_total
        self.assertEqual(first.amount_due, total)
        with freeze_time("2026-01-11"):
            first.action_cancel()
        self.assertEqual(first.state, "cancel")
        reversal = first.reversal_move_id
        self.assertTrue(reversal)
        self.assertEqual(reversal.reversed_entry_id, first.move_id)
        self.assertEqual(reversal.state, "posted")
        self.assertEqual(first.cancelled_fee, 10.0)
        self.assertEqual(first.cancelled_indemnity, 40.0)
        self.assertEqual(first.cancelled_interest, first.amount_interest)
        self.assertAlmostEqual(first.cancelled_total, 50.0 + first.amount_interest)
        # Nothing is still due on it: the list totals leave it out.
        self.assertEqual(first.amount_due, 0.0)
        groups = self._as_billing().read_group(
            [("id", "in", reminders.ids)], ["amount_due:sum"], []
        )
        self.assertAlmostEqual(groups[0]["amount_due"], other.amount_total)
        self.assertNotAlmostEqual(groups[0]["amount_due"], total + other.amount_total)
        # A draft cancelled never charged anything.
        self.assertEqual(other.cancelled_total, 0.0)
        # Reset to draft forgets the reversal.
        first.action_draft()
        self.assertFalse(first.reversal_move_id)
        self.assertEqual(first.cancelled_total, 0.0)

    # ------------------------------------------------------------------
    # Draft lines: exclusion with a reason, note on the letter
    # ------------------------------------------------------------------

    def test_excluded_line_logged_not_charged_not_escalated(self):
        disputed = self._invoice("2026-01-05")
        kept = self._invoice("2026-01-05", amount=500.0)
        reminder = self._as_billing()._create_reminders(as_of=date(2026, 1, 10))
        lines = {line.move_id: line for line in reminder.line_ids}
        self.assertEqual(reminder.amount_fee, 90.0)  # 10 + 2 × 40
        # Only invoices can be excluded, always with a reason.
        with self.assertRaisesRegex(UserError, "reason"):
            lines[disputed]._exclude("  ")
        action = lines[disputed].action_open_exclude()
        wizard = Form(
            self.env[action["res_model"]].with_user(self.billing).with_context(**action["context"])
        )
        wizard.reason = "Disputed by phone"
        wizard.save().action_exclude()
        line = lines[disputed]
        self.assertTrue(line.excluded)
        self.assertFalse(line.is_new_level)
        self.assertEqual(line.escalation, "excluded")
        self.assertEqual((line.amount_fee_invoice, line.amount_interest), (0.0, 0.0))
        self.assertIn("Disputed by phone", reminder.message_ids[0].body)
        self.assertIn(disputed.name, reminder.message_ids[0].body)
        # Not counted: the total is the kept invoice with its charges.
        self.assertEqual(reminder.amount_overdue, 500.0)
        self.assertEqual(reminder.amount_fee, 50.0)
        self.assertAlmostEqual(
            reminder.amount_total, 500.0 + reminder.amount_interest + 50.0
        )
        self.assertAlmostEqual(
            reminder.amount_interest, lines[kept].amount_interest_company
        )
        # Set through the buttons only (they log it).
        with self.assertRaisesRegex(UserError, "Include Again"):
            lines[kept].with_user(self.billing).write({"excluded": True})
        lines[kept].with_user(self.billing).note = "Second copy sent on request"
        # Recomputing keeps the exclusion and the note.
        reminder.with_user(self.billing).action_refresh()
        lines = {line.move_id: line for line in reminder.line_ids}
        self.assertTrue(lines[disputed].excluded)
        self.assertEqual(lines[disputed].exclusion_reason, "Disputed by phone")
        self.assertEqual(lines[kept].note, "Second copy sent on request")
        self.assertEqual(reminder.amount_overdue, 500.0)
        # The letter prints the note, not the excluded invoice.
        html = self.env["ir.actions.report"]._render_qweb_html(
            "account_dunning_automation.report_dunning_reminder", reminder.ids
        )[0].decode()
        self.assertIn("Second copy sent on request", html)
        self.assertNotIn(disputed.name, html)
        with freeze_time("2026-01-10"):
            reminder.with_user(self.billing).action_issue()
        disputed_item = self._receivable_line(disputed)
        kept_item = self._receivable_line(kept)
        self.assertEqual(disputed_item.dunning_level_number, 0)
        self.assertFalse(disputed_item.dunning_fee_charged)
        self.assertEqual(kept_item.dunning_level_number, 1)
        self.assertTrue(kept_item.dunning_fee_charged)
        receivable = reminder.move_id.line_ids.filtered(
            lambda l: l.account_type == "asset_receivable"
        )
        self.assertAlmostEqual(receivable.balance, 50.0 + reminder.amount_interest)
        # The next reminder claims the excluded invoice at its first level.
        later = self._as_billing()._create_reminders(as_of=date(2026, 1, 13))
        by_invoice = {line.move_id: line for line in later.line_ids}
        self.assertEqual(by_invoice[disputed].level_id, self.level_1)
        self.assertFalse(by_invoice[disputed].excluded)

    def test_excluded_line_included_again(self):
        disputed = self._invoice("2026-01-05")
        reminder = self._as_billing()._create_reminders(as_of=date(2026, 1, 10))
        line = reminder.line_ids
        line._exclude("Waiting for the customer's answer")
        with self.assertRaisesRegex(UserError, "every item reaching a new level is excluded"):
            reminder.with_user(self.billing).action_issue()
        reminder.line_ids.with_user(self.billing).action_include()
        line = reminder.line_ids
        self.assertEqual(line.move_id, disputed)
        self.assertFalse(line.excluded)
        self.assertTrue(line.is_new_level)
        self.assertEqual(reminder.amount_fee, 50.0)
        self.assertIn("included again", reminder.message_ids[0].body)

    # ------------------------------------------------------------------
    # Create Reminders: what was created, recomputed and skipped, and why
    # ------------------------------------------------------------------

    def test_create_wizard_summary(self):
        self._invoice("2026-01-05")  # A: a draft made earlier, recomputed
        self._invoice("2026-01-08", partner=self.partner_c)  # C: created
        self._invoice("2026-01-05", partner=self.partner_b)  # B: on hold
        self.partner_b.dunning_blocked = True
        self._invoice("2026-01-05", partner=self.partner_d)  # D: level 2 not due yet
        with freeze_time("2026-01-07"):
            earlier = self._create(self.partner_a | self.partner_d, as_of=date(2026, 1, 7))
            earlier.filtered(lambda r: r.partner_id == self.partner_d).action_issue()
        draft_a = earlier.filtered(lambda r: r.partner_id == self.partner_a)
        wizard = Form(self._as_billing("account.dunning.create.wizard"))
        wizard.date = date(2026, 1, 10)
        wizard = wizard.save()
        action = wizard.action_create()
        self.assertEqual((action["res_model"], action["res_id"]), (wizard._name, wizard.id))
        self.assertEqual(wizard.state, "done")
        self.assertEqual(wizard.created_count, 1)
        self.assertEqual(wizard.refreshed_count, 1)
        self.assertEqual(wizard.skipped_count, 2)
        self.assertEqual(wizard.reminder_ids.partner_id, self.partner_a | self.partner_c)
        self.assertIn(draft_a, wizard.reminder_ids)
        summary = wizard.skipped_summary
        self.assertIn(f"{self.partner_b.display_name}: on hold", summary)
        self.assertIn(
            f"{self.partner_d.display_name}: no overdue item reaches a new reminder level",
            summary,
        )
        opened = wizard.action_open_reminders()
        self.assertEqual(
            self.Reminder.search(opened["domain"]), self.Reminder.browse(wizard.reminder_ids.ids)
        )

    # ------------------------------------------------------------------
    # Next reminder of an invoice; dates in the user's format
    # ------------------------------------------------------------------

    def test_next_reminder_of_invoice(self):
        invoice = self._invoice("2026-01-05")
        paid = self._invoice("2026-01-05", amount=300.0)
        self._pay(paid)
        self._daily_automation(date(2026, 1, 3))
        with freeze_time("2026-01-03"):
            billing_invoice = invoice.with_user(self.billing)
            # Level 1 (J+1) on the first daily run after it is due.
            self.assertEqual(billing_invoice.dunning_next_reminder_date, date(2026, 1, 6))
            self.assertEqual(billing_invoice.dunning_next_reminder_level_id, self.level_1)
            self.assertFalse(paid.with_user(self.billing).dunning_next_reminder_date)
            # The same as the customer's next reminder.
            partner = self.partner_a.with_user(self.billing)
            self.assertEqual(partner.dunning_next_contact_date, date(2026, 1, 6))
        self._run_days(date(2026, 1, 3), 4)
        with freeze_time("2026-01-07"):
            invoice.invalidate_recordset(["dunning_next_reminder_date"])
            # Reminded at level 1 on 6 January: level 2 is planned at J+7.
            self.assertEqual(invoice.dunning_level_number, 1)
            self.assertEqual(invoice.dunning_next_reminder_date, date(2026, 1, 12))
            self.assertEqual(invoice.dunning_next_reminder_level_id, self.level_2)

    def test_dates_in_messages_in_the_user_format(self):
        self.env["res.lang"]._activate_lang("fr_FR")
        self.billing.lang = "fr_FR"
        invoice = self._invoice("2026-01-05")
        draft = self._create(as_of=date(2026, 1, 10))
        self._pay(invoice, date="2026-01-11")
        reminder_model = self._as_billing().with_context(lang="fr_FR")
        reminder_model._create_reminders(as_of=date(2026, 1, 12))
        self.assertEqual(draft.state, "cancel")
        body = draft.message_ids[0].body
        self.assertIn("12/01/2026", body)
        self.assertNotIn("2026-01-12", body)
