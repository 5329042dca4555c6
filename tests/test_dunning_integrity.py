# Copyright 2026 account_dunning_automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from datetime import date, timedelta
from unittest.mock import patch

from freezegun import freeze_time

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import new_test_user, tagged
from odoo.tools import mute_logger

from odoo.addons.base.models.ir_mail_server import IrMailServer
from odoo.addons.sms.tools.sms_api import SmsApi

from .common import DunningCommon


class DunningRolesCommon(DunningCommon):
    """Real users of each role, as RPC would call the module."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        company = cls.env.company
        common = {"company_id": company.id, "company_ids": [company.id]}
        cls.billing = new_test_user(
            cls.env,
            login="billing",
            groups="account.group_account_invoice,base.group_partner_manager",
            **common,
        )
        cls.accountant = new_test_user(
            cls.env,
            login="accountant",
            groups="account.group_account_manager,base.group_partner_manager",
            **common,
        )
        cls.auditor = new_test_user(
            cls.env,
            login="auditor",
            groups="base.group_user,account.group_account_readonly",
            **common,
        )
        cls.bookkeeper = new_test_user(
            cls.env, login="bookkeeper", groups="account.group_account_user", **common
        )
        cls.term.write(
            {
                "journal_id": cls.company_data["default_journal_misc"].id,
                "fee_account_id": cls.company_data["default_account_revenue"].id,
            }
        )
        cls.level_1.fee_amount = 10.0
        cls.Line = cls.env["account.dunning.reminder.line"]


@tagged("post_install", "-at_install")
class TestDunningForgedLines(DunningRolesCommon):
    """A reminder user cannot make a reminder claim, charge or escalate
    anything the module did not compute."""

    def test_forged_lines_are_refused_at_create(self):
        invoice_a = self._invoice("2026-01-10")
        invoice_b = self._invoice("2026-01-10", partner=self.partner_b)
        later_a = self._invoice("2026-01-30", amount=300.0)
        as_of = fields.Date.to_date("2026-01-12")
        reminders = self.Reminder.with_user(self.billing)._create_reminders(
            partners=self.partner_a, as_of=as_of
        )
        self.assertEqual(len(reminders), 1)
        draft = reminders.with_user(self.billing)
        lines = self.Line.with_user(self.billing)
        item_b = self._receivable_line(invoice_b)
        forged = [
            # another customer's invoice with a fee of a million
            {"move_line_id": item_b.id, "amount_fee_invoice": 1_000_000.0},
            # another customer's invoice, nothing else given
            {"move_line_id": item_b.id},
            # the customer's own invoice, with a forged level and fee
            {
                "move_line_id": self._receivable_line(later_a).id,
                "level_id": self.level_4.id,
                "is_new_level": True,
            },
            {"move_line_id": self._receivable_line(later_a).id, "amount_residual": 5.0},
            {"move_line_id": self._receivable_line(later_a).id, "excluded": True},
        ]
        for values in forged:
            with self.assertRaises(UserError, msg=values):
                lines.create(dict(values, reminder_id=draft.id))
            with self.assertRaises(UserError, msg=values):
                draft.write({"line_ids": [Command.create(values)]})
        with self.assertRaises(UserError):
            self.Reminder.with_user(self.billing).create(
                {
                    "partner_id": self.partner_b.id,
                    "line_ids": [
                        Command.create(
                            {"move_line_id": item_b.id, "amount_fee_invoice": 1e6}
                        )
                    ],
                }
            )
        # The customer's own item, given alone, is listed as the module
        # computes it: not escalated, not charged.
        manual = lines.create(
            {"reminder_id": draft.id, "move_line_id": self._receivable_line(later_a).id}
        )
        self.assertEqual(manual.line_type, "not_due")
        self.assertFalse(manual.is_new_level)
        self.assertEqual(manual.amount_fee_invoice, 0.0)
        self.assertEqual(manual.amount_residual_currency, 300.0)
        self.assertEqual(manual.escalation, "not_due")
        # Issuing posts only what the module computed: the fee of level 1.
        draft.action_issue()
        self.assertEqual(draft.amount_fee, 10.0)
        self.assertEqual(draft.move_id.amount_total, 10.0)
        self.assertEqual(self._receivable_line(invoice_a).dunning_level_number, 1)
        self.assertEqual(self._receivable_line(later_a).dunning_level_number, 0)
        self.assertEqual(item_b.dunning_level_number, 0)

    def test_issue_checks_the_items_again(self):
        """A line slipped in as superuser (an older version, a script) is
        refused at issue when its item is not the customer's, and a forged
        fee is replaced by the computed one."""
        invoice_a = self._invoice("2026-01-10")
        invoice_b = self._invoice("2026-01-10", partner=self.partner_b)
        as_of = fields.Date.to_date("2026-01-12")
        draft = self.Reminder._create_reminders(partners=self.partner_a, as_of=as_of)
        draft.line_ids.sudo().write({"amount_fee_invoice": 1_000_000.0})
        stranger = self.Line.sudo().create(
            dict(
                self.Line._prepare_line_vals(
                    self._receivable_line(invoice_b), as_of, "overdue", self.level_1, self.term
                ),
                reminder_id=draft.id,
            )
        )
        with self.assertRaisesRegex(UserError, "cannot list"):
            draft.with_user(self.billing).action_issue()
        stranger.unlink()
        draft.with_user(self.billing).action_issue()
        self.assertEqual(draft.amount_fee, 10.0)
        self.assertEqual(draft.move_id.amount_total, 10.0)
        self.assertEqual(self._receivable_line(invoice_a).dunning_level_number, 1)
        self.assertEqual(self._receivable_line(invoice_b).dunning_level_number, 0)

    def test_other_company_item_refused(self):
        other = self.setup_other_company()["company"]
        self._invoice("2026-01-10")
        as_of = fields.Date.to_date("2026-01-12")
        draft = self.Reminder.with_user(self.billing)._create_reminders(
            partners=self.partner_a, as_of=as_of
        )
        other_invoice = self.init_invoice(
            "out_invoice",
            partner=self.partner_a,
            invoice_date=as_of,
            amounts=[100.0],
            company=other,
            post=True,
        )
        item = self._receivable_line(other_invoice)
        # not even readable by the user: refused before being compared
        with self.assertRaises(AccessError):
            self.Line.with_user(self.billing).create(
                {"reminder_id": draft.id, "move_line_id": item.id}
            )


@tagged("post_install", "-at_install")
class TestDunningRuleAllowList(DunningRolesCommon):
    """An accounting manager who is not an Odoo administrator maintains the
    reminder rules; the rules write as superuser only the allow-listed
    fields, within their company."""

    def _field(self, model, name):
        return self.env["ir.model.fields"]._get(model, name)

    def _rule(self, model, actions, user=None, **values):
        return (
            self.env["account.dunning.rule"]
            .with_user(user or self.accountant)
            .create(
                {
                    "name": "Rule",
                    "model_name": model,
                    "trigger": "on_create_or_write",
                    "action_ids": [Command.create(action) for action in actions],
                    **values,
                }
            )
        )

    def test_fields_outside_the_allow_list_are_refused(self):
        self.assertFalse(self.accountant.has_group("base.group_system"))
        forbidden = [
            ("account.move", "set_value", "state", None, "draft"),
            ("account.move", "set_value", "amount_residual", None, "0"),
            ("account.move", "set_value", "payment_state", None, "paid"),
            ("account.move", "set_value", "move_type", None, "out_refund"),
            ("account.move", "copy_field", "ref", "name", None),
            ("res.partner", "set_value", "email", None, "attacker@example.com"),
            ("res.partner", "copy_field", "email", "website", None),
            (
                "res.partner",
                "copy_field",
                "property_account_receivable_id",
                "property_account_payable_id",
                None,
            ),
            ("res.partner", "copy_field", "user_id", "user_id", None),
            ("res.partner", "set_value", "customer_rank", None, "0"),
        ]
        for model, kind, target, source, value in forbidden:
            action = {"action_type": kind, "field_id": self._field(model, target).id}
            if source:
                action["source_field_id"] = self._field(model, source).id
            if value is not None:
                action["value"] = value
            with self.assertRaisesRegex(ValidationError, "by a rule", msg=f"{model}.{target}"):
                self._rule(model, [action])
        # Another model than customers and invoices: a clear error.
        with self.assertRaisesRegex(ValidationError, "customers or invoices only"):
            self._rule("res.users", [])
        # An existing rule cannot be turned into one either.
        rule = self._rule(
            "res.partner",
            [
                {
                    "action_type": "set_value",
                    "field_id": self._field("res.partner", "comment").id,
                    "value": "Key account",
                }
            ],
        )
        with self.assertRaises(ValidationError):
            rule.action_ids.write({"field_id": self._field("res.partner", "email").id})
        with self.assertRaises(ValidationError):
            rule.write({"model_name": "res.users"})
        # No rule in a company the manager does not work for.
        other = self.setup_other_company()["company"]
        with self.assertRaises(AccessError):
            self._rule("res.partner", [], company_id=other.id)
        # No account manager from outside the company.
        outsider = new_test_user(
            self.env,
            login="outsider",
            groups="base.group_user",
            company_id=other.id,
            company_ids=[other.id],
        )
        with self.assertRaises(ValidationError):
            self._rule(
                "res.partner", [{"action_type": "assign_manager", "user_id": outsider.id}]
            )

    def test_allowed_rule_stays_in_its_company(self):
        other = self.setup_other_company()["company"]
        self._rule(
            "res.partner",
            [
                {
                    "action_type": "set_value",
                    "field_id": self._field("res.partner", "comment").id,
                    "value": "Handled by collections",
                },
                {
                    "action_type": "set_value",
                    "field_id": self._field("res.partner", "dunning_blocked").id,
                    "value": "yes",
                },
            ],
            trigger="on_write",
            filter_domain="[('name', '!=', False)]",
        )
        foreign = self.env["res.partner"].create(
            {"name": "Foreign customer", "company_id": other.id, "email": "f@example.com"}
        )
        admin_partner = self.env.ref("base.user_admin").partner_id
        for partner in (self.partner_a, foreign, admin_partner):
            partner.write({"phone": "+32 2 000 00 00"})
        self.assertIn("Handled by collections", str(self.partner_a.comment))
        self.assertTrue(self.partner_a.dunning_blocked)
        # the company-dependent value is the rule's company's only
        self.assertFalse(self.partner_a.with_company(other).dunning_blocked)
        self.assertNotIn("Handled by collections", str(foreign.comment))
        self.assertNotIn("Handled by collections", str(admin_partner.comment))
        self.assertFalse(admin_partner.dunning_blocked)

    def test_rule_actions_of_another_company_are_out_of_reach(self):
        other = self.setup_other_company()["company"]
        foreign_rule = self.env["account.dunning.rule"].create(
            {
                "name": "Other company",
                "model_name": "res.partner",
                "company_id": other.id,
                "action_ids": [
                    Command.create(
                        {
                            "action_type": "set_value",
                            "field_id": self._field("res.partner", "comment").id,
                            "value": "Theirs",
                        }
                    )
                ],
            }
        )
        actions = self.env["account.dunning.rule.action"].with_user(self.accountant)
        self.assertFalse(actions.search([("id", "in", foreign_rule.action_ids.ids)]))
        with self.assertRaises(AccessError):
            foreign_rule.action_ids.with_user(self.accountant).write({"value": "Mine"})
        self.assertEqual(foreign_rule.action_ids.value, "Theirs")

    def test_rules_are_read_as_the_role_table_says(self):
        rule = self._rule(
            "res.partner",
            [{"action_type": "add_tag", "tag_id": self.env["res.partner.category"].create(
                {"name": "Watched"}).id}],
        )
        # README, role table: auditors (and the bookkeepers, who are
        # auditors too) read the rules; billing users do not; only the
        # reminder administrators change them.
        for user in (self.auditor, self.bookkeeper):
            rule.with_user(user).read(["name", "model_name"])
            rule.action_ids.with_user(user).read(["action_type", "sequence"])
            with self.assertRaises(AccessError):
                rule.with_user(user).write({"name": "Mine"})
            with self.assertRaises(AccessError):
                self._rule("res.partner", [], user=user)
        with self.assertRaises(AccessError):
            rule.with_user(self.billing).read(["name"])
        with self.assertRaises(AccessError):
            rule.action_ids.with_user(self.billing).read(["action_type"])


@tagged("post_install", "-at_install")
class TestDunningSameDayContact(DunningRolesCommon):
    """With the default contact policy, a 20-days-overdue invoice gets one
    reminder, one level and one email the day it is first reminded, however
    often the reminders are run that day; the next level comes after the
    quiet period."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        defaults = cls.env["account.dunning.term"].default_get(
            ["min_contact_days", "max_contacts_before_last"]
        )
        cls.term.write(defaults)
        cls.quiet_days = cls.term.min_contact_days
        cls.invoice = cls._invoice("2026-01-05")
        cls.item = cls._receivable_line(cls.invoice)
        cls.day = fields.Date.to_date("2026-01-25")  # 20 days overdue

    def _emails(self):
        reminders = self._reminders(states=("issued", "sent", "cancel"))
        return self.env["mail.message"].search_count(
            [
                ("model", "=", "account.dunning.reminder"),
                ("res_id", "in", reminders.ids),
                ("partner_ids", "in", self.partner_a.ids),
            ]
        )

    def _assert_one_contact(self):
        self.assertEqual(len(self._reminders()), 1)
        self.assertEqual(self.item.dunning_level_number, 1)
        self.assertEqual(self.item.dunning_count, 1)
        self.assertEqual(self._emails(), 1)

    def _next_level_after_the_quiet_period(self, run):
        """Run each day after the first contact: level 2 waits for the end of
        the quiet period, then comes once."""
        self.assertGreater(self.quiet_days, 0, "the default policy has a quiet period")
        for offset in range(1, self.quiet_days + 1):
            day = self.day + timedelta(days=offset)
            with freeze_time(day):
                run(day)
                run(day)
            expected = 2 if offset == self.quiet_days else 1
            self.assertEqual(self.item.dunning_level_number, expected, day)
        self.assertEqual(len(self._reminders()), 2)
        self.assertEqual(self._emails(), 2)

    def _manual_automation(self):
        return self.env["account.dunning.automation"].create(
            {
                "name": "By hand",
                "cadence": "manual",
                "action_ids": [
                    Command.create({"action_type": kind, "sequence": index})
                    for index, kind in enumerate(("create", "issue", "send"), 1)
                ],
            }
        )

    def _run_now(self, automation):
        automation.with_user(self.accountant).action_run_now()
        self.env["account.dunning.automation"]._cron_run_due()
        self.env["mail.mail"].process_email_queue()

    def test_run_now_three_times(self):
        automation = self._manual_automation()
        with freeze_time(self.day):
            for _run in range(3):
                self._run_now(automation)
        self._assert_one_contact()
        self.assertEqual(self._reminders().level_id, self.level_1)
        self._next_level_after_the_quiet_period(lambda _day: self._run_now(automation))

    def test_create_and_issue_three_times(self):
        reminders = self.Reminder.with_user(self.billing)

        def create_issue_send(day):
            drafts = reminders._create_reminders(as_of=day)
            drafts.action_issue()
            drafts.action_send_batch()
            self.env["mail.mail"].process_email_queue()
            return drafts

        with freeze_time(self.day):
            self.assertTrue(create_issue_send(self.day))
            for _run in range(2):
                self.assertFalse(create_issue_send(self.day))
        self._assert_one_contact()
        self._next_level_after_the_quiet_period(create_issue_send)

    def test_run_now_then_the_scheduled_run(self):
        scheduled = self._daily_automation(self.day)
        by_hand = self._manual_automation()
        with freeze_time(self.day):
            self._run_now(by_hand)
            self.env["account.dunning.automation"]._cron_run_due()
            self.env["mail.mail"].process_email_queue()
        self.assertTrue(scheduled.run_ids)
        self._assert_one_contact()
        self._run_days(self.day, 1)
        self._assert_one_contact()

    def test_other_currency_same_day_is_the_same_contact(self):
        """The same-day contact still carries the items not yet reminded that
        day: the customer's USD invoice, never a new level of the EUR one."""
        self.env.user.groups_id += self.env.ref("base.group_multi_currency")
        usd = self.setup_other_currency("USD", rates=[("2026-01-01", 2.0)])
        with freeze_time(self.day):
            self.Reminder._create_reminders(as_of=self.day).action_issue()
            usd_invoice = self._invoice("2026-01-05", currency=usd)
            drafts = self.Reminder._create_reminders(as_of=self.day)
        self.assertEqual(drafts.currency_id, usd)
        self.assertEqual(drafts.line_ids.filtered("is_new_level").move_id, usd_invoice)
        with freeze_time(self.day):
            drafts.action_issue()
        self.assertEqual(self.item.dunning_level_number, 1)
        self.assertEqual(self._receivable_line(usd_invoice).dunning_level_number, 1)


