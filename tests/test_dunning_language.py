# Copyright 2026 account_dunning_automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

import re
from datetime import date, timedelta

from freezegun import freeze_time

from odoo import SUPERUSER_ID
from odoo.tests import tagged

from .common import DunningCommon

ISO_TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}")


@tagged("post_install", "-at_install")
class TestDunningLanguage(DunningCommon):
    """What reaches a customer is in the customer's language in every path
    (the automation's batch of emails included); the notes of the
    automation are in the company's language (issue 21)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("fr_FR")
        cls.env["ir.module.module"]._load_module_terms(
            ["mail", "account", "account_dunning_automation"], ["fr_FR"], overwrite=True
        )
        cls.env.company.partner_id.lang = "fr_FR"
        cls.partner_a.write({"lang": "fr_FR", "name": "Client Français"})
        cls.partner_b.write({"lang": "en_US", "name": "English Customer"})
        cls.level_1.with_context(lang="fr_FR").name = "Relance amicale"
        cls.level_2.with_context(lang="fr_FR").name = "Deuxième relance"
        # The accounts first: terms whose fee could not be posted are refused
        # when saved (issue 19).
        cls.term.write(
            {
                "journal_id": cls.company_data["default_journal_misc"].id,
                "fee_account_id": cls.company_data["default_account_revenue"].id,
            }
        )
        cls.level_1.write({"create_call_activity": True, "fee_amount": 10.0})

    def _cron_days(self, start, days):
        """The cron entry point as the cron calls it: as superuser (OdooBot,
        English), day by day, then the mail queue."""
        cron_env = self.env(user=SUPERUSER_ID, context={"lang": "en_US"})
        for offset in range(days):
            with freeze_time(start + timedelta(days=offset)):
                cron_env["account.dunning.automation"]._cron_run_due()
                cron_env["mail.mail"].process_email_queue()

    def test_cron_batch_each_customer_in_their_language(self):
        self._invoice("2026-01-10", partner=self.partner_a)
        self._invoice("2026-01-10", partner=self.partner_b)
        no_email = self.env["res.partner"].create(
            {"name": "Sans Adresse", "is_company": True, "lang": "en_US"}
        )
        self._invoice("2026-01-10", partner=no_email)
        automation = self._daily_automation("2026-01-10")
        self._cron_days(date(2026, 1, 11), 1)
        french = self._reminders(self.partner_a)
        english = self._reminders(self.partner_b)
        self.assertEqual((french.state, english.state), ("sent", "sent"))
        # One batch: both emails went through one composer of the run.
        self.assertEqual(french.send_run_id, english.send_run_id)
        mails = {}
        for reminder in french | english:
            message = reminder.email_message_id
            self.assertTrue(message, reminder.partner_id.name)
            mails[reminder.partner_id.lang] = message
        fr_body = mails["fr_FR"].body
        en_body = mails["en_US"].body
        self.assertIn("Bonjour", fr_body)
        self.assertIn("Selon nos registres", fr_body)
        self.assertNotIn("According to our records", fr_body)
        self.assertIn("Dear", en_body)
        self.assertIn("According to our records", en_body)
        self.assertNotIn("Selon nos registres", en_body)
        self.assertIn("Relance amicale", mails["fr_FR"].subject)
        self.assertIn("Information", mails["en_US"].subject)
        self.assertNotIn("Relance amicale", mails["en_US"].subject)
        # The sent emails themselves (what the mail server got).
        sent = self.env["mail.mail"].sudo().search(
            [("mail_message_id", "in", (mails["fr_FR"] | mails["en_US"]).ids)]
        )
        # (the collector, follower through the call activity, gets a copy)
        to_customers = sent.filtered(
            lambda m: m.recipient_ids & (self.partner_a | self.partner_b)
        )
        self.assertEqual(len(to_customers), 2)
        # The letter's file is named in the customer's language.
        self.assertEqual(
            french._get_report_base_filename(), f"Relance {french.name}".replace("/", "_")
        )
        self.assertEqual(
            english._get_report_base_filename(), f"Reminder {english.name}".replace("/", "_")
        )
        # Internal notes of the run: in the company's language (French).
        run = french.send_run_id
        # The run's error about the customer without email: in French.
        error = run.error_ids.filtered(lambda e: "Sans Adresse" in (e.message or ""))
        self.assertIn("ne peut pas être envoyée par e-mail", error.message)
        # Its name in the reader's date format, not an ISO timestamp.
        name = run.with_context(lang="fr_FR").display_name
        self.assertFalse(ISO_TIMESTAMP.search(name), name)
        self.assertIn(automation.name, name)
        self.assertIn("11/01/2026", name)
        self.assertIn("01/11/2026", run.with_context(lang="en_US").display_name)
        call = french.activity_ids.filtered(lambda a: a.activity_type_id == self.env.ref(
            "mail.mail_activity_data_call"))
        self.assertTrue(call)
        self.assertIn("Appeler", call.summary)
        tracking = self.env["mail.tracking.value"].sudo().search(
            [("mail_message_id", "in", french.message_ids.ids)]
        )
        self.assertTrue(tracking)
        new_values = set(tracking.mapped("new_value_char"))
        self.assertFalse(new_values & {"Issued", "Sent", "Email Delivered"}, new_values)
        self.assertTrue(new_values & {"Émis", "Émise", "Envoyé", "Envoyée"}, new_values)
        # The explanation of the line and the label of the fees entry.
        self.assertIn("Atteint le niveau", french.line_ids[:1].explanation or "")
        fees = self.env["account.move"].search([("dunning_charge_reminder_id", "=", french.id)])
        self.assertEqual(fees.ref, f"Relance {french.name}")

    def test_list_and_dialog_paths_in_the_customer_language(self):
        self._invoice("2026-01-10", partner=self.partner_a)
        self._invoice("2026-01-10", partner=self.partner_b)
        with freeze_time("2026-01-11"):
            reminders = self._create(partners=self.partner_a | self.partner_b)
            reminders.action_issue()
            # The list's "Send" (a set of reminders, each its own email).
            reminders.action_send_batch()
        bodies = {r.partner_id.lang: r.email_message_id.body for r in reminders}
        self.assertIn("Selon nos registres", bodies["fr_FR"])
        self.assertIn("According to our records", bodies["en_US"])
        # The sending dialog shows the French customer's email in French.
        self._invoice("2026-01-20", partner=self.partner_a)
        with freeze_time("2026-01-21"):
            second = self._create(partners=self.partner_a)
            second.action_issue()
            wizard = self.env["account.dunning.send"].with_context(
                active_model=second._name, active_ids=second.ids
            ).create({})
        self.assertIn("Selon nos registres", wizard.mail_body)
        self.assertIn("Deuxième relance", wizard.mail_subject)
