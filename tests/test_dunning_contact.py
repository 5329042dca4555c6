# Copyright 2026 account_dunning_automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from datetime import date, timedelta
from unittest.mock import patch

from freezegun import freeze_time

from odoo import Command, fields
from odoo.exceptions import UserError, ValidationError
from odoo.tests import Form, new_test_user, tagged
from odoo.tools import mute_logger

from odoo.addons.base.models.ir_mail_server import IrMailServer

from .common import DunningCommon

D = date(2026, 3, 2)


@tagged("post_install", "-at_install")
class TestDunningContact(DunningCommon):
    """Every contact a customer receives is one a collector would sign."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.fee_account = cls.company_data["default_account_revenue"].copy()
        cls.collector = new_test_user(
            cls.env,
            login="collector_contact",
            groups="account.group_account_user",
        )
        cls.Automation = cls.env["account.dunning.automation"]

    # ------------------------------------------------------------------
    # helpers
    # ------------------------------------------------------------------

    def _paycatch(self, min_days=7, max_before_last=5, every_level=None, **values):
        """PayCatch plan: J+1 / J+7 / J+14 fees / J+21 call / J+30 formal
        notice, as the default terms of the company."""
        every_level = every_level or {}
        term = self._create_term(
            "PayCatch",
            [
                ("Information", 1, dict(every_level)),
                ("Reminder", 7, dict(every_level)),
                ("Firm reminder", 14, {"fee_amount": 10.0, **every_level}),
                (
                    "Call",
                    21,
                    {"send_email": False, "create_call_activity": True, **every_level},
                ),
                ("Formal notice", 30, {"send_letter": True, **every_level}),
            ],
            min_contact_days=min_days,
            max_contacts_before_last=max_before_last,
            journal_id=self.company_data["default_journal_misc"].id,
            fee_account_id=self.fee_account.id,
            interest_account_id=self.fee_account.id,
            # The recovery indemnity (fee per invoice) has its own account.
            indemnity_account_id=self.fee_account.id,
            **values,
        )
        self.env.company.dunning_term_id = term
        self.partner_a.dunning_term_id = False
        return term

    def _emails(self, partner=None):
        """Reminder emails the customer received (one message per email)."""
        partner = partner or self.partner_a
        return (
            self.env["mail.message"]
            .search(
                [
                    ("model", "=", "account.dunning.reminder"),
                    ("message_type", "=", "comment"),
                    ("partner_ids", "in", partner.ids),
                ]
            )
            .sorted("date")
        )

    def _issued(self, partner=None):
        return self._reminders(partner, ("issued", "sent")).sorted("issue_date")

    # ------------------------------------------------------------------
    # 2. contact policy
    # ------------------------------------------------------------------

    def test_default_policy(self):
        term = self.env["account.dunning.term"].create({"name": "New"})
        # 5 days since issue #19: the seeds' scenario (J+1, J+7) goes out as typed
        self.assertEqual((term.min_contact_days, term.max_contacts_before_last), (5, 5))
        with self.assertRaisesRegex(ValidationError, "cannot be negative"):
            term.min_contact_days = -1

    def test_forty_days_four_invoices_seven_day_minimum(self):
        """PayCatch plan, daily automation, invoices due D, D+2, D+4, D+6."""
        self._paycatch()
        invoices = [self._invoice(D + timedelta(days=offset)) for offset in (0, 2, 4, 6)]
        self._daily_automation(D)
        self._run_days(D, 40)

        emails = self._emails()
        email_days = [(fields.Datetime.to_datetime(m.date).date() - D).days for m in emails]
        gaps = [b - a for a, b in zip(email_days, email_days[1:], strict=False)]
        self.assertTrue(all(gap >= 7 for gap in gaps), email_days)
        self.assertLessEqual(len([d for d in email_days if d < 14]), 3, email_days)
        reminders = self._issued()
        notice = reminders.filtered(lambda r: r.level_id.name == "Formal notice")[:1]
        self.assertTrue(notice, "the formal notice was reached")
        before_notice = [d for d in email_days if d < (notice.issue_date - D).days]
        self.assertLessEqual(len(before_notice), 5, email_days)
        # No two reminders (emails or the call level) less than 7 days apart.
        issue_days = [(r.issue_date - D).days for r in reminders]
        self.assertTrue(
            all(b - a >= 7 for a, b in zip(issue_days, issue_days[1:], strict=False)),
            issue_days,
        )
        self.assertTrue(all(r.state == "sent" for r in reminders))
        # Every invoice reached every level, one at a time.
        for invoice in invoices:
            lines = reminders.line_ids.filtered(
                lambda l, invoice=invoice: l.move_id == invoice and l.is_new_level
            )
            self.assertEqual(
                sorted(lines.level_id.mapped("number")), [1, 2, 3, 4, 5], invoice.name
            )
        # The call level is a call for the account manager, not an email.
        call = reminders.filtered(lambda r: r.level_id.name == "Call")
        self.assertTrue(call.activity_ids)
        # The invoices that reached a level in a quiet period say so.
        held = reminders.line_ids.filtered(lambda l: l.escalation == "held")
        self.assertTrue(held)
        self.assertIn("at least 7 days between two reminders", held[0].explanation)

    def test_one_reminder_carries_every_item_and_quiet_period_everywhere(self):
        self._paycatch()
        self._invoice(D)
        first = self._invoice(D + timedelta(days=2))
        with freeze_time(D + timedelta(days=1)):
            reminder = self._create()
            reminder.action_issue()
        # Inside the quiet period: the wizard (as a collector) creates nothing
        # and says why; a draft cannot be issued either.
        wizard = (
            self.env["account.dunning.create.wizard"]
            .with_user(self.collector)
            .create({"date": D + timedelta(days=5)})
        )
        with self.assertRaisesRegex(UserError, "next reminder from 03/10/2026"):
            wizard.action_create()
        with freeze_time(D + timedelta(days=8)):
            later = self.Reminder.with_user(self.collector)._create_reminders()
            self.assertEqual(len(later), 1)
            by_invoice = {line.move_id: line for line in later.line_ids}
            self.assertTrue(by_invoice[first].is_new_level)
            self.assertEqual(by_invoice[first].escalation, "held")
            self.assertEqual(
                sorted(later.line_ids.filtered("is_new_level").level_id.mapped("number")),
                [1, 2],
            )
        # Issued too soon after the previous reminder: refused.
        with freeze_time(D + timedelta(days=8)):
            later.with_user(self.collector).action_issue()
        with freeze_time(D + timedelta(days=9)):
            self._invoice(D + timedelta(days=3), partner=self.partner_a)
            self.env.company.dunning_term_id.min_contact_days = 0
            third = self._create()
            self.env.company.dunning_term_id.min_contact_days = 7
            with self.assertRaisesRegex(UserError, "allow one reminder every 7 days"):
                third.action_issue()

    def test_cap_before_the_last_level(self):
        # At most two reminders before the formal notice: the third contact
        # brings the due items straight to the last level, once.
        self._paycatch(min_days=0, max_before_last=2)
        invoice = self._invoice(D)
        for day in (1, 7):
            with freeze_time(D + timedelta(days=day)):
                self._create().action_issue()
        with freeze_time(D + timedelta(days=14)):
            capped = self._create()
            line = capped.line_ids.filtered("is_new_level")
            self.assertEqual(line.level_id.name, "Formal notice")
            self.assertEqual(line.escalation, "last_level")
            self.assertIn("already received 2 reminders", line.explanation)
            capped.action_issue()
        with freeze_time(D + timedelta(days=60)):
            self.assertFalse(self._create())
        self.assertEqual(self._receivable_line(invoice).dunning_level_number, 5)

    def test_line_explanations(self):
        self._paycatch(min_days=0)
        self._invoice(D, 100.0)
        self._invoice(D + timedelta(days=30), 50.0)
        with freeze_time(D + timedelta(days=1)):
            self._create().action_issue()
        with freeze_time(D + timedelta(days=3)):
            self._invoice(D + timedelta(days=1), 10.0)
            reminder = self._create(include_not_due=True)
        codes = {line.move_id.amount_total: line for line in reminder.line_ids}
        self.assertEqual(codes[10.0].escalation, "escalated")
        self.assertIn("Reaches level Information", codes[10.0].explanation)
        self.assertEqual(codes[100.0].escalation, "waiting")
        self.assertIn("03/09/2026", codes[100.0].explanation)
        self.assertEqual(codes[50.0].escalation, "not_due")

    # ------------------------------------------------------------------
    # 1. charges are never dunned
    # ------------------------------------------------------------------

    def test_110_days_fee_and_interest_on_every_level(self):
        self._paycatch(
            min_days=0,
            every_level={"fee_amount": 10.0, "interest_rate": 10.0, "fee_per_invoice": 40.0},
        )
        invoice = self._invoice(D, 1000.0)
        self._daily_automation(D)
        self._run_days(D, 110)

        reminders = self._issued()
        self.assertEqual(len(reminders), 5)
        self.assertEqual(
            reminders.line_ids.filtered("is_new_level").move_id, invoice
        )
        fee_moves = self.env["account.move"].search(
            [("dunning_charge_reminder_id", "!=", False), ("partner_id", "=", self.partner_a.id)]
        )
        self.assertEqual(len(fee_moves), 5)
        self.assertEqual(fee_moves.dunning_charge_reminder_id, reminders)
        fee_items = fee_moves.line_ids.filtered(
            lambda l: l.account_type == "asset_receivable"
        )
        self.assertFalse(any(fee_items.mapped("dunning_level_id")))
        self.assertFalse(any(fee_items.mapped("dunning_count")))
        self.assertFalse(any(fee_items.mapped("dunning_fee_charged")))
        charge_lines = reminders.line_ids.filtered(lambda l: l.move_id in fee_moves)
        self.assertEqual(set(charge_lines.mapped("line_type")), {"charge"})
        self.assertFalse(any(charge_lines.mapped("is_new_level")))
        self.assertFalse(any(charge_lines.mapped("amount_interest")))
        self.assertFalse(any(charge_lines.mapped("amount_fee_invoice")))
        self.assertEqual(charge_lines[0].escalation, "charge")
        # The EUR 40 per invoice is charged once, on the invoice only.
        self.assertEqual(sum(reminders.line_ids.mapped("amount_fee_invoice")), 40.0)
        # The formal notice claims the four earlier charges, counted in its
        # total to pay; nothing is charged after the last level.
        notice = reminders[-1]
        self.assertEqual(len(notice.line_ids.filtered(lambda l: l.line_type == "charge")), 4)
        self.assertEqual(
            notice.amount_total,
            notice.amount_overdue
            + notice.amount_charges
            + notice.amount_fee
            + notice.amount_interest,
        )
        self.assertGreater(notice.amount_charges, 0)
        to_pay = notice._get_amounts_to_pay()
        self.assertEqual(list(to_pay), [notice.currency_id])
        self.assertAlmostEqual(float(to_pay[notice.currency_id]), notice.amount_total)
        self.assertEqual(self._receivable_line(invoice).dunning_level_number, 5)
        # A billing clerk reads the charges and the explanations.
        billing = new_test_user(
            self.env, login="billing_contact", groups="account.group_account_invoice"
        )
        self.assertEqual(
            fee_moves.with_user(billing).dunning_charge_reminder_id, reminders
        )
        self.assertIn(
            "never escalated",
            notice.with_user(billing).line_ids.filtered(
                lambda l: l.line_type == "charge"
            )[0].explanation,
        )
        # The email states the total to pay, fees and interest included.
        body = self._emails()[-1].body
        self.assertIn("Total to pay", body)

    def test_invoice_no_longer_posted_drops_out_at_issue(self):
        self._invoice(D)
        reset = self._invoice(D)
        with freeze_time(D + timedelta(days=2)):
            reminder = self._create()
            self.assertEqual(len(reminder.line_ids), 2)
            reset.button_draft()
            reminder.action_issue()
        self.assertNotIn(reset, reminder.line_ids.move_id)
        self.assertFalse(self._receivable_line(reset).dunning_level_id)

    # ------------------------------------------------------------------
    # 3. invariants
    # ------------------------------------------------------------------

    @mute_logger("odoo.sql_db")
    def test_one_draft_per_customer_is_a_database_invariant(self):
        self._invoice(D)
        with freeze_time(D + timedelta(days=2)):
            draft = self._create()
        with self.assertRaisesRegex(UserError, "only one draft reminder per customer"):
            self.Reminder.create(
                {"partner_id": self.partner_a.id, "company_id": self.env.company.id}
            )
        # A second "Create Reminders" that did not see the first draft (another
        # transaction at the same moment) is refused clearly...
        original_search = type(self.Reminder).search

        def search_without_drafts(model, domain, *args, **kwargs):
            if model._name == "account.dunning.reminder" and ("state", "=", "draft") in domain:
                return model.browse()
            return original_search(model, domain, *args, **kwargs)

        with (
            freeze_time(D + timedelta(days=3)),
            patch.object(type(self.Reminder), "search", search_without_drafts),
            self.assertRaisesRegex(UserError, "at the same moment"),
        ):
            self.Reminder.with_user(self.collector)._create_reminders()
        # ... and run again, it refreshes the draft.
        with freeze_time(D + timedelta(days=3)):
            self.assertEqual(self._create(), draft)
        self.assertEqual(draft.date, D + timedelta(days=3))
        self.assertEqual(self.Reminder.search_count([("state", "=", "draft")]), 1)

    def test_customer_fixed_once_the_reminder_has_lines(self):
        self._invoice(D)
        with freeze_time(D + timedelta(days=2)):
            draft = self._create()
        with self.assertRaisesRegex(UserError, "cannot be changed"):
            draft.with_user(self.collector).partner_id = self.partner_b

    def test_holds_rechecked_at_issue_and_send(self):
        disputed = self._invoice(D)
        other = self._invoice(D)
        with freeze_time(D + timedelta(days=2)):
            draft = self._create()
            disputed.dunning_blocked = True
            draft.with_user(self.collector).action_issue()
        self.assertEqual(draft.line_ids.move_id, other)
        self.assertFalse(self._receivable_line(disputed).dunning_level_id)
        # A hold set after the issue stops the sending.
        other.dunning_blocked = True
        with self.assertRaisesRegex(UserError, "put on hold"):
            self.env["account.dunning.send"]._send_one(draft.with_user(self.collector))
        other.dunning_blocked = False
        self.partner_a.dunning_blocked = True
        with self.assertRaisesRegex(UserError, "No Reminders"):
            self.env["account.dunning.send"]._send_one(draft)
        self.assertEqual(draft.state, "issued")
        # ... and the issue of a customer blocked after its draft was made.
        self._invoice(D, partner=self.partner_b)
        with freeze_time(D + timedelta(days=2)):
            draft_b = self._create(self.partner_b)
        self.partner_b.dunning_blocked = True
        with self.assertRaisesRegex(UserError, "No Reminders"):
            draft_b.action_issue()

    def test_same_item_never_issued_twice(self):
        self._invoice(D)
        with freeze_time(D + timedelta(days=2)):
            old = self._create()
            old.action_cancel()
            new = self._create()
            new.action_issue()
            old.action_draft()
            with self.assertRaisesRegex(UserError, "out of date|claimed twice"):
                old.with_user(self.collector).action_issue()
        self.assertEqual(old.state, "draft")

    def test_pay_before_frozen_at_issue(self):
        self._invoice(D)
        with freeze_time(D + timedelta(days=2)):
            reminder = self._create()
            reminder.action_issue()
        self.assertEqual(reminder.payment_due_date, D + timedelta(days=10))
        self.level_1.payment_delay_days = 30
        self.assertEqual(reminder.payment_due_date, D + timedelta(days=10))

    # ------------------------------------------------------------------
    # 4. sent means delivered
    # ------------------------------------------------------------------

    @mute_logger("odoo.addons.mail.models.mail_mail")
    def test_mail_server_down_then_back(self):
        self._paycatch()
        self._invoice(D)
        automation = self._daily_automation(D)
        delivered = []

        def server_down(model, message, *args, **kwargs):
            raise ConnectionRefusedError("[Errno 111] Connection refused")

        def server_up(_model, message, *_args, **_kwargs):
            delivered.append(message["To"])
            return message["Message-Id"]

        # The run queues the email; the queue runs with the server down.
        queue_context = {"mail_notify_force_send": False}
        with patch.object(IrMailServer, "send_email", server_down):
            self._run_days(D + timedelta(days=1), 1, queue_context)
        reminder = self._issued()
        self.assertEqual((reminder.state, reminder.send_state), ("issued", "failed"))
        self.assertIn("Connection refused", reminder.send_error)
        run = automation.run_ids.sorted("id")[-1]
        self.assertEqual(run.state, "error")
        self.assertEqual(run.error_count, 1)
        self.assertIn("not delivered", run.error_ids.message)
        self.assertEqual(run.error_ids.reminder_id, reminder)
        # Next day the server is still down, the email is retried and fails
        # again at once (direct send): counted in that run too.
        with patch.object(IrMailServer, "send_email", server_down):
            self._run_days(D + timedelta(days=2), 1)
        self.assertEqual(reminder.send_state, "failed")
        # The server is back: the next send action sends the same email again.
        with patch.object(IrMailServer, "send_email", server_up):
            self._run_days(D + timedelta(days=3), 5)
        self.assertEqual((reminder.state, reminder.send_state), ("sent", "delivered"))
        self.assertEqual(len(delivered), 1)
        self.assertIn("partner_a@example.com", delivered[0])
        self.assertEqual(len(self._emails()), 1)
        self.assertEqual(reminder.send_count, 1)

    def test_no_valid_address_is_an_error_before_sending(self):
        self._invoice(D)
        self._invoice(D, partner=self.partner_b)
        self.partner_a.email = "not an email"
        self.partner_b.active = False
        with freeze_time(D + timedelta(days=2)):
            automation = self.Automation.create(
                {
                    "name": "Manual",
                    "action_ids": [
                        Command.create({"action_type": kind, "sequence": index})
                        for index, kind in enumerate(("create", "issue", "send"), 1)
                    ],
                }
            )
            automation.action_start()
            # Started in the background: the cron processes the run.
            self.Automation._cron_run_due()
        run = automation.run_ids
        messages = " ".join(run.error_ids.mapped("message"))
        self.assertIn("is not valid", messages)
        self.assertIn("is archived", messages)
        self.assertEqual(run.sent_count, 0)
        reminders = self._issued() | self._issued(self.partner_b)
        self.assertEqual(set(reminders.mapped("state")), {"issued"})
        self.assertFalse(reminders.mapped("send_state")[0])
        self.assertFalse(
            self.env["mail.mail"].search([("model", "=", "account.dunning.reminder")])
        )

    # ------------------------------------------------------------------
    # 5. interactive send runs every channel
    # ------------------------------------------------------------------

    def test_form_send_runs_every_channel(self):
        self.partner_a.write(
            {"mobile": "+32 470 12 34 56", "dunning_responsible_id": self.collector.id}
        )
        self.level_1.write(
            {"send_letter": True, "send_sms": True, "create_call_activity": True}
        )
        self._invoice(D)
        with freeze_time(D + timedelta(days=2)):
            reminder = self._create()
            reminder.action_issue()
        reminder = reminder.with_user(self.collector)
        action = reminder.action_send()
        composer = Form(
            self.env[action["res_model"]]
            .with_user(self.collector)
            .with_context(**action["context"])
        ).save()
        composer.action_send()
        self.assertEqual((reminder.state, reminder.send_state), ("sent", "delivered"))
        self.assertEqual(reminder.send_count, 1)
        self.assertEqual(len(self._emails()), 1)
        letters = self.env["ir.attachment"].search(
            [
                ("res_model", "=", reminder._name),
                ("res_id", "=", reminder.id),
                ("name", "like", "Reminder"),
            ]
        )
        self.assertTrue(letters.filtered(lambda a: a.name.endswith(".pdf")))
        sms = self.env["sms.sms"].search([("partner_id", "=", self.partner_a.id)])
        self.assertEqual(len(sms), 1)
        self.assertIn("Total to pay", sms.body)
        self.assertEqual(
            reminder.activity_ids.activity_type_id, self.env.ref("mail.mail_activity_data_call")
        )
        # Already sent: an automation does not send it again.
        self.assertFalse(
            self.Reminder.search([("state", "=", "issued"), ("id", "=", reminder.id)])
        )
