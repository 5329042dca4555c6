# Copyright 2026 account_dunning_automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from datetime import date, timedelta

from freezegun import freeze_time

from odoo import fields
from odoo.tests import tagged

from .test_dunning_insight import InsightCommon


@tagged("post_install", "-at_install")
class TestDunningKpiFigures(InsightCommon):
    """Figures management can use, on a known data set (issue 21): the DSO
    without the reminders' own charges, overdue rates within 100 %, "no
    score yet" before the first nightly run."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        revenue = cls.company_data["default_account_revenue"]
        cls.fees_term = cls._create_term(
            "Fees",
            [("Information", 1, {"fee_amount": 55.94})],
            journal_id=cls.company_data["default_journal_misc"].id,
            fee_account_id=revenue.copy({"code": "758200", "name": "Reminder fees"}).id,
        )
        cls.env.company.dunning_term_id = cls.fees_term

    def _data_set(self, today):
        """Customer A: 1 000 due 36 days ago and 2 000 due 8 days ago, open;
        a credit note of 500; 7 000 invoiced 100 days ago and paid; then a
        reminder charging 55.94 of fees (its own entry)."""
        def day(n):
            return today + timedelta(days=n)

        a = self.partner_a
        self._invoice_due(day(-36), 1000, a)
        self._invoice_due(day(-8), 2000, a)
        refund = self.init_invoice(
            "out_refund", partner=a, invoice_date=day(-8), amounts=[500], taxes=[]
        )
        refund.action_post()
        self._pay(self._invoice_due(day(-100), 7000, a), date=day(-100))
        reminder = self._remind(a, today)
        self.assertEqual(reminder.amount_fee, 55.94)
        self.assertEqual(reminder.move_id.state, "posted")
        self.env.flush_all()
        return reminder

    def test_dso_and_overdue_rates_on_a_known_data_set(self):
        today = fields.Date.context_today(self.env.user)
        self._data_set(today)
        a = self.partner_a
        company = [("company_id", "=", self.env.company.id)]
        kpi = self.env["account.dunning.kpi.report"]
        row = kpi.read_group(
            company + [("partner_id", "=", a.id)],
            [
                "amount_receivable:sum",
                "amount_trade_receivable:sum",
                "amount_open_debit:sum",
                "amount_overdue:sum",
                "amount_sales:sum",
                "dso_365",
                "overdue_rate",
            ],
            [],
        )[0]
        # Open: 1 000 + 2 000 - 500 + 55.94 of fees = 2 555.94; without the
        # fees 2 500; due before credits 3 055.94, of which 3 000 overdue.
        self.assertAlmostEqual(row["amount_receivable"], 2555.94)
        self.assertAlmostEqual(row["amount_trade_receivable"], 2500.0)
        self.assertAlmostEqual(row["amount_open_debit"], 3055.94)
        self.assertAlmostEqual(row["amount_overdue"], 3000.0)
        # Sales of 365 days: 1 000 + 2 000 - 500 + 7 000 = 9 500 (the fees
        # are not sales). DSO: 2 500 / 9 500 x 365 = 96.05 days.
        self.assertAlmostEqual(row["amount_sales"], 9500.0)
        self.assertEqual(row["dso_365"], 96.05)
        # Overdue rate: 3 000 / 3 055.94 = 98.17 %, never over 100 %.
        self.assertEqual(row["overdue_rate"], 98.17)
        self.assertEqual(a.dunning_overdue_ratio, 98.17)
        aging = self.env["account.dunning.aging.report"]
        rows = aging.read_group(
            company, ["overdue_rate", "amount_residual:sum"], ["partner_id"]
        )
        by_partner = {r["partner_id"][0]: r for r in rows}
        self.assertEqual(by_partner[a.id]["overdue_rate"], 98.17)
        for grouping in (["partner_id"], ["bucket"], []):
            for r in aging.read_group(company, ["overdue_rate"], grouping):
                self.assertLessEqual(r["overdue_rate"], 100.0, r)

    def test_countback_dso_without_the_charges(self):
        with freeze_time("2026-12-03"):
            today = date(2026, 12, 3)
            self._data_set(today)
            # Receivables from sales 2 500: December has no sales (3 days),
            # November's 1 500 (2 000 - 500, 30 days), then October's 1 000
            # (31 days): 64 days. The 55.94 of fees change nothing.
            self.assertEqual(self.partner_a.dunning_dso, 64.0)

    def test_no_score_yet_then_the_nightly_score(self):
        self.env["res.lang"]._activate_lang("fr_FR")
        self.env["ir.module.module"]._load_module_terms(
            ["account_dunning_automation"], ["fr_FR"], overwrite=True
        )
        today = fields.Date.context_today(self.env.user)
        b, c = self.partner_b, self.partner_c
        # B: 1 000 paid 10 days late, 1 000 paid on its due date.
        def day(n):
            return today + timedelta(days=n)

        self._pay(self._invoice_due(day(-40), 1000, b), date=day(-30))
        self._pay(self._invoice_due(day(-20), 1000, b), date=day(-20))
        self.env.flush_all()
        self.assertEqual(b.dunning_score_label, "No score yet")
        self.assertEqual(b.with_context(lang="fr_FR").dunning_score_label, "Pas encore de score")
        self.env["res.partner"]._cron_dunning_score(commit=False)
        b.invalidate_recordset()
        # 5 days late on average, half paid late, no reminder:
        # 100 - 50 x 5 / 60 - 30 x 50 % = 80.83.
        self.assertEqual(b.dunning_score, 80.83)
        self.assertEqual(b.dunning_score_label, "80.83")
        self.assertEqual(c.dunning_score_label, "No score yet")
