# Copyright 2026 account_dunning_automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

import json
from datetime import date
from unittest.mock import patch
from urllib.parse import urlencode

from freezegun import freeze_time

from odoo.exceptions import UserError
from odoo.tests import Form, HttpCase, new_test_user, tagged

from .common import DunningCommon

LETTER = "account_dunning_automation.report_dunning_reminder"


class SendCommon(DunningCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        company = cls.env.company
        common = {"company_id": company.id, "company_ids": [company.id]}
        cls.clerk = new_test_user(
            cls.env, login="send_clerk", groups="account.group_account_invoice", **common
        )
        cls.auditor = new_test_user(
            cls.env,
            login="send_auditor",
            groups="base.group_user,account.group_account_readonly",
            **common,
        )
        cls.env.company.external_report_layout_id = cls.env.ref(
            "web.external_layout_standard"
        )

    def _drafts(self, partners=None):
        with freeze_time("2026-01-11"):
            return self._create(partners=partners)

    def _issued(self):
        self._invoice("2026-01-10")
        reminder = self._drafts()
        with freeze_time("2026-01-11"):
            reminder.action_issue()
        return reminder.with_user(self.clerk)

    def _customer_emails(self, reminder):
        return reminder.message_ids.filtered(
            lambda m: m.message_type == "comment" and reminder.partner_id in m.partner_ids
        )


@tagged("post_install", "-at_install")
class TestDunningSend(SendCommon):
    """The sending wizard serves every path; printing counts a send only
    when the letter PDF is produced (issue 13)."""

    # ------------------------------------------------------------------
    # Print counting
    # ------------------------------------------------------------------

    def _print_as_downloaded(self, action, user):
        """Render the PDF of a report action as its download does: the web
        client sends the action's data and context, the report controller
        renders with them (and no ids in the URL)."""
        context = action["context"]
        return (
            self.env["ir.actions.report"]
            .with_user(user)
            .with_context(**context)
            ._render_qweb_pdf(LETTER, data=dict(action["data"], context=context))
        )

    def test_print_counts_when_the_pdf_is_produced(self):
        reminder = self._issued()
        action = reminder.action_print()
        self.assertEqual(action["type"], "ir.actions.report")
        # Asking for the print (the dialog, the download not done) counts nothing.
        self.assertEqual((reminder.state, reminder.send_count), ("issued", 0))
        # The PDF of the button's action produced (its download renders it
        # with the action's context): sent, one send counted, said on the
        # chatter. Issue 18: only this action counts a print.
        self._print_as_downloaded(action, self.clerk)
        self.assertEqual((reminder.state, reminder.send_count), ("sent", 1))
        self.assertEqual(reminder.sent_date, date.today())
        self.assertTrue(
            reminder.message_ids.filtered(lambda m: "letter printed" in (m.body or ""))
        )
        # A second print from the button is a reprint, not a second send
        # (issue 21); the HTML preview is none.
        self._print_as_downloaded(action, self.clerk)
        self.env["ir.actions.report"].with_user(self.clerk)._render_qweb_html(
            LETTER, reminder.ids
        )
        self.assertEqual(reminder.send_count, 1)
        self.assertTrue(
            reminder.message_ids.filtered(lambda m: "printed again" in (m.body or ""))
        )
        # An auditor may print it: nothing is counted, nothing fails.
        self._print_as_downloaded(action, self.auditor)
        self.assertEqual(reminder.send_count, 1)
        # Any other rendering of the letter (the Print menu, a mail template
        # attaching it) counts nothing (issue 18).
        self.env["ir.actions.report"].with_user(self.clerk)._render_qweb_pdf(
            LETTER, reminder.ids
        )
        self.assertEqual(reminder.send_count, 1)

    def test_print_of_a_draft_counts_nothing(self):
        self._invoice("2026-01-10")
        draft = self._drafts().with_user(self.clerk)
        self._print_as_downloaded(
            {"data": {"dunning_print_letter": True}, "context": {"active_ids": draft.ids}},
            self.clerk,
        )
        self.assertEqual((draft.state, draft.send_count), ("draft", 0))

    def test_layout_dialog_counts_nothing(self):
        # No layout chosen yet: an administrator gets the layout dialog first.
        self.env.company.external_report_layout_id = False
        reminder = self._issued().with_user(self.env.user)
        action = reminder.action_print()
        self.assertEqual(action["res_model"], "base.document.layout")
        self.assertEqual((reminder.state, reminder.send_count), ("issued", 0))

    def test_sending_renders_the_letter_without_counting_a_print(self):
        self.level_1.send_letter = True  # the letter rendered twice
        reminder = self._issued()
        action = reminder.action_send()
        Form(self.env[action["res_model"]].with_user(self.clerk).with_context(
            **action["context"]
        )).save().action_send()
        self.assertEqual((reminder.state, reminder.send_count), ("sent", 1))

    # ------------------------------------------------------------------
    # The dialog: channels and every attachment before sending
    # ------------------------------------------------------------------

    def test_dialog_lists_every_attachment_before_sending(self):
        reminder = self._issued()
        invoice = reminder.line_ids.move_id
        action = reminder.action_send()
        self.assertEqual(action["res_model"], "account.dunning.send")
        self.assertIn(reminder.name, action["name"])  # not "Odoo"
        wizard = Form(
            self.env[action["res_model"]].with_user(self.clerk).with_context(
                **action["context"]
            )
        ).save()
        self.assertEqual(wizard.reminder_id, reminder)
        self.assertTrue(wizard.send_email)
        self.assertFalse(wizard.send_letter or wizard.send_sms)
        self.assertEqual(wizard.mail_partner_ids, self.partner_a)
        self.assertIn(reminder.name, wizard.mail_subject)
        letter_name = f"{reminder._get_report_base_filename()}.pdf"
        listed = [a["name"] for a in wizard.mail_attachments_widget]
        self.assertEqual(listed, [letter_name, invoice._get_invoice_report_filename()])
        # Nothing was sent nor rendered by opening the dialog.
        self.assertFalse(self._customer_emails(reminder))
        self.assertFalse(invoice.invoice_pdf_report_id)
        self.assertEqual(reminder.send_count, 0)
        # The subject as edited, and exactly the files listed.
        wizard.mail_subject = "Our reminder"
        wizard.action_send()
        message = self._customer_emails(reminder)
        self.assertEqual(len(message), 1)
        self.assertEqual(message.subject, "Our reminder")
        self.assertEqual(sorted(message.attachment_ids.mapped("name")), sorted(listed))
        self.assertEqual((reminder.state, reminder.send_count), ("sent", 1))
        # Sent again: the invoice's kept PDF is listed as a real file.
        action = reminder.action_send()
        wizard = Form(
            self.env[action["res_model"]].with_user(self.clerk).with_context(
                **action["context"]
            )
        ).save()
        kept = [a for a in wizard.mail_attachments_widget if not a["placeholder"]]
        self.assertEqual([a["id"] for a in kept], invoice.invoice_pdf_report_id.ids)
        # The user removes the invoice from the list (the widget marks it
        # skipped): only the letter goes.
        wizard.mail_attachments_widget = [
            dict(a, skip=True) if not a["placeholder"] else a
            for a in wizard.mail_attachments_widget
        ]
        wizard.action_send()
        message = self._customer_emails(reminder)[0]
        self.assertEqual(message.attachment_ids.mapped("name"), [letter_name])
        self.assertEqual(reminder.send_count, 2)

    def test_dialog_shows_the_level_channels(self):
        self.level_1.write({"send_letter": True, "create_call_activity": True})
        reminder = self._issued()
        action = reminder.action_send()
        wizard = Form(
            self.env[action["res_model"]].with_user(self.clerk).with_context(
                **action["context"]
            )
        ).save()
        self.assertTrue(wizard.send_email and wizard.send_letter)
        self.assertTrue(wizard.create_call_activity)
        wizard.action_send()
        self.assertEqual(reminder.state, "sent")
        self.assertEqual(len(reminder.activity_ids), 1)

    # ------------------------------------------------------------------
    # One-click paths
    # ------------------------------------------------------------------

    def test_issue_and_send_one_draft(self):
        self._invoice("2026-01-10")
        draft = self._drafts().with_user(self.clerk)
        with freeze_time("2026-01-11"):
            action = draft.action_issue_and_send()
        self.assertEqual(action["params"]["type"], "success")
        self.assertIn("1 reminder(s) sent, 0 failed", action["params"]["message"])
        self.assertEqual(
            (draft.state, draft.send_state, draft.send_count), ("sent", "delivered", 1)
        )
        self.assertEqual(draft.issue_date, date(2026, 1, 11))
        self.assertEqual(len(self._customer_emails(draft)), 1)

    def test_issue_and_send_selection_one_fails(self):
        self._invoice("2026-01-10")
        self._invoice("2026-01-10", partner=self.partner_b)
        self.partner_b.email = False
        drafts = self._drafts().with_user(self.clerk)
        self.assertEqual(len(drafts), 2)
        draft_a = drafts.filtered(lambda r: r.partner_id == self.partner_a)
        draft_b = drafts - draft_a
        with freeze_time("2026-01-11"):
            action = drafts.action_issue_and_send()
        params = action["params"]
        self.assertEqual(params["type"], "warning")
        self.assertTrue(params["sticky"])
        self.assertIn("1 reminder(s) sent, 1 failed", params["message"])
        # The failure with its reason, in the summary and on the reminder.
        self.assertIn(draft_b.name, params["message"])
        self.assertIn("no email address", params["message"])
        self.assertIn("no email address", draft_b.message_ids[0].body)
        self.assertEqual(draft_a.state, "sent")
        self.assertEqual(len(self._customer_emails(draft_a)), 1)
        # Issued (its levels recorded) but not sent: it waits for an address.
        self.assertEqual((draft_b.state, draft_b.send_count), ("issued", 0))
        self.assertFalse(self._customer_emails(draft_b))

    def test_issue_and_send_leaves_a_draft_that_cannot_be_issued(self):
        self._invoice("2026-01-10")
        self._invoice("2026-01-10", partner=self.partner_b)
        drafts = self._drafts().with_user(self.clerk)
        draft_b = drafts.filtered(lambda r: r.partner_id == self.partner_b)
        # Customer B is put on hold after its draft was made: not issued.
        self.partner_b.dunning_blocked = True
        with freeze_time("2026-01-11"):
            action = drafts.action_issue_and_send()
        self.assertIn("1 reminder(s) sent, 1 failed", action["params"]["message"])
        self.assertEqual(draft_b.state, "draft")
        self.assertEqual((drafts - draft_b).state, "sent")

    def test_customer_send_reminder_now(self):
        self._invoice("2026-01-10")
        partner = self.partner_a.with_user(self.clerk)
        with freeze_time("2026-01-11"):
            action = partner.action_dunning_send_now()
        self.assertEqual(action["params"]["type"], "success")
        reminder = self._reminders()
        self.assertEqual(len(reminder), 1)
        self.assertEqual((reminder.state, reminder.level_id), ("sent", self.level_1))
        self.assertEqual(len(self._customer_emails(reminder)), 1)
        # Nothing new is due the same day: a clear error, nothing sent.
        with freeze_time("2026-01-11"), self.assertRaisesRegex(UserError, "No reminder to send"):
            partner.action_dunning_send_now()
        self.assertEqual(self._reminders(), reminder)

    def test_customer_send_reminder_now_refreshes_the_draft(self):
        self._invoice("2026-01-10")
        draft = self._drafts()
        self._invoice("2026-01-05")  # a second invoice since the draft
        with freeze_time("2026-01-11"):
            self.partner_a.with_user(self.clerk).action_dunning_send_now()
        self.assertEqual(self._reminders(), draft)
        self.assertEqual(draft.state, "sent")
        self.assertEqual(len(draft.line_ids.move_id), 2)

    def test_list_send_goes_through_the_wizard(self):
        reminder = self._issued()
        Send = type(self.env["account.dunning.send"])
        with patch.object(
            Send, "_send_reminders", autospec=True, side_effect=Send._send_reminders
        ) as spy:
            action = reminder.action_send_batch()
        spy.assert_called_once()
        self.assertIn("1 reminder(s) sent", action["params"]["message"])
        self.assertEqual(reminder.state, "sent")

    def test_automation_send_step_goes_through_the_wizard(self):
        self._invoice("2026-01-10")
        self._invoice("2026-01-10", partner=self.partner_b)
        automation = self._daily_automation(date(2026, 1, 11))
        Send = type(self.env["account.dunning.send"])
        with patch.object(
            Send, "_send_reminders", autospec=True, side_effect=Send._send_reminders
        ) as spy:
            self._run_days(date(2026, 1, 11), 1)
        spy.assert_called_once()
        _self, reminders = spy.call_args.args
        self.assertEqual(spy.call_args.kwargs, {"queue_emails": True})
        self.assertEqual(reminders.partner_id, self.partner_a | self.partner_b)
        self.assertEqual(set(reminders.mapped("state")), {"sent"})
        self.assertEqual(automation.run_ids[:1].sent_count, 2)
        # The letters attached to the emails were not counted as prints.
        self.assertEqual(reminders.mapped("send_count"), [1, 1])


@tagged("post_install", "-at_install")
class TestDunningPrintDownload(SendCommon, HttpCase):
    """The "Print Letter" button and the Print menu both download the letter
    through /report/download: only the button's download counts a send
    (issue 18)."""

    def _download(self, reminder, action=None):
        """The download of the web client: the Print menu puts the ids in the
        URL; the button's action (with data) its data and context."""
        url = f"/report/pdf/{LETTER}/{reminder.id}"
        if action:
            url = f"/report/pdf/{LETTER}?" + urlencode(
                {
                    "options": json.dumps(action["data"]),
                    "context": json.dumps(action["context"]),
                }
            )
        data = json.dumps([url, "qweb-pdf"])
        # A GET (the web client POSTs with its CSRF token; same route).
        response = self.url_open(f"/report/download?{urlencode({'data': data, 'token': '1'})}")
        self.assertEqual(response.status_code, 200)
        return response

    def test_button_and_print_menu_count_one_each(self):
        reminder = self._issued()
        report = self.env.ref("account_dunning_automation.action_report_dunning_reminder")
        # The gear's Print menu lists the letter on the reminders.
        self.assertEqual(report.binding_model_id.model, "account.dunning.reminder")
        self.authenticate("send_clerk", "send_clerk")
        # The button asks for the report (nothing counted), then downloads it.
        action = reminder.action_print()
        self.assertEqual(action["report_name"], LETTER)
        self.assertEqual(reminder.send_count, 0)
        response = self._download(reminder, action)
        self.assertIn(reminder.name.encode(), response.content)  # its letter
        reminder.invalidate_recordset()
        self.assertEqual((reminder.state, reminder.send_count), ("sent", 1))
        # Issue 18: the Print menu (like any rendering but the button's)
        # counts nothing.
        self._download(reminder)
        reminder.invalidate_recordset()
        self.assertEqual(reminder.send_count, 1)
