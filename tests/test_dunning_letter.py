# Copyright 2026 account_dunning_automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from unittest.mock import patch

from freezegun import freeze_time

from odoo import Command
from odoo.tests import Form, new_test_user, tagged

from .common import DunningCommon

LETTER = "account_dunning_automation.report_dunning_reminder"
# Odoo's own flag for "wkhtmltopdf not found": reports then raise a UserError.
NO_PDF_ENGINE = patch(
    "odoo.addons.base.models.ir_actions_report.wkhtmltopdf_state", "install"
)
SEND_LOGGER = "odoo.addons.account_dunning_automation.wizard.account_dunning_send"


@tagged("post_install", "-at_install")
class TestDunningNoPdfEngine(DunningCommon):
    """Without a PDF engine the email still goes out, without the letter and
    the invoices in PDF, and the reminder and the run log say so."""

    def _issued_reminder(self):
        self._invoice("2026-01-10")
        with freeze_time("2026-01-11"):
            reminder = self._create()
            reminder.action_issue()
        return reminder

    def _queued_mails(self, reminder):
        return self.env["mail.mail"].search(
            [("model", "=", reminder._name), ("res_id", "=", reminder.id)]
        )

    def test_email_sent_without_the_letter(self):
        # A billing clerk sends (Invoicing is a reminder user, issue 6).
        clerk = new_test_user(
            self.env, login="dunning_no_pdf_clerk", groups="account.group_account_invoice"
        )
        reminder = self._issued_reminder().with_user(clerk)
        action = reminder.action_send()
        # Real rendering (not the HTML of test mode), mails kept in the queue.
        context = dict(
            action["context"], force_report_rendering=True, mail_notify_force_send=False
        )
        composer = Form(
            self.env[action["res_model"]].with_user(clerk).with_context(**context)
        ).save()
        with NO_PDF_ENGINE, self.assertLogs(SEND_LOGGER, "WARNING") as logs:
            composer.action_send()
        self.assertEqual(len(logs.output), 2)  # the letter and the invoice
        self.assertIn("Unable to find Wkhtmltopdf", logs.output[0])
        # Sent means delivered (issue 7): queued until the mail queue runs.
        self.assertEqual((reminder.state, reminder.send_state), ("issued", "queued"))
        message = reminder.message_ids.filtered(lambda m: m.message_type == "comment")
        self.assertEqual(len(message), 1)
        self.assertFalse(message.attachment_ids)
        mail = self._queued_mails(reminder)
        self.assertEqual(len(mail), 1)
        self.assertEqual(mail.state, "outgoing")
        self.assertIn(self.partner_a, mail.recipient_ids)
        self.assertFalse(mail.attachment_ids)
        warning = reminder.message_ids.filtered(
            lambda m: "wkhtmltopdf" in (m.body or "")
        )
        self.assertEqual(len(warning), 1)
        self.assertIn(reminder._get_report_base_filename(), warning.body)
        self.assertIn(reminder.line_ids.move_id._get_invoice_report_filename(), warning.body)
        self.assertTrue(warning.subtype_id.internal)

    def test_email_with_the_letter_when_the_engine_works(self):
        reminder = self._issued_reminder()
        reminder.level_id.attach_invoices = "none"
        action = reminder.action_send()
        context = dict(action["context"], mail_notify_force_send=False)
        Form(self.env[action["res_model"]].with_context(**context)).save().action_send()
        mail = self._queued_mails(reminder)
        self.assertEqual(
            mail.attachment_ids.mapped("name"), [f"{reminder._get_report_base_filename()}.pdf"]
        )
        self.assertFalse(
            reminder.message_ids.filtered(lambda m: "wkhtmltopdf" in (m.body or ""))
        )

    def test_automation_sends_and_logs_a_warning(self):
        self._invoice("2026-01-05")
        self._invoice("2026-01-05", partner=self.partner_b)
        automation = self.env["account.dunning.automation"].create(
            {
                "name": "Reminders",
                "action_ids": [
                    Command.create({"action_type": action, "sequence": index})
                    for index, action in enumerate(("create", "issue", "send"), 1)
                ],
            }
        )
        with (
            freeze_time("2026-01-11"),
            NO_PDF_ENGINE,
            self.assertLogs(SEND_LOGGER, "WARNING") as logs,
        ):
            automation.action_start()
            # Started in the background: the cron processes the run.
            automation.with_context(
                force_report_rendering=True, mail_notify_force_send=False
            )._cron_run_due()
        self.assertEqual(len(logs.output), 4)
        run = automation.run_ids
        self.assertEqual((run.sent_count, run.state), (2, "done"))
        self.assertEqual(len(run.error_ids), 2)
        self.assertEqual(set(run.error_ids.mapped("severity")), {"warning"})
        self.assertIn("wkhtmltopdf", run.error_ids[0].message)
        reminders = self._reminders() | self._reminders(self.partner_b)
        self.assertEqual(run.error_ids.reminder_id, reminders)
        for reminder in reminders:
            self.assertEqual(reminder.send_state, "queued")
            mail = self._queued_mails(reminder)
            self.assertEqual(len(mail), 1)
            self.assertFalse(mail.attachment_ids)
        # Sent once the mail queue delivered the emails (issue 7).
        self.env["mail.mail"].process_email_queue()
        self.assertEqual(set(reminders.mapped("state")), {"sent"})

    def test_letter_channel_still_needs_the_engine(self):
        """A level sent by post has nothing to send without its letter: an
        error entry, the reminder stays issued."""
        self.level_1.write({"send_email": False, "send_letter": True})
        self._invoice("2026-01-05")
        automation = self.env["account.dunning.automation"].create(
            {
                "name": "Letters",
                "action_ids": [
                    Command.create({"action_type": action, "sequence": index})
                    for index, action in enumerate(("create", "issue", "send"), 1)
                ],
            }
        )
        with freeze_time("2026-01-11"), NO_PDF_ENGINE:
            automation.action_start()
            # Started in the background: the cron processes the run.
            automation.with_context(force_report_rendering=True)._cron_run_due()
        run = automation.run_ids
        self.assertEqual((run.sent_count, run.state), (0, "error"))
        self.assertEqual(run.error_ids.severity, "error")
        self.assertIn("Wkhtmltopdf", run.error_ids.message)
        self.assertEqual(self._reminders().state, "issued")