@tagged("post_install", "-at_install")
class TestDunningSmsQueue(DunningRolesCommon):
    """The SMS of a level go through Odoo's SMS queue: a batch replayed
    (rolled back after the work, before the commit) or falling back to one
    by one texts each customer exactly once."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.level_1.write({"send_sms": True})
        cls.customers = cls.env["res.partner"].create(
            [
                {
                    "name": f"Texted customer {i}",
                    "is_company": True,
                    "email": f"texted{i}@example.com",
                    "mobile": f"+3247012345{i}",
                }
                for i in range(5)
            ]
        )
        for customer in cls.customers:
            cls._invoice("2026-01-05", partner=customer)

    def setUp(self):
        super().setUp()
        # What the SMS provider receives (IAP, patched where Odoo calls it).
        self.received = []

        def send_sms_batch(_api, messages, **_kwargs):
            results = []
            for message in messages:
                for number in message["numbers"]:
                    self.received.append(number["number"])
                    results.append({"uuid": number["uuid"], "state": "success"})
            return results

        patcher = patch.object(SmsApi, "_send_sms_batch", send_sms_batch)
        patcher.start()
        self.addCleanup(patcher.stop)

    def _assert_one_sms_each(self):
        sms = self.env["sms.sms"].search([("partner_id", "in", self.customers.ids)])
        self.assertEqual(sorted(sms.partner_id.ids), sorted(self.customers.ids))
        # Nothing left before the commit: the queue sends them afterwards.
        self.assertEqual(self.received, [])
        self.env["sms.sms"].sudo()._process_queue()
        self.env["sms.sms"].sudo()._process_queue()  # the cron again: nothing more
        numbers = sorted(n.replace(" ", "") for n in self.received)
        self.assertEqual(numbers, sorted(self.customers.mapped("mobile")))

    def test_replayed_batch_texts_each_customer_once(self):
        send_model = type(self.env["account.dunning.send"])
        original = send_model._send_queued_emails
        calls = []

        def fail_after_the_work(wizard, queue):
            original(wizard, queue)
            calls.append(len(queue))
            if len(calls) == 1:
                # the work is done (SMS included), the batch is rolled back
                # and sent again one by one
                raise RuntimeError("lost after the work, before the commit")

        automation = self.env["account.dunning.automation"].create(
            {
                "name": "Texts",
                "cadence": "manual",
                "batch_size": 50,
                "action_ids": [
                    Command.create({"action_type": kind, "sequence": index})
                    for index, kind in enumerate(("create", "issue", "send"), 1)
                ],
            }
        )
        with patch.object(send_model, "_send_queued_emails", fail_after_the_work), freeze_time(
            "2026-01-11"
        ):
            automation.action_start()
            self.env["account.dunning.automation"]._cron_run_due()
        self.assertEqual(len(calls), 1, "the batch was replayed")
        self.assertEqual(automation.run_ids.sent_count, 5)
        self._assert_one_sms_each()

    def test_one_by_one_fallback_texts_each_customer_once(self):
        with freeze_time("2026-01-11"):
            reminders = self.Reminder._create_reminders(partners=self.customers)
            reminders.action_issue()
        send_model = type(self.env["account.dunning.send"])
        original = send_model._send_one
        failed = []

        def fail_once_after_the_work(wizard, reminder, email_queue=None):
            result = original(wizard, reminder, email_queue)
            if reminder == reminders[-1] and not failed:
                failed.append(reminder)
                raise RuntimeError("lost after the work")
            return result

        with patch.object(send_model, "_send_one", fail_once_after_the_work), freeze_time(
            "2026-01-11"
        ), mute_logger("odoo.addons.account_dunning_automation.wizard.account_dunning_send"):
            reminders.with_user(self.billing).action_send_batch()
        self.assertTrue(failed)
        self._assert_one_sms_each()


@tagged("post_install", "-at_install")
class TestDunningSideEffectsOnce(DunningRolesCommon):
    """Cancel and Reset to Draft leave no email or SMS behind that would
    still leave or mark the reminder sent; a paid fees entry is never
    unreconciled; an entry reversed by hand is not reversed twice."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.invoice = cls._invoice("2026-01-10")

    def setUp(self):
        super().setUp()
        self.delivered = []

        def server_up(_model, message, *_args, **_kwargs):
            self.delivered.append(message["To"])
            return message["Message-Id"]

        patcher = patch.object(IrMailServer, "send_email", server_up)
        patcher.start()
        self.addCleanup(patcher.stop)

    def _issue_and_queue(self):
        with freeze_time("2026-01-12"):
            reminder = self.Reminder._create_reminders(
                partners=self.partner_a, as_of=fields.Date.to_date("2026-01-12")
            )
            reminder.with_user(self.billing).action_issue()
            self.env["account.dunning.send"].with_user(self.billing)._send_reminders(
                reminder.with_user(self.billing), queue_emails=True
            )
        self.assertEqual(reminder.send_state, "queued")
        return reminder

    def test_cancel_stops_the_queued_email_and_reset_sends_a_new_one(self):
        reminder = self._issue_and_queue()
        old_message = reminder.email_message_id
        reminder.with_user(self.billing).action_cancel()
        self.env["mail.mail"].process_email_queue()
        self.assertEqual(self.delivered, [])
        self.assertEqual((reminder.state, reminder.send_state), ("cancel", False))
        reminder.with_user(self.billing).action_draft()
        self.assertFalse(reminder.email_message_id)
        with freeze_time("2026-01-12"):
            reminder.with_user(self.billing).action_issue()
        # The old email is gone: nothing marks the re-issued reminder sent.
        self.env["mail.mail"].process_email_queue()
        reminder.invalidate_recordset()
        self.assertEqual((reminder.state, reminder.send_state), ("issued", False))
        with freeze_time("2026-01-12"):
            self.env["account.dunning.send"]._send_reminders(reminder, queue_emails=True)
        self.assertNotEqual(reminder.email_message_id, old_message)
        self.env["mail.mail"].process_email_queue()
        self.assertEqual(len(self.delivered), 1)
        self.assertEqual((reminder.state, reminder.send_state), ("sent", "delivered"))

    def test_reset_never_resends_the_old_failed_email(self):
        def server_down(_model, _message, *_args, **_kwargs):
            raise ConnectionRefusedError("[Errno 111] Connection refused")

        reminder = self._issue_and_queue()
        with patch.object(IrMailServer, "send_email", server_down):
            self.env["mail.mail"].process_email_queue()
        reminder._dunning_update_send_state()
        self.assertEqual(reminder.send_state, "failed")
        reminder.with_user(self.billing).action_cancel()
        reminder.with_user(self.billing).action_draft()
        self.assertEqual((reminder.send_state, reminder.send_error), (False, False))
        with freeze_time("2026-01-12"):
            reminder.with_user(self.billing).action_issue()
            # A new email, not the old one re-queued.
            self.env["account.dunning.send"]._send_reminders(reminder, queue_emails=True)
        self.env["mail.mail"].process_email_queue()
        self.assertEqual(len(self.delivered), 1)
        self.assertEqual(
            self.env["mail.mail"].sudo().search_count(
                [
                    ("model", "=", reminder._name),
                    ("res_id", "=", reminder.id),
                    ("state", "in", ("outgoing", "exception")),
                ]
            ),
            0,
        )
        self.assertEqual(reminder.state, "sent")

    def test_cancel_with_a_paid_fees_entry_is_refused(self):
        with freeze_time("2026-01-12"):
            reminder = self.Reminder._create_reminders(
                partners=self.partner_a, as_of=fields.Date.to_date("2026-01-12")
            )
            reminder.action_issue()
        fees = reminder.move_id
        self.assertEqual(fees.amount_total, 10.0)
        receivable = fees.line_ids.filtered(lambda l: l.account_type == "asset_receivable")
        self.env["account.payment.register"].with_context(
            active_model="account.move.line", active_ids=receivable.ids
        ).create({"payment_date": "2026-01-15"})._create_payments()
        self.assertTrue(receivable.reconciled)
        with self.assertRaisesRegex(UserError, "was paid"):
            reminder.with_user(self.billing).action_cancel()
        self.assertTrue(receivable.reconciled)
        self.assertEqual(reminder.state, "issued")
        self.assertEqual(self._receivable_line(self.invoice).dunning_level_number, 1)

    def test_fees_entry_reversed_by_hand_is_not_reversed_again(self):
        with freeze_time("2026-01-12"):
            reminder = self.Reminder._create_reminders(
                partners=self.partner_a, as_of=fields.Date.to_date("2026-01-12")
            )
            reminder.action_issue()
        fees = reminder.move_id
        by_hand = fees._reverse_moves([{"date": "2026-01-13"}], cancel=True)
        reminder.with_user(self.billing).action_cancel()
        self.assertEqual(reminder.state, "cancel")
        self.assertEqual(fees.reversal_move_ids, by_hand)
        self.assertEqual(reminder.reversal_move_id, by_hand)
        self.assertEqual(self._receivable_line(self.invoice).dunning_level_number, 0)

    def test_cancel_stops_the_queued_sms(self):
        self.level_1.write({"send_email": False, "send_sms": True})
        self.partner_a.mobile = "+32470123456"
        with freeze_time("2026-01-12"):
            reminder = self.Reminder._create_reminders(
                partners=self.partner_a, as_of=fields.Date.to_date("2026-01-12")
            )
            reminder.action_issue()
            reminder.with_user(self.billing).action_send_batch()
        sms = self.env["sms.sms"].search([("partner_id", "=", self.partner_a.id)])
        self.assertEqual(sms.state, "outgoing")
        reminder.with_user(self.billing).action_cancel()
        self.assertEqual(sms.state, "canceled")


