# Copyright 2026 account_dunning_automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from datetime import date

from freezegun import freeze_time

from odoo.exceptions import UserError, ValidationError
from odoo.tests import Form, tagged

from ..dunning_engine.references import is_valid_rf
from .common import DunningCommon


@tagged("post_install", "-at_install")
class TestDunningLifecycle(DunningCommon):
    def _issued_reminder(self, due="2026-01-10", day="2026-01-11", amount=1000.0):
        self._invoice(due, amount)
        with freeze_time(day):
            reminder = self._create()
            reminder.action_issue()
        return reminder

    def test_issue_only_draft(self):
        reminder = self._issued_reminder()
        with self.assertRaisesRegex(UserError, "Only draft reminders can be issued"):
            reminder.action_issue()

    def test_issued_reminder_cannot_be_deleted(self):
        reminder = self._issued_reminder()
        with self.assertRaisesRegex(UserError, "cancel it instead"):
            reminder.unlink()

    def test_cancel_issued_restores_previous_level(self):
        invoice = self._invoice("2026-01-10")
        line = self._receivable_line(invoice)
        with freeze_time("2026-01-11"):
            self._create().action_issue()
        with freeze_time("2026-01-17"):
            second = self._create()
            second.action_issue()
        self.assertEqual(line.dunning_level_id, self.level_2)
        second.action_cancel()
        self.assertEqual(second.state, "cancel")
        self.assertEqual(line.dunning_level_id, self.level_1)
        self.assertEqual(line.dunning_last_date, date(2026, 1, 11))
        self.assertEqual(line.dunning_count, 1)
        with freeze_time("2026-01-17"):  # level 2 can be reached again
            self.assertEqual(self._create().level_id, self.level_2)

    def test_cancel_older_reminder_refused_when_a_later_one_exists(self):
        invoice = self._invoice("2026-01-10")
        with freeze_time("2026-01-11"):
            first = self._create()
            first.action_issue()
        with freeze_time("2026-01-17"):
            self._create().action_issue()
        with self.assertRaisesRegex(UserError, "reminded again afterwards"):
            first.action_cancel()
        self.assertEqual(self._receivable_line(invoice).dunning_count, 2)

    def test_stale_draft_cannot_be_issued(self):
        self._invoice("2026-01-10")
        with freeze_time("2026-01-11"):
            copy = self._create()
            # An older draft for the same item, cancelled, then a new one
            # issued: the older draft reset to draft is out of date.
            copy.action_cancel()
            first = self._create()
            self.assertNotEqual(first, copy)
            first.action_issue()
            copy.action_draft()
            with self.assertRaisesRegex(UserError, "out of date"):
                copy.action_issue()
        self.assertEqual(copy.state, "draft")

    def test_fees_and_interest_posted_at_issue(self):
        fee_account = self.company_data["default_account_revenue"].copy()
        self.term.write(
            {
                "journal_id": self.company_data["default_journal_misc"].id,
                "fee_account_id": fee_account.id,
                "interest_account_id": fee_account.id,
            }
        )
        self.level_1.write({"fee_amount": 15.0, "interest_rate": 36.5})
        self._invoice("2026-01-01", 1000.0)
        with freeze_time("2026-01-11"):
            reminder = self._create()
            # 1000 * 36.5% * 10 days / 365 = 10.00
            self.assertEqual(reminder.amount_interest, 10.0)
            self.assertEqual(reminder.amount_fee, 15.0)
            self.assertEqual(reminder.amount_total, 1025.0)
            reminder.action_issue()
        move = reminder.move_id
        self.assertEqual(move.state, "posted")
        receivable = move.line_ids.filtered(
            lambda l: l.account_type == "asset_receivable"
        )
        self.assertEqual(receivable.balance, 25.0)
        self.assertEqual(receivable.partner_id, self.partner_a)
        self.assertEqual(receivable.date_maturity, date(2026, 1, 19))
        self.assertEqual(sum(move.line_ids.mapped("balance")), 0.0)
        # The fees are paid with a structured RF reference built on the number.
        self.assertTrue(reminder.payment_reference.startswith("RF"))
        self.assertTrue(is_valid_rf(reminder.payment_reference))
        self.assertEqual(move.payment_reference, reminder.payment_reference)
        self.assertTrue(
            reminder.payment_reference.replace(" ", "").endswith(
                "".join(ch for ch in reminder.name if ch.isalnum())
            )
        )
        reminder.action_cancel()
        self.assertEqual(len(move.reversal_move_ids), 1)
        self.assertTrue(receivable.reconciled)

    def test_fee_per_invoice_charged_once(self):
        fee_account = self.company_data["default_account_revenue"].copy()
        self.term.write(
            {
                "journal_id": self.company_data["default_journal_misc"].id,
                "fee_account_id": fee_account.id,
                "indemnity_account_id": fee_account.copy().id,
            }
        )
        # The EUR 40 recovery indemnity: once per invoice, from level 1 on.
        (self.level_1 | self.level_2).write({"fee_per_invoice": 40.0})
        self.level_2.fee_amount = 5.0
        invoice_1 = self._invoice("2026-01-10", 100.0)
        invoice_2 = self._invoice("2026-01-10", 200.0)
        with freeze_time("2026-01-11"):
            first = self._create()
            self.assertEqual(first.amount_fee, 80.0)
            first.action_issue()
        self.assertEqual(first.move_id.amount_total, 80.0)
        lines = self._receivable_line(invoice_1) | self._receivable_line(invoice_2)
        self.assertEqual(lines.mapped("dunning_fee_charged"), [True, True])
        invoice_3 = self._invoice("2026-01-16", 300.0)
        with freeze_time("2026-01-17"):
            second = self._create()
            # Level 2 for invoices 1 and 2 (already charged), level 1 for 3.
            self.assertEqual(second.amount_fee, 5.0 + 40.0)
            second.action_issue()
        self.assertTrue(self._receivable_line(invoice_3).dunning_fee_charged)
        second.action_cancel()
        self.assertFalse(self._receivable_line(invoice_3).dunning_fee_charged)
        self.assertEqual(lines.mapped("dunning_fee_charged"), [True, True])
        first.action_cancel()
        self.assertEqual(lines.mapped("dunning_fee_charged"), [False, False])

    def test_fees_without_accounts_refused(self):
        # Refused when saved since issue #19, naming the field...
        with self.assertRaisesRegex(ValidationError, "Fees Account"):
            self.level_1.fee_amount = 15.0
        self.env.invalidate_all()
        # ... and still at issue for terms saved before that check (a
        # database upgraded from an earlier version), written here in SQL.
        self.env.cr.execute(
            "UPDATE account_dunning_level SET fee_amount = 15.0 WHERE id = %s",
            [self.level_1.id],
        )
        self.env.invalidate_all()
        self._invoice("2026-01-01")
        with freeze_time("2026-01-11"):
            reminder = self._create()
            with self.assertRaisesRegex(UserError, "fees journal"):
                reminder.action_issue()
        self.assertEqual(reminder.state, "draft")
        self.assertFalse(self._receivable_line(reminder.line_ids.move_id).dunning_level_id)

    def test_send_by_email_marks_sent(self):
        reminder = self._issued_reminder()
        action = reminder.action_send()
        composer = Form(
            self.env[action["res_model"]].with_context(**action["context"])
        ).save()
        self.assertIn(reminder.name, composer.mail_subject)
        composer.action_send()
        self.assertEqual(reminder.state, "sent")
        self.assertEqual(reminder.send_count, 1)
        message = reminder.message_ids.filtered(lambda m: m.message_type == "comment")[:1]
        self.assertIn(self.partner_a, message.partner_ids)
        # The reminder letter and the overdue invoice, in PDF.
        self.assertEqual(len(message.attachment_ids), 2)
        invoice = reminder.line_ids.move_id
        self.assertIn(
            invoice._get_invoice_report_filename(), message.attachment_ids.mapped("name")
        )
        # Levels may attach no invoice.
        reminder.level_id.attach_invoices = "none"
        self.assertFalse(self.env["account.dunning.send"]._get_invoice_attachments(reminder))

    def test_send_without_email_uses_the_level_channels(self):
        reminder = self._issued_reminder()
        reminder.level_id.write({"send_email": False, "create_call_activity": True})
        self.assertTrue(reminder.action_send())
        self.assertEqual(reminder.state, "sent")
        self.assertEqual(reminder.activity_ids.user_id, self.env.user)
        reminder.level_id.create_call_activity = False
        with self.assertRaisesRegex(UserError, "has no sending method"):
            reminder.action_send()

    def test_send_to_invoicing_contacts(self):
        billing = self.env["res.partner"].create(
            {
                "name": "Accounts payable",
                "type": "invoice",
                "email": "ap@example.com",
                "parent_id": self.partner_a.id,
            }
        )
        self.env["res.partner"].create(  # no email: cannot receive it
            {"name": "Other billing", "type": "invoice", "parent_id": self.partner_a.id}
        )
        reminder = self._issued_reminder()
        self.assertEqual(reminder.recipient_ids, billing)
        action = reminder.action_send()
        composer = Form(
            self.env[action["res_model"]].with_context(**action["context"])
        ).save()
        composer.action_send()
        message = reminder.message_ids.filtered(lambda m: m.message_type == "comment")[:1]
        self.assertEqual(message.partner_ids, billing)

    def test_send_requires_issue(self):
        self._invoice("2026-01-10")
        with freeze_time("2026-01-11"):
            reminder = self._create()
        with self.assertRaisesRegex(UserError, "must be issued"):
            reminder.action_send()

    def test_print_letter(self):
        self.env.company.external_report_layout_id = self.env.ref(
            "web.external_layout_standard"
        )
        reminder = self._issued_reminder()
        action = reminder.action_print()
        self.assertEqual(
            action["report_name"], "account_dunning_automation.report_dunning_reminder"
        )
        # Sent once the PDF is produced, not when the print is asked for
        # (issue 13; see test_dunning_send).
        self.assertEqual(reminder.state, "issued")
        html = self.env["ir.actions.report"]._render_qweb_html(
            "account_dunning_automation.report_dunning_reminder", reminder.ids
        )[0].decode()
        self.assertIn(reminder.name, html)
        self.assertIn(reminder.line_ids.move_id.name, html)

    def test_partner_history(self):
        reminder = self._issued_reminder()
        self.assertEqual(self.partner_a.dunning_reminder_count, 1)
        self.assertEqual(self.partner_a.dunning_last_reminder_date, date(2026, 1, 11))
        self.assertEqual(self.partner_a.dunning_max_level, 1)
        self.assertIn(reminder, self.partner_a.dunning_reminder_ids)
        action = self.partner_a.action_view_dunning_reminders()
        self.assertEqual(self.Reminder.search(action["domain"]), reminder)

    def test_french_translation(self):
        self.env["res.lang"]._activate_lang("fr_FR")
        self.env["ir.module.module"]._load_module_terms(
            ["account_dunning_automation"], ["fr_FR"], overwrite=True
        )
        reminder = self._issued_reminder().with_context(lang="fr_FR")
        states = dict(
            reminder._fields["state"]._description_selection(reminder.env)
        )
        self.assertEqual(states["issued"], "Émise")
        self.assertEqual(
            reminder.env["ir.model"]._get("account.dunning.term").name,
            "Conditions de relance",
        )
        with self.assertRaisesRegex(UserError, "Seules les relances en brouillon"):
            reminder.action_issue()

    def test_letter_and_email_in_the_customer_language(self):
        self.env["res.lang"]._activate_lang("fr_FR")
        self.env["ir.module.module"]._load_module_terms(
            ["account_dunning_automation"], ["fr_FR"], overwrite=True
        )
        self.level_1.with_context(lang="fr_FR").write(
            {
                "name": "Premier rappel",
                "intro_text": "<p>Sauf erreur de notre part, ces factures sont impayées.</p>",
            }
        )
        self.partner_a.lang = "fr_FR"
        self.env.company.external_report_layout_id = self.env.ref(
            "web.external_layout_standard"
        )
        reminder = self._issued_reminder()
        html = self.env["ir.actions.report"]._render_qweb_html(
            "account_dunning_automation.report_dunning_reminder", reminder.ids
        )[0].decode()
        self.assertIn("Premier rappel", html)
        self.assertIn("Sauf erreur de notre part", html)
        self.assertIn("Échéances en retard", html)
        self.assertNotIn("Overdue items", html)
        action = reminder.action_send()
        composer = Form(
            self.env[action["res_model"]].with_context(**action["context"])
        ).save()
        self.assertIn("Premier rappel", composer.mail_subject)
        self.assertIn("Sauf erreur de notre part", str(composer.mail_body))

    def test_send_batch_from_the_list(self):
        self._invoice("2026-01-10", partner=self.partner_b)
        self.partner_b.email = False
        reminders = self._issued_reminder()
        self.assertEqual(set(reminders.mapped("state")), {"issued"})
        reminder_a = reminders.filtered(lambda r: r.partner_id == self.partner_a)
        reminder_b = reminders - reminder_a
        action = (reminder_a | reminder_b).action_send_batch()
        self.assertEqual(action["params"]["type"], "warning")
        self.assertIn("1 reminder(s) sent, 1 failed", action["params"]["message"])
        self.assertEqual(reminder_a.state, "sent")
        self.assertEqual(reminder_b.state, "issued")
        self.assertIn("no email address", reminder_b.message_ids[0].body)
        # Already sent: skipped, not sent twice.
        action = reminder_a.action_send_batch()
        self.assertIn("0 reminder(s) sent, 0 failed", action["params"]["message"])
        self.assertEqual(reminder_a.send_count, 1)