@tagged("post_install", "-at_install")
class TestDunningLetter(DunningCommon):
    """The formal notice letter: creditor identification and bank details,
    charges per invoice, deadline in words, legal mentions, signature."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        company = cls.env.company
        company.write({"company_registry": "123 456 789 00012", "vat": "FR23334175221"})
        bank = cls.env["res.bank"].create({"name": "Crédit Test", "bic": "AGRIFRPP882"})
        cls.bank_account = cls.env["res.partner.bank"].create(
            {
                "acc_number": "FR7630006000011234567890189",
                "partner_id": company.partner_id.id,
                "bank_id": bank.id,
            }
        )
        fee_account = cls.company_data["default_account_revenue"].copy()
        cls.term.write(
            {
                "journal_id": cls.company_data["default_journal_misc"].id,
                "fee_account_id": fee_account.id,
                "interest_account_id": fee_account.id,
                "indemnity_account_id": fee_account.id,
            }
        )
        cls.level_1.write(
            {
                "fee_amount": 15.0,
                "fee_per_invoice": 40.0,
                "interest_rate": 36.5,
                "payment_delay_days": 8,
                "legal_text": "<p>Late-payment interest (article L441-10 of the "
                "Commercial Code) and recovery indemnity of EUR 40 (D441-5).</p>",
            }
        )
        cls.manager = new_test_user(
            cls.env,
            login="dunning_letter_manager",
            name="Claire Manager",
            email="claire@example.com",
            groups="account.group_account_invoice",
        )
        cls.clerk = new_test_user(
            cls.env, login="dunning_letter_clerk", groups="account.group_account_invoice"
        )
        cls.partner_a.dunning_responsible_id = cls.manager
        cls.env.company.external_report_layout_id = cls.env.ref(
            "web.external_layout_standard"
        )

    def _letter_html(self, reminders, user=None):
        report = self.env["ir.actions.report"].with_user(user or self.clerk)
        return report._render_qweb_html(LETTER, reminders.ids)[0].decode()

    def _issued(self):
        invoice = self._invoice("2026-01-01", 1000.0)
        with freeze_time("2026-01-11"):
            reminder = self._create()
            reminder.action_issue()
        return reminder, invoice

    def test_letter_identifies_the_creditor_and_how_to_pay(self):
        reminder, invoice = self._issued()
        self.assertTrue(reminder.payment_reference)
        html = self._letter_html(reminder)
        for expected in (
            self.env.company.name,
            "123 456 789 00012",
            "FR23334175221",
            "FR76 3000 6000 0112 3456 7890 189",
            "AGRIFRPP882",
            reminder.payment_reference,
            invoice.payment_reference,
            "article L441-10",
            "Claire Manager",
            "claire@example.com",
            # Issued on 11 January, 8 days to pay, the deadline in words.
            "January 19, 2026",
        ):
            self.assertIn(expected, html)
        # Per invoice: 10 days at 36.5% on 1000 = 10.00 interest, 40.00 indemnity.
        line = reminder.line_ids
        self.assertEqual((line.amount_interest, line.amount_fee_invoice), (10.0, 40.0))
        self.assertIn("Indemnity", html)
        self.assertIn("10.00", html)
        self.assertIn("40.00", html)

    def test_bank_account_of_the_bank_journal(self):
        """Without a bank account on the invoices, the bank journal's."""
        invoice = self._invoice("2026-01-01", 1000.0)
        invoice.button_draft()
        invoice.partner_bank_id = False
        invoice.action_post()
        journal_account = self.env["res.partner.bank"].create(
            {"acc_number": "BE71096123456769", "partner_id": self.env.company.partner_id.id}
        )
        self.company_data["default_journal_bank"].bank_account_id = journal_account
        with freeze_time("2026-01-11"):
            reminder = self._create()
            reminder.action_issue()
        html = self._letter_html(reminder)
        self.assertIn("BE71 0961 2345 6769", html)
        self.assertNotIn("FR76 3000", html)
        # A number that is no IBAN is printed as it is.
        journal_account.acc_number = "0012345678"
        html = self._letter_html(reminder)
        self.assertIn("Account Number", html)
        self.assertIn("0012345678", html)

    def test_letter_without_manager_nor_legal_text(self):
        self.partner_a.dunning_responsible_id = False
        self.level_1.legal_text = False
        reminder, _invoice = self._issued()
        html = self._letter_html(reminder)
        self.assertIn("Accounts Receivable Department", html)
        self.assertNotIn("article L441-10", html)

    def test_letter_in_french_with_the_deadline_in_words(self):
        self.env["res.lang"]._activate_lang("fr_FR")
        self.env["ir.module.module"]._load_module_terms(
            ["account_dunning_automation"], ["fr_FR"], overwrite=True
        )
        self.level_1.with_context(lang="fr_FR").legal_text = (
            "<p>Pénalités de retard (article L441-10 du Code de commerce).</p>"
        )
        self.partner_a.lang = "fr_FR"
        reminder, _invoice = self._issued()
        html = self._letter_html(reminder)
        self.assertIn("19 janvier 2026", html)
        self.assertIn("Pénalités de retard", html)
        self.assertIn("Créancier", html)
        self.assertNotIn("Creditor", html)

    def test_one_letter_per_customer(self):
        self._invoice("2026-01-01")
        self._invoice("2026-01-01", partner=self.partner_b)
        with freeze_time("2026-01-11"):
            reminders = self._create()
            reminders.action_issue()
        self.assertEqual(reminders.partner_id, self.partner_a | self.partner_b)
        html = self._letter_html(reminders)
        self.assertEqual(html.count('class="page"'), 2)
        self.assertEqual(html.count("Yours faithfully"), 2)
