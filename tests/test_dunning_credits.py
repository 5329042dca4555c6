# Copyright 2026 account_dunning_automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from freezegun import freeze_time

from odoo import fields
from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import DunningCommon


@tagged("post_install", "-at_install")
class TestDunningCredits(DunningCommon):
    """Open credit notes and unmatched payments are shown and deducted."""

    def _credit_note(self, date, amount):
        refund = self.init_invoice(
            "out_refund",
            partner=self.partner_a,
            invoice_date=fields.Date.to_date(date),
            amounts=[amount],
            taxes=[],
        )
        refund.action_post()
        return refund

    def _unmatched_payment(self, date, amount):
        payment = self.env["account.payment"].create(
            {
                "payment_type": "inbound",
                "partner_type": "customer",
                "partner_id": self.partner_a.id,
                "amount": amount,
                "date": fields.Date.to_date(date),
            }
        )
        payment.action_post()
        return payment

    def test_credit_note_listed_and_deducted(self):
        invoice = self._invoice("2026-01-05", 1000.0)
        refund = self._credit_note("2026-01-07", 300.0)
        with freeze_time("2026-01-11"):
            reminder = self._create()
        credit_line = reminder.line_ids.filtered(lambda l: l.line_type == "credit")
        self.assertEqual(credit_line.move_id, refund)
        self.assertFalse(credit_line.is_new_level)
        self.assertEqual(credit_line.days_overdue, 0)
        overdue_line = reminder.line_ids - credit_line
        self.assertEqual(overdue_line.move_id, invoice)
        self.assertEqual(reminder.amount_overdue, 1000.0)
        self.assertEqual(reminder.amount_credit, -300.0)
        self.assertEqual(reminder.amount_total, 700.0)
        totals = reminder._get_totals_by_currency()
        self.assertEqual([float(v) for v in totals.values()], [700.0])
        # The order of the lines: overdue items first, credits last.
        lines = self.env["account.dunning.reminder.line"].search(
            [("reminder_id", "=", reminder.id)]
        )
        self.assertEqual(lines.mapped("line_type"), ["overdue", "credit"])

        with freeze_time("2026-01-11"):
            reminder.action_issue()
        self.assertEqual(self._receivable_line(invoice).dunning_level_id, self.level_1)
        self.assertFalse(self._receivable_line(refund).dunning_level_id)

    def test_no_reminder_when_credits_cover_overdue(self):
        self._invoice("2026-01-05", 1000.0)
        self._unmatched_payment("2026-01-08", 1000.0)
        with freeze_time("2026-01-11"):
            self.assertFalse(self._create())

    def test_min_amount_applies_to_net_total(self):
        self.level_1.min_amount = 500.0
        self._invoice("2026-01-05", 1000.0)
        self._credit_note("2026-01-07", 600.0)
        with freeze_time("2026-01-11"):
            self.assertFalse(self._create())

    def test_payment_booked_after_creation_blocks_issue(self):
        invoice = self._invoice("2026-01-05", 1000.0)
        with freeze_time("2026-01-11"):
            reminder = self._create()
            payment = self._unmatched_payment("2026-01-11", 1000.0)
            with self.assertRaisesRegex(UserError, "open credits .* cover"):
                reminder.action_issue()
        self.assertEqual(reminder.state, "draft")
        self.assertFalse(self._receivable_line(invoice).dunning_level_id)
        # A partial payment booked after creation is listed at issue.
        payment.action_draft()
        payment.amount = 400.0
        payment.action_post()
        with freeze_time("2026-01-11"):
            reminder.action_issue()
        self.assertEqual(reminder.state, "issued")
        self.assertEqual(reminder.amount_credit, -400.0)
        self.assertEqual(reminder.amount_total, 600.0)

    def test_customer_collection_kpis(self):
        self._invoice("2026-01-05", 1000.0)
        self._invoice("2026-02-15", 500.0)  # not yet due (nor invoiced) on Jan 20
        self._credit_note("2026-01-07", 100.0)
        self._invoice("2026-01-05", 300.0, partner=self.partner_b)
        with freeze_time("2026-01-20"):
            partner = self.partner_a.with_context(tz="UTC")
            partner.invalidate_recordset()
            self.assertEqual(partner.dunning_amount_due, 1400.0)
            self.assertEqual(partner.dunning_amount_overdue, 1000.0)
            # 1,000 overdue of 1,500 due (issue 21: the credit is not deducted
            # from the base of the rate, which stays within 100 %).
            self.assertAlmostEqual(partner.dunning_overdue_ratio, 66.67)
            self.assertEqual(partner.dunning_days_late, 15.0)
            # Countback DSO: 1,400 open against January's 900 invoiced (1,000 -
            # 100; the February invoice is dated later): the 20 days of
            # January, and the 500 left are not covered by any earlier sale, so
            # every day of the 11 months before counts (334 days).
            self.assertAlmostEqual(partner.dunning_dso, 20 + 334)
