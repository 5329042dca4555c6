# Copyright 2026 account_dunning_automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from datetime import date

from freezegun import freeze_time

from odoo.exceptions import UserError
from odoo.tests import tagged

from .test_dunning_send import SendCommon


@tagged("post_install", "-at_install")
class TestDunningReviewedLevel(SendCommon):
    """A level reviewed by a person (the formal notice) goes out only through
    the sending dialog and its preview: never by Issue & Send, a send of a
    selection or an automation (issue 21)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # Partner A's terms go straight to a formal notice reviewed by a person.
        cls.notice_term = cls._create_term(
            "Notice", [("Formal notice", 1, {"manual_review": True, "attach_letter": True})]
        )
        cls.notice_level = cls.notice_term.level_ids
        cls.partner_a.dunning_term_id = cls.notice_term

    def _notice_and_reminder(self):
        """A draft formal notice (partner A, 31 days late) and a draft first
        reminder (partner B)."""
        self._invoice("2026-01-10", partner=self.partner_a)
        self._invoice("2026-02-09", partner=self.partner_b)
        with freeze_time("2026-02-10"):
            reminders = self._create(partners=self.partner_a | self.partner_b)
        notice = reminders.filtered(lambda r: r.partner_id == self.partner_a)
        reminder = reminders - notice
        self.assertEqual((notice.level_id, reminder.level_id), (self.notice_level, self.level_1))
        return notice.with_user(self.clerk), reminder.with_user(self.clerk)

    def test_issue_and_send_refused_on_the_form(self):
        notice, _reminder = self._notice_and_reminder()
        with freeze_time("2026-02-10"), self.assertRaisesRegex(UserError, "reviewed by a person"):
            notice.action_issue_and_send()
        self.assertEqual(notice.state, "draft")
        self.assertFalse(self._customer_emails(notice))

    def test_list_selection_sends_the_others_only(self):
        notice, reminder = self._notice_and_reminder()
        with freeze_time("2026-02-10"):
            action = (notice | reminder).action_issue_and_send()
        self.assertIn("1 reminder(s) sent, 1 failed", action["params"]["message"])
        self.assertIn("reviewed by a person", action["params"]["message"])
        # Nothing issued, posted or emailed for the notice; the reminder went.
        self.assertEqual(notice.state, "draft")
        self.assertFalse(notice.issue_date)
        self.assertFalse(self._customer_emails(notice))
        self.assertTrue(self._customer_emails(reminder))
        # Issued by hand, it is still refused by the list's "Send".
        with freeze_time("2026-02-10"):
            notice.action_issue()
            action = notice.action_send_batch()
        self.assertIn("0 reminder(s) sent, 1 failed", action["params"]["message"])
        self.assertEqual(notice.state, "issued")
        self.assertFalse(self._customer_emails(notice))
        # The form's "Send" opens the sending dialog: the email, its
        # recipients and attachments shown, then sent from there.
        with freeze_time("2026-02-10"):
            dialog = notice.action_send()
            self.assertEqual(dialog["res_model"], "account.dunning.send")
            wizard = (
                self.env["account.dunning.send"]
                .with_user(self.clerk)
                .with_context(**dialog["context"])
                .create({})
            )
            self.assertIn(notice.partner_id.name, wizard.mail_body)
            self.assertEqual(wizard.mail_partner_ids, notice.recipient_ids)
            self.assertTrue(wizard.mail_attachments_widget)
            wizard.action_send()
        self.assertEqual(len(self._customer_emails(notice)), 1)

    def test_automation_leaves_the_notice_for_a_person(self):
        self._invoice("2026-01-10", partner=self.partner_a)
        self._daily_automation("2026-02-10")
        self._run_days(date(2026, 2, 10), 2)
        notice = self._reminders(self.partner_a)
        self.assertEqual(notice.level_id, self.notice_level)
        self.assertEqual(notice.state, "draft")
        self.assertFalse(self._customer_emails(notice))

    def test_no_context_key_lifts_the_review(self):
        notice, _reminder = self._notice_and_reminder()
        with (
            freeze_time("2026-02-10"),
            self.assertRaisesRegex(UserError, "reviewed by a person"),
        ):
            notice.with_context(dunning_reviewed_send=True).action_issue_and_send()
        self.assertEqual(notice.state, "draft")

    def test_letter_only_notice_goes_through_its_dialog(self):
        self.notice_level.write({"send_email": False, "send_letter": True})
        notice, _reminder = self._notice_and_reminder()
        with freeze_time("2026-02-10"):
            notice.action_issue()
            # Not at once (as a level without email is): its dialog first.
            dialog = notice.action_send()
            self.assertEqual(dialog["res_model"], "account.dunning.send")
            self.assertEqual(notice.state, "issued")
            wizard = (
                self.env["account.dunning.send"]
                .with_user(self.clerk)
                .with_context(**dialog["context"])
                .create({})
            )
            self.assertTrue(wizard.send_letter)
            wizard.action_send()
        self.assertEqual((notice.state, notice.send_count), ("sent", 1))
