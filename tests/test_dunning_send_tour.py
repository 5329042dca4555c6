# Copyright 2026 account_dunning_automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from datetime import timedelta
from unittest.mock import patch

from odoo import fields
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tests.common import ChromeBrowser

from .common import DunningCommon

SCREENSHOT = "dunning-screenshot:"


@tagged("post_install", "-at_install")
class TestDunningSendTour(DunningCommon, HttpCase):
    """A billing clerk in the web client: Create Reminders, Issue & Send three
    customers at once, print their letters (Print menu, then the button of
    one; copies of reminders already sent, nothing counted: issue 21)
    (issue 13). Screenshots of each stage are
    saved in Odoo's screenshots folder (scripts/tour_screenshots.sh)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        company = cls.env.company
        company.external_report_layout_id = cls.env.ref("web.external_layout_standard")
        cls.clerk = new_test_user(
            cls.env,
            login="tour_clerk",
            groups="account.group_account_invoice",
            company_id=company.id,
            company_ids=[company.id],
        )
        partner_c = cls.partner_b.copy(
            {"name": "partner_c", "is_company": True, "email": "partner_c@example.com"}
        )
        cls.customers = cls.partner_a | cls.partner_b | partner_c
        due = fields.Date.today() - timedelta(days=10)
        for partner in cls.customers:
            cls._invoice(due, partner=partner)

    def test_create_issue_send_print_three_customers(self):
        original = ChromeBrowser._handle_console

        def handle_console(browser, type, args=None, stackTrace=None, **kw):  # pylint: disable=redefined-builtin
            if args and str(browser._from_remoteobject(args[0])).startswith(SCREENSHOT):
                name = str(browser._from_remoteobject(args[0]))[len(SCREENSHOT):]
                browser.take_screenshot(prefix=f"dunning_{name}_")
            return original(browser, type, args=args, stackTrace=stackTrace, **kw)

        with patch.object(ChromeBrowser, "_handle_console", handle_console):
            self.start_tour(
                "/odoo/action-account_dunning_automation.action_account_dunning_reminder",
                "account_dunning_send_tour",
                login="tour_clerk",
            )
        # The emails were queued by the requests; the mail queue delivers them.
        self.env["mail.mail"].process_email_queue()
        reminders = self.Reminder.search([("partner_id", "in", self.customers.ids)])
        self.assertEqual(len(reminders), 3)
        self.assertEqual(set(reminders.mapped("state")), {"sent"})
        self.assertEqual(set(reminders.mapped("send_state")), {"delivered"})
        # One email each; the prints after the send are reprints, not sends
        # (issue 21), and the Print menu counts none (issue 18).
        self.assertEqual(sorted(reminders.mapped("send_count")), [1, 1, 1])
        for reminder in reminders:
            emails = reminder.message_ids.filtered(
                lambda m, partner=reminder.partner_id: m.message_type == "comment"
                and partner in m.partner_ids
            )
            self.assertEqual(len(emails), 1)
            self.assertEqual(len(emails.attachment_ids), 2)  # letter and invoice

    def test_reviewed_formal_notice_previewed_then_sent(self):
        """A formal notice reviewed by a person (issue 21): issued, then sent
        from the sending dialog after its preview."""
        term = self._create_term(
            "Notice", [("Formal notice", 1, {"manual_review": True, "attach_letter": True})]
        )
        customer = self.partner_a.copy(
            {
                "name": "Notice Customer",
                "email": "notice@example.com",
                "dunning_term_id": term.id,
            }
        )
        self._invoice(fields.Date.today() - timedelta(days=10), partner=customer)
        notice = self._create(partners=customer)
        self.assertTrue(notice.level_manual_review)
        self.start_tour(
            "/odoo/action-account_dunning_automation.action_account_dunning_reminder",
            "account_dunning_review_tour",
            login="tour_clerk",
        )
        self.env["mail.mail"].process_email_queue()
        self.assertEqual((notice.state, notice.send_state), ("sent", "delivered"))
        emails = notice.message_ids.filtered(
            lambda m: m.message_type == "comment" and customer in m.partner_ids
        )
        self.assertEqual(len(emails), 1)
        self.assertIn("Notice Customer", emails.body)
        self.assertTrue(emails.attachment_ids.filtered(lambda a: a.name.endswith(".pdf")))
