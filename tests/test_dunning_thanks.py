# Copyright 2026 account_dunning_automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from datetime import timedelta

from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

from .test_dunning_journey import D, JourneyCommon


@tagged("post_install", "-at_install")
class TestDunningThankYouCharges(JourneyCommon):
    """The thank-you goes out only when nothing is owed, the reminders'
    charges included, or once they were waived by a logged decision
    (issue 21)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.accountant = new_test_user(
            cls.env,
            login="thanks_accountant",
            groups="account.group_account_manager",
        )

    def _fees_term(self):
        term = self._create_term(
            "Fees",
            [("Information", 1, {"fee_amount": 55.94})],
            journal_id=self.company_data["default_journal_misc"].id,
            fee_account_id=self.fee_account.id,
            thank_you_template_id=self.thanks.id,
        )
        self.env.company.dunning_term_id = term
        return term

    def _thanks_emails(self):
        return self._emails().filtered(lambda m: "Thank you" in (m.subject or ""))

    def test_no_thank_you_while_charges_are_open_then_waived(self):
        self._fees_term()
        invoice = self._invoice(D)
        self._daily_automation(D + timedelta(days=1))
        self._run_days(D + timedelta(days=1), 1)
        reminder = self._reminders(states=("sent",))
        self.assertEqual(reminder.amount_fee, 55.94)
        fees = reminder.move_id
        self.assertEqual(fees.state, "posted")
        # The invoice paid, the fees open: no thank-you, day after day.
        self._pay_as_billing(invoice, D + timedelta(days=3), amount=invoice.amount_residual)
        self._run_days(D + timedelta(days=3), 4)
        self.assertFalse(self._thanks_emails())
        self.assertFalse(reminder.thanked_date)
        # A billing clerk may not waive them.
        with self.assertRaises(AccessError):
            reminder.with_user(self.billing).action_waive_charges()
        # The accountant waives them: reversed, reconciled, logged.
        with freeze_time(D + timedelta(days=7)):
            reminder.with_user(self.accountant).action_waive_charges()
        self.assertTrue(self._receivable_line(fees).reconciled)
        note = reminder.message_ids.filtered(lambda m: "Charges waived by" in (m.body or ""))
        self.assertEqual(len(note), 1)
        self.assertIn("55.94", note.body)
        self.assertIn(self.accountant.name, note.body)
        self.assertTrue(
            self.partner_a.message_ids.filtered(lambda m: "Charges waived by" in (m.body or ""))
        )
        with (
            freeze_time(D + timedelta(days=7)),
            self.assertRaisesRegex(UserError, "no open charges"),
        ):
            reminder.with_user(self.accountant).action_waive_charges()
        # Now nothing is owed: thanked once, the same day run twice.
        self._run_days(D + timedelta(days=7), 1)
        self._run_days(D + timedelta(days=7), 1)
        self._run_days(D + timedelta(days=8), 2)
        self.assertEqual(len(self._thanks_emails()), 1)
        self.assertEqual(reminder.thanked_date, D + timedelta(days=7))

    def test_thank_you_once_the_charges_are_paid_too(self):
        self._fees_term()
        invoice = self._invoice(D)
        self._daily_automation(D + timedelta(days=1))
        self._run_days(D + timedelta(days=1), 1)
        reminder = self._reminders(states=("sent",))
        self._pay_as_billing(invoice, D + timedelta(days=3), amount=invoice.amount_residual)
        self._run_days(D + timedelta(days=3), 1)
        self.assertFalse(self._thanks_emails())
        self._pay_as_billing(reminder.move_id, D + timedelta(days=4))
        self._run_days(D + timedelta(days=4), 2)
        self.assertEqual(len(self._thanks_emails()), 1)