@tagged("post_install", "-at_install")
class TestDunningStateThroughActions(DunningRolesCommon):
    """Promises and runs move only through their actions; archived customers
    are never reminded; amounts are bounded."""

    def test_promise_state_only_through_its_follow_up(self):
        promises = self.env["account.dunning.promise"].with_user(self.billing)
        values = {
            "partner_id": self.partner_a.id,
            "date": "2026-01-12",
            "promised_date": "2026-01-20",
            "amount": 500.0,
        }
        for forged in (
            {"state": "kept"},
            {"state": "broken"},
            {"closed_date": "2026-01-13"},
            {"held_date": "2026-01-13"},
            {"user_id": self.accountant.id},
        ):
            with self.assertRaises(UserError, msg=forged):
                promises.create(dict(values, **forged))
        for out_of_bounds in (
            {"amount": 1e15},
            {"promised_date": "9999-12-31"},
            {"amount": -5.0},
        ):
            with self.assertRaises(ValidationError, msg=out_of_bounds):
                promises.create(dict(values, **out_of_bounds))
        promise = promises.create(values)
        self.assertEqual((promise.state, promise.user_id), ("open", self.billing))
        for forged in ({"state": "kept"}, {"closed_date": "2026-01-13"}, {"held_date": False}):
            with self.assertRaises(UserError, msg=forged):
                promise.write(forged)
        with self.assertRaises(ValidationError):
            promise.write({"promised_date": "9999-12-31"})
        promise.action_cancel()
        self.assertEqual(promise.state, "cancel")
        with self.assertRaises(AccessError):
            promise.with_user(self.auditor).action_cancel()

    def test_runs_are_never_created_nor_written_directly(self):
        automation = self.env["account.dunning.automation"].create(
            {
                "name": "By hand",
                "action_ids": [Command.create({"action_type": "create", "sequence": 1})],
            }
        )
        runs = self.env["account.dunning.automation.run"].with_user(self.accountant)
        with self.assertRaisesRegex(UserError, "cannot be created or changed directly"):
            runs.create(
                {
                    "automation_id": automation.id,
                    "date": "2026-01-12",
                    "start": fields.Datetime.now(),
                    "state": "running",
                }
            )
        self._invoice("2026-01-10")
        with freeze_time("2026-01-12"):
            automation.with_user(self.accountant).action_run_now()
            self.env["account.dunning.automation"]._cron_run_due()
        run = automation.run_ids
        self.assertEqual((run.state, run.created_count), ("done", 1))
        for forged in ({"state": "running"}, {"created_count": 100}, {"queue": [1, 2]}):
            with self.assertRaises(UserError, msg=forged):
                run.with_user(self.accountant).write(forged)
        self.assertEqual((run.state, run.created_count), ("done", 1))
        # The automation is not blocked: it runs again.
        with freeze_time("2026-01-12"):
            automation.with_user(self.accountant).action_run_now()
        self.assertEqual(len(automation.run_ids), 2)

    def test_archived_customers_are_skipped_at_create_issue_and_send(self):
        self.partner_a.mobile = "+32470123456"
        self.level_1.write({"send_sms": True, "send_letter": True})
        self._invoice("2026-01-10")
        self._invoice("2026-01-10", partner=self.partner_b)
        as_of = fields.Date.to_date("2026-01-12")
        with freeze_time(as_of):
            draft_a = self.Reminder._create_reminders(partners=self.partner_a, as_of=as_of)
            issued_b = self.Reminder._create_reminders(partners=self.partner_b, as_of=as_of)
            issued_b.action_issue()
        (self.partner_a | self.partner_b).action_archive()
        with freeze_time(as_of):
            with self.assertRaisesRegex(UserError, "archived"):
                draft_a.with_user(self.billing).action_issue()
            with self.assertRaisesRegex(UserError, "archived"):
                issued_b.with_user(self.billing).action_send()
            with self.assertRaisesRegex(UserError, "archived"):
                issued_b.with_user(self.billing).action_print()
            result = self.env["account.dunning.send"]._send_reminders(issued_b)
            self.assertEqual([reminder for reminder, _exc in result["errors"]], [issued_b])
            # Creating reminders again: none for them, the draft cancelled.
            self.assertFalse(self.Reminder.with_user(self.billing)._create_reminders(as_of=as_of))
        self.assertEqual(draft_a.state, "cancel")
        self.assertEqual(issued_b.state, "issued")
        self.assertFalse(issued_b.move_id.line_ids.filtered(lambda l: l.reconciled))
        self.assertFalse(self.env["sms.sms"].search([("partner_id", "in", self.partner_a.ids)]))
        self.assertEqual(draft_a.amount_fee, 10.0)
        self.assertFalse(draft_a.move_id)

    def test_amounts_are_bounded(self):
        with self.assertRaises(ValidationError):
            self.level_1.fee_amount = 1e20
        with self.assertRaises(ValidationError):
            self.level_1.fee_per_invoice = 1e13
        with self.assertRaisesRegex(ValidationError, "must be a number"):
            self.level_1.write({"fee_amount": float("nan")})
        self.level_1.fee_amount = 40.0


