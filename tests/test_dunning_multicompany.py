# Copyright 2026 account_dunning_automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from .common import DunningCommon


@tagged("post_install", "-at_install")
class TestDunningMultiCompany(DunningCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_2 = cls.setup_other_company()["company"]
        cls.term_2 = cls._create_term(
            "Company 2 terms", [("Only level", 3, {})], company=cls.company_2
        )
        cls.company_2.dunning_term_id = cls.term_2
        cls.user_1 = new_test_user(
            cls.env,
            login="dunning_user_company_1",
            groups="account.group_account_user",
            company_id=cls.env.company.id,
            company_ids=[(6, 0, cls.env.company.ids)],
        )

    def test_reminders_isolated_per_company(self):
        invoice_1 = self._invoice("2026-01-05", 100.0)
        invoice_2 = self._invoice("2026-01-05", 200.0, company=self.company_2)
        with freeze_time("2026-01-11"):
            reminder_1 = self._create()
            reminder_2 = self.Reminder.with_company(self.company_2)._create_reminders()
        self.assertEqual(reminder_1.company_id, self.env.company)
        self.assertEqual(reminder_1.line_ids.move_id, invoice_1)
        self.assertEqual(reminder_1.level_id.term_id, self.term)
        self.assertEqual(reminder_2.company_id, self.company_2)
        self.assertEqual(reminder_2.line_ids.move_id, invoice_2)
        self.assertEqual(reminder_2.level_id.term_id, self.term_2)

        # a user of company 1 only sees company 1
        reminders_as_user = self.Reminder.with_user(self.user_1)
        self.assertEqual(
            reminders_as_user.search([("partner_id", "=", self.partner_a.id)]), reminder_1
        )
        with self.assertRaises(AccessError):
            reminder_2.with_user(self.user_1).read(["name"])
        terms_as_user = self.env["account.dunning.term"].with_user(self.user_1)
        self.assertNotIn(self.term_2, terms_as_user.search([]))

    def test_partner_terms_per_company(self):
        vip = self._create_term("VIP", [("Late", 20, {})])
        self.partner_a.dunning_term_id = vip
        self.assertEqual(self.partner_a._get_dunning_term(), vip)
        self.assertEqual(
            self.partner_a.with_company(self.company_2)._get_dunning_term(), self.term_2
        )
        self._invoice("2026-01-05", 200.0, company=self.company_2)
        with freeze_time("2026-01-08"):  # J+3: company 2 terms, not the VIP ones
            reminder = self.Reminder.with_company(self.company_2)._create_reminders()
        self.assertEqual(reminder.level_id, self.term_2.level_ids)

    def test_issue_in_one_company_leaves_other_untouched(self):
        self._invoice("2026-01-05", 100.0)
        invoice_2 = self._invoice("2026-01-05", 200.0, company=self.company_2)
        with freeze_time("2026-01-11"):
            self._create().action_issue()
        self.assertFalse(self._receivable_line(invoice_2).dunning_level_id)

    def test_automation_runs_in_its_company(self):
        invoice_1 = self._invoice("2026-01-05", 100.0)
        invoice_2 = self._invoice("2026-01-05", 200.0, company=self.company_2)
        automation_2 = self.env["account.dunning.automation"].create(
            {
                "name": "Company 2 weekly",
                "company_id": self.company_2.id,
                "cadence": "weekly",
                "state": "scheduled",
                "next_run_date": "2026-01-11",
                "action_ids": [
                    Command.create({"action_type": "create", "sequence": 1}),
                    Command.create({"action_type": "issue", "sequence": 2}),
                ],
            }
        )
        with freeze_time("2026-01-11"):
            # The cron (superuser, current company 1) runs company 2's automation
            # in company 2 only.
            self.env["account.dunning.automation"]._cron_run_due()
        run = automation_2.run_ids
        self.assertEqual(run.company_id, self.company_2)
        self.assertEqual(run.reminder_ids.company_id, self.company_2)
        self.assertEqual(run.issued_count, 1)
        self.assertTrue(self._receivable_line(invoice_2).dunning_level_id)
        self.assertFalse(self._receivable_line(invoice_1).dunning_level_id)
        self.assertEqual(self._reminders().company_id, self.company_2)
        # A user of company 1 does not see company 2's automations and runs.
        automations_as_user = self.env["account.dunning.automation"].with_user(self.user_1)
        self.assertFalse(automations_as_user.search([("id", "=", automation_2.id)]))
        runs_as_user = self.env["account.dunning.automation.run"].with_user(self.user_1)
        self.assertFalse(runs_as_user.search([]))
