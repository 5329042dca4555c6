# Copyright 2026 account_dunning_automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

import re
from datetime import date, timedelta

from freezegun import freeze_time

from odoo import fields
from odoo.exceptions import UserError, ValidationError
from odoo.tests import Form, HttpCase, new_test_user, tagged

from .common import DunningCommon

D = date(2026, 3, 10)  # due date of the invoices


class JourneyCommon(DunningCommon):
    """The PayCatch scenario, J-3 / J+1 / J+7 / J+14 fees / J+21 call, run
    day by day by the daily automation (create, issue, send)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.fee_account = cls.company_data["default_account_revenue"].copy()
        cls.billing = new_test_user(
            cls.env,
            login="billing_journey",
            groups="account.group_account_invoice",
            email="billing@example.com",
        )
        cls.manager = new_test_user(
            cls.env,
            login="manager_journey",
            groups="account.group_account_invoice",
            email="manager@example.com",
        )
        cls.partner_a.dunning_responsible_id = cls.manager
        cls.Automation = cls.env["account.dunning.automation"]
        cls.Promise = cls.env["account.dunning.promise"]
        cls.thanks = cls.env.ref("account_dunning_automation.mail_template_dunning_thanks")

    def _paycatch(self, min_days=7, **values):
        term = self._create_term(
            "PayCatch",
            [
                ("Upcoming due date", -3, {}),
                ("Information", 1, {"interest_rate": 10.0}),
                ("Reminder", 7, {"interest_rate": 10.0}),
                ("Firm reminder", 14, {"fee_amount": 10.0, "interest_rate": 10.0}),
                (
                    "Call",
                    21,
                    {
                        "send_email": False,
                        "create_call_activity": True,
                        "call_script": "<p>Call {customer}: {amount_overdue} overdue, "
                        "oldest {oldest_invoice}. Last contact: {last_contact}. "
                        "Promises: {promise_history}.</p>",
                    },
                ),
            ],
            min_contact_days=min_days,
            journal_id=self.company_data["default_journal_misc"].id,
            fee_account_id=self.fee_account.id,
            interest_account_id=self.fee_account.id,
            **values,
        )
        self.env.company.dunning_term_id = term
        return term

    def _emails(self, partner=None):
        """Emails the customer received from the reminders (thank-you included)."""
        return (
            self.env["mail.message"]
            .search(
                [
                    ("model", "=", "account.dunning.reminder"),
                    ("message_type", "=", "comment"),
                    ("partner_ids", "in", (partner or self.partner_a).ids),
                ]
            )
            .sorted("id")
        )

    def _pay_as_billing(self, invoice, day, amount=None):
        with freeze_time(day):
            wizard = (
                self.env["account.payment.register"]
                .with_user(self.billing)
                .with_context(active_model="account.move", active_ids=invoice.ids)
                .create(
                    {"payment_date": day, **({"amount": amount} if amount else {})}
                )
            )
            return wizard._create_payments()


@tagged("post_install", "-at_install")
class TestDunningJourney(JourneyCommon):
    """The customer journey of the seed documents, day by day."""

    def test_pre_due_notice_without_charges_does_not_delay_j_plus_1(self):
        term = self._paycatch(min_days=7)
        notice_level = term.level_ids.sorted("number")[0]
        self.assertTrue(notice_level.is_pre_due)
        invoice = self._invoice(D)
        self._daily_automation(D - timedelta(days=5))
        self._run_days(D - timedelta(days=5), 3)  # J-5 .. J-3
        reminders = self._reminders(states=("issued", "sent"))
        self.assertEqual(len(reminders), 1)
        notice = reminders
        self.assertTrue(notice.is_notice)
        self.assertEqual(notice.issue_date, D - timedelta(days=3))
        self.assertEqual(notice.state, "sent")
        # never charged: no fee, no indemnity, no interest, no entry
        self.assertEqual((notice.amount_fee, notice.amount_interest), (0.0, 0.0))
        self.assertFalse(notice.move_id)
        self.assertEqual(notice.line_ids.line_type, "not_due")
        self.assertEqual(notice.line_ids.escalation, "notice")
        emails = self._emails()
        self.assertEqual(len(emails), 1)
        self.assertIn("fall due soon", emails.body)
        self.assertIn("Upcoming due date", emails.subject)
        item = self._receivable_line(invoice)
        self.assertEqual((item.dunning_count, item.dunning_notice_count), (1, 1))
        # J-2 .. J+1: nothing more until J+1, when the first reminder goes out
        # although the notice was sent 4 days earlier (min. 7 days between
        # two reminders: the notice is not one).
        self._run_days(D - timedelta(days=2), 4)
        reminders = self._reminders(states=("issued", "sent")).sorted("issue_date")
        self.assertEqual(len(reminders), 2)
        first = reminders[1]
        self.assertEqual(first.issue_date, D + timedelta(days=1))
        self.assertEqual(first.level_id.name, "Information")
        self.assertFalse(first.is_notice)
        self.assertGreater(first.amount_interest, 0.0)
        self.assertEqual(len(self._emails()), 2)
        # J+2 .. J+7: the J+7 reminder comes 6 days after the first one?
        # No: the quiet period of 7 days counts from J+1 only.
        self._run_days(D + timedelta(days=2), 7)
        second = self._reminders(states=("issued", "sent")).sorted("issue_date")[-1]
        self.assertEqual(second.level_id.name, "Reminder")
        self.assertEqual(second.issue_date, D + timedelta(days=8))

    def test_pre_due_level_validation(self):
        term = self._paycatch()
        notice_level = term.level_ids.sorted("number")[0]
        for values, error in (
            ({"fee_amount": 5.0}, "charges no fee"),
            ({"fee_per_invoice": 40.0}, "charges no fee"),
            ({"interest_rate": 5.0}, "charges no fee"),
            ({"interest_rate_type": "reference"}, "charges no fee"),
            ({"grace_days": 4}, "by the due date"),
            ({"delay_days": -3651}, "between -3650 and 3650"),
        ):
            # assertRaises (not ...Regex) rolls the refused write back
            with self.assertRaises(ValidationError) as refused:
                notice_level.write(values)
            self.assertIn(error, str(refused.exception))
        notice_level.delay_days = -3650  # ten years ahead is allowed
        # the create wizard at J-3 creates the notice
        self._invoice(D)
        notice_level.delay_days = -3
        wizard = (
            self.env["account.dunning.create.wizard"]
            .with_user(self.billing)
            .create({"date": D - timedelta(days=3)})
        )
        wizard.action_create()
        draft = self._reminders(states=("draft",))
        self.assertTrue(draft.is_notice)

    def test_thank_you_once_after_payment_following_level_2(self):
        term = self._paycatch(min_days=0)
        term.thank_you_template_id = self.thanks
        invoice = self._invoice(D)
        self._daily_automation(D - timedelta(days=5))
        self._run_days(D - timedelta(days=5), 13)  # up to J+7
        levels = self._reminders(states=("sent",)).sorted("issue_date").level_id
        self.assertEqual(levels.mapped("name"), ["Upcoming due date", "Information", "Reminder"])
        level_2 = self._reminders(states=("sent",)).sorted("issue_date")[-1]
        before = self._emails()
        self.assertEqual(len(before), 3)
        # J+9: the customer pays everything; the run of the same day thanks once
        self._pay_as_billing(invoice, D + timedelta(days=9), amount=invoice.amount_residual)
        self.assertTrue(self._receivable_line(invoice).reconciled)
        # ... the interest charged by the reminders included (issue 21: the
        # thank-you waits for the charges, it never forgives them by omission).
        charges = self._reminders(states=("sent",)).move_id
        self.assertTrue(charges)
        for entry in charges:
            self._pay_as_billing(entry, D + timedelta(days=9))
        self._run_days(D + timedelta(days=9), 20)
        after = self._emails() - before
        self.assertEqual(len(after), 1, after.mapped("subject"))
        self.assertIn("Thank you for your payment", after.subject)
        self.assertEqual(level_2.thanked_date, D + timedelta(days=9))
        self.assertEqual(after.res_id, level_2.id)
        self.assertEqual(self._reminders(states=("draft", "issued")), self.Reminder)
        self.assertTrue(
            self.partner_a.message_ids.filtered(
                lambda m: "Thank-you email sent" in (m.body or "")
            )
        )
        # the thanked date is set by the flow only
        with self.assertRaises(UserError):
            level_2.with_user(self.billing).write({"thanked_date": D})

    def test_no_thank_you_while_something_is_overdue(self):
        term = self._paycatch(min_days=0)
        term.thank_you_template_id = self.thanks
        first = self._invoice(D)
        self._invoice(D + timedelta(days=2))
        self._daily_automation(D + timedelta(days=1))
        self._run_days(D + timedelta(days=1), 4)
        before = self._emails()
        self._pay_as_billing(first, D + timedelta(days=5))
        self._run_days(D + timedelta(days=5), 2)
        self.assertFalse(
            (self._emails() - before).filtered(lambda m: "Thank you" in (m.subject or ""))
        )

    def test_promise_pauses_until_its_date_then_broken_resumes_next_level(self):
        self._paycatch(min_days=0)
        invoice = self._invoice(D)
        self._daily_automation(D + timedelta(days=1))
        self._run_days(D + timedelta(days=1), 2)  # J+1: level 1
        first = self._reminders(states=("sent",))
        self.assertEqual(first.level_id.name, "Information")
        # J+3: the customer promises on the phone to pay by J+20 (billing user,
        # from the reminder)
        with freeze_time(D + timedelta(days=3)):
            action = first.with_user(self.billing).action_new_promise()
            form = Form(
                self.Promise.with_user(self.billing).with_context(**action["context"])
            )
            form.promised_date = D + timedelta(days=20)
            form.amount = 1000.0
            form.note = "Payment on the 30th"
            promise = form.save()
        self.assertEqual((promise.state, promise.reminder_id), ("open", first))
        self.assertEqual(promise.partner_id, self.partner_a)
        # J+3 .. J+20: levels J+7 and J+14 are held
        self._run_days(D + timedelta(days=3), 18)
        self.assertEqual(self._reminders(states=("draft", "issued", "sent")), first)
        self.assertEqual(promise.held_date, D + timedelta(days=7))
        self.assertIn("held by this promise", promise.message_ids[0].body)
        self.assertEqual(promise.state, "open")
        # J+21: broken; the sequence resumes at the next level (2, not 3) and
        # the account manager gets an activity
        self._run_days(D + timedelta(days=21), 1)
        self.assertEqual(promise.state, "broken")
        activity = promise.activity_ids
        self.assertEqual(len(activity), 1)
        self.assertEqual(activity.user_id, self.manager)
        self.assertIn("broken", activity.note)
        resumed = self._reminders(states=("sent",)) - first
        self.assertEqual(resumed.level_id.name, "Reminder")
        self.assertEqual(resumed.issue_date, D + timedelta(days=21))
        self.assertTrue(self._receivable_line(invoice).dunning_level_number, 3)
        # the promises are listed with their filters
        broken = self.Promise.with_user(self.billing).search([("state", "=", "broken")])
        self.assertEqual(broken, promise)
        self.assertEqual(self.partner_a.dunning_promise_ids, promise)

    def test_promise_kept_closes_it(self):
        self._paycatch(min_days=0)
        invoice = self._invoice(D)
        self._daily_automation(D + timedelta(days=1))
        self._run_days(D + timedelta(days=1), 1)
        with freeze_time(D + timedelta(days=2)):
            action = self.partner_a.with_user(self.billing).action_new_dunning_promise()
            promise = self.Promise.with_user(self.billing).with_context(
                **action["context"]
            ).create({"promised_date": D + timedelta(days=10), "amount": 1000.0})
        self._pay_as_billing(invoice, D + timedelta(days=9))
        self._run_days(D + timedelta(days=2), 10)
        self.assertEqual(promise.state, "kept")
        self.assertEqual(promise.closed_date, D + timedelta(days=9))
        self.assertFalse(promise.activity_ids)
        self.assertEqual(len(self._reminders(states=("sent",))), 1)
        # a promise before its date is checked, not earlier: the due-today filter
        with freeze_time(D + timedelta(days=3)):
            due_today = self.Promise.create(
                {
                    "partner_id": self.partner_b.id,
                    "promised_date": D + timedelta(days=3),
                    "amount": 10.0,
                }
            )
            self.assertIn(
                due_today,
                self.Promise.search(
                    [("state", "=", "open"), ("promised_date", "=", fields.Date.today())]
                ),
            )
        with self.assertRaisesRegex(ValidationError, "above zero"):
            self.Promise.create(
                {"partner_id": self.partner_b.id, "promised_date": D, "amount": 0.0}
            )

    def test_call_activity_carries_the_script_with_the_figures(self):
        self._paycatch(min_days=0)
        self.env["res.lang"]._activate_lang("fr_FR")
        call_level = self.env.company.dunning_term_id.level_ids.filtered(
            lambda l: l.name == "Call"
        )
        # the script is translated term by term, like the other texts
        call_level.update_field_translations(
            "call_script",
            {
                "fr_FR": {
                    "Call {customer}: {amount_overdue} overdue, oldest {oldest_invoice}. "
                    "Last contact: {last_contact}. Promises: {promise_history}.": "Appeler "
                    "{customer} : {amount_overdue} en retard, la plus ancienne "
                    "{oldest_invoice}. Dernier contact : {last_contact}. Promesses : "
                    "{promise_history}."
                }
            },
        )
        self.partner_a.lang = "en_US"
        invoice = self._invoice(D, amount=1234.0)
        self._daily_automation(D + timedelta(days=1))
        with freeze_time(D + timedelta(days=2)):
            self.Promise.create(
                {
                    "partner_id": self.partner_a.id,
                    "promised_date": D + timedelta(days=4),
                    "amount": 500.0,
                }
            )
        self._run_days(D + timedelta(days=1), 26)
        call = self._reminders(states=("sent",)).filtered(lambda r: r.level_id == call_level)
        self.assertEqual(len(call), 1)
        activity = call.activity_ids
        self.assertEqual(activity.user_id, self.manager)
        note = str(activity.note)
        self.assertIn(f"Call {self.partner_a.display_name}", note)
        self.assertIn(invoice.name, note)
        self.assertIn("1,234.00", note)
        self.assertIn("days late", note)
        self.assertIn("Firm reminder", note)  # last contact
        self.assertIn("broken", note.lower())  # promise history
        self.assertIn(f"/odoo/account.dunning.reminder/{call.id}", note)
        # in the customer's language
        self.partner_a.lang = "fr_FR"
        self.assertIn("Appeler", str(self.env["account.dunning.call"]._dunning_call_note(call)))


@tagged("post_install", "-at_install")
class TestDunningPayOnline(JourneyCommon, HttpCase):
    """The reminder email links each invoice's portal page, which opens for a
    visitor who is not logged in."""

    def test_reminder_email_links_open_the_invoices(self):
        self._paycatch(min_days=0)
        invoices = self._invoice(D, amount=100.0) | self._invoice(D, amount=200.0)
        portal = new_test_user(
            self.env, login="portal_journey", groups="base.group_portal",
            partner_id=self.partner_a.id,
        )
        self.assertTrue(portal.share)
        with freeze_time(D + timedelta(days=1)):
            reminder = self.Reminder.with_user(self.billing)._create_reminders()
            reminder.action_issue()
            self.env["account.dunning.send"]._send_one(reminder)
        message = reminder.email_message_id
        body = str(message.body)
        links = re.findall(r'href="([^"]+)"[^>]*class="o_dunning_pay_link"', body) or re.findall(
            r'class="o_dunning_pay_link"[^>]*href="([^"]+)"', body
        )
        self.assertEqual(len(links), 2, body)
        for invoice in invoices:
            url = invoice.get_base_url() + invoice.get_portal_url()
            self.assertIn(url.replace("&", "&amp;"), body)
        self.assertIn("/my/invoices?filterby=overdue_invoices", body)
        # the letter carries the links too
        html = self.env["ir.actions.report"]._render_qweb_html(
            "account_dunning_automation.action_report_dunning_reminder", reminder.ids
        )[0].decode()
        self.assertIn("Pay online", html)
        # a visitor (not logged in) opens each link
        for _invoice, link in zip(invoices.sorted("id"), sorted(links), strict=True):
            path = re.sub(r"^https?://[^/]+", "", link.replace("&amp;", "&"))
            response = self.url_open(path)
            self.assertEqual(response.status_code, 200)
            self.assertIn("access_token", path)
            self.assertTrue(
                any(inv.name in response.text for inv in invoices), path
            )
        response = self.url_open(f"/my/invoices/{invoices[0].id}", allow_redirects=False)
        self.assertNotEqual(response.status_code, 200)  # no token, no invoice
