# Copyright 2026 account_dunning_automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from datetime import date

from freezegun import freeze_time

from odoo import SUPERUSER_ID
from odoo.tests import new_test_user, tagged
from odoo.tools.safe_eval import datetime as safe_datetime
from odoo.tools.safe_eval import safe_eval

from .common import DunningCommon


@tagged("post_install", "-at_install")
class TestDunningCallCollector(DunningCommon):
    """The call step of an automation reaches a person: the account manager,
    else the terms' collector, else the invoice's salesperson; never OdooBot
    (issue 21)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        company = cls.env.company
        common = {"company_id": company.id, "company_ids": [company.id]}
        cls.collector = new_test_user(
            cls.env, login="call_collector", groups="account.group_account_invoice", **common
        )
        cls.salesman = new_test_user(
            cls.env, login="call_salesman", groups="sales_team.group_sale_salesman", **common
        )
        cls.level_1.create_call_activity = True

    def _run_cron(self):
        cron_env = self.env(user=SUPERUSER_ID)
        with freeze_time("2026-01-11"):
            cron_env["account.dunning.automation"]._cron_run_due()
            cron_env["mail.mail"].process_email_queue()

    def _call(self, partner):
        reminder = self._reminders(partner)
        self.assertEqual(reminder.state, "sent")
        return reminder.activity_ids.filtered(
            lambda a: a.activity_type_id == self.env.ref("mail.mail_activity_data_call")
        )

    def test_salesperson_then_collector(self):
        self._invoice("2026-01-10", partner=self.partner_a).invoice_user_id = self.salesman.id
        self._invoice("2026-01-10", partner=self.partner_b).invoice_user_id = False
        self._daily_automation("2026-01-11")
        self._run_cron()
        # No account manager, no collector: the invoice's salesperson.
        self.assertEqual(self._call(self.partner_a).user_id, self.salesman)
        # Nobody at all: never OdooBot nor the superuser, an administrator of
        # the reminders instead.
        call_b = self._call(self.partner_b)
        self.assertEqual(len(call_b), 1)
        self.assertNotEqual(call_b.user_id.id, SUPERUSER_ID)
        self.assertNotEqual(call_b.user_id, self.env.ref("base.user_root"))
        self.assertFalse(call_b.user_id.share)

    def test_terms_collector_sees_the_call_in_calls_due_today(self):
        self.term.collector_id = self.collector
        self._invoice("2026-01-10", partner=self.partner_a).invoice_user_id = self.salesman.id
        self._invoice("2026-01-10", partner=self.partner_b)
        self.partner_b.dunning_responsible_id = self.salesman
        self._daily_automation("2026-01-11")
        self._run_cron()
        call = self._call(self.partner_a)
        self.assertEqual(call.user_id, self.collector)
        # The collector's "Calls due today".
        action = self.env.ref("account_dunning_automation.action_account_dunning_calls_today")
        with freeze_time("2026-01-11"):
            domain = safe_eval(
                action.domain,
                {
                    "uid": self.collector.id,
                    "context_today": lambda: date(2026, 1, 11),
                    "datetime": safe_datetime,
                },
            )
            calls = self.env["mail.activity"].with_user(self.collector).search(domain)
        self.assertIn(call, calls)
        # The account manager, when there is one, comes first.
        self.assertEqual(self._call(self.partner_b).user_id, self.salesman)