@tagged("post_install", "-at_install")
class TestDunningBadInput(DunningRolesCommon):
    """Bad input gives a clear error (or one error entry of a run going on),
    never a traceback."""

    def test_reminder_date_out_of_range(self):
        self._invoice("2026-01-10")
        with self.assertRaisesRegex(UserError, "reminder date must be between"):
            self.Reminder.with_user(self.billing)._create_reminders(as_of=date(9999, 12, 31))
        wizard = (
            self.env["account.dunning.create.wizard"]
            .with_user(self.billing)
            .create({"date": "9999-12-31"})
        )
        with self.assertRaisesRegex(UserError, "reminder date must be between"):
            wizard.action_create()
        with freeze_time("2026-01-12"):
            draft = self.Reminder.with_user(self.billing)._create_reminders()
            with self.assertRaisesRegex(UserError, "reminder date must be between"):
                draft.write({"date": "9999-12-31"})
            draft.write({"date": "2026-01-11"})
        self.assertEqual(draft.date, date(2026, 1, 11))

    def test_reference_rate_not_a_number(self):
        rates = self.env["account.dunning.reference.rate"]
        for rate in (float("nan"), float("inf"), 150.0):
            with self.assertRaises(ValidationError, msg=rate):
                rates.create({"date_from": "2031-07-01", "rate": rate})
        self.assertTrue(rates.create({"date_from": "2031-07-01", "rate": -0.5}))

    def test_customer_filter_failing_at_run_time(self):
        self._invoice("2026-01-10")
        self._invoice("2026-01-10", partner=self.partner_b)
        self.partner_a.color = 5
        automation = self.env["account.dunning.automation"].create(
            {
                "name": "Filtered",
                "action_ids": [
                    Command.create(
                        {
                            "action_type": "create",
                            "sequence": 1,
                            # valid in a search, a text compared with a number
                            # in memory
                            "partner_domain": "[('color', '>', '3')]",
                        }
                    )
                ],
            }
        )
        with freeze_time("2026-01-12"):
            automation.action_start()
            self.env["account.dunning.automation"]._cron_run_due()
        run = automation.run_ids
        self.assertFalse(run.error_ids)
        self.assertEqual(self._reminders().state, "draft")
        self.assertFalse(self._reminders(self.partner_b))
        # A filter no longer valid at all (a field removed since): one clear
        # error entry, the run ends.
        self.env.cr.execute(
            "UPDATE account_dunning_automation_action SET partner_domain = %s "
            "WHERE automation_id = %s",
            ["[('no_such_field', '=', 1)]", automation.id],
        )
        automation.action_ids.invalidate_recordset(["partner_domain"])
        with freeze_time("2026-01-13"), mute_logger(
            "odoo.addons.account_dunning_automation.models.account_dunning_automation_run"
        ):
            # the failure is logged (a warning) and entered in the run's log
            automation.action_start()
            self.env["account.dunning.automation"]._cron_run_due()
        run = automation.run_ids.sorted("id")[-1]
        self.assertEqual(run.state, "error")
        self.assertEqual(len(run.error_ids), 1)
        self.assertIn("customer filter", run.error_ids.message)
