# Copyright 2026 account_dunning_automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from datetime import date

from freezegun import freeze_time
from lxml import etree

from odoo import Command
from odoo.exceptions import ValidationError
from odoo.tests import new_test_user, tagged
from odoo.tools.safe_eval import safe_eval

from .common import DunningCommon


@tagged("post_install", "-at_install")
class TestDunningSmallerItems(DunningCommon):
    """Issue 21's smaller items: daily cadence, level ranges picked from the
    levels, "To Do" default filter, the cancel confirmation's buttons, the
    promise's starting amount, thank-you templates only, the default terms'
    customers."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.clerk = new_test_user(
            cls.env, login="small_clerk", groups="account.group_account_invoice"
        )

    def test_daily_cadence_runs_once_a_day(self):
        self._invoice("2026-01-10")
        automation = self.env["account.dunning.automation"].create(
            {
                "name": "Every day",
                "cadence": "daily",
                "action_ids": [Command.create({"action_type": "create"})],
            }
        )
        with freeze_time("2026-01-11"):
            automation.action_start()
        self.assertEqual(automation.next_run_date, date(2026, 1, 11))
        for day in (date(2026, 1, 11), date(2026, 1, 11), date(2026, 1, 12)):
            with freeze_time(day):
                self.env["account.dunning.automation"]._cron_run_due()
        # One run a day, the same day twice adding nothing.
        self.assertEqual(automation.run_count, 2)
        self.assertEqual(automation.next_run_date, date(2026, 1, 13))

    def test_level_range_picked_from_the_levels(self):
        automation = self._daily_automation("2026-01-11")
        issue = automation.action_ids.filtered(lambda a: a.action_type == "issue")
        choices = dict(issue._fields["max_level_choice"]._description_selection(self.env))
        # The labels name the levels of that number in every active terms of
        # the company (the test's terms and the default plan shipped at
        # install, issue 19).
        self.assertTrue(choices["2"].startswith("2 - "))
        self.assertIn("Reminder", choices["2"].split(" - ", 1)[1].split(" / "))
        self.assertIn("Formal notice", choices["4"].split(" - ", 1)[1].split(" / "))
        self.assertIn("0", choices)
        issue.max_level_choice = "2"
        self.assertEqual(issue.max_level, 2)
        # Data of earlier versions (typed numbers) read back as choices.
        issue.min_level = 1
        self.assertEqual(issue.min_level_choice, "1")
        issue.max_level_choice = "0"
        self.assertEqual((issue.min_level, issue.max_level), (1, 0))

    def test_to_do_is_the_clerk_default_filter(self):
        action = self.env.ref("account_dunning_automation.action_account_dunning_reminder")
        self.assertEqual(safe_eval(action.context).get("search_default_to_do"), 1)
        search = self.env["account.dunning.reminder"].with_user(self.clerk).get_views(
            [(False, "search")]
        )["views"]["search"]["arch"]
        node = etree.fromstring(search).xpath("//filter[@name='to_do']")[0]
        self.assertEqual(node.get("string"), "To Do")
        self._invoice("2026-01-10")
        self._invoice("2026-01-10", partner=self.partner_b)
        with freeze_time("2026-01-11"):
            reminders = self._create(partners=self.partner_a | self.partner_b)
            sent = reminders.filtered(lambda r: r.partner_id == self.partner_b)
            sent.action_issue()
            sent.action_mark_sent()
        to_do = self.env["account.dunning.reminder"].with_user(self.clerk).search(
            safe_eval(node.get("domain"))
        )
        self.assertEqual(to_do, reminders - sent)

    def test_cancel_confirmation_buttons_in_the_user_language(self):
        self.env["res.lang"]._activate_lang("fr_FR")
        self.env["ir.module.module"]._load_module_terms(
            ["account_dunning_automation"], ["fr_FR"], overwrite=True
        )
        for lang, expected in (("en_US", ("Cancel the Reminder", "Keep It")),
                               ("fr_FR", ("Annuler la relance", "La conserver"))):
            arch = self.env["account.dunning.reminder"].with_context(lang=lang).get_views(
                [(False, "form")]
            )["views"]["form"]["arch"]
            button = etree.fromstring(arch).xpath("//button[@name='action_cancel']")[0]
            self.assertEqual(
                (button.get("confirm-label"), button.get("cancel-label")), expected
            )

    def test_promise_starts_at_the_open_amount(self):
        self._invoice("2026-01-10", amount=1234.0)
        with freeze_time("2026-01-20"):
            action = self.partner_a.with_user(self.clerk).action_new_dunning_promise()
            self.assertEqual(action["context"]["default_amount"], 1234.0)
            reminder = self._create()
            action = reminder.with_user(self.clerk).action_new_promise()
        self.assertEqual(action["context"]["default_amount"], reminder.amount_total_company)
        self.assertEqual(action["context"]["default_reminder_id"], reminder.id)

    def test_only_thank_you_templates_as_thank_you(self):
        thanks = self.env.ref("account_dunning_automation.mail_template_dunning_thanks")
        self.assertTrue(thanks.dunning_thank_you)
        self.term.thank_you_template_id = thanks
        reminder_template = self.env.ref(
            "account_dunning_automation.mail_template_dunning_reminder"
        )
        with self.assertRaisesRegex(ValidationError, "not a thank-you email"):
            self.term.thank_you_template_id = reminder_template

    def test_default_terms_count_their_customers(self):
        self._invoice("2026-01-10")
        self._invoice("2026-01-10", partner=self.partner_b)
        other = self._create_term("Other", [("Call", 3, {})])
        self.partner_b.dunning_term_id = other
        # The company's default terms: the customers without terms of their own.
        self.assertEqual(self.env.company.dunning_term_id, self.term)
        partners = self.env["res.partner"].search(self.term._partners_domain())
        self.assertIn(self.partner_a, partners)
        self.assertNotIn(self.partner_b, partners)
        self.assertEqual(self.term.partner_count, len(partners))
        self.assertEqual(other.partner_count, 1)
        self.assertIn(self.partner_a.id, self.term.action_view_partners()["domain"][0][2])
